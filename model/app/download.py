"""The edited scenario as a YAML file a planner can keep: the original file's text, comments and
layout kept, with only the edited numbers rewritten (each as `{value:, source: "ändrad på sidan
…"}`, and any share the edit rescaled).

Each changed number is replaced where it stands in the text (the YAML node's own span); a
top-level section the file lacks (the cost given on the page to a scenario without costs) is
written at its end. The result is checked by reading it back: when it is not exactly the edited
scenario's mapping (an unusual layout), the whole mapping is written instead, so the file is
always right.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from model.numbers import walk_inputs
from model.sweep import parse_path


def _node_at(node: Any, parts: list[str]) -> Any:
    """The YAML node at a parameter path (`interventions[name]` picks the item by name)."""
    for part in parts:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if str(k.value) == part), None)
        elif isinstance(node, yaml.SequenceNode):
            if part.isdigit():
                node = node.value[int(part)] if int(part) < len(node.value) else None
            else:
                node = next((item for item in node.value if isinstance(item, yaml.MappingNode)
                             and any(str(k.value) == "name" and str(v.value) == part
                                     for k, v in item.value)), None)
        else:
            return None
        if node is None:
            return None
    return node


def _flow(leaf: Any) -> str:
    """A number or `{value:, source:, …}` on one line, as YAML (JSON is YAML)."""
    if isinstance(leaf, dict):
        return "{" + ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in leaf.items()) + "}"
    return json.dumps(leaf)


def _block_spans(text: str, node: yaml.MappingNode, leaf: Any) -> list[tuple[int, int, str]] | None:
    """The edits of a `{value:, source:}` number written as a block mapping (one key a line):
    each changed scalar rewritten where it stands, a key it lacks (`source:`) added on the line
    after `value:` at the same indent; None when the block holds more than scalars to change."""
    if not isinstance(leaf, dict):
        return None
    keys = {str(k.value): (k, v) for k, v in node.value}
    if "value" not in keys:
        return None
    if set(keys) - set(leaf):
        return None  # a key dropped: not a targeted edit
    out = []
    for key, new in leaf.items():
        if key not in keys:
            k, v = keys["value"]
            end = text.find("\n", v.end_mark.index)
            end = len(text) if end < 0 else end
            line = f"{key}: {json.dumps(new, ensure_ascii=False)}"
            out.append((end, end, "\n" + " " * k.start_mark.column + line))
            continue
        _, v = keys[key]
        if yaml.safe_load(yaml.serialize(v)) == new:
            continue
        if not isinstance(v, yaml.ScalarNode):
            return None
        out.append((v.start_mark.index, v.end_mark.index, json.dumps(new, ensure_ascii=False)))
    return out


def edited_text(text: str, before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """`text` (the file `before` was read from) with each number that differs in `after`
    rewritten in place; None when that does not give exactly `after`."""
    old = dict(walk_inputs(before))
    changed = [(path, leaf) for path, leaf in walk_inputs(after) if old.get(path) != leaf]
    if not changed:
        return text
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # the Python loader: character offsets
    added = [key for key in after if key not in before]  # e.g. the costs of a cost-less scenario
    spans = []
    for path, leaf in changed:
        if parse_path(path)[0] in added:
            continue
        node = _node_at(root, parse_path(path))
        if node is None:
            return None
        if isinstance(node, yaml.MappingNode) and not node.flow_style:
            block = _block_spans(text, node, leaf)
            if block is None:
                return None  # leave it to the whole-mapping fallback
            spans += block
            continue
        spans.append((node.start_mark.index, node.end_mark.index, _flow(leaf)))
    out = text
    for start, end, new in sorted(spans, reverse=True):
        out = out[:start] + new + out[end:]
    if added:  # a section the file did not have: written at its end, as a block
        out = out.rstrip("\n") + "\n" + yaml.safe_dump({k: after[k] for k in added}, allow_unicode=True,
                                                       sort_keys=False, width=100)
    try:
        again = yaml.safe_load(out)
    except yaml.YAMLError:
        return None
    return out if again == after else None
