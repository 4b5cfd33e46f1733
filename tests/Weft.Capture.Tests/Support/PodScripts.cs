using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Weft.Lab;
using Weft.Tests.Shared;

namespace Weft.Capture.Tests.Support;

/// <summary>
/// A connect the lab probe cannot do (a marked socket, a dual-stack socket), run by python3 as an
/// application inside the pod: it must be in the pod's cgroup to be seen by the capture programs,
/// which the test process is not.
/// </summary>
internal static class PodScripts
{
    // argv: family (4|6), host, port, mark. Prints {"remote": getpeername, "reply": first line}.
    private const string ConnectScript = """
        import json, socket, sys
        family = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
        host, port, mark = sys.argv[2], int(sys.argv[3]), int(sys.argv[4], 0)
        s = socket.socket(family, socket.SOCK_STREAM)
        if mark:
            s.setsockopt(socket.SOL_SOCKET, 36, mark)  # SO_MARK
        s.settimeout(10)
        s.connect((host, port))
        peer = s.getpeername()
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        print(json.dumps({"remote": "%s:%d" % (peer[0], peer[1]), "reply": data.split(b"\n")[0].decode()}), flush=True)
        """;

    public sealed record Result(string Remote, string Reply);

    /// <summary>python3 is how these tests make a marked or dual-stack socket inside a pod; say so plainly when it is missing.</summary>
    public static string RequirePython()
    {
        var python = HostTools.Python3();
        Assert.True(python is not null, "python3 is needed on PATH: these tests run a small python3 client inside a lab pod");
        return python!;
    }

    public static LabProcess Connect(LabPod pod, string python, AddressFamily family, IPEndPoint to, uint mark = 0) =>
        pod.Start(
            python, "-c", ConnectScript,
            family == AddressFamily.InterNetworkV6 ? "6" : "4",
            to.Address.ToString(),
            to.Port.ToString(CultureInfo.InvariantCulture),
            "0x" + mark.ToString("x", CultureInfo.InvariantCulture));

    public static async Task<Result> ResultAsync(LabProcess app)
    {
        var code = await app.Exited.WaitAsync(CaptureLab.Wait + TimeSpan.FromSeconds(5));
        var line = app.StdoutLines.LastOrDefault(l => l.StartsWith('{'));
        Assert.True(code == 0 && line is not null, $"{app} exited with {code}: {app.Stderr.Trim()}");
        using var doc = JsonDocument.Parse(line!);
        return new Result(doc.RootElement.GetProperty("remote").GetString()!, doc.RootElement.GetProperty("reply").GetString()!);
    }
}
