#!/usr/bin/python3
"""Builds data/colorize-balanced from data/colorize/train: the shipped colorizer's training crops, weighted by package.

    /usr/bin/python3 tools/balance_colorize_crops.py [--corpus data/colorize] [--out data/colorize-balanced]

GCompris's nature photos are 71 % of the corpus's crops, and a colorizer trained on them paints near-neutral pets and
objects green. Here every other package's crops appear twice (hard links, r0/ and r1/) and GCompris's once, so they
are 55 %. The manifest of `workbench data init --colorize` says which photo each crop came from, corpus.json which
package each photo came from. Train with `data=data/colorize-balanced` (models/MODEL_CARD.md).
"""
import argparse
import json
import os
import shutil
import sys

ONCE = {"gcompris-qt-data"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="data/colorize")
    parser.add_argument("--out", default="data/colorize-balanced")
    args = parser.parse_args()
    report = os.path.join(args.corpus, "corpus.json")
    if not os.path.exists(report):
        sys.exit(f"error: {report} not found; run `workbench data init --colorize` first")
    with open(report) as f:
        package = {p["Id"] + ".png": p["Package"] for p in json.load(f)["photos"]}
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    counts = {}
    with open(os.path.join(args.corpus, "train", "prepare-manifest.jsonl")) as f:
        for line in f:
            entry = json.loads(line)
            if "source" not in entry:
                continue
            name = package[entry["source"]]
            copies = 1 if name in ONCE else 2
            for i in range(entry["first"], entry["first"] + entry["count"]):
                crop = os.path.join(args.corpus, "train", str(i // 1000), f"{i}.png")
                for r in range(copies):
                    folder = os.path.join(args.out, f"r{r}", str(i // 1000))
                    os.makedirs(folder, exist_ok=True)
                    os.link(crop, os.path.join(folder, f"{i}.png"))
                counts[name] = counts.get(name, 0) + copies
    total = sum(counts.values())
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"{name:28s} {n:6d} ({n / total:.0%})")
    print(f"{total} crops in {args.out}")


if __name__ == "__main__":
    main()
