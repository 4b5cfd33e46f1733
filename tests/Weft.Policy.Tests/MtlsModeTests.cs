using static Weft.Policy.Tests.Build;

namespace Weft.Policy.Tests;

/// <summary>The most specific mTLS entry wins: workload selector, then namespace, then mesh-wide, then PERMISSIVE.</summary>
public sealed class MtlsModeTests
{
    private static readonly PolicyWorkload Api = Workload("shop/api-1", "shop", "app=api");

    public static TheoryData<string, MtlsMode, MtlsMode> Precedence => new()
    {
        // entries ("mesh", "ns", "sel" = selector app=web in shop), mode for web, mode for api (same namespace, not selected)
        { "", MtlsMode.Permissive, MtlsMode.Permissive },
        { "mesh:S", MtlsMode.Strict, MtlsMode.Strict },
        { "mesh:S ns:P", MtlsMode.Permissive, MtlsMode.Permissive },
        { "mesh:P ns:S", MtlsMode.Strict, MtlsMode.Strict },
        { "ns:S sel:P", MtlsMode.Permissive, MtlsMode.Strict },
        { "mesh:S sel:P", MtlsMode.Permissive, MtlsMode.Strict },
        { "mesh:P ns:P sel:S", MtlsMode.Strict, MtlsMode.Permissive },
        { "sel:S", MtlsMode.Strict, MtlsMode.Permissive },
        { "root:S", MtlsMode.Strict, MtlsMode.Strict },
        { "other:S", MtlsMode.Permissive, MtlsMode.Permissive },
    };

    [Theory]
    [MemberData(nameof(Precedence))]
    public void Most_specific_wins(string entries, MtlsMode web, MtlsMode api)
    {
        var mtls = entries.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Entry).ToArray();

        foreach (var set in new[] { PolicySet.Create([], mtls, workloads: [Web, Api]), PolicySet.Create([], mtls) })
        {
            Assert.Equal(web, set.MtlsModeFor(Web));
            Assert.Equal(api, set.MtlsModeFor(Api));
            Assert.Equal(web == MtlsMode.Strict, !set.Evaluate(Plaintext(to: Web)).Allowed);
            Assert.Equal(api == MtlsMode.Strict, !set.Evaluate(Plaintext(to: Api)).Allowed);
        }
    }

    [Fact]
    public void First_listed_wins_between_entries_of_one_scope()
    {
        var set = PolicySet.Create([], [Mode(MtlsMode.Strict, "shop", "app=web"), Mode(MtlsMode.Permissive, "shop", "app=web,tier=front")]);

        Assert.Equal(MtlsMode.Strict, set.MtlsModeFor(Workload("shop/web-2", "shop", "app=web,tier=front")));
    }

    [Fact]
    public void A_mesh_wide_entry_cannot_have_a_selector()
    {
        var e = Assert.Throws<ArgumentException>(() => PolicySet.Create([], [Mode(MtlsMode.Strict, null, "app=web")]));

        Assert.Contains("cannot have a selector", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PolicySet.Create([], [Mode(MtlsMode.Strict, "istio-system", "app=web")]));
    }

    private static MtlsPolicy Entry(string entry)
    {
        var (scope, mode) = (entry.Split(':')[0], entry.Split(':')[1] == "S" ? MtlsMode.Strict : MtlsMode.Permissive);
        return scope switch
        {
            "mesh" => Mode(mode),
            "root" => Mode(mode, "istio-system"),
            "ns" => Mode(mode, "shop"),
            "sel" => Mode(mode, "shop", "app=web"),
            _ => Mode(mode, "data"),
        };
    }
}
