using Workbench.Display;

namespace Workbench.Kernel;

/// <summary>Members every cell sees unqualified: the notebook's <c>display</c> and <c>clear_output</c>.</summary>
public class KernelGlobals
{
    /// <summary>Shows <paramref name="value"/> now; the returned handle's Update(...) replaces it in place.</summary>
    public DisplayHandle display(object? value) => Notebook.Display(value);

    /// <summary>Clears this cell's output (after the next output arrives when <paramref name="wait"/>).</summary>
    public void clear_output(bool wait = false) => Notebook.ClearOutput(wait);
}
