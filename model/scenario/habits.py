"""Swedish writing habits in YAML input, caught with a message that says what to write instead.

A decimal comma (`2,7`) is text in block style (`mean: 2,7`), and in a flow mapping
(`{mean: 2,7}`) YAML reads it as the number 2 followed by a key `7`, which pydantic reports as
"Keys should be strings". A share written as a percent (`33`) is above 1, and thousands grouped
with a space (`842 800`) are text. `decimal_commas` finds the flow-mapping case in the YAML node
tree (with the problems it would otherwise cause, to be left out); `number_hint` words the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from model.errors import Problem

DECIMAL_COMMA = re.compile(r"\s*(-?\d+),(\d+)\s*")
SPACED_THOUSANDS = re.compile(r"\s*(-?\d{1,3}(?:[ \u00a0\u202f]\d{3})+)(?:[.,](\d+))?\s*")
PLAIN_INT = re.compile(r"-?\d+")


@dataclass(frozen=True)
class DecimalComma:
    """A decimal comma in a flow mapping, and the YAML paths of the confusing problems it causes."""

    problem: Problem
    hides: tuple[str, ...]

    def covers(self, path: str) -> bool:
        """True for a problem path that this decimal comma explains (the split-off key, the value)."""
        return any(path == h or path.startswith((h + ".", h + "[")) for h in self.hides)


def explain_decimal_commas(problems: list[Problem], node: Any, file: str) -> list[Problem]:
    """`problems` with each flow-mapping decimal comma reported as one (in file order) in place of
    the confusing problems it causes ("Keys should be strings", a key given twice, ...)."""
    commas = decimal_commas(node, file)
    if not commas:
        return problems
    kept = [p for p in problems if not any(c.covers(p.path) for c in commas)]
    found = [c.problem for c in commas]
    return sorted(found + kept, key=lambda p: (p.line is None, p.line or 0)) if kept else found


def decimal_commas(node: Any, file: str, path: str = "") -> list[DecimalComma]:
    """Decimal commas in flow mappings (`{mean: 2,7}`), found in the YAML node tree.

    YAML reads `2,7` there as the value 2 and then a key 7 with no value. A plain integer key with
    no value right after an integer value, with only a comma between them, is taken to be one.
    """
    found: list[DecimalComma] = []
    if isinstance(node, yaml.MappingNode):
        pairs = node.value
        for i, (key_node, val_node) in enumerate(pairs):
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            if i > 0 and node.flow_style and _split_number(pairs[i - 1][1], key_node, val_node):
                prev_key = str(pairs[i - 1][0].value)
                whole, frac = str(pairs[i - 1][1].value), key
                sourced = prev_key == "value"
                where = path if sourced else (f"{path}.{prev_key}" if path else prev_key)
                problem = Problem(file, where, f"use a decimal point: {whole}.{frac} (a comma "
                                  "separates items inside {...})", f"{whole},{frac}",
                                  key_node.start_mark.line + 1)
                found.append(DecimalComma(problem, (where, f"{path}[{key}]", f"{path}.{key}")))
                continue
            found += decimal_commas(val_node, file, sub)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found += decimal_commas(item, file, f"{path}[{i}]")
    return found


def _split_number(prev_val: Any, key_node: Any, val_node: Any) -> bool:
    """True when `prev_val, key_node: val_node` is YAML's reading of one decimal-comma number."""
    if not (isinstance(prev_val, yaml.ScalarNode) and isinstance(key_node, yaml.ScalarNode)):
        return False
    if prev_val.style or key_node.style:
        return False  # quoted: meant as text (the C loader marks plain scalars '', not None)
    if not (PLAIN_INT.fullmatch(str(prev_val.value)) and str(key_node.value).isdigit()):
        return False
    if not (isinstance(val_node, yaml.ScalarNode) and val_node.value == ""):
        return False  # the key has a value of its own: a real key
    text = getattr(key_node.start_mark, "buffer", None)
    if isinstance(text, str):
        return text[prev_val.end_mark.index:key_node.start_mark.index] == ","
    # the C loader keeps no buffer: the value ends one column before the key starts (just a comma)
    return (prev_val.end_mark.line == key_node.start_mark.line
            and key_node.start_mark.column - prev_val.end_mark.column == 1)


def number_hint(value: object, le: object = None) -> str | None:
    """What to write instead of a number a Swedish planner might write, or None.

    `le` is the upper bound of the field, when the number broke it (1 for a share).
    """
    if isinstance(value, dict) and "value" in value:  # written with its source
        value = value["value"]
    if isinstance(value, str):
        m = DECIMAL_COMMA.fullmatch(value)
        if m:
            return f"use a decimal point: {m.group(1)}.{m.group(2)}"
        m = SPACED_THOUSANDS.fullmatch(value)
        if m:
            digits = re.sub(r"\D", "", m.group(1))
            sign = "-" if m.group(1).startswith("-") else ""
            frac = f".{m.group(2)}" if m.group(2) else ""
            return f"write the number without spaces: {sign}{digits}{frac}"
        return None
    if (le == 1 and isinstance(value, int | float) and not isinstance(value, bool)
            and 1 < value <= 100):
        if float(value).is_integer():
            return f"a share is a fraction between 0 and 1: write {value / 100:.4g}, not {value:g}"
        return (f"expected less than or equal to 1 (a share); if {value:g} is a percent, write "
                f"{value / 100:.4g}")
    return None
