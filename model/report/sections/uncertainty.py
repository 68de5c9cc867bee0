"""How sure we are: the parameter-uncertainty answer (mean, 95 % interval over draws and MCSE
of each figure, P(NPV > 0) and P(A beats B) with their MCSE and what they mean), the ranking
of three or more programmes, and the value of information (EVPPI bar chart). Shown when the
scenarios declare uncertainty and the report was not made with --no-uncertainty."""

from __future__ import annotations

from typing import Any

from model.answer import Answer
from model.report.page import Page, esc, html_table
from model.report.programme import Programme
from model.report.psa_view import (
    _span,
    cohort_heading,
    method_line,
    probability_text,
    psa_metrics,
    summaries,
)
from model.report.text import in_lang, metric_label, number, with_unit
from model.report.voi_view import _name, answer_voi, meaning, voi_plot

KEY = "uncertainty"
TITLE = ("Hur säkra är vi: parameterosäkerhet", "How sure are we: parameter uncertainty")


def _answer(programmes: list[Programme]) -> Answer | None:
    psa = programmes[0].psa
    return None if psa is None else Answer([p.result for p in programmes], psa)


def voi_chart(programmes: list[Programme], lang: str = "sv") -> bytes:
    """EVPPI per parameter and group, scaled to the future participants."""
    return voi_plot(answer_voi(_answer(programmes)), lang)


PLOTS = {"voi": voi_chart}


def _mcse(row, lang: str) -> str:
    """A figure's MCSE in its own unit: a share's in percentage points (not "0,00" for 0,04
    points), an amount in kronor, a ratio with two decimals."""
    m, unit = float(row["mcse"]), row["unit"]
    if unit == "share":
        return f"{number(m * 100, 2, lang)} {in_lang(lang, 'p.e.', 'pts')}"
    if unit == "ratio":
        return number(m, 2, lang)
    return with_unit(m, unit, lang, 2 if abs(m) < 10 else 0)


def html(page: Page) -> str | None:
    ans = _answer(page.programmes)
    if ans is None:
        return None
    lang, scs = page.lang, ans.scenarios
    sums = {k: v.set_index("metric") for k, v in summaries(ans.psa, scs).items()}
    keys = [k for k in psa_metrics(scs[0]) if all(k in s.index for s in sums.values())]
    rows = [[metric_label(k, lang), *(
        f"{_span(sums[sc.name].loc[k], lang)} (MCSE {_mcse(sums[sc.name].loc[k], lang)})"
        for sc in scs)] for k in keys]
    parts = [f"<p>{esc(method_line(ans.psa, scs, lang))}</p>",
             html_table([page.t("Mått", "Metric"), *(sc.title for sc in scs)], rows)]
    parts += [f"<p>{esc(line)}</p>" for line in probability_text(ans.psa, scs, lang).splitlines()]
    if len(scs) >= 3:
        from model.report.decision_view import decision_text

        parts.append(f"<pre>{esc(decision_text(ans, lang))}</pre>")
    voi = answer_voi(ans)
    parts.append(page.plot("voi", voi_chart, page.t("Informationsvärde per parameter",
                                                   "Value of information per parameter"),
                           meaning(voi, lang)))
    vrows = [[_name(r.parameter, r.kind, lang), number(r.evppi, 0, lang),
              number(voi.scaled(r.evppi), 0, lang)] for r in voi.table.itertuples()]
    pop = number(voi.population, 0, lang)
    parts.append(html_table(
        [page.t("EVPPI för", "EVPPI of"), page.t("Per beslut (kr)", "Per decision (SEK)"),
         page.t(f"För {pop} deltagare (kr)", f"For {pop} participants (SEK)")],
        [[page.t("Alla (EVPI)", "All (EVPI)"), number(voi.evpi, 0, lang),
          number(voi.scaled(voi.evpi), 0, lang)], *vrows]))
    parts.append(f"<p>{esc(cohort_heading(ans, lang))}</p>")
    return "".join(parts)


def workbook_frames(programmes: list[Programme], lang: str = "sv"
                    ) -> tuple[dict[str, Any], list[str]]:
    """The workbook's uncertainty sheets (figures and probabilities over draws, with the ranking
    for three or more programmes; the value of information) and the sentences saying what they
    mean (for the About sheet); empty without a PSA."""
    import pandas as pd

    from model.report.psa_view import psa_rows
    from model.report.voi_view import voi_rows

    ans = _answer(programmes)
    if ans is None:
        return {}, []
    frames = [psa_rows(ans)]
    if len(ans.scenarios) >= 3:
        from model.report.decision_view import decision_rows

        frames.append(decision_rows(ans))
    voi = answer_voi(ans)
    sentences = [*probability_text(ans.psa, ans.scenarios, lang).splitlines()[-1:],
                 meaning(voi, lang), cohort_heading(ans, lang)]
    return {"uncertainty": pd.concat(frames, ignore_index=True), "voi": voi_rows(voi)}, sentences
