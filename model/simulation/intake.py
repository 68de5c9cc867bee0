"""Arrivals: a cohort, a Poisson stream and group intakes, each a SimPy process."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import simpy

from model.scenario import Intake as IntakeSpec
from model.simulation.streams import Streams


class Intake:
    """The intake of one replication. Its processes share the pauses and the cap on the number
    of participants; `arrive` brings one participant in. With a horizon, the stream and the
    groups stop at it instead of drawing arrivals the run will not reach."""

    def __init__(self, env: simpy.Environment, spec: IntakeSpec, streams: Streams,
                 arrive: Callable[[], None], on_over: Callable[[], None]):
        self.env = env
        self.spec = spec
        self.streams = streams
        self._arrive = arrive
        self._on_over = on_over
        self.arrived = 0
        self.horizon: float | None = None
        self.running = 0

    def start(self) -> None:
        """Start the processes the scenario asks for (cohort, stream, groups, spread, in that
        order)."""
        spec = self.spec
        for wanted, proc in ((spec.cohort, self.cohort), (spec.stream, self.stream),
                             (spec.groups, self.groups), (spec.spread, self.spread)):
            if wanted is not None:
                self.running += 1
                self.env.process(self._until_done(proc()))

    def _until_done(self, proc: Iterator[simpy.Event]) -> Iterator[simpy.Event]:
        """Run one intake process; when the last one has finished, say so (`on_over`)."""
        yield from proc
        self.running -= 1
        if not self.running:
            self._on_over()

    @property
    def over(self) -> bool:
        """True once every intake process has finished."""
        return not self.running

    def arrive(self) -> None:
        self.arrived += 1
        self._arrive()

    def room(self) -> bool:
        """Whether the cap on participants (all sources together) allows another arrival."""
        cap = self.spec.max_participants
        return cap is None or self.arrived < cap

    def paused(self, t: float) -> bool:
        return any(p.start_month <= t < p.end_month for p in self.spec.pauses)

    def cohort(self) -> Iterator[simpy.Event]:
        """`n` participants at one month."""
        c = self.spec.cohort
        assert c is not None
        yield self.env.timeout(c.month)
        for _ in range(c.n):
            if self.room():
                self.arrive()

    def stream(self) -> Iterator[simpy.Event]:
        """Poisson arrivals between start_month and end_month, none during a pause."""
        s = self.spec.stream
        assert s is not None
        env = self.env
        gaps = self.streams.arrival_gaps(1.0 / s.rate_per_month)
        yield env.timeout(s.start_month)
        while self.room():
            gap = gaps()
            if s.end_month is not None and env.now + gap >= s.end_month:
                return
            if self.horizon is not None and env.now + gap > self.horizon:
                return
            yield env.timeout(gap)
            if not self.paused(env.now) and self.room():
                self.arrive()

    def groups(self) -> Iterator[simpy.Event]:
        """A group of `size` every `every_months` from start_month, none during a pause."""
        g = self.spec.groups
        assert g is not None
        env = self.env
        k = 0
        while self.room():
            t = g.start_month + k * g.every_months
            if g.end_month is not None and t >= g.end_month:
                return
            if self.horizon is not None and t > self.horizon:
                return
            yield env.timeout(t - env.now)
            if not self.paused(t):
                for _ in range(g.size):
                    if self.room():
                        self.arrive()
            k += 1

    def spread(self) -> Iterator[simpy.Event]:
        """Exactly `n` people at evenly spaced months over the period, none during a pause."""
        env = self.env
        for t in self.spec.spread_months():
            if self.horizon is not None and t > self.horizon:
                return
            yield env.timeout(t - env.now)
            if self.room():
                self.arrive()
