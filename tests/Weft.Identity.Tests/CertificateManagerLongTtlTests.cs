using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Weft.Tests.Shared;

namespace Weft.Identity.Tests;

/// <summary>
/// Certificates whose half-life is longer than a System.Threading timer can wait (about 49.7 days): the config allows
/// TTLs up to 366 days.
/// </summary>
public sealed class CertificateManagerLongTtlTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LongTtl = TimeSpan.FromDays(200);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_200_day_certificate_is_issued_with_the_system_clock_and_its_renewal_timer_armed()
    {
        var time = new RecordingTimeProvider(TimeProvider.System);
        using var ca = EmbeddedCertificateAuthority.LoadOrGenerate(_dir.Path, TimeProvider.System);
        using var manager = new CertificateManager(ca, new CertificateManagerOptions { CertificateTtl = LongTtl }, time);

        var cert = await manager.GetAsync(TestPki.Web).WaitAsync(Wait);

        Assert.True(cert.NotAfter > DateTimeOffset.UtcNow.AddDays(199));
        Assert.Same(cert, manager.TryGetCurrent(TestPki.Web));
        var armed = Assert.Single(time.DueTimes);
        Assert.InRange(armed, TimeSpan.FromHours(1), RecordingTimeProvider.SystemTimerLimit);
    }

    [Fact]
    public async Task A_200_day_certificate_is_renewed_at_half_life_through_capped_timers()
    {
        var fake = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var time = new RecordingTimeProvider(fake, systemLimits: true);
        using var embedded = EmbeddedCertificateAuthority.LoadOrGenerate(_dir.Path, fake);
        var ca = new ScriptedCa(embedded);
        using var manager = new CertificateManager(ca, new CertificateManagerOptions { CertificateTtl = LongTtl, RetryJitter = 0 }, time);
        var rotations = Channel.CreateUnbounded<CertificateRotatedEventArgs>();
        manager.Rotated += (_, e) => rotations.Writer.TryWrite(e);

        var first = await manager.GetAsync(TestPki.Web).WaitAsync(Wait);
        var renewAt = fake.GetUtcNow() + ((first.NotAfter - fake.GetUtcNow()) / 2);

        // A day at a time up to a minute before half-life: every capped timer fires and re-arms, none renews.
        while (renewAt - fake.GetUtcNow() > TimeSpan.FromDays(1))
        {
            fake.Advance(TimeSpan.FromDays(1));
        }

        fake.Advance(renewAt - fake.GetUtcNow() - TimeSpan.FromMinutes(1));
        await Task.Delay(50);
        Assert.Equal(1, ca.Calls);
        Assert.True(time.DueTimes.Count > 90, $"only {time.DueTimes.Count} timers were armed");

        fake.Advance(TimeSpan.FromMinutes(1));
        var rotation = await rotations.Reader.ReadAsync().AsTask().WaitAsync(Wait);

        Assert.Same(first, rotation.Previous);
        Assert.Equal(2, ca.Calls);
        Assert.All(time.DueTimes, d => Assert.True(d <= RecordingTimeProvider.SystemTimerLimit, $"a timer due in {d}"));
        Assert.True(await HostTools.EventuallyAsync(() => manager.TryGetCurrent(TestPki.Web) == rotation.Current, Wait));
    }
}
