"""From checked records to a scenario: the fits (survival, intake, population), the bootstrap over
persons that carries their sampling uncertainty as an `uncertainty.joint` group, and the raw
scenario mapping (alone, or replacing the fitted parts of a `--base` scenario).

Only aggregates leave this module: counts, shares, fitted parameters and bootstrap rows of them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from model.errors import InputError, Problem
from model.fit import survival
from model.fit.intake import IntakeFit, fit_intake, rate_draws
from model.fit.population import share_paths, share_values
from model.fit.records import Records, category_of

BOOTSTRAP = 200  # assumption: 200 resamples put a 95 % percentile interval's ends within about
#                  a tenth of its width; the PSA then draws whole rows of them
DEFAULT_REPLICATIONS = 200
SMALL_EXITS = 30  # assumption: below 30 exits a share's 95 % interval is wider than about ±0.18


@dataclass
class FitResult:
    """Everything the fit found, as aggregates; `scenario` is the raw mapping written out."""

    records: Records
    states: list[str]
    shapes: list[survival.ShapeFit]
    shape: survival.ShapeFit
    routing: dict[str, float]
    intake: IntakeFit
    paths: list[str]
    values: list[float]
    rows: np.ndarray
    median: tuple[float, float, float]
    timing_p: float | None
    intervention: str
    seed: int
    notes: list[str] = field(default_factory=list)
    representation: str = ""
    steps: list[Any] = field(default_factory=list)        # multi-step records: steps.StepFit
    entry: dict[str, float] = field(default_factory=dict)  # multi-step records: entry shares
    scenario: dict[str, Any] = field(default_factory=dict)

    def interval(self, path: str) -> tuple[float, float]:
        """The bootstrap's 95 % percentile interval of one fitted value."""
        col = self.rows[:, self.paths.index(path)]
        return float(np.quantile(col, 0.025)), float(np.quantile(col, 0.975))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Stays (months) and exit codes (0 still enrolled, k = states[k-1]); for multi-step
        records the whole programme's, per person (first entry to last exit)."""
        if self.steps:
            from model.fit.steps import programme_arrays
            return programme_arrays(self.records, self.states)
        return _arrays(self.records, self.states)


def _arrays(rec: Records, states: list[str]) -> tuple[np.ndarray, np.ndarray]:
    t = np.array([s.months for s in rec.stays], float)
    codes = np.array([0 if s.reason is None else states.index(s.reason) + 1 for s in rec.stays], int)
    return t, codes


def _r(x: float, digits: int = 4) -> float:
    return float(round(x, digits))


def _shares(values: np.ndarray, digits: int = 4) -> list[float]:
    """Shares rounded so that they still sum to exactly 1 (the remainder on the largest)."""
    out = [round(float(v), digits) for v in values]
    if out:
        i = int(np.argmax(out))
        out[i] = round(1.0 - sum(v for j, v in enumerate(out) if j != i), digits)
    return out


try:  # lifelines' own convergence error, raised when a resample cannot be fitted
    from lifelines.exceptions import ConvergenceError
except ImportError:  # pragma: no cover
    ConvergenceError = RuntimeError  # type: ignore[misc,assignment]


def fit(rec: Records, seed: int = 20140227, n_boot: int = BOOTSTRAP,
        states: list[str] | None = None, intervention: str | None = None) -> FitResult:
    """Fit the stay, the destinations, the intake and the population shares, with a seeded
    bootstrap over persons (a parametric one for the stream's rate)."""
    states = states or list(rec.reasons)
    if not states:
        raise InputError([Problem(rec.file, "exit_reason", "no participant has left yet: the "
                                  "records cannot tell how long a stay lasts or where it ends")])
    t, codes = _arrays(rec, states)
    observed = codes > 0
    shapes, failed = survival.fit_shapes(t, observed)
    if not any(f.expressible for f in shapes):
        raise InputError([Problem(rec.file, "", "no shape of the stay could be fitted (the "
                                  f"optimiser did not converge for {', '.join(failed)}); too few "
                                  "or too irregular exits")])
    shape = survival.chosen(shapes)
    routing = survival.shares(codes, len(states))
    intake = fit_intake([s.entry_date for s in rec.stays], np.array([s.entry for s in rec.stays]),
                        rec.end)
    name = intervention or rec.intervention or "insats"
    pop_spec = share_paths(rec.stays, rec.attributes)

    paths = stay_paths(name, shape.family, states)
    has_rate = intake.stream is not None
    if has_rate:
        paths.append("intake.stream.rate_per_month")
    paths += [p for p, _, _ in pop_spec]

    def row(idx: np.ndarray | None, rate: float | None) -> list[float]:
        tt, cc = (t, codes) if idx is None else (t[idx], codes[idx])
        sh = shape if idx is None else survival.fit_shape(shape.family, tt, cc > 0, start=shape)
        vals = [_r(sh.mean, 3)] + ([_r(sh.cv)] if shape.family != "exponential" else [])
        vals += _shares(survival.shares(cc, len(states)))
        if has_rate:
            vals.append(_r(rate if rate is not None else float(intake.stream["rate_per_month"]), 3))
        return vals + population_values(share_values(rec.stays, pop_spec, idx), pop_spec)

    rng = np.random.default_rng(seed)
    rates = rate_draws(intake, rng, n_boot) if has_rate else [None] * n_boot
    rows, redrawn = bootstrap(row, len(rec.stays), rates, rng, rec.file,
                              "the bootstrap could not refit the stay in 20 resamples running; "
                              "too few exits to fit a shape",
                              usable=lambda idx: bool((codes[idx] > 0).any()))
    res = FitResult(records=rec, states=states, shapes=shapes, shape=shape,
                    routing=dict(zip(states, _shares(routing), strict=True)), intake=intake,
                    paths=paths, values=row(None, None), rows=np.array(rows, float),
                    median=survival.km_median(t, observed), timing_p=survival.timing_check(t, codes),
                    intervention=name, seed=seed)
    res.representation = survival.representation(shape, states, res.routing, res.timing_p)
    res.notes = _limits(res, pop_spec)
    if failed:
        res.notes.append(f"The {', '.join(failed)} fit did not converge and is left out of the "
                         "comparison.")
    if redrawn:
        res.notes.append(f"{redrawn} bootstrap resamples had no exit or no converging fit and "
                         "were drawn again: the intervals lean on the resamples that could be fitted.")
    return res


def bootstrap(row: Callable[[np.ndarray, float | None], list[float]], n: int,
              rates: list[float | None], rng: np.random.Generator, file: str, problem: str,
              usable: Callable[[np.ndarray], bool] | None = None) -> tuple[list[list[float]], int]:
    """One row per rate of `rates` from a resample of the n persons (with replacement): a
    resample that `usable` rejects, or whose fit fails, is drawn again and counted; 20 in a row
    is an input problem (`problem`: the records cannot carry a fit)."""
    rows: list[list[float]] = []
    redrawn = 0
    for rate in rates:
        for _attempt in range(20):
            idx = rng.integers(0, n, n)
            if usable is not None and not usable(idx):
                redrawn += 1
                continue
            try:
                rows.append(row(idx, rate))
                break
            except (ConvergenceError, ValueError, FloatingPointError):
                redrawn += 1
        else:
            raise InputError([Problem(file, "", problem)])
    return rows, redrawn


def population_values(pop: np.ndarray, spec: list[tuple[str, str, object]]) -> list[float]:
    """The population shares of `pop`, each mix of the spec rounded to sum to one, in order."""
    vals: list[float] = []
    k = 0
    for mix in _mixes(spec):
        vals += _shares(pop[k:k + mix])
        k += mix
    return vals


def _mixes(spec: list[tuple[str, str, object]]) -> list[int]:
    """The number of shares in each mix of the population spec, in order."""
    sizes: list[int] = []
    last = None
    for _, col, _ in spec:
        if col != last:
            sizes.append(0)
            last = col
        sizes[-1] += 1
    return sizes


def stay_paths(name: str, family: str, states: list[str]) -> list[str]:
    """The scenario paths one intervention's fitted stay and routing fill, in the rows' order:
    the mean stay, its CV (not for an exponential) and the share to each destination."""
    dur = f"interventions[{name}].duration"
    return ([f"{dur}.mean"] + ([f"{dur}.cv"] if family != "exponential" else [])
            + [f"interventions[{name}].routing[{s}]" for s in states])


def _limits(res: FitResult, pop_spec: list) -> list[str]:
    """What the records cannot tell, in plain words (the report and the scenario say them)."""
    rec = res.records
    t, codes = res.arrays()
    out = []
    longest = float(t.max())
    out.append(f"Stays beyond {longest:.1f} months (the longest seen) are the fitted "
               f"{res.shape.family} shape's extrapolation, not data.")
    if rec.enrolled:
        out.append(f"{rec.enrolled} of {rec.n} were still enrolled at {rec.data_date}: where they "
                   "will go is assumed to follow the shares of those who left (destination "
                   "independent of the time of exit).")
    if res.timing_p is not None and res.timing_p < 0.05:
        out.append(f"Destinations differ between early and late exits (p = {res.timing_p:.3f}); "
                   "the routing's shares average over time, so early and late exits are mixed.")
    few = [s for s in res.states if (codes == res.states.index(s) + 1).sum() < 10]
    if few:
        out.append("Fewer than 10 exits to " + ", ".join(few) + ": their shares are wide (see "
                   "the intervals) and the PSA carries that.")
    best = res.shapes[0]
    if not best.expressible:
        out.append(f"The {best.family} shape fits best (AIC {best.aic:.1f}); the scenario "
                   f"schema has no {best.family} stay, so the scenario uses the "
                   f"{res.shape.family} (AIC {res.shape.aic:.1f}, {res.shape.aic - best.aic:.1f} more).")
    exits = int((codes > 0).sum())
    if exits < SMALL_EXITS:
        mean = f"interventions[{res.intervention}].duration.mean"
        lo, hi = res.interval(mean) if mean in res.paths and len(res.rows) else (np.nan, np.nan)
        out.append(f"Only {exits} exits among {rec.n} participants: the uncertainty is wide (the "
                   f"mean stay's 95 % interval runs from {lo:.1f} to {hi:.1f} months, the "
                   "destination shares' by tens of points); the intervals and the PSA carry it, "
                   "and no decision should rest on the fitted values alone.")
    out.append("What would have happened without the programme, costs and the value of a job are "
               "not in participant records: they come from a base scenario (--base) or stay at "
               "the defaults, which are labelled assumptions.")
    if not pop_spec:
        out.append("No attribute columns: the population is one unnamed category.")
    return out


# ------------------------------------------------------------------ the scenario mapping


def _src(value: float, source: str) -> dict[str, Any]:
    return {"value": value, "source": source}


def _intake_block(res: FitResult) -> dict[str, Any]:
    rec, it = res.records, res.intake
    basis = rec.basis
    out: dict[str, Any] = {}
    if it.cohort:
        n, m = it.cohort
        out["cohort"] = {"n": _src(n, basis("entries on one date")),
                         "month": _src(m, basis("that date, in months from month 0"))}
    if it.stream:
        s = it.stream
        how = (f"Poisson rate: {s['n']} entries outside group dates over {it.open_months:.1f} "
               "open months (pauses left out); interval by a parametric bootstrap, Poisson(count)")
        out["stream"] = {"rate_per_month": _src(_r(float(s["rate_per_month"]), 3), basis(how)),
                         "start_month": _src(s["start_month"], basis("the month of the first "
                                                                     "entry outside group dates"))}
        if s["end_month"] is not None:
            out["stream"]["end_month"] = _src(s["end_month"], basis(
                "the month after the last entry (no entry since, unlikely by chance at that rate)"))
    if it.groups:
        g = it.groups
        out["groups"] = {
            "size": _src(int(g["size"]), basis(f"median of {int(g['n_groups'])} dates with "
                                               "many entries (group intakes)")),
            "every_months": _src(g["every_months"], basis("median months between group dates")),
            "start_month": _src(g["start_month"], basis("the first group date")),
            "end_month": _src(g["end_month"], basis("half an interval after the last group date"))}
    if it.pauses:
        out["pauses"] = [{"start_month": _src(a, basis("months without any entry, unlikely by "
                                                       "chance (p < 0.05) at the fitted intake")),
                          "end_month": _src(b, basis("entries resume"))} for a, b in it.pauses]
    return out


def _value_map(res: FitResult) -> dict[str, float]:
    return dict(zip(res.paths, res.values, strict=True))


def _population_blocks(res: FitResult) -> tuple[dict[str, Any], dict[str, Any]]:
    """(population keys, intake.referral_sources) fitted from the attribute columns."""
    rec = res.records
    vals = _value_map(res)
    basis = rec.basis("share of participants (bootstrap over persons for the interval)")
    pop: dict[str, Any] = {}
    referral: dict[str, Any] = {}
    for path in res.paths:
        if path.startswith("population.joint["):
            i = int(path.split("[")[1].split("]")[0])
            cell = _cell_of(rec, i)
            pop.setdefault("joint", []).append({"sex": cell[0], "born": cell[1],
                                                "share": _src(vals[path], basis)})
        elif path.startswith("population."):
            key, level = path[len("population."):].split("[", 1)
            pop.setdefault(key, {})[level[:-1]] = _src(vals[path], basis)
        elif path.startswith("intake.referral_sources["):
            referral[path.split("[", 1)[1][:-1]] = _src(vals[path], basis)
    return pop, referral


def _cell_of(rec: Records, i: int) -> tuple[str, str]:
    from model.fit.population import cells
    return cells(rec.first_stays())[i]


def _intervention_block(res: FitResult) -> dict[str, Any]:
    rec, sh = res.records, res.shape
    vals = _value_map(res)
    others = ", ".join(f"{f.family} {f.aic:.1f}" for f in res.shapes if f is not sh)
    how = (f"maximum likelihood with right censoring (lifelines), the {sh.family} shape chosen by "
           f"AIC {sh.aic:.1f} among those a scenario can hold (others: {others})")
    dur: dict[str, Any] = {"dist": sh.family,
                           "mean": _src(vals[res.paths[0]], rec.basis(f"mean stay, {how}"))}
    if sh.family != "exponential":
        dur["cv"] = _src(vals[res.paths[1]], rec.basis(f"standard deviation over mean, {how}"))
    _, codes = res.arrays()
    exits = int((codes > 0).sum())
    routing = {}
    for k, s in enumerate(res.states):
        n_k = int((codes == k + 1).sum())
        routing[s] = _src(vals[f"interventions[{res.intervention}].routing[{s}]"], rec.basis(
            f"{n_k} of the {exits} exits; destination independent of the time of exit "
            "(vertical model of competing risks), the Aalen-Johansen curves in the fit report "
            "check it"))
    return {"name": res.intervention, "label": res.intervention, "duration": dur, "routing": routing}


def _joint_group(res: FitResult, name: str) -> dict[str, Any]:
    rec = res.records
    return {"name": f"{name}:fit", "source": rec.basis(
                f"{len(res.rows)} bootstrap resamples of the persons (seed {res.seed}), each "
                "refitted; the stream's rate by a parametric bootstrap (Poisson count)"),
            "paths": list(res.paths), "rows": [list(map(float, r)) for r in res.rows]}


def standalone(res: FitResult, name: str) -> dict[str, Any]:
    """The fitted scenario on its own: costs and valuation stay at their labelled defaults."""
    rec = res.records
    pop, referral = _population_blocks(res)
    intake = _intake_block(res)
    if referral:
        intake["referral_sources"] = referral
    sc: dict[str, Any] = {
        "name": name,
        "label": f"{name} (fitted from {_file(rec)})",
        "description": (f"Fitted by insats fit from {_file(rec)} ({rec.n} participants, "
                        f"{rec.enrolled} still enrolled at {rec.data_date}); month 0 is "
                        f"{rec.month_zero}. Only aggregates of the records are written here."),
        "simulation": _simulation(res),
        "intake": intake,
    }
    if pop:
        sc["population"] = pop
    sc["entry"] = res.intervention
    sc["interventions"] = [_intervention_block(res)]
    sc["exit_states"] = {s: {"category": category_of(s), "label": s} for s in res.states}
    sc["uncertainty"] = {"joint": [_joint_group(res, name)]}
    return sc


def _file(rec: Records) -> str:
    from pathlib import Path
    return Path(rec.file).name


def _simulation(res: FitResult) -> dict[str, Any]:
    rec = res.records
    return {
        "horizon_months": _src(_r(rec.end, 2), f"the data date {rec.data_date}, in months from "
                               f"month 0 ({rec.month_zero}): those still enrolled then stay in the "
                               "programme, as in the records"),
        "replications": _src(DEFAULT_REPLICATIONS, "assumption: enough replications for mean "
                             "shares within about a quarter of a point"),
        "seed": _src(res.seed, "assumption: the seed given to insats fit"),
    }


def on_base(res: FitResult, base: dict[str, Any], base_file: str) -> dict[str, Any]:
    """The base scenario with its fitted parts replaced (everything else kept with its sources)."""
    sc = copy.deepcopy(base)
    name = f"{base.get('name', 'scenario')}_fit"
    sc["name"] = name
    sc["label"] = f"{base.get('label', base.get('name'))} (fitted from {_file(res.records)})"
    sc["description"] = (f"{str(base.get('description', '')).strip()} Fitted by insats fit from "
                         f"{_file(res.records)} ({res.records.n} participants, "
                         f"{res.records.enrolled} still enrolled at {res.records.data_date}; "
                         f"month 0 is {res.records.month_zero}) on the base {base_file}: "
                         "intake, stay, routing and population shares are fitted, the rest is "
                         "the base's.").strip()
    sim = dict(sc.get("simulation") or {})
    sim["horizon_months"] = _simulation(res)["horizon_months"]
    sc["simulation"] = sim
    old_intake = sc.get("intake") or {}
    intake = _intake_block(res)
    pop, referral = _population_blocks(res)
    intake["referral_sources"] = referral or old_intake.get("referral_sources")
    sc["intake"] = {k: v for k, v in intake.items() if v is not None}
    popb = dict(sc.get("population") or {})
    fitted = {"born" if c == "born_abroad" else c for c in res.records.attributes if c != "referral"}
    joint = popb.get("joint") or []
    if joint and fitted & {k for cell in joint for k in cell if k != "share"}:
        popb.pop("joint")
    for k in fitted:
        popb.pop(k, None)
    popb.update(pop)
    sc["population"] = popb
    iv = _intervention_block(res)
    for item in sc["interventions"]:
        if item.get("name") == res.intervention:
            item["duration"] = iv["duration"]
            item["routing"] = iv["routing"]
            item.pop("exit_hazards", None)
    unc = dict(sc.get("uncertainty") or {})
    ours = set(res.paths)
    unc["joint"] = [g for g in unc.get("joint") or [] if not (set(g.get("paths", [])) & ours)]
    unc["joint"].append(_joint_group(res, name))
    sc["uncertainty"] = unc
    return sc


def base_intervention(base: dict[str, Any], rec: Records, base_file: str) -> str:
    """The base intervention the records describe: theirs by name, or the base's only one."""
    names = [str(iv.get("name")) for iv in base.get("interventions") or []]
    if rec.intervention and rec.intervention in names:
        return rec.intervention
    if len(names) == 1 and not rec.intervention:
        return names[0]
    raise InputError([Problem(base_file, "interventions", (
        f"the records' intervention '{rec.intervention}' is not among the base's" if rec.intervention
        else "the base has several interventions; name the one the records describe in an "
        "`intervention` column") + f" ({', '.join(names)})", value=rec.intervention or None)])
