"""Population shares from the records' optional attribute columns (sex, born abroad, age band,
referral), as the scenario writes them: sex x born abroad as joint cells when both are there (the
equity view needs their combination), each other attribute as its own mix."""

from __future__ import annotations

from collections import Counter

import numpy as np

from model.fit.records import Stay

# records column -> (scenario mapping, its key)
WHERE = {"sex": ("population", "sex"), "born_abroad": ("population", "born"),
         "age_band": ("population", "age_band"), "referral": ("intake", "referral_sources")}


def levels(stays: list[Stay], column: str) -> list[str]:
    """The column's levels, most frequent first (ties by name)."""
    counts = Counter(s.attrs[column] for s in stays)
    return sorted(counts, key=lambda x: (-counts[x], x))


def cells(stays: list[Stay]) -> list[tuple[str, str]]:
    """The sex x born cells seen, most frequent first."""
    counts = Counter((s.attrs["sex"], s.attrs["born_abroad"]) for s in stays)
    return sorted(counts, key=lambda x: (-counts[x], x))


def share_paths(stays: list[Stay], attributes: list[str]) -> list[tuple[str, str, object]]:
    """Each share the fit writes: (parameter path, records column, level or cell)."""
    out: list[tuple[str, str, object]] = []
    joint = "sex" in attributes and "born_abroad" in attributes
    if joint:
        out += [(f"population.joint[{i}].share", "joint", c) for i, c in enumerate(cells(stays))]
    for col in attributes:
        if joint and col in ("sex", "born_abroad"):
            continue
        top, key = WHERE[col]
        out += [(f"{top}.{key}[{lv}]", col, lv) for lv in levels(stays, col)]
    return out


def share_values(stays: list[Stay], spec: list[tuple[str, str, object]],
                 idx: np.ndarray | None = None) -> np.ndarray:
    """The shares of `spec` in the records (or in the resample `idx` of them); each mix sums to 1."""
    chosen = stays if idx is None else [stays[i] for i in idx]
    n = len(chosen)
    counts: dict[str, Counter] = {}
    for _, col, _ in spec:
        if col in counts:
            continue
        counts[col] = (Counter((s.attrs["sex"], s.attrs["born_abroad"]) for s in chosen)
                       if col == "joint" else Counter(s.attrs[col] for s in chosen))
    return np.array([counts[col][lv] / n for _, col, lv in spec])
