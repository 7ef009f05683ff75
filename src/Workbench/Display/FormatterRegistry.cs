using System.Collections.Concurrent;

namespace Workbench.Display;

/// <summary>
/// Formatters registered from a notebook (.NET Interactive's <c>Formatter.Register&lt;T&gt;(...)</c>): for a type and a
/// MIME type, a function that writes the value. The most derived registered type of a value wins.
/// </summary>
internal static class FormatterRegistry
{
    private static readonly ConcurrentDictionary<Type, ConcurrentDictionary<string, Func<object, string>>> Formatters = new();

    public static void Register(Type type, string mimeType, Func<object, string> format) =>
        Formatters.GetOrAdd(type, _ => new ConcurrentDictionary<string, Func<object, string>>())[mimeType] = format;

    public static void Clear() => Formatters.Clear();

    /// <summary>The registered formatters that apply to <paramref name="value"/>, or null.</summary>
    public static IReadOnlyDictionary<string, Func<object, string>>? For(object value)
    {
        if (Formatters.IsEmpty) return null;
        for (var t = value.GetType(); t is not null; t = t.BaseType)
            if (Formatters.TryGetValue(t, out var byMime)) return byMime;
        foreach (var i in value.GetType().GetInterfaces())
            if (Formatters.TryGetValue(i, out var byMime)) return byMime;
        return null;
    }
}
