"""Writes PyTorch checkpoints (torch.save, both formats) for Workbench's safe checkpoint reader, and hostile pickles.

  write_torch_checkpoints.py OUT     writes OUT/*.pt|*.pth and OUT/expected.json

expected.json:
  "files": {file name: {"format": "zip"|"legacy",
                        "top": {key: tensor spec}          every tensor directly under the root dict,
                        "state_dict": {name: tensor spec}  what LoadStateDict must return (null: must refuse),
                        "metadata": {...} | absent         the root OrderedDict's _metadata, where there is one}}
  "hostile": {file name: {"callable": "module.name" the reader must name, "marker": path that must never appear}}
A tensor spec is {"dtype": "float32", "shape": [..], "sha256": hash of its contiguous little-endian bytes}.

Every legitimate file is also loaded back here with torch.load (weights_only=True where 1.13 can) and compared, so
the expectations are what PyTorch itself reads. The hostile files are never loaded by this script.
"""
import collections
import copy
import functools
import hashlib
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import zipfile

import torch
from torch import nn

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001


def raw_bytes(t):
    t = t.detach().contiguous()
    return (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()


def spec(t):
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "sha256": hashlib.sha256(raw_bytes(t)).hexdigest()}


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and raw_bytes(a) == raw_bytes(b)


def small_net():
    torch.manual_seed(5)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 2, 1, bias=False))
    net.train()
    net(torch.randn(2, 3, 5, 5))  # running stats and num_batches_tracked move away from their defaults
    return net


def dtype_zoo():
    g = torch.Generator().manual_seed(20240611)
    out = {}
    for dt in [torch.float32, torch.float16, torch.bfloat16, torch.float64]:
        out[str(dt).replace("torch.", "")] = (torch.randn(3, 4, generator=g, dtype=torch.float64) * 100).to(dt)
    out["specials"] = torch.tensor([float("nan"), float("inf"), float("-inf"), -0.0, 1e-45, 3e38], dtype=torch.float32)
    out["int64"] = torch.randint(-2**40, 2**40, (5,), generator=g, dtype=torch.int64)
    out["int32"] = torch.randint(-2**31, 2**31 - 1, (2, 3), generator=g, dtype=torch.int64).to(torch.int32)
    out["int16"] = torch.randint(-2**15, 2**15 - 1, (4,), generator=g, dtype=torch.int64).to(torch.int16)
    out["int8"] = torch.randint(-128, 127, (4,), generator=g, dtype=torch.int64).to(torch.int8)
    out["uint8"] = torch.randint(0, 256, (2, 2, 3), generator=g, dtype=torch.int64).to(torch.uint8)
    out["bool"] = torch.tensor([True, False, True])
    out["scalar"] = torch.tensor(2.5)
    out["empty"] = torch.zeros(0, 3)
    return out


def views():
    t = torch.arange(20, dtype=torch.float32)
    h = torch.arange(30, dtype=torch.float16)
    return {"a": t[2:10], "b": t.view(4, 5).t(), "c": t, "d": t.view(4, 5)[1:3, ::2], "e": t[19:],
            "h": h[1::3], "hb": h.view(5, 6)[:, 2:4].t()}


def nested():
    t = torch.arange(6, dtype=torch.int64).view(2, 3)
    return {"t": t, "list": [1, 2.5, "x", None, True, False, (1, "two")], "bytes": b"\x00\xffab", "no_bytes": b"", "big": 2**70, "neg": -5,
            "neg_big": -2**65, "float": -0.125, "unicode": "ünïcode ✓", "set": {3, 4}, "frozen": frozenset({"q"}),
            "nested": {"a": {"b": [t, t[1]]}, 7: "int key", (1, 2): "tuple key"}, "size": t.shape, "dtype": torch.float16}


def save(obj, path, legacy=False, protocol=2):
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy, pickle_protocol=protocol)


# ---- handcrafted legacy stream: storage views (view_metadata), which PyTorch >= 1.0 no longer writes ----------
class _Storage:
    def __init__(self, key, storage_type, numel, view=None):
        self.key, self.storage_type, self.numel, self.view = key, storage_type, numel, view


class _Tensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict())

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, self.args)


class _LegacyPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ("storage", obj.storage_type, obj.key, "cpu", obj.numel, obj.view)
        return None


def write_legacy_by_hand(path, obj, storages):
    """storages: [(key, bytes, element_size)] in file order."""
    with open(path, "wb") as f:
        pickle.dump(MAGIC_NUMBER, f, protocol=2)
        pickle.dump(PROTOCOL_VERSION, f, protocol=2)
        pickle.dump(dict(protocol_version=PROTOCOL_VERSION, little_endian=True, type_sizes=dict(short=2, int=4, long=4)), f, protocol=2)
        _LegacyPickler(f, protocol=2).dump(obj)
        pickle.dump([k for k, _, _ in storages], f, protocol=2)
        for _, data, element_size in storages:
            f.write(struct.pack("<q", len(data) // element_size))
            f.write(data)


def legacy_views(path):
    root = torch.arange(12, dtype=torch.float32)
    data = raw_bytes(root)
    base = _Storage("100", torch.FloatStorage, 12)
    view = _Storage("100", torch.FloatStorage, 12, ("101", 4, 6))  # elements 4..9 of storage 100
    obj = collections.OrderedDict(whole=_Tensor(base, 0, [3, 4], [4, 1]),
                                  in_view=_Tensor(view, 1, [2, 2], [1, 3]),   # view elements 1,4 / 2,5 -> 5,8 / 6,9
                                  again=_Tensor(view, 0, [6], [1]))
    write_legacy_by_hand(path, obj, [("100", data, 4)])


# ---- hostile pickles ----------------------------------------------------------------------------------------
class _Reduce:
    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def hostile_payloads(out):
    def marker(name):
        return os.path.join(out, "PWNED-" + name)

    payloads = {
        "system": (_Reduce(os.system, ("touch " + marker("system"),)), "posix.system", marker("system")),
        "eval": (_Reduce(eval, ("__import__('os').system('touch %s')" % marker("eval"),)), "builtins.eval", marker("eval")),
        "popen": (_Reduce(subprocess.Popen, (["touch", marker("popen")],)), "subprocess.Popen", marker("popen")),
        "partial": (_Reduce(functools.partial(os.system, "touch " + marker("partial")), ()), "functools.partial", marker("partial")),
    }
    return payloads


def getattr_pickle(target):
    """builtins.getattr(builtins.__import__('os'), 'system')('touch ...'), written opcode by opcode."""
    cmd = ("touch " + target).encode()
    return (b"\x80\x02" + b"c__builtin__\ngetattr\n" + b"c__builtin__\n__import__\n" + b"X\x02\x00\x00\x00os" + b"\x85R"
            + b"X\x06\x00\x00\x00system" + b"\x86R" + b"X" + struct.pack("<I", len(cmd)) + cmd + b"\x85R.")


def zip_with_pickle(template, path, payload):
    """A copy of a torch.save zip with its data.pkl replaced."""
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = payload if info.filename.endswith("/data.pkl") else src.read(info.filename)
            dst.writestr(info.filename, data)


def zip_with_extra(template, path, name, data):
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as dst:
        top = src.infolist()[0].filename.split("/")[0]
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr(top + "/" + name, data)


def legacy_with_pickle(path, payload):
    with open(path, "wb") as f:
        pickle.dump(MAGIC_NUMBER, f, protocol=2)
        pickle.dump(PROTOCOL_VERSION, f, protocol=2)
        pickle.dump(dict(protocol_version=PROTOCOL_VERSION, little_endian=True, type_sizes=dict(short=2, int=4, long=4)), f, protocol=2)
        f.write(payload)
        pickle.dump([], f, protocol=2)


def tensors_in(obj):
    return {k: v for k, v in obj.items() if isinstance(v, torch.Tensor)} if isinstance(obj, dict) else {}


def main(out):
    os.makedirs(out, exist_ok=True)
    files, hostile = {}, {}

    net = small_net()
    sd = copy.deepcopy(net.state_dict())  # state_dict() aliases the parameters, which the optimizer step below changes
    torch.manual_seed(9)
    sd2 = collections.OrderedDict((k, v + 1 if v.is_floating_point() else v) for k, v in sd.items())
    sd2._metadata = sd._metadata
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    net(torch.randn(1, 3, 5, 5)).sum().backward()
    opt.step()
    dp = collections.OrderedDict(("module." + k, v) for k, v in sd.items())
    params = {"w": nn.Parameter(torch.randn(3, 4)), "b": nn.Parameter(torch.randn(4), requires_grad=False), "epoch": 3}

    # (file, object, legacy?, pickle protocol, expected state dict or None)
    cases = [
        ("weights.pt", dtype_zoo(), False, 2, dtype_zoo()),
        ("weights_legacy.pth", dtype_zoo(), True, 2, dtype_zoo()),
        ("weights_protocol4.pt", dtype_zoo(), False, 4, dtype_zoo()),
        ("weights_legacy_protocol4.pth", dtype_zoo(), True, 4, dtype_zoo()),
        ("views.pt", views(), False, 2, views()),
        ("views_legacy.pth", views(), True, 2, views()),
        ("state_dict.pth", sd, False, 2, sd),
        ("state_dict_legacy.pth", sd, True, 2, sd),
        ("fastai.pth", {"model": sd, "opt": opt.state_dict()}, False, 2, sd),
        ("fastai_legacy.pth", {"model": sd, "opt": opt.state_dict()}, True, 2, sd),
        ("fastai_partial_legacy.pth", {"model": sd, "opt": {"opt_func": functools.partial(torch.optim.Adam, betas=(0.9, 0.99)),
                                                              "state": opt.state_dict()}}, True, 2, sd),
        ("basicsr.pth", {"params": sd, "params_ema": sd2}, False, 2, sd2),
        ("basicsr_params.pth", {"params": sd2}, True, 2, sd2),
        ("state_dict_wrapper.pth", {"state_dict": dp, "epoch": 4}, False, 2, sd),
        ("dataparallel_legacy.pth", dp, True, 2, sd),
        ("parameters.pth", params, False, 2, {k: v for k, v in params.items() if isinstance(v, torch.Tensor)}),
        ("storage.pt", {"storage": torch.arange(5, dtype=torch.float32).storage(), "t": torch.ones(2)}, False, 2, {"t": torch.ones(2)}),
        ("storage_legacy.pth", {"storage": torch.arange(5, dtype=torch.float32).storage(), "t": torch.ones(2)}, True, 2, {"t": torch.ones(2)}),
        ("nested.pt", nested(), False, 2, {"t": nested()["t"]}),
        ("nested_legacy_protocol4.pt", nested(), True, 4, {"t": nested()["t"]}),
        ("nested_protocol5.pt", nested(), False, 5, {"t": nested()["t"]}),
    ]
    for name, obj, legacy, protocol, expected_sd in cases:
        path = os.path.join(out, name)
        save(obj, path, legacy, protocol)
        entry = {"format": "legacy" if legacy else "zip", "top": {k: spec(v) for k, v in tensors_in(obj).items()},
                 "state_dict": {k: spec(v) for k, v in expected_sd.items()} if expected_sd is not None else None}
        if isinstance(obj, collections.OrderedDict) and hasattr(obj, "_metadata"):
            entry["metadata"] = {k: dict(v) for k, v in obj._metadata.items()}
        # Read back with PyTorch's allowlist where 1.13's can (it knows protocol 2 only, and lacks BINFLOAT, set and
        # functools.partial); these files are ours, so the full unpickler may read the rest.
        try:
            back = torch.load(path, weights_only=True)
            entry["pytorch_weights_only"] = True
        except pickle.UnpicklingError:
            back = torch.load(path)
            entry["pytorch_weights_only"] = False
        for k, v in tensors_in(obj).items():
            assert same(back[k], v), (name, k)
        files[name] = entry

    # zip: the top folder is named after the file (not archive/); check what torch wrote.
    with zipfile.ZipFile(os.path.join(out, "weights.pt")) as z:
        assert z.infolist()[0].filename.startswith("weights/"), z.infolist()[0].filename

    legacy_views(os.path.join(out, "legacy_views.pth"))
    back = torch.load(os.path.join(out, "legacy_views.pth"), weights_only=True)
    files["legacy_views.pth"] = {"format": "legacy", "top": {k: spec(v) for k, v in back.items()},
                                 "state_dict": {k: spec(v) for k, v in back.items()}}

    zip_with_extra(os.path.join(out, "weights.pt"), os.path.join(out, "byteorder_little.pt"), "byteorder", b"little")
    files["byteorder_little.pt"] = dict(files["weights.pt"])
    zip_with_extra(os.path.join(out, "weights.pt"), os.path.join(out, "byteorder_big.pt"), "byteorder", b"big")

    for name, (obj, callable_name, marker) in hostile_payloads(out).items():
        for protocol in (2, 4):
            payload = pickle.dumps(obj, protocol=protocol)
            z = f"hostile_{name}_p{protocol}.pt"
            zip_with_pickle(os.path.join(out, "weights.pt"), os.path.join(out, z), payload)
            hostile[z] = {"callable": callable_name, "marker": marker}
            legacy = f"hostile_{name}_p{protocol}_legacy.pth"
            legacy_with_pickle(os.path.join(out, legacy), payload)
            hostile[legacy] = {"callable": callable_name, "marker": marker}
        # the payload one level down, beside a real state dict, as torch.save writes it
        for legacy in (False, True):
            z = f"hostile_{name}_inside" + ("_legacy.pth" if legacy else ".pt")
            save({"model": sd, "extra": obj}, os.path.join(out, z), legacy)
            hostile[z] = {"callable": callable_name, "marker": marker}
    marker = os.path.join(out, "PWNED-getattr")
    zip_with_pickle(os.path.join(out, "weights.pt"), os.path.join(out, "hostile_getattr.pt"), getattr_pickle(marker))
    hostile["hostile_getattr.pt"] = {"callable": "builtins.getattr", "marker": marker}
    legacy_with_pickle(os.path.join(out, "hostile_getattr_legacy.pth"), getattr_pickle(marker))
    hostile["hostile_getattr_legacy.pth"] = {"callable": "builtins.getattr", "marker": marker}

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"files": files, "hostile": hostile}, f, indent=1)  # insertion order: state dicts keep theirs


if __name__ == "__main__":
    main(sys.argv[1])
