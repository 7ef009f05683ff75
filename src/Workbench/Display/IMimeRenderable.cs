namespace Workbench.Display;

/// <summary>
/// An object that knows how to show itself in a notebook: a MIME bundle such as
/// <c>{"text/plain": ..., "text/html": ...}</c>. Keys ending in "json" carry JSON text, binary types
/// (image/png) carry base64. Always include "text/plain" so every front end can show something.
/// </summary>
public interface IMimeRenderable
{
    IReadOnlyDictionary<string, string> ToMimeBundle();
}
