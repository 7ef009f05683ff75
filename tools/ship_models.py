#!/usr/bin/python3
"""Copies trained weights into models/ (the weights the CLI uses when --model is not given).

    /usr/bin/python3 tools/ship_models.py [--runs runs] [--only FILE [--source WEIGHTS]]

The ESPCN comes from the quickstart's run; the colorizer from the runs that models/MODEL_CARD.md describes (its
first network's run is named below; `workbench evaluate tune-colorizer A --ensemble-with B` makes the ensemble and
chooses its decoding, and --source ships that output).

The ESPCN stays float32 (it is tiny); the colorizer's float32 tensors are stored as float16, which halves
the file (loading converts back to float32, as PyTorch's load_state_dict does). Metadata is kept, plus
where the weights came from. Then update models/MODEL_CARD.md with the quickstart's printed numbers.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPPED = {
    # file in models/: (run folder under --runs, weights file in it, store float32 as float16)
    "espcn-x2.safetensors": ("quickstart-espcn-x2", "generator.safetensors", False),
    "colorizer.safetensors": ("rf-a", "generator.safetensors", True),
}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    return header, data[8 + n:]


def write(path, header, chunks):
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def ship(source, target, half, note):
    header, body = read(source)
    metadata = header.pop("__metadata__", {})
    metadata["workbench.shipped_from"] = note
    out, chunks, offset = {"__metadata__": metadata}, [], 0
    for name in sorted(header):
        info = header[name]
        begin, end = info["data_offsets"]
        raw, dtype = body[begin:end], info["dtype"]
        if half and dtype == "F32":
            raw, dtype = np.frombuffer(raw, dtype="<f4").astype("<f2").tobytes(), "F16"
        out[name] = {"dtype": dtype, "shape": info["shape"], "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    write(target, out, chunks)
    print(f"{source} -> {target} ({os.path.getsize(target) / 1e6:.1f} MB{', float16' if half else ''})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", default=os.path.join(ROOT, "runs"))
    parser.add_argument("--only", choices=sorted(SHIPPED), help="ship this file only")
    parser.add_argument("--source", help="with --only: ship this weights file instead of the run's (e.g. a tune-colorizer output)")
    args = parser.parse_args()
    if args.source and not args.only:
        sys.exit("error: --source needs --only")
    for name, (run, weights, half) in SHIPPED.items():
        if args.only and name != args.only:
            continue
        source = args.source or os.path.join(args.runs, run, weights)
        if not os.path.exists(source):
            sys.exit(f"error: {source} not found; train it first (see models/MODEL_CARD.md)")
        note = f"{run}/{weights}" + (f", decoding re-tuned ({os.path.basename(source)})" if args.source else "")
        ship(source, os.path.join(ROOT, "models", name), half, note)


if __name__ == "__main__":
    main()
