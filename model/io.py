"""Writing output files whole or not at all, and never over an input or onto a device.

A file is written to a temporary file in the same folder, then renamed onto its name; a folder of
results (`insats run --out DIR`) is written into a fresh temporary folder beside it, which then
takes the place of the old one in one step, so an interrupted rerun leaves the previous complete
output, never a mixture. Temporary names carry the writer's process id: what a killed writer left
behind is removed by the next write to the same place. Failures of the operating system (a
read-only folder, a full disk, a loop of links) become `OutputError`, one line for the CLI.
CSV cells are written through `csv_safe`, so text from a scenario never becomes a spreadsheet
formula.

One rule keeps a user's files: every file a command reads is noted (`note_input`, called where
files are read), and every writer checks its target against them (`check_not_input`) after making
the target's folders, by identity (device and inode, so a `..`, a link or a hard link spelling the
same file is caught), never by the path's text. A run folder is replaced only when every file in
it is listed in its manifest (`run.json`'s `files`); a folder of calibrated scenarios never holds
an input nor a file of the name it would write (`check_new_files`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.errors import InputError, OutputError, Problem

if TYPE_CHECKING:  # pandas loads with the first table written (start-up)
    import pandas as pd

RUN_MARKER = "run.json"  # what marks a folder as written by `insats run --out`
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# what `insats run --out` wrote before run.json listed its files (a folder of an older version)
_LEGACY_RUN_FILES = frozenset([f"{t}.{s}" for t in ("participants", "visits", "metrics", "ledger")
                               for s in ("csv", "parquet")]
                              + ["summary.csv", "outcomes_per_rep.csv", RUN_MARKER])
_INPUTS: dict[tuple[int, int], str] = {}  # (device, inode) -> the input's real path
_INPUTS_LOCK = threading.Lock()


def note_input(path: str | Path, st: os.stat_result | None = None) -> None:
    """Remember a regular file this command reads, so that no output of it is written there."""
    try:
        st = st or os.stat(path)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode):
        with _INPUTS_LOCK:
            _INPUTS[(st.st_dev, st.st_ino)] = os.path.realpath(path)


def forget_inputs() -> None:
    """Start a new command: the files read by the previous one are no longer its inputs."""
    with _INPUTS_LOCK:
        _INPUTS.clear()


def _identity(path: str | Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _inputs(extra: Iterable[str | Path] = ()) -> dict[tuple[int, int], str]:
    """The inputs of this command by identity: those noted (still that file: an inode freed and
    reused by another file is not an input) and `extra`."""
    with _INPUTS_LOCK:
        noted = list(_INPUTS.items())
    found = {key: path for key, path in noted if _identity(path) == key}
    for f in extra:
        key = _identity(f)
        if key is not None:
            found.setdefault(key, os.path.realpath(f))
    return found


def check_not_input(target: str | Path, inputs: Iterable[str | Path] = ()) -> None:
    """InputError if `target` is one of this command's input files, however its path is spelled.

    The path is resolved as the system will resolve it (a folder not yet made counts as a plain
    folder), then compared by device and inode, so `nosub/../a.yaml`, a link and a hard link to
    an input are all the input.
    """
    known = _inputs(inputs)
    if not known:
        return
    for spelling in (target, os.path.realpath(target)):
        key = _identity(spelling)
        if key in known:
            raise InputError([Problem(str(target), "", f"is an input of this command "
                                      f"({known[key]}); give another file to write")])


def inputs_inside(folder: str | Path, inputs: Iterable[str | Path] = ()) -> list[str]:
    """This command's input files inside `folder` (by real path, or as a file of it by identity),
    as paths relative to the folder where they are in it."""
    known = _inputs(inputs)
    if not known:
        return []
    root = Path(os.path.realpath(folder))
    found = {path for path in known.values() if Path(path).is_relative_to(root)}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            key = _identity(os.path.join(dirpath, name))
            if key in known:
                found.add(known[key])
    return sorted(str(Path(p).relative_to(root)) if Path(p).is_relative_to(root) else p
                  for p in found)


def check_new_files(folder: str | Path, names: Iterable[str]) -> None:
    """A folder to write new files into (`insats calibrate --out`): refused when it is not a
    folder, holds an input of this command, or already holds a file of a name to be written (a
    file this command did not write is never replaced)."""
    folder = Path(folder)
    st = _stat(folder)
    if st is None:
        return
    if not stat.S_ISDIR(st.st_mode):
        raise InputError([Problem(str(folder), "", "exists and is not a folder; give a new folder "
                                  "for the results")])
    inside = inputs_inside(folder)
    if inside:
        raise InputError([Problem(str(folder), "", f"holds input files of this command "
                                  f"({', '.join(inside)}); the results are written as new files, "
                                  "so give a new folder")])
    taken = sorted(n for n in names if os.path.lexists(folder / n))
    if taken:
        raise InputError([Problem(str(folder), "", f"already holds {', '.join(taken)}, which "
                                  "this command would replace; give a new or empty folder, or "
                                  "move them")])


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` and move tmp onto `path`; an interrupted run leaves no partial file."""
    target = Path(path)
    made = _make_parents(target.parent)
    try:
        check_target(target)
        check_not_input(target)
    except InputError:
        _remove_made(made)
        raise
    tmp: Path | None = None
    try:
        _clean_stale(target.parent, f".{target.name}.")
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                        dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
        write(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(target, exc) from None
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()
    return target


def _make_parents(folder: Path) -> list[Path]:
    """Make `folder` and its missing parents; the ones made, nearest first (to undo a refusal)."""
    missing = []
    for p in (folder, *folder.parents):
        if os.path.lexists(p):
            break
        missing.append(p)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _remove_made(missing)
        _stat(folder)  # a loop of links: say so, not "File exists"
        raise OutputError(folder, exc) from None
    return missing


def _remove_made(made: list[Path]) -> None:
    for p in made:
        if p.name not in ("", ".", ".."):
            with contextlib.suppress(OSError):
                os.rmdir(p)


def _stat(target: Path) -> os.stat_result | None:
    """The target's status, None when it does not exist; an unreadable path is an output error."""
    try:
        return target.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(target, exc) from None


def check_target(target: Path) -> None:
    """Refuse to write onto a folder or a device, pipe or socket (rename would replace it)."""
    st = _stat(target)
    if st is None:
        return
    if stat.S_ISDIR(st.st_mode):
        raise InputError([Problem(str(target), "", "is a folder; give a file name to write")])
    if not stat.S_ISREG(st.st_mode):
        raise InputError([Problem(str(target), "", "is a device, pipe or socket, not a regular "
                                  "file; give a file name to write")])


def refuse_inputs(target: str | Path, inputs: Iterable[str | Path]) -> None:
    """Note `inputs` as this command's and refuse `target` if it is one of them (checked before
    the work starts; the writer checks again once the target's folders exist)."""
    inputs = list(inputs)
    for f in inputs:
        note_input(f)
    check_not_input(target)


def write_folder(target: str | Path, write: Callable[[Path], list[Path]]) -> list[Path]:
    """Write a folder of results whole: into a fresh folder beside `target`, then swap it in.

    `target` must be new, empty, or a folder this function wrote before (it holds RUN_MARKER);
    anything else is refused, because the old folder is removed once the new one is in place.
    Returns the files written, under `target`.
    """
    target = Path(target)
    if target.is_symlink():  # write where the link points, and keep the link
        target = Path(os.path.realpath(target))
    made = _make_parents(target.parent)
    try:
        _check_folder(target)
    except InputError:
        _remove_made(made)
        raise
    tmp: Path | None = None
    try:
        _clean_stale(target.parent, f".{target.name}.")
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                    dir=target.parent))
        os.chmod(tmp, 0o777 & ~_umask())
        files = write(tmp)
        _swap_in(tmp, target)
    except OutputError as exc:  # a file inside: name it where it was going to be
        inside = Path(exc.path)
        if tmp is not None and inside.is_relative_to(tmp):
            inside = target / inside.relative_to(tmp)
        raise OutputError(inside, exc.reason) from None
    except OSError as exc:
        raise OutputError(target, exc) from None
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return [target / f.relative_to(tmp) for f in files]


def _check_folder(target: Path) -> None:
    st = _stat(target)
    if st is None:
        return
    if not stat.S_ISDIR(st.st_mode):
        raise InputError([Problem(str(target), "", "exists and is not a folder; give a folder "
                                  "for the results")])
    try:
        entries = os.listdir(target)
    except OSError as exc:
        raise OutputError(target, exc) from None
    if not entries:
        return
    inputs = inputs_inside(target)
    if RUN_MARKER not in entries:
        held = f" (among them inputs of this command: {', '.join(inputs)})" if inputs else ""
        raise InputError([Problem(str(target), "", "is a folder that holds other files (it has no "
                                  f"{RUN_MARKER}){held}; results replace the whole folder, so give "
                                  "a new or empty one")])
    written = _manifest_files(target)
    foreign = sorted(set(_files_under(target)) - written - {RUN_MARKER})
    if foreign or inputs:
        names = sorted(set(foreign) | set(inputs))
        shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
        what = " (inputs of this command among them)" if inputs else ""
        raise InputError([Problem(str(target), "", f"holds files insats did not write here: "
                                  f"{shown}{what}; results replace the whole folder, so move them "
                                  "or give another folder")])


def _manifest_files(folder: Path) -> set[str]:
    """The files a run folder's manifest (RUN_MARKER) lists as written by insats."""
    try:
        data = json.loads((folder / RUN_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    if not isinstance(data, dict):
        return set()
    files = data.get("files")
    if files is None:
        return set(_LEGACY_RUN_FILES)
    return {f for f in files if isinstance(f, str)} if isinstance(files, list) else set()


def _files_under(folder: Path) -> list[str]:
    """Every entry below `folder` that is not a folder (files, links, pipes), relative to it."""
    out = []
    for dirpath, dirs, names in os.walk(folder):
        rel = Path(dirpath).relative_to(folder)
        out += [str(rel / n) for n in names]
        out += [str(rel / d) for d in dirs if os.path.islink(os.path.join(dirpath, d))]
    return out


def _swap_in(new: Path, target: Path) -> None:
    """Put folder `new` at `target` in one step where the system can (renameat2 with exchange)."""
    if not target.exists():
        try:
            os.rename(new, target)
            return
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old folder
        return
    old = new.with_name(new.name.replace(".tmp", ".old"))
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _clean_stale(folder: Path, prefix: str) -> None:
    """Remove temporary files and folders under `prefix` left by writers that no longer run."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefix):
            continue
        parts = name[len(prefix):].split(".")  # PID, mkstemp's random letters, "tmp"
        if len(parts) != 3 or parts[2] != "tmp" or not parts[0].isdigit() or process_exists(int(parts[0])):
            continue
        path = folder / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def process_exists(pid: int) -> bool:
    """True while a process with this id exists (also one of another user's)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """The table with text cells that a spreadsheet would run as a formula made plain text.

    A cell beginning with =, +, -, @, a tab or a carriage return gets a leading apostrophe (the
    OWASP advice against CSV injection); numbers, and text not beginning so, are unchanged.
    """
    import pandas as pd

    out = df
    for col in df.columns:
        s = df[col]
        if (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
                or pd.api.types.is_datetime64_any_dtype(s)):
            continue
        cells = s.astype(object)  # text of any kind: object, string, categorical
        bad = cells.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START)).astype(bool)
        if bad.any():
            if out is df:
                out = df.copy()
            out[col] = cells.where(~bad, "'" + cells.astype(str))
    names = ["'" + c if isinstance(c, str) and c.startswith(FORMULA_START) else c
             for c in out.columns]
    if names != list(out.columns):
        out = out.set_axis(names, axis=1)
    return out


def csv_text(df: pd.DataFrame) -> str:
    """A table as CSV text (for printing), its cells made safe by `csv_safe`."""
    return csv_safe(df).to_csv(index=False)


def write_text(path: str | Path, text: str) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: str | Path, data: Any) -> Path:
    return write_text(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def write_table(path: str | Path, df: pd.DataFrame, meta: dict[str, str | int] | None = None) -> Path:
    """Write a DataFrame as CSV or Parquet (by suffix); Parquet carries `meta` in its schema."""
    target = Path(path)
    if target.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        def _pq(tmp: Path) -> None:
            table = pa.Table.from_pandas(df, preserve_index=False)
            if meta:
                merged = {**(table.schema.metadata or {}),
                          **{f"insats.{k}".encode(): str(v).encode() for k, v in meta.items()}}
                table = table.replace_schema_metadata(merged)
            pq.write_table(table, tmp)

        return atomic_write(target, _pq)
    return atomic_write(target, lambda tmp: csv_safe(df).to_csv(tmp, index=False))
