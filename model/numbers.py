"""Numeric input types: every number in a scenario may carry its source.

A planner writes either `0.62` or `{value: 0.62, source: "000, PwC-jämförelsen"}`; the schema
sees the number, and `collect_sources` lists the notes for the report's appendix.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

SOURCED_KEYS = {"value", "source"}


def unwrap_sourced(v: Any) -> Any:
    """Accept `{value: x, source: "..."}` wherever a number is expected and return x."""
    if isinstance(v, bool):
        raise ValueError("expected a number, not true/false")
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("expected a finite number, not nan or infinity")
    if isinstance(v, dict) and "value" in v:
        extra = set(v) - SOURCED_KEYS
        if extra:
            raise ValueError(
                f"a number with a source takes only the keys 'value' and 'source', not {sorted(extra)}"
            )
        if "source" in v and not isinstance(v["source"], str):
            raise ValueError("'source' must be text, e.g. '000, PwC' or 'assumption: ...'")
        v = v["value"]
    return v


def not_text(kind: str) -> BeforeValidator:
    """Refuse text where a number is expected: strict input means a quoted "0.3" is not 0.3.

    Pydantic's lax mode would read it as a number; the YAML loader already reads unquoted
    numbers (1e6 included) as numbers, so text here is a mistake worth naming.
    """

    def check(v: Any) -> Any:
        if isinstance(v, str):
            raise PydanticCustomError("number_text", f"expected a valid {kind}, not text; write "
                                      "it without quotes")
        return v

    return BeforeValidator(check)


_NUM, _INT = not_text("number"), not_text("integer")
Num = Annotated[float, _NUM, BeforeValidator(unwrap_sourced)]
NonNegNum = Annotated[float, _NUM, BeforeValidator(unwrap_sourced), Field(ge=0, allow_inf_nan=False)]
PosNum = Annotated[float, _NUM, BeforeValidator(unwrap_sourced), Field(gt=0, allow_inf_nan=False)]
Prob = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                 Field(ge=0, le=1, allow_inf_nan=False)]
Count = Annotated[int, _INT, BeforeValidator(unwrap_sourced), Field(ge=0)]
PosCount = Annotated[int, _INT, BeforeValidator(unwrap_sourced), Field(ge=1)]
Flag = Annotated[bool, Field(strict=True)]  # true or false only, not "yes", 1 or "on"


def walk_inputs(raw: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, leaf) for every input in a raw scenario mapping, in file order.

    A leaf is a plain value, or a `{value: x}` / `{value: x, source: "..."}` mapping, which is not
    walked into. List items are named by their `name` where they have one, else by position.
    """
    if isinstance(raw, dict):
        if "value" in raw and set(raw) <= SOURCED_KEYS:
            yield path, raw
            return
        for key, val in raw.items():
            yield from walk_inputs(val, f"{path}.{key}" if path else str(key))
    elif isinstance(raw, list):
        for i, val in enumerate(raw):
            name = val.get("name") if isinstance(val, dict) else None
            yield from walk_inputs(val, f"{path}[{name or i}]")
    else:
        yield path, raw


def collect_sources(raw: Any, path: str = "") -> list[tuple[str, Any, str]]:
    """List (path, value, source) for every sourced number in a raw scenario mapping."""
    found: list[tuple[str, Any, str]] = []
    for where, leaf in walk_inputs(raw, path):
        if isinstance(leaf, dict) and "source" in leaf:
            found.append((where, leaf["value"], str(leaf["source"])))
        elif isinstance(leaf, dict):  # a mapping whose one key is `value` (a name): look inside
            found += collect_sources(leaf["value"], f"{where}.value" if where else "value")
    return found


# Upper bounds that keep a run finite and its sums exact (far above any real programme). Each
# bounds one field; what fields ask for together is estimated before a run (`model.limits`).
MAX_PEOPLE = 1_000_000
MAX_KR = 1e12
MAX_MONTHS = 1200  # 100 years: every month, duration and wait in a scenario
MAX_CV = 10.0      # coefficient of variation of a duration (gamma shape 0.01)
MAX_REPLICATIONS = 100_000
MAX_DESIGN_POINTS = 100_000  # points of a sweep's design (each is validated before it runs)
MAX_LEVELS = 1_000           # levels of one grid axis, values of one parameter
People = Annotated[int, _INT, BeforeValidator(unwrap_sourced), Field(ge=1, le=MAX_PEOPLE)]
Headcount = Annotated[int, _INT, BeforeValidator(unwrap_sourced), Field(ge=0, le=MAX_PEOPLE)]
Kronor = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                   Field(ge=0, le=MAX_KR, allow_inf_nan=False)]
PerMonth = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                     Field(gt=0, le=MAX_PEOPLE, allow_inf_nan=False)]
Years = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                  Field(gt=0, le=MAX_MONTHS / 12, allow_inf_nan=False)]
HorizonMonths = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                          Field(gt=0, le=MAX_MONTHS, allow_inf_nan=False)]
Month = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                  Field(ge=0, le=MAX_MONTHS, allow_inf_nan=False)]
PosMonths = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                      Field(gt=0, le=MAX_MONTHS, allow_inf_nan=False)]
MIN_CV = 1e-6


def _not_tiny(cv: float) -> float:
    if cv < MIN_CV:  # 1/CV² would overflow or divide by zero
        raise ValueError(f"a CV below {MIN_CV:g} is a fixed duration: use dist: fixed")
    return cv


CV = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
               Field(gt=0, le=MAX_CV, allow_inf_nan=False), AfterValidator(_not_tiny)]
Staff = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),  # FTE, or a caseload per FTE
                  Field(ge=0, le=MAX_PEOPLE, allow_inf_nan=False)]
Replications = Annotated[int, _INT, BeforeValidator(unwrap_sourced),
                         Field(ge=1, le=MAX_REPLICATIONS)]
