namespace Workbench.Kernel.Packages;

/// <summary>
/// Packages that exist only to plug a library into .NET Interactive's kernel. Here the library itself is
/// restored and Workbench's formatters show its values, so the notebook's <c>#r</c> line works unchanged.
/// </summary>
public static class PackageAliases
{
    // Plotly.NET.Interactive N registers Plotly.NET N's charts with .NET Interactive's formatter (and needs
    // .NET Interactive's FSharp.Core); our formatter renders GenericChart directly.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Plotly.NET.Interactive"] = "Plotly.NET",
    };

    /// <summary>The request to restore instead, and a note for the user; the request itself when it has no alias.</summary>
    public static (PackageRequest Request, string? Note) Resolve(PackageRequest request) =>
        Aliases.TryGetValue(request.Name, out var target)
            ? (request with { Name = target }, $"{request.Name} is a .NET Interactive extension; Workbench renders {target} values itself, so {target}{(request.Version is null ? "" : ", " + request.Version)} is restored instead")
            : (request, null);
}
