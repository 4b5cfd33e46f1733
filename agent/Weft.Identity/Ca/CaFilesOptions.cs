namespace Weft.Identity;

/// <summary>PEM files of the embedded CA: <see cref="Cert"/> may hold the signing certificate followed by its chain.</summary>
public sealed record CaFilesOptions(string Cert, string Key);
