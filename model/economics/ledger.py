"""Who pays, who gains: cost, real benefit and transfers per actor per year (the actor ledger).

Each actor's cost is the real cost it pays (times ASEK's tax factor, when set, for tax-financed
funders). Participants' allowances are transfers: paid by their funder, received by the
individual (net zero). The real value of the gain goes to actors as `model.economics.valuation`
says (`actor_shares` of value_per_year, or each component's actor), and transfers move money per
person-year of gain from payer to payee. Summed over actors: cost = the societal cost, benefit =
the societal revenue, transfers = 0, so net = the societal NPV.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass
class ActorMonths:
    """Per actor (rows, FUNDERS order) and calendar month (columns): what the ledger sums.

    `cost` is the real cost each actor pays, `allowances_paid` the participants' allowances each
    funder pays (transfers to the individual); `real_per_py` and `moved_per_py` the real value
    and the transfers per head-count person-year of work gained (after the adjustments).
    """

    cost: np.ndarray
    allowances_paid: np.ndarray
    gain_py: np.ndarray          # (2, months): person-years gained, undiscounted and PV
    real_per_py: np.ndarray
    moved_per_py: np.ndarray
    disc: np.ndarray

    @property
    def allowances(self) -> np.ndarray:
        """Allowances as transfers: − to the funder that pays them, + to the individual."""
        moved = -self.allowances_paid
        moved[FUNDERS.index("individen")] += self.allowances_paid.sum(axis=0)
        return moved

    @property
    def benefit(self) -> np.ndarray:
        return self.real_per_py[:, None] * self.gain_py[0][None, :]

    @property
    def benefit_pv(self) -> np.ndarray:
        return self.real_per_py[:, None] * self.gain_py[1][None, :]

    @property
    def transfers(self) -> np.ndarray:
        return self.allowances + self.moved_per_py[:, None] * self.gain_py[0][None, :]

    @property
    def transfers_pv(self) -> np.ndarray:
        return self.allowances * self.disc + self.moved_per_py[:, None] * self.gain_py[1][None, :]


def actor_months(sc: Scenario, eff: Effect, lines: list[Line], p: Parts, base: Baseline | None
                 ) -> ActorMonths:
    """The ledger's monthly arrays, over whole years of the programme (year 0 = months 0–11)."""
    gain = gain_calendar(eff, p, base)                  # head-count months by calendar month
    n_cal = max(gain.shape[1], len(p.cost_disc))
    months = (n_cal + 11) // 12 * 12
    disc = discount(np.arange(months) + 0.5, sc.valuation.discount_rate)

    def cash(ls: list[Line], allowance: bool) -> np.ndarray:
        out = np.zeros((len(FUNDERS), months))
        for line in ls:
            if line.allowance == allowance:
                out[FUNDERS.index(line.funder)] += _fit(line.total, months)
        return out

    tax = sc.valuation.tax_factor
    paid = cash(_real(lines, tax), allowance=False)
    allowances = cash(lines, allowance=True)
    if base is not None:
        paid -= base.scale * cash(_real(base.lines, tax), allowance=False)
        allowances -= base.scale * cash(base.lines, allowance=True)
    real, moved_per_year = p.values.by_actor(p.extent)
    gain_py = np.stack([_fit(gain[0], months), _fit(gain[1], months)]) / 12.0
    return ActorMonths(paid, allowances, gain_py, real, moved_per_year, disc)


def ledger(sc: Scenario, eff: Effect, lines: list[Line], p: Parts, base: Baseline | None
           ) -> pd.DataFrame:
    """One row per actor and year of the programme (year 0 = months 0–11)."""
    am = actor_months(sc, eff, lines, p, base)
    years = am.cost.shape[1] // 12

    def yearly(monthly: np.ndarray) -> np.ndarray:
        return monthly.reshape(len(FUNDERS), years, 12).sum(axis=2).ravel()

    import pandas as pd

    df = pd.DataFrame({
        "actor": np.repeat(np.array(FUNDERS, dtype=object), years),
        "year": np.tile(np.arange(years), len(FUNDERS)),
        "cost": yearly(am.cost), "cost_pv": yearly(am.cost * am.disc),
        "benefit": yearly(am.benefit), "benefit_pv": yearly(am.benefit_pv),
        "transfers": yearly(am.transfers), "transfers_pv": yearly(am.transfers_pv),
    })
    df["net"] = df["benefit"] + df["transfers"] - df["cost"]
    df["net_pv"] = df["benefit_pv"] + df["transfers_pv"] - df["cost_pv"]
    return df[COLUMNS]
