"""Parameter uncertainty: draws of the uncertain inputs, expected figures per draw, and what
follows from them (intervals, probabilities with their Monte Carlo error, value of information)."""

from __future__ import annotations

from model.lazy import lazy_names
from model.psa.inputs import Plan, Uncertain, plan, uncertain_inputs

__all__ = ["PSAResult", "Plan", "Uncertain", "plan", "run_psa", "uncertain_inputs"]


# `run_psa` and `PSAResult` load on first use (with pandas): reading a scenario that declares
# uncertainty checks its inputs (`model.psa.inputs`) without them (start-up).
__getattr__ = lazy_names(__name__, {"PSAResult": "run", "run_psa": "run"})
