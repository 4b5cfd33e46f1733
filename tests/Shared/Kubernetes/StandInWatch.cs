using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace Weft.Tests.Shared.Kubernetes;

/// <summary>An object as stored: never mutated after it is stored, with its JSON made once.</summary>
internal sealed record StandInObject(IKubernetesObject<V1ObjectMeta> Item, string Json);

/// <summary>One change in the server's history, which watches replay from a resourceVersion.</summary>
internal sealed record StandInEvent(StandInResource Resource, string Type, long Version, StandInObject Item, StandInObject? Previous);

/// <summary>One open watch: what it selects, and the lines queued for its connection to write.</summary>
internal sealed class StandInWatch : IDisposable
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abort = new();

    public StandInWatch(StandInResource resource, string? ns, StandInFieldSelector selector, bool bookmarks)
    {
        Resource = resource;
        Namespace = ns;
        Selector = selector;
        Bookmarks = bookmarks;
    }

    public StandInResource Resource { get; }

    public string? Namespace { get; }

    public StandInFieldSelector Selector { get; }

    public bool Bookmarks { get; }

    public ChannelReader<string> Lines => _lines.Reader;

    /// <summary>Cancelled when the connection is to be cut without ending the stream properly.</summary>
    public CancellationToken Aborted => _abort.Token;

    /// <summary>Only while the watch is registered with the server; the server disposes it after unregistering it.</summary>
    public void Abort() => _abort.Cancel();

    public void Dispose() => _abort.Dispose();

    public void Send(string line) => _lines.Writer.TryWrite(line);

    /// <summary>Ends the stream properly after the lines already queued; later changes are not sent.</summary>
    public void End() => _lines.Writer.TryComplete();

    /// <summary>Queues the event if this watch sees it. An object modified out of the selection is a DELETED to this watch, as on a real server.</summary>
    public void Offer(StandInEvent change)
    {
        if (change.Resource != Resource || (Namespace is not null && change.Item.Item.Metadata.NamespaceProperty != Namespace))
        {
            return;
        }

        var type = Selector.Matches(change.Item.Item) ? change.Type
            : change.Type == "MODIFIED" && change.Previous is { } previous && Selector.Matches(previous.Item) ? "DELETED"
            : null;
        if (type is not null)
        {
            Send(Line(type, change.Item.Json));
        }
    }

    public static string Line(string type, string objectJson) => $"{{\"type\":\"{type}\",\"object\":{objectJson}}}";
}
