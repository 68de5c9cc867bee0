"""Routing and exit hazards per subgroup, and draws from cumulative shares."""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from model.scenario import Intervention, Scenario


@dataclass
class _Rules:
    """Routing and hazards of one intervention for one subgroup, as cumulative arrays."""

    route_to: list[str]
    route_cum: list[float]
    hazard_to: list[str]
    hazard_cum: list[float]
    hazard_total: float
    hazard_scale: float  # 1 / hazard_total: the mean time to an early exit (inf without hazards)


def _rules(sc: Scenario, iv: Intervention, attrs: tuple[str, str, str, str]) -> _Rules:
    routing = dict(iv.routing)
    hazards = dict(iv.exit_hazards)
    person = dict(zip(("sex", "born", "age_band", "target_group"), attrs, strict=True))
    for ov in sc.population.overrides:
        if all(person[k] == v for k, v in ov.when.items()) and iv.name in ov.interventions:
            o = ov.interventions[iv.name]
            if o.routing is not None:
                routing = dict(o.routing)
            if o.exit_hazards is not None:
                hazards.update(o.exit_hazards)
    hz = {k: v for k, v in hazards.items() if v > 0}
    total = float(sum(hz.values()))
    rc = np.cumsum(list(routing.values()))
    rc[-1] = 1.0
    hc = np.cumsum(list(hz.values())) / total if total > 0 else np.array([])
    if total > 0:
        hc[-1] = 1.0
    scale = 1.0 / total if total > 0 else math.inf
    return _Rules(list(routing), rc.tolist(), list(hz), hc.tolist(), total, scale)


def effective_rules(sc: Scenario, attrs: tuple[str, str, str, str]) -> dict[str, _Rules]:
    """Each intervention's routing and exit hazards after subgroup overrides."""
    return {iv.name: _rules(sc, iv, attrs) for iv in sc.interventions}


def _pick(cum: list[float], u: float) -> int:
    """Index chosen by the uniform number u from cumulative shares."""
    return min(bisect.bisect_right(cum, u), len(cum) - 1)


class _Chooser:
    """Draws one of the names in a share mapping, with its cumulative shares computed once.

    With a single name there is nothing to draw: the uniform number is not taken from its
    stream (`draw` is the stream's next-number function).
    """

    def __init__(self, shares: dict[str, float]):
        self.names = list(shares)
        cum = np.cumsum(list(shares.values()))
        cum[-1] = 1.0
        self.cum = cum.tolist()
        self.single = len(self.names) == 1

    def __call__(self, draw: Callable[[], float]) -> str:
        """The name chosen."""
        return self.names[0] if self.single else self.names[_pick(self.cum, draw())]

    def index(self, draw: Callable[[], float]) -> int:
        """The position of the name chosen."""
        return 0 if self.single else _pick(self.cum, draw())
