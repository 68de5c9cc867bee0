"""Parameter uncertainty: draws of the uncertain inputs, expected figures per draw, and what
follows from them (intervals, probabilities with their Monte Carlo error, value of information)."""

from model.psa.inputs import Plan, Uncertain, plan, uncertain_inputs
from model.psa.run import PSAResult, run_psa

__all__ = ["PSAResult", "Plan", "Uncertain", "plan", "run_psa", "uncertain_inputs"]
