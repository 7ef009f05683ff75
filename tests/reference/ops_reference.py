"""Expected results for the tensor binding's op parity suite (tests/Workbench.Torch.Tests/OpsParityTests.cs).

  ops_reference.py OUT    writes OUT/ops.safetensors with, for each case NAME:
                            NAME/in0, NAME/in1, ...     the seeded inputs
                            NAME/out0, NAME/out1, ...   the op's outputs
                            NAME/g0, ...                a random weight per differentiable output
                            NAME/grad0, ...             d sum(out_k * g_k) / d in_i, for each floating input
                          and the ordered case names in the metadata entry "cases" (a JSON list).

Each row of CASES is (name, inputs, op). C# runs the op of the same name on the loaded inputs and compares.
Every floating input requires grad; only outputs that carry a grad_fn get a weight g, so a case whose
outputs have none (comparisons, argmax, integer math) saves no gradients.
"""
import json
import sys
import zlib

import torch
import torch.nn.functional as F

import safetensors_io


# ---- input makers: each takes a torch.Generator ------------------------------------------
def randn(*s, dtype=torch.float32): return lambda g: torch.randn(*s, generator=g, dtype=torch.float64).to(dtype)
def pos(*s): return lambda g: torch.rand(*s, generator=g) + 0.5           # for log, sqrt, 1/x
def unit(*s): return lambda g: torch.rand(*s, generator=g) * 1.8 - 0.9    # for asin, acos, tan
def prob(*s): return lambda g: torch.rand(*s, generator=g) * 0.9 + 0.05   # for logit
def small(*s): return lambda g: torch.randint(-3, 4, s, generator=g).float()  # ties for comparisons
def ints(lo, hi, *s, dtype=torch.int64): return lambda g: torch.randint(lo, hi, s, generator=g).to(dtype)
def mask(*s): return lambda g: torch.rand(*s, generator=g) > 0.5
def const(t): return lambda g: t.clone()


SPECIALS = const(torch.tensor([float("nan"), float("inf"), float("-inf"), 0.0, -0.0, 1.5, -2.0]))
ROW_PERM = const(torch.tensor([[2, 0, 1, 3], [1, 3, 0, 2], [0, 1, 2, 3]]))


def no_grad_inside(x):
    with torch.no_grad():
        y = x * 2
    return x * y


def second_derivative(x):
    (dx,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    return dx * x  # d/dx (3x^2 * x): needs the graph of the first gradient


def gradient_penalty(x, w):
    critic = torch.tanh(x @ w).sum()
    (gx,) = torch.autograd.grad(critic, x, create_graph=True)
    return ((gx.norm(2, dim=1) - 1) ** 2).mean()


def put_slice(x, v):
    y = x.clone()
    y[1:3, 0] = v
    return y


def put_mask(x, m):
    y = x.clone()
    y[m] = 0.5
    return y


def put_index(x, v):
    y = x.clone()
    y[torch.tensor([0, 2])] = v
    return y


CASES = [
    # -- unary elementwise
    ("neg", [randn(3, 4)], lambda x: -x),
    ("abs", [randn(3, 4)], torch.abs),
    ("exp", [randn(3, 4)], torch.exp),
    ("expm1", [randn(3, 4)], torch.expm1),
    ("log", [pos(3, 4)], torch.log),
    ("log1p", [pos(3, 4)], torch.log1p),
    ("log2", [pos(3, 4)], torch.log2),
    ("log10", [pos(3, 4)], torch.log10),
    ("sqrt", [pos(3, 4)], torch.sqrt),
    ("rsqrt", [pos(3, 4)], torch.rsqrt),
    ("sin", [randn(3, 4)], torch.sin),
    ("cos", [randn(3, 4)], torch.cos),
    ("tan", [unit(3, 4)], torch.tan),
    ("tanh", [randn(3, 4)], torch.tanh),
    ("sigmoid", [randn(3, 4)], torch.sigmoid),
    ("relu", [randn(3, 4)], torch.relu),
    ("floor", [randn(3, 4)], torch.floor),
    ("ceil", [randn(3, 4)], torch.ceil),
    ("round", [randn(3, 4)], torch.round),
    ("trunc", [randn(3, 4)], torch.trunc),
    ("frac", [randn(3, 4)], torch.frac),
    ("sign", [randn(3, 4)], torch.sign),
    ("reciprocal", [pos(3, 4)], torch.reciprocal),
    ("square", [randn(3, 4)], torch.square),
    ("erf", [randn(3, 4)], torch.erf),
    ("asin", [unit(3, 4)], torch.asin),
    ("acos", [unit(3, 4)], torch.acos),
    ("atan", [randn(3, 4)], torch.atan),
    ("sinh", [randn(3, 4)], torch.sinh),
    ("cosh", [randn(3, 4)], torch.cosh),
    ("logit", [prob(3, 4)], torch.logit),
    ("softplus", [randn(3, 4)], lambda x: F.softplus(x * 5, beta=2, threshold=10)),
    ("leaky_relu", [randn(3, 4)], lambda x: F.leaky_relu(x, 0.1)),
    ("silu", [randn(3, 4)], F.silu),
    ("gelu", [randn(3, 4)], F.gelu),
    ("isnan", [SPECIALS], torch.isnan),
    ("isinf", [SPECIALS], torch.isinf),
    ("isfinite", [SPECIALS], torch.isfinite),
    # -- binary elementwise, broadcasting, scalars and operators
    ("add_alpha", [randn(3, 4), randn(3, 4)], lambda x, y: torch.add(x, y, alpha=2)),
    ("sub_alpha", [randn(3, 4), randn(3, 4)], lambda x, y: torch.sub(x, y, alpha=0.5)),
    ("mul", [randn(3, 4), randn(3, 4)], lambda x, y: x * y),
    ("div", [randn(3, 4), pos(3, 4)], lambda x, y: x / y),
    ("add_broadcast", [randn(3, 4), randn(4)], lambda x, y: x + y),
    ("mul_broadcast", [randn(2, 1, 4), randn(3, 1)], lambda x, y: x * y),
    ("pow_tensor", [pos(3, 4), randn(3, 4)], torch.pow),
    ("remainder", [randn(3, 4), pos(3, 4)], torch.remainder),
    ("fmod", [randn(3, 4), pos(3, 4)], torch.fmod),
    ("maximum", [randn(3, 4), randn(3, 4)], torch.maximum),
    ("minimum", [randn(3, 4), randn(3, 4)], torch.minimum),
    ("atan2", [randn(3, 4), randn(3, 4)], torch.atan2),
    ("div_floor", [randn(3, 4), pos(3, 4)], lambda x, y: torch.div(x * 3, y, rounding_mode="floor")),
    ("div_trunc", [randn(3, 4), pos(3, 4)], lambda x, y: torch.div(x * 3, y, rounding_mode="trunc")),
    ("add_scalar", [randn(3, 4)], lambda x: x + 2.5),
    ("rsub_scalar", [randn(3, 4)], lambda x: 2.5 - x),
    ("mul_scalar", [randn(3, 4)], lambda x: x * -3),
    ("div_scalar", [randn(3, 4)], lambda x: x / 4),
    ("rdiv_scalar", [pos(3, 4)], lambda x: 3 / x),
    ("pow_scalar", [randn(3, 4)], lambda x: x ** 3),
    ("rpow_scalar", [randn(3, 4)], lambda x: torch.pow(2, x)),
    ("remainder_scalar", [randn(3, 4)], lambda x: x % 1.5),
    ("fmod_scalar", [randn(3, 4)], lambda x: torch.fmod(x, 1.5)),
    # -- comparisons, logic, selection
    ("eq", [small(3, 4), small(3, 4)], torch.eq),
    ("ne", [small(3, 4), small(3, 4)], torch.ne),
    ("lt", [small(3, 4), small(3, 4)], lambda x, y: x < y),
    ("le", [small(3, 4), small(3, 4)], lambda x, y: x <= y),
    ("gt", [small(3, 4), small(3, 4)], lambda x, y: x > y),
    ("ge", [small(3, 4), small(3, 4)], lambda x, y: x >= y),
    ("eq_scalar", [small(3, 4)], lambda x: x == 1),
    ("lt_scalar", [small(3, 4)], lambda x: x < 0.5),
    ("ge_scalar", [small(3, 4)], lambda x: x >= -1),
    ("logical_ops", [mask(3, 4), mask(3, 4)], lambda a, b: (a & b, a | b, a ^ b, ~a)),
    ("bitwise_ops", [ints(0, 64, 3, 4), ints(0, 64, 3, 4)], lambda a, b: (a & b, a | b, a ^ b)),
    ("where", [randn(3, 4), randn(3, 4)], lambda x, y: torch.where(x > 0, x, y)),
    ("clamp", [randn(3, 4)], lambda x: x.clamp(-0.5, 0.5)),
    ("clamp_min", [randn(3, 4)], lambda x: x.clamp(min=0)),
    ("clamp_max", [randn(3, 4)], lambda x: x.clamp(max=0.2)),
    ("masked_fill", [randn(3, 4), mask(3, 4)], lambda x, m: x.masked_fill(m, 0.5)),
    ("masked_select", [randn(3, 4), mask(3, 4)], torch.masked_select),
    ("lerp", [randn(3, 4), randn(3, 4)], lambda x, y: torch.lerp(x, y, 0.3)),
    ("addcmul", [randn(3, 4), randn(3, 4), randn(3, 4)], lambda x, y, z: torch.addcmul(x, y, z, value=0.5)),
    ("addcdiv", [randn(3, 4), randn(3, 4), pos(3, 4)], lambda x, y, z: torch.addcdiv(x, y, z, value=0.5)),
    # -- reductions
    ("sum", [randn(2, 3, 4)], torch.sum),
    ("sum_dims_keepdim", [randn(2, 3, 4)], lambda x: x.sum(dim=(0, 2), keepdim=True)),
    ("sum_dtype", [randn(2, 3, 4)], lambda x: x.sum(dim=1, dtype=torch.float64)),
    ("mean", [randn(2, 3, 4)], torch.mean),
    ("mean_dim", [randn(2, 3, 4)], lambda x: x.mean(dim=1, keepdim=True)),
    ("var", [randn(2, 3, 4)], torch.var),
    ("var_dim_biased", [randn(2, 3, 4)], lambda x: x.var(dim=1, unbiased=False)),
    ("std_dims", [randn(2, 3, 4)], lambda x: x.std(dim=(0, 2), keepdim=True)),
    ("max_all", [randn(3, 4)], torch.max),
    ("min_all", [randn(3, 4)], torch.min),
    ("max_dim", [randn(3, 4)], lambda x: tuple(x.max(dim=1))),
    ("min_dim_keepdim", [randn(3, 4)], lambda x: tuple(x.min(dim=0, keepdim=True))),
    ("argmax", [randn(3, 4)], torch.argmax),
    ("argmax_dim", [randn(3, 4)], lambda x: x.argmax(dim=1, keepdim=True)),
    ("argmin_dim", [randn(3, 4)], lambda x: x.argmin(dim=0)),
    ("amax", [randn(2, 3, 4)], lambda x: x.amax(dim=(0, 2))),
    ("amin", [randn(2, 3, 4)], lambda x: x.amin(dim=1, keepdim=True)),
    ("norm", [randn(3, 4)], torch.norm),
    ("norm_p1_dim", [randn(3, 4)], lambda x: x.norm(p=1, dim=1)),
    ("norm_p3_dims", [randn(2, 3, 4)], lambda x: x.norm(p=3, dim=(0, 1), keepdim=True)),
    ("logsumexp", [randn(3, 4)], lambda x: x.logsumexp(dim=1)),
    ("cumsum", [randn(3, 4)], lambda x: x.cumsum(dim=1)),
    ("prod", [pos(3, 4)], torch.prod),
    ("prod_dim", [pos(3, 4)], lambda x: x.prod(dim=1, keepdim=True)),
    ("all_any", [mask(3, 4)], lambda m: (m.all(), m.any(), (m | True).all())),
    ("count_nonzero", [small(3, 4)], torch.count_nonzero),
    ("sort", [randn(3, 5)], lambda x: tuple(x.sort(dim=1, descending=True))),
    ("topk", [randn(3, 5)], lambda x: tuple(x.topk(2, dim=1))),
    # -- shapes
    ("reshape", [randn(3, 4)], lambda x: x.reshape(2, 6)),
    ("view_infer", [randn(3, 4)], lambda x: x.view(2, -1)),
    ("permute", [randn(2, 3, 4)], lambda x: x.permute(2, 0, 1)),
    ("transpose", [randn(2, 3, 4)], lambda x: x.transpose(0, 2)),
    ("t", [randn(3, 4)], lambda x: x.t()),
    ("squeeze", [randn(3, 1, 4, 1)], torch.squeeze),
    ("squeeze_dim", [randn(3, 1, 4, 1)], lambda x: x.squeeze(1)),
    ("unsqueeze", [randn(3, 4)], lambda x: x.unsqueeze(1)),
    ("expand", [randn(3, 1, 4)], lambda x: x.expand(3, 2, 4)),
    ("repeat", [randn(2, 3)], lambda x: x.repeat(2, 1, 3)),
    ("flatten", [randn(2, 3, 4)], lambda x: x.flatten(1)),
    ("unflatten", [randn(3, 4)], lambda x: x.unflatten(1, (2, 2))),
    ("narrow", [randn(3, 5)], lambda x: x.narrow(1, 1, 3)),
    ("select", [randn(3, 5)], lambda x: x.select(1, 2)),
    ("slice_step", [randn(3, 7)], lambda x: x[:, 1:6:2]),
    ("index_select", [randn(4, 3), const(torch.tensor([3, 0, 3]))], lambda x, i: x.index_select(0, i)),
    ("gather", [randn(3, 4), ints(0, 4, 3, 5)], lambda x, i: x.gather(1, i)),
    ("scatter", [randn(3, 4), ROW_PERM, randn(3, 4)], lambda x, i, s: x.scatter(1, i, s)),
    ("flip", [randn(3, 4)], lambda x: x.flip(0, 1)),
    ("roll", [randn(3, 4)], lambda x: x.roll(1, 1)),
    ("roll_dims", [randn(3, 4)], lambda x: x.roll((1, -2), (0, 1))),
    ("tril_triu", [randn(4, 4)], lambda x: (x.tril(), x.triu(1))),
    ("cat", [randn(3, 2), randn(3, 4)], lambda x, y: torch.cat([x, y], dim=1)),
    ("stack", [randn(3, 4), randn(3, 4)], lambda x, y: torch.stack([x, y], dim=1)),
    ("split", [randn(3, 5)], lambda x: x.split(2, dim=1)),
    ("split_sizes", [randn(3, 5)], lambda x: x.split([1, 4], dim=1)),
    ("chunk", [randn(5, 2)], lambda x: x.chunk(3, dim=0)),
    ("unbind", [randn(3, 2)], lambda x: x.unbind(1)),
    ("expand_as_contiguous", [randn(1, 4), randn(3, 4)], lambda x, y: x.expand_as(y).t().contiguous() * y.t()),
    # -- indexing
    ("index_int", [randn(3, 4)], lambda x: x[1]),
    ("index_negative_range", [randn(3, 4)], lambda x: x[-1, 1:-1]),
    ("index_range_step", [randn(5, 6)], lambda x: x[1:4, ::2]),
    ("index_from_end", [randn(5, 6)], lambda x: x[-2:, :-4]),
    ("index_empty_tail", [randn(3, 4)], lambda x: x[3:]),
    ("index_none", [randn(3, 4)], lambda x: x[None, :, 1]),
    ("index_ellipsis", [randn(2, 3, 4)], lambda x: x[..., 0]),
    ("index_mask", [randn(3, 4), mask(3, 4)], lambda x, m: x[m]),
    ("index_tensor", [randn(4, 3), const(torch.tensor([3, 1, 1]))], lambda x, i: x[i]),
    ("index_tensor_and_slice", [randn(4, 3), const(torch.tensor([2, 0]))], lambda x, i: x[:, i][1:]),
    ("index_tensor_pair", [randn(4, 3), const(torch.tensor([0, 3])), const(torch.tensor([2, 1]))], lambda x, i, j: x[i, j]),
    ("index_put_slice", [randn(4, 3), randn(2)], put_slice),
    ("index_put_mask", [randn(3, 4), mask(3, 4)], put_mask),
    ("index_put_tensor", [randn(4, 3), randn(3)], put_index),
    # -- linear algebra
    ("matmul", [randn(3, 4), randn(4, 5)], torch.matmul),
    ("matmul_batched_broadcast", [randn(2, 3, 4), randn(4, 5)], torch.matmul),
    ("matmul_vector", [randn(4), randn(4, 5)], torch.matmul),
    ("mm", [randn(3, 4), randn(4, 5)], torch.mm),
    ("bmm", [randn(2, 3, 4), randn(2, 4, 5)], torch.bmm),
    ("dot", [randn(4), randn(4)], torch.dot),
    ("outer", [randn(3), randn(4)], torch.outer),
    ("einsum_batched", [randn(2, 3, 4), randn(2, 4, 5)], lambda x, y: torch.einsum("bij,bjk->bik", x, y)),
    ("einsum_rowdot", [randn(3, 4), randn(3, 4)], lambda x, y: torch.einsum("ij,ij->i", x, y)),
    ("addmm", [randn(3, 5), randn(3, 4), randn(4, 5)], lambda b, x, y: torch.addmm(b, x, y, beta=0.5, alpha=2)),
    # -- autograd behaviour
    ("detach", [randn(3, 4)], lambda x: x * x.detach()),
    ("no_grad_inside", [randn(3, 4)], no_grad_inside),
    ("second_derivative", [randn(3, 4)], second_derivative),
    ("gradient_penalty", [randn(4, 3), randn(3, 2)], gradient_penalty),
    # -- dtypes
    ("f64_ops", [randn(3, 4, dtype=torch.float64), randn(4, 2, dtype=torch.float64)], lambda x, y: (x @ y).sigmoid().sum(dim=0)),
    ("i64_arith", [ints(-50, 50, 3, 4), ints(1, 7, 3, 4)], lambda a, b: (a + b, a * 3, a - b, a % b, torch.div(a, b, rounding_mode="floor"), a // 3)),
    ("i64_true_div", [ints(-50, 50, 3, 4), ints(1, 7, 3, 4)], lambda a, b: a / b),
    ("i64_reduce", [ints(-50, 50, 3, 4)], lambda a: (a.sum(), a.sum(dim=1), a.max(), a.argmax(dim=0), a.cumsum(dim=1), a.prod(dim=1))),
    ("i64_clamp", [ints(-50, 50, 3, 4)], lambda a: a.clamp(-10, 20)),
    ("i64_to_float", [ints(-50, 50, 3, 4)], lambda a: a.float()),
    ("bool_ops", [mask(3, 4)], lambda m: (m.sum(), m.float(), m.long(), m.to(torch.uint8))),
    ("u8_wrap", [ints(0, 256, 3, 4, dtype=torch.uint8), ints(0, 256, 3, 4, dtype=torch.uint8)], lambda a, b: (a + b, a * 2, a - b)),
    ("u8_to_float", [ints(0, 256, 3, 4, dtype=torch.uint8)], lambda a: a.float() / 255),
    ("promote_int_float", [ints(-5, 5, 3, 4), randn(3, 4)], lambda a, x: (a + x, a * 2.5, a.float() * x)),
    ("to_f16", [randn(3, 4)], lambda x: (x * 100).half()),
    ("to_bf16", [randn(3, 4)], lambda x: (x * 100).bfloat16()),
    ("f16_roundtrip", [randn(3, 4, dtype=torch.float16)], lambda h: (h.float() * 3, h + h, h.to(torch.float64))),
    ("bf16_roundtrip", [randn(3, 4, dtype=torch.bfloat16)], lambda h: (h.float() * 3, h + h, h.to(torch.float64))),
    ("float_to_int", [randn(3, 4)], lambda x: ((x * 10).long(), (x * 10).int(), (x * 10).to(torch.int16), (x * 30).to(torch.int8), x > 0)),
]


def run_case(name, makers, op):
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    inputs = [make(g) for make in makers]
    live = [t.clone().requires_grad_() if t.is_floating_point() else t for t in inputs]
    outs = op(*live)
    outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
    saved = {f"{name}/in{i}": t for i, t in enumerate(inputs)}
    saved.update({f"{name}/out{k}": o.detach() for k, o in enumerate(outs)})
    weighted = [(k, o) for k, o in enumerate(outs) if o.requires_grad]
    if weighted:
        loss = 0
        for k, o in weighted:
            w = torch.randn(o.shape, generator=g, dtype=torch.float64).to(o.dtype)
            saved[f"{name}/g{k}"] = w
            loss = loss + (o * w).sum()
        loss.backward()
        for i, t in enumerate(live):
            if t.requires_grad:
                saved[f"{name}/grad{i}"] = t.grad if t.grad is not None else torch.zeros_like(t)
    return saved


def main(out):
    names = [c[0] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case names"
    tensors = {}
    for name, makers, op in CASES:
        tensors.update(run_case(name, makers, op))
    safetensors_io.save(f"{out}/ops.safetensors", tensors, {"cases": json.dumps(names), "torch": torch.__version__})
    print(f"{len(CASES)} cases, {len(tensors)} tensors")


if __name__ == "__main__":
    main(sys.argv[1])
