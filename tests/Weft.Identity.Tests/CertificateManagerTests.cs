using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Weft.Tests.Shared;

namespace Weft.Identity.Tests;

public sealed class CertificateManagerTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly SpiffeId Other = SpiffeId.Parse("spiffe://cluster.local/ns/shop/sa/db");

    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly EmbeddedCertificateAuthority _embedded;
    private readonly ScriptedCa _ca;
    private readonly CertificateManager _manager;
    private readonly Channel<CertificateIssueFailedEventArgs> _failures = Channel.CreateUnbounded<CertificateIssueFailedEventArgs>();
    private readonly Channel<CertificateRotatedEventArgs> _rotations = Channel.CreateUnbounded<CertificateRotatedEventArgs>();

    public CertificateManagerTests()
    {
        _embedded = EmbeddedCertificateAuthority.LoadOrGenerate(_dir.Path, _time);
        _ca = new ScriptedCa(_embedded);
        _manager = new CertificateManager(_ca, new CertificateManagerOptions { RetryJitter = 0 }, _time);
        _manager.IssueFailed += (_, e) => _failures.Writer.TryWrite(e);
        _manager.Rotated += (_, e) => _rotations.Writer.TryWrite(e);
    }

    public void Dispose()
    {
        _manager.Dispose();
        _embedded.Dispose();
        _dir.Dispose();
    }

    private async Task<CertificateIssueFailedEventArgs> NextFailure() => await _failures.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    private async Task<CertificateRotatedEventArgs> NextRotation() => await _rotations.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    [Fact]
    public async Task Workload_certificate_holds_key_chain_bundle_and_identity()
    {
        var cert = await _manager.GetAsync(TestPki.Web);

        Assert.Equal(TestPki.Web, cert.Identity);
        Assert.True(cert.Certificate.HasPrivateKey);
        Assert.Equal(256, cert.Certificate.GetECDsaPrivateKey()!.KeySize);
        Assert.Equal(_embedded.Root.Thumbprint, Assert.Single(cert.TrustBundle).Thumbprint);
        Assert.Empty(cert.Intermediates);
        Assert.Equal(_time.GetUtcNow().AddHours(24).UtcDateTime, cert.NotAfter.UtcDateTime, TimeSpan.FromSeconds(1));
        Assert.NotNull(cert.CertificateContext);
        Assert.Same(cert, _manager.TryGetCurrent(TestPki.Web));
        Assert.Same(cert, await _manager.GetAsync(TestPki.Web));
        Assert.Equal(1, _ca.Calls);
    }

    [Fact]
    public async Task Concurrent_callers_for_one_identity_share_one_request()
    {
        _ca.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, 50).Select(_ => Task.Run(() => _manager.GetAsync(TestPki.Web))).ToArray();
        var other = _manager.GetAsync(Other);
        Assert.True(await HostTools.EventuallyAsync(() => _ca.Calls == 2, Wait));
        await Task.Delay(50);
        _ca.Gate.SetResult();

        var certs = await Task.WhenAll(callers);
        Assert.All(certs, c => Assert.Same(certs[0], c));
        Assert.Equal(Other, (await other).Identity);
        Assert.Equal(2, _ca.Calls);
    }

    [Fact]
    public async Task Renews_at_half_life_backs_off_on_failure_keeps_the_old_certificate_and_announces_the_rotation()
    {
        var first = await _manager.GetAsync(TestPki.Web);
        var issuedAt = _time.GetUtcNow();

        _time.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.Equal(1, _ca.Calls);

        // Half-life reached while the CA is down: retries at 1 s, 2 s, 4 s, ... the old certificate serves meanwhile.
        _ca.Fail = true;
        _time.Advance(TimeSpan.FromSeconds(1));
        var expectedDelays = new[] { 1, 2, 4, 8, 16 };
        for (var i = 0; i < expectedDelays.Length; i++)
        {
            var failure = await NextFailure();
            Assert.Equal(i + 1, failure.Attempt);
            Assert.Equal(_time.GetUtcNow().AddSeconds(expectedDelays[i]), failure.RetryAt);
            Assert.Same(first, failure.Current);
            Assert.Contains("scripted outage", failure.Error.Message, StringComparison.Ordinal);
            Assert.Same(first, await _manager.GetAsync(TestPki.Web));
            Assert.Equal(i + 2, _ca.Calls);

            // Nothing happens a moment before the retry is due.
            _time.Advance(TimeSpan.FromSeconds(expectedDelays[i]) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(20);
            Assert.Equal(i + 2, _ca.Calls);
            if (i == expectedDelays.Length - 1)
            {
                _ca.Fail = false;
            }

            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var rotation = await NextRotation();
        Assert.Same(first, rotation.Previous);
        Assert.Equal(TestPki.Web, rotation.Identity);
        Assert.NotEqual(first.Certificate.SerialNumber, rotation.Current.Certificate.SerialNumber);
        Assert.NotEqual(first.Certificate.PublicKey.ExportSubjectPublicKeyInfo(), rotation.Current.Certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Same(rotation.Current, await _manager.GetAsync(TestPki.Web));
        Assert.True(rotation.Current.NotAfter > issuedAt.AddHours(36));

        // Next renewal: half of the new certificate's life (the fake clock's timers have millisecond resolution).
        var renewedAt = _time.GetUtcNow();
        var halfLife = (rotation.Current.NotAfter - renewedAt) / 2;
        _time.Advance(halfLife - TimeSpan.FromMilliseconds(2));
        await Task.Delay(50);
        Assert.Equal(7, _ca.Calls);
        _time.Advance(TimeSpan.FromMilliseconds(3));
        var next = await NextRotation();
        Assert.Same(rotation.Current, next.Previous);
    }

    [Fact]
    public void Backoff_doubles_from_one_second_to_at_most_150_with_jitter_below_the_cap()
    {
        var options = new CertificateManagerOptions();
        var delays = Enumerable.Range(1, 11).Select(n => RetryBackoff.Delay(n, options, 0).TotalSeconds);
        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 150, 150, 150], delays);
        Assert.Equal(150, RetryBackoff.Delay(1000, options, 0).TotalSeconds);
        Assert.InRange(RetryBackoff.Delay(9, options, 0.999).TotalSeconds, 120, 150);
        Assert.InRange(RetryBackoff.Delay(1, options, 0.5).TotalSeconds, 0.8, 1);
    }

    [Fact]
    public async Task Without_a_valid_certificate_callers_get_the_ca_error()
    {
        _ca.Fail = true;
        var e = await Assert.ThrowsAsync<CertificateAuthorityException>(() => _manager.GetAsync(TestPki.Web));
        Assert.Equal("scripted outage", e.Message);
        await NextFailure();

        // During the backoff: fail at once with the cause, without asking the CA again.
        e = await Assert.ThrowsAsync<CertificateAuthorityException>(() => _manager.GetAsync(TestPki.Web));
        Assert.Contains("scripted outage", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, _ca.Calls);

        _ca.Fail = false;
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await HostTools.EventuallyAsync(() => _manager.TryGetCurrent(TestPki.Web) is not null, Wait));
        Assert.False(_rotations.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Expired_certificate_is_not_served_while_the_ca_stays_down()
    {
        var cert = await _manager.GetAsync(TestPki.Web);
        _ca.Fail = true;
        _time.Advance(TimeSpan.FromHours(12));
        await NextFailure();
        _time.Advance(cert.NotAfter - _time.GetUtcNow());
        await NextFailure();

        Assert.Null(_manager.TryGetCurrent(TestPki.Web));
        await Assert.ThrowsAsync<CertificateAuthorityException>(() => _manager.GetAsync(TestPki.Web));
    }

    [Fact]
    public async Task Prefetch_obtains_certificates_before_first_use_and_forget_stops_renewal()
    {
        _manager.Prefetch([TestPki.Web, Other, TestPki.Web]);
        Assert.True(await HostTools.EventuallyAsync(
            () => _manager.TryGetCurrent(TestPki.Web) is not null && _manager.TryGetCurrent(Other) is not null, Wait));
        Assert.Equal(2, _ca.Calls);
        await _manager.GetAsync(TestPki.Web);
        _manager.Prefetch([TestPki.Web]);
        await Task.Delay(20);
        Assert.Equal(2, _ca.Calls);

        Assert.True(_manager.Forget(Other));
        Assert.False(_manager.Forget(Other));
        Assert.Equal([TestPki.Web], _manager.Identities);
        Assert.Null(_manager.TryGetCurrent(Other));

        _time.Advance(TimeSpan.FromHours(12));
        Assert.Equal(TestPki.Web, (await NextRotation()).Identity);
        await Task.Delay(50);
        Assert.Equal(3, _ca.Calls);

        // Asked for again, a forgotten identity is requested anew.
        await _manager.GetAsync(Other);
        Assert.Equal(4, _ca.Calls);
    }

    [Fact]
    public async Task Forget_cancels_a_request_in_flight()
    {
        _ca.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = _manager.GetAsync(TestPki.Web);
        Assert.True(await HostTools.EventuallyAsync(() => _ca.Calls == 1, Wait));
        _manager.Forget(TestPki.Web);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Wait));
        Assert.Empty(_manager.Identities);
    }

    [Fact]
    public async Task A_caller_can_give_up_waiting_without_cancelling_the_shared_request()
    {
        _ca.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();
        var impatient = _manager.GetAsync(TestPki.Web, cts.Token);
        var patient = _manager.GetAsync(TestPki.Web);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        _ca.Gate.SetResult();
        Assert.Equal(TestPki.Web, (await patient.WaitAsync(Wait)).Identity);
        Assert.Equal(1, _ca.Calls);
    }

    [Fact]
    public async Task A_throwing_rotation_handler_does_not_stop_renewal()
    {
        _manager.Rotated += (_, _) => throw new InvalidOperationException("handler bug");
        await _manager.GetAsync(TestPki.Web);
        _time.Advance(TimeSpan.FromHours(12));
        var rotation = await NextRotation();
        Assert.Same(rotation.Current, await _manager.GetAsync(TestPki.Web));
    }
}
