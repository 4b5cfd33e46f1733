namespace Weft.Tests.Shared;

/// <summary>
/// A fact that needs root. Without root it is skipped on a developer machine, but under CI
/// (CI=true) it runs and fails with a clear message: a CI run must never pass by skipping.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "needs root (network namespaces, cgroups, BPF); under CI=true this fails instead";
        }
    }
}
