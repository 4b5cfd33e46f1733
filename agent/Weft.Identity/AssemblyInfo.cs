// The agent runs on Linux only (eBPF, network namespaces); Unix file modes are used as such.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
