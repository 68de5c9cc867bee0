"""Execute the notebooks in place at their default sizes, so that they are committed with outputs.

The forge shows a notebook's stored outputs; without them it reads as code only. Each notebook
runs top to bottom in a Python kernel from notebooks/ (as JupyterLab runs it), writing its files
to out/notebooks/ (not under version control); a cell that fails stops the script with exit
code 1 and the notebook is not rewritten. Run it last, after any change to the code the
notebooks show:

    .venv/bin/python scripts/run_notebooks.py                      # all of notebooks/
    .venv/bin/python scripts/run_notebooks.py notebooks/01_grenverket_comparison.ipynb
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]


def run(path: Path) -> None:
    """Execute one notebook from its folder and write it back with its outputs (whole or not)."""
    from model.io import write_text

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=3600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    write_text(path, nbformat.writes(nb) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        default=sorted((ROOT / "notebooks").glob("*.ipynb")))
    args = parser.parse_args()
    # a relative folder, so that no local path is stored in the outputs; plots drawn off-screen
    os.environ["INSATS_NOTEBOOK_OUT"] = os.path.join("..", "out", "notebooks")
    os.environ.setdefault("MPLBACKEND", "Agg")
    for path in args.notebooks:
        print(f"running {path.name} ...", flush=True)
        try:
            run(path.resolve())
        except CellExecutionError as exc:
            print(f"{path.name}: a cell failed, the notebook is left as it was:\n{exc}",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
