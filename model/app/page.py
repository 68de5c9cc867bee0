"""The planners' page (`insats app`): pick or upload scenarios, edit their key inputs, and read
the answer as it updates. Streamlit runs this script top to bottom on every change; all the
figures come from `model.app.compute`, which the tests call directly."""

from __future__ import annotations

import hashlib
import html
import sys
from pathlib import Path

import streamlit as st

# `streamlit run` puts this file's folder on the path, not the project's: import this checkout's model
ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from model.app import compute  # noqa: E402
from model.app.inputs import choices, edits, fields, held_for_uncertainty, with_values  # noqa: E402
from model.errors import InputError  # noqa: E402
from model.report.text import in_lang  # noqa: E402

DRAWS = 200  # parameter draws for the live interval: a second or two on the expected-value path

# Streamlit reruns this script on every edit. What does not depend on the edit is computed once:
# a scenario's offered inputs per file version (`key`), an edited scenario and its priced view
# per (file version, edits), so an edit of one programme reprices that programme only. The
# scenario objects are passed unhashed (`_sc`): the key names them.
cached = st.cache_resource(show_spinner=False, max_entries=512)


@cached
def _offered(_sc, key: str) -> tuple[list, list, str]:
    return fields(_sc), choices(_sc), hashlib.sha1(key.encode()).hexdigest()[:10]


@cached
def _edited(_sc, key: str, change: tuple):
    return with_values(_sc, dict(change))


@cached
def _expected(_sc, key: str, change: tuple):
    return compute.expected_programme(_sc)


@cached
def _view(_p, key: str, change: tuple, lang: str, simulated: bool) -> dict:
    """What the page shows of one priced programme, in one language."""
    led = compute.ledger(_p, lang)
    return {"verdict": compute.verdict(_p, lang), "esf": compute.esf_sentence(_p, lang),
            "ledger": led.set_index(led.columns[0])}


@cached
def _together(_ps, keys: tuple, lang: str) -> tuple:
    """The side-by-side parts: key figures, the cumulative plot (Vega-Lite) and its caption."""
    return (compute.key_figures(_ps, lang), compute.cumulative_chart(_ps, lang),
            compute.cumulative_caption(_ps, lang))


@cached
def _uncertainty(_ps, _held, keys: tuple, lang: str) -> str | None:
    return compute.uncertainty_text(_ps, DRAWS, lang, _held)


@cached
def _components(_sc, key: str, picked: tuple, lang: str):
    """The picked group's components in the picked price year (the file's own when unchanged)."""
    return compute.unit_cost_components(with_values(_sc, dict(zip(
        ("valuation.unit_costs", "valuation.price_year"), picked, strict=True))), lang)


@cached
def _upload(name: str, data: bytes):
    return compute.load_upload(name, data)


def _t(sv: str, en: str) -> str:
    return in_lang(st.session_state.get("lang", "sv"), sv, en)


def _problems(exc: InputError) -> None:
    """Input problems as the CLI lists them: file, path, value, what is allowed; no traceback."""
    n = len(exc.problems)
    lines = [f"insats: {n} {_t('problem i indata', 'problem' + ('s' if n != 1 else '') + ' in the input')}:"]
    lines += [f"  {p.render()}" for p in exc.problems]
    st.error("\n".join(lines))


def _choose() -> list[tuple]:
    """The scenarios to show, each with the key of its file version: a ready choice (the
    Grenverket pair by default) or an upload."""
    ready = compute.ready_scenarios()
    names = list(ready)
    upload = _t("Ladda upp en egen scenariofil …", "Upload a scenario file …")
    choice = st.sidebar.selectbox(_t("Scenario", "Scenario"), [*names, upload], key="choice")
    if choice != upload:
        return [(compute.load_ready(f), f"{f}:{f.stat().st_mtime_ns}") for f in ready[choice]]
    files = st.sidebar.file_uploader(_t("Scenariofil(er), YAML", "Scenario file(s), YAML"),
                                     type=["yaml", "yml"], accept_multiple_files=True)
    out = []
    for f in files or []:
        data = f.getvalue()
        try:
            sc = _upload(f.name, data)
        except InputError as exc:
            _problems(exc)
            continue
        if sc.counterfactual.reference is not None:
            st.sidebar.caption(_t(f"{f.name}: jämförelsealternativet läses från {sc.reference_path()}",
                                  f"{f.name}: the counterfactual is read from {sc.reference_path()}"))
        out.append((sc, f"upload:{f.name}:{hashlib.sha256(data).hexdigest()}"))
    return out


def _inputs(sc, key: str, lang: str, col) -> dict:
    """The key inputs of one scenario as fields, sliders and lists; the values shown."""
    offered, picks, short = _offered(sc, key)
    shown: dict = {}
    with col:
        for c in picks:  # the valuation's target group and price year, when by unit costs
            shown[c.path] = st.selectbox(
                c.label(lang), c.options, index=c.options.index(c.value),
                format_func=c.names.__getitem__, key=f"{sc.name}|{short}|{c.path}",
                help=f"`{c.path}`")
            st.caption(f"{_t('Källa', 'Source')}: {c.source(shown[c.path], lang)}")
        if picks:
            with st.expander(_t("Målgruppens enhetskostnader per personår, med källor",
                                "The target group's unit costs per person-year, with sources")):
                try:
                    st.dataframe(_components(sc, key, tuple(shown[c.path] for c in picks), lang),
                                 hide_index=True)
                except InputError as exc:
                    _problems(exc)
        for f in offered:
            widget = f"{sc.name}|{short}|{f.path}"
            help_text = f"{_t('Källa', 'Source')}: {f.source(lang)}  \n`{f.path}`"
            if f.unit == "share":
                shown[f.path] = st.slider(f.label(lang), f.lo, f.hi, f.shown, 0.5, key=widget,
                                          help=help_text)
            else:
                value = int(f.shown) if f.integer else f.shown
                shown[f.path] = st.number_input(
                    f.label(lang), min_value=int(f.lo) if f.integer else f.lo,
                    max_value=int(f.hi) if f.integer else f.hi, value=value,
                    step=int(f.step) if f.integer else f.step, key=widget, help=help_text,
                    format=None if f.integer else "%g")
            st.caption(f"{_t('Källa', 'Source')}: {f.source(lang)}")
    return edits(sc, shown, offered, picks)


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
        tabs = st.tabs([sc.title for sc, _ in base])
    edited = []
    for (sc, key), tab in zip(base, tabs, strict=True):
        change = tuple(sorted(_inputs(sc, key, lang, tab).items()))
        try:
            edited.append((_edited(sc, key, change), key, change))
        except InputError as exc:
            with right:
                _problems(exc)
            return
    with right:
        _results(edited, lang)


def _results(edited: list[tuple], lang: str) -> None:
    st.header(_t("Resultat", "Results"))
    scenarios = [sc for sc, _, _ in edited]
    reasons = {sc.title: compute.why_not(sc) for sc in scenarios}
    if any(reasons.values()):
        for title, why in reasons.items():
            if why:
                st.warning(_t(f"{title}: väntevärdesvägen gäller inte ({why}); simulera nedan.",
                              f"{title}: the expected-value path does not apply ({why}); "
                              "simulate below."))
    else:
        expected = [(_expected(sc, key, change), key, change) for sc, key, change in edited]
        _show(expected, lang)
        with st.expander(_t("Parameterosäkerhet (intervall över dragningar)",
                            "Parameter uncertainty (intervals over draws)")):
            if st.toggle(_t(f"Räkna {DRAWS} dragningar", f"Compute {DRAWS} draws"), key="psa"):
                _interval(edited, expected, lang)
    _downloads(scenarios, lang)
    _simulation(edited, lang)


def _interval(edited: list[tuple], expected: list[tuple], lang: str) -> None:
    """The parameter-uncertainty interval of the edited scenarios. An edited input is held at the
    edited value in every draw (its distribution, or its calibrated joint rows, would otherwise
    replace the edit), and the page says so next to the interval."""
    held, notes = [], []
    for sc, _, change in edited:
        one, dropped = held_for_uncertainty(sc, [p for p, _ in change])
        held.append(one)
        if dropped:
            names = {f.path: f.label(lang) for f in fields(sc)}
            joint = {p for g in sc.uncertainty.joint for p in g.paths}
            listed = "; ".join(names.get(p, p) + (_t(" (kalibrerad grupp)", " (calibrated group)")
                                                 if p in joint else "") for p in dropped)
            notes.append(f"{sc.title}: {listed}")
    if notes:
        st.warning(_t(
            "Intervallet håller dina ändrade indata fasta på ditt värde, utan osäkerhet: "
            + " · ".join(notes) + ". Övriga osäkra indata dras som i filen; en kalibrerad "
            "grupps övriga kolumner dras ur raderna som kalibrerades med filens värde.",
            "The interval holds your edited inputs at your value, without uncertainty: "
            + " · ".join(notes) + ". The other uncertain inputs are drawn as in the file; a "
            "calibrated group's other columns are drawn from the rows calibrated with the "
            "file's value."))
    keys = tuple((key, change) for _, key, change in edited)
    text = _uncertainty([p for p, _, _ in expected], held, keys, lang)
    st.text(text or _t("Inget av scenarierna anger osäkerhet i sina indata.",
                       "No scenario declares uncertainty in its inputs."))


def _show(priced: list[tuple], lang: str, cls: str = "verdict") -> None:
    """Verdict, ESF sentence, key figures, cumulative plot and ledger of priced programmes."""
    simulated = cls != "verdict"
    views = [_view(p, key, change, lang, simulated) for p, key, change in priced]
    programmes = [p for p, _, _ in priced]
    for v in views:
        st.markdown(f'<p class="{cls}">{html.escape(v["verdict"])}</p>', unsafe_allow_html=True)
    for p, v in zip(programmes, views, strict=True):
        st.info(f"{p.title}: {v['esf']}")
    figures, chart, caption = _together(programmes, tuple((k, c) for _, k, c in priced), lang) \
        if not simulated else (compute.key_figures(programmes, lang),
                               compute.cumulative_chart(programmes, lang),
                               compute.cumulative_caption(programmes, lang))
    st.subheader(_t("Nyckeltal", "Key figures"))
    st.table(figures.set_index(_t("Mått", "Figure")))
    st.subheader(_t("Kostnad och samhällsintäkt över tid", "Cost and societal revenue over time"))
    st.vega_lite_chart(chart, width="content")
    st.caption(caption)
    st.subheader(_t("Vem betalar, vem vinner", "Who pays, who gains"))
    for p, v in zip(programmes, views, strict=True):
        st.caption(p.title)
        st.table(v["ledger"])


def _downloads(scenarios: list, lang: str) -> None:
    st.subheader(_t("Ladda ner", "Download"))
    cols = st.columns(len(scenarios))
    for sc, col in zip(scenarios, cols, strict=True):
        with col:  # the YAML is written when the button is pressed, not on every edit
            st.download_button(_t(f"Scenario (YAML): {sc.title}", f"Scenario (YAML): {sc.title}"),
                               lambda sc=sc: compute.scenario_yaml(sc).encode(),
                               file_name=f"{sc.name}.yaml", mime="application/x-yaml",
                               key=f"yaml|{sc.name}", on_click="ignore")


def _simulation(edited: list[tuple], lang: str) -> None:
    """The simulation on request, with a progress bar; then its answer, report and workbook."""
    st.header(_t("Simulering", "Simulation"))
    st.caption(_t("Simulerar deltagarna med scenariernas egna körningar och slumpfrö; rapporten "
                  "och arbetsboken bygger på simuleringen.",
                  "Simulates the participants with the scenarios' own runs and seed; the report "
                  "and the workbook are built from the simulation."))
    scenarios = [sc for sc, _, _ in edited]
    own = max(sc.simulation.replications for sc in scenarios)
    chosen = st.number_input(_t("Antal körningar (replikeringar)", "Number of runs (replications)"),
                             min_value=1, max_value=10_000, value=own, step=1, key="replications",
                             help=_t("Förval: scenariernas egna (simulation.replications). Färre "
                                     "körningar går fortare men ger bredare intervall.",
                                     "Default: the scenarios' own (simulation.replications). Fewer "
                                     "runs are quicker but give wider intervals."))
    reps = None if chosen == own else int(chosen)  # None: each scenario's own
    digest = repr([(key, change, reps) for _, key, change in edited])
    if st.button(_t("Simulera", "Simulate"), key="simulate"):
        total = sum(reps or sc.simulation.replications for sc in scenarios)
        bar = st.progress(0.0, _t("Simulerar …", "Simulating …"))
        done = [0]

        def tick(n: int = 1) -> None:
            done[0] += n
            bar.progress(min(done[0] / total, 1.0), f"{done[0]} / {total}")

        programmes = [compute.simulated_programme(sc, reps, on_rep=tick) for sc in scenarios]
        st.session_state["progress"] = (done[0], total)
        bar.empty()
        st.session_state["simulated"] = (digest, programmes)
    held = st.session_state.get("simulated")
    if held is None or held[0] != digest:
        return
    programmes = held[1]
    _show([(p, f"{key}|runs={reps}", change)
           for p, (_, key, change) in zip(programmes, edited, strict=True)], lang, "verdict-simulated")
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
