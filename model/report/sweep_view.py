"""The sensitivity part of the report, read from saved sweep folders (`insats sweep --out DIR`).

Run, save, then analyse: nothing here reruns the model; `model.analysis` reads the folder. Which
analyses a sweep supports follows its design: a one-way design gives the tornado, a probabilistic
one (random, LHS) the acceptability curve, a Sobol design the Sobol indices; every design gives the
mean and 95 % interval over all points (each its mean over replications).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.report import reach
from model.report.text import in_lang as _t
from model.report.text import input_label, metric_label, missing, number, run_count


def available() -> bool:
    """True when this version has the sweep modules (model/sweep.py and model/analysis.py)."""
    from importlib.util import find_spec

    return find_spec("model.sweep") is not None and find_spec("model.analysis") is not None


@dataclass
class SweepView:
    """Everything the report shows of one sweep folder."""

    folder: Path
    manifest: dict[str, Any]
    overall: pd.DataFrame
    tornado: dict[str, pd.DataFrame] = field(default_factory=dict)
    acceptability: pd.DataFrame | None = None
    sobol: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary: pd.DataFrame | None = None
    metric: str = "npv"
    titles: dict[str, str] = field(default_factory=dict)   # scenario name -> its label
    names: dict[str, str] = field(default_factory=dict)    # intervention/exit name -> label
    horizon: float | None = None                           # the scenarios' headline horizon

    def title(self, scenario: str) -> str:
        return self.titles.get(scenario, scenario)

    def parameter(self, name: str, lang: str = "sv") -> str:
        """A swept parameter in words: its input's label, else its name."""
        for p in self.manifest["parameters"]:
            if p["name"] == name:
                text = input_label(p["path"], lang, self.names)
                return name if text == p["path"] else text
        return name

    @property
    def name(self) -> str:
        return str(self.manifest["name"])

    @property
    def kind(self) -> str:
        return str(self.manifest["design"]["kind"])


def load_view(folder: str | Path, metric: str = "npv") -> SweepView:
    """Read a finished sweep folder and compute the analyses its design supports."""
    from model import analysis as an
    from model.sweep import SUMMARY

    mf = an.load_manifest(folder)
    # a break-even beyond reach as words with a reason, as in every output (`model.report.reach`)
    view = SweepView(Path(folder), mf, an.reachable_rows(an.overall(folder, mf, metric=metric)),
                     metric=metric)
    view.titles, view.names, view.horizon = _scenario_words(mf)
    names = an.scenario_names(mf)
    kind = mf["design"]["kind"]
    for s in names:
        if kind == "oneway":
            view.tornado[s] = an.tornado(folder, metric, s)
        elif kind == "sobol":
            view.sobol[s] = an.sobol_indices(folder, metric, s)
    if kind in ("random", "lhs", "psa") and metric.startswith("npv"):
        base = max(sc["value_per_year"] for sc in mf["scenarios"]) or 500_000.0
        view.acceptability = an.acceptability(folder, list(np.linspace(0.0, 2.0 * base,
                                                                        ACCEPTABILITY_POINTS)),
                                              metric)
    summary = Path(folder) / SUMMARY
    if summary.is_file():
        view.summary = pd.read_parquet(summary)
    return view


# sweep designs in Swedish
DESIGN_WORDS = {"oneway": "envägsanalys", "random": "slumpdragningar (PSA)",
                "psa": "scenariernas osäkerhet (PSA)",
                "lhs": "latinsk hyperkub (LHS)", "grid": "rutnät", "sobol": "Sobol",
                "morris": "Morris"}
# points on the acceptability curve: enough to show its shape between 0 and twice the base value
ACCEPTABILITY_POINTS = 41


def _scenario_words(mf: dict[str, Any]) -> tuple[dict[str, str], dict[str, str], float | None]:
    """Scenario labels, intervention and exit-state labels and the headline horizon, read from the
    sweep's scenario files when they are still where the sweep found them (else names only)."""
    from model.errors import InputError
    from model.load import load_scenario

    titles: dict[str, str] = {}
    names: dict[str, str] = {}
    horizons = set()
    for entry in mf["scenarios"]:
        path = Path(entry.get("file", ""))
        if not path.is_file():
            continue
        try:
            sc = load_scenario(path)
        except InputError:
            continue
        titles[entry["name"]] = sc.title
        names |= {iv.name: iv.title for iv in sc.interventions}
        names |= {k: ex.label or k for k, ex in sc.exit_states.items()}
        horizons.add(sc.valuation.horizon_years)
    return titles, names, (horizons.pop() if len(horizons) == 1 else None)


def _param_label(mf: dict[str, Any], name: str) -> str:
    for p in mf["parameters"]:
        if p["name"] == name:
            return f"{name} ({p['path']})" if p["path"] != name else name
    return name


def _value(v: float, lang: str) -> str:
    if missing(v):
        return "–"
    if abs(v) >= 1000 or float(v).is_integer():
        return number(v, 0, lang)
    return number(v, 4 if abs(v) < 0.01 else 3 if abs(v) < 1 else 2, lang)


# ---------------------------------------------------------------- plots


def tornado_plot(view: SweepView, lang: str = "sv") -> bytes:
    """One tornado per scenario, stacked: the metric at each parameter's low and high value."""
    import textwrap

    import matplotlib.pyplot as plt

    from model.report import plots as pl

    with plt.rc_context(pl.STYLE):
        items = list(view.tornado.items())
        heights = [0.9 + 0.62 * len(t) for _, t in items]
        fig, axes = plt.subplots(len(items), 1, figsize=(9.5, sum(heights) + 0.6), squeeze=False,
                                 gridspec_kw={"height_ratios": heights})
        for ax, (s, t) in zip(axes[:, 0], items, strict=True):
            metric = t.attrs.get("metric", "npv")
            base = float(t.attrs["base_value"])
            y = np.arange(len(t))[::-1]
            lo = t[f"{metric} at low"].to_numpy(dtype=float)
            hi = t[f"{metric} at high"].to_numpy(dtype=float)
            ax.barh(y, lo - base, left=base, color="#9ecae1", height=0.6,
                    label=_t(lang, "parametern lågt", "parameter low"))
            ax.barh(y, hi - base, left=base, color="#08519c", height=0.6,
                    label=_t(lang, "parametern högt", "parameter high"))
            ax.axvline(base, color=pl.INK, linewidth=1)
            if min(lo.min(), hi.min()) < 0 < max(lo.max(), hi.max()):
                ax.axvline(0, color=pl.COST_COLOUR, linewidth=1, linestyle=":")
            ticks = [textwrap.fill(view.parameter(r["parameter"], lang), 34) + "\n"
                     + f"{_value(r['low'], lang)} – {_value(r['high'], lang)}"
                     for _, r in t.iterrows()]
            ax.set_yticks(y, ticks, fontsize=8)
            ax.set_ylim(-0.6, len(t) - 0.4)
            ax.grid(axis="y", visible=False)
            ax.xaxis.set_major_formatter(pl.money_axis(lang))
            ax.set_title(view.title(s), loc="left")
            ax.set_xlabel(_t(lang, f"{metric_label(metric, lang, view.horizon).lower()} "
                                   "(medel över körningar)",
                             f"{metric_label(metric, lang, view.horizon).lower()} "
                             "(mean over runs)"))
            ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        return pl.to_png(fig)


def acceptability_plot(view: SweepView, lang: str = "sv") -> bytes:
    """P(NPV > 0) per programme, and P(A > B), against the value per person-year."""
    import matplotlib.pyplot as plt

    from model.report import plots as pl

    ac = view.acceptability
    with plt.rc_context(pl.STYLE):
        fig, ax = plt.subplots(figsize=(9.5, 3.9))
        x = ac["value_per_year"].to_numpy(dtype=float)
        cols = [c for c in ac.columns if c != "value_per_year"]
        k = 0
        for col in cols:
            if col.startswith("P(NPV>0) "):
                name = view.title(col[len("P(NPV>0) "):])
                ax.plot(x, ac[col], color=pl.PROGRAMME_COLOURS[k % 6], linewidth=2.2,
                        label=_t(lang, f"nettonuvärdet > 0, {name}", f"NPV > 0, {name}"))
                k += 1
            else:
                a, _, b = col[2:-1].partition(" > ")
                ax.plot(x, ac[col], color="#555555", linewidth=1.6, linestyle="--",
                        label=_t(lang, f"{view.title(a)} har högre nettonuvärde än {view.title(b)}",
                                 f"{view.title(a)} has a higher NPV than {view.title(b)}"))
        for s in view.manifest["scenarios"]:
            ax.axvline(s["value_per_year"], color="#999999", linestyle=":", linewidth=1)
        ax.set_ylim(-0.02, 1.02)
        ax.yaxis.set_major_formatter(pl.percent_axis(lang))
        ax.xaxis.set_major_formatter(pl.plain_axis(lang, 0, " kr"))
        ax.set_xlabel(_t(lang, "värde per personår kortad arbetslöshet (prickat: scenariots värde)",
                         "value per person-year of shortened unemployment (dotted: the scenario's)"))
        ax.set_ylabel(_t(lang, "sannolikhet", "probability"))
        ax.legend(fontsize=8.5, loc="lower right")
        fig.tight_layout()
        return pl.to_png(fig)


def sobol_plot(view: SweepView, lang: str = "sv") -> bytes:
    """First-order and total Sobol indices per parameter, with bootstrap intervals."""
    import matplotlib.pyplot as plt

    from model.report import plots as pl

    items = list(view.sobol.items())
    with plt.rc_context(pl.STYLE):
        rows = max(len(t) for _, t in items)
        fig, axes = plt.subplots(1, len(items), figsize=(9.5 if len(items) == 1 else 5.2 * len(items),
                                                         1.3 + 0.5 * rows), squeeze=False)
        for ax, (s, t) in zip(axes[0], items, strict=True):
            y = np.arange(len(t))[::-1]
            ax.barh(y + 0.18, t["ST"], height=0.34, color="#08519c", xerr=t["ST_conf"],
                    label=_t(lang, "totalindex ST", "total index ST"))
            ax.barh(y - 0.18, t["S1"], height=0.34, color="#9ecae1", xerr=t["S1_conf"],
                    label=_t(lang, "förstaordningens index S1", "first-order index S1"))
            ax.set_yticks(y, [view.parameter(n, lang) for n in t["parameter"]], fontsize=8.5)
            ax.grid(axis="y", visible=False)
            ax.set_title(view.title(s), loc="left")
            ax.set_xlabel(_t(lang, "andel av nettonuvärdets varians", "share of the NPV's variance"))
        axes[0][-1].legend(fontsize=8.5, loc="lower right")
        fig.tight_layout()
        return pl.to_png(fig)


# ---------------------------------------------------------------- HTML and tables


def plots_for(view: SweepView) -> int:
    return int(bool(view.tornado)) + int(view.acceptability is not None) + int(bool(view.sobol))


def sweep_html(views: list[SweepView], lang: str = "sv", tick: Any = None) -> str:
    """The report's sensitivity section for one or more sweep folders."""
    from model.report.page import html_table, img
    from model.report.text import fmt as fmt_unit
    from model.report.text import metric_label

    tick = tick or (lambda n=1: None)
    out = [f"<p>{escape(_t(lang, 'Hur resultatet beror på antagandena. Varje punkt i svepet kördes med samma slumpfrö för alla program, så skillnader mellan punkter och program är inte slump i vilka som deltar.', 'How the result depends on the assumptions. Every point of the sweep ran on the same seed for every programme, so differences between points and programmes are not chance in who takes part.'))}</p>"]  # noqa: E501
    for v in views:
        mf = v.manifest
        out.append(f"<h3>{escape(_t(lang, 'Svep', 'Sweep'))} {escape(v.name)}</h3>")
        params = "; ".join(f"{v.parameter(p['name'], lang)} ({p['path']}) "
                           f"[{_value(p['range'][0], lang)} – "
                           f"{_value(p['range'][1], lang)}]" + (f" ~ {p['dist']}" if p.get("dist")
                                                                else "")
                           for p in mf["parameters"])
        kind = _t(lang, DESIGN_WORDS.get(v.kind, v.kind), v.kind)
        out.append(f'<p class="note">{escape(_t(lang, "Design", "Design"))} {escape(kind)}, '
                   f"{escape(str(mf['n_points']))} {escape(_t(lang, 'punkter', 'points'))} × "
                   f"{escape(run_count(mf['replications'], lang))}, "
                   f"{escape(_t(lang, 'slumpfrö', 'seed'))} {escape(str(mf['seed']))}, "
                   f"insats {escape(str(mf['version']))}, "
                   f"{escape(_t(lang, 'svepets hash', 'sweep hash'))} {escape(str(mf['sweep_hash']))}. "
                   f"{escape(params)}</p>")
        rows = []
        for r in v.overall.itertuples():
            if r.metric.startswith("P("):
                inner = metric_label(r.metric[2:].split(" > ")[0], lang, v.horizon).lower()
                name = _t(lang, f"Andel av alla punkter och körningar där {inner} > 0",
                          f"Share of all points and runs in which {inner} > 0")
            else:
                name = metric_label(r.metric, lang, v.horizon)
            unit = r.unit if r.unit in ("kr", "share", "person-years", "months", "jobs") else ""

            def fmt(x: float, u: str = unit) -> str:
                if missing(x):
                    return "–"
                return fmt_unit(x, u, lang) if u else number(x, 2, lang)

            mean, span = fmt(r.mean), "" if missing(r.lo) else f"{fmt(r.lo)} – {fmt(r.hi)}"
            if getattr(r, "reason", ""):  # a break-even beyond reach: words, never a number
                words = reach.unreachable_text(r.metric, lang)
                mean = words if missing(r.mean) else mean
                span = words if missing(r.lo) else f"{span} ({reach.clip_text(lang)})"
            rows.append([v.title(r.scenario), name, mean, span])
        out.append(html_table([_t(lang, "Program", "Programme"), _t(lang, "Mått", "Metric"),
                               _t(lang, "Medel", "Mean"),
                               _t(lang, "95 %-intervall", "95 % interval")], rows,
                              numeric={2, 3}, cls="sweep-overall"))
        if v.tornado:
            out.append(img(tornado_plot(v, lang), _t(lang, "Tornadodiagram", "Tornado diagram"),
                           _t(lang, "Envägsanalys: varje parameter på sitt låga och höga värde, de "
                                    "övriga på basvärdet. Längst stapel överst: det antagande som "
                                    "betyder mest.",
                              "One-way analysis: each parameter at its low and high value, the others "
                              "at base. Longest bar on top: the assumption that matters most."),
                           "tornado"))
            tick(1)
        if v.acceptability is not None:
            out.append(img(acceptability_plot(v, lang),
                           _t(lang, "Acceptanskurva", "Acceptability curve"),
                           _t(lang, "Sannolikheten över osäkerheten i antagandena att nettonuvärdet är "
                                    "positivt, för varje värde per personår.",
                              "The probability over the uncertainty in the assumptions that the net "
                              "present value is positive, for each value per person-year."),
                           "acceptability"))
            tick(1)
        if v.sobol:
            out.append(img(sobol_plot(v, lang), _t(lang, "Sobolindex", "Sobol indices"),
                           _t(lang, "Andel av variansen i nettonuvärdet som varje parameter står "
                                    "för (95 %-intervall med bootstrap).",
                              "Share of the variance of the net present value due to each parameter "
                              "(95 % bootstrap intervals)."), "sobol"))
            tick(1)
    return "".join(out)


def sweep_frames(views: list[SweepView]) -> dict[str, pd.DataFrame]:
    """Tidy tables of the sweeps for the workbook: overall, tornado, acceptability, Sobol, points."""
    frames: dict[str, pd.DataFrame] = {}
    for k, v in enumerate(views):
        tag = f"{k + 1} " if len(views) > 1 else ""
        frames[f"{tag}overall"] = v.overall.assign(sweep=v.name)
        if v.tornado:
            frames[f"{tag}tornado"] = pd.concat(
                [t.assign(scenario=s, base_value=t.attrs["base_value"]) for s, t in
                 v.tornado.items()], ignore_index=True)
        if v.acceptability is not None:
            frames[f"{tag}acceptability"] = v.acceptability
        if v.sobol:
            frames[f"{tag}sobol"] = pd.concat([t.assign(scenario=s) for s, t in v.sobol.items()],
                                              ignore_index=True)
        if v.summary is not None:
            frames[f"{tag}points"] = v.summary
    return frames
