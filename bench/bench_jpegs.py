"""The JPEG folder the data-pipeline benchmark reads (both the C# side and its PyTorch twin read these same files).

Usage: /usr/bin/python3 bench/bench_jpegs.py    prints the folder, creating it first when missing.
64 JPEGs of 640x480 (quality 90), cut from the photos Debian packages ship (see src/Workbench/Data/EmbeddedData.cs),
or synthesized when none is installed. Built once into a temporary folder and renamed into place, so a folder that
exists is complete. The C# side finds it at the same path (TMPDIR or /tmp, then FOLDER_NAME).
"""
import os
import random
import shutil
import tempfile

import numpy as np
from PIL import Image

COUNT, WIDTH, HEIGHT, QUALITY = 64, 640, 480, 90
FOLDER_NAME = "workbench-bench-jpegs-v1"
SOURCES = [
    "/usr/lib/python3/dist-packages/skimage/data/" + n for n in ("motorcycle_left.png", "chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg")
] + [
    "/usr/share/doc/opencv-doc/examples/data/" + n for n in ("aero1.jpg", "apple.jpg", "orange.jpg", "butterfly.jpg", "home.jpg", "leuvenA.jpg",
                                                            "messi5.jpg", "stuff.jpg", "board.jpg", "fruits.jpg", "baboon.jpg")
]


def folder():
    return os.path.join(tempfile.gettempdir(), FOLDER_NAME)


def photo(rng, path):
    """A random 640x480 view of a source photo (scaled to cover, random crop and mirror); noise when it is missing."""
    if path is None:
        small = np.random.default_rng(rng.randrange(2 ** 32)).integers(0, 256, (HEIGHT // 16, WIDTH // 16, 3), dtype=np.uint8)
        return Image.fromarray(small).resize((WIDTH, HEIGHT), Image.BICUBIC)
    img = Image.open(path).convert("RGB")
    scale = max(WIDTH / img.width, HEIGHT / img.height) * rng.uniform(1.0, 1.5)
    img = img.resize((max(WIDTH, round(img.width * scale)), max(HEIGHT, round(img.height * scale))), Image.BICUBIC)
    left, top = rng.randrange(img.width - WIDTH + 1), rng.randrange(img.height - HEIGHT + 1)
    img = img.crop((left, top, left + WIDTH, top + HEIGHT))
    return img.transpose(Image.FLIP_LEFT_RIGHT) if rng.random() < 0.5 else img


def ensure():
    target = folder()
    if os.path.isdir(target):
        return target
    rng = random.Random(0)
    sources = [p for p in SOURCES if os.path.exists(p)] or [None]
    partial = tempfile.mkdtemp(prefix=FOLDER_NAME + ".partial-", dir=os.path.dirname(target))
    try:
        for i in range(COUNT):
            photo(rng, sources[i % len(sources)]).save(os.path.join(partial, f"{i:03d}.jpg"), quality=QUALITY)
        os.rename(partial, target)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        if not os.path.isdir(target):  # another process may have won the rename
            raise
    return target


if __name__ == "__main__":
    print(ensure())
