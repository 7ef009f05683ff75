namespace Workbench.Data;

/// <summary>A write that would replace an existing file when overwriting was not asked for; the file is left untouched.</summary>
public sealed class OutputExistsException(string path)
    : IOException($"'{path}' already exists; it was left as it is (pass --overwrite to replace it)")
{
    public string Path { get; } = path;
}
