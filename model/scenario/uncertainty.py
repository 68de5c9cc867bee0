"""How sure we are: the settings of a scenario's probabilistic sensitivity analysis (PSA).

Uncertain numbers are declared where they are written (`{value:, source:, uncertainty: {...}}`,
see `model.numbers`); this part of the scenario says how many parameter draws to make, how many
simulated replications each draw gets when the expected-value path cannot be used, and which
uncertain inputs are drawn together: a `joint` group draws whole rows of values (as
`insats calibrate` writes them), a `correlation` group draws named inputs through a Gaussian
copula with the given correlation matrix.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from model.numbers import Count, PosCount
from model.scenario.base import Strict

MAX_DRAWS = 100_000


class JointGroup(Strict):
    """Values drawn together, one whole row per draw (e.g. a calibrated set of parameters)."""

    name: str = Field(min_length=1)
    """The group's name: groups of the same name in compared scenarios draw the same row."""
    source: str = ""
    """Where the rows come from (e.g. the calibration that wrote them)."""
    paths: list[str] = Field(min_length=1)
    """The inputs the rows hold, as parameter paths (e.g. employment.extent)."""
    rows: list[list[float]] = Field(min_length=1)
    """One set of values per row, in the order of `paths`; a draw takes one whole row."""
    converged: bool = Field(default=True, exclude=True)
    """False when the calibration that wrote the rows did not converge (`insats calibrate
    --force`). Default: true (assumption: rows written without the flag come from a converged
    calibration). Left out of the scenario's dump, so that the hash of every existing file stays."""

    @model_validator(mode="after")
    def _shape(self) -> JointGroup:
        bad = [i for i, row in enumerate(self.rows) if len(row) != len(self.paths)]
        if bad:
            raise ValueError(f"row {bad[0]} has {len(self.rows[bad[0]])} values for "
                             f"{len(self.paths)} paths")
        if len(set(self.paths)) != len(self.paths):
            raise ValueError("a path appears twice in the group")
        if not np.isfinite(np.asarray(self.rows, dtype=float)).all():
            raise ValueError("rows must hold finite numbers")
        return self


class Correlation(Strict):
    """Uncertain inputs (by name) drawn with these correlations (a Gaussian copula)."""

    names: list[str] = Field(min_length=2)
    """Names of uncertain inputs (their `uncertainty.name`, or `<scenario>:<path>`)."""
    matrix: list[list[float]]
    """Their correlation matrix (symmetric, 1 on the diagonal, positive definite)."""
    source: str = ""
    """Where the correlations come from."""

    @model_validator(mode="after")
    def _matrix(self) -> Correlation:
        k = len(self.names)
        twice = sorted({n for n in self.names if self.names.count(n) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} named twice: an input cannot be correlated with "
                             "itself")
        ragged = [i for i, row in enumerate(self.matrix) if len(row) != k]
        if len(self.matrix) != k or ragged:
            at = f" (row {ragged[0]} has {len(self.matrix[ragged[0]])})" if ragged else ""
            raise ValueError(f"matrix must be {k} rows of {k} numbers for {k} names{at}")
        m = np.asarray(self.matrix, dtype=float)
        if not np.isfinite(m).all():
            raise ValueError("matrix must hold finite numbers")
        if m.shape != (k, k):
            raise ValueError(f"matrix must be {k} x {k} for {k} names")
        if not np.allclose(m, m.T) or not np.allclose(np.diag(m), 1.0):
            raise ValueError("matrix must be symmetric with 1 on the diagonal")
        if np.linalg.eigvalsh(m).min() <= 0:
            raise ValueError("matrix must be positive definite (a valid correlation matrix)")
        return self


class UncertaintySettings(Strict):
    """How the parameter-uncertainty answer is computed (defaults: assumptions, see method.md)."""

    draws: PosCount = Field(default=1000, le=MAX_DRAWS)
    """Parameter draws when the expected-value path prices each draw. Default: 1 000
    (assumption: the MCSE of a probability is at most 1.6 points, and the Grenverket pair takes a
    few seconds)."""
    simulated_draws: PosCount = Field(default=200, le=MAX_DRAWS)
    """Parameter draws when each draw must be simulated (binding capacity, a run horizon).
    Default: 200 (assumption: keeps such a run within minutes; MCSE of a probability ≤ 3.5 points)."""
    replications_per_draw: PosCount = Field(default=20, le=10_000)
    """Simulated cohorts averaged for each draw's expected result, when simulated. Default: 20
    (assumption)."""
    future_participants: PosCount = Field(default=1000, le=100_000_000)
    """Future participants the decision affects, to scale the value of information (EVPI,
    EVPPI) from one decision to a population. Default: 1 000 (assumption: about five years of
    intake of a programme of the Grenverket pair's size; state your own)."""
    seed: Count | None = None
    """Seed of the draws. Default: the scenario's simulation seed."""
    joint: list[JointGroup] = []
    """Inputs drawn together, a whole row at a time (e.g. a calibrated set). Default: none."""
    correlations: list[Correlation] = []
    """Inputs drawn with correlations (Gaussian copula). Default: none."""
