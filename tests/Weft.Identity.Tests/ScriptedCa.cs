namespace Weft.Identity.Tests;

/// <summary>Wraps a real CA: counts calls, can fail, and can hold requests until released.</summary>
internal sealed class ScriptedCa(ICertificateAuthorityClient inner) : ICertificateAuthorityClient
{
    private int _calls;

    public volatile bool Fail;

    public TaskCompletionSource? Gate { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public async Task<IssuedChain> SignAsync(SpiffeId id, byte[] csrDer, TimeSpan ttl, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(ct);
        }

        if (Fail)
        {
            throw new CertificateAuthorityException("scripted outage");
        }

        return await inner.SignAsync(id, csrDer, ttl, ct);
    }
}
