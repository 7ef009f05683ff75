"""Writes the image files the C# ImageIO tests decode, and what Pillow decodes from them.

Usage: make_test_images.py OUTDIR. Writes OUTDIR/images/* and OUTDIR/expected.safetensors, whose keys are
  "<file>"        float32 CHW in [0, 1]: Pillow's exif_transpose, then RGB with alpha composited over white
  "<file>|rgba"   float32 CHW RGBA (alpha kept; 1 where the file has none)
  "<file>|gray"   float32 1HW luma 0.299 R + 0.587 G + 0.114 B of the "<file>" image
16-bit files are written here by hand (Pillow cannot write 16-bit RGB), so their expectation is the
array that was written, divided by 65535.
"""
import io
import os
import struct
import sys
import zlib

import numpy as np
import torch
from PIL import Image, ImageOps

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

H, W = 28, 40  # not square, so a missed transpose shows up as a shape mismatch


def base_rgb(h=H, w=W, seed=0):
    """Smooth gradients, a hard-edged square and mild noise: structure for the JPEG/WebP coders."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * x / (w - 1)
    g = 255 * y / (h - 1)
    b = 127.5 + 127.5 * np.sin(x / 5.0 + y / 7.0)
    img = np.stack([r, g, b], axis=-1)
    img[h // 4:h // 2, w // 4:w // 2] = [250, 20, 60]
    img += rng.normal(0, 6, img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def alpha_channel(h=H, w=W):
    y, x = np.mgrid[0:h, 0:w]
    a = (255 * x / (w - 1)).round().astype(np.uint8)
    a[:, :3] = 0
    a[:, -3:] = 255
    return a


def chw(a):
    """HWC (or HW) array of floats in [0, 1] -> CHW float32 tensor."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 2:
        a = a[:, :, None]
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1))).float()


def composite(rgba):
    """float RGBA HWC in [0,1] -> RGB over white."""
    rgb, a = rgba[..., :3], rgba[..., 3:4]
    return rgb * a + (1.0 - a)


def luma(rgb):
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def pillow_expectations(path):
    """What our reader should return in RGB, RGBA and gray modes, decoded by Pillow."""
    im = ImageOps.exif_transpose(Image.open(path))
    if im.mode in ("I;16", "I;16B", "I"):
        raise ValueError("16-bit files are checked against the written arrays")
    if im.mode == "P" and "transparency" in im.info or im.mode in ("RGBA", "LA", "PA"):
        rgba = np.asarray(im.convert("RGBA"), dtype=np.float64) / 255.0
    else:
        rgb = np.asarray(im.convert("RGB"), dtype=np.float64) / 255.0
        rgba = np.concatenate([rgb, np.ones(rgb.shape[:2] + (1,))], axis=-1)
    rgb = composite(rgba)
    return {"": chw(rgb), "|rgba": chw(rgba), "|gray": chw(luma(rgb))}


TRANSPOSE_FOR_ORIENTATION = {  # as in PIL.ImageOps.exif_transpose
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90,
}


def oriented(rgb, n):
    """Expectations for an 8-bit RGB array stored with orientation tag n."""
    turned = np.asarray(Image.fromarray(rgb).transpose(TRANSPOSE_FOR_ORIENTATION[n]), dtype=np.float64) / 255.0
    rgba = np.concatenate([turned, np.ones(turned.shape[:2] + (1,))], axis=-1)
    return {"": chw(turned), "|rgba": chw(rgba), "|gray": chw(luma(turned))}


def png_bytes(array, color_type, bit_depth):
    """A minimal PNG writer (filter 0 on every row) for what Pillow cannot write: 16-bit RGB(A)."""
    h, w = array.shape[:2]
    dtype = ">u2" if bit_depth == 16 else "u1"
    rows = array.astype(dtype).reshape(h, -1)
    raw = b"".join(b"\x00" + rows[i].tobytes() for i in range(h))
    return png_chunks(w, h, bit_depth, color_type, zlib.compress(raw, 9))


def png_chunks(w, h, bit_depth, color_type, idat):
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def exif_orientation(n):
    exif = Image.Exif()
    exif[0x0112] = n
    return exif.tobytes()


def main(out):
    d = os.path.join(out, "images")
    os.makedirs(d, exist_ok=True)
    p = lambda name: os.path.join(d, name)  # noqa: E731
    expected = {}

    def expect(name, values=None):
        values = values if values is not None else pillow_expectations(p(name))
        for suffix, t in values.items():
            expected[name + suffix] = t

    rgb = base_rgb()
    rgba = np.dstack([rgb, alpha_channel()])
    gray = np.asarray(Image.fromarray(rgb).convert("L"))

    # ---- lossless 8-bit files: Pillow and OpenCV must agree exactly ----
    Image.fromarray(rgb).save(p("rgb.png"))
    Image.fromarray(rgba, "RGBA").save(p("rgba.png"))
    Image.fromarray(np.dstack([gray, alpha_channel()]), "LA").save(p("la.png"))
    Image.fromarray(gray, "L").save(p("gray.png"))
    Image.fromarray(rgb).quantize(colors=16).save(p("palette.png"))
    pal = Image.fromarray(rgb).quantize(colors=16)
    pal.info["transparency"] = 3
    pal.save(p("palette_trns.png"), transparency=3)
    Image.fromarray(rgb).save(p("rgb.bmp"))
    Image.fromarray(rgb).save(p("rgb.tiff"), compression="tiff_lzw")
    Image.fromarray(rgb).save(p("lossless.webp"), lossless=True)
    Image.fromarray(rgba, "RGBA").save(p("rgba_lossless.webp"), lossless=True)
    for name in ["rgb.png", "rgba.png", "la.png", "gray.png", "palette.png", "palette_trns.png", "rgb.bmp",
                 "rgb.tiff", "lossless.webp", "rgba_lossless.webp"]:
        expect(name)
    # Decoding goes by content, not by name.
    with open(p("rgb.png"), "rb") as f:
        png = f.read()
    with open(p("png_named.jpg"), "wb") as f:
        f.write(png)
    expect("png_named.jpg")

    # ---- lossy files: same libjpeg-turbo / libwebp on both sides, but different glue code ----
    Image.fromarray(rgb).save(p("rgb.jpg"), quality=90)
    Image.fromarray(rgb).save(p("rgb_progressive.jpg"), quality=90, progressive=True)
    Image.fromarray(rgb).save(p("rgb_420.jpg"), quality=75, subsampling=2)
    Image.fromarray(gray, "L").save(p("gray.jpg"), quality=90)
    Image.fromarray(rgb).convert("CMYK").save(p("cmyk.jpg"), quality=95)
    Image.fromarray(rgb).save(p("lossy.webp"), quality=80)
    for name in ["rgb.jpg", "rgb_progressive.jpg", "rgb_420.jpg", "gray.jpg", "cmyk.jpg", "lossy.webp"]:
        expect(name)

    # ---- EXIF orientation: every tag value in JPEG, a few in PNG (eXIf), WebP and TIFF ----
    for n in range(1, 9):
        Image.fromarray(rgb).save(p(f"orient{n}.jpg"), quality=95, exif=exif_orientation(n))
        expect(f"orient{n}.jpg")
    Image.fromarray(rgb).save(p("orient6.png"), exif=exif_orientation(6))
    Image.fromarray(rgb).save(p("orient8.webp"), lossless=True, exif=exif_orientation(8))
    for name in ["orient6.png", "orient8.webp"]:
        expect(name)
    # TIFF: Pillow 9.4 turns TIFF pixels by the tag while loading and exif_transpose then turns them again,
    # so the expectation is the stored array turned by Pillow's own transpose for the tag.
    for n in (3, 6):
        Image.fromarray(rgb).save(p(f"orient{n}.tiff"), tiffinfo={0x0112: n})
        expect(f"orient{n}.tiff", oriented(rgb, n))

    # ---- alpha in TIFF: OpenCV reads 8-bit RGBA TIFFs through libtiff's RGBA interface, which premultiplies ----
    Image.fromarray(rgba, "RGBA").save(p("rgba.tiff"))
    expect("rgba.tiff")

    # ---- 16-bit PNGs: written by hand, expected = written array / 65535 ----
    rng = np.random.default_rng(1)
    rgb16 = (rgb.astype(np.uint32) * 257 + rng.integers(0, 257, rgb.shape)).astype(np.uint16)
    a16 = (alpha_channel().astype(np.uint32) * 257).astype(np.uint16)
    rgba16 = np.dstack([rgb16, a16])
    gray16 = (luma(rgb16.astype(np.float64))).round().astype(np.uint16)
    with open(p("rgb16.png"), "wb") as f:
        f.write(png_bytes(rgb16, color_type=2, bit_depth=16))
    with open(p("rgba16.png"), "wb") as f:
        f.write(png_bytes(rgba16, color_type=6, bit_depth=16))
    with open(p("gray16.png"), "wb") as f:
        f.write(png_bytes(gray16, color_type=0, bit_depth=16))
    f16 = lambda a: a.astype(np.float64) / 65535.0  # noqa: E731
    expect("rgb16.png", {"": chw(f16(rgb16))})
    rgba16f = f16(rgba16)
    expect("rgba16.png", {"": chw(composite(rgba16f)), "|rgba": chw(rgba16f)})
    expect("gray16.png", {"": chw(np.repeat(f16(gray16)[:, :, None], 3, axis=2))})
    Image.fromarray(gray16, "I;16").save(p("gray16_orient8.tiff"), tiffinfo={0x0112: 8})
    turned = np.asarray(Image.fromarray(gray16, "I;16").transpose(TRANSPOSE_FOR_ORIENTATION[8]))
    expect("gray16_orient8.tiff", {"|gray": chw(f16(turned))})

    # ---- files that must fail with a clear error ----
    with open(p("rgb.jpg"), "rb") as f:
        jpg = f.read()
    with open(p("lossless.webp"), "rb") as f:
        webp = f.read()
    with open(p("rgb.bmp"), "rb") as f:
        bmp = f.read()
    with open(p("rgb.tiff"), "rb") as f:
        tiff = f.read()
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="TIFF")
    raw_tiff = buffer.getvalue()
    bad = {
        "empty.png": b"",
        "text.png": b"this is a text file, not a picture\n",
        "truncated.jpg": jpg[:len(jpg) * 6 // 10],
        "truncated.png": png[:len(png) * 6 // 10],
        "truncated.webp": webp[:len(webp) * 6 // 10],
        "truncated.bmp": bmp[:len(bmp) * 6 // 10],
        "truncated.tiff": tiff[:len(tiff) * 6 // 10],  # LZW: Pillow writes the directory after the strips
        "truncated_raw.tiff": raw_tiff[:len(raw_tiff) * 6 // 10],  # uncompressed: the directory comes first
        "only_signature.png": png[:8],
        "corrupt.png": corrupt_idat(png),
        # A valid PNG stream whose header claims 100000 x 100000 pixels (30 GB as RGB): a decompression bomb.
        "bomb.png": png_chunks(100000, 100000, 8, 2, zlib.compress(b"\x00" * 1000)),
        # The same in a JPEG: the SOF0 frame header patched to 60000 x 60000.
        "bomb.jpg": patch_sof(jpg, 60000, 60000),
    }
    for name, data in bad.items():
        with open(p(name), "wb") as f:
            f.write(data)

    safetensors_io.save(os.path.join(out, "expected.safetensors"), expected)
    with open(os.path.join(out, "bad_files.txt"), "w") as f:
        f.write("\n".join(sorted(bad)) + "\n")


def corrupt_idat(png):
    """Flips a byte inside the first IDAT's compressed data (its CRC no longer matches)."""
    i = png.index(b"IDAT") + 4 + 10
    return png[:i] + bytes([png[i] ^ 0xFF]) + png[i + 1:]


def patch_sof(jpg, h, w):
    i = jpg.index(b"\xff\xc0")
    return jpg[:i + 5] + struct.pack(">HH", h, w) + jpg[i + 9:]


if __name__ == "__main__":
    main(sys.argv[1])
