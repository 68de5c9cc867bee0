"""A records file uploaded on the page: fitted by `insats fit` (the same code as the command) into a
scenario that the page shows and compares like any other, with its fit report to download.

The records are personal data: they are written only to a private temporary folder for the fit,
which is removed at once; only the fitted scenario (aggregates) and its report leave here.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from model.errors import InputError, Problem
from model.scenario import Scenario

BOOT = 100   # bootstrap resamples on the page (the command's default is 200): a fit in seconds
REPS = 20    # simulated-back runs for the page's fit report (the command's default is 100)
_DATE = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")


@dataclass
class Fitted:
    """An uploaded records file, fitted: the scenario, its YAML text, the fit report (HTML) and
    the printed summary."""

    scenario: Scenario
    text: str
    report: bytes
    summary: str


def is_records(name: str) -> bool:
    """An upload is a records file by its name (.csv); scenarios are .yaml/.yml."""
    return name.lower().endswith(".csv")


def latest_date(data: bytes) -> date | None:
    """The latest date written in the records: the earliest data date they allow, the page's
    default (the user can give a later one)."""
    best: date | None = None
    for m in _DATE.finditer(data.decode("utf-8", errors="replace")):
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
        best = d if best is None or d > best else best
    return best


def fit_upload(name: str, data: bytes, data_date: str, lang: str = "sv",
               reasons: str | None = None) -> Fitted:
    """Fit an uploaded records file as `insats fit` does (InputError with every problem, named
    by the uploaded file's name); the fitted scenario loads like an uploaded scenario file."""
    from model.app.compute import load_upload
    from model.fit import fit_file
    from model.fit.report import fit_text

    safe = Path(name).name
    if safe != name or safe in ("", ".", "..") or "\\" in name or "\0" in name:
        raise InputError([Problem(repr(name), "", "an uploaded file needs a plain file name (such "
                                  "as records.csv), not a folder or a path; rename the file and "
                                  "upload it again", name)])
    stem = re.sub(r"[^\w\-]", "_", Path(safe).stem) or "records"
    with tempfile.TemporaryDirectory(prefix="insats-records-") as tmp:
        src = Path(tmp) / safe
        src.write_bytes(data)
        out = Path(tmp) / f"{stem}_fitted.yaml"
        html = Path(tmp) / f"{stem}_fit.html"
        try:
            done = fit_file(src, data_date, out, reasons=reasons, n_boot=BOOT, report=html,
                            lang=lang, reps=REPS)
        except InputError as exc:
            raise InputError([Problem(safe if p.file == str(src) else p.file, p.path, p.message,
                                      p.value, p.line) for p in exc.problems]) from None
        text = out.read_text(encoding="utf-8").replace(str(src), safe)
        summary = fit_text(done, lang).replace(str(src), safe).replace(str(out), out.name)
        if done.report is not None:
            summary = summary.replace(str(done.report), done.report.name)
        report = html.read_bytes().replace(str(src).encode(), safe.encode())
    sc = load_upload(out.name, text.encode("utf-8"))
    return Fitted(scenario=sc, text=text, report=report, summary=summary)
