"""Price a table of parameter draws on the vectorised expected-value path (issue 22).

`price_draws` takes the scenarios and a table of draws (one column per uncertain input name, and
one per joint group: `model.psa.inputs.draw` or a calibration's batch of proposals) and returns
every figure of every scenario at every draw, as the per-draw path (`model.psa.run._run_task`:
one validated `Scenario` per draw, `model.evaluate`) would, but with the uncertain inputs as
arrays and every draw priced in one pass (`model.expected.batch`, `model.economics.vector`).

Which inputs are vectorised is decided per input path (`handler`); a scenario with an input of
another kind, or a draw whose value the simple range checks here do not clear (a calibration
proposal outside what the scenario allows), is left to the per-draw path, which gives the
reference answer (or 'invalid'). `Vectorised.note` says which, for the method line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from model.psa.inputs import Plan
from model.scenario import Scenario
from model.sweep.paths import parse_path

if TYPE_CHECKING:
    import pandas as pd

PRICING = {("employment", "extent"): ("extent", "share"),
           ("counterfactual", "deadweight"): ("deadweight", "share"),
           ("counterfactual", "displacement"): ("displacement", "share"),
           ("valuation", "confidence_haircut"): ("haircut", "share")}


@dataclass
class Vectorised:
    """What `price_draws` priced: the metric rows, and per scenario the draws left to the
    per-draw path and why."""

    metrics: pd.DataFrame
    pending: dict[str, np.ndarray] = field(default_factory=dict)   # scenario -> draw positions
    reasons: dict[str, str] = field(default_factory=dict)          # scenario -> why

    def note(self, scenario: str, total: int) -> str:
        """How the scenario's draws were priced, in a few words (English)."""
        left = len(self.pending.get(scenario, []))
        if left == 0:
            return f"all {total} draws at once (vectorised)"
        if left == total:
            return f"draw by draw ({self.reasons.get(scenario, '')})"
        return (f"{total - left} draws at once, {left} draw by draw "
                f"({self.reasons.get(scenario, '')})")


def _iv_index(sc: Scenario, key: str) -> int | None:
    names = sc.names
    if key in names:
        return names.index(key)
    if key.lstrip("-").isdigit() and -len(names) <= int(key) < len(names):
        return int(key) % len(names)
    return None


def handler(sc: Scenario, parts: list[str]) -> tuple[Any, ...] | None:
    """How a path is vectorised in this scenario (None: it is not)."""
    key = tuple(parts)
    if key in PRICING:
        return ("pricing", *PRICING[key])
    lattice_ok = len(sc.population.overrides) == 0 and not sc.has_capacity_limits()
    if key == ("employment", "retention", "share_at_12_months"):
        return ("share12",) if sc.employment.retention.monthly_hazard is None else None
    if key == ("employment", "retention", "monthly_hazard"):
        return ("loss",)
    if key == ("counterfactual", "monthly_hazard"):
        return ("f",) if not sc.counterfactual.by_group else None
    if key == ("valuation", "value_per_year"):
        return ("pricing", "value_per_year", "money") if not sc.valuation.by_parts else None
    if key == ("intake", "max_participants"):
        ok = sc.intake.max_participants is not None and not sc.has_capacity_limits()
        return ("cap",) if ok else None
    if len(parts) == 4 and parts[:3] == ["costs", "per_participant_month", parts[2]] \
            and parts[3] == "per_participant_month" and parts[2].isdigit() \
            and int(parts[2]) < len(sc.costs.per_participant_month):
        return ("pm_cost", int(parts[2]), parts[3])
    if len(parts) < 4 or parts[0] != "interventions":
        return None
    i = _iv_index(sc, parts[1])
    if i is None:
        return None
    iv = sc.interventions[i]
    if len(parts) == 5 and parts[2] == "costs" and parts[3].isdigit() \
            and int(parts[3]) < len(iv.costs) and parts[4] in ("per_start", "per_participant_month"):
        return ("iv_cost", i, int(parts[3]), parts[4])
    if not lattice_ok or len(parts) != 4:
        return None
    if parts[2:] == ["duration", "months"] and iv.duration.dist == "fixed":
        return ("months", i)
    if parts[2] == "exit_hazards" and parts[3] in iv.exit_hazards:
        return ("hazard", i, parts[3])
    if parts[2] == "routing" and parts[3] in iv.routing:
        return ("routing", i, parts[3])
    return None


def _columns(p: Plan, sc: Scenario, table: pd.DataFrame) -> list[tuple[list[str], np.ndarray]]:
    """(path parts, values per draw) of every input the scenario draws, as `assignments` sets
    them one draw at a time."""
    out = [(u.parts, table[u.name].to_numpy(dtype=float)) for u in p.by_scenario.get(sc.name, [])]
    for g, entry in p.joint.items():
        if sc.name in entry["paths"]:
            paths, rows = entry["paths"][sc.name]
            idx = table[f"joint:{g}"].to_numpy().astype(int)
            out += [(parse_path(path), rows[idx, j].astype(float)) for j, path in enumerate(paths)]
    return out


def _inputs(sc: Scenario, cols: list[tuple[tuple[Any, ...], np.ndarray]], size: int
            ) -> tuple[Any, Any, np.ndarray]:
    """The draws' `Varied` and `Pricing`, and which draws the range checks clear."""
    from model.economics.vector import Pricing
    from model.expected.batch import Varied

    v, pr = Varied(size), Pricing(size)
    ok = np.ones(size, dtype=bool)
    routing: dict[int, dict[str, np.ndarray]] = {}
    for h, x in cols:
        finite = np.isfinite(x)
        kind = h[0]
        if kind == "pricing":
            _, name, rng = h
            ok &= finite & (x >= 0) & ((x <= 1) if rng == "share" else True)
            setattr(pr, name, x)
        elif kind == "share12":
            ok &= finite & (x > 0) & (x <= 1)
            v.loss = -np.log(np.where(ok, x, 0.5)) / 12.0
        elif kind == "loss":
            ok &= finite & (x >= 0)
            v.loss = x
        elif kind == "f":
            ok &= finite & (x >= 0)
            v.f = x
        elif kind == "cap":
            ok &= finite & (x >= 1) & (np.round(x) == x)
            v.cap = np.where(ok, x, 1).astype(np.int64)
        elif kind == "pm_cost":
            ok &= finite & (x >= 0)
            pr.pm_costs[(h[1], h[2])] = x
        elif kind == "iv_cost":
            ok &= finite & (x >= 0)
            pr.iv_costs[(h[1], h[2], h[3])] = x
        elif kind == "months":
            ok &= finite & (x > 0)
            v.months[h[1]] = np.where(ok, x, 1.0)
        elif kind == "hazard":
            ok &= finite & (x >= 0)
            v.hazards[(h[1], h[2])] = x
        elif kind == "routing":
            ok &= finite & (x >= 0) & (x <= 1)
            routing.setdefault(h[1], {})[h[2]] = x
    for i, set_ in routing.items():
        # `sweep.paths.apply_values`: the shares not set are scaled by (1 − set) / their old sum
        node = {k: float(x) for k, x in sc.interventions[i].routing.items()}
        fixed = sum(set_.values(), np.zeros(size))
        others = [k for k in node if k not in set_]
        old = sum(node[k] for k in others)
        ok &= fixed <= 1.0 + 1e-9
        shares: dict[str, np.ndarray] = dict(set_)
        if others:
            if old <= 0:
                ok &= False
            factor = (1.0 - fixed) / (old if old > 0 else 1.0)
            ok &= factor >= 0
            for k in others:
                shares[k] = node[k] * factor
        else:
            ok &= np.abs(fixed - 1.0) <= 1e-9
        v.routing[i] = {k: shares[k] for k in node}
    return v, pr, ok


def _take(v: Any, pr: Any, rows: np.ndarray) -> tuple[Any, Any]:
    """The draws at positions `rows` of a Varied and a Pricing."""
    from dataclasses import replace

    def sub(x: Any) -> Any:
        if isinstance(x, np.ndarray):
            return x[rows]
        if isinstance(x, dict):
            return {k: sub(y) for k, y in x.items()}
        return x

    return (replace(v, size=len(rows), **{k: sub(getattr(v, k)) for k in
                                          ("months", "hazards", "routing", "cap", "f", "loss")}),
            replace(pr, size=len(rows), **{k: sub(getattr(pr, k)) for k in
                                           ("extent", "value_per_year", "deadweight", "displacement",
                                            "haircut", "iv_costs", "pm_costs")}))


def _baseline(sc: Scenario, participants: np.ndarray, memo: Any = None) -> Any:
    """The reference programme's expected run (one row) scaled to each draw's participants."""
    from model.economics.vector import BBaseline
    from model.expected.memo import memo_or_new

    found = memo_or_new(memo).get("reference", lambda: _reference_run(sc))
    if found is None:
        return None
    eff, lines, n_ref = found
    scale = participants / n_ref if n_ref > 0 else np.zeros_like(participants)
    return BBaseline(eff, lines, scale)


def _reference_run(sc: Scenario) -> Any:
    """The reference programme's expected run as one row: (effects, lines, participants)."""
    from model.evaluate import reference_of
    from model.expected import expected_unit
    from model.expected.batch import BLine, Effects

    ref = reference_of(sc)
    if ref is None:
        return None
    unit = expected_unit(ref, checked=True)
    e = unit.effect
    eff = Effects(n=e.n[None], curves={k: x[None] for k, x in e.curves.items()},
                  curves_pv={k: x[None] for k, x in e.curves_pv.items()},
                  calendar={k: x[None] for k, x in e.calendar.items()},
                  swapped_pv={k: x[None] for k, x in e.swapped_pv.items()},
                  exits={k: np.array([x]) for k, x in e.exits.items()}, categories=e.categories,
                  jobs_without_at_exit=e.jobs_without_at_exit[None], work_12=e.work_12[None],
                  months_to={k: np.array([x]) for k, x in e.months_to.items()},
                  months_total=np.array([e.months_total]))
    lines = [BLine(x.funder, x.label, x.allowance, x.amount[None]) for x in unit.lines]
    return eff, lines, e.participants


BLOCK = 1000
"""Distinct parameter sets priced in one pass at most: more are priced in blocks of this many, so
that memory stays bounded (the figures differ from one pass by rounding only: a block's lattice
may be shorter)."""


def price_scenario(sc: Scenario, cols: list[tuple[list[str], np.ndarray]], size: int,
                   memo: Any = None, only: frozenset[str] | None = None
                   ) -> tuple[dict[str, np.ndarray] | None, np.ndarray, str]:
    """Every figure of one scenario at `size` draws given as (path parts, values) columns:
    (metrics by name, each (size,), or None; the draws left to the per-draw path; why).

    Each distinct set of values is priced once (draws from a joint group's rows repeat rows: the
    Grenverket pair's 10 000 draws hold at most its 1 280 calibrated sets), in blocks of `BLOCK`.
    `memo` (`model.expected.memo.Memo`) keeps what the unchanged scenario gives between calls;
    `only` asks for those metrics (and may give no others), as a calibration's targets do."""
    if size <= 1 or not cols:
        return _price_block(sc, cols, size, memo, only)
    values = np.column_stack([x for _, x in cols])
    if not np.isfinite(values).all():
        return _price_block(sc, cols, size, memo, only)
    uniq, inverse = np.unique(values, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    if len(uniq) == size and size <= BLOCK:
        return _price_block(sc, cols, size, memo, only)
    parts_ = [parts for parts, _ in cols]
    out: dict[str, np.ndarray] = {}
    gone = np.zeros(len(uniq), dtype=bool)
    why = ""
    for lo in range(0, len(uniq), BLOCK):
        rows = uniq[lo:lo + BLOCK]
        m, pending, reason = _price_block(sc, [(p, rows[:, j]) for j, p in enumerate(parts_)],
                                          len(rows), memo, only)
        gone[pending + lo] = True
        why = why or (reason if len(pending) else "")
        for k, x in (m or {}).items():
            out.setdefault(k, np.full(len(uniq), math.nan))[lo:lo + len(rows)] = x
    if not out:
        return None, np.arange(size), why
    return {k: x[inverse] for k, x in out.items()}, np.flatnonzero(gone[inverse]), why


def _price_block(sc: Scenario, cols: list[tuple[list[str], np.ndarray]], size: int,
                 memo: Any = None, only: frozenset[str] | None = None
                 ) -> tuple[dict[str, np.ndarray] | None, np.ndarray, str]:
    """`price_scenario` of one block of draws, in one pass."""
    from model.economics.lean import lean_figures_b, lean_metrics
    from model.economics.vector import cost_lines_b, figures_b
    from model.expected.batch import batch_unit

    handled = []
    for parts, x in cols:
        h = handler(sc, parts)
        if h is None:
            return None, np.arange(size), f"'{'.'.join(parts)}' is not vectorised"
        handled.append((h, x))
    v, pr, ok = _inputs(sc, handled, size)
    rows = np.flatnonzero(ok)
    if len(rows) == 0:
        return None, np.arange(size), "values outside the vectorised checks"
    if len(rows) < size:
        v, pr = _take(v, pr, rows)
    lean = only is not None and lean_metrics(sc, only)
    eff, act, failed = batch_unit(sc, v, memo, lean)
    lines = cost_lines_b(sc, act, pr)
    base = _baseline(sc, eff.participants, memo)
    m = lean_figures_b(sc, eff, lines, pr, base, only) if lean else figures_b(sc, eff, lines, pr, base)
    bad = np.zeros(len(rows), dtype=bool)
    bad[list(failed)] = True
    out = {k: np.full(size, math.nan) for k in m}
    keep = rows[~bad]
    for k, x in m.items():
        out[k][keep] = x[~bad]
    pending = np.setdiff1d(np.arange(size), keep)
    why = ("values outside the vectorised checks" if len(rows) < size
           else next(iter(failed.values()), ""))
    return out, pending, why


def price_draws(scenarios: list[tuple[dict[str, Any], Scenario]], table: pd.DataFrame,
                p: Plan | None = None) -> Vectorised:
    """Every figure of every scenario at every draw of `table` that the vectorised path can
    price: rows (draw, scenario, method='expected', figures...) in draw order per scenario, and
    per scenario the draw positions (rows of `table`) left to the per-draw path.

    `table` holds one column per uncertain input name and one `joint:<group>` column per joint
    group (row index), as `model.psa.inputs.draw` makes it, plus `draw`; `p` is
    `model.psa.inputs.plan(scenarios)` (made here when not given). The scenarios must be ones the
    expected-value path applies to (`model.evaluate.why_not_expected`)."""
    import pandas as pd

    from model.psa.inputs import plan

    p = p if p is not None else plan(scenarios)
    size = len(table)
    draws = (table["draw"].to_numpy() if "draw" in table else np.arange(size)).astype(int)
    frames = []
    res = Vectorised(pd.DataFrame())
    for _, sc in scenarios:
        cols = _columns(p, sc, table)
        m, pending, why = price_scenario(sc, cols, size)
        if len(pending):
            res.pending[sc.name] = pending
            res.reasons[sc.name] = why
        if m is None:
            continue
        keep = np.setdiff1d(np.arange(size), pending)
        frame = pd.DataFrame({"draw": draws[keep], "scenario": sc.name, "method": "expected",
                              **{k: x[keep] for k, x in m.items()}})
        frames.append(frame)
    res.metrics = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return res
