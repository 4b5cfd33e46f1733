namespace Weft.Workloads;

/// <summary>Whether a workload is in the mesh, which rule decided it, and a sentence for logs.</summary>
public readonly record struct Enrolment(bool IsEnrolled, EnrolmentRule Rule, string Description)
{
    public override string ToString() => Description;
}
