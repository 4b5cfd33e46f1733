// Every test here builds network namespaces and runs a real agent; on 2 cores they are
// steadier one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
