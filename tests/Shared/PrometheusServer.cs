using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Weft.Tests.Shared;

/// <summary>
/// A real Prometheus (Debian's /usr/bin/prometheus) on 127.0.0.1, with its own config and storage in a
/// temporary directory, scraping one target every second. Disposing kills it and deletes the directory.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _dir;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly HttpClient _client = LoopbackPort.Client();

    private PrometheusServer(Process process, DirectoryInfo dir, int port)
    {
        _process = process;
        _dir = dir;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public const string Binary = "/usr/bin/prometheus";

    public string BaseUrl { get; }

    /// <summary>Prometheus' own output so far, for failure messages.</summary>
    public string Log => string.Join('\n', _log.TakeLast(40));

    public static PrometheusServer Start(int targetPort, string metricsPath)
    {
        var dir = Directory.CreateTempSubdirectory("weft-prometheus-");
        var config = Path.Combine(dir.FullName, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: weft
                metrics_path: {metricsPath}
                static_configs:
                  - targets: ['127.0.0.1:{targetPort}']
            """);
        var port = LoopbackPort.Free();
        Assert.True(File.Exists(Binary), $"{Binary} is missing: install Debian's prometheus package (`make deps` does)");
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("--config.file=" + config);
        psi.ArgumentList.Add("--storage.tsdb.path=" + Path.Combine(dir.FullName, "data"));
        psi.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        psi.ArgumentList.Add("--log.level=info");
        var process = new Process { StartInfo = psi };
        var server = new PrometheusServer(process, dir, port);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until the scrape target is "up" (a scrape succeeded); fails with why if it does not.</summary>
    public async Task WaitForTargetUpAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var last = "no answer";
        while (deadline.Elapsed < timeout)
        {
            Assert.False(_process.HasExited, $"prometheus exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Log}");
            try
            {
                using var doc = JsonDocument.Parse(await _client.GetStringAsync(BaseUrl + "/api/v1/targets?state=active"));
                var targets = doc.RootElement.GetProperty("data").GetProperty("activeTargets");
                if (targets.GetArrayLength() == 1)
                {
                    var target = targets[0];
                    last = $"health={target.GetProperty("health").GetString()} lastError={target.GetProperty("lastError").GetString()}";
                    if (target.GetProperty("health").GetString() == "up")
                    {
                        return;
                    }
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message; // not listening yet
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the target did not come up in {timeout} ({last}); prometheus said:\n{Log}");
    }

    /// <summary>An instant query's single sample: its labels and value; null while there is none.</summary>
    public async Task<(Dictionary<string, string> Labels, double Value)?> QueryAsync(string promql)
    {
        var json = await _client.GetStringAsync(BaseUrl + "/api/v1/query?query=" + Uri.EscapeDataString(promql));
        using var doc = JsonDocument.Parse(json);
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        var result = data.GetProperty("result");
        if (result.GetArrayLength() == 0)
        {
            return null;
        }

        Assert.True(result.GetArrayLength() == 1, $"{promql} matched more than one series: {json}");
        var labels = result[0].GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var value = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
        return (labels, value);
    }

    /// <summary>Polls <paramref name="promql"/> until its value is <paramref name="expected"/> (a later scrape may be needed).</summary>
    public async Task<Dictionary<string, string>> WaitForValueAsync(string promql, double expected, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        (Dictionary<string, string> Labels, double Value)? last = null;
        while (deadline.Elapsed < timeout)
        {
            last = await QueryAsync(promql);
            if (last is { } sample && sample.Value.Equals(expected))
            {
                return sample.Labels;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{promql} was {(last is { } l ? l.Value.ToString(CultureInfo.InvariantCulture) : "absent")}, not {expected}, after {timeout}; prometheus said:\n{Log}");
        return [];
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            _process.Dispose();
            _dir.Delete(recursive: true);
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
        }
    }
}
