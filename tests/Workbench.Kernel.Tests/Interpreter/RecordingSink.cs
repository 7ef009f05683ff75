using System.Text;

using Workbench.Kernel.Interpreter;

namespace Workbench.Kernel.Tests.Interpreter;

/// <summary>Collects a cell's outputs; signals when the first console text arrives (the cell is running).</summary>
internal sealed class RecordingSink : ICellSink
{
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();

    public ManualResetEventSlim Started { get; } = new();

    public List<(IReadOnlyDictionary<string, string> Bundle, string Id, bool Update)> Displays { get; } = new();

    public string Stdout
    {
        get { lock (this.stdout) return this.stdout.ToString(); }
    }

    public string Stderr
    {
        get { lock (this.stdout) return this.stderr.ToString(); }
    }

    public int Clears { get; private set; }

    public void WriteStream(string name, string text)
    {
        lock (this.stdout) (name == "stdout" ? this.stdout : this.stderr).Append(text);
        Started.Set();
    }

    public void Publish(IReadOnlyDictionary<string, string> bundle, string displayId, bool update)
    {
        lock (this.stdout) Displays.Add((bundle, displayId, update));
    }

    public void ClearOutput(bool wait) => Clears++;

    public string ReadInput(string prompt, bool password) => "input line";
}
