namespace Workbench.Torch;

public static partial class torch
{
    public static partial class distributed
    {
        /// <summary>
        /// A collective or rendezvous that failed: a peer died or closed its connection, a peer did not answer within the
        /// group's timeout, or the store could not be reached. The message says which operation, on which rank, and
        /// Gloo's or c10d's own reason (it names the peer's address).
        /// </summary>
        public sealed class DistributedException : Exception
        {
            public DistributedException(string message, Exception? inner = null) : base(message, inner) { }
        }
    }
}
