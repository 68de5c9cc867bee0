"""Multi-step records (an `intervention` column, one row per stay, the same `person_id` on each of
a person's stays): each intervention's stay and exits, the routing between interventions and the
entry shares, bootstrapped over persons together (a person's stays stay together), and the
multi-intervention scenario they make.

Each intervention is fitted as the single-step fit fits its one (survival.py): the AIC-chosen
shape of its stays, routing by the shares of its exits, where a destination is an exit state or
the intervention of the person's next stay. The intake and the population come from each
person's first stay. Only aggregates leave this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from model.errors import InputError, Problem
from model.fit import survival
from model.fit.build import (
    BOOTSTRAP,
    FitResult,
    _intake_block,
    _joint_group,
    _population_blocks,
    _r,
    _shares,
    _simulation,
    _src,
    bootstrap,
    population_values,
    stay_paths,
)
from model.fit.intake import fit_intake, rate_draws
from model.fit.population import share_paths, share_values
from model.fit.records import DAYS_PER_MONTH, Records, category_of


@dataclass
class StepFit:
    """One intervention of multi-step records: its stays' shapes and its routing."""

    name: str
    dests: list[str]                 # exit states and interventions it routes to, in order
    shapes: list[survival.ShapeFit]
    shape: survival.ShapeFit
    routing: dict[str, float]
    median: tuple[float, float, float]
    timing_p: float | None
    n_stays: int
    n_open: int
    exits: dict[str, int]
    representation: str = ""


@dataclass
class _Arrays:
    """One intervention's stays as arrays: months, destination codes (0 open), owner index."""

    t: np.ndarray
    codes: np.ndarray
    owner: np.ndarray


def programme_arrays(rec: Records, states: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per person: months from the first entry to the last exit (or the data date) and the exit
    code of the last stay (0 still enrolled, k = states[k-1]): the programme-level view that a
    simulated participant table gives back (months_in_programme, exit_state)."""
    t, codes = [], []
    for stays in rec.people().values():
        last = stays[-1]
        end = rec.data_date if last.exit is None else _exit_date(rec, last)
        t.append((end - stays[0].entry_date).days / DAYS_PER_MONTH)
        codes.append(states.index(last.reason) + 1 if last.exit is not None and last.reason in states
                     else 0)
    return np.array(t, float), np.array(codes, int)


def _exit_date(rec: Records, s: Any) -> Any:
    from datetime import timedelta
    return s.entry_date + timedelta(days=round(s.stay * DAYS_PER_MONTH))


def fit_steps(rec: Records, seed: int = 20140227, n_boot: int = BOOTSTRAP) -> FitResult:
    """Fit every intervention of multi-step records, the entry shares, the intake (first stays)
    and the population, with a seeded bootstrap over persons (Poisson for the stream's rate)."""
    states = list(rec.reasons)
    people = rec.people()
    persons = list(people)
    pindex = {p: i for i, p in enumerate(persons)}
    first = [v[0] for v in people.values()]
    firsts = [s.intervention for s in first]
    # the most common first step first (then as the records list them): the scenario reads in order
    order = sorted(rec.interventions, key=lambda iv: (-firsts.count(iv), rec.interventions.index(iv)))
    problems: list[Problem] = []
    arrays: dict[str, _Arrays] = {}
    steps: list[StepFit] = []
    for iv in order:
        st = [s for s in rec.stays if s.intervention == iv]
        seen = {s.reason for s in st if s.exit is not None}
        dests = [d for d in [*states, *order] if d in seen]
        if not dests:
            problems.append(Problem(rec.file, "exit_date", f"no stay in {iv} has ended yet: the "
                                    f"records cannot tell how long {iv} lasts or where it leads",
                                    value=iv))
            continue
        t = np.array([s.months for s in st], float)
        codes = np.array([0 if s.exit is None else dests.index(s.reason) + 1 for s in st], int)
        arrays[iv] = _Arrays(t, codes, np.array([pindex[s.person] for s in st], int))
        shapes, failed = survival.fit_shapes(t, codes > 0)
        if not any(f.expressible for f in shapes):
            problems.append(Problem(rec.file, "", f"no shape of the stay in {iv} could be fitted "
                                    f"({', '.join(failed)} did not converge); too few exits",
                                    value=iv))
            continue
        shape = survival.chosen(shapes)
        routing = dict(zip(dests, _shares(survival.shares(codes, len(dests))), strict=True))
        p = survival.timing_check(t, codes)
        steps.append(StepFit(iv, dests, shapes, shape, routing, survival.km_median(t, codes > 0), p,
                             len(st), int((codes == 0).sum()),
                             {d: int((codes == k + 1).sum()) for k, d in enumerate(dests)},
                             f"{iv}: " + survival.representation(shape, dests, routing, p)))
    if problems:
        raise InputError(problems)
    entry_codes = np.array([order.index(s.intervention) for s in first], int)
    entries = [iv for iv in order if (entry_codes == order.index(iv)).any()]
    intake = fit_intake([s.entry_date for s in first], np.array([s.entry for s in first]), rec.end)
    pop_spec = share_paths(first, rec.attributes)

    paths: list[str] = []
    for sf in steps:
        paths += stay_paths(sf.name, sf.shape.family, sf.dests)
    if len(entries) > 1:
        paths += [f"entry[{iv}]" for iv in entries]
    has_rate = intake.stream is not None
    if has_rate:
        paths.append("intake.stream.rate_per_month")
    paths += [p for p, _, _ in pop_spec]

    def row(idx: np.ndarray | None, rate: float | None) -> list[float]:
        vals: list[float] = []
        weight = None if idx is None else np.bincount(idx, minlength=len(persons))
        for sf in steps:
            a = arrays[sf.name]
            if weight is None:
                sh, cc = sf.shape, a.codes
            else:
                rep = weight[a.owner]
                tt, cc = np.repeat(a.t, rep), np.repeat(a.codes, rep)
                if not (cc > 0).any():
                    raise ValueError(f"no exit from {sf.name} in the resample")
                sh = survival.fit_shape(sf.shape.family, tt, cc > 0, start=sf.shape)
            vals += [_r(sh.mean, 3)] + ([_r(sh.cv)] if sf.shape.family != "exponential" else [])
            vals += _shares(survival.shares(cc, len(sf.dests)))
        if len(entries) > 1:
            ec = entry_codes if idx is None else entry_codes[idx]
            vals += _shares(np.array([(ec == order.index(iv)).mean() for iv in entries]))
        if has_rate:
            vals.append(_r(rate if rate is not None else float(intake.stream["rate_per_month"]), 3))
        return vals + population_values(share_values(first, pop_spec, idx), pop_spec)

    rng = np.random.default_rng(seed)
    rates = rate_draws(intake, rng, n_boot) if has_rate else [None] * n_boot
    rows, redrawn = bootstrap(row, len(persons), rates, rng, rec.file,
                              "the bootstrap could not refit every intervention's stay in 20 "
                              "resamples running; too few exits from one of them")
    t, codes = programme_arrays(rec, states)
    res = FitResult(records=rec, states=states, shapes=steps[0].shapes, shape=steps[0].shape,
                    routing=steps[0].routing, intake=intake, paths=paths, values=row(None, None),
                    rows=np.array(rows, float), median=survival.km_median(t, codes > 0),
                    timing_p=None, intervention=order[0], seed=seed)
    res.steps = steps
    res.entry = dict(zip(entries, _shares(np.array([(entry_codes == order.index(iv)).mean()
                                                    for iv in entries])), strict=True))
    res.representation = " ".join(sf.representation for sf in steps)
    res.notes = _limits(res, steps, pop_spec, redrawn)
    return res


def _limits(res: FitResult, steps: list[StepFit], pop_spec: list, redrawn: int) -> list[str]:
    """What multi-step records cannot tell, in plain words."""
    rec = res.records
    out = []
    for sf in steps:
        few = [d for d, n in sf.exits.items() if n < 10]
        out.append(f"{sf.name}: {sf.n_stays} stays, {sf.n_open} still open; beyond its longest "
                   f"stay the {sf.shape.family} shape is extrapolation"
                   + (f"; fewer than 10 exits to {', '.join(few)}, so their shares are wide" if few
                      else "") + ".")
        if sf.timing_p is not None and sf.timing_p < 0.05:
            out.append(f"{sf.name}: destinations differ between early and late exits (p = "
                       f"{sf.timing_p:.3f}); its routing averages over time.")
    out.append("A person's next step depends only on the step they leave (a Markov chain over "
               "interventions): earlier steps, and the time spent in them, do not change it.")
    if rec.enrolled:
        out.append(f"{rec.enrolled} of {rec.n} were still enrolled at {rec.data_date}: where they "
                   "go next is assumed to follow the shares of those who left the same step.")
    out.append("What would have happened without the programme, costs and the value of a job are "
               "not in participant records: they stay at the defaults, which are labelled "
               "assumptions.")
    if not pop_spec:
        out.append("No attribute columns: the population is one unnamed category.")
    if redrawn:
        out.append(f"{redrawn} bootstrap resamples had a step with no exit or no converging fit "
                   "and were drawn again: the intervals lean on the resamples that could be fitted.")
    return out


def _step_block(res: FitResult, sf: StepFit) -> dict[str, Any]:
    rec, sh = res.records, sf.shape
    vals = dict(zip(res.paths, res.values, strict=True))
    others = ", ".join(f"{f.family} {f.aic:.1f}" for f in sf.shapes if f is not sh)
    how = (f"{sf.n_stays} stays in {sf.name}, maximum likelihood with right censoring (lifelines), "
           f"the {sh.family} shape chosen by AIC {sh.aic:.1f} among those a scenario can hold "
           f"(others: {others})")
    dur: dict[str, Any] = {"dist": sh.family, "mean": _src(
        vals[f"interventions[{sf.name}].duration.mean"], rec.basis(f"mean stay, {how}"))}
    if sh.family != "exponential":
        dur["cv"] = _src(vals[f"interventions[{sf.name}].duration.cv"],
                         rec.basis(f"standard deviation over mean, {how}"))
    total = sum(sf.exits.values())
    routing = {d: _src(vals[f"interventions[{sf.name}].routing[{d}]"], rec.basis(
        f"{sf.exits[d]} of the {total} exits from {sf.name}"
        + (" (the person's next stay)" if d in rec.interventions else "")
        + "; destination independent of the time of exit (vertical model)"))
        for d in sf.dests}
    return {"name": sf.name, "label": sf.name, "duration": dur, "routing": routing}


def standalone_steps(res: FitResult, name: str) -> dict[str, Any]:
    """The multi-intervention scenario fitted from multi-step records."""
    rec = res.records
    pop, referral = _population_blocks(res)
    intake = _intake_block(res)
    if referral:
        intake["referral_sources"] = referral
    vals = dict(zip(res.paths, res.values, strict=True))
    entry: Any
    if len(res.entry) == 1:
        entry = next(iter(res.entry))
    else:
        firsts = rec.n
        entry = {iv: _src(vals[f"entry[{iv}]"], rec.basis(
            f"share of the {firsts} participants whose first stay is in {iv}")) for iv in res.entry}
    sc: dict[str, Any] = {
        "name": name,
        "label": f"{name} (fitted from {rec.file.split('/')[-1]})",
        "description": (f"Fitted by insats fit from multi-step records ({rec.n} participants, "
                        f"{len(rec.stays)} stays in {len(rec.interventions)} interventions, "
                        f"{rec.enrolled} still enrolled at {rec.data_date}); month 0 is "
                        f"{rec.month_zero}. Only aggregates of the records are written here."),
        "simulation": _simulation(res),
        "intake": intake,
    }
    if pop:
        sc["population"] = pop
    sc["entry"] = entry
    sc["interventions"] = [_step_block(res, sf) for sf in res.steps]
    sc["exit_states"] = {s: {"category": category_of(s), "label": s} for s in res.states}
    sc["uncertainty"] = {"joint": [_joint_group(res, name)]}
    return sc
