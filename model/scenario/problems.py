"""Pydantic's validation errors as Problems a planner can act on.

Each error becomes one Problem with the YAML path, its line, the bad value and, for unknown keys
or names, a "did you mean" hint and the keys allowed there. `root` is the model validated
(Scenario by default; sweep files pass their own).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from model.distributions import DIST_NAMES
from model.errors import Problem
from model.scenario.habits import number_hint
from model.scenario.load import line_of
from model.scenario.schema import Scenario
from model.unions import union_tags

# errors where a number was written the Swedish way (2,7; 842 800; 33 for 0.33)
NUMBER_KINDS = ("float_parsing", "int_parsing", "float_type", "int_type", "less_than_equal",
                "number_text")


def pydantic_problems(exc: ValidationError, file: str, node: Any,
                      root: type[BaseModel] | None = None) -> list[Problem]:
    """Turn a pydantic ValidationError on `root` (default Scenario) into Problems with YAML lines."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        raw_loc = tuple(err["loc"])
        loc = _strip_tags(raw_loc)
        kind = err["type"]
        ctx = err.get("ctx", {})
        value: object = err.get("input")
        bad_key = len(loc) >= 2 and loc[-1] == "[key]"
        if bad_key:  # the key of a mapping is wrong, not its value: point at the key itself
            loc = (*loc[:-2], str(loc[-2]))
        path = _path_str(loc)
        if kind == "extra_forbidden":
            parent = _model_at(raw_loc[:-1], root)
            msg = _unknown_key(str(loc[-1]), _allowed_keys(parent) if parent else [])
            value = None
        elif bad_key and kind == "literal_error":
            msg = _unknown_key(str(value), _quoted(ctx.get("expected", "")))
            value = None
        elif bad_key:
            msg = f"key {value!r} is not allowed: {_plain(err['msg'])}; write keys as text"
            value = None
        elif kind == "missing":
            msg = "required field is missing"
            value = None
        elif kind == "union_tag_invalid":
            tag = str(ctx.get("tag"))
            hint = difflib.get_close_matches(tag, DIST_NAMES, n=1, cutoff=0.6)
            msg = f"unknown distribution '{tag}'"
            msg += f"; did you mean '{hint[0]}'?" if hint else "."
            msg += f" Allowed: {', '.join(DIST_NAMES)}"
            value = ctx.get("tag")
        elif kind == "union_tag_not_found":
            msg = f"needs 'dist:' naming the distribution ({', '.join(DIST_NAMES)})"
            value = None
        elif kind == "literal_error":
            msg = f"not allowed; {_plain(err['msg'])}"
            hint = difflib.get_close_matches(str(value), _quoted(ctx.get("expected", "")), n=1)
            msg += f"; did you mean '{hint[0]}'?" if hint else ""
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            msg = "expected a mapping (key: value pairs)"
            if loc and loc[-1] == "duration":
                msg += " naming the distribution, e.g. {dist: fixed, months: 3}"
        elif kind == "list_type":
            msg = "expected a list (one '- item' per line, or [a, b])"
        elif kind == "too_short":
            n = ctx.get("min_length", 1)
            msg = f"needs at least {n} item{'s' if n != 1 else ''}"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "name":
            msg = "a name may use only letters, digits, '_' and '-' (no spaces or dots)"
        elif kind in ("float_type", "int_type") and isinstance(value, dict) and "value" not in value:
            msg = "a number with a source needs the key 'value', e.g. {value: 0.3, source: '...'}"
        elif kind in NUMBER_KINDS and (hint := number_hint(value, ctx.get("le"))) is not None:
            msg = hint
        else:
            msg = _plain(err["msg"])
        if value is None and kind.endswith("_type") and not bad_key:
            msg += "; the value is empty"
        sig = (path, msg)
        if sig in seen:
            continue
        seen.add(sig)
        problems.append(Problem(file, path, msg, value, line_of(node, path)))
    return problems




def _path_str(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _strip_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the discriminator tags pydantic puts in locations (e.g. 'gamma' in duration.gamma.cv)."""
    out: list[Any] = []
    for i, part in enumerate(loc):
        if part in DIST_NAMES and i > 0 and loc[i - 1] == "duration":
            continue
        if isinstance(part, str) and part.startswith(("function-", "constrained-")):
            continue
        out.append(part)
    return tuple(out)


def _model_at(loc: tuple[Any, ...], root: type[BaseModel] | None = None) -> type[BaseModel] | None:
    """The pydantic model class found by following `loc` from Scenario (None if not a model)."""
    current: Any = Scenario if root is None else root
    for part in loc:
        if isinstance(part, str) and part.startswith(("function-", "constrained-")):
            continue
        tagged = union_tags(current)
        if isinstance(part, str) and part in tagged:
            current = tagged[part]
            continue
        current = _unwrap_type(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                field = next(
                    (f for f in current.model_fields.values() if f.alias == part), None
                )
            if field is None:
                return None
            current = field.annotation
        else:
            origin = typing.get_origin(current)
            args = typing.get_args(current)
            if origin in (list, dict) and args:
                current = args[-1]
            else:
                return None
    current = _unwrap_type(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _unwrap_type(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing.Annotated:
            tp = args[0]
            continue
        if origin in (typing.Union, types.UnionType):
            non_none = [a for a in args if a is not type(None)]
            models = [a for a in non_none if isinstance(a, type) and issubclass(a, BaseModel)]
            if len(non_none) == 1:
                tp = non_none[0]
                continue
            if models:
                return models[0]
        return tp


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _plain(msg: str) -> str:
    """Pydantic's wording, shortened for a planner ("Input should be" becomes "expected")."""
    return msg.replace("Value error, ", "").replace("Input should be", "expected")


def _quoted(text: str) -> list[str]:
    """The quoted alternatives in pydantic's "'a', 'b' or 'c'"."""
    return re.findall(r"'([^']*)'", text)


def _unknown_key(key: str, allowed: list[str]) -> str:
    hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    msg = f"unknown key '{key}'"
    msg += f"; did you mean '{hint[0]}'?" if hint else "."
    if allowed:
        msg += f" Allowed here: {', '.join(allowed)}"
    return msg
