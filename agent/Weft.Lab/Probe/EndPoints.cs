using System.Net;

namespace Weft.Lab.Probe;

internal static class EndPoints
{
    /// <summary>"ip:port", with IPv4-mapped addresses from dual-stack sockets shown as plain IPv4.</summary>
    public static string Format(EndPoint? ep) => ep switch
    {
        IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip => new IPEndPoint(ip.Address.MapToIPv4(), ip.Port).ToString(),
        null => "",
        _ => ep.ToString() ?? "",
    };
}
