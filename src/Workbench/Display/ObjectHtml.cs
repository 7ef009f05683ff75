using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace Workbench.Display;

/// <summary>
/// .NET Interactive's default HTML for values that have no formatter of their own: an object (class, record,
/// anonymous type, tuple) as a table of its public properties and fields, a sequence as a table with an index
/// column and one column per member of its items (or a "value" column for scalars), a dictionary keyed rows.
/// Nested values show as text. Sequences stop after <see cref="MaxItems"/> items.
/// </summary>
public static class ObjectHtml
{
    public const int MaxItems = 20;
    private const BindingFlags Instance = BindingFlags.Public | BindingFlags.Instance;

    /// <summary>True for values shown as text only: scalars, strings, enums, dates, types, delegates, exceptions.</summary>
    public static bool IsScalar(object? value) => value is null || IsScalarType(value.GetType());

    /// <summary>
    /// The HTML for <paramref name="value"/>, or null when text says it all: a scalar, or a class with a ToString of
    /// its own (an nn.Module prints its layers; a table of its properties would bury that). Records, anonymous
    /// objects and tuples print with compiler-written ToStrings and do get tables, as in .NET Interactive.
    /// </summary>
    public static string? ToHtml(object? value)
    {
        if (IsScalar(value) || !HasGeneratedOrDefaultToString(value!.GetType())) return null;
        return value switch
        {
            IDictionary dict => DictionaryTable(dict),
            IEnumerable seq => SequenceTable(seq),
            _ => ObjectTable(value!),
        };
    }

    private static bool HasGeneratedOrDefaultToString(Type t)
    {
        var toString = t.GetMethod(nameof(ToString), Type.EmptyTypes);
        if (toString is null || toString.DeclaringType == typeof(object) || toString.DeclaringType == typeof(ValueType)) return true;
        var declaring = toString.DeclaringType!;
        // Records (a compiler-written PrintMembers beside ToString), anonymous types, tuples.
        return declaring.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance, new[] { typeof(StringBuilder) }) is not null
            || declaring.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), inherit: false)
            || declaring.FullName?.StartsWith("System.ValueTuple", StringComparison.Ordinal) == true
            || declaring.FullName?.StartsWith("System.Tuple", StringComparison.Ordinal) == true
            || declaring.FullName?.StartsWith("System.Collections.", StringComparison.Ordinal) == true;
    }

    private static bool IsScalarType(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime) || t == typeof(DateTimeOffset)
        || t == typeof(TimeSpan) || t == typeof(Guid) || t == typeof(DateOnly) || t == typeof(TimeOnly) || t == typeof(Uri)
        || typeof(Type).IsAssignableFrom(t) || typeof(Delegate).IsAssignableFrom(t) || typeof(Exception).IsAssignableFrom(t)
        || typeof(MemberInfo).IsAssignableFrom(t) || t.IsPointer || Members(t).Length == 0 && !typeof(IEnumerable).IsAssignableFrom(t);

    private static string ObjectTable(object value)
    {
        var sb = new StringBuilder("<details open=\"open\" class=\"dni-treeview\"><summary><span class=\"dni-code-hint\"><code>")
            .Append(Encode(Formatter.ToText(value))).Append("</code></span></summary><div><table><thead><tr></tr></thead><tbody>");
        foreach (var member in Members(value.GetType()))
            sb.Append("<tr><td>").Append(Encode(member.Name)).Append("</td><td>").Append(Cell(Read(member, value))).Append("</td></tr>");
        return sb.Append("</tbody></table></div></details>").ToString();
    }

    private static string SequenceTable(IEnumerable seq)
    {
        var items = new List<object?>();
        var more = false;
        foreach (var item in seq)
        {
            if (items.Count == MaxItems) { more = true; break; }
            items.Add(item);
        }
        // Columns: the members of the items' common type (records of one kind are the usual case); scalars get "value".
        var types = items.Where(i => i is not null).Select(i => i!.GetType()).Distinct().ToList();
        var members = types.Count == 1 && !IsScalarType(types[0]) && !typeof(IEnumerable).IsAssignableFrom(types[0]) ? Members(types[0]) : Array.Empty<MemberInfo>();
        var sb = new StringBuilder("<table><thead><tr><th><i>index</i></th>");
        if (members.Length == 0) sb.Append("<th>value</th>");
        foreach (var m in members) sb.Append("<th>").Append(Encode(m.Name)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (var i = 0; i < items.Count; i++)
        {
            sb.Append("<tr><td>").Append(i.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            if (members.Length == 0) sb.Append("<td>").Append(Cell(items[i])).Append("</td>");
            foreach (var m in members) sb.Append("<td>").Append(Cell(Read(m, items[i]!))).Append("</td>");
            sb.Append("</tr>");
        }
        if (more) sb.Append("<tr><td colspan=\"").Append((members.Length == 0 ? 2 : members.Length + 1).ToString(CultureInfo.InvariantCulture)).Append("\"><i>(more)</i></td></tr>");
        return sb.Append("</tbody></table>").ToString();
    }

    private static string DictionaryTable(IDictionary dict)
    {
        var sb = new StringBuilder("<table><thead><tr><th><i>key</i></th><th>value</th></tr></thead><tbody>");
        var n = 0;
        foreach (DictionaryEntry e in dict)
        {
            if (n++ == MaxItems) { sb.Append("<tr><td colspan=\"2\"><i>(more)</i></td></tr>"); break; }
            sb.Append("<tr><td>").Append(Cell(e.Key)).Append("</td><td>").Append(Cell(e.Value)).Append("</td></tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }

    private static string Cell(object? value) => "<div class=\"dni-plaintext\"><pre>" + Encode(SafeText(value)) + "</pre></div>";

    private static string SafeText(object? value)
    {
        try { return Formatter.ToText(value); }
#pragma warning disable CA1031 // a property's ToString() may throw; the table still shows the rest
        catch (Exception e) { return $"({e.GetType().Name}: {e.Message})"; }
#pragma warning restore CA1031
    }

    private static object? Read(MemberInfo member, object target)
    {
        try { return member is PropertyInfo p ? p.GetValue(target) : ((FieldInfo)member).GetValue(target); }
        catch (TargetInvocationException e) { return $"({e.InnerException?.GetType().Name ?? "error"}: {e.InnerException?.Message})"; }
    }

    private static MemberInfo[] Members(Type t) =>
        t.GetProperties(Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.GetMethod!.IsPublic && p.Name != "EqualityContract")
            .Cast<MemberInfo>()
            .Concat(t.GetFields(Instance))
            .ToArray();

    private static string Encode(string s) => WebUtility.HtmlEncode(s);
}
