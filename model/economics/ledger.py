"""Who pays, who gains: cost, real benefit and transfers per actor per year (the actor ledger).

Each actor's cost is the real cost it pays (times ASEK's tax factor, when set, for tax-financed
funders). Participants' allowances are transfers: paid by their funder, received by the
individual (net zero). The real value of the gain goes to actors as `model.economics.valuation`
says (`actor_shares` of value_per_year, or each component's actor), and transfers move money per
person-year of gain from payer to payee. Summed over actors: cost = the societal cost, benefit =
the societal revenue, transfers = 0, so net = the societal NPV.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.economics.costs import Line
from model.economics.effect import Effect, discount
from model.economics.figures import Baseline, Parts, _fit, _real, gain_calendar
from model.scenario import FUNDERS, Scenario

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["actor", "year", "cost", "cost_pv", "benefit", "benefit_pv", "transfers",
           "transfers_pv", "net", "net_pv"]


def _by_year(monthly: np.ndarray, years: int) -> np.ndarray:
    out = np.zeros(years * 12)
    out[:len(monthly)] = monthly
    return out.reshape(years, 12).sum(axis=1)


def ledger(sc: Scenario, eff: Effect, lines: list[Line], p: Parts, base: Baseline | None
           ) -> pd.DataFrame:
    """One row per actor and year of the programme (year 0 = months 0–11)."""
    val = sc.valuation
    gain = gain_calendar(eff, p, base)                  # head-count months by calendar month
    n_cal = max(gain.shape[1], len(p.cost_disc))
    years = (n_cal + 11) // 12
    disc = discount(np.arange(years * 12) + 0.5, val.discount_rate)
    py = _by_year(gain[0], years) / 12.0
    py_pv = _by_year(gain[1], years) / 12.0

    def cash(ls: list[Line], allowance: bool) -> np.ndarray:
        out = np.zeros((len(FUNDERS), years * 12))
        for line in ls:
            if line.allowance == allowance:
                out[FUNDERS.index(line.funder)] += _fit(line.total, years * 12)
        return out

    tax = val.tax_factor
    paid = cash(_real(lines, tax), allowance=False)
    allowances = cash(lines, allowance=True)
    if base is not None:
        paid -= base.scale * cash(_real(base.lines, tax), allowance=False)
        allowances -= base.scale * cash(base.lines, allowance=True)
    received = -allowances
    received[FUNDERS.index("individen")] += allowances.sum(axis=0)
    real, moved_per_year = p.values.by_actor(p.extent)
    share, per_py = real[:, None], moved_per_year[:, None]

    def yearly(monthly: np.ndarray) -> np.ndarray:
        return monthly.reshape(len(FUNDERS), years, 12).sum(axis=2)

    cost, cost_pv = yearly(paid), yearly(paid * disc)
    moved, moved_pv = yearly(received), yearly(received * disc)
    import pandas as pd

    df = pd.DataFrame({
        "actor": np.repeat(np.array(FUNDERS, dtype=object), years),
        "year": np.tile(np.arange(years), len(FUNDERS)),
        "cost": cost.ravel(), "cost_pv": cost_pv.ravel(),
        "benefit": (share * py[None, :]).ravel(),
        "benefit_pv": (share * py_pv[None, :]).ravel(),
        "transfers": (moved + per_py * py[None, :]).ravel(),
        "transfers_pv": (moved_pv + per_py * py_pv[None, :]).ravel(),
    })
    df["net"] = df["benefit"] + df["transfers"] - df["cost"]
    df["net_pv"] = df["benefit_pv"] + df["transfers_pv"] - df["cost_pv"]
    return df[COLUMNS]
