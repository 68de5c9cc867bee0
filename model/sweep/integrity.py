"""A sweep folder that is never mixed: its lock, each part's identity, the manifest's types.

A sweep holds an exclusive OS lock (`flock`) on `DIR/.lock` for its whole run, so a second sweep
into the same folder is refused instead of writing parts of another seed beside the first one's;
readers take a shared lock, so they do not read a folder that is being written. Every part carries
the sweep it belongs to (sweep hash, seed, part number) and its number of rows in its Parquet
metadata; `part_problem` checks one against the manifest, so a resumed sweep recomputes a part
that is foreign, truncated or unreadable, and an analysis refuses a folder holding one.
`read_manifest` checks the types of the fields the analyses and the report use: a results folder
is input like any other.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model.errors import InputError, Problem

LOCK = ".lock"


@contextlib.contextmanager
def folder_lock(out: Path, shared: bool = False) -> Iterator[None]:
    """Hold the folder's lock: exclusive for a sweep writing it, shared for a reader.

    A reader of a folder without a lock file (written before locks, or read-only) goes ahead: a
    writer always creates the file first. The writer removes the lock file when it is done (still
    holding the lock), so a finished sweep leaves only its results; a writer that opened the file
    just before it was removed sees that its lock is on a file no longer there, and takes the
    new one. A reader in the process that holds the writer's lock reads under that lock (the
    sweep command reading what it wrote: one thread; no other thread of a writing process reads).
    """
    path = out / LOCK
    key = os.path.realpath(out)
    if shared and key in _WRITING:
        yield
        return
    for _ in range(_TRIES):
        try:
            fd = os.open(path, os.O_RDONLY if shared else os.O_RDWR | os.O_CREAT, 0o666)
        except (FileNotFoundError, PermissionError):
            if shared:
                yield
                return
            raise
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = _holder(path)
            what = (f"another insats sweep{f' (process {holder})' if holder else ''} is writing "
                    "to this folder")
            hint = ("wait for it to finish" if shared
                    else "wait for it to finish, or choose another --out")
            raise InputError([Problem(str(out), "", f"{what}; {hint}")]) from None
        if shared or _same_file(fd, path):
            break
        os.close(fd)  # locked a lock file its writer removed meanwhile: take the new one
    else:
        raise InputError([Problem(str(out), "", "its lock file keeps changing (other sweeps are "
                                  "starting in this folder); wait for them, or choose another --out")])
    try:
        if not shared:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            _WRITING.add(key)
        yield
    finally:
        if not shared:
            _WRITING.discard(key)
            with contextlib.suppress(OSError):
                path.unlink()  # while still holding the lock: the folder is left as the results
        os.close(fd)  # closing the descriptor releases the lock


_TRIES = 20
_WRITING: set[str] = set()  # folders whose writer's lock this process holds


def _same_file(fd: int, path: Path) -> bool:
    """True when the open lock file is still the one at `path`."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (held.st_dev, held.st_ino)


def _holder(path: Path) -> str:
    with contextlib.suppress(OSError, ValueError):
        return str(int(path.read_text(encoding="ascii").strip()))
    return ""


def part_identity(sweep_hash: str, seed: int, part: int, rows: int) -> dict[str, str]:
    """The metadata written into a part: which sweep, seed and part it is, and its row count."""
    return {"sweep_hash": sweep_hash, "seed": str(seed), "part": str(part), "rows": str(rows)}


def expected_rows(points: int, scenarios: int, replications: int) -> int:
    return points * scenarios * replications


def part_problem(file: Path, sweep_hash: str, seed: int, part: int, rows: int | None) -> str:
    """What is wrong with one part file ("" if it belongs to this sweep and is whole)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(file)
        tags = {k.decode(): v.decode() for k, v in (meta.metadata or {}).items()
                if k.startswith(b"insats.")}
    except Exception as exc:  # pyarrow raises its own kinds for a truncated or foreign file
        return f"cannot be read ({_first_line(exc)})"
    got = (tags.get("insats.sweep_hash"), tags.get("insats.seed"), tags.get("insats.part"))
    if (got[0] is not None and got[0] != sweep_hash) or got[1] != str(seed) or got[2] != str(part):
        return (f"belongs to another sweep (hash {got[0]}, seed {got[1]}, part {got[2]}), not this "
                f"one (hash {sweep_hash}, seed {seed}, part {part})")
    if rows is not None and meta.num_rows != rows:
        return f"holds {meta.num_rows} rows where this part has {rows}"
    return ""


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class _Scenario(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    name: str
    hash: str
    file: str = ""
    value_per_year: float


class _Parameter(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    name: str
    path: str
    applies_to: list[str]
    range: list[float] = Field(min_length=2, max_length=2)
    dist: str | None = None


class _Design(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    kind: Literal["grid", "lhs", "random", "oneway", "sobol", "morris", "psa"]


class Manifest(BaseModel):
    """The fields of sweep.json that insats reads back, with their types (others are kept)."""

    model_config = ConfigDict(extra="allow", strict=True)
    name: str
    status: Literal["running", "complete"]
    version: str
    sweep_hash: str = Field(pattern=r"^[0-9a-f]{16}$")
    seed: int = Field(ge=0)
    replications: int = Field(ge=1)
    n_points: int = Field(ge=1)
    points_per_part: int = Field(ge=1)
    n_parts: int = Field(ge=1)
    design: _Design
    scenarios: list[_Scenario] = Field(min_length=1)
    parameters: list[_Parameter]
    units: dict[str, str]
    notes: list[str] = []
    groups: dict[str, list[str]] = {}


def read_manifest(out: Path, file: str = "sweep.json") -> dict[str, Any]:
    """sweep.json with its types checked; InputError naming the bad fields (never a traceback)."""
    f = out / file
    try:
        data = json.loads(f.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError([Problem(str(f), "", f"cannot be read as a sweep manifest "
                                  f"({_first_line(exc)})")]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(str(f), "", "is not a sweep manifest (not a JSON object)")])
    try:
        Manifest.model_validate(data)
    except ValidationError as exc:
        raise InputError([Problem(str(f), ".".join(map(str, e["loc"])), e["msg"],
                                  e.get("input") if e["type"] != "missing" else None)
                          for e in exc.errors(include_url=False)]) from None
    if data["n_parts"] != math.ceil(data["n_points"] / data["points_per_part"]):
        raise InputError([Problem(str(f), "n_parts", "does not match n_points and "
                                  "points_per_part", data["n_parts"])])
    return data


def parts_problems(out: Path, mf: dict[str, Any]) -> list[Problem]:
    """Every part of a finished sweep is there, whole, and of this sweep; nothing else is there."""
    from model.sweep.store import PARTS_DIR, part_path

    problems = []
    n_bases = len(mf["scenarios"])
    expected = set()
    for part in range(mf["n_parts"]):
        f = part_path(out, part)
        expected.add(f.name)
        points = min(mf["points_per_part"], mf["n_points"] - part * mf["points_per_part"])
        if not f.is_file():
            problems.append(Problem(str(f), "", "is missing"))
            continue
        why = part_problem(f, mf["sweep_hash"], mf["seed"], part,
                           expected_rows(points, n_bases, mf["replications"]))
        if why:
            problems.append(Problem(str(f), "", why))
    folder = out / PARTS_DIR
    stray = sorted(p.name for p in folder.glob("*.parquet") if p.name not in expected)
    problems += [Problem(str(folder / name), "", "is not a part of this sweep") for name in stray]
    if problems:
        problems.append(Problem(str(out), "", "the results are incomplete or mixed; recompute the "
                                "bad parts with `insats sweep SWEEP.yaml --out DIR --resume`"))
    return problems
