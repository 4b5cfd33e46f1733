using System.Security.Cryptography.X509Certificates;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// The chain policy for SslStream on both ends of a tunnel. SslStream builds the peer's chain before our verifier
/// runs (and the verifier reads that chain's elements): the build must be offline and on the mesh roots only, or a
/// peer's certificate could make the agent fetch whatever its AIA extension names, and complete its chain with it.
/// The verdict is still PeerVerifier's.
/// </summary>
internal static class HboneChainPolicy
{
    public static X509ChainPolicy For(IEnumerable<X509Certificate2> trustBundle)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(trustBundle.ToArray());
        return policy;
    }
}
