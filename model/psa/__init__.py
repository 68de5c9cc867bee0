"""Parameter uncertainty: draws of the uncertain inputs, expected figures per draw, and what
follows from them (intervals, probabilities with their Monte Carlo error, value of information)."""

from __future__ import annotations

from model.lazy import lazy_names
from model.psa.inputs import Plan, Uncertain, plan, uncertain_inputs

__all__ = ["PSAResult", "Plan", "Uncertain", "plan", "preload", "run_psa", "uncertain_inputs"]


def preload() -> None:
    """Import the parts of scipy a PSA and its value of information load on first use (special
    functions for the quantiles; splines, and with them optimisation and linear algebra, for
    EVPPI): about 0.3 s, which a worker started early spends while the scenarios are read."""
    import scipy.interpolate
    import scipy.special  # noqa: F401


# `run_psa` and `PSAResult` load on first use (with pandas): reading a scenario that declares
# uncertainty checks its inputs (`model.psa.inputs`) without them (start-up).
__getattr__ = lazy_names(__name__, {"PSAResult": "run", "run_psa": "run"})
