"""The discrete-event engine (SimPy): participants through interventions, queues and routing.

Time is in months. Each replication draws from its own named random streams (arrivals,
attributes, each intervention's durations and early exits, routing), all derived from one seed
with numpy's SeedSequence, so two programmes run on the same seed meet the same participants
(common random numbers) and the result does not depend on how replications are spread over
worker processes.

Output tables (pandas, keyed by `rep` and `participant_id`) are documented in `PARTICIPANT_COLUMNS`
and `VISIT_COLUMNS`.
"""

from __future__ import annotations

import bisect
import heapq
import math
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import simpy

from model.scenario import ATTRIBUTES, Intervention, Scenario

PARTICIPANT_COLUMNS = {
    "rep": "replication number (0-based)",
    "participant_id": "participant number within the replication (0-based, in arrival order)",
    "programme": "scenario name",
    "group": "subgroup for the equity view: sex and born in Sweden/abroad",
    "sex": "sex (population.sex)",
    "born": "born in Sweden or abroad (population.born)",
    "age_band": "age band (population.age_band)",
    "target_group": "target group (population.target_group)",
    "referral": "referral source (intake.referral_sources)",
    "initial": "True if already in the programme at month 0 (initial_state)",
    "arrival_month": "month of arrival",
    "status": "exited, waiting or in_intervention (at the end of the run)",
    "exit_state": "exit state name (empty if still in the programme)",
    "exit_category": "work, studies, care, benefit or other (empty if still in)",
    "exit_month": "month of exit (NaN if still in)",
    "months_in_programme": "exit (or end of run) minus arrival, months",
    "months_waiting": "months on waiting lists, all visits",
    "n_visits": "number of intervention visits",
    "last_intervention": "the last intervention visited or waited for",
}
VISIT_COLUMNS = {
    "rep": "replication number",
    "participant_id": "participant number",
    "programme": "scenario name",
    "visit": "visit number for this participant (0-based)",
    "intervention": "intervention name",
    "queued_month": "month the participant joined the waiting list (= start if no wait)",
    "start_month": "month service started (NaN if never started)",
    "end_month": "month the visit ended (NaN if still going at the end of the run)",
    "kind": "served, dropped_out, transferred, left_waiting_list, ongoing or waiting",
    "next": "where the participant went next (exit state or intervention)",
}
STATION_COLUMNS = {
    "rep": "replication number",
    "intervention": "intervention name",
    "starts": "number of service starts",
    "mean_in_service": "time-average number in service, participants",
    "mean_waiting": "time-average number on the waiting list, participants",
    "utilisation": "busy place-months / available place-months (NaN without capacity)",
    "capacity_months": "place-months available (NaN without capacity)",
    "busy_months": "participant-months in service",
    "end_month": "month the replication ended",
}


def stream(seed: int, rep: int, purpose: str) -> np.random.Generator:
    """The random stream for one purpose in one replication, derived from the scenario seed."""
    key = zlib.crc32(purpose.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, rep, key])))


class Station:
    """One intervention's places and waiting list; capacity may change over time."""

    def __init__(self, env: simpy.Environment, iv: Intervention):
        self.env = env
        self.iv = iv
        self.capacity: float = iv.capacity.slots() if iv.capacity else math.inf
        self.busy = 0
        self.queue: list[tuple[int, int, simpy.Event]] = []
        self.waiting = 0
        self._seq = 0
        self._last = 0.0
        self.busy_area = 0.0
        self.cap_area = 0.0
        self.wait_area = 0.0
        self.starts = 0
        pr = iv.waiting_list.priority if iv.waiting_list else None
        self.priority = pr

    def _tick(self) -> None:
        dt = self.env.now - self._last
        self.busy_area += self.busy * dt
        self.wait_area += self.waiting * dt
        if math.isfinite(self.capacity):
            self.cap_area += self.capacity * dt
        self._last = self.env.now

    def rank(self, person: dict) -> int:
        if self.priority is None:
            return 0
        level = person.get(self.priority.attribute)
        order = self.priority.order
        return order.index(level) if level in order else len(order)

    def request(self, person: dict) -> simpy.Event:
        self._tick()
        ev = self.env.event()
        if self.busy < self.capacity and not self.waiting:
            self.busy += 1
            self.starts += 1
            ev.succeed()
        else:
            self._seq += 1
            self.waiting += 1
            heapq.heappush(self.queue, (self.rank(person), self._seq, ev))
        return ev

    def cancel(self, ev: simpy.Event) -> None:
        """Leave the waiting list (maximum wait reached); the entry is skipped when popped."""
        self._tick()
        ev.defused = True
        self.waiting -= 1
        self.queue = [q for q in self.queue if q[2] is not ev]
        heapq.heapify(self.queue)

    def occupy(self) -> None:
        """Start service without queueing (initial state: already in the intervention)."""
        self._tick()
        self.busy += 1
        self.starts += 1

    def release(self) -> None:
        self._tick()
        self.busy -= 1
        self._dispatch()

    def set_capacity(self, slots: int) -> None:
        self._tick()
        self.capacity = slots
        self._dispatch()

    def _dispatch(self) -> None:
        while self.queue and self.busy < self.capacity:
            _, _, ev = heapq.heappop(self.queue)
            self.waiting -= 1
            self.busy += 1
            self.starts += 1
            ev.succeed()


@dataclass
class _Rules:
    """Routing and hazards of one intervention for one subgroup, as cumulative arrays."""

    route_to: list[str]
    route_cum: list[float]
    hazard_to: list[str]
    hazard_cum: list[float]
    hazard_total: float


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
    return _Rules(list(routing), rc.tolist(), list(hz), hc.tolist(), total)


def effective_rules(sc: Scenario, attrs: tuple[str, str, str, str]) -> dict[str, _Rules]:
    """Each intervention's routing and exit hazards after subgroup overrides."""
    return {iv.name: _rules(sc, iv, attrs) for iv in sc.interventions}


@dataclass
class _Rep:
    """Mutable state and records of one replication."""

    sc: Scenario
    rep: int
    seed: int
    env: simpy.Environment = field(default_factory=simpy.Environment)
    people: list[dict] = field(default_factory=list)
    visits: list[tuple] = field(default_factory=list)
    arrived: int = 0
    in_system: int = 0


def _pick(cum: list[float], rng: np.random.Generator) -> int:
    """Index drawn from cumulative shares (one uniform draw; same draw order as before)."""
    return min(bisect.bisect_right(cum, rng.random()), len(cum) - 1)


class _Chooser:
    """Draws one of the names in a share mapping, with its cumulative shares computed once."""

    def __init__(self, shares: dict[str, float]):
        self.names = list(shares)
        cum = np.cumsum(list(shares.values()))
        cum[-1] = 1.0
        self.cum = cum.tolist()

    def __call__(self, rng: np.random.Generator) -> str:
        return self.names[_pick(self.cum, rng)]


def run_replication(sc: Scenario, rep: int, seed: int | None = None,
                    horizon: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Simulate one replication; returns (participants, visits, stations) tables."""
    return _build(sc, [_replicate(sc, rep, seed, horizon)])


def _replicate(sc: Scenario, rep: int, seed: int | None = None,
               horizon: float | None = None) -> _Raw:
    """Simulate one replication and return its raw records."""
    seed = sc.simulation.seed if seed is None else seed
    horizon = sc.simulation.horizon_months if horizon is None else horizon
    state = _Rep(sc, rep, seed)
    env = state.env
    rng_arrivals = stream(seed, rep, "arrivals")
    rng_attrs = stream(seed, rep, "attributes")
    rng_route = stream(seed, rep, "routing")
    rng_dur = {iv.name: stream(seed, rep, f"duration:{iv.name}") for iv in sc.interventions}
    rng_haz = {iv.name: stream(seed, rep, f"dropout:{iv.name}") for iv in sc.interventions}
    stations = {iv.name: Station(env, iv) for iv in sc.interventions}
    exits = sc.exit_states
    pop = sc.population
    referral = sc.intake.referral_sources
    rules_cache: dict[tuple[str, str, str, str], dict[str, _Rules]] = {}

    def rules_for(attrs: tuple[str, str, str, str]) -> dict[str, _Rules]:
        if attrs not in rules_cache:
            rules_cache[attrs] = effective_rules(sc, attrs)
        return rules_cache[attrs]

    joint = pop.joint_attributes()
    pick_attr = {a: _Chooser(getattr(pop, a)) for a in ATTRIBUTES if a not in joint}
    pick_cell = _Chooser({str(i): c.share for i, c in enumerate(pop.joint)}) if joint else None
    pick_referral, pick_entry = _Chooser(referral), _Chooser(sc.entry)

    def new_person(initial: bool) -> dict:
        cell = pop.joint[int(pick_cell(rng_attrs))].attrs() if pick_cell else {}
        attrs = tuple(cell[a] if a in cell else pick_attr[a](rng_attrs) for a in ATTRIBUTES)
        person = {
            "participant_id": len(state.people),
            "sex": attrs[0], "born": attrs[1], "age_band": attrs[2], "target_group": attrs[3],
            "referral": pick_referral(rng_attrs),
            "initial": initial,
            "arrival_month": env.now,
            "status": "waiting",
            "exit_state": None,
            "exit_month": math.nan,
            "months_waiting": 0.0,
            "n_visits": 0,
            "last_intervention": None,
            "_attrs": attrs,
            "_months": dict.fromkeys(stations, 0.0),
        }
        state.people.append(person)
        state.in_system += 1
        return person

    def journey(person: dict, dest: str, start_in_service: bool = False) -> Iterator[simpy.Event]:
        rules = rules_for(person["_attrs"])
        visit_no = 0
        while dest in stations:
            st = stations[dest]
            iv = st.iv
            person["last_intervention"] = dest
            person["status"] = "waiting"
            queued = env.now
            row = [rep, person["participant_id"], visit_no, dest, queued, math.nan, math.nan,
                   "waiting", None]
            state.visits.append(row)
            person["_row"] = row
            visit_no += 1
            person["n_visits"] = visit_no
            if start_in_service:
                st.occupy()
                start_in_service = False
            else:
                req = st.request(person)
                wl = iv.waiting_list
                if wl is not None and wl.max_wait_months is not None and not req.triggered:
                    timeout = env.timeout(wl.max_wait_months)
                    yield req | timeout
                    if not req.triggered:
                        st.cancel(req)
                        person["months_waiting"] += env.now - queued
                        row[6], row[7], row[8] = env.now, "left_waiting_list", wl.on_timeout
                        dest = wl.on_timeout
                        break
                else:
                    yield req
            person["months_waiting"] += env.now - queued
            person["status"] = "in_intervention"
            row[5] = env.now
            r = rules[dest]
            planned = iv.duration.sample(rng_dur[dest])
            early = rng_haz[dest].exponential(1.0 / r.hazard_total) if r.hazard_total > 0 else math.inf
            if early < planned:
                yield env.timeout(early)
                nxt = r.hazard_to[_pick(r.hazard_cum, rng_route)]
                kind = "dropped_out" if nxt in exits else "transferred"
            else:
                yield env.timeout(planned)
                nxt = r.route_to[_pick(r.route_cum, rng_route)]
                kind = "served"
            st.release()
            person["_months"][dest] += env.now - row[5]
            row[6], row[7], row[8] = env.now, kind, nxt
            dest = nxt
        person["status"] = "exited"
        person["exit_state"] = dest
        person["exit_month"] = env.now
        state.in_system -= 1

    cap = sc.intake.max_participants

    def arrive() -> None:
        state.arrived += 1
        person = new_person(initial=False)
        dest = pick_entry(rng_route)
        env.process(journey(person, dest))

    def room() -> bool:
        return cap is None or state.arrived < cap

    def paused(t: float) -> bool:
        return any(p.start_month <= t < p.end_month for p in sc.intake.pauses)

    def cohort_proc() -> Iterator[simpy.Event]:
        c = sc.intake.cohort
        yield env.timeout(c.month)
        for _ in range(c.n):
            if room():
                arrive()

    def stream_proc() -> Iterator[simpy.Event]:
        s = sc.intake.stream
        yield env.timeout(s.start_month)
        while room():
            gap = rng_arrivals.exponential(1.0 / s.rate_per_month)
            if s.end_month is not None and env.now + gap >= s.end_month:
                return
            if horizon is not None and env.now + gap > horizon:
                return
            yield env.timeout(gap)
            if not paused(env.now) and room():
                arrive()

    def groups_proc() -> Iterator[simpy.Event]:
        g = sc.intake.groups
        k = 0
        while room():
            t = g.start_month + k * g.every_months
            if g.end_month is not None and t >= g.end_month:
                return
            if horizon is not None and t > horizon:
                return
            yield env.timeout(t - env.now)
            if not paused(t):
                for _ in range(g.size):
                    if room():
                        arrive()
            k += 1

    def capacity_proc(st: Station) -> Iterator[simpy.Event]:
        for ch in sorted(st.iv.capacity_changes, key=lambda c: c.month):
            yield env.timeout(ch.month - env.now)
            slots = ch.places if ch.places is not None else st.iv.capacity.slots(ch.staff_fte)
            st.set_capacity(int(slots))

    for g in sc.initial_state:
        for _ in range(g.in_service):
            env.process(journey(new_person(initial=True), g.intervention, start_in_service=True))
        for _ in range(g.waiting):
            env.process(journey(new_person(initial=True), g.intervention))
    intake = []
    if sc.intake.cohort is not None:
        intake.append(env.process(cohort_proc()))
    if sc.intake.stream is not None:
        intake.append(env.process(stream_proc()))
    if sc.intake.groups is not None:
        intake.append(env.process(groups_proc()))
    for st in stations.values():
        if st.iv.capacity_changes:
            env.process(capacity_proc(st))

    if horizon is not None:
        env.run(until=horizon)
    else:
        # until everyone has left: not until the event queue is empty, which can be much later
        # (a maximum-wait timer of someone already served, a capacity change after the last exit)
        while env.peek() < math.inf and (state.in_system or any(p.is_alive for p in intake)):
            env.step()
    end = float(env.now)
    for st in stations.values():
        st._tick()
    return _raw(state, stations, end)


@dataclass
class _Raw:
    """The records of one replication, before they become tables (cheap to pickle and join)."""

    rep: int
    end: float
    people: list[dict]
    visits: list[list]
    stations: list[dict]


def _raw(state: _Rep, stations: dict[str, Station], end: float) -> _Raw:
    """Close the visits still going at the end and flatten each participant into a record."""
    for person in state.people:
        # count the visit still going at the end of the run: its service months, or its wait
        if person["status"] == "in_intervention":
            row = person["_row"]
            person["_months"][row[3]] += end - row[5]
        elif person["status"] == "waiting" and "_row" in person:
            person["months_waiting"] += end - person["_row"][4]
        person.pop("_row", None)
        person.pop("_attrs", None)
        for name, m in person.pop("_months").items():
            person[f"months_in_{name}"] = m
    rows = []
    for name, st in stations.items():
        rows.append({
            "rep": state.rep,
            "intervention": name,
            "starts": st.starts,
            "mean_in_service": st.busy_area / end if end > 0 else math.nan,
            "mean_waiting": st.wait_area / end if end > 0 else math.nan,
            "utilisation": st.busy_area / st.cap_area if st.cap_area > 0 else math.nan,
            "capacity_months": st.cap_area if math.isfinite(st.capacity) else math.nan,
            "busy_months": st.busy_area,
            "end_month": end,
        })
    return _Raw(state.rep, end, state.people, state.visits, rows)


def _build(sc: Scenario, raws: list[_Raw]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Turn the records of all replications into the three tables, in one pass."""
    base_cols = [c for c in PARTICIPANT_COLUMNS if c not in ("rep", "programme", "group",
                                                             "exit_category", "months_in_programme")]
    month_cols = [f"months_in_{n}" for n in sc.names]
    records = [p for r in raws for p in r.people]
    people = pd.DataFrame.from_records(records, columns=base_cols + month_cols)
    # explicit types: a replication with nobody in it would otherwise give object columns
    people = people.astype({"participant_id": "int64", "initial": "bool",
                            "arrival_month": "float64", "exit_month": "float64",
                            "months_waiting": "float64", "n_visits": "int64",
                            **dict.fromkeys(month_cols, "float64")})
    reps = np.repeat([r.rep for r in raws], [len(r.people) for r in raws]).astype("int64")
    ends = np.repeat([r.end for r in raws], [len(r.people) for r in raws]).astype(float)
    people.insert(0, "rep", reps)
    people.insert(2, "programme", sc.name)
    people.insert(3, "group", people["sex"].astype(str) + ", " + people["born"].astype(str))
    cat = {k: v.category for k, v in sc.exit_states.items()}
    people["exit_category"] = people["exit_state"].map(cat)
    exit_m = people["exit_month"].to_numpy()
    people["months_in_programme"] = np.where(np.isnan(exit_m), ends, exit_m) - people[
        "arrival_month"].to_numpy()
    people = people[list(PARTICIPANT_COLUMNS) + month_cols]

    visits = pd.DataFrame(
        [v for r in raws for v in r.visits],
        columns=["rep", "participant_id", "visit", "intervention", "queued_month",
                 "start_month", "end_month", "kind", "next"],
    ).astype({"rep": "int64", "participant_id": "int64", "visit": "int64",
              "queued_month": "float64", "start_month": "float64", "end_month": "float64"})
    visits.insert(2, "programme", sc.name)
    ongoing = visits["kind"] == "waiting"
    visits.loc[ongoing & visits["start_month"].notna(), "kind"] = "ongoing"
    visits = visits.sort_values(["rep", "participant_id", "visit"], kind="stable")
    visits = visits[list(VISIT_COLUMNS)].reset_index(drop=True)
    stations = pd.DataFrame([row for r in raws for row in r.stations],
                            columns=list(STATION_COLUMNS))
    return people, visits, stations


@dataclass
class RunResult:
    """Tables of one simulated scenario over R replications, with what produced them."""

    scenario: Scenario
    seed: int
    participants: pd.DataFrame
    visits: pd.DataFrame
    stations: pd.DataFrame

    @property
    def replications(self) -> int:
        return int(self.stations["rep"].nunique()) if len(self.stations) else 0


def _run_chunk(args: tuple[Scenario, list[int], int, float | None]) -> list[_Raw]:
    sc, reps, seed, horizon = args
    return [_replicate(sc, r, seed, horizon) for r in reps]


def simulate(sc: Scenario, replications: int | None = None, seed: int | None = None,
             workers: int = 1, horizon: float | None = None,
             on_rep: Callable[[int], None] | None = None) -> RunResult:
    """Run R replications (default from the scenario) on `workers` processes; same output either way.

    `on_rep(n)` is called as replications finish (for progress bars).
    """
    from model.executors import worker_pool
    from model.limits import usable_workers

    reps = sc.simulation.replications if replications is None else replications
    seed = sc.simulation.seed if seed is None else seed
    tick = on_rep or (lambda n: None)
    workers = usable_workers(workers, reps)  # no more than the replications and the cores
    if workers <= 1 or reps <= 1:
        raws = []
        for r in range(reps):
            raws.append(_replicate(sc, r, seed, horizon))
            tick(1)
    else:
        size = max(1, min(8, reps // (4 * workers)))
        chunks = [list(range(i, min(i + size, reps))) for i in range(0, reps, size)]
        raws = []
        with worker_pool(workers) as pool:  # workers ignore Ctrl-C, die with this process
            for res in pool.map(_run_chunk, [(sc, c, seed, horizon) for c in chunks]):
                raws += res
                tick(len(res))
    participants, visits, stations = _build(sc, raws)
    return RunResult(scenario=sc, seed=seed, participants=participants, visits=visits,
                     stations=stations)
