"""Where participants go: intake, each intervention and the exit states (table and stacked bars)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from model.report.page import Page, html_table
from model.report.plots import (
    CATEGORY_COLOURS,
    INK,
    INTERVENTION_COLOURS,
    OPEN_COLOUR,
    plain_axis,
    styled,
    to_png,
)
from model.report.programme import Programme
from model.report.tables import exit_rows
from model.report.text import in_lang as _t
from model.report.text import label, number

KEY = "flows"
TITLE = ("Var deltagarna tar vägen", "Where participants go")

def flow_table(p: Programme) -> pd.DataFrame:
    """Mean number per run moving from each place to the next (intake, interventions, exits).

    Columns: from, to, kind ('intervention', 'exit' or 'open'), category (exit category), count.
    `from` is '(intake)' for arrivals, an intervention name, or '(all)' for the final outcome.
    """
    run = p.result.run
    sc = run.scenario
    reps = max(run.replications, 1)
    v = run.visits
    rows = []
    first = v[v["visit"] == 0].groupby("intervention").size()
    for name in sc.names:
        if name in first.index:
            rows.append(("(intake)", name, "intervention", "", first[name] / reps))
    for name in sc.names:
        g = v[v["intervention"] == name]
        open_ = g["next"].isna()
        for dest, n in g.loc[~open_, "next"].value_counts(sort=False).items():
            kind = "exit" if dest in sc.exit_states else "intervention"
            cat = sc.exit_states[dest].category if dest in sc.exit_states else ""
            rows.append((name, dest, kind, cat, n / reps))
        if open_.any():
            rows.append((name, "(open)", "open", "", open_.sum() / reps))
    people = run.participants
    ends = people["exit_state"].fillna("(open)").value_counts(sort=False)
    for dest in [*sc.exit_states, "(open)"]:
        if dest in ends.index:
            kind = "open" if dest == "(open)" else "exit"
            cat = sc.exit_states[dest].category if dest in sc.exit_states else ""
            rows.append(("(all)", dest, kind, cat, ends[dest] / reps))
    return pd.DataFrame(rows, columns=["from", "to", "kind", "category", "count"])


def place_label(p: Programme, name: str, lang: str = "sv") -> str:
    sc = p.scenario
    if name == "(intake)":
        return "Intag" if lang == "sv" else "Intake"
    if name == "(all)":
        return "Slutligt utfall" if lang == "sv" else "Final outcome"
    if name == "(open)":
        return label("still", lang).strip("()")
    if name in sc.exit_states:
        return sc.exit_states[name].label or name
    return sc.intervention(name).title


@styled
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


def _exits(p: Programme, lang: str) -> str:
    rows, heads = exit_rows(p.result.outcomes["exits"], lang)
    return html_table(heads, rows, numeric={2, 3, 4})


PLOTS = {"flows": flows_plot}


def html(page: Page) -> str:
    return page.plot(
        "flows", flows_plot,
        page.t("Flöden från intag genom insatserna till avslut",
               "Flows from intake through the interventions to exits"),
        page.t("Varje stapel visar vart deltagarna går efter ett steg (medel per körning); "
               "den nedersta visar slutligt utfall.",
               "Each bar shows where participants go after a step (mean per run); the bottom bar "
               "shows the final outcome.")) + page.each(_exits)
