"""Per-actor figures (issue 13 item 3): NPV, put in / returned, payback per actor and view, by
hand on a small scenario; transfers net to zero in every view; the actors' net sums to the
societal NPV; the co-financing sentence quotes the per-actor table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from econ_helpers import deterministic, only, priced
from typer.testing import CliRunner

from cli import app
from model.economics import actor_summary
from model.report.actor_view import actor_frame, cofinancing_sentences

runner = CliRunner()


def _two_actors(rate: float = 0.0) -> dict:
    """Ten people, three months, all to work (f = l = 0), full time, 1-year horizon.

    Kommunen pays 30 000 kr a month for 3 months (90 000 kr) and an allowance of 1 000 kr per
    participant-month (30 000 kr, a transfer to the individual); of 120 000 kr a person-year in
    work, 25 % goes to kommunen and 75 % to staten; one transfer: 24 000 kr a person-year from
    the individual to kommunen (tax)."""
    raw = deterministic(vpy=120_000.0, rate=rate,
                        costs={"fixed": [{"per_month": 30_000, "funder": "kommun"}],
                               "per_participant_month": [{"per_participant_month": 1_000, "funder": "kommun",
                                                          "allowance": True}]})
    raw["valuation"] |= {"horizon_years": 1, "views_years": [1],
                         "actor_shares": {"kommun": 0.25, "staten": 0.75},
                         "transfers": [{"payer": "individen", "payee": "kommun",
                                        "per_year": 24_000}]}
    return raw


def _row(p, actor: str, view: str = "1y") -> pd.Series:
    a = p.actors
    return a[(a["actor"] == actor) & (a["view"] == view)].iloc[0]


def test_per_actor_figures_by_hand() -> None:
    """Ten people in work for months 3–11: 7.5 person-years. Kommunen: real 0.25 × 120 000 × 7.5 =
    225 000, transfers 24 000 × 7.5 − 30 000 (allowances) = 150 000, cost 90 000, net 285 000;
    put in 90 000 + 30 000 = 120 000, returned 405 000. Staten: real 675 000, nothing put in.
    Individen: transfers 30 000 − 180 000 = −150 000. Payback for kommunen (r = 0): it puts in
    40 000 in each of months 1–3; from month 4 each month brings 10 × (30 000 + 24 000) / 12 =
    45 000 back: 45 000, 90 000 after month 5, 135 000 ≥ 120 000 after month 6: payback 6."""
    p = priced(_two_actors())
    k, s, i = _row(p, "kommun"), _row(p, "staten"), _row(p, "individen")
    assert k["real"] == pytest.approx(225_000)
    assert k["transfers"] == pytest.approx(150_000)
    assert k["cost"] == pytest.approx(90_000)
    assert k["net"] == pytest.approx(285_000)
    assert (k["paid"], k["returned"]) == (pytest.approx(120_000), pytest.approx(405_000))
    assert k["payback_months"] == 6.0 and bool(k["pays"])
    assert s["real"] == pytest.approx(675_000) and s["paid"] == 0 and not s["pays"]
    assert np.isnan(s["payback_months"])
    assert i["transfers"] == pytest.approx(-150_000) and i["real"] == 0
    assert only(p, "npv:1y") == pytest.approx(900_000 - 90_000)


@pytest.mark.parametrize("rate", [0.0, 0.035])
def test_transfers_net_to_zero_and_actors_sum_to_the_societal_npv(rate: float) -> None:
    """In every view and run, undiscounted and PV: Σ transfers = 0, Σ real = revenue,
    Σ cost = cost, Σ net = NPV (the ledger against the totals)."""
    raw = _two_actors(rate)
    raw["valuation"] |= {"horizon_years": 5, "views_years": [1, 5]}
    raw["counterfactual"] = {"monthly_hazard": 0.02}
    raw["employment"] = {"retention": {"monthly_hazard": 0.03}, "extent": 0.75}
    p = priced(raw, reps=3)
    sums = p.actors.groupby(["rep", "view"])[["transfers", "transfers_pv", "real", "real_pv",
                                              "net_pv", "cost"]].sum()
    m = p.metrics.set_index("rep")
    for (rep, view), row in sums.iterrows():
        scale = m.at[rep, f"revenue:{view}"]
        assert abs(row["transfers"]) <= 1e-9 * scale and abs(row["transfers_pv"]) <= 1e-9 * scale
        assert row["real"] == pytest.approx(m.at[rep, f"revenue:{view}"])
        assert row["real_pv"] == pytest.approx(m.at[rep, f"revenue_pv:{view}"])
        assert row["net_pv"] == pytest.approx(m.at[rep, f"npv:{view}"])
        assert row["cost"] == pytest.approx(m.at[rep, "cost"])
    # the headline view agrees with the yearly ledger, actor by actor
    led = p.ledger.groupby(["rep", "actor"])[["net_pv", "transfers_pv"]].sum()
    head = p.actors[p.actors["view"] == "5y"].set_index(["rep", "actor"])
    for key in ("net_pv", "transfers_pv"):
        assert head[key].to_numpy() == pytest.approx(led.loc[head.index, key].to_numpy())


def test_never_paying_back_is_a_share_of_runs() -> None:
    """An actor that pays and gets nothing back never pays back: payback NaN in every run, and
    the summary's no_payback share is 1; an actor that pays nothing has no share."""
    raw = _two_actors()
    raw["costs"]["fixed"].append({"per_month": 10_000, "funder": "arbetsformedlingen"})
    s = actor_summary(priced(raw, reps=2).actors).set_index(["actor", "view"])
    assert s.at[("arbetsformedlingen", "1y"), "no_payback"] == 1.0
    assert np.isnan(s.at[("arbetsformedlingen", "1y"), "payback_months"])
    assert s.at[("kommun", "1y"), "no_payback"] == 0.0
    assert np.isnan(s.at[("staten", "1y"), "no_payback"])


def test_the_cofinancing_sentence_quotes_the_actor_table(tmp_path) -> None:
    """'Kommunen betalar X kr och får tillbaka Y kr på 1 år (nuvärde); återbetalt efter Z mån':
    X, Y and Z are the per-actor table's paid, returned_pv and payback_months; the CLI prints the
    compact table and the sentence, and --format json carries kind 'actor' records."""
    import yaml

    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(_two_actors(), allow_unicode=True), encoding="utf-8")
    from model.api import run_scenario
    from model.load import load_scenario

    res = run_scenario(load_scenario(path), replications=1)
    k = actor_frame(res).set_index(["actor", "view"]).loc[("kommun", "1y")]
    (sentence,) = cofinancing_sentences(res, "sv")
    assert sentence == ("Kommunen betalar 120 000 kr och får tillbaka 405 000 kr på 1 år (nuvärde); "
                        "återbetalt efter 6 mån.")
    assert (k["paid"], k["returned_pv"], k["payback_months"]) == (pytest.approx(120_000),
                                                                   pytest.approx(405_000), 6.0)
    out = runner.invoke(app, ["run", str(path), "--quiet"])
    assert out.exit_code == 0, out.output
    assert sentence in out.output and "Transfereringar" in out.output
    assert max(len(line) for line in out.output.splitlines()) <= 120
    rec = pd.DataFrame(json.loads(runner.invoke(app, ["run", str(path), "--quiet", "--format",
                                                      "json"]).stdout))
    mine = rec[(rec["kind"] == "actor") & (rec["actor"] == "kommun") & (rec["view"] == "1y")]
    assert mine.set_index("metric").at["actor_net_pv", "mean"] == pytest.approx(285_000)
    assert "1 år, nuvärde" in mine.set_index("metric").at["actor_net_pv", "label"]
