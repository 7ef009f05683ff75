#!/usr/bin/python3
"""Executes every notebooks/*.ipynb with the Workbench C# kernel and reports one line per notebook.

    /usr/bin/python3 tests/notebooks/run_notebooks.py [NAME ...] [--full] [--out runs/notebooks]

- Also runs tests/notebooks/dotnet-interactive/*.ipynb: notebooks written as for .NET Interactive (kernelspec
  `.net-csharp`, #r "nuget:", Display()/Update(), magics, Plotly.NET), unmodified; the kernel is installed under
  that name too (`install --as-dotnet-interactive`), which is how such notebooks reach it.

- The kernelspec is installed into a temporary prefix (JUPYTER_PATH points there), so nothing in the
  user's Jupyter setup is read or changed; the solution must be built first (./run.sh build).
- Smoke mode (the default) sets WORKBENCH_SMOKE=1, which each notebook's `parameters` cell reads to
  shrink sizes and step counts; --full runs the notebooks as written for a researcher.
- Data: notebooks that need the embedded datasets call EmbeddedData.Init themselves (idempotent: it
  skips parts that exist), so a notebook also works when opened on its own; the harness does not
  prepare anything.
- Executed copies, outputs included, go to runs/notebooks/NAME.ipynb (and the kernel's log to
  NAME.kernel.log). A notebook whose cell throws stops at that cell (the cell keeps its error output),
  and the next notebook still runs. Exit status: 0 when all passed, 1 when any failed, 2 on bad usage.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parents[2]
KERNEL_DLL = ROOT / "src/Workbench.Kernel/bin/Release/net10.0/workbench-kernel.dll"


def install_kernelspec(prefix: Path) -> None:
    if not KERNEL_DLL.exists():
        sys.exit(f"error: {KERNEL_DLL.relative_to(ROOT)} not found; run ./run.sh build first")
    subprocess.run(["dotnet", str(KERNEL_DLL), "install", "--prefix", str(prefix)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["dotnet", str(KERNEL_DLL), "install", "--prefix", str(prefix), "--as-dotnet-interactive"], check=True, stdout=subprocess.DEVNULL)
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")


def first_error(nb) -> str | None:
    """The first error output of the notebook as 'Name: value (cell N)'."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                value = output.get("evalue", "").strip().splitlines()
                return f"{output.get('ename', 'Error')}: {value[0] if value else ''} (cell {index})"
    return None


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_notebook(path: Path, out_dir: Path, cell_timeout: int) -> tuple[bool, float, float, str | None]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=cell_timeout if cell_timeout > 0 else None, kernel_name=nb.metadata.get("kernelspec", {}).get("name", "workbench-csharp"),
                            resources={"metadata": {"path": str(path.parent)}})
    start, cpu = time.monotonic(), children_cpu_seconds()
    error = None
    with open(out_dir / (path.stem + ".kernel.log"), "w") as log:
        try:
            client.execute(stderr=log, stdout=log)
        except CellExecutionError:
            error = first_error(nb) or "cell error"
        except CellTimeoutError:
            error = f"a cell ran past {cell_timeout} s"
        except DeadKernelError as e:
            error = f"the kernel died: {e}"
        except Exception as e:  # a kernel that fails to start, a protocol error: report it, go on with the next notebook
            error = f"{type(e).__name__}: {e}"
    seconds = time.monotonic() - start
    nbformat.write(nb, out_dir / path.name)
    # CPU time of the kernel (a reaped child): on a shared machine the wall time says little.
    return error is None, seconds, children_cpu_seconds() - cpu, error


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only notebooks whose file name contains one of these")
    parser.add_argument("--full", action="store_true", help="full runs (WORKBENCH_SMOKE unset); slow")
    parser.add_argument("--notebooks", type=Path, action="append", help="folder of .ipynb files (repeatable; default: notebooks/ and tests/notebooks/dotnet-interactive/)")
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "notebooks", help="where executed copies go")
    parser.add_argument("--cell-timeout", type=int, default=None, help="seconds one cell may run (default: 600 in smoke mode, no limit with --full)")
    args = parser.parse_args()
    if args.cell_timeout is None:
        args.cell_timeout = -1 if args.full else 600

    folders = args.notebooks or [ROOT / "notebooks", ROOT / "tests" / "notebooks" / "dotnet-interactive"]
    notebooks = [p for folder in folders for p in sorted(folder.glob("*.ipynb")) if not args.names or any(n in p.name for n in args.names)]
    if not notebooks:
        print(f"error: no notebooks in {', '.join(map(str, folders))}" + (f" matching {args.names}" if args.names else ""), file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    if args.full:
        os.environ.pop("WORKBENCH_SMOKE", None)
    else:
        os.environ["WORKBENCH_SMOKE"] = "1"

    failed = 0
    total = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="workbench-kernelspec-") as prefix:
        install_kernelspec(Path(prefix))
        width = max(len(p.name) for p in notebooks)
        for path in notebooks:
            ok, seconds, cpu, error = run_notebook(path, args.out, args.cell_timeout)
            failed += not ok
            print(f"{path.name:<{width}}  {seconds:6.1f} s (cpu {cpu:6.1f} s)  {'ok' if ok else 'error: ' + (error or '')}", flush=True)
    mode = "full" if args.full else "smoke"
    print(f"notebooks ({mode}): {len(notebooks) - failed} ok, {failed} failed in {time.monotonic() - total:.1f} s; executed copies in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
