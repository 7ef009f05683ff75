"""PyTorch twin of bench/Workbench.Bench/DataBenchmarks.cs: a torch.utils.data.DataLoader doing what torchvision's
RandomCrop(128) + RandomHorizontalFlip() + ToTensor() do on PIL images (torchvision is not installed for Debian's
python3, so the three transforms are written out with PIL, numpy and torch, as torchvision implements them).
"""
import os
import random

import numpy as np
import torch
from PIL import Image

import bench_jpegs

CROP, BATCH = 128, 16


class JpegCrops(torch.utils.data.Dataset):
    def __init__(self, files):
        self.files = files

    def __len__(self):
        return len(self.files)

    def __getitem__(self, index):
        img = Image.open(self.files[index]).convert("RGB")  # decodes the whole JPEG
        top, left = random.randint(0, img.height - CROP), random.randint(0, img.width - CROP)
        img = img.crop((left, top, left + CROP, top + CROP))
        if random.random() < 0.5:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        # ToTensor: HWC uint8 -> CHW float32 in [0, 1]
        return torch.from_numpy(np.array(img, np.uint8, copy=True)).permute(2, 0, 1).contiguous().float().div(255)


def data_loader_jpeg():
    root = bench_jpegs.ensure()
    files = sorted(os.path.join(root, f) for f in os.listdir(root) if f.endswith(".jpg"))
    workers = os.cpu_count() or 1
    # Persistent workers: forking them anew every epoch would charge process start-up to each epoch.
    loader = torch.utils.data.DataLoader(JpegCrops(files), batch_size=BATCH, shuffle=True, num_workers=workers, persistent_workers=True)

    def step():
        for batch in loader:
            assert batch.shape == (BATCH, 3, CROP, CROP)
    return (step, f"one epoch: {len(files)} JPEGs 640x480 decode + random {CROP} crop + flip, batches of {BATCH}, {workers} workers",
            None, len(files))


BENCHMARKS = [data_loader_jpeg]
