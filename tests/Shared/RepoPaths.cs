namespace Weft.Tests.Shared;

/// <summary>Where the repository and the built artefacts are, seen from a test assembly.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string BpfObject => Require(Path.Combine(Root, "out", "bpf", "weft.bpf.o"));

    public static string AgentBinary => Require(Path.Combine(Root, "out", "agent", "weft"));

    public static string SharedHeader => Path.Combine(Root, "bpf", "weft_shared.h");

    private static string Require(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: run 'make build' first (make test does).", path);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Agent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("cannot find the repository root (Agent.sln) above " + AppContext.BaseDirectory);
    }
}
