using System.Net;

using Workbench.Torch;

namespace Workbench.Display;

/// <summary>Turns any value into a MIME bundle: rich types render themselves, the rest is text.</summary>
public static class Formatter
{
    /// <summary>
    /// Registers how values of <typeparamref name="T"/> show as <paramref name="mimeType"/>, as .NET Interactive's
    /// <c>Formatter.Register&lt;T&gt;(x => "...", "text/html")</c>; it takes precedence over the built-in formatting.
    /// </summary>
    public static void Register<T>(Func<T, string> formatter, string mimeType = MimeTypes.Html)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        FormatterRegistry.Register(typeof(T), mimeType, v => formatter((T)v));
    }

    /// <summary>.NET Interactive's writer form: <c>Formatter.Register&lt;T&gt;((x, writer) => writer.Write(...), "text/html")</c>.</summary>
    public static void Register<T>(Action<T, TextWriter> formatter, string mimeType = MimeTypes.Html)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        FormatterRegistry.Register(typeof(T), mimeType, v =>
        {
            using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            formatter((T)v, writer);
            return writer.ToString();
        });
    }

    /// <summary>Forgets every registered formatter.</summary>
    public static void ResetToDefault() => FormatterRegistry.Clear();

    public static IReadOnlyDictionary<string, string> ToMimeBundle(object? value) => value switch
    {
        null => new Dictionary<string, string> { [MimeTypes.PlainText] = "null" },
        _ when FormatterRegistry.For(value) is { } registered => Registered(value, registered),
        IMimeRenderable rich => WithPlainText(rich.ToMimeBundle(), rich),
        Tensor t => TextAndPre(t.ToString()),
        Plotly.NET.GenericChart chart => ChartMime.ToMimeBundle(chart),
        string s => new Dictionary<string, string> { [MimeTypes.PlainText] = s },
        _ => Default(value),
    };

    /// <summary>The bundle restricted to <paramref name="mimeTypes"/> (all of it when none are given), as .NET Interactive's Display("text/html").</summary>
    public static IReadOnlyDictionary<string, string> ToMimeBundle(object? value, IReadOnlyCollection<string> mimeTypes)
    {
        var bundle = ToMimeBundle(value);
        if (mimeTypes.Count == 0) return bundle;
        var chosen = new Dictionary<string, string>();
        foreach (var mime in mimeTypes)
        {
            if (bundle.TryGetValue(mime, out var text)) chosen[mime] = text;
            else if (mime == MimeTypes.Html) chosen[mime] = "<pre>" + WebUtility.HtmlEncode(bundle[MimeTypes.PlainText]) + "</pre>";
            else if (mime == MimeTypes.PlainText) chosen[mime] = ToText(value);
            else throw new ArgumentException($"no formatter produces {mime} for {value?.GetType().Name ?? "null"} (it has {string.Join(", ", bundle.Keys)})", nameof(mimeTypes));
        }
        return chosen;
    }

    private static Dictionary<string, string> Registered(object value, IReadOnlyDictionary<string, Func<object, string>> formatters)
    {
        var bundle = formatters.ToDictionary(kv => kv.Key, kv => kv.Value(value));
        bundle.TryAdd(MimeTypes.PlainText, ToText(value));
        return bundle;
    }

    /// <summary>Text, plus .NET Interactive's HTML tables for objects and collections (<see cref="ObjectHtml"/>).</summary>
    private static Dictionary<string, string> Default(object value)
    {
        var bundle = new Dictionary<string, string> { [MimeTypes.PlainText] = ToText(value) };
        if (ObjectHtml.ToHtml(value) is { } html) bundle[MimeTypes.Html] = html;
        return bundle;
    }

    /// <summary>Text for values whose ToString() is the type name: collections show their items.</summary>
    public static string ToText(object? value)
    {
        switch (value)
        {
            case null: return "null";
            case string s: return s;
            case bool b: return b ? "true" : "false";
            case System.Collections.IDictionary dict:
                {
                    var items = new List<string>();
                    foreach (System.Collections.DictionaryEntry e in dict)
                    {
                        if (items.Count == 100) { items.Add("..."); break; }
                        items.Add($"[{ToText(e.Key)}] = {ToText(e.Value)}");
                    }
                    return "{ " + string.Join(", ", items) + " }";
                }
            case System.Collections.IEnumerable seq when HasDefaultToString(value):
                {
                    var items = new List<string>();
                    foreach (var item in seq)
                    {
                        if (items.Count == 100) { items.Add("..."); break; }
                        items.Add(item is string str ? "\"" + str + "\"" : ToText(item));
                    }
                    return "[ " + string.Join(", ", items) + " ]";
                }
            default:
                return value.ToString() ?? "";
        }
    }

    /// <summary>Plain text plus an HTML &lt;pre&gt;, for long monospaced output such as tensors.</summary>
    public static Dictionary<string, string> TextAndPre(string text) => new()
    {
        [MimeTypes.PlainText] = text,
        [MimeTypes.Html] = "<pre>" + WebUtility.HtmlEncode(text) + "</pre>",
    };

    private static IReadOnlyDictionary<string, string> WithPlainText(IReadOnlyDictionary<string, string> bundle, object owner)
    {
        if (bundle.ContainsKey(MimeTypes.PlainText)) return bundle;
        var copy = new Dictionary<string, string>(bundle) { [MimeTypes.PlainText] = owner.ToString() ?? owner.GetType().Name };
        return copy;
    }

    private static bool HasDefaultToString(object value)
    {
        var method = value.GetType().GetMethod(nameof(ToString), Type.EmptyTypes);
        return method is null || method.DeclaringType == typeof(object);
    }
}
