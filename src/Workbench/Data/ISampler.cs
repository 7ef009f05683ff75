namespace Workbench.Data;

/// <summary>
/// The dataset indices one epoch visits, in order, as torch.utils.data.Sampler. The loader passes its epoch number,
/// so an order is a pure function of (sampler, epoch): the same on every rank and after a resume.
/// </summary>
public interface ISampler
{
    /// <summary>Indices per epoch.</summary>
    int Count { get; }

    int[] Indices(int epoch);
}
