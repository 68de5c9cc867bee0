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

from model.app import answer, compute, fitted  # noqa: E402
from model.app import uncertainty as unc  # noqa: E402
from model.app.inputs import choices, edits, fields, held_for_uncertainty, with_values  # noqa: E402
from model.app.typed import nobreak  # noqa: E402
from model.app.widgets import number_field, problem_list, source_caption  # noqa: E402
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
def _edited(_sc, key: str, change: tuple, lang: str):
    return with_values(_sc, dict(change), lang)  # each edit marked "ändrad på sidan"


@cached
def _expected(_sc, key: str, change: tuple, lang: str):
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
def _components(_sc, key: str, picked: tuple, lang: str):
    """The picked group's components in the picked price year (the file's own when unchanged)."""
    return compute.unit_cost_components(with_values(_sc, dict(zip(
        ("valuation.unit_costs", "valuation.price_year"), picked, strict=True))), lang)


@cached
def _upload(name: str, data: bytes):
    return compute.load_upload(name, data)


@cached
def _fit(name: str, data: bytes, data_date: str, lang: str):
    return fitted.fit_upload(name, data, data_date, lang)


def _records(name: str, data: bytes):
    """An uploaded records file (.csv): its data date asked (by default the latest date in it),
    fitted as `insats fit` fits it, its fit report offered; the fitted scenario and its key."""
    lang = st.session_state.get("lang", "sv")
    latest = fitted.latest_date(data)
    when = st.sidebar.text_input(
        _t(f"{name}: datadatum (ÅÅÅÅ-MM-DD)", f"{name}: data date (YYYY-MM-DD)"),
        value=latest.isoformat() if latest else "", key=f"datadate|{name}",
        help=_t("Dagen registret togs ut: de utan slutdatum var inskrivna då.",
                "The day the records were taken: those without an exit date were enrolled then."))
    with st.spinner(_t(f"Anpassar {name} …", f"Fitting {name} …")):
        fit = _fit(name, data, when, lang)
    st.sidebar.caption(_t(
        f"{name}: anpassat med insats fit ({fitted.BOOT} bootstrapdragningar); bara aggregat visas.",
        f"{name}: fitted by insats fit ({fitted.BOOT} bootstrap resamples); aggregates only."))
    stem = Path(name).stem
    st.sidebar.download_button(_t(f"Anpassningsrapport (HTML): {name}", f"Fit report (HTML): {name}"),
                               fit.report, file_name=f"{stem}_fit.html", mime="text/html",
                               key=f"fitreport|{name}")
    key = f"records:{name}:{hashlib.sha256(data).hexdigest()}:{when}"
    st.session_state.setdefault("texts", {})[key] = fit.text
    return fit.scenario, key


def _t(sv: str, en: str) -> str:
    return in_lang(st.session_state.get("lang", "sv"), sv, en)


def _problems(exc: InputError) -> None:
    """Input problems as the CLI lists them (file, path, value, what is allowed), one a line and
    causes first; no traceback."""
    st.error(problem_list(exc.problems, st.session_state.get("lang", "sv")))


def _choose() -> list[tuple]:
    """The scenarios to show, each with the key of its file version: a ready choice (the
    Grenverket pair by default) or an upload."""
    ready = compute.ready_scenarios()
    names = list(ready)
    upload = _t("Ladda upp en egen scenariofil …", "Upload a scenario file …")
    choice = st.sidebar.selectbox(_t("Scenario", "Scenario"), [*names, upload], key="choice")
    if choice != upload:
        return [(compute.load_ready(f), f"{f}:{f.stat().st_mtime_ns}") for f in ready[choice]]
    files = st.sidebar.file_uploader(_t("Scenariofil(er), YAML, eller deltagarregister, CSV",
                                        "Scenario file(s), YAML, or participant records, CSV"),
                                     type=["yaml", "yml", "csv"], accept_multiple_files=True)
    out = []
    for f in files or []:
        data = f.getvalue()
        try:
            if fitted.is_records(f.name):
                out.append(_records(f.name, data))
                continue
            sc = _upload(f.name, data)
        except InputError as exc:
            _problems(exc)
            continue
        if sc.counterfactual.reference is not None:
            st.sidebar.caption(_t(f"{f.name}: jämförelsealternativet läses från {sc.reference_path()}",
                                  f"{f.name}: the counterfactual is read from {sc.reference_path()}"))
        key = f"upload:{f.name}:{hashlib.sha256(data).hexdigest()}"
        # the file's own text, so that its download keeps the comments and layout
        st.session_state.setdefault("texts", {})[key] = data.decode("utf-8", errors="replace")
        out.append((sc, key))
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
        file = sc.source_file.name if sc.source_file else f"{sc.name}.yaml"
        for f in offered:
            widget = f"{sc.name}|{short}|{f.path}"
            shown[f.path], problem = number_field(f, widget, lang, file)
            if problem:
                st.session_state.setdefault("refused", []).append(problem)
            source_caption(f, shown[f.path], lang)
    return edits(sc, shown, offered, picks)


def main() -> None:
    st.set_page_config(page_title="insats", layout="wide")
    english = st.sidebar.toggle("English", key="english")
    lang = "en" if english else "sv"
    st.session_state["lang"] = lang
    st.session_state["refused"] = []  # the typed values refused in this run (model.app.widgets)
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
            edited.append((_edited(sc, key, change, lang), key, change))
        except InputError as exc:
            with right:
                _problems(exc)
            return
    with right:
        _results(edited, lang)


def _reason(why: str, lang: str) -> str:
    """The expected-value path's reason (model.expected.why_not) in the page's language: in
    Swedish its cause from the message catalogue (the advice after "; " is for the terminal)."""
    if lang != "sv":
        return why
    from model.messages import swedish

    found = swedish(why)
    return "kapaciteten eller kön kräver att deltagarna simuleras" if found is None else (
        found.split("; ")[0])


def _results(edited: list[tuple], lang: str) -> None:
    st.header(_t("Resultat", "Results"))
    for problem in st.session_state.get("refused", []):
        st.error(problem)
    scenarios = [sc for sc, _, _ in edited]
    texts = st.session_state.get("texts", {})
    kept = [texts.get(key) for _, key, _ in edited]  # an upload's text (a ready file is read)
    reasons = {sc.title: compute.why_not(sc) for sc in scenarios}
    if any(reasons.values()):
        for title, why in reasons.items():
            if why:
                st.info(_t(f"{title}: här räcker inte den snabba förväntade beräkningen, eftersom "
                           f"{_reason(why, lang)}. Sidan simulerar därför deltagarna.",
                           f"{title}: the quick expected calculation does not apply here, because "
                           f"{_reason(why, lang)}. The page therefore simulates the participants."))
        _downloads(scenarios, kept, lang)
        _simulation(edited, lang, auto=True)
        return
    expected = [(_expected(sc, key, change, lang), key, change) for sc, key, change in edited]
    psa, held = _draws(edited, lang)
    _answer_on_top(edited, expected, psa, held, lang)
    _show(expected, lang, at_base=psa is not None)
    if psa is not None:
        st.subheader(_t("Parameterosäkerhet", "Parameter uncertainty"))
        _panel(psa, held, lang)
    _downloads(scenarios, kept, lang)
    _simulation(edited, lang)


def _draws(edited: list[tuple], lang: str):
    """The parameter-uncertainty draws of the edited scenarios (edited inputs held at the edit;
    the page says so), or None when no scenario declares uncertainty."""
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
    st.session_state["held_note"] = _t(
        "Intervallet håller dina ändrade indata fasta på ditt värde, utan osäkerhet: "
        + " · ".join(notes) + ". Övriga osäkra indata dras som i filen; en kalibrerad "
        "grupps övriga kolumner dras ur raderna som kalibrerades med filens värde.",
        "The interval holds your edited inputs at your value, without uncertainty: "
        + " · ".join(notes) + ". The other uncertain inputs are drawn as in the file; a "
        "calibrated group's other columns are drawn from the rows calibrated with the "
        "file's value.") if notes else None
    if not any(sc.has_uncertainty() for sc in held):
        return None, held
    keys = tuple((key, change) for _, key, change in edited)
    draws = int(st.session_state.get("draws", DRAWS))
    with st.spinner(_t(f"Räknar {draws} dragningar …", f"Computing {draws} draws …")):
        psa = _psa(held, keys, draws)
    return psa, held


@cached
def _psa(_held, keys: tuple, draws: int):
    return unc.draws_of(_held, draws)


@cached
def _flip(_scs, keys: tuple, first_better: bool):
    return answer.flip_of(_scs, first_better)


def _answer_on_top(edited, expected, psa, held, lang: str) -> None:
    """One sentence: which programme is better (or whether the one pays), by how much, how sure,
    and what would change the answer; glossary words explained on hover."""
    scs = [sc for sc, _, _ in edited][:2]
    progs = [p for p, _, _ in expected][:2]
    metrics = [p.result.priced.metrics.iloc[0] for p in progs]
    npvs = [float(m["npv"]) for m in metrics]
    costs = [answer.has_costs(dict(m)) for m in metrics]
    diff = unc.difference_of(psa, held[:2]) if psa is not None and len(scs) == 2 else None
    first_better = (diff["mean"] if diff else npvs[0] - (npvs[1] if len(npvs) > 1 else 0)) > 0
    keys = tuple((key, change) for _, key, change in edited[:2])
    flip = _flip(scs, keys, first_better) if all(costs) else None
    text = answer.sentence([sc.title for sc in scs], npvs, costs,
                           scs[0].valuation.horizon_years, diff, flip, lang,
                           unc.draws_words(psa, lang) if psa is not None else 0)
    st.markdown(f'<p class="answer">{text}</p>', unsafe_allow_html=True)
    words = " · ".join(answer.term(w, lang) for w in answer.TERMS)
    st.markdown(f'<p class="glossary">{_t("Ord (håll pekaren över)", "Words (hover)")}: {words}</p>',
                unsafe_allow_html=True)


def _panel(psa, held: list, lang: str) -> None:
    """The uncertainty as a table, a picture over the draws and the probabilities in words."""
    if st.session_state.get("held_note"):
        st.warning(st.session_state["held_note"])
    st.caption(unc.method_words(psa, held, lang))
    st.dataframe(unc.interval_table(psa, held, lang), hide_index=True, key="psa_table")
    st.vega_lite_chart(unc.draws_chart(psa, held, lang), width="stretch")
    for line in unc.in_words(psa, held, lang).splitlines():  # one statement a line
        st.markdown(line)
    st.number_input(_t("Antal dragningar", "Number of draws"), min_value=20, max_value=5000,
                    value=DRAWS, step=20, key="draws")


def _show(priced: list[tuple], lang: str, cls: str = "verdict", at_base: bool = False) -> None:
    """Verdict, ESF sentence, key figures, cumulative plot and ledger of priced programmes;
    `at_base`: the answer on top is over parameter draws, so the key figures say they are the
    figures at base values."""
    simulated = cls != "verdict"
    views = [_view(p, key, change, lang, simulated) for p, key, change in priced]
    programmes = [p for p, _, _ in priced]
    for p, v in zip(programmes, views, strict=True):
        if answer.has_costs(dict(p.result.priced.metrics.mean(numeric_only=True))):
            text = v["verdict"]
        else:  # no verdict without a cost (`revenue / 0 kr` is no answer)
            text = _t(f"{p.title} saknar kostnader: ange en kostnad eller budget under Antaganden "
                      "för att se om insatsen betalar sig.",
                      f"{p.title} has no costs: give a cost or budget under Assumptions to see "
                      "whether the programme pays for itself.")
        st.markdown(f'<p class="{cls}">{html.escape(nobreak(text))}</p>', unsafe_allow_html=True)
        if text == v["verdict"]:
            st.info(nobreak(f"{p.title}: {v['esf']}"))
    figures, chart, caption = _together(programmes, tuple((k, c) for _, k, c in priced), lang) \
        if not simulated else (compute.key_figures(programmes, lang),
                               compute.cumulative_chart(programmes, lang),
                               compute.cumulative_caption(programmes, lang))
    from model.report.tables import BASE_VALUES

    at = f" {_t(*BASE_VALUES)}" if at_base else ""
    st.subheader(_t("Nyckeltal", "Key figures") + at)
    st.table(figures.map(nobreak).set_index(_t("Mått", "Figure")))
    if at_base:
        st.caption(_t("Svaret överst är medel över dragningarna ur det vi vet om antagandena; "
                      "tabellen visar utfallet med varje antagande vid sitt basvärde, därför kan "
                      "värdena skilja sig något. Svaret överst är svaret.",
                      "The answer on top is the mean over draws of what we know about the "
                      "assumptions; the table shows the outcome with every assumption at its base "
                      "value, so the values can differ a little. The answer on top is the answer."))
    st.subheader(_t("Kostnad och samhällsintäkt över tid", "Cost and societal revenue over time"))
    for col, one in zip(st.columns(len(chart["hconcat"])), chart["hconcat"], strict=True):
        with col:  # one chart per programme, each as wide as its column (not a fixed width)
            st.vega_lite_chart({"$schema": chart["$schema"], **one, "width": "container"},
                               width="stretch")
    st.caption(nobreak(caption))
    st.subheader(_t("Vem betalar, vem vinner", "Who pays, who gains"))
    for p, v in zip(programmes, views, strict=True):
        st.caption(p.title)
        st.table(v["ledger"].map(nobreak))


def _downloads(scenarios: list, texts: list, lang: str) -> None:
    st.subheader(_t("Ladda ner", "Download"))
    cols = st.columns(len(scenarios))
    for sc, text, col in zip(scenarios, texts, cols, strict=True):
        with col:  # the YAML is written when the button is pressed, not on every edit
            st.download_button(_t(f"Scenario (YAML): {sc.title}", f"Scenario (YAML): {sc.title}"),
                               lambda sc=sc, text=text: compute.scenario_yaml(sc, text).encode(),
                               file_name=compute.download_name(sc, lang), mime="application/x-yaml",
                               key=f"yaml|{sc.name}", on_click="ignore")


def _simulation(edited: list[tuple], lang: str, auto: bool = False) -> None:
    """The simulation on request (by itself when `auto`: only the simulation applies), with a
    progress bar; then its answer, report and workbook."""
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
    held = st.session_state.get("simulated")
    fresh = held is None or held[0] != digest
    if st.button(_t("Simulera", "Simulate"), key="simulate") or (auto and fresh):
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
