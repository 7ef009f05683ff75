using System.Globalization;
using System.Text;

namespace Workbench.Training.Callbacks;

/// <summary>Keeps every step's losses in memory and writes &lt;run&gt;/losses.csv (for plots and reports).</summary>
public sealed class LossHistory : Callback
{
    private readonly List<(long step, string phase, string name, double value)> rows = new();

    public override int Order => Orders.Log;

    public IReadOnlyList<(long Step, string Phase, string Name, double Value)> Rows => rows;

    /// <summary>The (step, value) series of one loss.</summary>
    public IReadOnlyList<(long Step, double Value)> Series(string name) =>
        rows.Where(r => r.name == name).Select(r => (r.step, r.value)).ToList();

    public IEnumerable<string> Names => rows.Select(r => r.name).Distinct();

    /// <summary>Adds values that are not step losses (validation metrics) to the same history.</summary>
    public void Record(long step, string phase, string name, double value) => rows.Add((step, phase, name, value));

    /// <summary>The file a run's history is written to.</summary>
    public static string CsvPath(string runDirectory) => Path.Combine(runDirectory, "losses.csv");

    /// <summary>The rows of a losses.csv written by <see cref="AfterFit"/> (malformed lines skipped).</summary>
    public static IEnumerable<(long Step, string Phase, string Name, double Value)> ReadCsv(string path)
    {
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var p = line.Split(',');
            if (p.Length == 4 && long.TryParse(p[0], CultureInfo.InvariantCulture, out var step) && double.TryParse(p[3], CultureInfo.InvariantCulture, out var value))
                yield return (step, p[1], p[2], value);
        }
    }

    /// <summary>A resumed run keeps the rows the interrupted run wrote up to the resume step (later ones are redone).</summary>
    public override void BeforeFit(TrainingState state)
    {
        var csv = CsvPath(state.RunDirectory);
        if (state.GlobalStep == 0 || rows.Count > 0 || !File.Exists(csv)) return;
        rows.AddRange(ReadCsv(csv).Where(r => r.Step <= state.GlobalStep));
    }

    public override void AfterStep(TrainingState state)
    {
        foreach (var (name, value) in state.LastStep!.Losses) rows.Add((state.GlobalStep, state.Phase.Name, name, value));
    }

    public override void AfterFit(TrainingState state)
    {
        var csv = new StringBuilder("step,phase,name,value\n");
        foreach (var (step, phase, name, value) in rows)
            csv.Append(CultureInfo.InvariantCulture, $"{step},{phase},{name},{value:R}\n");
        Torch.Serialization.AtomicFile.WriteAllText(CsvPath(state.RunDirectory), csv.ToString());
    }
}
