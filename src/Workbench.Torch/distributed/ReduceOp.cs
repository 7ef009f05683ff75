namespace Workbench.Torch;

public static partial class torch
{
    public static partial class distributed
    {
        /// <summary>
        /// Reductions for all_reduce, numbered as c10d's ReduceOp::RedOpType. Gloo has no AVG of its own; all_reduce
        /// computes it as SUM then a division by the world size, as PyTorch's DDP does.
        /// </summary>
        public enum ReduceOp
        {
            SUM = 0,
            AVG = 1,
            PRODUCT = 2,
            MIN = 3,
            MAX = 4,
            BAND = 5,
            BOR = 6,
            BXOR = 7,
        }
    }
}
