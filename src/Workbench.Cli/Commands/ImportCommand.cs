using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;

using Workbench.Models;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Cli.Commands;

/// <summary>
/// <c>workbench import FILE.pth -o FILE.safetensors</c>: a published PyTorch checkpoint converted into our weights file,
/// with the architecture the registry recognised (or <c>--arch</c> named), its hyperparameters, and the source file's
/// name and SHA-256 in the metadata. <c>--list</c> prints the keys, dtypes and shapes without converting.
/// </summary>
internal static class ImportCommand
{
    private static readonly Argument<string> Input = new("checkpoint") { Description = "A PyTorch checkpoint (.pth/.pt, zip or legacy) or a safetensors file" };
    private static readonly Option<string?> Out = new("--out", "-o") { Description = "The .safetensors file to write" };
    private static readonly Option<string?> Arch = new("--arch") { Description = $"The architecture, where the keys do not tell it ({string.Join(", ", ModelRegistry.Names())})" };
    private static readonly Option<long?> Scale = new("--scale") { Description = "Super-resolution scale, where the weights do not tell it" };
    private static readonly Option<bool> List = new("--list") { Description = "Print the keys, dtypes and shapes, and what the registry recognises; write nothing" };

    public static Command Create()
    {
        var command = new Command("import", "Convert a PyTorch checkpoint (.pth) into a Workbench weights file (.safetensors) that records its architecture");
        command.Arguments.Add(Input);
        foreach (var option in new Option[] { Out, Arch, Scale, List }) command.Options.Add(option);
        command.SetGuardedAction(parse =>
        {
            var input = parse.GetValue(Input)!;
            using var scope = torch.NewDisposeScope();
            var (tensors, metadata) = WeightsFile.Read(input);
            if (parse.GetValue(List))
            {
                PrintList(tensors, metadata);
                return 0;
            }
            var output = parse.GetValue(Out) ?? throw new ArgumentException("say where to write the weights with -o FILE.safetensors (or use --list)");
            var (entry, layout, hyperparameters) = ModelRegistry.Resolve(input, tensors, ModelRegistry.Normalise(metadata), parse.GetValue(Arch));
            if (parse.GetValue(Scale) is { } scale) hyperparameters["scale"] = scale.ToString(CultureInfo.InvariantCulture);
            if (layout is null && entry.Layouts.Count == 0)
                throw new ArgumentException($"'{entry.Name}' has no published key layout registered, so a checkpoint cannot say its hyperparameters; " +
                    "load it in a notebook with the network built by hand");
            if (layout is null)
            {
                var fits = ModelRegistry.Recognise(tensors).Select(r => r.Entry.Name).ToList();
                throw new ArgumentException($"'{input}' fits none of {entry.Name}'s key layouts ({string.Join("; ", entry.Layouts.Select(l => l.Name))})" +
                    (fits.Count > 0 ? $"; it fits {string.Join(", ", fits)}" : "; --list shows its keys"));
            }
            // Built and loaded strictly before anything is written: the file always holds weights that fit the network.
            using var model = entry.Build(hyperparameters);
            model.load_state_dict(layout.Convert(tensors));
            var provenance = new Dictionary<string, string>
            {
                ["source"] = Path.GetFileName(input),
                ["source_sha256"] = Sha256(input),
                ["source_layout"] = layout.Name,
                ["imported_by"] = "workbench import",
            };
            SafeTensors.Save(output, model.state_dict(), ModelRegistry.Metadata(entry.Name, hyperparameters, extra: provenance));
            var parameters = model.parameters().Sum(p => p.numel());
            Console.WriteLine($"{input}: {entry.Name} ({entry.Description}; layout: {provenance["source_layout"]}), {parameters:N0} parameters");
            foreach (var (k, v) in hyperparameters.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Console.WriteLine($"  {k} = {v}");
            Console.WriteLine($"wrote {output}");
            return 0;
        });
        return command;
    }

    private static void PrintList(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var width = tensors.Keys.Select(k => k.Length).DefaultIfEmpty(4).Max();
        foreach (var (name, t) in tensors)
            Console.WriteLine($"{name.PadRight(width)}  {t.dtype.ToString().ToLowerInvariant(),-8}  [{string.Join(", ", t.shape)}]");
        Console.WriteLine($"{tensors.Count} tensor(s), {tensors.Values.Sum(t => t.numel()):N0} values");
        foreach (var (k, v) in metadata) Console.WriteLine($"metadata {k} = {(v.Length > 120 ? v[..120] + "…" : v)}");
        var recognised = ModelRegistry.Recognise(tensors);
        Console.WriteLine(recognised.Count == 0
            ? "recognised as: none of the registered layouts (name the architecture with --arch)"
            : "recognised as: " + string.Join("; ", recognised.Select(r => $"{r.Entry.Name} ({r.Layout.Name})")));
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
