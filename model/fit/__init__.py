"""`insats fit`: from a project's participant records to a simulation-ready scenario.

records.py reads and checks the CSV (every problem at once, personnummer refused); survival.py
fits the stay and the destinations (lifelines); intake.py the arrivals; population.py the shares;
build.py bootstraps them over persons and writes the scenario (alone or on a `--base`); report.py
the HTML fit report. Method and limits: docs/fit.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from model.errors import InputError, Problem


@dataclass
class FitOutcome:
    """What `insats fit` wrote, for the command to print."""

    result: Any          # build.FitResult
    out: Path
    report: Path | None


def _date(text: str, option: str) -> date:
    from model.fit.records import parse_date

    d = parse_date(text)
    if d is None:
        raise InputError([Problem(option, "", "is not a date; allowed: 2019-01-31 or 2019/01/31",
                                  value=text)])
    return d


def fit_file(records: Path, data_date: str, out: Path, base: Path | None = None,
             reasons: str | None = None, month_zero: str | None = None, seed: int = 20140227,
             n_boot: int | None = None, report: Path | None = None, lang: str = "sv",
             reps: int = 100) -> FitOutcome:
    """Read and check the records, fit, write the scenario (validated before it is written) and,
    if asked, the fit report. Nothing is written when anything fails."""
    from model.fit import build
    from model.fit.records import parse_reasons, read_records
    from model.io import atomic_write, refuse_inputs
    from model.scenario import load_yaml, parse_scenario

    dd = _date(data_date, "--data-date")
    mz = _date(month_zero, "--month-zero") if month_zero else None
    try:
        mapping = parse_reasons(reasons)
    except ValueError as exc:
        raise InputError([Problem("--reasons", "", str(exc), value=reasons)]) from None
    inputs = [records] + ([base] if base else [])
    refuse_inputs(out, inputs)
    if report is not None:
        refuse_inputs(report, [*inputs, out])
    base_raw: dict[str, Any] | None = None
    known: list[str] | None = None
    if base is not None:
        raw, node = load_yaml(base)
        parse_scenario(raw, file=str(base), node=node)  # the base must be valid itself
        base_raw = raw
        known = [str(k) for k in (raw.get("exit_states") or {})]
        for state in mapping.values():
            if state not in known:
                raise InputError([Problem("--reasons", "", f"maps to '{state}', not an exit state of "
                                          f"{base}; allowed: {', '.join(known)}", value=reasons)])
    rec = read_records(records, dd, mapping or None, known if not mapping else None, mz)
    if rec.multi:
        from model.fit.steps import fit_steps, standalone_steps
        if base_raw is not None:
            raise InputError([Problem("--base", "", "cannot be combined with multi-step records "
                                      "in this version; fit without --base and copy the costs, "
                                      "counterfactual and valuation over", value=str(base))])
        res = fit_steps(rec, seed=seed, n_boot=n_boot or build.BOOTSTRAP)
        sc = standalone_steps(res, _name(out))
    elif base_raw is not None:
        iv = build.base_intervention(base_raw, rec, str(base))
        res = build.fit(rec, seed=seed, n_boot=n_boot or build.BOOTSTRAP, intervention=iv)
        sc = build.on_base(res, base_raw, base.name)
    else:
        res = build.fit(rec, seed=seed, n_boot=n_boot or build.BOOTSTRAP)
        sc = build.standalone(res, _name(out))
    res.scenario = sc
    text = _header(res, base) + dump(sc)
    check, node = load_yaml_text(text, str(out))
    parse_scenario(check, file=str(out), node=node)  # a fit that does not validate is a bug: say so
    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    written_report = None
    if report is not None:
        from model.fit.report import write_fit_report
        written_report = write_fit_report(res, out, report, lang=lang, reps=reps)
    return FitOutcome(res, out, written_report)


def _name(out: Path) -> str:
    import re
    return re.sub(r"[^\w\-]", "_", out.stem) or "fitted"


def load_yaml_text(text: str, name: str) -> tuple[Any, Any]:
    from model.scenario.load import parse_yaml
    return parse_yaml(text, name)


def _header(res: Any, base: Path | None) -> str:
    from model import __version__
    rec = res.records
    lines = [f"Fitted by `insats fit` (insats {__version__}) from {Path(rec.file).name}: {rec.n} "
             f"participants, {rec.enrolled} still enrolled at {rec.data_date}.",
             f"Month 0 is {rec.month_zero}; seed {res.seed}; {len(res.rows)} bootstrap resamples.",
             "Only aggregates of the records are written here (counts, shares, fitted values).",
             f"Stay: {res.shape.family} (AIC) with routing by exit shares; method: docs/fit.md."]
    lines += _wrap(res.representation)
    if base is not None:
        lines.append(f"Base: {base.name}; its other parts are kept with their sources.")
    lines += ["What the records cannot tell:"] + [f"  - {n}" for n in res.notes]
    return "".join(f"# {line}\n" for line in lines) + "\n"


def _wrap(text: str, width: int = 96) -> list[str]:
    import textwrap
    return textwrap.wrap(text, width)


def dump(sc: dict[str, Any]) -> str:
    """YAML text: numbers with their source on one line, lists of numbers on one line."""
    import yaml

    class D(yaml.SafeDumper):
        pass

    def rep_dict(d: yaml.SafeDumper, data: dict) -> yaml.Node:
        flow = set(data) <= {"value", "source"} or ("share" in data and len(data) <= 4)
        return d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow or None)

    def rep_list(d: yaml.SafeDumper, data: list) -> yaml.Node:
        flow = all(isinstance(x, (int, float)) for x in data)
        return d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow or None)

    D.add_representer(dict, rep_dict)
    D.add_representer(list, rep_list)
    return yaml.dump(sc, Dumper=D, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)
