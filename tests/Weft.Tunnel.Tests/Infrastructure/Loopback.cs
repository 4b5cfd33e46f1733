using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>Connected transports over 127.0.0.1: plain TCP, or TLS 1.3 with ALPN h2 on top.</summary>
internal static class Loopback
{
    public static async Task<(Stream Client, Stream Server)> PairAsync(bool tls)
    {
        var (client, server) = await TcpPairAsync();
        if (!tls)
        {
            return (client, server);
        }

        var serverAuth = ServerTlsAsync(server);
        var clientAuth = ClientTlsAsync(client);
        return (await clientAuth, await serverAuth);
    }

    public static async Task<(NetworkStream Client, NetworkStream Server)> TcpPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptSocketAsync();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        var server = await accept;
        server.NoDelay = true;
        return (new NetworkStream(client, ownsSocket: true), new NetworkStream(server, ownsSocket: true));
    }

    public static async Task<NetworkStream> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<SslStream> ServerTlsAsync(Stream inner, bool requireClientCertificate = false)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = TestCertificate.Get(),
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            ClientCertificateRequired = requireClientCertificate,
            RemoteCertificateValidationCallback = (_, cert, _, _) => !requireClientCertificate || IsTestCertificate(cert),
        });
        Assert.Equal(SslApplicationProtocol.Http2, ssl.NegotiatedApplicationProtocol);
        return ssl;
    }

    public static async Task<SslStream> ClientTlsAsync(Stream inner)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "weft.test",
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            ClientCertificates = [TestCertificate.Get()],
            RemoteCertificateValidationCallback = (_, cert, _, _) => IsTestCertificate(cert),
        });
        Assert.Equal(SslApplicationProtocol.Http2, ssl.NegotiatedApplicationProtocol);
        Assert.Equal(SslProtocols.Tls13, ssl.SslProtocol);
        return ssl;
    }

    private static bool IsTestCertificate(X509Certificate? cert) =>
        cert is not null && cert.GetCertHashString() == TestCertificate.Get().GetCertHashString();
}
