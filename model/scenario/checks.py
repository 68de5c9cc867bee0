"""Checks that need the whole scenario: names that exist, places that are reached, ways out.

Each rule is a small function returning the problems it finds; every rule runs, so a planner sees
all problems at once. The rules in CHECKS need only the validated scenario. Those in GRAPH_CHECKS
ask where participants go and whether a run ends; they run when CHECKS found nothing (the routes
must name known places) and share one `routing_graph`. `raw_reference_problems` looks at the raw
mapping when the schema has failed, so that a typo in a route is reported with the schema errors.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from model.errors import Problem
from model.scenario.schema import Intervention, Scenario

Rule = Callable[[Scenario, str], list[Problem]]
InterventionRule = Callable[[Scenario, int, Intervention, str], list[Problem]]
GraphRule = Callable[[Scenario, "RoutingGraph", str], list[Problem]]


def semantic_problems(sc: Scenario, file: str = "<scenario>") -> list[Problem]:
    """Checks that need the whole scenario: references, reachability, ways out, capacity."""
    if not sc.exit_states:  # every route out would be reported as unknown: say the cause alone
        return [no_exit_states(file)]
    problems = [p for rule in CHECKS for p in rule(sc, file)]
    if problems:
        return problems
    graph = routing_graph(sc)
    return [p for rule in GRAPH_CHECKS for p in rule(sc, graph, file)]


# ---------------------------------------------------------------- names and references


def no_exit_states(file: str) -> Problem:
    """`exit_states: {}`: there is nowhere to leave to, so every route out names an unknown place."""
    return Problem(file, "exit_states", "is empty: name at least one way out of the "
                   "programme, e.g. arbete: {category: work}", {})


def unique_intervention_names(sc: Scenario, file: str) -> list[Problem]:
    names = sc.names
    return [Problem(file, "interventions", f"intervention name '{n}' is used more than once", n)
            for n in sorted({n for n in names if names.count(n) > 1})]


def interventions_are_not_exit_states(sc: Scenario, file: str) -> list[Problem]:
    return [Problem(file, "exit_states", f"'{n}' is both an intervention and an exit state", n)
            for n in sorted(set(sc.names) & set(sc.exit_states))]


def entries_are_interventions(sc: Scenario, file: str) -> list[Problem]:
    return [p for dest in sc.entry
            for p in _unknown(file, f"entry.{dest}", dest, set(sc.names), "intervention")]


def each_intervention(sc: Scenario, file: str) -> list[Problem]:
    """The rules of INTERVENTION_CHECKS, intervention by intervention (problems in file order)."""
    return [p for i, iv in enumerate(sc.interventions) for rule in INTERVENTION_CHECKS
            for p in rule(sc, i, iv, file)]


def routes_are_known(sc: Scenario, i: int, iv: Intervention, file: str) -> list[Problem]:
    return [p for dest in iv.routing
            for p in _unknown(file, f"interventions[{i}].routing.{dest}", dest, _places(sc),
                              "destination")]


def early_exits_lead_elsewhere(sc: Scenario, i: int, iv: Intervention, file: str) -> list[Problem]:
    """Exits during an intervention go to a known place, and not back into the intervention."""
    found: list[Problem] = []
    for dest in iv.exit_hazards:
        path = f"interventions[{i}].exit_hazards.{dest}"
        found += _unknown(file, path, dest, _places(sc), "destination")
        if dest == iv.name:
            found.append(Problem(file, path, "an exit during an intervention cannot lead back into "
                                 "the same intervention", dest))
    return found


def timeout_is_exit_state(sc: Scenario, i: int, iv: Intervention, file: str) -> list[Problem]:
    wl = iv.waiting_list
    if wl is None or wl.on_timeout is None:
        return []
    return _unknown(file, f"interventions[{i}].waiting_list.on_timeout", wl.on_timeout,
                    set(sc.exit_states), "exit state")


def priority_levels_are_known(sc: Scenario, i: int, iv: Intervention, file: str) -> list[Problem]:
    wl = iv.waiting_list
    if wl is None or wl.priority is None:
        return []
    attr = wl.priority.attribute
    levels = (list(sc.intake.referral_sources) if attr == "referral"
              else sc.population.levels(attr))
    return [_unknown_level(file, f"interventions[{i}].waiting_list.priority.order[{j}]", attr,
                           level, levels)
            for j, level in enumerate(wl.priority.order) if level not in levels]


def waiting_list_has_capacity(sc: Scenario, i: int, iv: Intervention, file: str) -> list[Problem]:
    if iv.waiting_list is None or iv.capacity is not None:
        return []
    return [Problem(file, f"interventions[{i}].waiting_list",
                    "a waiting list needs a capacity (places or staff) on the intervention")]


def capacity_changes_fit(sc: Scenario, i: int, iv: Intervention, file: str) -> list[Problem]:
    """Capacity changes need a capacity, a capacity in places changes in places, and one whose
    staff are costed changes in staff (so that the cost follows)."""
    if iv.capacity is None:
        return ([Problem(file, f"interventions[{i}].capacity_changes",
                         "capacity changes need a capacity")] if iv.capacity_changes else [])
    found = [Problem(file, f"interventions[{i}].capacity_changes[{j}].staff_fte",
                     "capacity is given in places; change it with places", ch.staff_fte)
             for j, ch in enumerate(iv.capacity_changes)
             if ch.staff_fte is not None and iv.capacity.places is not None]
    found += [Problem(file, f"interventions[{i}].capacity_changes[{j}].places",
                      "the capacity's staff have a monthly_salary; change it with staff_fte so "
                      "that the staff cost follows", ch.places)
              for j, ch in enumerate(iv.capacity_changes)
              if ch.places is not None and iv.capacity.costed]
    return found


def initial_groups_are_known(sc: Scenario, file: str) -> list[Problem]:
    return [p for k, g in enumerate(sc.initial_state)
            for p in _unknown(file, f"initial_state[{k}].intervention", g.intervention,
                              set(sc.names), "intervention")]


def overrides_are_known(sc: Scenario, file: str) -> list[Problem]:
    """Overrides name known levels, interventions and destinations."""
    found: list[Problem] = []
    for k, ov in enumerate(sc.population.overrides):
        here = f"population.overrides[{k}]"
        found += _unknown_levels(sc, f"{here}.when", ov.when, file)
        for ivname, o in ov.interventions.items():
            found += _unknown(file, f"{here}.interventions.{ivname}", ivname, set(sc.names),
                              "intervention")
            for key, dests in (("routing", o.routing), ("exit_hazards", o.exit_hazards)):
                for dest in dests or {}:
                    found += _unknown(file, f"{here}.interventions.{ivname}.{key}.{dest}", dest,
                                      _places(sc), "destination")
    return found


def counterfactual_groups_are_known(sc: Scenario, file: str) -> list[Problem]:
    return [p for k, gh in enumerate(sc.counterfactual.by_group)
            for p in _unknown_levels(sc, f"counterfactual.by_group[{k}].when", gh.when, file)]


def intake_windows_are_open(sc: Scenario, file: str) -> list[Problem]:
    found = []
    for kind in ("stream", "groups"):
        spec = getattr(sc.intake, kind)
        if spec is not None and spec.end_month is not None and spec.end_month <= spec.start_month:
            found.append(Problem(file, f"intake.{kind}.end_month",
                                 f"end_month must be after start_month ({spec.start_month:g}), or "
                                 "no one arrives", spec.end_month))
    return found


INTERVENTION_CHECKS: tuple[InterventionRule, ...] = (
    routes_are_known,
    early_exits_lead_elsewhere,
    timeout_is_exit_state,
    priority_levels_are_known,
    waiting_list_has_capacity,
    capacity_changes_fit,
)
CHECKS: tuple[Rule, ...] = (
    unique_intervention_names,
    interventions_are_not_exit_states,
    entries_are_interventions,
    each_intervention,
    initial_groups_are_known,
    overrides_are_known,
    counterfactual_groups_are_known,
    intake_windows_are_open,
)


def _places(sc: Scenario) -> set[str]:
    return set(sc.names) | set(sc.exit_states)


def _unknown_level(file: str, path: str, attr: str, level: str, levels: list[str]) -> Problem:
    return Problem(file, path, f"unknown {attr} '{level}'; allowed: {', '.join(levels)}", level)


def _unknown_levels(sc: Scenario, path: str, when: Mapping[str, str], file: str) -> list[Problem]:
    """The levels in a `when` that the population does not have."""
    found = []
    for attr, level in when.items():
        levels = sc.population.levels(attr)
        if level not in levels:
            found.append(_unknown_level(file, f"{path}.{attr}", attr, level, levels))
    return found


def _unknown(file: str, path: str, dest: str, allowed: set[str], what: str) -> list[Problem]:
    """A reference to a name that does not exist, with a "did you mean" hint."""
    if dest in allowed:
        return []
    if not allowed:
        return [Problem(file, path, f"unknown {what} '{dest}': the scenario defines none", dest)]
    hint = difflib.get_close_matches(dest, sorted(allowed), n=1)
    tip = f"; did you mean '{hint[0]}'?" if hint else "."
    return [Problem(file, path, f"unknown {what} '{dest}'{tip} Allowed: {', '.join(sorted(allowed))}",
                    dest)]


# ---------------------------------------------------------------- routes and the run's end


@dataclass(frozen=True)
class RoutingGraph:
    """Where participants can go from each intervention: routes with a positive share or hazard,
    and the waiting list's timeout."""

    edges: dict[str, set[str]]
    starts: set[str]
    exits: set[str]

    def reachable(self, starts: set[str]) -> set[str]:
        """The places reached from `starts`, them included."""
        seen = set(starts)
        todo = list(starts)
        while todo:
            node = todo.pop()
            for nxt in self.edges.get(node, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    @cached_property
    def reached(self) -> set[str]:
        """The places reached from the entries and the initial groups."""
        return self.reachable(self.starts)

    def unreachable(self) -> set[str]:
        return set(self.edges) - self.reached

    def dead_ends(self) -> set[str]:
        """Interventions that are reached but from which no route reaches an exit state."""
        return {n for n in self.edges if n in self.reached and not self.reachable({n}) & self.exits}


def routing_graph(sc: Scenario, person: Mapping[str, str] | None = None) -> RoutingGraph:
    """The routes of everyone (any subgroup's overrides add routes), or of one `person`.

    For a person (their attributes), the overrides whose `when` matches replace the routing and
    update the exit hazards, in order, as the engine applies them.
    """
    edges: dict[str, set[str]] = {}
    for iv in sc.interventions:
        routing, hazards = dict(iv.routing), dict(iv.exit_hazards)
        added: set[str] = set()
        for ov in sc.population.overrides:
            o = ov.interventions.get(iv.name)
            if o is None:
                continue
            if person is None:
                added |= _positive(o.routing or {}) | _positive(o.exit_hazards or {})
            elif all(person.get(k) == v for k, v in ov.when.items()):
                routing = dict(o.routing) if o.routing is not None else routing
                hazards.update(o.exit_hazards or {})
        edges[iv.name] = _positive(routing) | _positive(hazards) | added
        if iv.waiting_list and iv.waiting_list.on_timeout:
            edges[iv.name].add(iv.waiting_list.on_timeout)
    starts = _positive(sc.entry) | {g.intervention for g in sc.initial_state}
    return RoutingGraph(edges, starts, set(sc.exit_states))


def _positive(weights: Mapping[str, float]) -> set[str]:
    return {d for d, w in weights.items() if w > 0}


def interventions_are_reached(sc: Scenario, graph: RoutingGraph, file: str) -> list[Problem]:
    unreachable = graph.unreachable()
    return [Problem(file, f"interventions[{i}]", f"intervention '{iv.name}' is unreachable: no "
                    "entry, initial state or route leads to it", iv.name)
            for i, iv in enumerate(sc.interventions) if iv.name in unreachable]


def loops_have_a_way_out(sc: Scenario, graph: RoutingGraph, file: str) -> list[Problem]:
    dead = graph.dead_ends()
    return [Problem(file, f"interventions[{i}].routing", f"a loop with no way out: from "
                    f"'{iv.name}' no route reaches an exit state", iv.name)
            for i, iv in enumerate(sc.interventions) if iv.name in dead]


def subgroup_loops_have_a_way_out(sc: Scenario, graph: RoutingGraph, file: str) -> list[Problem]:
    """A loop with no way out for one subgroup, once its overrides replace the routing.

    Looked for only when the routes of everyone are sound (a problem there says enough), and
    reported for the first such subgroup.
    """
    pop = sc.population
    attrs = sorted({a for ov in pop.overrides for a in ov.when})
    if not attrs or graph.unreachable() or graph.dead_ends():
        return []
    for person, _ in pop.cells(attrs):
        dead = routing_graph(sc, person).dead_ends()
        for i, iv in enumerate(sc.interventions):
            if iv.name in dead:
                who = ", ".join(f"{k}={v}" for k, v in person.items())
                return [Problem(
                    file, f"interventions[{i}].routing",
                    f"a loop with no way out for the subgroup {who}: with its overrides, no route "
                    f"from '{iv.name}' reaches an exit state", iv.name)]
    return []


def reached_capacity_is_open(sc: Scenario, graph: RoutingGraph, file: str) -> list[Problem]:
    """An intervention participants reach has places now or later."""
    found = []
    for i, iv in enumerate(sc.interventions):
        if iv.capacity is None or iv.name not in graph.reached:
            continue
        later = [ch.places if ch.places is not None else iv.capacity.slots(ch.staff_fte)
                 for ch in iv.capacity_changes]
        if iv.capacity.slots() == 0 and not any(s and s > 0 for s in later):
            found.append(Problem(file, f"interventions[{i}].capacity", "zero capacity, but "
                                 "participants are routed here: they would wait forever", 0))
    return found


def open_intake_has_horizon(sc: Scenario, graph: RoutingGraph, file: str) -> list[Problem]:
    """Arrivals that never stop need a horizon, or the run never ends (the graph is not needed)."""
    if sc.simulation.horizon_months is None and sc.intake.is_unbounded():
        return [Problem(file, "simulation.horizon_months",
                        "arrivals never stop (open stream or groups without end_month or "
                        "max_participants); give a horizon_months")]
    return []


GRAPH_CHECKS: tuple[GraphRule, ...] = (
    interventions_are_reached,
    loops_have_a_way_out,
    subgroup_loops_have_a_way_out,
    reached_capacity_is_open,
    open_intake_has_horizon,
)


# ---------------------------------------------------------------- on the raw mapping


def raw_reference_problems(raw: dict[str, Any], file: str) -> list[Problem]:
    """Routes, entries and timeouts that name unknown places, read from the raw mapping.

    Used when the schema check fails, so that a typo in a route is reported in the same run as
    the schema errors; only well-formed parts of the file are looked at.
    """
    ivs = raw.get("interventions")
    states = raw.get("exit_states")
    if not isinstance(ivs, list) or not isinstance(states, dict):
        return []
    names = {iv["name"] for iv in ivs if isinstance(iv, dict) and isinstance(iv.get("name"), str)}
    exits = {str(k) for k in states}
    places = names | exits
    out: list[Problem] = []
    entry = raw.get("entry")
    entries = {entry: 1} if isinstance(entry, str) else entry if isinstance(entry, dict) else {}
    for dest in entries:
        out += _unknown(file, f"entry.{dest}", str(dest), names, "intervention")
    if not exits:  # routes out of the programme all name unknown places: the cause is this
        return [*out, no_exit_states(file)]
    for i, iv in enumerate(ivs):
        if not isinstance(iv, dict):
            continue
        for key in ("routing", "exit_hazards"):
            if isinstance(iv.get(key), dict):
                for dest in iv[key]:
                    out += _unknown(file, f"interventions[{i}].{key}.{dest}", str(dest), places,
                                    "destination")
        wl = iv.get("waiting_list")
        if isinstance(wl, dict) and isinstance(wl.get("on_timeout"), str):
            out += _unknown(file, f"interventions[{i}].waiting_list.on_timeout", wl["on_timeout"],
                            exits, "exit state")
    return out
