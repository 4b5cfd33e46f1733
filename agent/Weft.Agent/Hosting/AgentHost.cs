using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Weft.Agent.Cli;
using Weft.Capture.Libbpf;
using Weft.Identity;
using Weft.Platform.Host;
using Weft.Proxy;
using Weft.Telemetry.Admin;
using Weft.Workloads;

namespace Weft.Agent.Hosting;

/// <summary>Builds and runs the agent's host; turns expected failures into one clear line.</summary>
public static class AgentHost
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        AgentOptions options;
        try
        {
            options = CommandLine.ParseAgent(args);
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"weft agent: {e.Message}\n{CommandLine.Usage}").ConfigureAwait(false);
            return 2;
        }

        // Read once up front for what is fixed at start (telemetry endpoints and exporters); a bad file
        // fails here with its file, line and field, before anything is attached.
        LocalConfig startConfig;
        try
        {
            startConfig = LocalConfigLoader.Load(options.ConfigPath);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"weft agent: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.SetMinimumLevel(Enum.Parse<LogLevel>(options.LogLevel, ignoreCase: true));
        AddConsole(builder.Logging, options.LogFormat == "json");

        // Access-log lines have their own switch and format (telemetry.accessLog): their own logger, not the agent log's.
        builder.Logging.AddFilter(ProxyContext.AccessLogCategory, LogLevel.None);
        var access = startConfig.Telemetry.AccessLog;
        using var accessLogs = access.Enabled
            ? LoggerFactory.Create(b => AddConsole(b, access.Format == AccessLogFormat.Json))
            : Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        builder.Services.AddSingleton(new AccessLogSink(accessLogs.CreateLogger(ProxyContext.AccessLogCategory)));

        // Start-up failures are reported below, once, as a sentence; not also as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.DrainTimeout + TimeSpan.FromSeconds(10));
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new LocalConfigSource(options.ConfigPath, sp.GetRequiredService<ILogger<LocalConfigSource>>()));
        builder.Services.AddSingleton<AgentService>();

        builder.Services.AddWeftTelemetry(startConfig);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AgentService>());
        builder.Services.AddWeftEndpoints();

        using var host = builder.Build();
        try
        {
            await host.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is ConfigException or HostRequirementException or BpfException or CertificateAuthorityException or AdminListenException)
        {
            await Console.Error.WriteLineAsync($"weft agent: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"weft agent: unexpected failure: {e}").ConfigureAwait(false);
            return 3;
        }
    }

    private static void AddConsole(ILoggingBuilder logging, bool json)
    {
        if (json)
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = false;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
    }
}

/// <summary>The logger access-log lines are written to (see telemetry.accessLog).</summary>
public sealed record AccessLogSink(ILogger Logger);
