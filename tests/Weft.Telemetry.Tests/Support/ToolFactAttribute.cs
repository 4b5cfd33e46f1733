namespace Weft.Telemetry.Tests.Support;

/// <summary>
/// A fact that needs a host tool (Debian's prometheus package: /usr/bin/prometheus, /usr/bin/promtool).
/// Without it the test is skipped on a developer machine, but under CI (CI=true) it runs and fails
/// with a clear message (see <see cref="HostTool.Require"/>): a CI run must never pass by skipping.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool)
    {
        if (!File.Exists(tool) && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"{tool} is missing (Debian's prometheus package; `make deps` installs it); under CI=true this fails instead";
        }
    }
}
