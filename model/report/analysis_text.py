"""The printed answers of `insats sweep`, `analyse` and `threshold`, in Swedish or English.

Each takes the plain data the analysis gives (`model.analysis.analysis_data`, a `Threshold`) so
that `--format json` and the text show the same figures. Amounts carry their unit, numbers are
written out (never 1.2e+06), and years and seeds are written as they are, not as amounts.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

from model import __version__
from model.messages import translate
from model.report.text import (
    count,
    in_lang,
    metric_label,
    number,
    probability_percent,
    run_count,
    table,
    with_unit,
)

# units of parameters (from the schema) in Swedish
UNIT_SV = {"kr per person-year": "kr per personår", "kr a month": "kr i månaden",
           "kr a month per FTE": "kr i månaden per heltid", "kr a year": "kr per år",
           "per month": "per månad", "per year": "per år", "months": "mån", "years": "år",
           "people": "personer", "people per month": "personer per månad",
           "FTE": "heltidstjänster", "participants per FTE": "deltagare per heltid",
           "places": "platser", "kr per start": "kr per start",
           "kr per participant-month": "kr per deltagarmånad",
           "kr per place-month": "kr per platsmånad", "share of salary": "andel av lönen",
           "share of cost": "andel av kostnaden", "share per year": "andel per år"}


def _unit_text(unit: str, lang: str) -> str:
    return UNIT_SV.get(unit, unit) if lang == "sv" else unit


def plain(x: float, lang: str) -> str:
    """A number without a unit, written out: six significant digits at most, no exponent."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if float(x).is_integer():
        return number(x, 0, lang)
    digits = max(0, min(8, 5 - math.floor(math.log10(abs(x))))) if x else 0
    text = number(x, digits, lang)
    sep = "," if lang == "sv" else "."
    return text.rstrip("0").rstrip(sep) if sep in text else text


def param_value(x: float | None, unit: str, lang: str, show_unit: bool = True) -> str:
    """A parameter's value with its unit: shares in percent, kronor whole, rates plainly."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if unit == "share":
        return f"{plain(x * 100, lang)}" + (" %" if show_unit else "")
    text = number(x, 0, lang) if unit.startswith("kr") else plain(x, lang)
    return f"{text} {_unit_text(unit, lang)}".rstrip() if show_unit else text


def param_label(name: str, unit: str, lang: str) -> str:
    """A parameter's name with its unit, for a column of bare values: `work_share (%)`."""
    shown = "%" if unit == "share" else _unit_text(unit, lang)
    return f"{name} ({shown})" if shown else name


def metric_value(x: float | None, unit: str, lang: str) -> str:
    """A metric's value with its unit (kr whole, shares in percent, ratios with two decimals)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if unit == "ratio":
        return number(x, 2, lang)
    if unit == "":
        return plain(x, lang)
    return with_unit(x, unit, lang)


def _span(lo: float | None, hi: float | None, unit: str, lang: str) -> str:
    if lo is None or hi is None:
        return ""
    return f"{metric_value(lo, unit, lang)} – {metric_value(hi, unit, lang)}"


def analysis_text(data: dict[str, Any], lang: str = "sv") -> str:
    """The tables a person reads after a sweep, chosen by its design, with units."""
    t = lambda sv, en: in_lang(lang, sv, en)  # noqa: E731
    metric, unit = data["metric"], data["unit"]
    horizon = data.get("horizon_years")
    mlabel = metric_label(metric, lang, horizon)
    units = {p["name"]: p["unit"] for p in data.get("parameters", [])}
    lines = [t(f"Svep {data['sweep']} ({data['design']}, {data['points']} punkter × "
               f"{run_count(data['replications'])}, slumpfrö {data['seed']}, insats "
               f"{data['version']}): {data['folder']}",
               f"Sweep {data['sweep']} ({data['design']} design, {data['points']} points x "
               f"{run_count(data['replications'], 'en', 'replications')}, seed {data['seed']}, insats "
               f"{data['version']}): {data['folder']}"),
             t("Scenarier: ", "Scenarios: ") + ", ".join(
                 f"{s['name']} (hash {s['hash']})" for s in data["scenarios"])]
    lines += [t("Not: ", "Note: ") + n for n in data["notes"]]
    lines.append("")

    rows = []
    for r in data["overall"]:
        name = (t(f"P({metric} > 0)", f"P({metric} > 0)") if r["metric"].startswith("P(")
                else metric_label(r["metric"], lang, horizon))
        value = (probability_percent(r["mean"], lang) if r["metric"].startswith("P(")
                 else metric_value(r["mean"], r["unit"], lang))
        span = _span(r["lo"], r["hi"], r["unit"], lang)
        if r.get("reason"):  # a break-even beyond reach: words, never a number (model.report.reach)
            from model.report import reach

            words = reach.unreachable_text(r["metric"], lang)
            value = words if r["mean"] is None else value
            span = words if r["lo"] is None else f"{span} ({reach.clip_text(lang)})"
        rows.append([r["scenario"], name, value, span])
    lines += [t("Över alla punkter, varje punkt som sitt medel över körningarna (medel, "
                "95 %-intervall):",
                "Over all points, each point as its mean over the replications (mean, "
                "95 % interval):"),
              table(rows, [t("scenario", "scenario"), t("mått", "metric"), t("medel", "mean"),
                           t("95 %-intervall", "95 % interval")]), ""]

    for pb in data["pairs"]:
        p = "–" if pb["p"] is None else probability_percent(pb["p"], lang)
        rows_drawn = pb.get("distinct_rows")  # a joint group resampled: what the points are worth
        eff = "" if rows_drawn is None else t(
            f"; {number(rows_drawn, 0, lang)} olika kalibrerade rader, effektivt ≈ "
            f"{number(pb['effective_draws'], 0, lang)}",
            f"; {number(rows_drawn, 0, lang)} distinct calibrated rows, effectively ≈ "
            f"{number(pb['effective_draws'], 0, lang)}")
        lines.append(t(
            f"P({metric} {pb['a']} > {pb['b']}) = {p} (parvis per punkt, medel över körningarna, n = "
            f"{pb['pairs']}{eff}); skillnad i medel {metric_value(pb['mean_diff'], unit, lang)} "
            f"[{_span(pb['lo'], pb['hi'], unit, lang)}]",
            f"P({metric} {pb['a']} > {pb['b']}) = {p} (paired by point, means over replications, n = "
            f"{pb['pairs']}{eff}); mean difference {metric_value(pb['mean_diff'], unit, lang)} "
            f"[{_span(pb['lo'], pb['hi'], unit, lang)}]"))
    if data["pairs"]:
        lines.append("")

    for s, tor in data.get("tornado", {}).items():
        rows = [[r["rank"], param_label(r["parameter"], units.get(r["parameter"], ""), lang),
                 *(param_value(r[k], units.get(r["parameter"], ""), lang, show_unit=False)
                   for k in ("low", "base", "high")),
                 metric_value(r["at_low"], unit, lang), metric_value(r["at_high"], unit, lang),
                 metric_value(r["swing"], unit, lang)] for r in tor["rows"]]
        lines += [t(f"Tornado, {s}: {mlabel} vid basvärdena "
                    f"{metric_value(tor['base_value'], unit, lang)} (medel över körningar; en "
                    "parameter i taget på sitt låga och höga värde, övriga på basvärdet)",
                    f"Tornado, {s}: {mlabel} at base {metric_value(tor['base_value'], unit, lang)} "
                    "(mean over replications; each parameter at low/high, the rest at base)"),
                  table(rows, ["#", t("parameter", "parameter"), t("låg", "low"), t("bas", "base"),
                               t("hög", "high"), t("vid låg", "at low"), t("vid hög", "at high"),
                               t("utslag", "swing")]), ""]
    for s, rows_s in data.get("sobol", {}).items():
        some = not all(r["applies"] for r in rows_s)
        rows = [[r["parameter"], f"{r['S1']:.3f}", f"[{r['S1_lo']:.3f}, {r['S1_hi']:.3f}]",
                 f"{r['ST']:.3f}", f"[{r['ST_lo']:.3f}, {r['ST_hi']:.3f}]"]
                + ([("" if r["applies"] else t("inte i ", "not in ") + s)] if some else [])
                for r in rows_s]
        lines += [t(f"Sobolindex, {s}: andel av variansen i {mlabel} (medel över körningar per "
                    "punkt; 95 % bootstrapintervall, SALib)",
                    f"Sobol indices, {s}: share of the variance of {mlabel} (mean over "
                    "replications per point; 95 % bootstrap intervals, SALib)"),
                  table(rows, [t("parameter", "parameter"), "S1", "S1 95 %", "ST", "ST 95 %"]
                        + ([""] if some else [])), ""]
    for s, rows_s in data.get("morris", {}).items():
        rows = [[r["parameter"], metric_value(r["mu"], unit, lang),
                 metric_value(r["mu_star"], unit, lang), metric_value(r["mu_star_conf"], unit, lang),
                 metric_value(r["sigma"], unit, lang)] for r in rows_s]
        lines += [t(f"Morris elementära effekter, {s}: ändring i {mlabel} över parameterns hela "
                    "intervall [låg, hög]",
                    f"Morris elementary effects, {s}: change in {mlabel} per full [low, high] "
                    "range of the parameter"),
                  table(rows, [t("parameter", "parameter"), "mu", "mu*", "mu* ± (95 %)", "sigma"]),
                  ""]
    if "acceptability" in data:
        ac = data["acceptability"]
        heads = [t("värde per personår", "value per person-year"),
                 *[k for k in ac[0] if k != "value_per_year"]] if ac else []
        rows = [[with_unit(r["value_per_year"], "kr", lang),
                 *[("–" if v is None else f"{number(v * 100, 1, lang)} %")
                   for k, v in r.items() if k != "value_per_year"]] for r in ac]
        lines += [t("Acceptanskurva: sannolikheten över osäkerheten, efter värdet per personår "
                    "(härledd: nettonuvärdet är linjärt i det)",
                    "Acceptability curve: probability over the uncertainty, by value per "
                    "person-year (derived: NPV is linear in it)"), table(rows, heads), ""]
    if data.get("voi"):
        from model.report.voi_view import voi_of_rows, voi_text

        lines += [voi_text(voi_of_rows(data["voi"]), lang, setting="--population"), ""]
    return "\n".join(lines).rstrip() + "\n"


def threshold_text(found: Any, lang: str = "sv") -> str:
    """Where the metric's mean reaches the target, with units, plain numbers and the bracket."""
    t = lambda sv, en: in_lang(lang, sv, en)  # noqa: E731
    m = metric_label(found.metric, lang, getattr(found, "horizon_years", None))
    at = param_value(found.value, found.unit, lang)
    lo, hi = (param_value(x, found.unit, lang) for x in (found.low, found.high))
    target = metric_value(found.target, found.metric_unit, lang)
    f_lo, f_hi = (metric_value(x, found.metric_unit, lang) for x in (found.at_low, found.at_high))
    lines = [t(f"{found.scenario}: {m} når {target} vid {found.path} = {at}",
               f"{found.scenario}: {m} reaches {target} at {found.path} = {at}"),
             t(f"  (sökintervall: vid {lo} är {m.lower()} {f_lo}, vid {hi} {f_hi}; "
               + (f"{count(found.evaluations, 'beräkning', 'beräkningar', lang)} på "
                  f"väntevärdesvägen{_exact_how(found, lang)}, ingen simulering)"
                  if found.replications == 0 else
                  f"{count(found.evaluations, 'modellkörning', 'modellkörningar', lang)} med "
                  f"{count(found.replications, 'körning', 'körningar', lang)} vardera, "
                  f"slumpfrö {found.seed}, gemensamma slumptal)"),
               f"  (bracket: at {lo} {m.lower()} is {f_lo}, at {hi} {f_hi}; "
               + (f"{count(found.evaluations, 'evaluation', 'evaluations', lang)} on the "
                  f"expected-value path{_exact_how(found, lang)}, no simulation)"
                  if found.replications == 0 else
                  f"{count(found.evaluations, 'model run', 'model runs', lang)} of "
                  f"{count(found.replications, 'replication', 'replications', lang)}, seed "
                  f"{found.seed}, common random numbers)"))]
    lines += [t("  not: ", "  note: ") + n for n in found.notes]
    return "\n".join(lines)


_FALLBACK_SV = ((r"'(.+)' is not vectorised", r"'\1' går inte att vektorisera"),
                (r"'(.+)' is a whole number", r"'\1' är ett heltal"),
                (r"^the reference search$", "referenssökningen"))


def _exact_how(found: Any, lang: str) -> str:
    """How an exact threshold search priced its candidates: in vector batches, or one at a time
    and why (`model.threshold`); nothing for a search that does not say."""
    batches, why = getattr(found, "batches", 0), getattr(found, "fallback", "")
    if batches:
        return in_lang(lang, f" i {count(batches, 'vektoriserad omgång', 'vektoriserade omgångar', lang)}",
                       f" in {count(batches, 'vector batch', 'vector batches', lang)}")
    if not why:
        return ""
    if lang == "sv":
        for pattern, sv in _FALLBACK_SV:
            why = re.sub(pattern, sv, why)
    return in_lang(lang, f", en i taget ({why})", f", one at a time ({why})")


def shown_path(path: str | Path) -> str:
    """A file as people find it: relative to the working folder when it is there or one folder up
    (`../scenarios/x.yaml` from notebooks/), else as given."""
    p = Path(path)
    if not p.is_absolute():
        return str(p)
    rel = Path(os.path.relpath(p, Path.cwd()))
    return str(rel) if rel.parts[:2].count("..") <= 1 and ".." not in rel.parts[1:] else str(p)


def executor_text(described: str, lang: str = "sv") -> str:
    """Where the work ran, in the reader's language ("2 local processes" -> "2 lokala processer")."""
    if lang != "sv":
        return described
    m = re.fullmatch(r"(\d+) local process(es)?", described)
    if m:
        n = int(m.group(1))
        return f"{n} lokal process" if n == 1 else f"{n} lokala processer"
    return described.replace("a local Dask cluster", "ett lokalt Dask-kluster").replace(
        "worker threads", "arbetstrådar")


def sweep_run_text(result: Any, lang: str = "sv") -> str:
    """What `insats sweep` did: points, bases, replications, seed, parts and where the results are."""
    t = lambda sv, en: in_lang(lang, sv, en)  # noqa: E731
    p = result.plan
    k, reps, parts = len(p.bases), p.spec.replications, result.computed_parts
    lines = [t(f"Svep {p.spec.name}: {count(p.n_points, 'punkt', 'punkter', lang)} × "
               f"{count(k, 'scenario', 'scenarier', lang)} × "
               f"{count(reps, 'körning', 'körningar', lang)}, design {p.spec.design.kind}, "
               f"slumpfrö {p.spec.seed}, insats {__version__}",
               f"Sweep {p.spec.name}: {count(p.n_points, 'point', 'points', lang)} x "
               f"{count(k, 'scenario', 'scenarios', lang)} x "
               f"{count(reps, 'replication', 'replications', lang)}, design {p.spec.design.kind}, "
               f"seed {p.spec.seed}, insats {__version__}"),
             t("  scenarier: ", "  scenarios: ") + ", ".join(
                 f"{b.name} ({shown_path(b.file)}, hash {b.digest})" for b in p.bases)]
    done = (t(f", {result.skipped_parts} redan klara (återupptaget)",
              f", {result.skipped_parts} already done (resumed)") if result.skipped_parts else "")
    lines.append(t(f"  {count(parts, 'del', 'delar', lang)} beräknade på "
                   f"{executor_text(result.executor, lang)}{done}, "
                   f"{number(result.seconds, 1, lang)} s; resultat i {result.out}",
                   f"  {count(parts, 'part', 'parts', lang)} computed on {result.executor}{done}, "
                   f"{result.seconds:.1f} s; results in {result.out}"))
    lines += [t("  not: ", "  note: ") + translate(n, lang) for n in p.notes()]
    lines += [t("  omräknad: ", "  resumed: ") + translate(n, lang)
              for n in getattr(result, "recomputed", [])]
    return "\n".join(lines)
