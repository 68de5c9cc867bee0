"""Assumptions a scenario leaves out or counts twice: the notes every output carries.

A scenario without `counterfactual`, `employment.retention` or `employment.extent` is valid, but
its defaults count every job as extra, kept for ever, full time: a gross effect (bruttoeffekt)
that flatters the result. Deadweight on top of a counterfactual that already lets people find
work, and drop-off on top of retention, count the same loss twice. `assumption_notes` names each
case once, from what the file set (pydantic's `model_fields_set`), so that `validate`, the
terminal, the CSV/JSON files, the HTML report and the workbook all say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from model.scenario.schema import Scenario

Kind = Literal["gross", "double"]


@dataclass(frozen=True)
class AssumptionNote:
    """One missing or double-counted assumption: the YAML path, its kind and what it does."""

    path: str
    kind: Kind
    sv: str
    en: str

    def text(self, lang: str = "sv") -> str:
        return self.sv if lang == "sv" else self.en


def _set(model: object, name: str) -> bool:
    return name in getattr(model, "model_fields_set", set())


def assumption_notes(sc: Scenario) -> list[AssumptionNote]:
    """Missing assumptions (gross effect) and double counting, in reading order."""
    notes = []
    cf, emp, val = sc.counterfactual, sc.employment, sc.valuation
    if not _set(sc, "counterfactual"):
        notes.append(AssumptionNote(
            "counterfactual", "gross",
            "inget jämförelsealternativ (counterfactual): varje jobb räknas som extra",
            "no counterfactual (counterfactual): every job counts as extra"))
    if not (_set(sc, "employment") and _set(emp, "retention")):
        notes.append(AssumptionNote(
            "employment.retention", "gross",
            "ingen regel för hur länge jobben varar (employment.retention): de räknas vara för "
            "alltid",
            "no retention (employment.retention): jobs count as lasting for ever"))
    if not (_set(sc, "employment") and _set(emp, "extent")):
        notes.append(AssumptionNote(
            "employment.extent", "gross",
            "ingen sysselsättningsgrad (employment.extent): varje jobb räknas som heltid",
            "no employment extent (employment.extent): every job counts as full time"))
    finds_work = cf.reference is not None or bool(cf.monthly_hazard) or any(
        g.monthly_hazard > 0 for g in cf.by_group)
    if cf.deadweight > 0 and finds_work:
        notes.append(AssumptionNote(
            "counterfactual.deadweight", "double",
            "dödviktsförlust (counterfactual.deadweight) ovanpå ett jämförelsealternativ där "
            "deltagare redan får arbete ändå: samma förlust räknas två gånger",
            "deadweight (counterfactual.deadweight) on top of a counterfactual in which "
            "participants already find work anyway: the same loss counts twice"))
    if val.drop_off_per_year > 0 and emp.retention.hazard() > 0:
        notes.append(AssumptionNote(
            "valuation.drop_off_per_year", "double",
            "avtagande effekt (valuation.drop_off_per_year) ovanpå att jobben upphör "
            "(employment.retention): samma förlust räknas två gånger",
            "drop-off (valuation.drop_off_per_year) on top of jobs ending "
            "(employment.retention): the same loss counts twice"))
    return notes


def gross_effect_note(sc: Scenario, lang: str = "sv") -> str:
    """'Bruttoeffekt: …' naming the missing assumptions, or '' when the scenario sets them all."""
    missing = [n.text(lang) for n in assumption_notes(sc) if n.kind == "gross"]
    if not missing:
        return ""
    if lang == "sv":
        return ("Bruttoeffekt, resultatet är överskattat: " + "; ".join(missing)
                + ". Ange antagandena med källa.")
    return ("Gross effect (bruttoeffekt), the result is overstated: " + "; ".join(missing)
            + ". Give these assumptions with a source.")


def double_counting_note(sc: Scenario, lang: str = "sv") -> str:
    """'Dubbelräkning: …' naming losses counted twice, or '' when there are none."""
    double = [n.text(lang) for n in assumption_notes(sc) if n.kind == "double"]
    if not double:
        return ""
    head = "Dubbelräkning, resultatet är underskattat: " if lang == "sv" else \
        "Double counting (dubbelräkning), the result is understated: "
    return head + "; ".join(double) + "."


def assumption_warnings(sc: Scenario, lang: str = "sv") -> list[str]:
    """The gross-effect and double-counting notes that apply, each one sentence; and the inputs
    edited on the planners' page (shown first wherever these are shown: report and workbook)."""
    notes = [t for t in (gross_effect_note(sc, lang), double_counting_note(sc, lang)) if t]
    return edited_on_page(sc, lang) + notes


EDIT_MARKS = ("ändrad på sidan", "edited on the page")  # how the page marks an edited input's source


def edited_on_page(sc: Scenario, lang: str = "sv") -> list[str]:
    """One line per input whose source says it was edited on the page (`model.app.inputs`)."""
    from model.numbers import collect_sources

    found = [(path, value, str(src)) for path, value, src in collect_sources(sc.raw)
             if str(src).startswith(EDIT_MARKS)]
    def shown(value: object) -> object:
        return f"{value:g}" if isinstance(value, float) else value

    def rest(src: str) -> str:  # what follows the mark: the file's value and source
        mark = next(m for m in EDIT_MARKS if src.startswith(m))
        return src[len(mark):].lstrip()

    head = "Ändrad på sidan" if lang == "sv" else "Edited on the page"
    return [f"{head}: {path} = {shown(value)} {rest(src)}" for path, value, src in found]
