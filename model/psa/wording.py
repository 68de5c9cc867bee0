"""A reported figure as its words state it: "knappt 10 miljoner" is a range, not 9 999 999.

The rule (docs/calibration.md, "Targets as the source states them"): the last digit written sets
the unit u (u = 1 million in "7 miljoner", 0.1 million in "6,8 miljoner"); a plain or "ca"
figure x means [x − u/2, x + u/2] (what rounds to x), "drygt x" [x, x + u/2] (a little over x,
less than would round up), "knappt x" [x − u/2, x]. The target's likelihood is a normal centred
on the interval with the sd of a uniform over it, (high − low)/√12 = half-width/√3.
"""

from __future__ import annotations

import math
import re

QUALIFIERS = {"": "rounded", "ca": "rounded", "ca.": "rounded", "cirka": "rounded",
              "omkring": "rounded", "drygt": "over", "knappt": "under"}
UNITS = {"miljoner": 1e6, "miljon": 1e6, "mkr": 1e6, "msek": 1e6, "tusen": 1e3, "tkr": 1e3,
         "kr": 1.0, "kronor": 1.0, "procent": 0.01, "%": 0.01, "": 1.0, "personer": 1.0,
         "deltagare": 1.0, "månader": 1.0, "månad": 1.0}
_FIGURE = re.compile(r"^\s*(?P<q>[a-zåäö.]*)\s*(?P<num>\d[\d  ]*(?:[.,]\d+)?)\s*(?P<unit>[^\d\s]*)"
                     r"(?:\s+kronor)?\s*$", re.IGNORECASE)


def reading(text: str) -> tuple[float, float]:
    """The interval [low, high] (in the figure's base unit: kr, a share, a count) that `text`
    states; ValueError naming what is allowed when the wording is not one the rule covers."""
    m = _FIGURE.match(text)
    q = (m.group("q").lower() if m else "")
    unit = (m.group("unit").lower() if m else "")
    if m is None or q not in QUALIFIERS or unit not in UNITS:
        raise ValueError(f"cannot read {text!r} as a reported figure; write it as the source does, "
                         f"e.g. '7 miljoner', 'drygt 3 miljoner', 'knappt 10 miljoner', "
                         f"'6,8 miljoner', 'ca 4 månader', '34,74 %' (qualifiers: "
                         f"{', '.join(k for k in QUALIFIERS if k)}; units: "
                         f"{', '.join(k for k in UNITS if k)})")
    num = m.group("num").replace(" ", "").replace("\u00a0", "").replace(",", ".")
    decimals = len(num.split(".")[1]) if "." in num else 0
    x = float(num)
    half = 0.5 * 10.0 ** -decimals
    lo, hi = {"rounded": (x - half, x + half), "over": (x, x + half),
              "under": (x - half, x)}[QUALIFIERS[q]]
    scale = UNITS[unit]
    return lo * scale, hi * scale


def value_and_sd(text: str) -> tuple[float, float]:
    """Centre of the stated interval and the sd of a uniform over it (half-width / √3)."""
    lo, hi = reading(text)
    return (lo + hi) / 2, (hi - lo) / math.sqrt(12)
