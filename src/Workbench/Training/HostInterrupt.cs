namespace Workbench.Training;

/// <summary>
/// Lets a host stop a running <see cref="Trainer{TBatch}.Fit"/> without threading a token through user code: the
/// Jupyter kernel points <see cref="Requested"/> at its interrupt flag, so a notebook's interrupt button ends training
/// at the next step boundary with an "interrupted" checkpoint, as Ctrl-C does in the CLI. (Library loops are not
/// rewritten by the kernel the way cell code is, so without this a training cell would run to its end.)
/// </summary>
public static class HostInterrupt
{
    public static Func<bool> Requested { get; set; } = static () => false;
}
