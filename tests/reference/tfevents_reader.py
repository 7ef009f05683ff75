"""An independent reader of TensorBoard event files, to check what Workbench's SummaryWriter writes.

usage: tfevents_reader.py OUTDIR RUNDIR

Finds every events.out.tfevents.* file under RUNDIR, parses the TFRecord framing, verifies both masked
CRC32C checksums of every record, decodes Event / Summary / HistogramProto / TensorProto and the text and
hparams plugin data with a hand-written protobuf wire-format decoder (neither tensorboard, tensorflow
nor generated protobuf code is used), checks PNG images with PIL, and writes OUTDIR/events.json:

{"files": [{"path": relative path, "records": n, "crc_errors": [...], "events": [
   {"step", "wall_time", "file_version"?, "values": [{"tag", "kind", ...}]}]}]}
"""
import hashlib
import io
import json
import os
import struct
import sys

from PIL import Image

# ---- CRC32C (Castagnoli, reflected polynomial 0x82F63B78) -------------------------------------------
_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    table = _TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


# ---- protobuf wire format ----------------------------------------------------------------------------
def read_varint(buf, pos):
    result, shift = 0, 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def fields(buf):
    """Yields (field number, wire type, raw value) for every field of a message."""
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = read_varint(buf, pos)
            value, pos = buf[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        if pos > len(buf):
            raise ValueError("field %d runs past the end of its message" % number)
        yield number, wire, value


def signed64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def f64(raw):
    return struct.unpack("<d", raw)[0]


def f32(raw):
    return struct.unpack("<f", raw)[0]


def packed_doubles(wire, raw):
    if wire == 1:
        return [f64(raw)]
    return [v[0] for v in struct.iter_unpack("<d", raw)]


def packed_floats(wire, raw):
    if wire == 5:
        return [f32(raw)]
    return [v[0] for v in struct.iter_unpack("<f", raw)]


# ---- messages ----------------------------------------------------------------------------------------
def decode_histogram(buf):
    h = {"min": 0.0, "max": 0.0, "num": 0.0, "sum": 0.0, "sum_squares": 0.0, "bucket_limit": [], "bucket": []}
    names = {1: "min", 2: "max", 3: "num", 4: "sum", 5: "sum_squares"}
    for n, w, v in fields(buf):
        if n in names:
            h[names[n]] = f64(v)
        elif n == 6:
            h["bucket_limit"] += packed_doubles(w, v)
        elif n == 7:
            h["bucket"] += packed_doubles(w, v)
    return h


DTYPES = {1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 7: "DT_STRING", 9: "DT_INT64", 10: "DT_BOOL"}


def decode_tensor(buf):
    t = {"dtype": "DT_INVALID", "shape": [], "string_val": [], "float_val": [], "double_val": []}
    for n, w, v in fields(buf):
        if n == 1:
            t["dtype"] = DTYPES.get(v, str(v))
        elif n == 2:
            for dn, _, dv in fields(v):
                if dn == 2:
                    size = 0
                    for sn, _, sv in fields(dv):
                        if sn == 1:
                            size = signed64(sv)
                    t["shape"].append(size)
        elif n == 8:
            t["string_val"].append(v.decode("utf-8"))
        elif n == 5:
            t["float_val"] += packed_floats(w, v)
        elif n == 6:
            t["double_val"] += packed_doubles(w, v)
    return t


def decode_struct_value(buf):
    """google.protobuf.Value -> a JSON value (number, string, bool, list)."""
    for n, w, v in fields(buf):
        if n == 1:
            return None
        if n == 2:
            return f64(v)
        if n == 3:
            return v.decode("utf-8")
        if n == 4:
            return bool(v)
        if n == 6:
            return decode_list_value(v)
    return None


def decode_list_value(buf):
    return [decode_struct_value(v) for n, _, v in fields(buf) if n == 1]


HPARAM_TYPES = {0: "DATA_TYPE_UNSET", 1: "DATA_TYPE_STRING", 2: "DATA_TYPE_BOOL", 3: "DATA_TYPE_FLOAT64"}
STATUSES = {0: "STATUS_UNKNOWN", 1: "STATUS_SUCCESS", 2: "STATUS_FAILURE", 3: "STATUS_RUNNING"}


def decode_hparams(buf):
    out = {"version": 0}
    for n, _, v in fields(buf):
        if n == 1:
            out["version"] = v
        elif n == 2:
            exp = {"hparam_infos": [], "metric_infos": []}
            for en, _, ev in fields(v):
                if en == 4:
                    info = {"name": "", "type": "DATA_TYPE_UNSET"}
                    for hn, _, hv in fields(ev):
                        if hn == 1:
                            info["name"] = hv.decode("utf-8")
                        elif hn == 4:
                            info["type"] = HPARAM_TYPES.get(hv, str(hv))
                        elif hn == 5:
                            info["domain_discrete"] = decode_list_value(hv)
                    exp["hparam_infos"].append(info)
                elif en == 5:
                    metric = {"group": "", "tag": ""}
                    for mn, _, mv in fields(ev):
                        if mn == 1:
                            for nn, _, nv in fields(mv):
                                metric["group" if nn == 1 else "tag"] = nv.decode("utf-8")
                    exp["metric_infos"].append(metric)
            out["experiment"] = exp
        elif n == 3:
            hparams = {}
            for sn, _, sv in fields(v):
                if sn == 1:  # map entry: key = 1, value = 2
                    key, value = "", None
                    for kn, _, kv in fields(sv):
                        if kn == 1:
                            key = kv.decode("utf-8")
                        elif kn == 2:
                            value = decode_struct_value(kv)
                    hparams[key] = value
            out["session_start_info"] = {"hparams": hparams}
        elif n == 4:
            status = 0
            for en, _, ev in fields(v):
                if en == 1:
                    status = ev
            out["session_end_info"] = {"status": STATUSES.get(status, str(status))}
    return out


def decode_image(buf):
    img = {"height": 0, "width": 0, "colorspace": 0}
    png = b""
    for n, _, v in fields(buf):
        if n == 1:
            img["height"] = v
        elif n == 2:
            img["width"] = v
        elif n == 3:
            img["colorspace"] = v
        elif n == 4:
            png = v
    img["png_bytes"] = len(png)
    try:
        with Image.open(io.BytesIO(png)) as probe:
            probe.verify()  # checks chunk CRCs and structure
        with Image.open(io.BytesIO(png)) as decoded:
            decoded.load()
            img["png_valid"] = decoded.format == "PNG"
            img["png_mode"] = decoded.mode
            img["png_width"], img["png_height"] = decoded.size
            img["pixels_sha256"] = hashlib.sha256(decoded.tobytes()).hexdigest()
    except Exception as e:  # noqa: BLE001 - any failure means an invalid PNG
        img["png_valid"] = False
        img["png_error"] = repr(e)
    return img


def decode_value(buf):
    value = {"tag": "", "kind": "none"}
    plugin, content = None, b""
    for n, w, v in fields(buf):
        if n == 1:
            value["tag"] = v.decode("utf-8")
        elif n == 2:
            value["kind"], value["simple_value"] = "simple_value", f32(v)
        elif n == 4:
            value["kind"], value["image"] = "image", decode_image(v)
        elif n == 5:
            value["kind"], value["histo"] = "histo", decode_histogram(v)
        elif n == 8:
            value["kind"], value["tensor"] = "tensor", decode_tensor(v)
        elif n == 9:
            for mn, _, mv in fields(v):
                if mn == 1:
                    for pn, _, pv in fields(mv):
                        if pn == 1:
                            plugin = pv.decode("utf-8")
                        elif pn == 2:
                            content = pv
    if plugin is not None:
        value["plugin"] = plugin
        if plugin == "hparams":
            value["hparams"] = decode_hparams(content)
        elif plugin == "text":
            value["text_plugin_version"] = next((v for n, _, v in fields(content) if n == 1), 0)
    return value


def decode_event(buf):
    event = {"wall_time": 0.0, "step": 0, "values": []}
    for n, _, v in fields(buf):
        if n == 1:
            event["wall_time"] = f64(v)
        elif n == 2:
            event["step"] = signed64(v)
        elif n == 3:
            event["file_version"] = v.decode("utf-8")
        elif n == 5:
            event["values"] = [decode_value(sv) for sn, _, sv in fields(v) if sn == 1]
    return event


# ---- records -----------------------------------------------------------------------------------------
def read_file(path):
    with open(path, "rb") as f:
        data = f.read()
    result = {"records": 0, "crc_errors": [], "events": []}
    pos = 0
    while pos < len(data):
        if pos + 12 > len(data):
            result["crc_errors"].append({"offset": pos, "what": "truncated header"})
            break
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if masked_crc(header) != length_crc:
            # The length cannot be trusted, so nothing after it can be framed.
            result["crc_errors"].append({"offset": pos, "what": "length crc"})
            break
        body = data[pos + 12:pos + 12 + length]
        footer = data[pos + 12 + length:pos + 16 + length]
        if len(body) != length or len(footer) != 4:
            result["crc_errors"].append({"offset": pos, "what": "truncated record"})
            break
        (data_crc,) = struct.unpack("<I", footer)
        result["records"] += 1
        if masked_crc(body) != data_crc:
            result["crc_errors"].append({"offset": pos, "what": "data crc"})
        else:
            result["events"].append(decode_event(body))
        pos += 16 + length
    return result


def main():
    out_dir, run_dir = sys.argv[1], sys.argv[2]
    files = []
    for root, _, names in os.walk(run_dir):
        for name in sorted(names):
            if "tfevents" in name:
                path = os.path.join(root, name)
                entry = {"path": os.path.relpath(path, run_dir)}
                entry.update(read_file(path))
                files.append(entry)
    files.sort(key=lambda f: f["path"])
    with open(os.path.join(out_dir, "events.json"), "w") as f:
        json.dump({"files": files}, f, indent=1)


if __name__ == "__main__":
    main()
