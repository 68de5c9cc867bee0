"""What `insats fit` prints and its HTML fit report: the records' Kaplan-Meier and Aalen-Johansen
curves (with 95 % bands) beside those of the fitted scenario simulated back, the AIC table, the
median stay, the shares by destination at 6, 12 and 24 months and what the data cannot tell.
Aggregates only: no participant's row is shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.fit import survival
from model.messages import translate

MONTHS = (6, 12, 24)


def _t(lang: str, sv: str, en: str) -> str:
    return sv if lang == "sv" else en


def _num(x: float, d: int, lang: str) -> str:
    s = f"{x:,.{d}f}".replace(",", " ")
    return s.replace(".", ",") if lang == "sv" else s


def shares_at(res: Any) -> list[tuple[str, list[tuple[float, float, float]]]]:
    """Each destination's Aalen-Johansen cumulative incidence (with band) at 6, 12 and 24 months;
    NaN past the longest stay seen."""
    t, codes = res.arrays()
    out = []
    longest = float(t.max())
    for k, s in enumerate(res.states):
        cif = survival.aalen_johansen(t, codes, k + 1, seed=res.seed)
        vals = [(survival.at(cif, m), survival.at(cif, m, "lo"), survival.at(cif, m, "hi"))
                if m <= longest else (np.nan, np.nan, np.nan) for m in MONTHS]
        out.append((s, vals))
    return out


def fit_text(done: Any, lang: str = "sv") -> str:
    """The command's summary: what was fitted, with intervals, and what the data cannot tell."""
    res = done.result
    rec = res.records
    L = []
    L.append(_t(lang, f"Anpassat från {Path(rec.file).name}: {rec.n} deltagare, {rec.enrolled} "
                      f"inskrivna {rec.data_date} (månad 0 = {rec.month_zero}).",
                f"Fitted from {Path(rec.file).name}: {rec.n} participants, {rec.enrolled} enrolled "
                f"at {rec.data_date} (month 0 = {rec.month_zero})."))
    L.append("")
    for name, shapes, shape in _shape_sets(res):
        L.append(_t(lang, f"Tid i {name} (månader), AIC per form (lägst bäst):",
                    f"Time in {name} (months), AIC by shape (lowest best):") if name else
                 _t(lang, "Tid i insatsen (månader), AIC per form (lägst bäst):",
                    "Time in the programme (months), AIC by shape (lowest best):"))
        for f in shapes:
            mark = " <-" if f is shape else ""
            note = "" if f.expressible else _t(lang, " (kan inte skrivas i ett scenario)",
                                               " (not expressible in a scenario)")
            L.append(f"  {f.family:<12} AIC {_num(f.aic, 1, lang):>8}  "
                     f"{_t(lang, 'medel', 'mean')} {_num(f.mean, 1, lang)}  CV {_num(f.cv, 2, lang)}"
                     f"{note}{mark}")
    med, lo, hi = res.median
    L.append(_t(lang, "Median (Kaplan–Meier): ", "Median (Kaplan-Meier): ")
             + (f"{_num(med, 1, lang)} ({_num(lo, 1, lang)}–{_num(hi, 1, lang)}) "
                + _t(lang, "månader", "months") if np.isfinite(med) else
                _t(lang, "nås inte (fler än hälften kvar)", "not reached (over half still enrolled)")))
    L.append(res.representation)
    L.append("")
    L.append(_t(lang, "Värden i scenariot (95 % bootstrapintervall):",
                "Values in the scenario (95 % bootstrap interval):"))
    for p, v in zip(res.paths, res.values, strict=True):
        a, b = res.interval(p)
        L.append(f"  {p} = {_num(v, 3, lang)} ({_num(a, 3, lang)}–{_num(b, 3, lang)})")
    L.append("")
    L.append(_t(lang, "Andel per avslut efter 6, 12, 24 månader (Aalen–Johansen):",
                "Share by destination at 6, 12, 24 months (Aalen-Johansen):"))
    for s, vals in shares_at(res):
        cells = ["–" if np.isnan(v) else f"{_num(100 * v, 0, lang)} % ({_num(100 * a, 0, lang)}–"
                 f"{_num(100 * b, 0, lang)})" for v, a, b in vals]
        L.append(f"  {s:<12} " + "   ".join(cells))
    L.append("")
    L.append(_t(lang, "Vad data inte kan säga:", "What the data cannot tell:"))
    L += [f"  - {translate(n, lang)}" for n in res.notes]
    L.append("")
    L.append(_t(lang, f"Skrev {done.out}", f"Wrote {done.out}"))
    if done.report:
        L.append(_t(lang, f"Skrev anpassningsrapporten {done.report}", f"Wrote the fit report {done.report}"))
    return "\n".join(L)


def _shape_sets(res: Any) -> list[tuple[str, list[survival.ShapeFit], survival.ShapeFit]]:
    """(intervention, its shapes by AIC, the chosen one): one unnamed set for single-step
    records, one per intervention for multi-step records."""
    if res.steps:
        return [(sf.name, sf.shapes, sf.shape) for sf in res.steps]
    return [("", res.shapes, res.shape)]


def simulated_back(res: Any, reps: int) -> pd.DataFrame:
    """The fitted scenario simulated `reps` times to the data date: each participant's stay, exit
    code and replication (pooled for the line, by replication for the band)."""
    from model.scenario import parse_scenario
    from model.simulation import simulate

    sc = parse_scenario(res.scenario)
    run = simulate(sc, replications=reps)
    p = run.participants
    code = {s: k + 1 for k, s in enumerate(res.states)}
    return pd.DataFrame({"t": p["months_in_programme"].to_numpy(float),
                         "code": [code.get(x, 0) if isinstance(x, str) else 0 for x in p["exit_state"]],
                         "rep": p["rep"].to_numpy(int)})


def simulated_band(sim: pd.DataFrame, grid: np.ndarray, k: int = 0,
                   level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The simulated-back curve on `grid` (pooled over replications) and the central `level` band
    of the replications' own curves: Kaplan-Meier survival for k = 0, else the Aalen-Johansen
    cumulative incidence of exit code k, each replication a register of the fitted scenario's
    size. The band is what one register drawn from the fitted scenario could look like, the
    spread to hold the records' curve against."""
    t_all, c_all = sim["t"].to_numpy(float), sim["code"].to_numpy(int)
    pooled = step_curve(t_all, c_all, k, grid)
    per = np.array([step_curve(g["t"].to_numpy(float), g["code"].to_numpy(int), k, grid)
                    for _, g in sim.groupby("rep")])
    a = (1 - level) / 2
    return pooled, np.quantile(per, a, axis=0), np.quantile(per, 1 - a, axis=0)


def step_curve(t: np.ndarray, codes: np.ndarray, k: int, grid: np.ndarray) -> np.ndarray:
    """Kaplan-Meier survival (k = 0) or the Aalen-Johansen cumulative incidence of code k at the
    `grid` months, for simulated runs only: the same estimators as lifelines' (the records are
    always fitted by lifelines; tests/test_fit_gaps.py checks this against it on simulated runs),
    in numpy because the band takes one per replication and state, a few hundred, where
    lifelines' pandas bookkeeping (about 50 ms a call) made the report three times slower."""
    times, inv = np.unique(np.asarray(t, float), return_inverse=True)
    c = np.asarray(codes, int)
    left = np.bincount(inv, minlength=len(times))                 # leave the risk set at each time
    at_risk = len(c) - np.concatenate(([0], np.cumsum(left)[:-1]))
    d_all = np.bincount(inv, weights=(c > 0).astype(float), minlength=len(times))
    surv = np.cumprod(1.0 - d_all / at_risk)
    if k == 0:
        curve = surv
    else:
        d_k = np.bincount(inv, weights=(c == k).astype(float), minlength=len(times))
        before = np.concatenate(([1.0], surv[:-1]))
        curve = np.cumsum(before * d_k / at_risk)
    idx = np.searchsorted(times, grid, side="right") - 1
    return np.where(idx >= 0, curve[np.maximum(idx, 0)], 1.0 if k == 0 else 0.0)


def write_fit_report(res: Any, scenario_file: Path, out: Path, lang: str = "sv",
                     reps: int = 100) -> Path:
    """The HTML fit report, one self-contained file (plots as PNG)."""
    from model import __version__
    from model.io import write_text
    from model.report.page import CSS, esc, html_table, img

    t, codes = res.arrays()
    sim = simulated_back(res, reps)
    figs = [_km_plot(t, codes, sim, lang), *(_cif_plot(res, t, codes, sim, k, lang)
                                             for k in range(len(res.states)))]
    rec = res.records
    aic = "".join((f"<h3>{esc(name)}</h3>" if name else "") + html_table(
        [_t(lang, "form", "shape"), "AIC", _t(lang, "medel, mån", "mean, months"), "CV",
         _t(lang, "median, mån", "median, months"), _t(lang, "i scenariot", "in the scenario")],
        [[f.family, _num(f.aic, 1, lang), _num(f.mean, 2, lang), _num(f.cv, 2, lang),
          _num(f.median, 2, lang),
          (_t(lang, "vald", "chosen") if f is shape else
           "" if f.expressible else _t(lang, "kan inte skrivas", "not expressible"))]
         for f in shapes], numeric={1, 2, 3, 4}) for name, shapes, shape in _shape_sets(res))
    vals = html_table([_t(lang, "värde", "value"), _t(lang, "anpassat", "fitted"), "95 %"],
                      [[p, _num(v, 3, lang), "–".join(_num(x, 3, lang) for x in res.interval(p))]
                       for p, v in zip(res.paths, res.values, strict=True)], numeric={1})
    months = [f"{m} {_t(lang, 'mån', 'months')}" for m in MONTHS]

    def cell(v: float, a: float, b: float) -> str:
        if np.isnan(v):
            return "–"
        return f"{_num(100 * v, 0, lang)} % ({_num(100 * a, 0, lang)}–{_num(100 * b, 0, lang)} %)"

    sh = html_table([_t(lang, "avslut", "destination"), *months],
                    [[s] + [cell(*x) for x in vs] for s, vs in shares_at(res)])
    med, lo, hi = res.median
    unit = _t(lang, "månader", "months")
    median = (f"{_num(med, 1, lang)} ({_num(lo, 1, lang)}–{_num(hi, 1, lang)}) {unit}"
              if np.isfinite(med) else _t(lang, "nås inte", "not reached"))
    title = _t(lang, "Anpassning till deltagarregister", "Fit to participant records")
    intro = _t(lang, f"{rec.n} deltagare, {rec.enrolled} inskrivna {rec.data_date}; månad 0 = "
                     f"{rec.month_zero}. Scenariot: {scenario_file.name}. Bara aggregat visas.",
               f"{rec.n} participants, {rec.enrolled} enrolled at {rec.data_date}; month 0 = "
               f"{rec.month_zero}. The scenario: {scenario_file.name}. Aggregates only.")
    curves = _t(lang, f"Registret (steg, 95 % band) bredvid det anpassade scenariot simulerat {reps} "
                      "gånger till samma datum (linje: alla körningar; streckat: 95 % av "
                      "körningarnas egna kurvor, vad ett register av samma storlek kunde visa). "
                      "Median (Kaplan–Meier): ",
                f"The records (steps, 95 % band) beside the fitted scenario simulated {reps} times "
                "to the same date (line: all runs; dashed: 95 % of the runs' own curves, what one "
                "register of the same size could show). Median (Kaplan-Meier): ") + median

    def h2(sv: str, en: str) -> str:
        return f"<h2>{esc(_t(lang, sv, en))}</h2>"

    body = [f"<h1>{esc(title)}: {esc(Path(rec.file).name)}</h1>", f"<p>{esc(intro)}</p>",
            h2("Tid i insatsen och avslut", "Time in the programme and exits"), f"<p>{esc(curves)}</p>",
            *[img(png, alt, alt, f"fit{i}") for i, (png, alt) in enumerate(figs)],
            h2("Former jämförda med AIC", "Shapes compared by AIC"), aic,
            f"<p class=\"form\">{esc(res.representation)}</p>",
            h2("Andel per avslut (Aalen–Johansen)", "Shares by destination (Aalen-Johansen)"), sh,
            h2("Värden i scenariot", "Values in the scenario"), vals,
            h2("Vad data inte kan säga", "What the data cannot tell"),
            "<ul>" + "".join(f"<li>{esc(translate(n, lang))}</li>" for n in res.notes) + "</ul>",
            f"<p class=\"meta\">insats {esc(__version__)}, seed {res.seed}, {len(res.rows)} bootstrap</p>"]
    html = (f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{esc(title)}"
            f"</title><style>{CSS}</style></head><body><div class=\"page\">{''.join(body)}"
            "</div></body></html>")
    return write_text(out, html)


def _km_plot(t: np.ndarray, codes: np.ndarray, sim: pd.DataFrame, lang: str) -> tuple[bytes, str]:
    import matplotlib.pyplot as plt

    from model.report.plots import to_png

    km = survival.kaplan_meier(t, codes > 0)
    grid = _grid(t)
    est, lo, hi = simulated_band(sim, grid, 0)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.step(km["time"], km["est"], where="post", label=_t(lang, "registret (95 % band)",
                                                          "records (95 % band)"))
    ax.fill_between(km["time"], km["lo"], km["hi"], step="post", alpha=0.25)
    _sim_lines(ax, grid, est, lo, hi, lang)
    ax.set_xlabel(_t(lang, "månader i insatsen", "months in the programme"))
    ax.set_ylabel(_t(lang, "andel kvar", "share still enrolled"))
    ax.set_ylim(0, 1)
    ax.legend()
    return to_png(fig), _t(lang, "Kaplan–Meier: andel kvar i insatsen", "Kaplan-Meier: share still enrolled")


def _cif_plot(res: Any, t: np.ndarray, codes: np.ndarray, sim: pd.DataFrame, k: int,
              lang: str) -> tuple[bytes, str]:
    import matplotlib.pyplot as plt

    from model.report.plots import to_png

    cif = survival.aalen_johansen(t, codes, k + 1, seed=res.seed)
    grid = _grid(t)
    est, lo, hi = simulated_band(sim, grid, k + 1)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.step(cif["time"], cif["est"], where="post", label=_t(lang, "registret (95 % band)",
                                                            "records (95 % band)"))
    ax.fill_between(cif["time"], cif["lo"], cif["hi"], step="post", alpha=0.25)
    _sim_lines(ax, grid, est, lo, hi, lang)
    ax.set_xlabel(_t(lang, "månader i insatsen", "months in the programme"))
    ax.set_ylabel(_t(lang, "kumulativ andel", "cumulative share"))
    ax.legend()
    s = res.states[k]
    return to_png(fig), _t(lang, f"Avslut till {s} (Aalen–Johansen)", f"Exits to {s} (Aalen-Johansen)")


def _grid(t: np.ndarray) -> np.ndarray:
    """Months at which the simulated curves are drawn: to the longest stay seen."""
    return np.linspace(0.0, float(np.max(t)), 121)


def _sim_lines(ax: Any, grid: np.ndarray, est: np.ndarray, lo: np.ndarray, hi: np.ndarray,
               lang: str) -> None:
    """The simulated-back curve with its band (dashed edges, so it reads beside the records')."""
    line = ax.plot(grid, est, label=_t(lang, "scenariot simulerat (95 % av körningarna)",
                                       "scenario simulated (95 % of the runs)"))[0]
    for edge in (lo, hi):
        ax.plot(grid, edge, linestyle="--", linewidth=0.8, color=line.get_color())
