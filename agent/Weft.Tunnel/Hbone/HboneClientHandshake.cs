using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Weft.Identity;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// The client's way into a tunnel connection: TCP through the source pod's dialer, then mutual
/// TLS 1.3 with ALPN h2, the server proven to be the destination identity by the mesh's own
/// verifier. All of it within HandshakeTimeout. Every failure is an <see cref="HboneException"/>
/// naming the step; only the caller's own cancellation comes out as OperationCanceledException.
/// </summary>
internal static class HboneClientHandshake
{
    public static async Task<SslStream> ConnectAsync(HboneDestination destination, HboneOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(options.HandshakeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var socket = await DialAsync(destination, options, linked.Token, cancellationToken).ConfigureAwait(false);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await AuthenticateAsync(ssl, destination, options, time, linked.Token, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<Socket> DialAsync(HboneDestination destination, HboneOptions options, CancellationToken token, CancellationToken cancellationToken)
    {
        var address = destination.TunnelAddress;
        Task<Socket> dialing;
        try
        {
            dialing = destination.Dial(address, token).AsTask();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new HboneException(HboneFailure.ConnectFailed, $"connecting to {address} failed: {e.Message}", e);
        }

        try
        {
            // WaitAsync: the deadline holds even for a dialer that ignores its token.
            return await dialing.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            // A socket connected after we gave up would leak: close it when it comes.
            _ = dialing.ContinueWith(static t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw TimedOutOr(e, HboneFailure.ConnectFailed, $"connecting to {address} took longer than {options.HandshakeTimeout}", cancellationToken);
        }
        catch (Exception e)
        {
            throw new HboneException(HboneFailure.ConnectFailed, $"connecting to {address} failed: {e.Message}", e);
        }
    }

    private static async Task AuthenticateAsync(SslStream ssl, HboneDestination destination, HboneOptions options, TimeProvider time, CancellationToken token, CancellationToken cancellationToken)
    {
        var address = destination.TunnelAddress;
        var expected = destination.DestinationIdentity;
        SpiffeId[] accepted = [expected];
        PeerVerificationResult? verdict = null;
        var auth = new SslClientAuthenticationOptions
        {
            // No SNI: the server is identified by its SPIFFE ID, which is no host name.
            TargetHost = string.Empty,
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            ClientCertificateContext = destination.SourceCertificate.CertificateContext,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = HboneChainPolicy.For(destination.SourceCertificate.TrustBundle),

            // Resumption would skip the server's certificate, and so the identity check.
            AllowTlsResume = false,
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                verdict = PeerVerifier.Verify(certificate, chain, destination.SourceCertificate.TrustBundle, expected.TrustDomain, accepted, time.GetUtcNow());
                return verdict.Succeeded;
            },
        };

        try
        {
            await ssl.AuthenticateAsClientAsync(auth, token).ConfigureAwait(false);
        }
        catch (Exception e) when (verdict is { Succeeded: false } refused)
        {
            var failure = refused.Failure == PeerVerificationFailure.UnexpectedIdentity ? HboneFailure.WrongServerIdentity : HboneFailure.PeerCertificateRejected;
            throw new HboneException(failure, $"the server at {address} was refused: {refused.Message}", e);
        }
        catch (Exception e) when (token.IsCancellationRequested)
        {
            // A cancelled handshake may surface as an IOException as well: the token says which it was.
            throw TimedOutOr(e, HboneFailure.TlsFailed, $"no TLS handshake with {address} within {options.HandshakeTimeout}", cancellationToken);
        }
        catch (Exception e)
        {
            throw new HboneException(HboneFailure.TlsFailed, $"TLS with {address} failed: {e.Message}", e);
        }

        if (ssl.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            throw new HboneException(HboneFailure.TlsFailed, $"the server at {address} did not agree on ALPN h2");
        }

        if (ssl.SslProtocol != SslProtocols.Tls13)
        {
            throw new HboneException(HboneFailure.TlsFailed, $"the server at {address} negotiated {ssl.SslProtocol}, not TLS 1.3");
        }
    }

    /// <summary>The caller's cancellation stays a cancellation; otherwise the deadline passed.</summary>
    private static Exception TimedOutOr(Exception e, HboneFailure failure, string message, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? new OperationCanceledException(e.Message, e, cancellationToken) : new HboneException(failure, message, e);
}
