namespace Weft.Identity;

/// <summary>
/// The agent's <c>identity:</c> section. With <see cref="IstioCa"/> set, certificates come from an Istio-compatible
/// CA; otherwise from the embedded CA, whose root is <see cref="Ca"/> or, when that is absent, one generated under
/// <see cref="StateDir"/>.
/// </summary>
public sealed record IdentityOptions
{
    public const string DefaultStateDir = "/var/lib/weft";

    /// <summary>An operator's own root (or intermediate) for the embedded CA.</summary>
    public CaFilesOptions? Ca { get; init; }

    /// <summary>Where a generated CA is kept (<c>&lt;stateDir&gt;/ca/ca.crt</c> and <c>ca.key</c>).</summary>
    public string StateDir { get; init; } = DefaultStateDir;

    public IstioCaOptions? IstioCa { get; init; }

    public TimeSpan CertificateTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The directory a generated embedded CA lives in.</summary>
    public string GeneratedCaDir => Path.Combine(StateDir, "ca");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent setting.</summary>
    public void Validate()
    {
        if (Ca is not null && IstioCa is not null)
        {
            throw new ArgumentException("identity: set either ca (embedded CA) or istioCa, not both");
        }

        if (Ca is not null && (string.IsNullOrWhiteSpace(Ca.Cert) || string.IsNullOrWhiteSpace(Ca.Key)))
        {
            throw new ArgumentException("identity.ca needs both cert and key (omit both to generate a CA in stateDir)");
        }

        if (string.IsNullOrWhiteSpace(StateDir))
        {
            throw new ArgumentException("identity.stateDir must not be empty");
        }

        if (CertificateTtl <= TimeSpan.Zero)
        {
            throw new ArgumentException($"identity.certificateTtl must be positive, got {CertificateTtl}");
        }

        IstioCa?.Validate();
    }
}
