"""Per-actor decision figures: NPV, what each actor pays and gets back, and payback, per view.

The actor account (intressentkalkyl) of Swedish socioeconomic accounts, one row per actor and
view (1 and 5 years by default, and the headline horizon), per replication:

- `cost`: the real cost the actor bears (its programme cost lines, allowances excluded);
- `real`: its share of the real value of the work gained within the view (production and real
  resources saved), `transfers`: the financial flows it receives (+) or pays (−): allowances
  (funder to individual) and the transfers per person-year of work gained (taxes, benefits);
- `net` = real + transfers − cost. Summed over actors, transfers are 0 and net is the societal
  NPV of the view (`npv:<view>`), exactly;
- `paid` = cost + the allowances it pays (what it puts in: its co-financing, for a funder), and
  `returned` = net + paid (what comes back to it within the view);
- `payback_months`: the first calendar month from which its cumulative discounted `returned`
  stays at or above its cumulative discounted `paid` within the headline horizon
  (`figures.payback_month`); NaN when it never does, and for actors that pay nothing
  (`pays` False).

Costs and allowances count in full in every view, as the societal views count the whole cost.
Method: docs/method.md §12.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.economics.costs import Line
from model.economics.effect import Effect
from model.economics.figures import Baseline, Parts, parts, payback_month, view_heads, view_key
from model.economics.ledger import actor_months
from model.scenario import FUNDERS, Scenario

if TYPE_CHECKING:  # pandas loads when the tables are built (start-up of validate and exact mode)
    import pandas as pd

COLUMNS = ["actor", "view", "years", "cost", "cost_pv", "real", "real_pv", "transfers",
           "transfers_pv", "net", "net_pv", "paid", "paid_pv", "returned", "returned_pv",
           "pays", "payback_months"]
AMOUNTS = COLUMNS[3:15]


def actor_figures(sc: Scenario, eff: Effect, lines: list[Line], base: Baseline | None = None,
                  p: Parts | None = None) -> pd.DataFrame:
    """One row per actor and view (see the module docstring) for one replication (`p`: its
    `parts`, when the caller has them)."""
    import pandas as pd

    return pd.DataFrame(actor_columns(sc, eff, lines, base, p))


def actor_columns(sc: Scenario, eff: Effect, lines: list[Line], base: Baseline | None = None,
                  p: Parts | None = None) -> dict[str, np.ndarray]:
    """`actor_figures` as columns (COLUMNS), for a caller that joins many replications' rows
    into one table; `p`: the replication's `parts`, when the caller has them."""
    p = parts(sc, eff, lines, base) if p is None else p
    am = actor_months(sc, eff, lines, p, base)
    cost, cost_pv = am.cost.sum(axis=1), (am.cost * am.disc).sum(axis=1)
    allow, allow_pv = am.allowances.sum(axis=1), (am.allowances * am.disc).sum(axis=1)
    own, own_pv = am.allowances_paid.sum(axis=1), (am.allowances_paid * am.disc).sum(axis=1)
    cum_paid = np.cumsum((am.cost + am.allowances_paid) * am.disc, axis=1)
    cum_back = np.cumsum(am.benefit_pv + am.transfers_pv + am.allowances_paid * am.disc, axis=1)
    pays = cum_paid[:, -1] > 1e-9 if cum_paid.shape[1] else np.zeros(len(FUNDERS), dtype=bool)
    payback = np.array([payback_month(cum_back[i], cum_paid[i]) if pays[i] else np.nan
                        for i in range(len(FUNDERS))])
    cols: dict[str, list] = {c: [] for c in COLUMNS}
    for years, (head, head_pv) in view_heads(sc, eff, p, base).items():
        py, py_pv = head * p.adjust / 12.0, head_pv * p.adjust / 12.0
        real, real_pv = am.real_per_py * py, am.real_per_py * py_pv
        moved, moved_pv = allow + am.moved_per_py * py, allow_pv + am.moved_per_py * py_pv
        net, net_pv = real + moved - cost, real_pv + moved_pv - cost_pv
        view = {"actor": np.array(FUNDERS, dtype=object),
                "view": np.full(len(FUNDERS), view_key(years), dtype=object),
                "years": np.full(len(FUNDERS), float(years)),
                "cost": cost, "cost_pv": cost_pv, "real": real, "real_pv": real_pv,
                "transfers": moved, "transfers_pv": moved_pv, "net": net, "net_pv": net_pv,
                "paid": cost + own, "paid_pv": cost_pv + own_pv,
                "returned": net + cost + own, "returned_pv": net_pv + cost_pv + own_pv,
                "pays": pays, "payback_months": payback}
        for c in COLUMNS:
            cols[c].append(view[c])
    # one table's columns, built once from the views' (not a table per view, then joined)
    return {c: np.concatenate(per_view) for c, per_view in cols.items()}


def actor_summary(actors: pd.DataFrame) -> pd.DataFrame:
    """Per actor and view over replications: mean of every amount, the 95 % interval of the net
    PV, the mean payback over the runs that pay back and the share of runs that never do.

    Actors with nothing at stake in any view are left out. `no_payback` is the share, among the
    runs in which the actor pays something, of those whose payback is not reached within the
    headline horizon (NaN when it pays nothing in any run).
    """
    import pandas as pd

    from model.results import interval

    columns = [*COLUMNS[:3], *AMOUNTS, "net_pv_lo", "net_pv_hi", "pays", "payback_months",
               "no_payback", "runs"]
    if actors.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    order = actors.assign(_a=actors["actor"].map(FUNDERS.index)).sort_values(["_a", "years"],
                                                                            kind="stable")
    for (actor, view), g in order.groupby(["actor", "view"], sort=False):
        if not np.any(np.abs(actors.loc[actors["actor"] == actor, AMOUNTS].to_numpy()) > 1e-6):
            continue
        _, lo, hi, _ = interval(g["net_pv"])
        paying = g[g["pays"]]
        rows.append({"actor": actor, "view": view, "years": float(g["years"].iloc[0]),
                     **{c: float(g[c].mean()) for c in AMOUNTS},
                     "net_pv_lo": lo, "net_pv_hi": hi, "pays": float(g["pays"].mean()),
                     "payback_months": float(paying["payback_months"].mean())
                     if paying["payback_months"].notna().any() else np.nan,
                     "no_payback": float(paying["payback_months"].isna().mean())
                     if len(paying) else np.nan,
                     "runs": len(g)})
    # every actor may have nothing at stake (a programme against itself): keep the columns
    return pd.DataFrame(rows, columns=columns)
