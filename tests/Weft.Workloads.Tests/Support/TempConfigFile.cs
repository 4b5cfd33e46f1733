namespace Weft.Workloads.Tests;

/// <summary>A config file in a directory of its own, removed afterwards.</summary>
internal sealed class TempConfigFile : IDisposable
{
    public TempConfigFile(string text)
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "weft-workloads-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path = System.IO.Path.Combine(Directory, "config.yaml");
        File.WriteAllText(Path, text);
    }

    public string Directory { get; }

    public string Path { get; }

    public void Write(string text) => File.WriteAllText(Path, text);

    /// <summary>Saves the way editors do: write a temporary file, then rename it over the original.</summary>
    public void ReplaceAtomically(string text)
    {
        var temporary = System.IO.Path.Combine(Directory, ".config.yaml.swp");
        File.WriteAllText(temporary, text);
        File.Move(temporary, Path, overwrite: true);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
