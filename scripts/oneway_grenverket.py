"""One-way sensitivity for the Grenverket pair: each main assumption low and high, the rest at base.

Reads scenarios/grenverket/*.yaml, changes one assumption at a time on the validated Scenario
(`model_copy(update=...)`), runs `model.api.run_scenario` on the scenarios' seed (common random
numbers, so a row differs from the base only through the changed assumption) and prints a
Markdown table of the 1-year societal revenue (PwC's "samhällsintäkt", undiscounted) and the
net present value at the horizon, for both programmes. docs/grenverket.md shows its output.

    .venv/bin/python scripts/oneway_grenverket.py                # the scenarios' 200 replications
    .venv/bin/python scripts/oneway_grenverket.py --reps 50 --csv out/oneway.csv   # quicker
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from model.api import run_scenario
from model.load import load_scenario
from model.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
TRAINING = ROOT / "scenarios" / "grenverket" / "anpassad_yrkesutbildning.yaml"
SE = ROOT / "scenarios" / "grenverket" / "supported_employment.yaml"
SE_MONTHS = 18.0  # the Supported Employment scenario's longest time in job search


def with_valuation(sc: Scenario, **changes: object) -> Scenario:
    return sc.model_copy(update={"valuation": sc.valuation.model_copy(update=changes)})


def with_employment(sc: Scenario, **changes: object) -> Scenario:
    return sc.model_copy(update={"employment": sc.employment.model_copy(update=changes)})


def with_retention(sc: Scenario, share: float) -> Scenario:
    retention = sc.employment.retention.model_copy(
        update={"share_at_12_months": share, "monthly_hazard": None})
    return with_employment(sc, retention=retention)


def with_counterfactual(sc: Scenario, hazard: float) -> Scenario:
    cf = sc.counterfactual.model_copy(update={"monthly_hazard": hazard})
    return sc.model_copy(update={"counterfactual": cf})


def with_horizon(sc: Scenario, years: float) -> Scenario:
    return with_valuation(sc, horizon_years=years, views_years=sorted({1.0, years}))


def with_work_share(sc: Scenario, share: float) -> Scenario:
    """Training: the routing share to work; SE: the job-finding hazard giving that share by 18 months."""
    iv = sc.interventions[0]
    if "arbete" in iv.routing:
        changed = iv.model_copy(update={"routing": {"arbete": share, "annat": 1.0 - share}})
    else:
        hazard = -math.log(1.0 - share) / SE_MONTHS
        changed = iv.model_copy(update={"exit_hazards": {**iv.exit_hazards, "arbete": hazard}})
    return sc.model_copy(update={"interventions": [changed, *sc.interventions[1:]]})


def base_work_share(sc: Scenario) -> float:
    iv = sc.interventions[0]
    if "arbete" in iv.routing:
        return float(iv.routing["arbete"])
    return 1.0 - math.exp(-iv.exit_hazards["arbete"] * SE_MONTHS)


# (assumption, unit, low, high, how to read its base value, how to apply it);
# low/high None means "the scenario's own base ∓ 0.10" (the work share)
Change = Callable[[Scenario, float], Scenario]
Read = Callable[[Scenario], float]
ASSUMPTIONS: list[tuple[str, str, float | None, float | None, Read, Change]] = [
    ("value per person-year", "kr", 440_000, 600_000,
     lambda sc: sc.valuation.value_per_year,
     lambda sc, v: with_valuation(sc, value_per_year=v)),
    ("counterfactual hazard", "per month", 0.0, 0.0176,
     lambda sc: sc.counterfactual.monthly_hazard, with_counterfactual),
    ("retention (share in work at 12 months)", "", 0.3, 0.8,
     lambda sc: sc.employment.retention.share_at_12_months, with_retention),
    ("employment extent", "of full time", 0.25, 1.0,
     lambda sc: sc.employment.extent, lambda sc, v: with_employment(sc, extent=v)),
    ("horizon", "years", 1.0, 10.0, lambda sc: sc.valuation.horizon_years, with_horizon),
    ("work share", "", None, None, base_work_share, with_work_share),
]


def metrics(sc: Scenario, reps: int | None, workers: int) -> dict[str, float]:
    m = run_scenario(sc, replications=reps, workers=workers).priced.metrics
    return {"revenue_1y": float(m["revenue:1y"].mean()), "revenue": float(m["revenue"].mean()),
            "npv": float(m["npv"].mean())}


def oneway(reps: int | None, workers: int) -> pd.DataFrame:
    """Tidy table: one row per programme, assumption and level (base, low, high)."""
    rows = []
    for path in (TRAINING, SE):
        sc = load_scenario(path)
        base = metrics(sc, reps, workers)
        rows.append({"programme": sc.title, "assumption": "(base)", "level": "base",
                     "value": math.nan, **base})
        for name, _unit, low, high, _read, change in ASSUMPTIONS:
            for level, value in (("low", low), ("high", high)):
                if value is None:
                    step = -0.10 if level == "low" else 0.10
                    value = round(base_work_share(sc) + step, 4)
                rows.append({"programme": sc.title, "assumption": name, "level": level,
                             "value": value, **metrics(change(sc, value), reps, workers)})
    return pd.DataFrame(rows)


def msek(x: float) -> str:
    return f"{x / 1e6:.1f}"


def value_text(v: float, unit: str) -> str:
    return f"{v:,.0f}".replace(",", " ") if unit == "kr" else f"{v:g}"


def markdown(df: pd.DataFrame, scenarios: list[Scenario]) -> str:
    """Assumptions as rows; per programme: 1-year revenue and NPV (MSEK) at low / high."""
    progs = [sc.title for sc in scenarios]
    head = ["assumption", "low / high (base)"]
    for p in progs:
        head += [f"{p}: revenue 1 yr, MSEK", f"{p}: NPV, MSEK"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    base = df[df["level"] == "base"].set_index("programme")
    cells = ["**base**", ""]
    for p in progs:
        cells += [f"**{msek(base.loc[p, 'revenue_1y'])}**", f"**{msek(base.loc[p, 'npv'])}**"]
    lines.append("| " + " | ".join(cells) + " |")
    for name, unit, low, high, read, _change in ASSUMPTIONS:
        sub = df[df["assumption"] == name]
        bases = [read(sc) for sc in scenarios]
        if low is None or high is None:
            shown = " / ".join(f"{b:.0%}" for b in bases)
            span = f"base − / + 10 points (base {shown})"
        else:
            shown = " / ".join(dict.fromkeys(value_text(b, unit) for b in bases))
            span = f"{value_text(low, unit)} / {value_text(high, unit)} {unit} (base {shown})"
            span = span.replace("  ", " ")
        cells = [name, span]
        for p in progs:
            s = sub[sub["programme"] == p].set_index("level")
            cells += [f"{msek(s.loc['low', 'revenue_1y'])} / {msek(s.loc['high', 'revenue_1y'])}",
                      f"{msek(s.loc['low', 'npv'])} / {msek(s.loc['high', 'npv'])}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=None,
                    help="replications per run (default: the scenarios' own, 200)")
    ap.add_argument("--workers", type=int, default=1, help="worker processes per run")
    ap.add_argument("--csv", type=Path, default=None, help="also write the tidy table here")
    args = ap.parse_args(argv)
    df = oneway(args.reps, args.workers)
    if args.csv is not None:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(args.csv, index=False)
    reps = args.reps or load_scenario(TRAINING).simulation.replications
    print(f"One-way sensitivity, {reps} replications per run, seed from the scenarios; "
          "NPV at each scenario's horizon (5 years unless the horizon row changes it).\n")
    print(markdown(df, [load_scenario(TRAINING), load_scenario(SE)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
