"""Numeric input types: every number in a scenario may carry its source and its uncertainty.

A planner writes either `0.62` or `{value: 0.62, source: "000, PwC-jämförelsen"}`, and may add
what is known about it: `{value: 0.62, source: "...", uncertainty: {dist: beta, sd: 0.038,
source: "..."}}` (the distribution's mean defaults to the value; `name:` makes the same draw
apply wherever that name appears, also across compared scenarios). The schema sees the number;
`collect_sources` lists the notes for the report's appendix and `model.psa` draws the
uncertain ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

SOURCED_KEYS = {"value", "source", "uncertainty"}
UNCERTAINTY_META = ("source", "name")


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
                "a number with a source takes only the keys 'value', 'source' and "
                f"'uncertainty', not {sorted(extra)}")
        if "source" in v and not isinstance(v["source"], str):
            raise ValueError("'source' must be text, e.g. '000, PwC' or 'assumption: ...'")
        if "uncertainty" in v:
            uncertainty_of(v)
        return v["value"]
    return v


def uncertainty_of(leaf: dict[str, Any]) -> Any:
    """The distribution a sourced number's `uncertainty:` describes (ValueError if malformed)."""
    from model.uncertainty import param_dist

    spec = leaf["uncertainty"]
    if not isinstance(spec, dict) or "dist" not in spec:
        raise ValueError("uncertainty needs a mapping with 'dist', e.g. {dist: beta, sd: 0.04}")
    for key in UNCERTAINTY_META:
        if key in spec and not isinstance(spec[key], str):
            raise ValueError(f"uncertainty.{key} must be text")
    value = leaf["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a number with an uncertainty needs a numeric value")
    keys = {k: x for k, x in spec.items() if k not in UNCERTAINTY_META}
    try:
        return param_dist(keys, mean=float(value))
    except ValueError as exc:
        raise ValueError(f"uncertainty: {exc}") from None


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


def joint_rows_cut(raw: Any, keep: int) -> Any:
    """`raw` with each joint group's rows cut to its first `keep` (a shallow copy; `raw` itself
    when it has no joint group). The rows are
    plain numbers (`JointGroup`: none sourced, none uncertain), thousands of them in a calibrated
    set: a walk for sourced or uncertain numbers cuts them all (keep 0) and finds the same; a
    check that parses the scenario after changing one number keeps one (a group's rows are
    validated on their own, already when the file was read, so the check finds the same)."""
    unc = raw.get("uncertainty") if isinstance(raw, dict) else None
    joint = unc.get("joint") if isinstance(unc, dict) else None
    if not isinstance(joint, list):
        return raw
    groups = [{**g, "rows": g["rows"][:keep]} if isinstance(g, dict)
              and isinstance(g.get("rows"), list) else g for g in joint]
    return {**raw, "uncertainty": {**unc, "joint": groups}}


def collect_sources(raw: Any, path: str = "") -> list[tuple[str, Any, str]]:
    """List (path, value, source) for every sourced number in a raw scenario mapping."""
    found: list[tuple[str, Any, str]] = []
    for where, leaf in walk_inputs(joint_rows_cut(raw, 0) if not path else raw, path):
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
MIN_CV = 1e-6


@dataclass(frozen=True)
class Unit:
    """The unit of a number in the schema ("kr", "months", "per month"): shown in docs/schema.md
    and in the JSON Schema editors read (`insats schema`), as the key `unit`."""

    name: str

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {**handler(core_schema), "unit": self.name}


def _not_tiny(cv: float) -> float:
    if cv < MIN_CV:  # 1/CV² would overflow or divide by zero
        raise ValueError(f"a CV below {MIN_CV:g} is a fixed duration: use dist: fixed")
    return cv


People = Annotated[int, _INT, BeforeValidator(unwrap_sourced), Field(ge=1, le=MAX_PEOPLE),
                   Unit("people")]
Headcount = Annotated[int, _INT, BeforeValidator(unwrap_sourced), Field(ge=0, le=MAX_PEOPLE),
                      Unit("people")]
Kronor = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                   Field(ge=0, le=MAX_KR, allow_inf_nan=False), Unit("kr")]
PerMonth = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                     Field(gt=0, le=MAX_PEOPLE, allow_inf_nan=False), Unit("people per month")]
Years = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                  Field(gt=0, le=MAX_MONTHS / 12, allow_inf_nan=False), Unit("years")]
HorizonMonths = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                          Field(gt=0, le=MAX_MONTHS, allow_inf_nan=False), Unit("months")]
# months of calendar time (month 0 is the start of the run) or of a stay, at most 100 years
Months = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                   Field(ge=0, le=MAX_MONTHS, allow_inf_nan=False), Unit("months")]
Month = Months
PosMonths = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                      Field(gt=0, le=MAX_MONTHS, allow_inf_nan=False), Unit("months")]
Hazard = Annotated[NonNegNum, Unit("per month")]
CV = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
               Field(gt=0, le=MAX_CV, allow_inf_nan=False), AfterValidator(_not_tiny)]
# staff: FTE, or a caseload per FTE
Staff = Annotated[float, _NUM, BeforeValidator(unwrap_sourced),
                  Field(ge=0, le=MAX_PEOPLE, allow_inf_nan=False)]
FTE = Annotated[Staff, Unit("FTE")]
Replications = Annotated[int, _INT, BeforeValidator(unwrap_sourced),
                         Field(ge=1, le=MAX_REPLICATIONS)]
