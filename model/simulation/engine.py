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
from model.simulation.records import Participant, Visit
from model.simulation.rules import _Chooser, _pick, _Rules, effective_rules
from model.simulation.station import Request, Station
from model.simulation.streams import Streams
from model.simulation.tables import _Raw, raw_records


class Replication:
    """The environment, random streams, stations, intake and records of one replication.

    Built ready to run (initial state placed, intake and capacity changes scheduled); then
    `run_until(horizon)` or `run_until_empty()` runs it and returns its records.
    """

    def __init__(self, sc: Scenario, rep: int, seed: int):
        self.sc = sc
        self.rep = rep
        self.env = simpy.Environment()
        self.streams = Streams(seed, rep, sc)
        self.stations = {iv.name: Station(self.env, iv) for iv in sc.interventions}
        self.exits = sc.exit_states
        self.people: list[Participant] = []
        self.visits: list[Visit] = []
        self.in_system = 0
        self._rules: dict[tuple[str, str, str, str], dict[str, _Rules]] = {}
        pop = sc.population
        joint = pop.joint_attributes()
        self._pick_attr = {a: _Chooser(getattr(pop, a)) for a in ATTRIBUTES if a not in joint}
        self._pick_cell = (_Chooser({str(i): c.share for i, c in enumerate(pop.joint)})
                           if joint else None)
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
        return raw_records(self, end)

    # ------------------------------------------------------------ participants

    def rules_for(self, person: Participant) -> dict[str, _Rules]:
        """Routing and hazards for the participant's subgroup (computed once per subgroup)."""
        attrs = person.attrs
        rules = self._rules.get(attrs)
        if rules is None:
            rules = self._rules[attrs] = effective_rules(self.sc, attrs)
        return rules

    def new_person(self, initial: bool) -> Participant:
        """A participant arriving now, with attributes drawn from the population."""
        u = self.streams.u_attributes
        pop = self.sc.population
        cell = pop.joint[int(self._pick_cell(u()))].attrs() if self._pick_cell else {}
        attrs = [cell[a] if a in cell else self._pick_attr[a](u()) for a in ATTRIBUTES]
        person = Participant(len(self.people), *attrs, referral=self._pick_referral(u()),
                             initial=initial, arrival_month=self.env.now,
                             months=dict.fromkeys(self.stations, 0.0))
        self.people.append(person)
        self.in_system += 1
        return person

    def arrive(self) -> None:
        """A newcomer from the intake, sent to an entry intervention."""
        person = self.new_person(False)
        dest = self._pick_entry(self.streams.u_routing())
        self.env.process(self.journey(person, dest))

    def journey(self, person: Participant, dest: str,
                in_service: bool = False) -> Iterator[simpy.Event]:
        """From intervention to intervention until an exit state (`in_service`: the first one
        starts at once, for the initial state)."""
        stations = self.stations
        while dest in stations:
            st = stations[dest]
            visit = self.open_visit(person, dest)
            with st.occupy() if in_service else st.request(person) as req:
                in_service = False
                if not (yield from self.wait_for_place(person, visit, req)):
                    dest = visit.next
                    break
                dest = yield from self.serve(person, visit, st)
        person.status = "exited"
        person.exit_state = dest
        person.exit_month = self.env.now
        self.in_system -= 1
        if not self.in_system:
            self._check_empty()

    def open_visit(self, person: Participant, dest: str) -> Visit:
        visit = Visit(person.participant_id, person.n_visits, dest, self.env.now)
        self.visits.append(visit)
        person.visit = visit
        person.last_intervention = dest
        person.status = "waiting"
        person.n_visits += 1
        return visit

    def wait_for_place(self, person: Participant, visit: Visit,
                       req: Request) -> Iterator[simpy.Event]:
        """Wait on the list until the place is granted (True) or the maximum wait is reached
        (False: the visit ends there, towards the waiting list's on_timeout exit)."""
        env = self.env
        wl = req.station.iv.waiting_list
        if not req.granted and wl is not None and wl.max_wait_months is not None:
            yield req | env.timeout(wl.max_wait_months)
            if not req.granted:
                req.cancel()
                person.months_waiting += env.now - visit.queued_month
                visit.end_month, visit.kind, visit.next = env.now, "left_waiting_list", \
                    wl.on_timeout
                return False
        elif req.triggered or not req.granted:
            # a place granted at once still comes through the event queue
            yield req
        person.months_waiting += env.now - visit.queued_month
        return True

    def serve(self, person: Participant, visit: Visit, st: Station) -> Iterator[simpy.Event]:
        """The stay: the planned duration unless an exit hazard strikes first; returns where the
        participant goes next (an intervention or an exit state)."""
        env = self.env
        person.status = "in_intervention"
        visit.start_month = env.now
        dest = visit.intervention
        r = self.rules_for(person)[dest]
        planned = self.streams.duration[dest]()
        early = (r.hazard_scale * self.streams.early_exit[dest]() if r.hazard_total > 0
                 else math.inf)
        if early < planned:
            yield env.timeout(early)
            nxt = r.hazard_to[_pick(r.hazard_cum, self.streams.u_routing())]
            kind = "dropped_out" if nxt in self.exits else "transferred"
        else:
            yield env.timeout(planned)
            nxt = r.route_to[_pick(r.route_cum, self.streams.u_routing())]
            kind = "served"
        person.months[dest] += env.now - visit.start_month
        visit.end_month, visit.kind, visit.next = env.now, kind, nxt
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
