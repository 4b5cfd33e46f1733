using k8s.Models;
using Weft.Kubernetes.Source;
using Weft.Kubernetes.Watch;
using Weft.Tests.Shared.Kubernetes;

namespace Weft.Kubernetes.Tests;

/// <summary>A stand-in API server, a client for it and a ClusterWatch with test-sized timings; waits are bounded by <see cref="Patience"/>.</summary>
internal sealed class WatchHarness : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>The agent's client for a stand-in, never through a proxy whatever the environment says.</summary>
    public static ApiClient ClientFor(StandInApiServer server) => new(new ApiEndpoint { Server = server.BaseUri, UseProxy = false });

    private readonly ApiClient _client;

    public WatchHarness(Action<ClusterWatchOptions>? configure = null)
    {
        Server = new StandInApiServer();
        _client = ClientFor(Server);
        Options = new ClusterWatchOptions
        {
            MinBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(400),
            Debounce = TimeSpan.FromMilliseconds(20),
            WatchTimeout = TimeSpan.FromMinutes(1),
            ListPageSize = 2,
        };
        configure?.Invoke(Options);
        Watch = new ClusterWatch(_client, Options, Logger);
    }

    public StandInApiServer Server { get; }

    public ClusterWatchOptions Options { get; }

    public CapturingLogger<ClusterWatch> Logger { get; } = new();

    public ClusterWatch Watch { get; }

    public async Task<ClusterSnapshot> StartAndSyncAsync()
    {
        Watch.Start();
        var synced = await Watch.WaitForSyncAsync(CancellationToken.None).WaitAsync(Patience);
        // Synced means listed; the watches open right after, and some tests need them open.
        await Server.WaitUntilAsync(s => s.OpenWatches == 4, Patience);
        return synced;
    }

    /// <summary>The first published snapshot (or the current one) for which the condition holds.</summary>
    public async Task<ClusterSnapshot> UntilAsync(Func<ClusterSnapshot, bool> condition)
    {
        using var cts = new CancellationTokenSource(Patience);
        while (true)
        {
            // Ask for the next change before looking at Current, so a publish in between is not missed.
            var next = Watch.NextChangeAsync(cts.Token);
            var current = Watch.Current;
            if (condition(current))
            {
                return current;
            }

            try
            {
                await next;
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no snapshot matched within {Patience}; the last had {current.Namespaces.Count} namespaces, "
                    + $"pods [{string.Join(", ", current.Pods.Keys)}], services [{string.Join(", ", current.Services.Keys)}], {current.EndpointSlices.Count} slices");
            }
        }
    }

    public ResourceWatchStatus StatusOf(string kind) => Watch.Status.Single(s => s.Kind == kind);

    /// <summary>Waits on the watch's status, which has no change notification; checked every few milliseconds up to <see cref="Patience"/>.</summary>
    public async Task UntilStatusAsync(string kind, Func<ResourceWatchStatus, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition(StatusOf(kind)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"status of {kind} never matched; last: {StatusOf(kind)}");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Watch.DisposeAsync();
        _client.Dispose();
        Server.Dispose();
        // A fault of the stand-in would make a passing test meaningless.
        Assert.Empty(Server.Faults);
    }

    public static V1Namespace Namespace(string name) => new() { Metadata = new() { Name = name } };

    public static V1Pod Pod(string ns, string name, string node = "node-a", string ip = "10.0.0.1") => new()
    {
        Metadata = new() { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new() { NodeName = node, Containers = [new V1Container { Name = "app", Image = "app:1" }] },
        Status = new() { PodIP = ip, Phase = "Running" },
    };

    public static V1Service Service(string ns, string name) => new()
    {
        Metadata = new() { Name = name, NamespaceProperty = ns },
        Spec = new() { ClusterIP = "10.96.0.10", Ports = [new V1ServicePort { Port = 80, Protocol = "TCP" }], Selector = new Dictionary<string, string> { ["app"] = name } },
    };

    public static V1EndpointSlice Slice(string ns, string name, string service) => new()
    {
        Metadata = new() { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = service } },
        AddressType = "IPv4",
        Endpoints = [new V1Endpoint { Addresses = ["10.0.0.1"], Conditions = new V1EndpointConditions { Ready = true } }],
        Ports = [new Discoveryv1EndpointPort { Port = 8080, Protocol = "TCP" }],
    };
}
