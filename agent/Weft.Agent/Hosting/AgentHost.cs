using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Weft.Agent.Cli;
using Weft.Capture.Libbpf;
using Weft.Identity;
using Weft.Kubernetes.Source;
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
        SocketEngineTuning.Apply();
        AgentOptions options;
        try
        {
            options = CommandLine.ParseAgent(args, Environment.GetEnvironmentVariable("NODE_NAME"));
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
            startConfig = LocalConfigLoader.Load(options.ConfigPath, options.ConfigMode);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"weft agent: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        using var host = CreateBuilder(options, startConfig).Build();
        try
        {
            await host.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is ConfigException or HostRequirementException or BpfException or CertificateAuthorityException or AdminListenException
            or KubernetesConnectionException)
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

    /// <summary>
    /// The agent's host, not yet built: the service, telemetry (as <paramref name="startConfig"/>'s
    /// telemetry section says) and the endpoints. Tests add to it (an in-memory exporter) and run it in-process.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(AgentOptions options, LocalConfig startConfig)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(startConfig);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.SetMinimumLevel(Enum.Parse<LogLevel>(options.LogLevel, ignoreCase: true));
        AddConsole(builder.Logging, options.LogFormat == "json");

        // Access-log lines have their own switch and format (telemetry.accessLog): their own logger, not the agent log's.
        builder.Logging.AddFilter(ProxyContext.AccessLogCategory, LogLevel.None);
        var access = startConfig.Telemetry.AccessLog;
        builder.Services.AddSingleton(_ => AccessLogSink.Create(access));

        // Start-up failures are reported by RunAsync, once, as a sentence; not also as the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.DrainTimeout + TimeSpan.FromSeconds(10));
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton(options);
        if (options.Kubernetes)
        {
            // Before AgentService: hosted services start in order, and the watch must be running when the agent reads its first config.
            builder.Services.AddKubernetesWorkloads(options, startConfig);
        }
        else
        {
            builder.Services.AddSingleton<IWorkloadSource>(sp => new LocalConfigSource(options.ConfigPath, sp.GetRequiredService<ILogger<LocalConfigSource>>()));
        }

        builder.Services.AddSingleton<AgentService>();

        builder.Services.AddWeftTelemetry(startConfig);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AgentService>());
        builder.Services.AddWeftEndpoints();
        return builder;
    }

    internal static void AddConsole(ILoggingBuilder logging, bool json)
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

/// <summary>The logger access-log lines are written to (see telemetry.accessLog); owns its logger factory.</summary>
public sealed class AccessLogSink(ILogger logger, ILoggerFactory? owned = null) : IDisposable
{
    public ILogger Logger { get; } = logger;

    /// <summary>A console logger in the configured format, or one that writes nothing when access logging is off.</summary>
    public static AccessLogSink Create(AccessLogSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Enabled)
        {
            return new AccessLogSink(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        }

        var factory = LoggerFactory.Create(b => AgentHost.AddConsole(b, settings.Format == AccessLogFormat.Json));
        return new AccessLogSink(factory.CreateLogger(ProxyContext.AccessLogCategory), factory);
    }

    public void Dispose() => owned?.Dispose();
}
