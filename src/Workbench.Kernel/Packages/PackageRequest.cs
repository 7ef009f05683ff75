namespace Workbench.Kernel.Packages;

/// <summary>
/// One <c>#r "nuget: Name[, Version]"</c> as .NET Interactive reads it: the version is a NuGet version or range
/// (<c>1.2.3</c> means "1.2.3 or the nearest above", <c>1.2.*</c> floats, <c>[1.0,2.0)</c> is a range); none means the
/// latest stable version (<c>*</c>).
/// </summary>
public sealed record PackageRequest(string Name, string? Version)
{
    private const string Scheme = "nuget:";

    /// <summary>The version as written in a PackageReference (<c>*</c> when none was given).</summary>
    public string VersionOrLatest => Version ?? "*";

    public override string ToString() => Version is null ? Name : $"{Name}, {Version}";

    /// <summary>Parses the text inside the quotes of <c>#r "nuget: ..."</c>; null when it is not a nuget reference.</summary>
    public static PackageRequest? Parse(string reference)
    {
        var text = reference.Trim();
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var parts = text[Scheme.Length..].Split(',', 2, StringSplitOptions.TrimEntries);
        if (parts[0].Length == 0 || parts[0].Any(char.IsWhiteSpace))
            throw new FormatException($"'#r \"{reference}\"': expected #r \"nuget: Name\" or #r \"nuget: Name, Version\"");
        var version = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null;
        return new PackageRequest(parts[0], version);
    }

    /// <summary>The source of <c>#i "nuget: SOURCE"</c> (a feed URL or a local folder); null when not a nuget source.</summary>
    public static string? ParseSource(string reference)
    {
        var text = reference.Trim();
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var source = text[Scheme.Length..].Trim();
        return source.Length == 0 ? throw new FormatException("'#i \"nuget:\"' needs a source: #i \"nuget: https://...\" or #i \"nuget: /path/to/folder\"") : source;
    }
}
