"""Lift the 100-year bound on scenario months, for benchmarks only (import before `model`).

The reference network of issue 11 takes arrivals for 4 000 months (20 000 for a million people),
beyond `model.numbers.MAX_MONTHS` (1 200, a bound on real programmes added after the network was
defined). This loads `model.numbers` from its own source with the bound raised to LIFTED_MONTHS,
so the same network still runs through the ordinary validation, CLI and engine; nothing else in
the model changes. Benchmark children import it first (`import long_intake`).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIFTED_MONTHS = 30_000

if "model.numbers" in sys.modules:
    raise RuntimeError("import long_intake before anything from model")
sys.path.insert(0, str(ROOT))
_path = ROOT / "model" / "numbers.py"
_source = _path.read_text()
_old = "MAX_MONTHS = 1200"
if _old not in _source:
    raise RuntimeError(f"{_path}: '{_old}' not found; update benchmarks/long_intake.py")
import model  # noqa: E402  (the package itself: only its version)

_spec = importlib.util.spec_from_loader("model.numbers", loader=None, origin=str(_path))
_module = importlib.util.module_from_spec(_spec)
_module.__file__ = str(_path)
sys.modules["model.numbers"] = _module
exec(compile(_source.replace(_old, f"MAX_MONTHS = {LIFTED_MONTHS}"), str(_path), "exec"),
     _module.__dict__)
model.numbers = _module
