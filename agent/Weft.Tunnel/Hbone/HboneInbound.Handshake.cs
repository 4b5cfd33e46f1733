using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Weft.Identity;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// The server side of the mutual TLS handshake: TLS 1.3 only, ALPN exactly h2, the pod's
/// current certificate, and a client certificate checked by <see cref="PeerVerifier"/> against
/// the pod certificate's trust bundle (any identity of the trust domain: policy decides later).
/// </summary>
public sealed partial class HboneInbound
{
    /// <summary>The verified peer, or null when the handshake failed (logged and counted; the caller closes).</summary>
    private async Task<SpiffeId?> HandshakeAsync(SslStream ssl, IPEndPoint peerAddress, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.HandshakeTimeout);
        PeerVerificationResult? verification = null;
        WorkloadCertificate certificate;
        try
        {
            // Per handshake, so a rotated certificate serves the next connection at once.
            certificate = await settings.Certificate(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            HboneInboundLog.ShuttingDown(log, peerAddress);
            return null;
        }
        catch (Exception e)
        {
            HboneInboundLog.CertificateUnavailable(log, peerAddress, e);
            metrics.Handshake(Side, nameof(HboneFailure.TlsFailed));
            return null;
        }

        try
        {
            var tls = ServerOptions(certificate, (_, peerCertificate, chain, _) =>
            {
                // SslStream's own verdict (system roots) is meaningless here; the mesh's replaces it.
                verification = PeerVerifier.Verify(peerCertificate, chain, certificate.TrustBundle, settings.TrustDomain);
                return verification.Succeeded;
            });
            await ssl.AuthenticateAsServerAsync(tls, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            HboneInboundLog.ShuttingDown(log, peerAddress);
            return null;
        }
        catch (Exception e)
        {
            if (verification is { Succeeded: false } rejected)
            {
                return Rejected(peerAddress, rejected);
            }

            return TlsFailed(peerAddress, deadline.IsCancellationRequested ? $"no handshake within {options.HandshakeTimeout.TotalSeconds:0.###} s" : Describe(e));
        }

        if (ssl.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            var alpn = ssl.NegotiatedApplicationProtocol.Protocol.IsEmpty ? "none" : ssl.NegotiatedApplicationProtocol.ToString();
            return TlsFailed(peerAddress, $"ALPN negotiated {alpn}, not h2");
        }

        if (ssl.SslProtocol != SslProtocols.Tls13)
        {
            return TlsFailed(peerAddress, $"{ssl.SslProtocol} negotiated, not TLS 1.3");
        }

        // SslStream may skip the callback when the client sent no certificate: check what it holds then.
        verification ??= PeerVerifier.Verify(ssl.RemoteCertificate, null, certificate.TrustBundle, settings.TrustDomain);
        if (!verification.Succeeded)
        {
            return Rejected(peerAddress, verification);
        }

        HboneInboundLog.Authenticated(log, peerAddress, verification.PeerId);
        metrics.Handshake(Side, "ok");
        return verification.PeerId;
    }

    private static SslServerAuthenticationOptions ServerOptions(WorkloadCertificate certificate, RemoteCertificateValidationCallback verify)
    {
        return new SslServerAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            ServerCertificateContext = certificate.CertificateContext,
            ClientCertificateRequired = true,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = HboneChainPolicy.For(certificate.TrustBundle),
            AllowTlsResume = false,
            RemoteCertificateValidationCallback = verify,
        };
    }

    private SpiffeId? Rejected(IPEndPoint peerAddress, PeerVerificationResult verification)
    {
        HboneInboundLog.PeerRejected(log, peerAddress, verification.Failure, verification.Message);
        metrics.Handshake(Side, nameof(HboneFailure.PeerCertificateRejected));
        return null;
    }

    private SpiffeId? TlsFailed(IPEndPoint peerAddress, string reason)
    {
        HboneInboundLog.TlsFailed(log, peerAddress, reason);
        metrics.Handshake(Side, nameof(HboneFailure.TlsFailed));
        return null;
    }

    /// <summary>The exception and its causes in one line: SslStream's outer message alone rarely says what went wrong.</summary>
    private static string Describe(Exception e)
    {
        var text = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            text += " <- " + inner.Message;
        }

        return text;
    }
}
