"""What the batch path derives from a scenario alone, kept between batches (issue 22, target 5).

A calibration prices the same scenarios at tens of thousands of batches of parameter sets; the
cells, the arrival classes, the arrivals at each intake cap and the reference programme's
expected run do not change between them. A `Memo` belongs to one scenario that does not change
while it is used (the caller keeps one per scenario, e.g. `model.psa.calibrate`); the values it
returns are shared and must not be modified.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class Memo:
    """Values computed once per key for one unchanging scenario."""

    values: dict[Hashable, Any] = field(default_factory=dict)

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        if key not in self.values:
            self.values[key] = make()
        return self.values[key]


def memo_or_new(memo: Memo | None) -> Memo:
    """The caller's memo, or a fresh one (nothing kept beyond this call)."""
    return memo if memo is not None else Memo()
