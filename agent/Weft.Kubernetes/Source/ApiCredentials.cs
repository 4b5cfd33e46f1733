using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Weft.Kubernetes.Source;

/// <summary>What each request to the API server carries to say who the agent is (client certificates go in the TLS handshake instead).</summary>
public abstract class ApiCredentials
{
    public abstract ValueTask<AuthenticationHeaderValue> HeaderAsync(CancellationToken cancellationToken);
}

/// <summary>A bearer token written in the kubeconfig.</summary>
public sealed class StaticTokenCredentials(string token) : ApiCredentials
{
    public override ValueTask<AuthenticationHeaderValue> HeaderAsync(CancellationToken cancellationToken) => ValueTask.FromResult(new AuthenticationHeaderValue("Bearer", token));
}

/// <summary>HTTP basic authentication (username and password in the kubeconfig).</summary>
public sealed class BasicCredentials(string username, string password) : ApiCredentials
{
    private readonly string encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));

    public override ValueTask<AuthenticationHeaderValue> HeaderAsync(CancellationToken cancellationToken) => ValueTask.FromResult(new AuthenticationHeaderValue("Basic", encoded));
}

/// <summary>
/// A bearer token read from a file and read again once a minute: kubelet rotates a pod's projected
/// service-account token (by default hourly), and a token read once would expire under a long-lived agent.
/// </summary>
public sealed class TokenFileCredentials(string path, TimeProvider? time = null) : ApiCredentials
{
    private static readonly TimeSpan RereadAfter = TimeSpan.FromMinutes(1);
    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly Lock gate = new();
    private string? token;
    private DateTimeOffset readAt;

    public override async ValueTask<AuthenticationHeaderValue> HeaderAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (token is not null && now - readAt < RereadAfter)
            {
                return new AuthenticationHeaderValue("Bearer", token);
            }
        }

        string read;
        try
        {
            read = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (IOException) when (token is not null)
        {
            // Mid-rotation (the file briefly gone): the token we hold is still valid for a while.
            read = token;
        }

        lock (gate)
        {
            token = read;
            readAt = now;
        }

        return new AuthenticationHeaderValue("Bearer", read);
    }
}

/// <summary>
/// A client-go credential plugin (kubeconfig <c>exec</c>): runs the command, reads the bearer token of
/// the ExecCredential it prints, and keeps it until its expirationTimestamp (or for good, without one).
/// Plugins that answer with a client certificate instead are refused with a message saying so.
/// </summary>
public sealed class ExecCredentials(KubeconfigExec exec, TimeProvider? time = null) : ApiCredentials
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);
    private readonly TimeProvider clock = time ?? TimeProvider.System;
    private readonly Lock gate = new();
    private Task<(string Token, DateTimeOffset? Expires)>? current;

    public override async ValueTask<AuthenticationHeaderValue> HeaderAsync(CancellationToken cancellationToken)
    {
        Task<(string Token, DateTimeOffset? Expires)> run;
        lock (gate)
        {
            // One run at a time, shared by every caller: not cancelled by any one of them. A failed run is retried by the next call.
            if (current is null || (current.IsCompleted && (!current.IsCompletedSuccessfully || Expiring(current.Result.Expires))))
            {
                current = RunAsync(CancellationToken.None);
            }

            run = current;
        }

        var (token, _) = await run.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new AuthenticationHeaderValue("Bearer", token);
    }

    private bool Expiring(DateTimeOffset? expires) => expires is { } at && clock.GetUtcNow() >= at - TimeSpan.FromSeconds(10);

    private async Task<(string Token, DateTimeOffset? Expires)> RunAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(exec.Command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in exec.Args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in exec.Env)
        {
            start.Environment[name] = value;
        }

        // What client-go tells a plugin about the call (interactive: false, so it must not prompt).
        start.Environment["KUBERNETES_EXEC_INFO"] =
            $$$"""{"apiVersion":"{{{exec.ApiVersion ?? "client.authentication.k8s.io/v1"}}}","kind":"ExecCredential","spec":{"interactive":false}}""";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"credential plugin {exec.Command} did not start");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"credential plugin {exec.Command} did not finish within {RunTimeout.TotalSeconds} s");
        }

        var output = await stdout.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"credential plugin {exec.Command} exited with {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}");
        }

        return Parse(output, exec.Command);
    }

    internal static (string Token, DateTimeOffset? Expires) Parse(string output, string command)
    {
        try
        {
            using var doc = JsonDocument.Parse(output);
            if (!doc.RootElement.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException($"credential plugin {command} printed an ExecCredential without a status");
            }

            if (!status.TryGetProperty("token", out var token) || token.GetString() is not { Length: > 0 } text)
            {
                throw new InvalidOperationException(status.TryGetProperty("clientCertificateData", out _)
                    ? $"credential plugin {command} answers with a client certificate, which the agent does not support: use a token-issuing plugin, client-certificate-data in the kubeconfig, or the in-cluster service account"
                    : $"credential plugin {command} printed no status.token");
            }

            DateTimeOffset? expires = status.TryGetProperty("expirationTimestamp", out var e) && e.ValueKind == JsonValueKind.String && e.TryGetDateTimeOffset(out var at) ? at : null;
            return (text, expires);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"credential plugin {command} printed something other than an ExecCredential: {e.Message}", e);
        }
    }
}
