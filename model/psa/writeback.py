"""A calibration written back: each scenario file with its posterior as a joint group.

The written file is the input file's own text with three edits, so that comments and layout
survive: each calibrated input's base `value` becomes its posterior median (the base-value run
and the PSA then describe the same programme); a prior whose mean was the base value gets that
mean written out (the prior does not move with the base value, so a re-run uses the same prior);
and the `uncertainty:` block gets the joint group of the posterior rows. Where the text cannot be
edited in place (block-style mappings), the file is written from the parsed mapping instead.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from model.sweep import parse_path

if TYPE_CHECKING:
    from model.psa.calibrate import Calibration


NOTE = re.compile(r" \[value: (the posterior median of|rescaled beside a share) the calibration [^\]]*\]$")


def _without_note(source: str) -> str:
    """A source without the note an earlier calibration appended (calibrating twice adds one)."""
    return NOTE.sub("", source)


def _node(root: Any, path: str) -> Any:
    """The YAML node at a parameter path (None if absent)."""
    import re

    cur = root
    for part in re.findall(r"[^.\[\]]+|\[[^\]]+\]", path):
        if isinstance(cur, yaml.MappingNode):
            cur = next((v for k, v in cur.value if k.value == part), None)
        elif isinstance(cur, yaml.SequenceNode) and part.startswith("["):
            key = part[1:-1]
            if key.isdigit():
                cur = cur.value[int(key)] if int(key) < len(cur.value) else None
            else:   # a named item, e.g. interventions[kurs]
                cur = next((item for item in cur.value if isinstance(item, yaml.MappingNode)
                            and any(k.value == "name" and v.value == key for k, v in item.value)),
                           None)
        else:
            return None
        if cur is None:
            return None
    return cur


def group(cal: Calibration, scenario: str) -> dict[str, Any] | None:
    """The joint group of one scenario: its calibrated inputs' paths and the posterior rows."""
    cols = [(j, u.path) for j, name in enumerate(cal.names)
            for u in cal.prob.plan.by_scenario.get(scenario, []) if u.name == name]
    if not cols:
        return None
    m = cal.spec.method
    ess = cal.diag["ess_bulk"].min()
    rhat = cal.diag["r_hat"].max()
    sim = (f" (simulated targets: {m.replications} cohorts per evaluation, cohort seed "
           f"{m.simulation_seed})" if cal.prob.simulated else "")
    g: dict[str, Any] = {
        "name": cal.spec.name,
        "source": (f"insats calibrate ({cal.spec.name}): emcee ensemble MCMC, {m.runs} runs of "
                   f"{m.walkers} walkers x {m.steps} steps (burn-in {m.burn}, every {m.thin}th "
                   f"step kept), seed {m.seed}"
                   f"{sim}; max R-hat {rhat:.4f}, min bulk ESS {ess:.0f}; "
                   f"{len(cal.rows)} rows"),
        "paths": [p for _, p in cols],
        "rows": [[_num(r[j]) for j, _ in cols] for r in cal.rows]}
    if not cal.converged:
        g["converged"] = False
    return g


def written_text(cal: Calibration, sc_index: int) -> str | None:
    """The new text of one scenario file (None when no calibrated input belongs to it)."""
    raw, sc = cal.prob.parsed[sc_index]
    g = group(cal, sc.name)
    if g is None:
        return None
    med = cal.medians()
    edits: list[tuple[int, int, str]] = []      # (start, end, new text) in the original
    text = Path(sc.source_file).read_text(encoding="utf-8")
    root = yaml.compose(text)
    in_place = True
    from model.numbers import walk_inputs
    from model.psa.inputs import drawn_raw
    from model.sweep.paths import get_value

    free = cal.prob.plan.by_scenario.get(sc.name, [])
    new_raw = drawn_raw(raw, [(parse_path(u.path), float(med[cal.names.index(u.name)]))
                              for u in free])
    for path, leaf in walk_inputs(raw):     # the inputs set, and shares rescaled beside them
        old = leaf["value"] if isinstance(leaf, dict) else leaf
        if isinstance(old, bool) or not isinstance(old, int | float):
            continue            # a switch or a label: never calibrated, and no number to read
        new = get_value(new_raw, parse_path(path))
        if new == old:
            continue
        leaf_node = _node(root, path)
        node = _node(leaf_node, "value") if isinstance(leaf_node, yaml.MappingNode) else leaf_node
        if node is None:
            in_place = False
            break
        edits.append((node.start_mark.index, node.end_mark.index, repr(_num(new))))
        src = _node(leaf_node, "source") if isinstance(leaf_node, yaml.MappingNode) else None
        if isinstance(src, yaml.ScalarNode):
            said = (f"value: the posterior median of the calibration '{cal.spec.name}'; a figure "
                    "quoted before this is the prior's" if path in {u.path for u in free} else
                    f"value: rescaled beside a share the calibration '{cal.spec.name}' set")
            edits.append((src.start_mark.index, src.end_mark.index,
                          json.dumps(f"{_without_note(src.value)} [{said}]", ensure_ascii=False)))
    for u in free:
        unc = _node(_node(root, u.path), "uncertainty")
        if unc is None or not getattr(unc, "flow_style", False):
            in_place = False
            break
        if _needs_mean(raw, u):
            dist = _node(unc, "dist")
            edits.append((dist.end_mark.index, dist.end_mark.index, f", mean: {_num(u.value)!r}"))
    top = _node(root, "uncertainty")
    block = yaml.safe_dump({"uncertainty": _uncertainty(raw, g)}, allow_unicode=True,
                           sort_keys=False, width=10_000, default_flow_style=None)
    if in_place and top is not None:
        key = next(k for k, v in root.value if k.value == "uncertainty")
        edits.append((key.start_mark.index, len(text), block))
    elif in_place:
        edits.append((len(text), len(text), ("\n" if not text.endswith("\n") else "") + block))
    if in_place:
        out = text
        for start, end, new in sorted(edits, reverse=True):
            out = out[:start] + new + out[end:]
        return out
    return _dumped(cal, raw, sc, g, med)


def _uncertainty(raw: dict[str, Any], g: dict[str, Any]) -> dict[str, Any]:
    unc = dict(raw.get("uncertainty") or {})
    unc["joint"] = [j for j in unc.get("joint", []) if j.get("name") != g["name"]] + [g]
    return unc


def _needs_mean(raw: dict[str, Any], u: Any) -> bool:
    """True when the prior takes its mean from the base value (the file states no mean)."""
    from model.sweep.paths import _container

    parts = parse_path(u.path)
    leaf = _container(raw, parts)[parts[-1]]
    return "mean" not in leaf["uncertainty"] and getattr(u.dist, "mean", None) is not None


def _dumped(cal: Calibration, raw: dict[str, Any], sc: Any, g: dict[str, Any], med: np.ndarray
            ) -> str:
    """The scenario written from its mapping (comments are lost): the fallback."""
    from model.psa.inputs import drawn_raw

    sets = []
    for u in cal.prob.plan.by_scenario.get(sc.name, []):
        sets.append((parse_path(u.path), float(med[cal.names.index(u.name)])))
    out = drawn_raw(raw, sets)
    for u in cal.prob.plan.by_scenario.get(sc.name, []):
        if _needs_mean(raw, u):
            from model.sweep.paths import _container

            parts = parse_path(u.path)
            leaf = _container(out, parts)[parts[-1]]
            leaf["uncertainty"] = {**leaf["uncertainty"], "mean": _num(u.value)}
    out["uncertainty"] = _uncertainty(out, g)
    return yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=100)


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(f"{x:.6g}")


def refuse_input_folder(out: Path, inputs: list[Path | None]) -> None:
    """InputError (exit 2) when the output folder holds one of the inputs: the calibrated files
    go into a new folder, never over the files they were calibrated from."""
    from model.errors import InputError, Problem

    if not out.exists():
        return
    for f in inputs:
        if f is None:
            continue
        f = Path(f).resolve()
        if f.parent == out.resolve() or out.resolve() in f.parents:
            raise InputError([Problem(str(out), "", f"holds an input of this calibration ({f}); "
                                      "give a new folder for the calibrated scenarios")])


OUTPUT_NAMES = ("diagnostics.csv", "fit.csv", "posterior.csv", "trace_rank.png", "calibration.txt")


def library_versions() -> dict[str, str]:
    """The versions whose numerics the chains depend on: the same seed gives the same rows bit for
    bit only with these (a last-digit difference in a quantile grows over thousands of steps)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "emcee", "arviz"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def write_outputs(cal: Calibration, out: Path) -> list[Path]:
    """The calibrated scenario files, the diagnostics, the fit, the posterior rows, the trace
    and rank plot and a record of the run, written whole into the new folder `out`.

    The sampled rows and the diagnostics are written first. Each later output is made on its own
    (the scenario files all or none: every text is made before any is written); should one fail,
    the folder still receives everything else, `run.json` names what is missing and why, and an
    OutputError (exit 1) names the folder: a finished sampling, maybe an hour's work, is never
    lost to a later step."""
    import json

    import pandas as pd

    from model.errors import OutputError
    from model.io import RUN_MARKER, csv_text, write_folder
    from model.psa.mcmc import rank_plot
    from model.report.calibration_view import calibration_text

    missing: dict[str, str] = {}      # what was not written: why

    def write(tmp: Path) -> list[Path]:
        diag = cal.diag.copy()
        diag.index.name = "parameter"
        (tmp / "diagnostics.csv").write_text(csv_text(diag.reset_index()), encoding="utf-8")
        (tmp / "posterior.csv").write_text(csv_text(pd.DataFrame(cal.rows, columns=cal.names)),
                                           encoding="utf-8")
        m = cal.spec.method

        def scenarios() -> list[Path]:
            texts = [(f"{Path(sc.source_file).stem if sc.source_file else sc.name}.yaml",
                      written_text(cal, i)) for i, (_, sc) in enumerate(cal.prob.parsed)]
            done: list[Path] = []
            try:
                for name, text in texts:
                    if text is not None:
                        done.append(tmp / name)
                        done[-1].write_text(text, encoding="utf-8")
            except OSError:      # all or none: a group's rows belong in both files
                for f in done:
                    f.unlink(missing_ok=True)
                raise
            return done

        steps = {
            "the calibrated scenarios": scenarios,
            "fit.csv": lambda: (tmp / "fit.csv").write_text(csv_text(cal.fit), encoding="utf-8"),
            "trace_rank.png": lambda: rank_plot(cal.chains[:, m.burn:], cal.names,
                                                str(tmp / "trace_rank.png")),
            "calibration.txt": lambda: (tmp / "calibration.txt").write_text(
                calibration_text(cal, [], "en") + "\n", encoding="utf-8"),
        }
        files: list[Path] = []
        for what, step in steps.items():
            try:
                made = step()
            except Exception as exc:  # the outputs before it are kept whatever fails here
                missing[what] = f"{type(exc).__name__}: {exc}"
                continue
            if what == "the calibrated scenarios":
                files = made
        from model import __version__

        (tmp / RUN_MARKER).write_text(json.dumps({
            "command": "calibrate", "name": cal.spec.name, "seed": m.seed,
            "method": m.model_dump(), "converged": cal.converged, "version": __version__,
            "rows": len(cal.rows), "libraries": library_versions(),
            **({"not_written": missing} if missing else {})}, indent=2) + "\n",
            encoding="utf-8")
        return files + [tmp / n for n in OUTPUT_NAMES if (tmp / n).exists()]

    written = write_folder(out, write)
    if missing:
        why = next(iter(missing.values()))
        raise OutputError(out, f"the sampling finished and its rows and diagnostics are saved "
                          f"there (posterior.csv, diagnostics.csv), but some outputs were not "
                          f"written ({', '.join(missing)}): {why}")
    return written
