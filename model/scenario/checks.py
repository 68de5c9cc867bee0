"""Checks that need the whole scenario: names that exist, places that are reached, ways out.

These run after the schema has passed; `raw_reference_problems` looks at the raw mapping when it
has not, so that a typo in a route is reported together with the schema errors.
"""

from __future__ import annotations

import difflib
from typing import Any

from model.errors import Problem
from model.scenario.schema import Scenario


def _unknown(file: str, path: str, dest: str, allowed: set[str], what: str) -> list[Problem]:
    """A reference to a name that does not exist, with a "did you mean" hint."""
    if dest in allowed:
        return []
    hint = difflib.get_close_matches(dest, sorted(allowed), n=1)
    tip = f"; did you mean '{hint[0]}'?" if hint else "."
    return [Problem(file, path, f"unknown {what} '{dest}'{tip} Allowed: {', '.join(sorted(allowed))}",
                    dest)]


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



def semantic_problems(sc: Scenario, file: str = "<scenario>") -> list[Problem]:
    """Checks that need the whole scenario: references, reachability, ways out, capacity."""
    probs: list[Problem] = []
    names = sc.names
    exits = set(sc.exit_states)
    places = set(names) | exits

    def bad(path: str, msg: str, value: object = None) -> None:
        probs.append(Problem(file, path, msg, value))

    dupes = {n for n in names if names.count(n) > 1}
    for n in sorted(dupes):
        bad("interventions", f"intervention name '{n}' is used more than once", n)
    clash = set(names) & exits
    for n in sorted(clash):
        bad("exit_states", f"'{n}' is both an intervention and an exit state", n)

    def check_dest(path: str, dest: str, allowed: set[str], what: str) -> None:
        probs.extend(_unknown(file, path, dest, allowed, what))

    for dest in sc.entry:
        check_dest(f"entry.{dest}", dest, set(names), "intervention")
    for i, iv in enumerate(sc.interventions):
        for dest in iv.routing:
            check_dest(f"interventions[{i}].routing.{dest}", dest, places, "destination")
        for dest in iv.exit_hazards:
            check_dest(f"interventions[{i}].exit_hazards.{dest}", dest, places, "destination")
            if dest == iv.name:
                bad(f"interventions[{i}].exit_hazards.{dest}",
                    "an exit during an intervention cannot lead back into the same intervention",
                    dest)
        wl = iv.waiting_list
        if wl is not None and wl.on_timeout is not None:
            check_dest(f"interventions[{i}].waiting_list.on_timeout", wl.on_timeout, exits,
                       "exit state")
        if wl is not None and wl.priority is not None:
            attr = wl.priority.attribute
            levels = (list(sc.intake.referral_sources) if attr == "referral"
                      else sc.population.levels(attr))
            for j, level in enumerate(wl.priority.order):
                if level not in levels:
                    bad(f"interventions[{i}].waiting_list.priority.order[{j}]",
                        f"unknown {attr} '{level}'; allowed: {', '.join(levels)}", level)
        if wl is not None and iv.capacity is None:
            bad(f"interventions[{i}].waiting_list",
                "a waiting list needs a capacity (places or staff) on the intervention")
        if iv.capacity_changes and iv.capacity is None:
            bad(f"interventions[{i}].capacity_changes", "capacity changes need a capacity")
        if iv.capacity is not None:
            for j, ch in enumerate(iv.capacity_changes):
                if ch.staff_fte is not None and iv.capacity.places is not None:
                    bad(f"interventions[{i}].capacity_changes[{j}].staff_fte",
                        "capacity is given in places; change it with places", ch.staff_fte)
    for k, g in enumerate(sc.initial_state):
        check_dest(f"initial_state[{k}].intervention", g.intervention, set(names), "intervention")
    for k, ov in enumerate(sc.population.overrides):
        for attr, level in ov.when.items():
            levels = sc.population.levels(attr)
            if level not in levels:
                bad(f"population.overrides[{k}].when.{attr}",
                    f"unknown {attr} '{level}'; allowed: {', '.join(levels)}", level)
        for ivname, o in ov.interventions.items():
            check_dest(f"population.overrides[{k}].interventions.{ivname}", ivname,
                       set(names), "intervention")
            for dest in (o.routing or {}):
                check_dest(f"population.overrides[{k}].interventions.{ivname}.routing.{dest}",
                           dest, places, "destination")
            for dest in (o.exit_hazards or {}):
                check_dest(
                    f"population.overrides[{k}].interventions.{ivname}.exit_hazards.{dest}",
                    dest, places, "destination")
    for k, gh in enumerate(sc.counterfactual.by_group):
        for attr, level in gh.when.items():
            levels = sc.population.levels(attr)
            if level not in levels:
                bad(f"counterfactual.by_group[{k}].when.{attr}",
                    f"unknown {attr} '{level}'; allowed: {', '.join(levels)}", level)
    for kind in ("stream", "groups"):
        spec = getattr(sc.intake, kind)
        if spec is not None and spec.end_month is not None and spec.end_month <= spec.start_month:
            bad(f"intake.{kind}.end_month",
                f"end_month must be after start_month ({spec.start_month:g}), or no one arrives",
                spec.end_month)
    if probs:
        return probs

    # graph checks: edges with positive probability (any subgroup)
    edges: dict[str, set[str]] = {n: set() for n in names}
    for iv in sc.interventions:
        edges[iv.name] |= {d for d, p in iv.routing.items() if p > 0}
        edges[iv.name] |= {d for d, h in iv.exit_hazards.items() if h > 0}
        if iv.waiting_list and iv.waiting_list.on_timeout:
            edges[iv.name].add(iv.waiting_list.on_timeout)
    for ov in sc.population.overrides:
        for ivname, o in ov.interventions.items():
            edges[ivname] |= {d for d, p in (o.routing or {}).items() if p > 0}
            edges[ivname] |= {d for d, h in (o.exit_hazards or {}).items() if h > 0}

    starts = {d for d, p in sc.entry.items() if p > 0} | {g.intervention for g in sc.initial_state}
    reach = _reachable(starts, edges)
    for i, iv in enumerate(sc.interventions):
        if iv.name not in reach:
            bad(f"interventions[{i}]",
                f"intervention '{iv.name}' is unreachable: no entry, initial state or route leads "
                "to it", iv.name)
    for i, iv in enumerate(sc.interventions):
        if iv.name in reach and not (_reachable({iv.name}, edges) & exits):
            bad(f"interventions[{i}].routing",
                f"a loop with no way out: from '{iv.name}' no route reaches an exit state", iv.name)
    if not probs:
        probs += _subgroup_traps(sc, starts, file)
    arrivals_into = reach
    for i, iv in enumerate(sc.interventions):
        if iv.capacity is None or iv.name not in arrivals_into:
            continue
        slots_now = iv.capacity.slots()
        later = [
            ch.places if ch.places is not None else iv.capacity.slots(ch.staff_fte)
            for ch in iv.capacity_changes
        ]
        if slots_now == 0 and not any(s and s > 0 for s in later):
            bad(f"interventions[{i}].capacity",
                "zero capacity, but participants are routed here: they would wait forever", 0)
    if sc.simulation.horizon_months is None and sc.intake.is_unbounded():
        bad("simulation.horizon_months",
            "arrivals never stop (open stream or groups without end_month or max_participants); "
            "give a horizon_months")
    return probs


def _subgroup_traps(sc: Scenario, starts: set[str], file: str) -> list[Problem]:
    """A loop with no way out for one subgroup, once its overrides replace the routing."""
    pop = sc.population
    attrs = sorted({a for ov in pop.overrides for a in ov.when})
    if not attrs:
        return []
    exits = set(sc.exit_states)
    found: list[Problem] = []
    for person, _ in pop.cells(attrs):
        edges: dict[str, set[str]] = {}
        for iv in sc.interventions:
            routing, hazards = dict(iv.routing), dict(iv.exit_hazards)
            for ov in pop.overrides:
                o = ov.interventions.get(iv.name)
                if o is None or any(person.get(k) != v for k, v in ov.when.items()):
                    continue
                routing = dict(o.routing) if o.routing is not None else routing
                hazards.update(o.exit_hazards or {})
            edges[iv.name] = {d for d, p in routing.items() if p > 0}
            edges[iv.name] |= {d for d, h in hazards.items() if h > 0}
            if iv.waiting_list and iv.waiting_list.on_timeout:
                edges[iv.name].add(iv.waiting_list.on_timeout)
        for i, iv in enumerate(sc.interventions):
            if iv.name in _reachable(starts, edges) and not (_reachable({iv.name}, edges) & exits):
                who = ", ".join(f"{k}={v}" for k, v in person.items())
                found.append(Problem(
                    file, f"interventions[{i}].routing",
                    f"a loop with no way out for the subgroup {who}: with its overrides, no route "
                    f"from '{iv.name}' reaches an exit state", iv.name))
                return found
    return found


def _reachable(starts: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(starts)
    todo = list(starts)
    while todo:
        node = todo.pop()
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
