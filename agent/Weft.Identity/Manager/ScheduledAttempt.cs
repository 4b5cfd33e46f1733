namespace Weft.Identity;

/// <summary>
/// A renewal or retry due at <see cref="DueAt"/>, and whether its timer was armed for less than that (the delay was
/// capped), in which case the firing only re-arms.
/// </summary>
internal sealed record ScheduledAttempt(ManagedIdentity Entry, DateTimeOffset DueAt, bool Capped);
