"""The report's plots (matplotlib, Agg backend), each returned as PNG bytes.

Every function takes the programmes to show (one, or several side by side) and a language; axis
numbers use the same Swedish/English formats as the tables (`model.report.text.number`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from model.report.content import (
    Programme,
    actor_table,
    cumulative,
    equity_table,
    esf_table,
    flow_table,
    group_label,
    horizon_view,
    payback_month,
    place_label,
)
from model.report.text import actor_label, number
from model.report.text import in_lang as _t

# colour-blind-safe palette (Okabe & Ito) for programmes; exit categories have fixed colours
PROGRAMME_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
CATEGORY_COLOURS = {"work": "#2E8B57", "studies": "#3A7DC9", "care": "#8E6BB8",
                    "benefit": "#E08A2E", "other": "#9AA0A6"}
INTERVENTION_COLOURS = ["#A6CEE3", "#CAB2D6", "#FFE08A", "#D9C2A7", "#B5D3D0", "#F4B6C2"]
OPEN_COLOUR = "#E8E8E8"
COST_COLOUR = "#C0392B"
BENEFIT_COLOUR = "#2E8B57"
TRANSFER_COLOUR = "#7F8C8D"
INK = "#222222"
GRID = "#E3E3E3"

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.edgecolor": "#888888",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}
DPI = 110


def money_axis(lang: str) -> FuncFormatter:
    """Axis ticks in millions of kronor: '2,5 Mkr' / '2.5 MSEK'."""
    unit = "Mkr" if lang == "sv" else "MSEK"

    def f(v: float, _pos: int) -> str:
        m = v / 1e6
        decimals = 0 if float(round(m, 6)).is_integer() else 1
        return f"{number(m, decimals, lang)} {unit}"

    return FuncFormatter(f)


def plain_axis(lang: str, decimals: int = 0, suffix: str = "") -> FuncFormatter:
    return FuncFormatter(lambda v, _p: f"{number(v, decimals, lang)}{suffix}")


def percent_axis(lang: str) -> FuncFormatter:
    return FuncFormatter(lambda v, _p: f"{number(v * 100, 0, lang)} %")


def to_png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _styled(fn: Callable[..., bytes]) -> Callable[..., bytes]:
    def wrapper(*args, **kwargs) -> bytes:
        with plt.rc_context(STYLE):
            return fn(*args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


# ---------------------------------------------------------------- where participants go


@_styled
def flows_plot(programmes: list[Programme], lang: str = "sv") -> bytes:
    """Stacked bars: from intake through each intervention to the exit states (mean per run)."""
    tables = [flow_table(p) for p in programmes]
    heights = [1.2 + 0.55 * (t["from"].nunique()) for t in tables]
    fig, axes = plt.subplots(len(programmes), 1, figsize=(9.5, sum(heights) + 0.8),
                             squeeze=False, gridspec_kw={"height_ratios": heights})
    for ax, p, t in zip(axes[:, 0], programmes, tables, strict=True):
        sc = p.scenario
        order = ["(intake)", *[n for n in sc.names if n in set(t["from"])], "(all)"]
        colours: dict[str, str] = {}
        for i, name in enumerate(sc.names):
            colours[name] = INTERVENTION_COLOURS[i % len(INTERVENTION_COLOURS)]
        seen: dict[str, int] = {}
        for name, ex in sc.exit_states.items():
            base = CATEGORY_COLOURS.get(ex.category, "#999999")
            k = seen.get(ex.category, 0)
            seen[ex.category] = k + 1
            colours[name] = _shade(base, k)
        colours["(open)"] = OPEN_COLOUR
        dests = [*sc.names, *sc.exit_states, "(open)"]
        used = [d for d in dests if d in set(t["to"])]
        y = np.arange(len(order))[::-1]
        max_total = max(float(t.groupby("from")["count"].sum().max()), 1e-9)
        for yi, src in zip(y, order, strict=True):
            rows = t[t["from"] == src].set_index("to")["count"]
            total = float(rows.sum())
            left = 0.0
            for d in used:
                if d not in rows.index:
                    continue
                w = float(rows[d])
                ax.barh(yi, w, left=left, color=colours[d], edgecolor="white", linewidth=1.0,
                        height=0.62)
                if total > 0 and w / total >= 0.09:
                    dark = d in sc.exit_states and sc.exit_states[d].category != "other"
                    pct = f"{number(100 * w / total, 0, lang)} %"
                    name = place_label(p, d, lang)
                    wide = w / max_total >= 0.05 + 0.012 * (len(name) + len(pct))
                    ax.text(left + w / 2, yi, f"{name} {pct}" if wide else pct,
                            ha="center", va="center", fontsize=8.5,
                            color="white" if dark else INK)
                left += w
            ax.text(left, yi, f"  {number(total, 0, lang)}", va="center", fontsize=9, color=INK)
        ax.set_yticks(y, [place_label(p, s, lang) for s in order])
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(_t(lang, "deltagare per körning (medel)", "participants per run (mean)"))
        ax.xaxis.set_major_formatter(plain_axis(lang))
        ax.set_xlim(0, ax.get_xlim()[1] * 1.08)
        if len(programmes) > 1:
            ax.set_title(p.title, loc="left")
        handles = [plt.Rectangle((0, 0), 1, 1, color=colours[d]) for d in used]
        names = [("→ " + place_label(p, d, lang)) for d in used]
        ax.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.28 / max(
            1, len(order) / 3)), ncol=min(4, len(used)), fontsize=8.5)
    fig.tight_layout()
    return to_png(fig)


def _shade(colour: str, k: int) -> str:
    """A lighter shade of a hex colour for the k-th exit state of the same category."""
    if k == 0:
        return colour
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    f = min(0.6, 0.28 * k)
    rgb = [round(c + (255 - c) * f) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in rgb)


# ---------------------------------------------------------------- cost against benefit over time


@_styled
def cumulative_plot(programmes: list[Programme], lang: str = "sv") -> bytes:
    """Cumulative discounted cost against cumulative discounted benefit, payback marked."""
    n = len(programmes)
    fig, axes = plt.subplots(1, n, figsize=(9.5 if n == 1 else 5.2 * n, 4.4), squeeze=False,
                             sharey=True)
    for ax, p in zip(axes[0], programmes, strict=True):
        cum = cumulative(p)
        horizon = p.scenario.valuation.horizon_years * 12
        cum = cum[cum["month"] <= max(horizon, 12) + 12]
        x = cum["month"].to_numpy()
        ax.fill_between(x, cum["benefit_lo"], cum["benefit_hi"], color=BENEFIT_COLOUR, alpha=0.15,
                        linewidth=0)
        ax.fill_between(x, cum["cost_lo"], cum["cost_hi"], color=COST_COLOUR, alpha=0.12,
                        linewidth=0)
        ax.plot(x, cum["benefit"], color=BENEFIT_COLOUR, linewidth=2.2,
                label=_t(lang, "Samhällsintäkt (nuvärde), ackumulerad",
                         "Societal revenue (present value), cumulative"))
        ax.plot(x, cum["cost"], color=COST_COLOUR, linewidth=2.2,
                label=_t(lang, "Kostnad (nuvärde), ackumulerad", "Cost (present value), cumulative"))
        pb = payback_month(cum)
        if not math.isnan(pb):
            yv = float(cum.loc[cum["month"] == pb, "cost"].iloc[0])
            ax.plot([pb], [yv], "o", color=INK, markersize=7, zorder=5)
            ax.annotate(_t(lang, f"Återbetald efter {number(pb, 0, lang)} mån",
                           f"Paid back after {number(pb, 0, lang)} months"),
                        (pb, yv), xytext=(14, 34), textcoords="offset points", fontsize=9,
                        bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "#BBBBBB",
                              "lw": 0.6},
                        arrowprops={"arrowstyle": "-", "color": INK, "lw": 0.8})
        else:
            ax.text(0.02, 0.95, _t(lang, "Ingen återbetalning inom horisonten",
                                   "No payback within the horizon"),
                    transform=ax.transAxes, fontsize=9, va="top")
        ax.axvline(horizon, color="#999999", linestyle=":", linewidth=1)
        ax.text(horizon, ax.get_ylim()[1] * 0.02, _t(lang, " horisont", " horizon"), fontsize=8,
                color="#666666", rotation=90, va="bottom", ha="right")
        ax.yaxis.set_major_formatter(money_axis(lang))
        span = float(x.max()) if len(x) else 12.0
        ax.xaxis.set_major_locator(MultipleLocator(12 if span > 36 else 6 if span > 12 else 1))
        ax.set_xlabel(_t(lang, "månader från programstart", "months from programme start"))
        ax.set_xlim(0, x.max() if len(x) else 1)
        ax.set_ylim(bottom=0)
        if n > 1:
            ax.set_title(p.title, loc="left")
    axes[0][0].legend(loc="upper left", fontsize=9)
    fig.tight_layout()
    return to_png(fig)


# ---------------------------------------------------------------- who pays, who gains


@_styled
def ledger_plot(programmes: list[Programme], lang: str = "sv") -> bytes:
    """Per actor: cost, societal revenue and transfers (present value), net marked."""
    tables = [actor_table(p) for p in programmes]
    n = len(programmes)
    rows = max(len(t) for t in tables) if tables else 1
    fig, axes = plt.subplots(1, n, figsize=(9.5 if n == 1 else 5.2 * n, 1.2 + 0.62 * rows),
                             squeeze=False, sharex=True)
    for ax, p, t in zip(axes[0], programmes, tables, strict=True):
        y = np.arange(len(t))[::-1]
        h = 0.26
        ax.barh(y + h, -t["cost_pv"], height=h, color=COST_COLOUR,
                label=_t(lang, "kostnad", "cost"))
        ax.barh(y, t["benefit_pv"], height=h, color=BENEFIT_COLOUR,
                label=_t(lang, "samhällsintäkt", "societal revenue"))
        ax.barh(y - h, t["transfers_pv"], height=h, color=TRANSFER_COLOUR,
                label=_t(lang, "transfereringar", "transfers"))
        ax.scatter(t["net_pv"], y, marker="D", s=46, color=INK, zorder=5,
                   label=_t(lang, "netto", "net"))
        ax.axvline(0, color="#555555", linewidth=0.9)
        ax.set_yticks(y, [actor_label(a, lang) for a in t["actor"]])
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(money_axis(lang))
        ax.set_xlabel(_t(lang, "nuvärde över horisonten, medel över körningar",
                         "present value over the horizon, mean over runs"))
        if n > 1:
            ax.set_title(p.title, loc="left")
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=9,
               bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.08 if len(tables[0]) > 2 else 0.14, 1, 1))
    return to_png(fig)


def has_groups(programmes: list[Programme]) -> bool:
    """True when some programme splits its participants into more than one sex × born group."""
    return any(p.result.run.participants["group"].nunique() > 1 for p in programmes)


# ---------------------------------------------------------------- spread over runs


@_styled
def npv_plot(programmes: list[Programme], lang: str = "sv") -> bytes:
    """Histogram of the net present value over runs, with zero and each programme's mean."""
    fig, axes = plt.subplots(1, 1, figsize=(9.5, 3.8), squeeze=False)
    ax = axes[0][0]
    values = [p.result.priced.metrics["npv"].to_numpy(dtype=float) for p in programmes]
    allv = np.concatenate(values) if values else np.array([0.0])
    allv = allv[~np.isnan(allv)]
    lo, hi = (float(allv.min()), float(allv.max())) if allv.size else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 1.0, hi + 1.0
    bins = np.linspace(lo, hi, 31)
    for i, (p, v) in enumerate(zip(programmes, values, strict=True)):
        c = PROGRAMME_COLOURS[i % len(PROGRAMME_COLOURS)]
        ax.hist(v, bins=bins, color=c, alpha=0.55 if len(programmes) > 1 else 0.8,
                edgecolor="white", linewidth=0.6, label=p.title)
        ax.axvline(float(np.nanmean(v)), color=c, linewidth=2, linestyle="--")
    ax.axvline(0, color=COST_COLOUR, linewidth=1.4)
    ax.text(0, ax.get_ylim()[1] * 0.97, _t(lang, " noll: lönar sig inte till vänster ",
                                           " zero: does not pay back to the left "),
            color=COST_COLOUR, fontsize=8.5, va="top",
            ha="left" if (lo + hi) / 2 >= 0 else "right")
    ax.xaxis.set_major_formatter(money_axis(lang))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_t(lang, "nettonuvärde per körning (streckat: medel)",
                     "net present value per run (dashed: mean)"))
    ax.set_ylabel(_t(lang, "antal körningar", "runs"))
    if len(programmes) > 1:
        ax.legend(fontsize=9)
    fig.tight_layout()
    return to_png(fig)


# ---------------------------------------------------------------- ESF break-even


@_styled
def breakeven_plot(programmes: list[Programme], lang: str = "sv") -> bytes:
    """Exits to work against NPV per run, with the number of exits needed to break even."""
    fig, axes = plt.subplots(1, 1, figsize=(9.5, 3.9), squeeze=False)
    ax = axes[0][0]
    for i, p in enumerate(programmes):
        c = PROGRAMME_COLOURS[i % len(PROGRAMME_COLOURS)]
        m = p.result.priced.metrics
        ax.scatter(m["exits_work"], m["npv"], s=18, color=c, alpha=0.7, label=p.title,
                   edgecolor="none")
        row = esf_table(p).set_index("view").loc[horizon_view(p.scenario)]
        if not math.isnan(row["needed"]):
            ax.axvline(row["needed"], color=c, linestyle="--", linewidth=1.5)
            need = number(math.ceil(row["needed"]), 0, lang)
            ax.text(row["needed"], 0.98 - 0.08 * i, _t(lang, f" krävs: {need}", f" needed: {need}"),
                    transform=ax.get_xaxis_transform(), color=c, fontsize=9, va="top")
    ax.axhline(0, color="#555555", linewidth=0.9)
    most = max(float(p.result.priced.metrics["participants"].max()) for p in programmes)
    ax.set_xlim(0, max(most, 1.0))
    ax.yaxis.set_major_formatter(money_axis(lang))
    ax.xaxis.set_major_formatter(plain_axis(lang))
    ax.set_xlabel(_t(lang, "avslut till arbete per körning", "exits to work per run"))
    ax.set_ylabel(_t(lang, "nettonuvärde", "net present value"))
    if len(programmes) > 1:
        ax.legend(fontsize=9, loc="lower right")
    fig.tight_layout()
    return to_png(fig)


# ---------------------------------------------------------------- equity


@_styled
def equity_plot(programmes: list[Programme], lang: str = "sv") -> bytes:
    """Share to work and months in the programme by sex × born, with 95 % intervals."""
    tables = [equity_table(p) for p in programmes]
    groups: list[str] = []
    for t in tables:
        for g in t["group"]:
            if g not in groups:
                groups.append(g)
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 1.4 + 0.5 * len(groups) * max(
        1, len(programmes) * 0.7)), squeeze=False, sharey=True)
    y = np.arange(len(groups))[::-1].astype(float)
    k = len(programmes)
    h = 0.7 / k
    for i, (p, t) in enumerate(zip(programmes, tables, strict=True)):
        c = PROGRAMME_COLOURS[i % len(PROGRAMME_COLOURS)]
        t = t.set_index("group").reindex(groups)
        off = y + (k - 1) * h / 2 - i * h
        for ax, col in ((axes[0][0], "share_work"), (axes[0][1], "months_in_programme")):
            mean = t[col].to_numpy(dtype=float)
            err = np.vstack([mean - t[f"{col}_lo"].to_numpy(dtype=float),
                             t[f"{col}_hi"].to_numpy(dtype=float) - mean])
            err = np.where(np.isnan(err), 0, np.clip(err, 0, None))
            edges = [(INK if g == "(all)" else c) for g in groups]
            ax.barh(off, mean, height=h * 0.9, color=c, edgecolor=edges, linewidth=1.2,
                    label=p.title if col == "share_work" else None)
            ax.errorbar(mean, off, xerr=err, fmt="none", ecolor=INK, elinewidth=1, capsize=2.5)
    axes[0][0].set_yticks(y, [group_label(g, lang) for g in groups])
    axes[0][0].xaxis.set_major_formatter(percent_axis(lang))
    axes[0][0].set_xlabel(_t(lang, "andel till arbete", "share to work"))
    axes[0][1].xaxis.set_major_formatter(plain_axis(lang, 0))
    axes[0][1].set_xlabel(_t(lang, "månader i programmet (medel)", "months in programme (mean)"))
    for ax in axes[0]:
        ax.grid(axis="y", visible=False)
    if len(programmes) > 1:
        fig.legend(*axes[0][0].get_legend_handles_labels(), loc="upper center", ncol=len(programmes),
                   fontsize=9, bbox_to_anchor=(0.5, 1.0))
        fig.tight_layout(rect=(0, 0, 1, 0.92))
    else:
        fig.tight_layout()
    return to_png(fig)


PLOTS: dict[str, Callable[[list[Programme], str], bytes]] = {
    "flows": flows_plot,
    "cumulative": cumulative_plot,
    "ledger": ledger_plot,
    "npv": npv_plot,
    "breakeven": breakeven_plot,
    "equity": equity_plot,
}
