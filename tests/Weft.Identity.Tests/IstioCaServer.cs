using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Weft.Identity.Tests;

/// <summary>Hosts a <see cref="FakeIstioCa"/> with Kestrel on 127.0.0.1 (an ephemeral port), plaintext h2c or TLS.</summary>
internal sealed class IstioCaServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private IstioCaServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<IstioCaServer> StartAsync(FakeIstioCa ca, X509Certificate2? tlsCertificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(ca);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (tlsCertificate is not null)
            {
                listen.UseHttps(tlsCertificate);
            }
        }));
        var app = builder.Build();
        app.MapGrpcService<FakeIstioCa>();
        await app.StartAsync();
        var url = new Uri(app.Urls.Single());
        return new IstioCaServer(app, new UriBuilder(url) { Host = "127.0.0.1" }.Uri);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
