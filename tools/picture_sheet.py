#!/usr/bin/python3
"""Picture sheet for the docs: rows of gray input | colorized | original, one per photo.

    /usr/bin/python3 tools/picture_sheet.py GRAY_DIR COLORIZED_DIR ORIGINALS_DIR OUT.jpg [--height 160]
Files are matched by name (colorized outputs may be NAME.png for NAME.*).
"""
import argparse
import os

from PIL import Image, ImageDraw


def main():
    p = argparse.ArgumentParser()
    p.add_argument("gray"), p.add_argument("colorized"), p.add_argument("originals"), p.add_argument("out")
    p.add_argument("--height", type=int, default=160)
    a = p.parse_args()
    names = sorted(os.listdir(a.originals))
    rows = []
    for name in names:
        stem = os.path.splitext(name)[0]
        colorized = next((os.path.join(a.colorized, f) for f in os.listdir(a.colorized) if os.path.splitext(f)[0] in (stem, name)), None)
        if colorized is None:
            continue
        imgs = [Image.open(os.path.join(a.gray, name)).convert("RGB"), Image.open(colorized).convert("RGB"), Image.open(os.path.join(a.originals, name)).convert("RGB")]
        imgs = [im.resize((round(im.width * a.height / im.height), a.height), Image.LANCZOS) for im in imgs]
        rows.append((stem, imgs))
    width = max(sum(im.width for im in imgs) + 4 * 6 for _, imgs in rows)
    sheet = Image.new("RGB", (width, len(rows) * (a.height + 18) + 18), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((6, 3), "gray input | colorized | original", fill="black")
    y = 18
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
