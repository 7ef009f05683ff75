using System.Text;

namespace Workbench.Kernel.Interpreter;

/// <summary>Console.Out/Error for cells: text goes to the running (or last) cell's sink, else to the real console.</summary>
internal sealed class SinkWriter(Func<ICellSink?> sink, string stream, TextWriter fallback) : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write(value.ToString());

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        if (sink() is { } target) target.WriteStream(stream, value);
        else fallback.Write(value);
    }

    public override void WriteLine(string? value) => Write(value + NewLine);

    public override void Flush()
    {
        if (sink() is null) fallback.Flush();
    }
}

/// <summary>Console.In for cells: a line read asks the front end (input_request) through the sink.</summary>
internal sealed class SinkReader(Func<ICellSink?> sink, TextReader fallback) : TextReader
{
    private string? pending;
    private int position;

    public override string? ReadLine()
    {
        if (pending is not null && position < pending.Length)
        {
            var rest = pending[position..].TrimEnd('\n');
            pending = null;
            return rest;
        }
        return sink() is { } target ? target.ReadInput("", password: false) : fallback.ReadLine();
    }

    public override int Read()
    {
        var c = Peek();
        if (c >= 0) position++;
        return c;
    }

    public override int Peek()
    {
        if (pending is null || position >= pending.Length)
        {
            var line = ReadLine();
            if (line is null) return -1;
            pending = line + "\n";
            position = 0;
        }
        return position < pending.Length ? pending[position] : -1;
    }
}
