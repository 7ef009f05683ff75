"""Cross-checks Workbench's safetensors reader and writer against PyTorch.

  safetensors_reference.py OUT            writes OUT/python.safetensors (every dtype, odd shapes, special
                                          values) and OUT/expected.json (each tensor's raw bytes in hex)
  safetensors_reference.py OUT verify F   loads F (written by C#), checks every tensor bit for bit and the
                                          metadata, writes OUT/verify.txt; exits 1 on any mismatch
"""
import json
import struct
import sys

import torch

import safetensors_io

INTEGERS = {torch.int64: (-2**40, 2**40), torch.int32: (-2**31, 2**31 - 1), torch.int16: (-2**15, 2**15 - 1),
            torch.int8: (-128, 127), torch.uint8: (0, 255), torch.bool: (0, 2)}
FLOATS = [torch.float64, torch.float32, torch.float16, torch.bfloat16]
SPECIALS = [float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 1e-45, 1e-40, 6e-8, 3.0e38, -1.5]

# Tensors C# creates itself before saving; the verify step checks them against these definitions.
CSHARP_MADE = {
    "csharp.arange": torch.arange(24, dtype=torch.float64).reshape(2, 3, 4),
    "csharp.transposed": torch.arange(12, dtype=torch.int32).reshape(3, 4).t(),
}
CSHARP_METADATA = {"written_by": "Workbench", "note": "ünïcode ✓"}


def reference_tensors():
    g = torch.Generator().manual_seed(20240611)
    out = {}
    for dt in FLOATS + list(INTEGERS):
        name = str(dt).replace("torch.", "")
        if dt in INTEGERS:
            lo, hi = INTEGERS[dt]
            full = torch.randint(lo, hi, (2, 3, 5), generator=g, dtype=torch.int64).to(dt)
        else:
            full = (torch.randn(2, 3, 5, generator=g, dtype=torch.float64) * 100).to(dt)
        out[name + ".block"] = full
        out[name + ".scalar"] = full[1, 2, 3].clone()          # 0-dim
        out[name + ".empty"] = full[:0].clone()                 # shape [0, 3, 5]
        out[name + ".zero_middle"] = torch.empty(4, 0, 2, dtype=dt)
        out[name + ".one"] = full.reshape(-1)[:1].clone()       # shape [1]
    for dt in FLOATS:
        out[str(dt).replace("torch.", "") + ".specials"] = torch.tensor(SPECIALS, dtype=torch.float64).to(dt)
    out["ünïcode/名前 with spaces"] = torch.arange(3, dtype=torch.float32)
    return out


def raw_bytes(t):
    t = t.detach().contiguous()
    return (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()


def header_of(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n))


def write(out):
    tensors = reference_tensors()
    safetensors_io.save(f"{out}/python.safetensors", tensors, {"written_by": "PyTorch " + torch.__version__})
    expected = {k: {"dtype": safetensors_io.DTYPES[t.dtype], "shape": list(t.shape), "hex": raw_bytes(t).hex()} for k, t in tensors.items()}
    with open(f"{out}/expected.json", "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False)
    print(f"wrote {len(tensors)} tensors")


def verify(out, path):
    expected = dict(reference_tensors(), **CSHARP_MADE)
    loaded = safetensors_io.load(path)
    problems = []
    if set(loaded) != set(expected):
        problems.append(f"names differ: missing {sorted(set(expected) - set(loaded))}, extra {sorted(set(loaded) - set(expected))}")
    for name in sorted(set(loaded) & set(expected)):
        a, b = loaded[name], expected[name]
        if a.dtype != b.dtype or a.shape != b.shape or raw_bytes(a) != raw_bytes(b):
            problems.append(f"{name}: got {a.dtype} {list(a.shape)}, expected {b.dtype} {list(b.shape)} (or the bytes differ)")
    header = header_of(path)
    if header.get("__metadata__") != CSHARP_METADATA:
        problems.append(f"metadata {header.get('__metadata__')!r} != {CSHARP_METADATA!r}")
    report = "\n".join(problems) if problems else f"OK {len(loaded)} tensors"
    with open(f"{out}/verify.txt", "w", encoding="utf-8") as f:
        f.write(report)
    print(report)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[2] == "verify":
        verify(sys.argv[1], sys.argv[3])
    else:
        write(sys.argv[1])
