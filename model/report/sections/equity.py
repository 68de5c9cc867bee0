"""Equality and equal treatment (ESF horizontal principles): participants, resources and outcomes by
sex × born, with each group's gap to all participants."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from model.report.page import Page, esc, html_table
from model.report.plots import INK, PROGRAMME_COLOURS, percent_axis, plain_axis, styled, to_png
from model.report.programme import Programme
from model.report.text import fmt_span, label, number, run_count, with_unit, word
from model.report.text import in_lang as _t
from model.results import interval

KEY = "equity"
TITLE = ("Jämställdhet och likabehandling", "Equality and equal treatment")

def equity_table(p: Programme) -> pd.DataFrame:
    """Participants, resources (months in the programme) and outcomes by sex × born, with gaps.

    One row per group, plus a first row for all participants. Means are over runs (and the 95 %
    interval over runs where given); gaps are the group's figure minus all participants', paired
    by run. Columns: programme, group, sex, born, participants, share_of_participants,
    share_of_months, months_in_programme (+ _lo, _hi), gap_months, months_waiting, share_work
    (+ _lo, _hi), gap_share_work, share_work_or_studies, gap_share_work_or_studies.
    """
    people = p.result.run.participants
    reps = pd.Index(range(p.result.run.replications), name="rep")
    d = people.assign(work=(people["exit_category"] == "work").astype(float),
                      work_or_studies=people["exit_category"].isin(["work", "studies"]).astype(float))

    def per_rep(frame: pd.DataFrame) -> pd.DataFrame:
        g = frame.groupby("rep")
        return pd.DataFrame({
            "n": g.size(), "months_sum": g["months_in_programme"].sum(),
            "months": g["months_in_programme"].mean(), "waiting": g["months_waiting"].mean(),
            "work": g["work"].mean(), "work_or_studies": g["work_or_studies"].mean(),
        }).reindex(reps)

    overall = per_rep(d)
    rows = []
    groups = [("(all)", None)] + [(grp, frame) for grp, frame in d.groupby("group", sort=True)]
    for grp, frame in groups:
        r = overall if frame is None else per_rep(frame)
        n = r["n"].fillna(0)
        months = interval(r["months"])
        work = interval(r["work"])
        first = (d if frame is None else frame).iloc[0]
        rows.append({
            "programme": p.name, "group": grp,
            "sex": "" if frame is None else first["sex"],
            "born": "" if frame is None else first["born"],
            "participants": float(n.mean()),
            "share_of_participants": float((n / overall["n"]).mean()),
            "share_of_months": float((r["months_sum"].fillna(0) / overall["months_sum"]).mean()),
            "months_in_programme": months[0], "months_in_programme_lo": months[1],
            "months_in_programme_hi": months[2],
            "gap_months": float((r["months"] - overall["months"]).mean()),
            "months_waiting": float(r["waiting"].mean()),
            "share_work": work[0], "share_work_lo": work[1], "share_work_hi": work[2],
            "gap_share_work": float((r["work"] - overall["work"]).mean()),
            "share_work_or_studies": float(r["work_or_studies"].mean()),
            "gap_share_work_or_studies": float(
                (r["work_or_studies"] - overall["work_or_studies"]).mean()),
        })
    return pd.DataFrame(rows)


def group_label(group: str, lang: str = "sv") -> str:
    return word("all", lang) if group == "(all)" else group


def equity_sentence(p: Programme, lang: str = "sv") -> str:
    """The largest gap in the share to work between groups, or a note that there is one group."""
    t = equity_table(p)
    g = t[t["group"] != "(all)"].dropna(subset=["share_work"])
    if len(g) < 2:
        if lang == "sv":
            return ("Scenariot delar inte upp deltagarna efter kön och födelseland "
                    "(population.sex och population.born), så skillnader mellan grupper kan inte visas.")
        return ("The scenario does not split participants by sex and country of birth "
                "(population.sex and population.born), so gaps between groups cannot be shown.")
    hi = g.loc[g["share_work"].idxmax()]
    lo = g.loc[g["share_work"].idxmin()]
    pts = number((hi["share_work"] - lo["share_work"]) * 100, 1, lang)
    reps = p.result.run.replications
    if lang == "sv":
        return (f"Störst andel till arbete har {hi['group']} "
                f"({with_unit(hi['share_work'], 'share', lang)}), minst {lo['group']} "
                f"({with_unit(lo['share_work'], 'share', lang)}): en skillnad på {pts} "
                f"procentenheter i medel över {run_count(reps)}. Grupperna skiljer sig i grunden bara "
                "där scenariot antar det (population.overrides, counterfactual.by_group); "
                "skillnader som ryms inom 95 %-intervallen kan vara slump.")
    return (f"{hi['group']} has the highest share to work "
            f"({with_unit(hi['share_work'], 'share', lang)}), {lo['group']} the lowest "
            f"({with_unit(lo['share_work'], 'share', lang)}): a gap of {pts} percentage points, "
            f"mean over {reps} runs. Groups differ at heart only where the scenario assumes it "
            "(population.overrides, counterfactual.by_group); gaps within the 95 % intervals may "
            "be chance.")


def has_groups(programmes: list[Programme]) -> bool:
    """True when some programme splits its participants into more than one sex × born group."""
    return any(p.result.run.participants["group"].nunique() > 1 for p in programmes)


@styled
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


def _equity(p: Programme, lang: str) -> str:
    t = equity_table(p)
    if len(t) <= 2:  # one group: it is all participants
        t = t[t["group"] == "(all)"]
    rows, classes = [], []
    for r in t.itertuples():
        is_all = r.group == "(all)"
        gap_w = "" if is_all else f"{number(r.gap_share_work * 100, 1, lang)} " + _t(
            lang, "p.e.", "pts")
        gap_m = "" if is_all else with_unit(r.gap_months, "months", lang)
        rows.append([group_label(r.group, lang), number(r.participants, 1, lang),
                     with_unit(r.share_of_months, "share", lang),
                     with_unit(r.months_in_programme, "months", lang), gap_m,
                     with_unit(r.share_work, "share", lang),
                     fmt_span(r.share_work_lo, r.share_work_hi, "share", lang), gap_w,
                     with_unit(r.share_work_or_studies, "share", lang)])
        classes.append("all" if is_all else "")
    heads = [word("group", lang), word("participants", lang), word("share_of_months", lang),
             word("months_in_programme", lang), word("gap_months", lang), word("share_work", lang),
             label("interval", lang), word("gap_share_work", lang),
             word("share_work_or_studies", lang)]
    return (f"<p>{esc(equity_sentence(p, lang))}</p>"
            + html_table(heads, rows, numeric=set(range(1, 9)), row_class=classes, cls="equity"))


PLOTS = {"equity": equity_plot}


def html(page: Page) -> str:
    out = (
        f"<p>{esc(page.t('ESF:s horisontella principer: deltagare, resurser (månader i programmet) och utfall per kön och födelseland, med skillnaden mot alla deltagare.', 'ESF horizontal principles: participants, resources (months in the programme) and outcomes by sex and country of birth, with the gap to all participants.'))}</p>"  # noqa: E501
        + page.each(_equity))
    if has_groups(page.programmes):
        out += page.plot(
            "equity", equity_plot,
            page.t("Andel till arbete och månader i programmet per grupp",
                   "Share to work and months in the programme by group"),
            page.t("Strecken visar 95 %-intervallet över körningarna.",
                   "Whiskers show the 95 % interval over runs."))
    return out
