"""What a person-year in work is worth, to society and to each actor (intressentkalkyl).

Either one number, `valuation.value_per_year` (500 000 kr in PwC's Grenverket comparison), split
between actors by `actor_shares`, with optional `transfers`; or components, from a target group
of the unit-cost library (`valuation.unit_costs`) and/or the scenario's own (`components`), each
indexed by KPI from its price year to the scenario's. The societal (real) value counts production
and real resources only; transfers move money between actors and net to zero.

Per person-year of work gained (a participant in work instead of outside it), a component adds
  production: + amount (in work), − amount (out of work) to its payee;
  resource:    + amount when it occurs out of work (saved), − amount in work, to its payer;
  transfer:    in work, + amount to the payee and − to the payer; out of work, the reverse.
`fte` amounts scale with the employment extent, `head` amounts count people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.scenario import FUNDERS, Scenario


@dataclass(frozen=True)
class Values:
    """Kronor per person-year of work gained: societal and per actor, per FTE and per head."""

    per_fte: float
    per_head: float
    real_fte: np.ndarray        # by actor (FUNDERS order)
    real_head: np.ndarray
    transfer_fte: np.ndarray    # by actor; sums to 0
    transfer_head: np.ndarray
    basis: str                  # "value_per_year", "unit_costs:<group>" or "components"

    def per_head_year(self, extent: float) -> float:
        """Societal value of one person-year in work (head count) at this employment extent."""
        return self.per_fte * extent + self.per_head

    def by_actor(self, extent: float) -> tuple[np.ndarray, np.ndarray]:
        """(real, transfers) per actor for one head-count person-year in work."""
        return (self.real_fte * extent + self.real_head,
                self.transfer_fte * extent + self.transfer_head)


def components_of(sc: Scenario) -> list[tuple[str, str, str, str | None, str | None, float]]:
    """(kind, when, basis, payer, payee, kr per year in the scenario's price year) of each part."""
    from model.unit_costs import kpi_factor, load_unit_costs

    val = sc.valuation
    out = []
    if val.unit_costs is not None:
        group = load_unit_costs(_library_path(sc, val.unit_costs))
        for c in group.components:
            year = c.price_year or group.price_year
            out.append((c.kind, c.when, c.basis, c.payer, c.payee,
                        float(c.per_year.value) * kpi_factor(year, val.price_year)))
    for c in val.components:
        factor = kpi_factor(c.price_year, val.price_year) if c.price_year else 1.0
        out.append((c.kind, c.when, c.basis, c.payer, c.payee, float(c.per_year) * factor))
    return out


def _library_path(sc: Scenario, name: str) -> str:
    """A library group's name, or a path relative to the scenario's file (`model.unit_costs`)."""
    from model.unit_costs import named_group

    return named_group(sc, name)


def values(sc: Scenario) -> Values:
    """The scenario's valuation of a person-year in work (see the module docstring)."""
    val = sc.valuation
    n = len(FUNDERS)
    idx = {a: i for i, a in enumerate(FUNDERS)}
    if not val.by_parts:
        real = np.array([val.actor_shares.get(a, 0.0) for a in FUNDERS]) * val.value_per_year
        moved = np.array([sum(t.per_year for t in val.transfers if t.payee == a)
                          - sum(t.per_year for t in val.transfers if t.payer == a)
                          for a in FUNDERS])
        return Values(val.value_per_year, 0.0, real, np.zeros(n), moved, np.zeros(n),
                      "value_per_year")
    arrays = {k: np.zeros(n) for k in ("real_fte", "real_head", "transfer_fte", "transfer_head")}
    for kind, when, basis, payer, payee, amount in components_of(sc):
        sign = 1.0 if when == "in_work" else -1.0
        if kind == "production":
            arrays[f"real_{basis}"][idx[payee]] += sign * amount
        elif kind == "resource":
            arrays[f"real_{basis}"][idx[payer]] -= sign * amount
        else:
            arrays[f"transfer_{basis}"][idx[payee]] += sign * amount
            arrays[f"transfer_{basis}"][idx[payer]] -= sign * amount
    # the scenario's own transfers per person-year still apply (e.g. a local rule)
    for t in val.transfers:
        arrays["transfer_fte"][idx[t.payee]] += t.per_year
        arrays["transfer_fte"][idx[t.payer]] -= t.per_year
    basis = f"unit_costs:{val.unit_costs}" if val.unit_costs else "components"
    return Values(float(arrays["real_fte"].sum()), float(arrays["real_head"].sum()),
                  arrays["real_fte"], arrays["real_head"], arrays["transfer_fte"],
                  arrays["transfer_head"], basis)
