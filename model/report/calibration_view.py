"""What a calibration says, for people: convergence, prior against posterior, what the targets
cannot tell apart, and the fit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from model.report.text import in_lang, number, table

if TYPE_CHECKING:
    from model.psa.calibrate import Calibration


def _g(x: float, lang: str) -> str:
    """A number with 4 significant figures, in the language's notation."""
    text = f"{x:.4g}"
    return text.replace(".", ",") if lang == "sv" else text


def _short(name: str) -> str:
    """An input's name without its scenario prefix when it has one."""
    return name.split(":", 1)[1] if ":" in name else name


def diagnostics_text(cal: Calibration, lang: str = "sv") -> str:
    """One row per free input: prior sd, posterior mean, sd and 95 %, contraction, R-hat, ESS."""
    d = cal.diag
    rows = [[_short(n), _g(r.prior_sd, lang), _g(r.mean, lang), _g(r.sd, lang),
             f"{_g(r.post_lo, lang)} – {_g(r.post_hi, lang)}", number(r.contraction, 2, lang),
             number(r.r_hat, 3, lang), number(r.ess_bulk, 0, lang), _g(r.mcse, lang)]
            for n, r in zip(d.index, d.itertuples(), strict=True)]
    heads = in_lang(lang, "Parameter|Prior sd|Posterior medel|Posterior sd|Posterior 95 %|"
                          "sd-kvot (post/prior)|R-hat|Bulk-ESS|MCSE medel",
                    "Parameter|Prior sd|Posterior mean|Posterior sd|Posterior 95 %|"
                    "sd ratio (post/prior)|R-hat|Bulk ESS|MCSE mean").split("|")
    return table(rows, heads)


def calibration_text(cal: Calibration, files: list, lang: str = "sv") -> str:
    """The whole printed answer of `insats calibrate`."""
    from model.psa.calibrate import unidentified
    from model.psa.mcmc import ESS_MIN, RHAT_MAX

    m = cal.spec.method
    head = in_lang(
        lang,
        f"Kalibrering {cal.spec.name}: ensemble-MCMC (emcee), {m.runs} oberoende "
        f"{'körning' if m.runs == 1 else 'körningar'} med "
        f"{m.walkers} vandrare × {m.steps} steg (de första {m.burn} kastade), frö {m.seed}; "
        f"priorn är scenariernas angivna fördelningar. {len(cal.rows)} rader sparas (vart "
        f"{m.thin}:e steg).",
        f"Calibration {cal.spec.name}: ensemble MCMC (emcee), {m.runs} independent runs of "
        f"{m.walkers} walkers × {m.steps} steps (the first {m.burn} discarded), seed {m.seed}; "
        f"the prior is the scenarios' declared distributions. {len(cal.rows)} rows kept (every "
        f"{m.thin}th step).")
    if cal.prob.simulated:
        head += in_lang(lang, f" Simulerade mål: medel av {m.replications} kohorter per "
                              f"utvärdering, kohortfrö {m.simulation_seed} (samma vid varje "
                              "parameteruppsättning och i varje körning).",
                        f" Simulated targets: the mean of {m.replications} cohorts per "
                        f"evaluation, cohort seed {m.simulation_seed} (the same at every "
                        "parameter set and in every run).")
    if cal.converged:
        verdict = in_lang(lang, f"Konvergens: ja (R-hat ≤ {RHAT_MAX} och bulk-ESS ≥ {ESS_MIN} för "
                                "varje parameter).",
                          f"Converged: yes (R-hat ≤ {RHAT_MAX} and bulk ESS ≥ {ESS_MIN} for every "
                          "parameter).")
    else:
        verdict = in_lang(lang, f"EJ KONVERGERAD: någon parameter har R-hat > {RHAT_MAX} eller "
                                f"bulk-ESS < {ESS_MIN}; en posterior utan konvergens räknas inte.",
                          f"NOT CONVERGED: some parameter has R-hat > {RHAT_MAX} or bulk ESS < "
                          f"{ESS_MIN}; a posterior without convergence does not count.")
    parts = [head, verdict, diagnostics_text(cal, lang)]
    corr = cal.correlations()
    parts.append(in_lang(lang, "Starkaste posteriorkorrelationer: ",
                         "Strongest posterior correlations: ")
                 + "; ".join(f"{_short(a)} ~ {_short(b)} {number(r, 2, lang)}" for a, b, r in corr))
    ridge, weak = unidentified(cal)
    words = []
    for a, b, r in ridge:
        words.append(in_lang(
            lang, f"Målen skiljer inte {_short(a)} från {_short(b)} (korrelation "
                  f"{number(r, 2, lang)}): de bestämmer en kombination av dem, inte var och en; "
                  "hela åsen finns kvar i raderna.",
            f"The targets do not separate {_short(a)} from {_short(b)} (correlation "
            f"{number(r, 2, lang)}): they fix a combination of the two, not each; the rows keep "
            "the whole ridge."))
    for n, c in weak:
        words.append(in_lang(
            lang, f"{_short(n)}: målen säger lite om den (posteriorns sd är "
                  f"{number(100 * c, 0, lang)} % av priorns).",
            f"{_short(n)}: the targets say little about it (posterior sd {number(100 * c, 0, lang)} "
            "% of the prior's)."))
    if words:
        parts.append(in_lang(lang, "Vad målen inte kan avgöra:\n", "What the targets cannot "
                             "tell:\n") + "\n".join(f"- {w}" for w in words))
    fit = cal.fit
    frows = [[f"{r.scenario}: {r.metric}", r.reported or _g(r.target, lang), _g(r.target, lang),
              _g(r.sd, lang), _g(r.at_median, lang), number(r.gap_sd, 2, lang),
              f"{_g(r.predictive_lo, lang)} – {_g(r.predictive_hi, lang)}"]
             for r in fit.itertuples()]
    fheads = in_lang(lang, "Mål|Rapporterat|Värde|sd|Vid posteriormedianerna|Avvikelse (sd)|"
                           "Prediktiv 95 %",
                     "Target|Reported|Value|sd|At the posterior medians|Gap (sd)|"
                     "Predictive 95 %").split("|")
    parts.append(table(frows, fheads))
    if files:
        parts.append(in_lang(lang, "Skrev ", "Wrote ") + ", ".join(str(f) for f in files))
    return "\n\n".join(parts)
