"""How big a run is before it runs: people, events, memory and time from the scenario and options.

Every field of a scenario has its own bound (`model.numbers`), but fields multiply: a stream of
1e6 a month for 1 200 months is 1.2e9 people, and a loop left with probability 1e-6 is a million
visits per person. `estimate` gives, for one scenario and a number of replications, the expected
people, visits and events per replication (arrivals from the intake, visits from exact mode's
expected visits, capacity ignored) and from them the memory and time of the run. `size_problems`
refuses a run whose memory estimate is above the limit (`DEFAULT_MAX_MEMORY`, raised with
`--max-memory`) and a loop that almost never ends; `long_run_note` words the warning for a run
that will take more than `LONG_RUN_SECONDS`.

The costs per event, per priced participant-month and per participant and visit held come from
`benchmarks/limits_bench.py` (figures and conditions in benchmarks/RESULTS.md). They are
expectations, not bounds: the point is to refuse a run that needs a hundred times the memory, and
to say in advance that a run will take minutes rather than seconds.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

import numpy as np

from model.errors import InputError, Problem
from model.scenario import Scenario

# measured with benchmarks/limits_bench.py (benchmarks/RESULTS.md, "Size estimates")
SECONDS_PER_EVENT = 2.0e-5      # simulate: per arrival step, arrival, visit start and visit end
SECONDS_PER_CELL = 4.0e-7       # price: per participant and month of the benefit grid
SECONDS_PER_REPLICATION = 1.0e-2  # simulate and price: what each replication costs besides
BYTES_PER_PERSON = 1_300        # participant rows of every replication, held until the end
BYTES_PER_VISIT = 500           # visit rows, likewise
BYTES_PRICING_PER_PERSON = 2_000  # pricing one replication: its participants' arrays at once
BYTES_PER_PRICED_CELL = 100     # pricing: participant-months evaluated at once (at most a chunk)
BASE_BYTES = 250 * 1024**2      # Python, numpy, pandas, simpy and the model loaded

DEFAULT_MAX_MEMORY = 8 * 1024**3
LONG_RUN_SECONDS = 60.0
MAX_VISITS_PER_PERSON = 1_000   # more, on average, is a loop that almost never ends


@dataclass(frozen=True)
class RunSize:
    """The expected size of one scenario's run: per replication, and for all replications."""

    name: str
    replications: int
    people: float          # participants per replication (arrivals and initial state)
    visits: float          # intervention visits per replication
    steps: float           # steps of the arrival processes per replication
    grid_months: int       # months since arrival priced per participant
    visits_per_person: float
    loop: str = ""         # the intervention visited most often per person
    people_from: tuple[str, ...] = ()  # the scenario fields most participants come from
    people_how: str = ""   # how, e.g. "100 000 a month for 120 months to simulation.horizon_months"

    @property
    def events(self) -> float:
        """Engine events of the whole run: arrival steps, arrivals, visit starts and ends."""
        return self.replications * (self.steps + self.people + 2.0 * self.visits)

    @property
    def memory(self) -> float:
        """Peak bytes: every replication's rows are held, and one replication is priced at a time."""
        from model.economics.effect import CHUNK_CELLS

        held = self.replications * (self.people * BYTES_PER_PERSON + self.visits * BYTES_PER_VISIT)
        cells = min(self.people * self.grid_months, CHUNK_CELLS) * BYTES_PER_PRICED_CELL
        return BASE_BYTES + held + self.people * BYTES_PRICING_PER_PERSON + cells

    def seconds(self, workers: int = 1) -> float:
        """Wall time: the simulation spreads over workers, pricing runs in this process."""
        simulate = self.events * SECONDS_PER_EVENT + self.replications * SECONDS_PER_REPLICATION
        price = self.replications * self.people * self.grid_months * SECONDS_PER_CELL
        return simulate / max(1, workers) + price


def arrivals(sc: Scenario) -> tuple[float, float]:
    """Expected participants arriving per replication, and the steps their processes take.

    A stream draws gaps at its rate through pauses too, and group intakes tick through pauses;
    both stop at the horizon, at their end month or when `max_participants` have arrived (the
    steps counted are an upper bound: every pause is taken to come before the cap is reached).
    """
    parts = arrival_parts(sc)
    people = sum(n for _, n, _, _ in parts)
    steps = sum(k for _, _, k, _ in parts)
    cap = sc.intake.max_participants
    return (people if cap is None else min(people, float(cap))), steps


def arrival_parts(sc: Scenario) -> list[tuple[tuple[str, ...], float, float, str]]:
    """Each intake's (the fields that set its size, expected participants, steps, how) per
    replication, each capped by `max_participants` (their sum is `arrivals`' before the cap)."""
    it = sc.intake
    horizon = sc.simulation.horizon_months
    cap = math.inf if it.max_participants is None else float(it.max_participants)
    parts = []
    if it.cohort is not None and (horizon is None or it.cohort.month <= horizon):
        parts.append((("intake.cohort.n",), float(it.cohort.n), 1.0,
                      f"a cohort of {spaced(it.cohort.n)}"))
    for kind, proc in (("stream", it.stream), ("groups", it.groups)):
        if proc is None:
            continue
        if proc is it.stream:
            per_month = ticks = float(it.stream.rate_per_month)
            path, rate = "intake.stream.rate_per_month", f"{_count(per_month)} a month"
        else:
            ticks = 1.0 / it.groups.every_months
            per_month = it.groups.size * ticks
            path, rate = "intake.groups.size", f"groups of {spaced(it.groups.size)}"
        stop = min(x for x in (proc.end_month, horizon, math.inf) if x is not None)
        paused = sum(max(0.0, min(p.end_month, stop) - max(p.start_month, proc.start_month))
                     for p in it.pauses)
        months = max(0.0, stop - proc.start_month - paused)
        n = min(per_month * months, cap)
        until = (f"intake.{kind}.end_month" if proc.end_month is not None and proc.end_month == stop
                 else "simulation.horizon_months")
        how = f"{rate} for {_count(months)} months to {until}"
        if n == cap:
            how += ", up to intake.max_participants"
        parts.append(((path, until), n, n / per_month * ticks + ticks * paused, how))
    if it.spread is not None:  # exactly its months up to the horizon, as the engine brings them
        n = min(float(sum(1 for t in it.spread_months() if horizon is None or t < horizon)), cap)
        how = f"{spaced(it.spread.n)} spread over {_count(it.spread.months)} months"
        if n == cap:
            how += ", up to intake.max_participants"
        parts.append((("intake.spread.n",), n, n, how))
    return parts


def estimate(sc: Scenario, replications: int | None = None) -> RunSize:
    """The expected size of a run of `sc` with `replications` (default: the scenario's)."""
    from model.economics.effect import grid_months
    from model.exact import expected_visits

    reps = sc.simulation.replications if replications is None else replications
    people, steps = arrivals(sc)
    per_person = expected_visits(sc)
    visits = people * float(per_person.sum())
    worst = per_person
    for g in sc.initial_state:  # those already there at month 0 start where they are
        n = g.waiting + g.in_service
        if n:
            from_here = expected_visits(sc, g.intervention)
            people += n
            visits += n * float(from_here.sum())
            worst = max(worst, from_here, key=lambda v: float(v.sum()))
    per = float(worst.sum())
    loop = sc.names[int(np.argmax(worst))] if len(worst) and per > 0 else ""
    sources = [(path, n, how) for path, n, _, how in arrival_parts(sc)]
    sources += [((f"initial_state[{i}]",), float(g.waiting + g.in_service),
                 f"{spaced(g.waiting + g.in_service)} there at month 0")
                for i, g in enumerate(sc.initial_state)]
    most = max(sources, key=lambda x: x[1], default=((), 0.0, ""))
    return RunSize(sc.name, reps, people, visits, steps, grid_months(sc), per, loop,
                   most[0], most[2])


def size_problems(size: RunSize, file: str, max_memory: float | None = None,
                  sc: Scenario | None = None) -> list[Problem]:
    """A loop that almost never ends, or a run whose memory estimate is above `max_memory`."""
    max_memory = DEFAULT_MAX_MEMORY if max_memory is None else max_memory
    found = []
    if not size.visits_per_person < MAX_VISITS_PER_PERSON:
        where = ""
        if sc is not None and size.loop:
            where = f"interventions[{sc.names.index(size.loop)}].routing"
        found.append(Problem(file, where, f"a participant makes {_count(size.visits_per_person)} "
                             f"visits on average (most to '{size.loop}'): a loop that almost never "
                             f"ends; give it a real way out (at most "
                             f"{spaced(MAX_VISITS_PER_PERSON)} visits per participant are allowed)"))
        return found
    if size.memory > max_memory:
        reps = ("--reps" if sc is not None and size.replications != sc.simulation.replications
                else "simulation.replications")
        lower = ", ".join(size.people_from or ("the intake",))
        found.append(Problem(file, size.people_from[0] if size.people_from else "",
                             f"this run would need about {human_bytes(size.memory)} of memory: "
                             f"{_drivers(size)}, {_plural(size.replications, 'replication')} "
                             f"({reps}); the limit is {human_bytes(max_memory)}. Lower {lower} or "
                             f"{reps}, or raise the limit with --max-memory",
                             _value_at(sc, size.people_from[0] if size.people_from else "")))
    return found


def _drivers(size: RunSize) -> str:
    """Where a run's size comes from, in the scenario's own fields: participants and visits."""
    text = f"{_count(size.people)} participants and {_count(size.visits)} visits per replication"
    if size.people_from:
        text += f" (most participants from {size.people_from[0]}: {size.people_how})"
    return text


def _value_at(sc: Scenario | None, path: str) -> object:
    """The scenario's value at a path `RunSize.people_from` names (None if there is none)."""
    if sc is None or not path:
        return None
    if path.startswith("initial_state["):
        g = sc.initial_state[int(path[len("initial_state["):-1])]
        return g.waiting + g.in_service
    obj: object = sc
    for part in path.split("."):
        obj = getattr(obj, part, None)
    return obj


def check_sizes(sizes: list[tuple[str, RunSize, Scenario | None]], workers: int = 1,
                max_memory: float | None = None, what: str = "this run") -> str:
    """Refuse runs that are too big (InputError); otherwise a note if they will take long ("").

    The runs are held together (programmes compared, a programme and its reference), so their
    memory adds up.
    """
    limit = DEFAULT_MAX_MEMORY if max_memory is None else max_memory
    problems = [p for file, size, sc in sizes for p in size_problems(size, file, limit, sc)]
    together = BASE_BYTES + sum(s.memory - BASE_BYTES for _, s, _ in sizes)
    if not problems and len(sizes) > 1 and together > limit:
        parts = ", ".join(f"{file} {human_bytes(s.memory - BASE_BYTES)}" for file, s, _ in sizes)
        problems.append(Problem(sizes[0][0], "", f"these {len(sizes)} runs together would need "
                                f"about {human_bytes(together)} of memory ({parts}); the limit is "
                                f"{human_bytes(limit)}. Use fewer replications (--reps), or raise "
                                "the limit with --max-memory"))
    if problems:
        raise InputError(problems)
    return long_run_note(sum(s.seconds(workers) for _, s, _ in sizes),
                         sum(s.events for _, s, _ in sizes), what)


def long_run_note(seconds: float, events: float, what: str = "this run") -> str:
    """A one-line warning when the estimate is above LONG_RUN_SECONDS, else ""."""
    if seconds <= LONG_RUN_SECONDS:
        return ""
    return (f"note: {what} will take about {human_seconds(seconds)} on this machine "
            f"(about {_count(events)} simulation events); --reps, a shorter horizon or more "
            "--workers make it shorter, Ctrl-C stops it")


@dataclass
class SweepSize:
    """The size of a sweep, summed over its points' runs (each point and base scenario a run)."""

    runs: int = 0
    seconds: float = 0.0           # one process
    events: float = 0.0
    largest: RunSize | None = None  # the run with the largest memory: what one worker holds
    reference_memory: float = 0.0   # a reference scenario's run, kept by each worker
    loop: tuple[str, RunSize] | None = None  # the first point with a loop that almost never ends

    def add(self, size: RunSize, point: str) -> None:
        self.runs += 1
        self.seconds += size.seconds(1)
        self.events += size.events
        if self.largest is None or size.memory > self.largest.memory:
            self.largest = size
        if self.loop is None and not size.visits_per_person < MAX_VISITS_PER_PERSON:
            self.loop = (point, size)

    @property
    def memory(self) -> float:
        return (self.largest.memory if self.largest else BASE_BYTES) + self.reference_memory


def sweep_problems(size: SweepSize, file: str, max_memory: float | None = None) -> list[Problem]:
    """A point whose scenario loops almost for ever, or one run that needs too much memory."""
    limit = DEFAULT_MAX_MEMORY if max_memory is None else max_memory
    if size.loop is not None:
        point, run = size.loop
        return [Problem(file, "parameters", f"at {point}, {run.name}: a participant makes "
                        f"{_count(run.visits_per_person)} visits on average (most to '{run.loop}'): "
                        "a loop that almost never ends; narrow the ranges")]
    if size.memory > limit and size.largest is not None:
        run = size.largest
        return [Problem(file, "replications", f"one run of this sweep ({run.name}: "
                        f"{_drivers(run)}, {_plural(run.replications, 'replication')}) would "
                        f"need about {human_bytes(size.memory)} of memory; the limit is "
                        f"{human_bytes(limit)}. Use fewer replications (the sweep's replications or "
                        f"--reps), narrow the ranges that raise {run.name}'s "
                        f"{', '.join(run.people_from or ('intake',))}, or raise the limit with "
                        "--max-memory",
                        run.replications)]
    return []


def check_sweep(size: SweepSize, file: str, workers: int, max_memory: float | None = None) -> str:
    """Refuse a sweep that cannot run (InputError); otherwise a note if it will take long ("")."""
    problems = sweep_problems(size, file, max_memory)
    if problems:
        raise InputError(problems)
    return long_run_note(size.seconds / max(1, workers), size.events, "this sweep")


def usable_workers(requested: int | None, tasks: int) -> int:
    """Worker processes worth starting: no more than the tasks, nor the cores this process may use."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    want = cores if requested is None else requested
    return max(1, min(want, tasks, cores))


_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_memory(text: str) -> float:
    """'8G', '512M', '2.5g' or a number of bytes; ValueError otherwise."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", text.lower())
    if m is None or float(m.group(1)) <= 0:
        raise ValueError(f"not a memory size: {text!r} (write e.g. 16G or 512M)")
    return float(m.group(1)) * _UNITS[m.group(2)]


def human_bytes(n: float) -> str:
    for unit, size in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n / 1024:.3g} kB"


def human_seconds(s: float) -> str:
    if s < 120:
        return f"{s:.0f} seconds"
    if s < 2 * 3600:
        return f"{s / 60:.0f} minutes"
    if s < 2 * 86400:
        return f"{s / 3600:.1f} hours"
    return f"{s / 86400:.0f} days"


def spaced(n: float) -> str:
    """A whole number with thin groups, as Swedish and SI style write it: 100 000."""
    return f"{n:,.0f}".replace(",", " ")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _count(x: float) -> str:
    if not math.isfinite(x):
        return "infinitely many"
    if x < 1e6:
        return spaced(x)
    return f"{x:.2g}".replace("e+0", "e").replace("e+", "e")
