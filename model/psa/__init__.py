"""Parameter uncertainty: draws of the uncertain inputs, expected figures per draw, and what
follows from them (intervals, probabilities with their Monte Carlo error, value of information)."""

from __future__ import annotations

from typing import Any

from model.psa.inputs import Plan, Uncertain, plan, uncertain_inputs

__all__ = ["PSAResult", "Plan", "Uncertain", "plan", "run_psa", "uncertain_inputs"]


def __getattr__(name: str) -> Any:
    """`run_psa` and `PSAResult` load on first use (with pandas): reading a scenario that declares
    uncertainty checks its inputs (`model.psa.inputs`) without them (start-up)."""
    if name not in ("PSAResult", "run_psa"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from model.psa import run

    value = getattr(run, name)
    globals()[name] = value
    return value
