"""The schema for people and for editors: docs/schema.md and the JSON Schema of `insats schema`.

Both are generated from the pydantic models, so they cannot drift from what `insats validate`
accepts: every key with its type, unit (`model.numbers.Unit`), bounds or allowed values, default
and the default's source (the "Default:" line of the field's docstring). In the JSON Schema every
number also accepts the `{value: x, source: "..."}` form, as the loader does.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

import annotated_types as at
from pydantic import BaseModel, WithJsonSchema
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema

from model.numbers import SOURCED_KEYS, Unit, unwrap_sourced
from model.scenario.base import FUNDERS, funder_name

# the keys of a duration distribution that are not months
DURATION_UNITLESS = ("cv", "weights")
BOUND_KEYS = {"ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum"}


# ---------------------------------------------------------------- JSON Schema


class _SourcedNumbers(GenerateJsonSchema):
    """pydantic's JSON Schema, with every sourced number also accepted as {value:, source:}."""

    def function_before_schema(self, schema: Any) -> dict[str, Any]:
        inner = self.generate_inner(schema["schema"])
        if schema["function"].get("function") is not unwrap_sourced:
            return inner
        extra = {k: {} for k in sorted(SOURCED_KEYS - {"value", "source"})}
        return {"anyOf": [inner, {
            "type": "object", "additionalProperties": False, "required": ["value"],
            "properties": {"value": inner, "source": {"type": "string"}, **extra}}]}


def _fix_bounds(node: Any) -> Any:
    """Move bounds that pydantic leaves beside a sourced number's anyOf (as ge/le) into both of
    its forms, named as JSON Schema names them (minimum, maximum, ...)."""
    if isinstance(node, list):
        return [_fix_bounds(x) for x in node]
    if not isinstance(node, dict):
        return node
    node = {k: _fix_bounds(v) for k, v in node.items()}
    bounds = {BOUND_KEYS[k]: node.pop(k) for k in list(node) if k in BOUND_KEYS}
    if bounds:
        if "anyOf" in node and len(node["anyOf"]) == 2 and "properties" in node["anyOf"][1]:
            plain, sourced = node["anyOf"]
            plain.update(bounds)
            sourced["properties"]["value"] = {**sourced["properties"]["value"], **bounds}
        else:
            node.update(bounds)
    return node


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, for editors' completion and checks."""
    from model.scenario.schema import Scenario

    schema = _fix_bounds(Scenario.model_json_schema(schema_generator=_SourcedNumbers))
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema,
            "title": "insats scenario",
            "description": "A scenario file of insats (docs/schema.md explains every key)."}


# ---------------------------------------------------------------- Markdown


@dataclass
class _Type:
    """A field's type for people: text, unit, allowed values, and the models it refers to."""

    text: str
    unit: str = ""
    allowed: str = ""
    models: list[type[BaseModel]] = field(default_factory=list)


def _fmt(x: float) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        x = int(x)
    return f"{x:,}".replace(",", " ") if isinstance(x, int) and abs(x) >= 10_000 else f"{x:g}"


def _bounds(meta: list[Any]) -> str:
    lo = next(((">", m.gt) for m in meta if isinstance(m, at.Gt)), None) or next(
        (("≥", m.ge) for m in meta if isinstance(m, at.Ge)), None)
    hi = next((("<", m.lt) for m in meta if isinstance(m, at.Lt)), None) or next(
        (("≤", m.le) for m in meta if isinstance(m, at.Le)), None)
    if lo and hi and lo[0] == "≥" and hi[0] == "≤":
        return f"{_fmt(lo[1])} to {_fmt(hi[1])}"
    return ", ".join(f"{b[0]} {_fmt(b[1])}" for b in (lo, hi) if b)


def _flat_meta(meta: list[Any]) -> list[Any]:
    out = []
    for m in meta:
        out += _flat_meta(list(m.metadata)) if isinstance(m, FieldInfo) else [m]
    return out


def describe(tp: Any, meta: list[Any] | None = None) -> _Type:
    """How a field's annotation (with its metadata) reads in the reference."""
    meta = _flat_meta(list(meta or []))
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return describe(args[0], [*meta, *args[1:]])
    unit = next((m.name for m in reversed(meta) if isinstance(m, Unit)), "")
    shorthand = any(isinstance(m, WithJsonSchema) for m in meta)  # `entry: a` for `{a: 1}`
    if shorthand:
        inner = describe(tp)
        return _Type(f"a name, or {inner.text}", inner.unit, inner.allowed, inner.models)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(options) > 1 and len(models) == len(options):
            return _Type("a duration: a mapping with `dist:` (see [Durations](#durations))",
                         models=models)
        inner = describe(options[0], meta)
        return inner if len(options) == 1 else _Type(" or ".join(describe(a).text for a in options))
    if origin is Literal:
        folded = any(getattr(m, "func", None) is funder_name for m in meta)
        names = ", ".join(f"`{a}`" for a in args)
        return _Type("text", allowed=f"one of {names}" + (" (any case; å, ä, ö as a, a, o)"
                                                          if folded else ""))
    if origin in (dict, list):
        inner = describe(args[-1])
        key = describe(args[0]) if origin is dict else None
        if origin is dict:
            folded = "any case" in key.allowed
            what = "funders" if folded else ("keys" if key.allowed else "names")
            text = f"mapping of {what} to {inner.text}"
            allowed = "; ".join(x for x in (key.allowed and f"keys {key.allowed}", inner.allowed) if x)
        else:
            text, allowed = f"list of {inner.text}", inner.allowed
        return _Type(text, inner.unit or unit, allowed, inner.models)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _Type(f"mapping: [{tp.__name__}](#{tp.__name__.lower()})", models=[tp])
    base = {float: "number", int: "whole number", str: "text", bool: "true or false"}.get(tp, str(tp))
    bounds = _bounds(meta)
    if not unit and bounds == "0 to 1":
        unit = "share"
    return _Type(base, unit, bounds)


def unit_at(parts: list[str]) -> str:
    """The unit of the number at a parameter path (`interventions.a.routing.arbete`: share), from
    the schema; "" where it has none or the path leaves the schema."""
    from model.scenario.schema import Scenario

    tp: Any = Scenario
    meta: list[Any] = []
    for part in parts:
        while typing.get_origin(tp) is typing.Annotated:
            tp, meta = typing.get_args(tp)[0], [*meta, *typing.get_args(tp)[1:]]
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(options) > 1:  # a duration: the distribution that has this key
                dists = [m for m in options if isinstance(m, type) and issubclass(m, BaseModel)
                         and any(part in (n, f.alias) for n, f in m.model_fields.items())]
                return "" if not dists or part in DURATION_UNITLESS else "months"
            tp = options[0]
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            info = next((f for n, f in tp.model_fields.items() if part in (n, f.alias)), None)
            if info is None:
                return ""
            tp, meta = info.annotation, list(info.metadata)
        elif typing.get_origin(tp) in (list, dict):
            tp, meta = typing.get_args(tp)[-1], []
        else:
            return ""
    return describe(tp, meta).unit


def default_note(info: FieldInfo) -> tuple[str, str]:
    """The field's description without its "Default:" line, and that line (or the default)."""
    text = " ".join((info.description or "").split())
    body, sep, note = text.partition("Default:")
    if sep:
        return body.strip(), note.strip()
    if info.is_required():
        return body.strip(), "required"
    value = info.get_default(call_default_factory=True)
    if value in (None, "", [], {}):
        return body.strip(), "—"
    if isinstance(value, BaseModel):
        return body.strip(), "its keys' defaults"
    return body.strip(), f"`{value}`"


def needs_default_source(info: FieldInfo) -> bool:
    """True when a default is a number, a choice or numbers: it must say where it comes from."""
    if info.is_required():
        return False
    value = info.get_default(call_default_factory=True)
    if isinstance(value, bool | int | float):
        return True
    return isinstance(value, dict | list) and bool(value)


def models_in_order() -> list[tuple[type[BaseModel], list[str]]]:
    """Every model reachable from Scenario, in reading order, with the YAML paths it sits at."""
    from model.scenario.schema import Scenario

    order: list[type[BaseModel]] = []
    where: dict[type[BaseModel], list[str]] = {}
    queue: list[tuple[type[BaseModel], str]] = [(Scenario, "")]
    while queue:
        model, path = queue.pop(0)
        where.setdefault(model, []).append(path or "(top level)")
        if model in order:
            continue
        order.append(model)
        for name, info in model.model_fields.items():
            key = info.alias or name
            t = describe(info.annotation, list(info.metadata))
            for sub in t.models:
                suffix = "[]" if typing.get_origin(info.annotation) is list else ""
                if "mapping of" in t.text:
                    suffix = ".<name>"
                queue.append((sub, f"{path}.{key}{suffix}" if path else f"{key}{suffix}"))
    return [(m, where[m]) for m in order]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


INTRO = """# Scenario files: every key

Generated from the schema (`model/scenario/`) by `make schema` (`insats schema --markdown --out
docs/schema.md`); do not edit by hand (a test fails when this file is stale). `insats schema`
prints the same schema as JSON Schema for editors (see the README). The method behind the keys
is in [method.md](method.md); defaults and their sources are repeated in its section 9.

- **Numbers** may be written plain (`0.62`) or with their source:
  `{value: 0.62, source: "002, Delmål 2: ..."}`; documents cited by number are listed in
  [sources.md](sources.md). Write a decimal point (`2.7`, not `2,7`), no spaces in thousands
  (`842800`), and shares as fractions (`0.33`, not `33`).
- **Months** count from month 0, the start of the run; durations are in months.
- **Shares** (routing, entry, population mixes, actor shares) must sum to 1; with `normalise: true`
  shares that miss 1 only by rounding (at most 0.005 a share) are rescaled, and `insats validate`
  lists them.
- **Funders** (who pays and who gains): {funders}; any case, and å, ä, ö may be written a, a, o.
- Unknown keys are errors, with a "did you mean" hint.
"""


def markdown() -> str:
    """docs/schema.md: every model's keys with type, unit, allowed values, default and source."""
    from model.distributions import DIST_NAMES

    out = [INTRO.replace("{funders}", ", ".join(f"`{f}`" for f in FUNDERS))]
    durations: list[type[BaseModel]] = []
    for model, paths in models_in_order():
        if getattr(model.model_fields.get("dist"), "annotation", None) is not None and \
                typing.get_origin(model.model_fields["dist"].annotation) is Literal:
            durations.append(model)
            continue
        out.append(f"## {model.__name__}\n")
        out.append("At " + ", ".join(f"`{p}`" for p in paths) + ".\n")
        doc = " ".join((model.__doc__ or "").split())
        if doc:
            out.append(doc + "\n")
        out.append("| key | type | unit | allowed | default (source) | meaning |")
        out.append("|---|---|---|---|---|---|")
        for name, info in model.model_fields.items():
            t = describe(info.annotation, list(info.metadata))
            body, default = default_note(info)
            out.append("| " + " | ".join(_cell(x) for x in (
                f"`{info.alias or name}`", t.text, t.unit, t.allowed, default, body)) + " |")
        out.append("")
    out.append("## Durations\n")
    out.append("`duration:` is a mapping whose `dist:` names the distribution (one of "
               + ", ".join(f"`{d}`" for d in DIST_NAMES) + "); every key is in months except "
               + " and ".join(f"`{k}`" for k in DURATION_UNITLESS)
               + " (the standard deviation over the mean, and relative weights).\n")
    out.append("| dist | keys | allowed | meaning |")
    out.append("|---|---|---|---|")
    for model in durations:
        dist = typing.get_args(model.model_fields["dist"].annotation)[0]
        keys = [(info.alias or name, describe(info.annotation, list(info.metadata)))
                for name, info in model.model_fields.items() if name != "dist"]
        out.append("| " + " | ".join(_cell(x) for x in (
            f"`{dist}`", ", ".join(f"`{k}` ({t.text})" for k, t in keys),
            "; ".join(f"`{k}` {t.allowed}" for k, t in keys if t.allowed),
            " ".join((model.__doc__ or "").split()))) + " |")
    return "\n".join(out).rstrip() + "\n"
