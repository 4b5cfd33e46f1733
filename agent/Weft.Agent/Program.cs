using Weft.Agent.Cli;
using Weft.Agent.Hosting;
using Weft.Agent.Status;

return args switch
{
    ["agent", .. var rest] => await AgentHost.RunAsync(rest).ConfigureAwait(false),
    ["status", .. var rest] => await StatusCommand.RunAsync(rest).ConfigureAwait(false),
    ["version"] => PrintVersion(),
    [] or ["help" or "--help" or "-h"] => PrintUsage(Console.Out, 0),
    _ => PrintUsage(Console.Error, 2),
};

static int PrintVersion()
{
    Console.WriteLine($"weft {typeof(AgentService).Assembly.GetName().Version}");
    return 0;
}

static int PrintUsage(TextWriter w, int code)
{
    w.WriteLine("weft: sidecarless service-mesh node agent");
    w.WriteLine(CommandLine.Usage);
    w.WriteLine(StatusCommand.Usage);
    w.WriteLine("  weft version");
    return code;
}
