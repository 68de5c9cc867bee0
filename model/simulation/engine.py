"""One replication as SimPy processes: intake, each participant's journey, capacity changes.

A participant's journey goes from intervention to intervention until an exit state: at each,
`wait_for_place` (the waiting list, with its maximum wait) and then `serve` (the stay, ended by
its planned duration or an early exit, and the draw of where to go next).
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager

import simpy
from simpy.core import StopSimulation

from model.scenario import ATTRIBUTES, Scenario
from model.simulation.intake import Intake
from model.simulation.records import (
    DROPPED_OUT,
    LEFT_WAITING_LIST,
    SERVED,
    TRANSFERRED,
    ArrivalLog,
    Participant,
    VisitLog,
)
from model.simulation.rules import _Chooser, _pick, _Rules, effective_rules
from model.simulation.station import Request, Station
from model.simulation.streams import Streams
from model.simulation.tables import _Raw, raw_records

FIRST_LEVELS = (0,) * len(ATTRIBUTES)  # attribute codes before any is drawn


class Replication:
    """The environment, random streams, stations, intake and records of one replication.

    Built ready to run (initial state placed, intake and capacity changes scheduled); then
    `run_until(horizon)` or `run_until_empty()` runs it, once, and hands over its records.
    """

    def __init__(self, sc: Scenario, rep: int, seed: int):
        self.sc = sc
        self.rep = rep
        self.env = simpy.Environment()
        self.streams = Streams(seed, rep, sc)
        self.exits = sc.exit_states
        # names as codes: each attribute's levels, and destinations (interventions, then exits)
        pop = sc.population
        self.levels = {a: pop.levels(a) for a in ATTRIBUTES}
        self.levels["referral"] = list(sc.intake.referral_sources)
        self.destinations = [*sc.names, *sc.exit_states]
        self.dest_code = {name: i for i, name in enumerate(self.destinations)}
        self.stations = {iv.name: Station(self.env, iv, k, self.levels)
                         for k, iv in enumerate(sc.interventions)}
        self.arrivals = ArrivalLog()
        self.visits = VisitLog()
        self.in_system = 0
        self._rules: dict[tuple[int, ...], dict[str, _Rules]] = {}
        joint = pop.joint_attributes()
        self._pick_cell = (_Chooser({str(i): c.share for i, c in enumerate(pop.joint)})
                           if joint else None)
        # each cell's codes for the attributes it fixes (0 for the others, until drawn)
        self._cells = [tuple(self.levels[a].index(c.attrs()[a]) if a in joint else 0
                             for a in ATTRIBUTES) for c in pop.joint]
        # the attributes drawn on their own (one level: code 0, nothing to draw)
        pick = {k: _Chooser(getattr(pop, a)) for k, a in enumerate(ATTRIBUTES) if a not in joint}
        self._pick_attr = [(k, p) for k, p in pick.items() if not p.single]
        self._pick_referral = _Chooser(sc.intake.referral_sources)
        self._pick_entry = _Chooser(sc.entry)

        for g in sc.initial_state:
            for _ in range(g.in_service):
                self.env.process(self.journey(self.new_person(True), g.intervention, True))
            for _ in range(g.waiting):
                self.env.process(self.journey(self.new_person(True), g.intervention))
        # succeeds once the intake is over and the last participant has left
        self.all_left = self.env.event()
        self.intake = Intake(self.env, sc.intake, self.streams, self.arrive, self._check_empty)
        self.intake.start()
        for st in self.stations.values():
            if st.iv.capacity_changes:
                self.env.process(self.capacity_changes(st))

    # ------------------------------------------------------------ running

    def run_until(self, horizon: float) -> _Raw:
        """Run up to month `horizon`; whoever is still inside stays there in the records."""
        self.intake.horizon = horizon
        with gc_paused():
            self.env.run(until=horizon)
            return self.close()

    def run_until_empty(self) -> _Raw:
        """Run until the intake is over and the last participant has left (or nothing is left
        to happen: people waiting for places that never come).

        Not until the event queue is empty, which can be much later (a maximum-wait timer of
        someone already served, a capacity change after the last exit).
        """
        self.all_left.callbacks.append(StopSimulation.callback)
        with gc_paused():
            self.env.run()
            return self.close()

    def _check_empty(self) -> None:
        if not self.in_system and self.intake.over and not self.all_left.triggered:
            self.all_left.succeed()

    def close(self) -> _Raw:
        """Bring the stations' sums up to the end and hand back the records."""
        end = float(self.env.now)
        for st in self.stations.values():
            st.tick()
        raw = raw_records(self, end)
        # the records now belong to `raw` alone: the replication lingers until the garbage
        # collector breaks its cycles (pending processes refer to it), they should not
        del self.arrivals, self.visits
        return raw

    # ------------------------------------------------------------ participants

    def new_person(self, initial: bool) -> Participant:
        """A participant arriving now, with attributes drawn from the population (a joint cell
        first, then each other attribute in turn, then the referral source)."""
        u = self.streams.u_attributes
        codes = self._cells[self._pick_cell.index(u)] if self._pick_cell else FIRST_LEVELS
        if self._pick_attr:
            drawn = list(codes)
            for k, pick in self._pick_attr:
                drawn[k] = pick.index(u)
            codes = tuple(drawn)
        rules = self._rules.get(codes)
        if rules is None:
            attrs = tuple(self.levels[a][c] for a, c in zip(ATTRIBUTES, codes, strict=True))
            rules = self._rules[codes] = effective_rules(self.sc, attrs)
        codes = (*codes, self._pick_referral.index(u))
        pid = self.arrivals.add(codes, initial, self.env.now)
        self.in_system += 1
        return Participant(pid, codes, rules)

    def arrive(self) -> None:
        """A newcomer from the intake, sent to an entry intervention."""
        person = self.new_person(False)
        dest = self._pick_entry(self.streams.u_routing)
        self.env.process(self.journey(person, dest))

    def journey(self, person: Participant, dest: str,
                in_service: bool = False) -> Iterator[simpy.Event]:
        """From intervention to intervention until an exit state (`in_service`: the first one
        starts at once, for the initial state)."""
        stations = self.stations
        visit = 0
        while dest in stations:
            st = stations[dest]
            row = self.visits.open(person.participant_id, visit, st.code, self.env.now)
            visit += 1
            with st.occupy() if in_service else st.request(person) as req:
                in_service = False
                if not (yield from self.wait_for_place(row, req)):
                    dest = st.iv.waiting_list.on_timeout
                    break
                dest = yield from self.serve(person, row, st)
        self.in_system -= 1
        if not self.in_system:
            self._check_empty()

    def wait_for_place(self, row: int, req: Request) -> Iterator[simpy.Event]:
        """Wait on the list until the place is granted (True) or the maximum wait is reached
        (False: the visit ends there, towards the waiting list's on_timeout exit)."""
        if req.granted:  # at once: nothing to wait for
            return True
        env = self.env
        wl = req.station.iv.waiting_list
        if wl is not None and wl.max_wait_months is not None:
            # a timer that withdraws the request, rather than a condition on two events
            env.timeout(wl.max_wait_months).callbacks.append(req.expire)
        if not (yield req):
            self.visits.end(row, env.now, LEFT_WAITING_LIST, self.dest_code[wl.on_timeout])
            return False
        return True

    def serve(self, person: Participant, row: int, st: Station) -> Iterator[simpy.Event]:
        """The stay: the planned duration unless an exit hazard strikes first; returns where the
        participant goes next (an intervention or an exit state)."""
        env = self.env
        self.visits.start(row, env.now)
        dest = st.iv.name
        r = person.rules[dest]
        planned = self.streams.duration[dest]()
        early = (r.hazard_scale * self.streams.early_exit[dest]() if r.hazard_total > 0
                 else math.inf)
        # where next: no draw when there is only one way to go
        if early < planned:
            yield env.timeout(early)
            to = r.hazard_to
            nxt = to[0] if len(to) == 1 else to[_pick(r.hazard_cum, self.streams.u_routing())]
            kind = DROPPED_OUT if nxt in self.exits else TRANSFERRED
        else:
            yield env.timeout(planned)
            to = r.route_to
            nxt = to[0] if len(to) == 1 else to[_pick(r.route_cum, self.streams.u_routing())]
            kind = SERVED
        self.visits.end(row, env.now, kind, self.dest_code[nxt])
        return nxt

    # ------------------------------------------------------------ capacity

    def capacity_changes(self, st: Station) -> Iterator[simpy.Event]:
        """Set the station's places at each capacity change, in month order."""
        iv = st.iv
        for ch in sorted(iv.capacity_changes, key=lambda c: c.month):
            yield self.env.timeout(ch.month - self.env.now)
            slots = ch.places if ch.places is not None else iv.capacity.slots(ch.staff_fte)
            st.set_capacity(int(slots))


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (restored afterwards, also on errors).

    A replication holds many live objects and frees its garbage by reference counting; the
    collector's scans over them made the time per person grow with the size of the run.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _replicate(sc: Scenario, rep: int, seed: int | None = None,
               horizon: float | None = None) -> _Raw:
    """Simulate one replication (defaults from the scenario) and return its raw records."""
    seed = sc.simulation.seed if seed is None else seed
    horizon = sc.simulation.horizon_months if horizon is None else horizon
    replication = Replication(sc, rep, seed)
    if horizon is not None:
        return replication.run_until(horizon)
    return replication.run_until_empty()
