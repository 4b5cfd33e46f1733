namespace Weft.Workloads.Tests;

/// <summary>The example of docs/config.md, comments included; tests rely on its line numbers.</summary>
internal static class ExampleConfig
{
    public const string Text = """
        node: node-a
        trustDomain: cluster.local
        cgroupRoot: /sys/fs/cgroup/unified/weft-node-a   # where the cgroup programs attach (default: the cgroup v2 mount)
        capture:                      # optional
          excludePorts: [22]          # destination ports the pods' outbound connections reach directly
          excludeCidrs: [169.254.0.0/16, "fd00::/8"]   # destinations reached directly (outbound only)
        namespaces:
          - name: shop
            labels: { weft.io/mesh: enabled }
        workloads:
          - uid: shop/web-1
            name: web-1
            namespace: shop
            serviceAccount: web       # default "default"
            labels: { app: web }
            addresses: [10.77.0.2]    # IPv4 and/or IPv6
            netns: /var/run/netns/web-1
            node: node-a
        services:
          - name: web
            namespace: shop
            addresses: [10.96.0.10]
            ports: { 80: 8080 }       # service port: target port
            selector: { app: web }    # endpoints = workloads in the same namespace whose labels match (all keys equal)
        """;

    public static LocalConfig Parse(string text) => LocalConfigLoader.Parse(text, "config.yaml");
}
