"""An intervention's places and waiting list (`Station`), a claim on a place (`Request`) and the
time-weighted statistics of a station (`StationMonitor`).

Our own small resource rather than `simpy.Resource`, because capacity must change at given
months (staff hired or leaving), which SimPy's resources do not support.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING, Any

import simpy

from model.scenario import ATTRIBUTES, Intervention

if TYPE_CHECKING:
    from model.simulation.records import Participant

# the participant's coded attributes, in the order of Participant.codes
CODED = (*ATTRIBUTES, "referral")


class StationMonitor:
    """Time-weighted sums of one station: participant-months in service and on the waiting list,
    place-months available, and service starts. The station ticks it just before each change of
    its state, so each sum is the integral of a step function."""

    __slots__ = ("busy_area", "cap_area", "last", "limited", "starts", "wait_area")

    def __init__(self, limited: bool) -> None:
        self.limited = limited  # whether the station has a capacity (place-months to count)
        self.last = 0.0
        self.busy_area = 0.0
        self.wait_area = 0.0
        self.cap_area = 0.0
        self.starts = 0

    def tick(self, now: float, busy: int, waiting: int, capacity: float) -> None:
        dt = now - self.last
        self.busy_area += busy * dt
        self.wait_area += waiting * dt
        if self.limited:
            self.cap_area += capacity * dt
        self.last = now


class Request(simpy.Event):
    """A claim on one place of a station: granted at once or later from the waiting list, or
    withdrawn. Used in `with`, it gives the place back (or leaves the list) on leaving the block.

    Only a request that waits is an event to wait for: it succeeds when the place is granted.
    A place granted at once needs no event, so such claims share their station's one granted
    request (`Station.at_once`), and the participant goes on without passing the event queue.
    """

    def __init__(self, station: Station):
        super().__init__(station.env)
        self.station = station
        self.granted = False
        self.withdrawn = False

    def cancel(self) -> None:
        """Leave the waiting list; nothing once granted."""
        if not self.granted and not self.withdrawn:
            self.station.withdraw(self)

    def expire(self, timer: simpy.Event) -> None:
        """The maximum wait is over (a timer's callback): if the place has not come, leave the
        list, and the request succeeds with False instead of True."""
        if not self.granted and not self.triggered:
            self.cancel()
            self.succeed(False)

    def __enter__(self) -> Request:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        # an exception (GeneratorExit when a run ends with the participant still inside) leaves
        # the station as it is: the run is over
        if exc_type is not None:
            return
        if self.granted:
            self.station.release()
        else:
            self.cancel()


class Station:
    """One intervention's places and waiting list; capacity may change over time.

    The waiting list is a heap ordered by priority rank, then arrival; a withdrawn request stays
    in the heap and is skipped when it comes up.
    """

    def __init__(self, env: simpy.Environment, iv: Intervention, code: int,
                 levels: dict[str, list[str]]):
        self.env = env
        self.iv = iv
        self.code = code
        self.capacity: float = iv.capacity.slots() if iv.capacity else math.inf
        self.busy = 0
        self.waiting = 0
        self.queue: list[tuple[int, int, Request]] = []
        self._seq = 0
        self.monitor = StationMonitor(iv.capacity is not None)
        self.at_once = Request(self)
        self.at_once.granted = True
        # priority: the rank of each level code of the attribute that orders the list
        priority = iv.waiting_list.priority if iv.waiting_list else None
        self._attr = CODED.index(priority.attribute) if priority else -1
        self._rank = ([priority.order.index(x) if x in priority.order else len(priority.order)
                       for x in levels[priority.attribute]] if priority else [])

    def tick(self) -> None:
        """Bring the time-weighted sums up to now (called before every change of state)."""
        self.monitor.tick(self.env.now, self.busy, self.waiting, self.capacity)

    def rank(self, person: Participant) -> int:
        """Position of the participant's level in the priority order (unlisted levels last)."""
        return self._rank[person.codes[self._attr]] if self._rank else 0

    def request(self, person: Participant) -> Request:
        """Ask for a place: granted at once if one is free and nobody waits, else queue."""
        self.monitor.tick(self.env.now, self.busy, self.waiting, self.capacity)
        if self.busy < self.capacity and not self.waiting:
            self.busy += 1
            self.monitor.starts += 1
            return self.at_once
        req = Request(self)
        self._seq += 1
        self.waiting += 1
        heapq.heappush(self.queue, (self.rank(person), self._seq, req))
        return req

    def occupy(self) -> Request:
        """A place taken without queueing, even beyond capacity (initial state: already in the
        intervention at month 0)."""
        self.monitor.tick(self.env.now, self.busy, self.waiting, self.capacity)
        self.busy += 1
        self.monitor.starts += 1
        return self.at_once

    def withdraw(self, req: Request) -> None:
        """Take a request off the waiting list (its entry is skipped when it comes up)."""
        self.monitor.tick(self.env.now, self.busy, self.waiting, self.capacity)
        req.withdrawn = True
        self.waiting -= 1

    def release(self) -> None:
        """Give a place back; the first on the waiting list may take it."""
        self.monitor.tick(self.env.now, self.busy, self.waiting, self.capacity)
        self.busy -= 1
        self._dispatch()

    def set_capacity(self, slots: int) -> None:
        """Change the number of places (those in service beyond it stay until they leave)."""
        self.monitor.tick(self.env.now, self.busy, self.waiting, self.capacity)
        self.capacity = slots
        self._dispatch()

    def _dispatch(self) -> None:
        """Grant free places to the first on the waiting list."""
        while self.queue and self.busy < self.capacity:
            _, _, req = heapq.heappop(self.queue)
            if req.withdrawn:
                continue
            self.waiting -= 1
            self.busy += 1
            self.monitor.starts += 1
            req.granted = True
            req.succeed(True)
