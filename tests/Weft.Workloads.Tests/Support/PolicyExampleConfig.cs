namespace Weft.Workloads.Tests;

/// <summary>The policies example of docs/config.md, comments included; a test keeps the two identical.</summary>
internal static class PolicyExampleConfig
{
    public const string Text = """
        node: node-a
        rootNamespace: istio-system       # default; its policies without a selector apply mesh-wide
        namespaces:
          - name: shop
            labels: { weft.io/mesh: enabled }
        workloads:
          - uid: shop/web-1
            name: web-1
            namespace: shop
            labels: { app: web }
            addresses: [10.77.0.2]
            netns: /var/run/netns/web-1
            node: node-a
          - uid: shop/api-1
            name: api-1
            namespace: shop
            labels: { app: api }
            addresses: [10.77.0.5]
            netns: /var/run/netns/api-1
            node: node-a
        policies:
          - name: shop-allow              # ALLOW: what is not allowed is denied, for every workload of shop
            namespace: shop
            action: ALLOW
            rules:
              - from:                     # any one source (OR) ...
                  - namespaces: [shop]
                  - serviceAccounts: [front/gateway]
                  - ipBlocks: [10.77.0.0/24]   # the legacy VMs, which talk plaintext
          - name: web-admin-mtls-only
            namespace: shop
            selector: { app: web }        # only shop's workloads labelled app=web
            action: DENY
            rules:
              - from:
                  - notPrincipals: ["*"]  # no identity, i.e. plaintext ...
                to:
                  - ports: [9090]         # ... AND to the admin port
          - name: no-telnet
            namespace: istio-system       # root namespace, no selector: the whole mesh
            action: DENY
            rules:
              - to:
                  - ports: [23]
        mtls:
          - mode: PERMISSIVE              # mesh-wide default (also what applies without any entry)
          - namespace: shop
            mode: STRICT                  # plaintext to shop is refused ...
          - namespace: shop
            selector: { app: web }
            mode: PERMISSIVE              # ... except to web, the most specific entry
        """;
}
