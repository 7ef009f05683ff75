#!/usr/bin/python3
"""Picture sheet for the docs: rows of gray input | colorized (one or more) | original, one per photo.

    /usr/bin/python3 tools/picture_sheet.py GRAY_DIR COLORIZED_DIR ORIGINALS_DIR OUT.jpg [--height 160]
        [--label "colorized"] [--also DIR:LABEL ...] [--title TEXT]
Files are matched by name (colorized outputs may be NAME.png for NAME.*). --also adds a column per folder (another
model or decoding of the same photos), so two decodings can be compared photo by photo.
"""
import argparse
import os

from PIL import Image, ImageDraw


def find(folder, name):
    stem = os.path.splitext(name)[0]
    return next((os.path.join(folder, f) for f in sorted(os.listdir(folder)) if os.path.splitext(f)[0] in (stem, name)), None)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("gray"), p.add_argument("colorized"), p.add_argument("originals"), p.add_argument("out")
    p.add_argument("--height", type=int, default=160)
    p.add_argument("--label", default="colorized")
    p.add_argument("--also", action="append", default=[], metavar="DIR:LABEL")
    p.add_argument("--title", default="")
    a = p.parse_args()
    columns = [(a.colorized, a.label)] + [tuple(x.rsplit(":", 1)) if ":" in x else (x, os.path.basename(x)) for x in a.also]
    rows = []
    for name in sorted(os.listdir(a.originals)):
        found = [find(folder, name) for folder, _ in columns]
        if any(f is None for f in found):
            continue
        paths = [os.path.join(a.gray, name)] + found + [os.path.join(a.originals, name)]
        imgs = [Image.open(path).convert("RGB") for path in paths]
        imgs = [im.resize((round(im.width * a.height / im.height), a.height), Image.LANCZOS) for im in imgs]
        rows.append((os.path.splitext(name)[0], imgs))
    if not rows:
        raise SystemExit(f"no photo of {a.originals} has an output in every column folder")
    width = max(sum(im.width for im in imgs) + (len(imgs) + 1) * 6 for _, imgs in rows)
    header = 18 if not a.title else 34
    sheet = Image.new("RGB", (width, len(rows) * (a.height + 18) + header), "white")
    draw = ImageDraw.Draw(sheet)
    if a.title:
        draw.text((6, 3), a.title, fill="black")
    draw.text((6, header - 15), " | ".join(["gray input"] + [label for _, label in columns] + ["original"]), fill="black")
    y = header
    for stem, imgs in rows:
        x = 6
        for im in imgs:
            sheet.paste(im, (x, y))
            x += im.width + 6
        draw.text((6, y + a.height + 2), stem, fill="black")
        y += a.height + 18
    sheet.save(a.out, quality=85)


if __name__ == "__main__":
    main()
