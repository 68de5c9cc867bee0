"""One value per figure: the parameter-uncertainty table and the table at base values, checked
against each other.

The PSA table gives each figure's mean over draws of what we know about the inputs; the cohort
table gives it with every input at its base value. When the base values sit inside what we know
(e.g. the middle of a calibration's posterior) the two agree up to the PSA's own spread. Where a
headline figure's two values are further apart than half the PSA's 95 % interval (or, for a
figure the declared uncertainty does not move, three standard errors of the simulated base-value
mean: the cohort table is itself an estimate from a finite number of runs), the output says so
with both values: the reader never meets two unexplained values for one label.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.report.text import in_lang, metric_label, with_unit

if TYPE_CHECKING:
    from model.api import ScenarioResult
    from model.psa import PSAResult

BASE_SE = 3.0   # standard errors of the simulated base-value mean: the least gap that is noted


@dataclass(frozen=True)
class Disagreement:
    """A headline figure whose mean over draws and value at base values are far apart."""

    programme: str
    title: str
    metric: str
    unit: str
    psa_mean: float
    base: float
    half_width: float      # half the 95 % interval over draws
    allowed: float         # max(half_width, BASE_SE standard errors of the base-value mean)


def _base_se(r: ScenarioResult, metric: str) -> float:
    m = r.priced.metrics
    if metric not in m or len(m) < 2:
        return 0.0
    v = m[metric].to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    return float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else 0.0


def disagreements(results: list[ScenarioResult], psa: PSAResult | None) -> list[Disagreement]:
    """Every headline figure (the PSA table's) whose two values differ by more than allowed."""
    if psa is None:
        return []
    from model.report.psa_view import psa_metrics, summaries

    scs = [r.scenario for r in results]
    sums = summaries(psa, scs)
    out = []
    for r in results:
        s = sums[r.scenario.name].set_index("metric")
        base = r.economics.set_index("metric")
        for k in psa_metrics(r.scenario):
            if k not in s.index or k not in base.index:
                continue
            mean, lo, hi = (float(s.loc[k, c]) for c in ("mean", "lo", "hi"))
            b = float(base.loc[k, "mean"])
            if not all(map(math.isfinite, (mean, lo, hi, b))):
                continue
            half = (hi - lo) / 2.0
            allowed = max(half, BASE_SE * _base_se(r, k))
            if abs(mean - b) > allowed:
                out.append(Disagreement(r.scenario.name, r.scenario.title, k, str(s.loc[k, "unit"]),
                                        mean, b, half, allowed))
    return out


def note(d: Disagreement, lang: str = "sv") -> str:
    """The sentence that names the figure and both its values, and why they differ."""
    label = metric_label(d.metric, lang)
    dec = 2 if d.unit == "ratio" else None
    psa, base = with_unit(d.psa_mean, d.unit, lang, dec), with_unit(d.base, d.unit, lang, dec)
    half = with_unit(d.half_width, d.unit, lang, dec)
    return in_lang(
        lang,
        f"Obs: {label} för {d.title} är {psa} i medel över dragningarna men {base} vid "
        f"basvärden, längre isär än halva 95 %-intervallet över dragningarna ({half}): "
        "basvärdena ligger inte mitt i det vi vet om indata (till exempel en kalibrering vars "
        "posterior inte omfattar dem). Parameterosäkerheten är svaret; tabellen vid basvärden "
        "visar en enskild kohorts slumpvariation.",
        f"Note: {label} of {d.title} is {psa} on average over the draws but {base} at base "
        f"values, further apart than half the 95 % interval over draws ({half}): the base values "
        "do not sit in the middle of what we know about the inputs (for instance a calibration "
        "whose posterior does not cover them). The parameter uncertainty is the answer; the table "
        "at base values shows the chance variation of one cohort.")


def notes(results: list[ScenarioResult], psa: PSAResult | None, lang: str = "sv") -> list[str]:
    return [note(d, lang) for d in disagreements(results, psa)]


def base_values_caption(results: list[ScenarioResult], psa: PSAResult | None,
                        lang: str = "sv") -> str | None:
    """Under a key-figure table at base values, below a verdict over draws: what the table shows
    and why its net present value is not the verdict's (None without declared uncertainty)."""
    if psa is None:
        return None
    from model.economics.figures import headline
    from model.report.psa_view import draws_text, summaries
    from model.report.text import kr

    sums = summaries(psa, [r.scenario for r in results])
    key = headline(results[0].scenario)
    pairs = []
    for r in results:
        s, base = sums[r.scenario.name].set_index("metric"), r.economics.set_index("metric")
        if key not in s.index or "npv" not in base.index:
            continue
        over, at = kr(float(s.loc[key, "mean"]), lang), kr(float(base.loc["npv", "mean"]), lang)
        pairs.append(in_lang(lang, f"{r.scenario.title} {over} i omdömet, {at} här",
                             f"{r.scenario.title} {over} in the verdict, {at} here"))
    runs = results[0].run.replications
    draws = draws_text(psa, lang)
    lead = in_lang(lang, " (nettonuvärdet: ", " (the net present value: ")
    npv = lead + "; ".join(pairs) + ")" if pairs else ""
    return in_lang(
        lang,
        f"Tabellen visar figurerna vid basvärden: medel över {runs} simulerade kohorter med varje "
        "antagande vid sitt basvärde (inom parentes 95 % av kohorterna). Omdömet ovan är medel över "
        f"{draws} ur det vi vet om antagandena, så dess värden skiljer sig från tabellens{npv}. "
        "De skiljer sig eftersom modellens utfall inte är linjärt i antagandena, basvärdena inte "
        "behöver vara medelvärdena av antagandenas fördelningar och tabellens medel bär slumpens spridning "
        "över ett ändligt antal kohorter. Omdömet över dragningarna är svaret.",
        f"The table shows the figures at base values: the mean over {runs} simulated cohorts with "
        "every assumption at its base value (in brackets 95 % of the cohorts). The verdict above "
        f"is the mean over {draws} of what we know about the assumptions, so its values differ "
        f"from the table's{npv}. They differ because the model's outcomes are not linear in the "
        "assumptions, the base values need not be the means of the assumptions' distributions, and the "
        "table's mean carries the chance spread of a finite number of cohorts. The verdict over "
        "draws is the answer.")
