namespace Weft.Agent.Hosting;

/// <summary>
/// Runtime settings for the data path that .NET reads only from the environment, once, when the
/// first socket is made; so they are applied before anything else runs. An operator's own value
/// for a variable always wins (set it to 0 to undo one of these).
/// </summary>
internal static class SocketEngineTuning
{
    /// <summary>
    /// Socket completions run on the epoll thread that saw them instead of hopping to the thread
    /// pool first. Every hop of a proxied byte (application socket, relay, HTTP/2 writer, TLS) was
    /// such a hand-off; inline, a round trip through two agents measured about half the added
    /// latency (bench/README.md). It is safe because nothing on the data path blocks: every wait
    /// is an await, and the locks are held for bookkeeping only.
    /// </summary>
    public const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void Apply()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(InlineCompletions)))
        {
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        }
    }
}
