using System.Net;
using System.Text;
using Weft.Tests.Shared;

namespace Weft.Lab.Tests;

/// <summary>The wire capture sees what crosses the fabric, so "never on the wire" assertions mean something.</summary>
public sealed class FabricCaptureTests
{
    [RootFact]
    public async Task A_plaintext_transfer_between_pods_shows_on_the_fabric_capture()
    {
        using var lab = Lab.Create(nameof(FabricCaptureTests));
        var node = lab.AddNode("node1");
        var a = lab.AddPod(node, "a", IPAddress.Parse("10.77.0.2"));
        var b = lab.AddPod(node, "b", IPAddress.Parse("10.77.0.3"));
        using var server = b.Serve(8080);
        using var capture = await FabricCapture.StartAsync(lab);

        const string Marker = "weft-plaintext-marker-";
        var result = await a.SendAsync(new IPEndPoint(b.Address, 8080), 64 * 1024, text: Marker);
        Assert.True(result.Ok, result.Error);
        await capture.StopAsync();

        Assert.True(capture.Contains(Encoding.ASCII.GetBytes(Marker)),
            $"the application's bytes are not in the capture ({capture.Fields("tcp", "frame.number", "tcp.srcport", "tcp.dstport", "tcp.len").Count} TCP frames: "
            + string.Join("; ", capture.Fields("tcp", "frame.number", "tcp.srcport", "tcp.dstport", "tcp.len").Take(12).Select(f => string.Join(',', f))) + ")");
        var ports = capture.Fields("tcp.flags.syn == 1 && tcp.flags.ack == 0", "ip.src", "ip.dst", "tcp.dstport");
        Assert.Contains(ports, r => r[0] == "10.77.0.2" && r[1] == "10.77.0.3" && r[2] == "8080");
    }
}
