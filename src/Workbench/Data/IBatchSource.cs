namespace Workbench.Data;

/// <summary>Batches of one epoch in a reproducible order, resumable from a dataset position (a DataLoader).</summary>
public interface IBatchSource<TBatch>
{
    IEnumerable<(TBatch Batch, int EndPosition)> Iterate(int epochNumber, int startPosition);
}
