namespace Weft.Policy;

/// <summary>What an <see cref="AuthorizationPolicy"/> does with the connections its rules match.</summary>
public enum PolicyAction
{
    /// <summary>Allow matching connections; once any ALLOW policy applies to a workload, everything else is denied.</summary>
    Allow,

    /// <summary>Deny matching connections; beats every ALLOW.</summary>
    Deny,
}
