"""Parameter paths: where in a raw scenario mapping a sweep parameter sits, and setting it there.

Paths address the raw mapping with dots; list items are addressed by their `name` (or `label`, or
index): `interventions.yrkesutbildning.routing.arbete`, `valuation.value_per_year`,
`costs.lump_sums[0].amount`. A number written with its source (`{value: 0.3, source: ...}`) keeps
its source. When a parameter sets one share of a node whose shares must sum to 1 (routing, entry,
population mix, referral sources, actor shares), the other shares at that node are rescaled
proportionally, and the sweep says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from model.numbers import unwrap_sourced

# keys whose children are shares that must sum to 1 (the last part of the parent's path)
SHARE_NODES = ("routing", "entry", "sex", "born", "age_band", "target_group", "referral_sources",
               "actor_shares")
SHARE_TOL = 1e-9


def parse_path(path: str) -> list[str]:
    """Split `interventions.a.routing.arbete` (or `interventions[a].routing.arbete`) into parts."""
    if not path or path != path.strip():
        raise ValueError("a parameter path must be non-empty, without surrounding spaces")
    parts = re.findall(r"[^.\[\]]+|\[[^\[\]]*\]", path)
    if "".join(parts).replace("[", "").replace("]", "") != path.replace(".", "").replace(
            "[", "").replace("]", "") or any(p in ("", "[]") for p in parts):
        raise ValueError(f"cannot read the path '{path}'; write it as a.b.c or a[name].c")
    if ".." in path or path.startswith(".") or path.endswith("."):
        raise ValueError(f"empty step in the path '{path}'")
    return [p[1:-1] if p.startswith("[") else p for p in parts]


def _item(items: list[Any], key: str) -> int | None:
    """The index of the list item called `key` (by name, then label, then a number)."""
    for attr in ("name", "label"):
        for i, it in enumerate(items):
            if isinstance(it, dict) and str(it.get(attr)) == key:
                return i
    if key.isdigit() and int(key) < len(items):
        return int(key)
    return None


def _names(items: list[Any]) -> str:
    names = [str(it.get("name", it.get("label", i))) if isinstance(it, dict) else str(i)
             for i, it in enumerate(items)]
    return ", ".join(names) or "(empty list)"


def _named_item(items: list[Any], key: str, here: str) -> Any:
    """The item called `key` of the list at `here`; KeyError lists the names there are."""
    idx = _item(items, key)
    if idx is None:
        raise KeyError(f"{here} has no item named '{key}'; names: {_names(items)}")
    return items[idx]


def get_value(mapping: Any, parts: Sequence[str]) -> Any:
    """The value at a path (a sourced number gives its value); KeyError says where it stops."""
    current = mapping
    for depth, part in enumerate(parts):
        here = ".".join(parts[:depth]) or "the scenario"
        if isinstance(current, dict):
            if part not in current:
                keys = ", ".join(map(str, current)) or "(nothing)"
                raise KeyError(f"{here} has no '{part}'; it has: {keys}")
            current = current[part]
        elif isinstance(current, list):
            current = _named_item(current, part, here)
        else:
            raise KeyError(f"{here} is a value ({current!r}), not a mapping or list")
        if isinstance(current, str) and parts[depth] == "entry" and depth + 1 < len(parts):
            current = {current: 1.0}
    return unwrap_sourced(current)


def _container(raw: dict[str, Any], parts: Sequence[str]) -> dict[str, Any]:
    """The mapping holding the last part of a path in `raw`, created where it is missing."""
    current: Any = raw
    for depth, part in enumerate(parts[:-1]):
        here = ".".join(parts[:depth]) or "the scenario"
        if isinstance(current, dict):
            nxt = current.get(part)
            if nxt is None:
                nxt = current[part] = {}
            elif isinstance(nxt, str) and part == "entry":
                nxt = current[part] = {nxt: 1.0}
            current = nxt
        elif isinstance(current, list):
            current = _named_item(current, part, here)
        else:
            raise KeyError(f"{here} is a value, not a mapping or list")
    if not isinstance(current, dict):
        raise KeyError(f"{'.'.join(parts[:-1])} is not a mapping")
    return current


def _own_path(root: dict[str, Any], parts: Sequence[str]) -> None:
    """Shallow-copy each mapping and list on the way to the last part of a path, in `root` (a copy
    itself), so that setting the path leaves the original untouched. Copying the path, not the
    whole scenario (`copy.deepcopy`), is what makes a point of a sweep or a PSA draw cheap; where
    the path stops (missing, a value) `_container` creates it or says why."""
    current: Any = root
    for part in parts[:-1]:
        if isinstance(current, dict):
            key: Any = part
        elif isinstance(current, list):
            key = _item(current, part)
            if key is None:
                return
        else:
            return
        nxt = current.get(key) if isinstance(current, dict) else current[key]
        if isinstance(nxt, dict):
            nxt = current[key] = dict(nxt)
        elif isinstance(nxt, list):
            nxt = current[key] = list(nxt)
        else:
            return
        current = nxt


def _put(node: dict[str, Any], key: str, value: float) -> None:
    """Set a number, keeping its source note if it was written as {value:, source:}."""
    old = node.get(key)
    if isinstance(old, dict) and "value" in old:
        node[key] = {**old, "value": value}
    else:
        node[key] = value


def is_share(parts: Sequence[str]) -> bool:
    """True when the path sets one share of a node whose shares must sum to 1."""
    return len(parts) >= 2 and parts[-2] in SHARE_NODES


def apply_values(raw: dict[str, Any], assignments: Sequence[tuple[Sequence[str], float]]
                 ) -> tuple[dict[str, Any], list[str]]:
    """A copy of `raw` with each path set (sharing what it does not set with `raw`, which is left
    as it was); the other shares of a share node are rescaled.

    Paths setting shares of the same node are applied together: the shares not set are scaled by
    (1 - sum of the set shares) / (their old sum). Returns the new mapping and one note per
    rescaled node. Raises ValueError when the set shares exceed 1, or when the others are all 0.
    """
    out = dict(raw)
    groups: dict[tuple[str, ...], list[str]] = {}
    for parts, value in assignments:
        _own_path(out, parts)
        node = _container(out, parts)
        _put(node, parts[-1], float(value))
        if is_share(parts):
            groups.setdefault(tuple(parts[:-1]), []).append(parts[-1])
    notes = []
    for node_path, keys in groups.items():
        node = _container(out, [*node_path, keys[0]])
        shares = {k: float(unwrap_sourced(v)) for k, v in node.items()}
        where = ".".join(node_path)
        fixed = sum(shares[k] for k in set(keys))
        others = [k for k in shares if k not in keys]
        rest = 1.0 - fixed
        if rest < -SHARE_TOL:
            raise ValueError(f"the shares set at {where} ({', '.join(keys)}) sum to {fixed:.6g}, "
                             "above 1")
        if not others:
            continue
        old = sum(shares[k] for k in others)
        if old <= 0:
            if rest > SHARE_TOL:
                raise ValueError(f"cannot rescale the other shares at {where}: they are all 0")
            continue
        factor = max(rest, 0.0) / old
        for k in others:
            _put(node, k, shares[k] * factor)
        notes.append(f"{where}: {', '.join(others)} rescaled x{factor:.4g}")
    return out, notes
