namespace Weft.Lab;

/// <summary>How to run this assembly's probe: `dotnet weft-lab.dll probe …`.</summary>
internal static class ProbeLauncher
{
    public static string AssemblyPath => typeof(Lab).Assembly.Location;

    /// <summary>The running dotnet host if we run under one (tests do), else "dotnet" from PATH.</summary>
    public static string DotnetHost
    {
        get
        {
            var self = Environment.ProcessPath;
            return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
    }
}
