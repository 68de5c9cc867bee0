"""The notebooks in notebooks/ run top to bottom (few replications, small sweeps, files in tmp)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    # the kernel inherits this process's environment
    monkeypatch.setenv("INSATS_NOTEBOOK_REPS", "4")
    monkeypatch.setenv("INSATS_NOTEBOOK_SWEEP_POINTS", "6")
    monkeypatch.setenv("INSATS_NOTEBOOK_SWEEP_REPS", "2")
    monkeypatch.setenv("INSATS_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    assert any(tmp_path.glob("*.html")), "every notebook ends with a report"
