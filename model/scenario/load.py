"""Reading YAML input: files and folders, syntax errors, keys given twice, line numbers of paths.

Nothing here knows the scenario schema, so sweep files are read the same way.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError, Problem


def load_yaml(path: str | Path) -> tuple[Any, yaml.Node | None]:
    """Read a YAML file; missing files, syntax errors and empty files become Problems."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError([Problem(name, "", "file not found")])
    if p.is_dir():
        raise InputError([Problem(name, "", "is a folder; expected a scenario file (.yaml)")])
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, "", f"not UTF-8 text ({exc.reason})")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        msg = f"YAML syntax error at {where}: {exc.problem}"
        ctx = exc.context_mark
        if exc.context and ctx is not None and (mark is None or ctx.line != mark.line):
            msg += f" ({exc.context} started at line {ctx.line + 1}, column {ctx.column + 1})"
        line = mark.line + 1 if mark else None
        raise InputError([Problem(name, "", msg, None, line)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(name, "", f"YAML error: {exc}")]) from None
    if raw is None:
        raise InputError([Problem(name, "", "the file is empty; expected a scenario mapping")])
    if not isinstance(raw, dict):
        raise InputError(
            [Problem(name, "", "expected a mapping of scenario fields at the top level",
                     type(raw).__name__)]
        )
    return raw, node


def duplicate_keys(node: Any, file: str, path: str = "",
                   seen: set[int] | None = None) -> list[Problem]:
    """Keys given twice in one YAML mapping (PyYAML silently keeps the last one)."""
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return []
    seen.add(id(node))
    found: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, val_node in node.value:
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            if key in keys and key != "<<":
                found.append(Problem(
                    file, sub, f"key '{key}' is given more than once here; YAML would silently "
                    "keep only the last one", None, key_node.start_mark.line + 1))
            keys.add(key)
            found += duplicate_keys(val_node, file, sub, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found += duplicate_keys(item, file, f"{path}[{i}]", seen)
    return found


def scenario_files(path: str | Path, recursive: bool = False) -> list[Path]:
    """A file is itself; a folder gives its *.yaml/*.yml files in name order (with subfolders
    if `recursive`)."""
    p = Path(path)
    if p.is_dir():
        pattern = "**/*.y*ml" if recursive else "*.y*ml"
        files = sorted(f for f in p.glob(pattern) if f.suffix in (".yaml", ".yml"))
        if not files:
            raise InputError([Problem(str(p), "", "no scenario files (*.yaml) in this folder")])
        return files
    return [p]


def line_of(node: Any, path: str) -> int | None:
    """Line number (1-based) of a YAML path such as `interventions[1].routing`, if found."""
    if node is None or not path:
        return None
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    current = node
    for part in parts:
        if isinstance(current, yaml.MappingNode):
            found = None
            for key_node, val_node in current.value:
                if key_node.value == part:
                    found = val_node
                    break
            if found is None:
                break
            current = found
        elif isinstance(current, yaml.SequenceNode) and part.startswith("["):
            idx = int(part[1:-1])
            if idx >= len(current.value):
                break
            current = current.value[idx]
        else:
            break
    return current.start_mark.line + 1

