using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Workbench.Torch;

public static partial class torch
{
    public static partial class distributed
    {
        /// <summary>
        /// Which address a rank's Gloo device binds and advertises to its peers. Gloo (as PyTorch) takes the address
        /// the hostname resolves to; on machines whose /etc/hosts maps the hostname to 127.0.0.1 that address is
        /// advertised to the other nodes, which then connect to themselves ("connect [127.0.0.1]:N: Connection
        /// refused"). So whenever the rendezvous host is not a loopback address, the interface that routes to it is
        /// used: the address the other nodes reach this one by, if they reach the rendezvous host the same way.
        /// (.NET's own resolver adds the interfaces' addresses to the hostname's, so it cannot tell what Gloo's
        /// getaddrinfo will answer; choosing by route does not depend on it.) GLOO_SOCKET_IFNAME always wins.
        /// </summary>
        internal static class GlooDevice
        {
            /// <summary>
            /// The address to give Gloo (null: its own choice) and a line saying what was chosen (null when nothing
            /// needed choosing). Fails at once, saying what to set, when no interface reaches <paramref name="masterHost"/>.
            /// </summary>
            public static (string? Address, string? Note) Choose(string? masterHost)
            {
                var fromEnvironment = System.Environment.GetEnvironmentVariable("GLOO_SOCKET_IFNAME");
                if (!string.IsNullOrEmpty(fromEnvironment)) return (null, $"Gloo: interface {fromEnvironment} (GLOO_SOCKET_IFNAME)");
                if (masterHost is null || Resolve(masterHost) is not { Length: > 0 } master || master.All(IPAddress.IsLoopback)) return (null, null);
                var local = RouteTo(master[0]);
                if (local is null || IPAddress.IsLoopback(local))
                    throw new DistributedException($"no network interface of this machine routes to the rendezvous host {masterHost}, so the other nodes " +
                        "could not be told an address to reach this one by; set GLOO_SOCKET_IFNAME to the interface that reaches them (ip -br addr lists them)");
                var name = NetworkInterface.GetAllNetworkInterfaces()
                    .FirstOrDefault(n => n.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(local)))?.Name ?? "?";
                return (local.ToString(), $"Gloo: using interface {name} ({local}), the route to {masterHost}, rather than the address " +
                    $"hostname '{Dns.GetHostName()}' resolves to (GLOO_SOCKET_IFNAME overrides)");
            }

            /// <summary>This machine's address on the route to <paramref name="target"/>: a UDP socket's connect sends nothing, it only routes.</summary>
            private static IPAddress? RouteTo(IPAddress target)
            {
                try
                {
                    using var probe = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                    probe.Connect(new IPEndPoint(target, 9));
                    return (probe.LocalEndPoint as IPEndPoint)?.Address;
                }
                catch (SocketException)
                {
                    return null;
                }
            }

            internal static IPAddress[]? Resolve(string host)
            {
                try
                {
                    return IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
                }
                catch (SocketException)
                {
                    return null;
                }
            }
        }
    }
}
