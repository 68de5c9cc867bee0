"""Shares that a source rounded, rescaled to sum to 1 when the scenario asks for it.

A report that gives 54 %, 14 % and 32 % sums to 0.99. With `normalise: true` at the top of a
scenario file, every mapping of shares (entry, routing, population mixes, joint cells, referral
sources, actor shares) whose sum misses 1 by no more than rounding to whole percent explains
(0.005 a share) is divided by its sum; each one is listed (`insats validate` prints them). A sum
further from 1 is left alone, so that the schema still reports it: that is a mistake, not
rounding.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from model.numbers import unwrap_sourced
from model.scenario.base import ATTRIBUTES, ROUTING_TOL, rounding_slack


def share_mappings(raw: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(YAML path, mapping) of every mapping of shares in a raw scenario that must sum to 1."""

    def mapping(node: Any) -> dict[str, Any] | None:
        return node if isinstance(node, dict) and node else None

    if (m := mapping(raw.get("entry"))) is not None:
        yield "entry", m
    intake = raw.get("intake")
    if isinstance(intake, dict) and (m := mapping(intake.get("referral_sources"))) is not None:
        yield "intake.referral_sources", m
    pop = raw.get("population")
    if isinstance(pop, dict):
        for attr in ATTRIBUTES:
            if (m := mapping(pop.get(attr))) is not None:
                yield f"population.{attr}", m
        overrides = pop.get("overrides")
        for i, ov in enumerate(overrides if isinstance(overrides, list) else []):
            ivs = ov.get("interventions") if isinstance(ov, dict) else None
            for name, iv in (ivs.items() if isinstance(ivs, dict) else []):
                if isinstance(iv, dict) and (m := mapping(iv.get("routing"))) is not None:
                    yield f"population.overrides[{i}].interventions.{name}.routing", m
    ivs = raw.get("interventions")
    for i, iv in enumerate(ivs if isinstance(ivs, list) else []):
        if isinstance(iv, dict) and (m := mapping(iv.get("routing"))) is not None:
            yield f"interventions[{i}].routing", m
    val = raw.get("valuation")
    if isinstance(val, dict) and (m := mapping(val.get("actor_shares"))) is not None:
        yield "valuation.actor_shares", m


def _number(v: Any) -> float | None:
    try:
        x = unwrap_sourced(v)
    except ValueError:
        return None
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x) or x < 0:
        return None
    return float(x)


def _rescale(shares: dict[Any, Any], path: str) -> str | None:
    """Divide the shares by their sum in place when it misses 1 by rounding; the note, or None."""
    values = {k: _number(v) for k, v in shares.items()}
    if any(v is None for v in values.values()):
        return None  # a value that is not a share: the schema reports it
    total = sum(values.values())
    if abs(total - 1.0) <= ROUTING_TOL or abs(total - 1.0) > rounding_slack(len(values)):
        return None
    for k, v in shares.items():
        scaled = values[k] / total
        shares[k] = {**v, "value": scaled} if isinstance(v, dict) else scaled
    return f"{path} summed to {total:.4g}; rescaled to 1 (each share × {1 / total:.4f})"


def normalise_shares(raw: dict[str, Any]) -> list[str]:
    """Rescale, in place, every mapping of shares in `raw` that misses 1 by rounding; the notes."""
    notes = [note for path, shares in share_mappings(raw)
             if (note := _rescale(shares, path)) is not None]
    pop = raw.get("population")
    cells = pop.get("joint") if isinstance(pop, dict) else None
    if isinstance(cells, list) and cells and all(isinstance(c, dict) and "share" in c for c in cells):
        shares = {i: c["share"] for i, c in enumerate(cells)}
        note = _rescale(shares, "population.joint (cell shares)")
        if note is not None:
            for i, c in enumerate(cells):
                c["share"] = shares[i]
            notes.append(note)
    return notes
