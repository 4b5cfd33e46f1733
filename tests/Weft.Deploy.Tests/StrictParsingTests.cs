using k8s.Models;

namespace Weft.Deploy.Tests;

/// <summary>The manifests' checks mean something only if a misspelt field fails to parse instead of vanishing.</summary>
public class StrictParsingTests
{
    [Fact]
    public void The_daemonset_file_parses_strictly()
    {
        var text = File.ReadAllText(Path.Combine(Deploy.Directory, "daemonset.yaml"));
        Assert.IsType<V1DaemonSet>(Assert.Single(Deploy.Parse(text)));
    }

    [Theory]
    [InlineData("hostPID: true", "hostPid: true")]
    [InlineData("mountPropagation: HostToContainer", "mountPropogation: HostToContainer")]
    [InlineData("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true")]
    [InlineData("expirationSeconds: 43200", "expirySeconds: 43200")]
    public void A_misspelt_field_is_an_error_not_a_silent_default(string field, string typo)
    {
        var text = File.ReadAllText(Path.Combine(Deploy.Directory, "daemonset.yaml"));
        Assert.Contains(field, text, StringComparison.Ordinal);
        var broken = text.Replace(field, typo, StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => Deploy.Parse(broken));

        // And without strictness the same typo is dropped without a word: that is what strict parsing guards against.
        var lax = Assert.IsType<V1DaemonSet>(Assert.Single(k8s.KubernetesYaml.LoadAllFromString(broken, strict: false)));
        Assert.NotNull(lax.Spec);
    }
}
