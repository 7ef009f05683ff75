namespace Workbench.Inference;

/// <summary>A folder of images upscaled one file at a time, by whichever pipeline <c>one</c> runs.</summary>
internal static class UpscaleBatch
{
    /// <summary>
    /// Plans the folder as <see cref="Upscaler.PlanFolder"/> does (same relative paths), refuses the whole batch when
    /// the plan has problems, then runs <paramref name="one"/> per file; a failing file is reported in its entry and
    /// the batch goes on.
    /// </summary>
    public static IReadOnlyList<UpscaleFolderEntry> Run(string inputFolder, string outputFolder, Func<string, string, UpscaleFileResult> one,
        Action<UpscaleFolderEntry>? progress, CancellationToken cancel, bool overwrite)
    {
        var plan = Upscaler.PlanFolder(inputFolder, outputFolder);
        if (plan.Problems(overwrite) is { Count: > 0 } problems) throw new IOException(string.Join("; ", problems));
        var entries = new List<UpscaleFolderEntry>();
        foreach (var (file, target, _) in plan.Items)
        {
            cancel.ThrowIfCancellationRequested();
            UpscaleFolderEntry entry;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
                entry = new UpscaleFolderEntry(file, target, one(file, target), null);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                entry = new UpscaleFolderEntry(file, target, null, e);
            }
            entries.Add(entry);
            progress?.Invoke(entry);
        }
        return entries;
    }
}
