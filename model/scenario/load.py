"""Reading YAML input: files and folders, syntax errors, keys given twice, line numbers of paths.

Nothing here knows the scenario schema, so sweep files are read the same way. A file is read
only if it is a regular file below `MAX_FILE_BYTES`, parsed once (libyaml's C parser where
PyYAML has it) and cached by its content, so the several readers of one file in one command do
not parse it again. Before any Python object is built, the parsed tree is checked against
hostile shapes: more than `MAX_NODES` values written (`count_nodes`, counted from the parser's
event stream, so 50 MB of list items is refused after a fraction of a second instead of building
gigabytes of nodes), then (`check_tree`) nesting deeper than `MAX_DEPTH`, aliases that expand past
`MAX_ALIAS_NODES` ("billion laughs"), an alias inside the node it names, and tags other than
plain text, numbers, true/false, null, mappings, lists and merge keys.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import stat
from collections import OrderedDict
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError, Problem
from model.io import note_input

MAX_FILE_BYTES = 64 * 1024 * 1024  # far above any scenario or sweep file; a guard, not a budget
MAX_DEPTH = 64                     # nesting of mappings and lists (scenarios need about 8)
MAX_ALIAS_NODES = 100_000          # nodes that aliases may add when expanded
MAX_NODES = 200_000                # values written in one file (the largest ready scenario has ~3 800)
_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)
_T = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset(_T + t for t in ("str", "int", "float", "bool", "null", "map", "seq",
                                          "merge"))
_TAG_HINT = {"binary": "binary data", "timestamp": "a date", "set": "a set", "omap": "an ordered map",
             "pairs": "a list of pairs", "value": "a lone \"=\"; quote it to mean the text"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader (C parser where available), reading `1e6` as a number as YAML 1.2 does.

    PyYAML follows YAML 1.1, where a float needs a dot, so `1e6` would be the text "1e6"; since
    quoted numbers are refused (strict input), exponent forms must be numbers.
    """


StrictLoader.add_implicit_resolver(
    _T + "float", re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"))

_CACHE: OrderedDict[tuple[str, str], tuple[Any, yaml.Node | None]] = OrderedDict()
_CACHE_SIZE = 16
PARSES = {"count": 0}  # files parsed in this process (tests check that a file is parsed once)


def read_source(path: str | Path, what: str = "a scenario file (.yaml)") -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; anything else is a Problem.

    Pipes, devices and sockets are refused before they are read (a FIFO would block for ever,
    /dev/zero would never end), and a file that grows past the cap while read is refused too.
    """
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError([Problem(name, "", "file not found")]) from None
    except OSError as exc:
        raise InputError([Problem(name, "", f"cannot open: {exc.strerror or exc}")]) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError([Problem(name, "", f"is a folder; expected {what}")])
        if not stat.S_ISREG(st.st_mode):
            raise InputError([Problem(name, "", f"is not a regular file (a pipe, device or "
                                      f"socket); expected {what}")])
        if st.st_size > MAX_FILE_BYTES:
            raise InputError([_too_big(name)])
        note_input(path, st)  # no output of this command may be written onto it
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_FILE_BYTES:
                raise InputError([_too_big(name)])
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError([Problem(name, "", f"cannot read: {exc.strerror or exc}")]) from None
    finally:
        os.close(fd)


def _too_big(name: str) -> Problem:
    return Problem(name, "", f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; scenario and "
                   "sweep files are far smaller (is this the right file?)")


def load_yaml(path: str | Path) -> tuple[Any, yaml.Node | None]:
    """Read a YAML file; unreadable files, syntax errors and hostile shapes become Problems.

    Returns the mapping (a fresh copy on every call, so callers may change it) and the node tree
    (for line numbers). A file is parsed once per process while its content stays the same.
    """
    name = str(path)
    data = read_source(path)
    key = (os.path.abspath(name), hashlib.blake2b(data, digest_size=16).hexdigest())
    if key in _CACHE:
        _CACHE.move_to_end(key)
        raw, node = _CACHE[key]
        return copy.deepcopy(raw), node
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, "", f"not UTF-8 text ({exc.reason} at byte "
                                  f"{exc.start})", None, data.count(b"\n", 0, exc.start) + 1)]) from None
    raw, node = parse_yaml(text, name)
    if raw is None:
        raise InputError([Problem(name, "", "the file is empty; expected a scenario mapping")])
    if not isinstance(raw, dict):
        raise InputError(
            [Problem(name, "", "expected a mapping of scenario fields at the top level",
                     type(raw).__name__)]
        )
    _CACHE[key] = (raw, node)
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return copy.deepcopy(raw), node


def parse_yaml(text: str, name: str = "<yaml>") -> tuple[Any, yaml.Node | None]:
    """Parse YAML text once: the node tree, checked by `check_tree`, then the Python objects."""
    PARSES["count"] += 1
    loader = StrictLoader(text)
    try:
        count_nodes(text, name)
        node = loader.get_single_node()
        if node is None:
            return None, None
        check_tree(node, name)
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as exc:
        raise InputError([_syntax_problem(exc, name)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, ESC, ...)
        raise InputError([_character_problem(exc, text, name)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(name, "", f"YAML error: {_first_line(exc)}")]) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        why = ("a number with more digits than can be read" if "digits" in str(exc)
               else _first_line(exc))
        raise InputError([Problem(name, "", f"unreadable value: {why}")]) from None
    except RecursionError:  # the pure-Python parser nests one call per level
        raise InputError([Problem(name, "", f"nested too deeply (more than {MAX_DEPTH} levels "
                                  "of mappings and lists)")]) from None
    finally:
        loader.dispose()


def count_nodes(text: str, name: str, limit: int | None = None) -> int:
    """The values (mappings, lists, single values, aliases) written in `text`; a Problem past `limit`.

    Streams the parser's events and keeps none, so memory stays flat and the count stops at the
    first value past the limit: a file far larger than any scenario is refused before its node
    tree (a few hundred bytes a value) is built. `limit` defaults to MAX_NODES.
    """
    cap = MAX_NODES if limit is None else limit
    events = _Base(text)
    count = 0
    try:
        while events.check_event():
            if isinstance(events.get_event(), _NODE_EVENTS):
                count += 1
                if count > cap:
                    many = f"{cap:,}".replace(",", " ")
                    raise InputError([Problem(
                        name, "", f"holds more than {many} values (mappings, lists and single "
                        "values); scenario, sweep, target and unit-cost files hold a few thousand "
                        "at most (is this the right file?)")])
    finally:
        events.dispose()
    return count


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str) -> Problem:
    mark = exc.problem_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
    msg = f"YAML syntax error at {where}: {exc.problem}"
    ctx = exc.context_mark
    if exc.context and ctx is not None and (mark is None or ctx.line != mark.line):
        msg += f" ({exc.context} started at line {ctx.line + 1}, column {ctx.column + 1})"
    return Problem(name, "", msg, None, mark.line + 1 if mark else None)


# the characters YAML allows in a file (YAML 1.1, 5.1), as PyYAML's reader checks them
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed",
                  0x1B: "ESC", 0x7F: "DEL"}


def _character_problem(exc: yaml.reader.ReaderError, text: str, name: str) -> Problem:
    """A character YAML refuses (a NUL, a terminal escape), with its line and column."""
    m = _NOT_PRINTABLE.search(text)
    if m is None:
        return Problem(name, "", f"YAML error: {_first_line(exc)}")
    code = ord(m.group())
    line = text.count("\n", 0, m.start()) + 1
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    what = f"U+{code:04X}" + (f" ({_CONTROL_NAMES[code]})" if code in _CONTROL_NAMES else "")
    return Problem(name, "", f"control character {what} at line {line}, column {column}: YAML "
                   "files may hold only printable text (was a binary file or a terminal's colour "
                   "code pasted in?)", None, line)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def check_tree(root: yaml.Node, name: str) -> None:
    """Refuse node trees that are unsafe to build or to walk, before any object is made.

    Walks the tree once without recursion. An alias is the same node object as its anchor, so
    the tree is a graph: a node met again on the current path is an alias inside itself (e.g.
    `valuation: &v {<<: *v}`, which PyYAML would silently turn into an empty mapping), and the
    size of the tree with every alias expanded is summed bottom-up, each node once.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    distinct = 0
    while stack:
        node, depth, done = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            size[nid] = 1 + sum(size[id(c)] for c in _children(node))
            continue
        if nid in size:
            continue
        if nid in on_path:
            raise InputError([Problem(name, "", "an alias (*name) is used inside the mapping or "
                                      "list its anchor (&name) marks, so it would contain itself",
                                      None, node.start_mark.line + 1)])
        if depth > MAX_DEPTH:
            raise InputError([Problem(name, "", f"nested too deeply (more than {MAX_DEPTH} "
                                      "levels of mappings and lists)", None,
                                      node.start_mark.line + 1)])
        _check_node(node, name)
        distinct += 1
        on_path.add(nid)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in _children(node))
    expanded = size[id(root)]
    if expanded - distinct > MAX_ALIAS_NODES:
        raise InputError([Problem(name, "", f"aliases (*name) expand this file to more than "
                                  f"{MAX_ALIAS_NODES:,} extra values (an alias bomb?)".replace(",", " ")
                                  + "; write the values out or use fewer aliases")])


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_node(node: yaml.Node, name: str) -> None:
    line = node.start_mark.line + 1
    if node.tag not in ALLOWED_TAGS:
        short = node.tag.removeprefix(_T)
        what = _TAG_HINT.get(short, f"the tag {node.tag}")
        raise InputError([Problem(name, "", f"YAML tag !!{short} ({what}) is not allowed: write "
                                  "plain text, numbers, true/false, mappings and lists"
                                  if node.tag.startswith(_T) else
                                  f"YAML tag {node.tag} is not allowed: write plain text, "
                                  "numbers, true/false, mappings and lists", None, line)])
    if isinstance(node, yaml.ScalarNode) and _SURROGATE.search(node.value):
        raise InputError([Problem(name, "", "invalid Unicode in text: a lone surrogate (an "
                                  "escape such as \\ud800 that is no character on its own)",
                                  None, line)])


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
    if `recursive`, not following links to folders, so a link loop cannot trap the search)."""
    p = Path(path)
    if p.is_dir():
        files: list[Path] = []
        try:
            if recursive:
                for root, dirs, names in os.walk(p, onerror=_raise):
                    dirs.sort()
                    files += [Path(root) / n for n in names if n.endswith((".yaml", ".yml"))]
            else:
                files = [f for f in p.iterdir() if f.name.endswith((".yaml", ".yml"))]
        except OSError as exc:
            where = getattr(exc, "filename", None) or p
            raise InputError([Problem(str(where), "", f"cannot read this folder: "
                                      f"{exc.strerror or exc}")]) from None
        files.sort()
        if not files:
            raise InputError([Problem(str(p), "", "no scenario files (*.yaml) in this folder")])
        return files
    return [p]


def _raise(exc: OSError) -> None:
    raise exc


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


def located(problems: list[Problem], node: Any, file: str) -> list[Problem]:
    """`problems` with the line of their path in `node` (the YAML of `file`) where they have none;
    a problem of another file (a unit-cost file a scenario names) keeps its own place."""
    return [Problem(p.file, p.path, p.message, p.value, line_of(node, p.path))
            if p.file == file and p.line is None else p for p in problems]
