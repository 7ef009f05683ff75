using System.Net;
using System.Net.Sockets;

namespace Workbench.Cli;

/// <summary>
/// Serves a folder on localhost for `workbench export web --serve`: GET and HEAD of files under it, with the MIME
/// types browsers insist on (application/wasm for streaming compilation, text/javascript for modules) and COOP
/// same-origin + COEP require-corp, which make the page cross-origin isolated so that WASM threads can start.
/// </summary>
internal sealed class StaticWebServer : IDisposable
{
    private static readonly Dictionary<string, string> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript; charset=utf-8", [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8", [".json"] = "application/json", [".wasm"] = "application/wasm",
        [".onnx"] = "application/octet-stream", [".png"] = "image/png", [".jpg"] = "image/jpeg", [".svg"] = "image/svg+xml",
        [".txt"] = "text/plain; charset=utf-8", [""] = "text/plain; charset=utf-8",
    };

    private readonly string root;
    private readonly HttpListener listener = new();

    /// <param name="port">0: any free port.</param>
    public StaticWebServer(string folder, int port)
    {
        root = Path.GetFullPath(folder);
        Port = port == 0 ? FreePort() : port;
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Answers requests until <paramref name="cancel"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        using var stop = cancel.Register(listener.Stop);
        while (!cancel.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (cancel.IsCancellationRequested) { break; }
            _ = Task.Run(() => Answer(context), CancellationToken.None);
        }
    }

    private async Task Answer(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            response.Headers["Cross-Origin-Opener-Policy"] = "same-origin";
            response.Headers["Cross-Origin-Embedder-Policy"] = "require-corp";
            response.Headers["Cross-Origin-Resource-Policy"] = "same-origin";
            response.Headers["X-Content-Type-Options"] = "nosniff";
            response.Headers["Cache-Control"] = "no-cache";
            var method = context.Request.HttpMethod;
            if (method is not ("GET" or "HEAD"))
            {
                response.StatusCode = 405;
                return;
            }
            var path = Resolve(context.Request.Url?.AbsolutePath ?? "/");
            if (path is null || !File.Exists(path))
            {
                response.StatusCode = 404;
                return;
            }
            response.ContentType = Types.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            await using var file = File.OpenRead(path);
            response.ContentLength64 = file.Length;
            if (method == "GET") await file.CopyToAsync(response.OutputStream).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpListenerException or UnauthorizedAccessException)
        {
            // The browser went away mid-answer, or the file vanished: nothing to tell it.
        }
        finally
        {
            try { response.Close(); } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { }
        }
    }

    /// <summary>The file a URL path names under the root (index.html for a folder); null for anything outside it.</summary>
    private string? Resolve(string urlPath)
    {
        var relative = Uri.UnescapeDataString(urlPath).TrimStart('/');
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (full != root && !full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return null;
        return Directory.Exists(full) ? Path.Combine(full, "index.html") : full;
    }

    public void Dispose() => listener.Close();
}
