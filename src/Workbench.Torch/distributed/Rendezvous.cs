namespace Workbench.Torch;

public static partial class torch
{
    public static partial class distributed
    {
        /// <summary>
        /// Turns an init_method URL into a store, a rank and a world size, as torch.distributed.rendezvous does:
        /// <c>tcp://host:port</c> (rank 0 serves a TCPStore), <c>file:///path</c> (a FileStore) and <c>env://</c>
        /// (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, as torchrun sets them). Explicit rank and world size win over
        /// the URL's query (<c>?rank=0&amp;world_size=2</c>) and the environment.
        /// </summary>
        internal static class Rendezvous
        {
            /// <summary>
            /// The rendezvous host an init_method names (null for file://, or where it names none), without connecting:
            /// the Gloo device is chosen by the route to it, and a machine with no route fails before it waits.
            /// </summary>
            public static string? Host(string initMethod)
            {
                if (initMethod.StartsWith("env://", StringComparison.Ordinal)) return System.Environment.GetEnvironmentVariable("MASTER_ADDR") is { Length: > 0 } a ? a : null;
                if (!initMethod.StartsWith("tcp://", StringComparison.Ordinal)) return null;
                var rest = initMethod["tcp://".Length..];
                ParseQuery(ref rest);
                var colon = rest.TrimEnd('/').LastIndexOf(':');
                return colon > 0 ? rest[..colon].Trim('[', ']') : null;
            }

            public static (Store store, int rank, int worldSize) Connect(string initMethod, int rank, int worldSize, TimeSpan timeout)
            {
                var colon = initMethod.IndexOf("://", StringComparison.Ordinal);
                if (colon < 0) throw new ArgumentException($"init_method must be a URL (tcp://host:port, file:///path or env://), got '{initMethod}'");
                var scheme = initMethod[..colon];
                var rest = initMethod[(colon + 3)..];
                var query = ParseQuery(ref rest);
                if (rank < 0 && query.TryGetValue("rank", out var r)) rank = int.Parse(r);
                if (worldSize < 0 && query.TryGetValue("world_size", out var w)) worldSize = int.Parse(w);
                switch (scheme)
                {
                    case "tcp":
                    {
                        Require(rank >= 0, "tcp:// rendezvous: rank parameter missing");
                        Require(worldSize >= 0, "tcp:// rendezvous: world size parameter missing");
                        var (host, port) = HostPort(rest, "tcp://");
                        return (CreateTcpStore(host, port, rank, worldSize, timeout), rank, worldSize);
                    }
                    case "env":
                    {
                        if (rank < 0) rank = int.Parse(Env("RANK"));
                        if (worldSize < 0) worldSize = int.Parse(Env("WORLD_SIZE"));
                        var host = Env("MASTER_ADDR");
                        var port = int.Parse(Env("MASTER_PORT"));
                        return (CreateTcpStore(host, port, rank, worldSize, timeout), rank, worldSize);
                    }
                    case "file":
                    {
                        Require(rest.Length > 0, "file:// rendezvous: path missing");
                        Require(rank >= 0, "file:// rendezvous: rank parameter missing");
                        Require(worldSize >= 0, "file:// rendezvous: world size parameter missing");
                        return (new FileStore(rest, worldSize), rank, worldSize);
                    }
                    default:
                        throw new ArgumentException($"No rendezvous handler for {scheme}:// (known: tcp://, file://, env://)");
                }
            }

            /// <summary>As PyTorch's _create_c10d_store: rank 0 serves, multi-tenant so a test can host several groups on one port.</summary>
            private static TCPStore CreateTcpStore(string host, int port, int rank, int worldSize, TimeSpan timeout) =>
                new(host, port, worldSize, is_master: rank == 0, timeout: timeout, multi_tenant: true);

            private static Dictionary<string, string> ParseQuery(ref string rest)
            {
                var q = rest.IndexOf('?');
                var result = new Dictionary<string, string>();
                if (q < 0) return result;
                foreach (var pair in rest[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=');
                    if (eq > 0) result[pair[..eq]] = Uri.UnescapeDataString(pair[(eq + 1)..]);
                }
                rest = rest[..q];
                return result;
            }

            private static (string host, int port) HostPort(string hostPort, string scheme)
            {
                hostPort = hostPort.TrimEnd('/');
                var colon = hostPort.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], out var port))
                    throw new ArgumentException($"{scheme} rendezvous: port number missing in '{hostPort}'");
                return (hostPort[..colon].Trim('[', ']'), port);
            }

            private static string Env(string name)
            {
                var value = System.Environment.GetEnvironmentVariable(name);
                return string.IsNullOrEmpty(value) ? throw new ArgumentException($"env:// rendezvous: environment variable {name} expected, but not set") : value;
            }

            private static void Require(bool condition, string message)
            {
                if (!condition) throw new ArgumentException(message);
            }
        }
    }
}
