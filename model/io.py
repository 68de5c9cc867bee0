"""Writing output files whole or not at all: a temporary file in the same folder, then a rename."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` and move tmp onto `path`; an interrupted run leaves no partial file."""
    target = Path(path)
    if target.is_dir():
        from model.errors import InputError, Problem

        raise InputError([Problem(str(target), "", "is a folder; give a file name to write")])
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


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
    return atomic_write(target, lambda tmp: df.to_csv(tmp, index=False))
