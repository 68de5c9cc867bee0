"""The planners' page (`insats app`): pick or upload scenarios, edit their key inputs, and read
the answer as it updates. Streamlit runs this script top to bottom on every change; all the
figures come from `model.app.compute`, which the tests call directly."""

from __future__ import annotations

import html
import sys
from pathlib import Path

import streamlit as st

# `streamlit run` puts this file's folder on the path, not the project's: import this checkout's model
ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from model.app import compute  # noqa: E402
from model.app.inputs import edits, fields, with_values  # noqa: E402
from model.errors import InputError  # noqa: E402
from model.report.text import in_lang  # noqa: E402

DRAWS = 200  # parameter draws for the live interval: a second or two on the expected-value path


def _t(sv: str, en: str) -> str:
    return in_lang(st.session_state.get("lang", "sv"), sv, en)


def _problems(exc: InputError) -> None:
    """Input problems as the CLI lists them: file, path, value, what is allowed; no traceback."""
    n = len(exc.problems)
    lines = [f"insats: {n} {_t('problem i indata', 'problem' + ('s' if n != 1 else '') + ' in the input')}:"]
    lines += [f"  {p.render()}" for p in exc.problems]
    st.error("\n".join(lines))


def _choose() -> list:
    """The scenarios to show: a ready choice (the Grenverket pair by default) or an upload."""
    ready = compute.ready_scenarios()
    names = list(ready)
    upload = _t("Ladda upp en egen scenariofil …", "Upload a scenario file …")
    choice = st.sidebar.selectbox(_t("Scenario", "Scenario"), [*names, upload], key="choice")
    if choice != upload:
        return [compute.load_scenario(f) for f in ready[choice]]
    files = st.sidebar.file_uploader(_t("Scenariofil(er), YAML", "Scenario file(s), YAML"),
                                     type=["yaml", "yml"], accept_multiple_files=True)
    out = []
    for f in files or []:
        try:
            out.append(compute.load_upload(f.name, f.getvalue()))
        except InputError as exc:
            _problems(exc)
    return out


def _inputs(sc, lang: str, col) -> dict[str, float]:
    """The key inputs of one scenario as fields and sliders; the values shown."""
    shown = {}
    with col:
        for f in fields(sc):
            key = f"{sc.name}|{sc.digest()}|{f.path}"
            help_text = f"{_t('Källa', 'Source')}: {f.source(lang)}  \n`{f.path}`"
            if f.unit == "share":
                shown[f.path] = st.slider(f.label(lang), f.lo, f.hi, f.shown, 0.5, key=key,
                                          help=help_text)
            else:
                value = int(f.shown) if f.integer else f.shown
                shown[f.path] = st.number_input(
                    f.label(lang), min_value=int(f.lo) if f.integer else f.lo,
                    max_value=int(f.hi) if f.integer else f.hi, value=value,
                    step=int(f.step) if f.integer else f.step, key=key, help=help_text,
                    format=None if f.integer else "%g")
            st.caption(f"{_t('Källa', 'Source')}: {f.source(lang)}")
    return shown


def main() -> None:
    st.set_page_config(page_title="insats", layout="wide")
    english = st.sidebar.toggle("English", key="english")
    lang = "en" if english else "sv"
    st.session_state["lang"] = lang
    st.title(_t("Lönar sig insatsen?", "Does the programme pay for itself?"))
    st.caption(_t("Ändra antagandena till vänster; resultaten till höger följer med. Allt räknas på "
                  "den här datorn.", "Change the assumptions on the left; the results on the "
                  "right follow. Everything is computed on this computer."))
    try:
        base = _choose()
    except InputError as exc:
        _problems(exc)
        return
    if not base:
        st.info(_t("Välj ett scenario eller ladda upp en fil.", "Pick a scenario or upload a file."))
        return
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.header(_t("Antaganden", "Assumptions"))
        tabs = st.tabs([sc.title for sc in base])
    edited = []
    for sc, tab in zip(base, tabs, strict=True):
        shown = _inputs(sc, lang, tab)
        try:
            edited.append(with_values(sc, edits(sc, shown)))
        except InputError as exc:
            with right:
                _problems(exc)
            return
    with right:
        _results(edited, lang)


def _results(scenarios: list, lang: str) -> None:
    st.header(_t("Resultat", "Results"))
    reasons = {sc.title: compute.why_not(sc) for sc in scenarios}
    expected = [] if any(reasons.values()) else [compute.expected_programme(sc) for sc in scenarios]
    if not expected:
        for title, why in reasons.items():
            if why:
                st.warning(_t(f"{title}: väntevärdesvägen gäller inte ({why}); simulera nedan.",
                              f"{title}: the expected-value path does not apply ({why}); "
                              "simulate below."))
    else:
        _show(expected, lang)
        with st.expander(_t("Parameterosäkerhet (intervall över dragningar)",
                            "Parameter uncertainty (intervals over draws)")):
            if st.toggle(_t(f"Räkna {DRAWS} dragningar", f"Compute {DRAWS} draws"), key="psa"):
                text = compute.uncertainty_text(expected, DRAWS, lang)
                st.text(text or _t("Inget av scenarierna anger osäkerhet i sina indata.",
                                   "No scenario declares uncertainty in its inputs."))
    _downloads(scenarios, lang)
    _simulation(scenarios, lang)


def _show(programmes: list, lang: str, cls: str = "verdict") -> None:
    """Verdict, ESF sentence, key figures, cumulative plot and ledger of priced programmes."""
    for p in programmes:
        st.markdown(f'<p class="{cls}">{html.escape(compute.verdict(p, lang))}</p>',
                    unsafe_allow_html=True)
    for p in programmes:
        st.info(f"{p.title}: {compute.esf_sentence(p, lang)}")
    st.subheader(_t("Nyckeltal", "Key figures"))
    st.table(compute.key_figures(programmes, lang).set_index(_t("Mått", "Figure")))
    st.subheader(_t("Kostnad och samhällsintäkt över tid", "Cost and societal revenue over time"))
    st.image(compute.cumulative_png(programmes, lang))
    st.subheader(_t("Vem betalar, vem vinner", "Who pays, who gains"))
    for p in programmes:
        st.caption(p.title)
        st.table(compute.ledger(p, lang).set_index(compute.ledger(p, lang).columns[0]))


def _downloads(scenarios: list, lang: str) -> None:
    st.subheader(_t("Ladda ner", "Download"))
    cols = st.columns(len(scenarios))
    for sc, col in zip(scenarios, cols, strict=True):
        with col:
            st.download_button(_t(f"Scenario (YAML): {sc.title}", f"Scenario (YAML): {sc.title}"),
                               compute.scenario_yaml(sc).encode(), file_name=f"{sc.name}.yaml",
                               mime="application/x-yaml", key=f"yaml|{sc.name}")


def _simulation(scenarios: list, lang: str) -> None:
    """The simulation on request, with a progress bar; then its answer, report and workbook."""
    st.header(_t("Simulering", "Simulation"))
    st.caption(_t("Simulerar deltagarna med scenariernas egna körningar och slumpfrö; rapporten "
                  "och arbetsboken bygger på simuleringen.",
                  "Simulates the participants with the scenarios' own runs and seed; the report "
                  "and the workbook are built from the simulation."))
    digest = "|".join(sc.digest() for sc in scenarios)
    if st.button(_t("Simulera", "Simulate"), key="simulate"):
        total = sum(sc.simulation.replications for sc in scenarios)
        bar = st.progress(0.0, _t("Simulerar …", "Simulating …"))
        done = [0]

        def tick(n: int = 1) -> None:
            done[0] += n
            bar.progress(min(done[0] / total, 1.0), f"{done[0]} / {total}")

        programmes = [compute.simulated_programme(sc, on_rep=tick) for sc in scenarios]
        bar.empty()
        st.session_state["simulated"] = (digest, programmes)
    held = st.session_state.get("simulated")
    if held is None or held[0] != digest:
        return
    programmes = held[1]
    _show(programmes, lang, "verdict-simulated")
    files = st.session_state.setdefault("files", {})
    if (digest, lang) not in files:  # written once per simulation and language, not per rerun
        files[(digest, lang)] = (compute.report_html(programmes, lang),
                                 compute.workbook(programmes, lang))
    report, book = files[(digest, lang)]
    a, b = st.columns(2)
    a.download_button(_t("Rapport (HTML)", "Report (HTML)"), report,
                      file_name="insats.html", mime="text/html", key="html")
    b.download_button(_t("Arbetsbok (Excel)", "Workbook (Excel)"),
                      book, file_name="insats.xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      key="xlsx")


main()
