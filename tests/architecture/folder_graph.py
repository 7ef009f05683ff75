#!/usr/bin/python3
"""The dependency graph between the folders of src/Workbench, from the source: folder A depends on folder B when a
file in A names a type declared only in B and can see B's namespace (a `using Workbench.B...` or a qualified name).

    /usr/bin/python3 tests/architecture/folder_graph.py            # print the edges; exit 1 on a cycle
    /usr/bin/python3 tests/architecture/folder_graph.py --svg OUT  # also draw the graph, layered bottom-up

Text, not a compiler: comments and strings are blanked first, and a type name declared in two folders is not
counted (it cannot be attributed). The test FolderDependencyTests runs it in ./run.sh test.
"""
import argparse
import collections
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "src", "Workbench")
DECLARATION = re.compile(r"\b(?:class|record|struct|interface|enum)\s+([A-Z]\w*)")


def strip(code):
    code = re.sub(r"//.*", "", code)
    return re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', code)


def read_sources():
    files = []
    for directory, subdirs, names in os.walk(SOURCE):
        subdirs[:] = [d for d in subdirs if d not in ("bin", "obj")]
        for name in names:
            if name.endswith(".cs"):
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, SOURCE)
                folder = relative.split(os.sep)[0] if os.sep in relative else "."
                with open(path, encoding="utf-8") as f:
                    files.append((folder, relative, strip(f.read())))
    return files


def edges(files):
    declared = collections.defaultdict(set)
    for folder, _, code in files:
        for name in DECLARATION.findall(code):
            declared[name].add(folder)
    found = collections.defaultdict(lambda: collections.defaultdict(set))
    for folder, relative, code in files:
        visible = set(re.findall(r"^using (?:static )?Workbench\.(\w+)", code, re.M))
        for word in set(re.findall(r"\b[A-Z]\w*\b", code)):
            owners = declared.get(word, ())
            if len(owners) != 1:
                continue
            (owner,) = owners
            if owner != folder and (owner in visible or f"Workbench.{owner}." in code):
                found[folder][owner].add(f"{relative} ({word})")
    return found


def cycles(graph):
    """Strongly connected components of more than one folder (Tarjan)."""
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return result


def layers(graph, nodes):
    """Layer 0 depends on nothing here; each folder sits one above the highest folder it depends on."""
    level = {}

    def depth(v, seen=()):
        if v not in level:
            level[v] = 0 if v in seen else 1 + max((depth(w, seen + (v,)) for w in graph.get(v, ()) if w != v), default=-1)
        return level[v]

    for v in nodes:
        depth(v)
    return level


def reduced(graph):
    """The edges not implied by a longer path (the picture's arrows; the full list is printed)."""
    def reachable(v, skip):
        seen, todo = set(), [w for w in graph.get(v, ()) if w != skip]
        while todo:
            w = todo.pop()
            if w not in seen:
                seen.add(w)
                todo.extend(graph.get(w, ()))
        return seen

    return {a: {b for b in bs if b not in reachable(a, b)} for a, bs in graph.items()}


def svg(graph, nodes):
    level = layers(graph, nodes)
    graph = reduced(graph)
    rows = collections.defaultdict(list)
    for v in sorted(nodes):
        rows[level[v]].append(v)
    width, row_height, box_w, box_h = 900, 72, 118, 30
    height = row_height * (max(rows) + 1) + 50
    position = {}
    for lvl in sorted(rows):  # bottom-up; each row ordered by where its dependencies sit (fewer crossings)
        names = sorted(rows[lvl], key=lambda v: (not any(v in bs for bs in graph.values()), sum(position[w][0] for w in graph.get(v, ()) if w in position) / max(1, len([w for w in graph.get(v, ()) if w in position])), v))
        step = width / (len(names) + 1)
        for i, name in enumerate(names):
            position[name] = (step * (i + 1), height - 40 - lvl * row_height)
    for lvl in sorted(rows, reverse=True)[1:]:  # then top-down: a folder goes under the folders that use it
        users = {v: [position[u][0] for u, bs in graph.items() if v in bs] for v in rows[lvl]}
        names = sorted(rows[lvl], key=lambda v: (sum(users[v]) / len(users[v]) if users[v] else width, v))
        step = width / (len(names) + 1)
        for i, name in enumerate(names):
            position[name] = (step * (i + 1), position[name][1])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="14">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    bend = 0
    for a in sorted(graph):
        for b in sorted(graph[a]):
            (x1, y1), (x2, y2) = position[a], position[b]
            y1, y2 = y1 + box_h / 2, y2 - box_h / 2
            if level[a] - level[b] > 1:  # a long edge bows out sideways, so that it does not run through the rows it skips
                bend += 1
                side = (1 if bend % 2 else -1) * (box_w * 0.9 + 20 * (bend // 2))
                cx = (x1 + x2) / 2 + side
                out.append(f'<path d="M{x1:.0f},{y1:.0f} C{cx:.0f},{y1 + row_height:.0f} {cx:.0f},{y2 - row_height:.0f} {x2:.0f},{y2:.0f}" '
                           f'fill="none" stroke="#99a" stroke-width="1.2"/>')
            else:
                out.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#99a" stroke-width="1.2"/>')
    for name, (x, y) in position.items():
        out.append(f'<rect x="{x - box_w / 2:.0f}" y="{y - box_h / 2:.0f}" width="{box_w}" height="{box_h}" rx="6" fill="#eef3fb" stroke="#4a6fa5"/>')
        out.append(f'<text x="{x:.0f}" y="{y + 5:.0f}" text-anchor="middle">{name}</text>')
    out.append(f'<text x="10" y="20" fill="#555">src/Workbench: A → B means A uses B (arrows implied by a longer path omitted); no folder uses one above it</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--svg", help="write the graph as an SVG picture")
    parser.add_argument("--why", nargs=2, metavar=("A", "B"), help="list the files that make A depend on B")
    args = parser.parse_args()
    files = read_sources()
    found = edges(files)
    graph = {a: set(bs) for a, bs in found.items()}
    nodes = {folder for folder, _, _ in files if folder != "."}
    for a in sorted(graph):
        print(f"{a} -> {', '.join(sorted(graph[a]))}")
    if args.why:
        for line in sorted(found[args.why[0]][args.why[1]]):
            print("  " + line)
    if args.svg:
        with open(args.svg, "w", encoding="utf-8") as f:
            f.write(svg(graph, nodes))
    loops = cycles(graph)
    for loop in loops:
        print("cycle between folders: " + " ⇄ ".join(loop), file=sys.stderr)
    return 1 if loops else 0


if __name__ == "__main__":
    sys.exit(main())
