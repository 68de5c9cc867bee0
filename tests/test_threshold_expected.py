"""Threshold searches on the expected-value path (issue 11.3): `insats threshold --method exact`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli import app
from model.analysis import threshold
from model.evaluate import expected_metrics
from model.scenario import load_yaml, parse_scenario
from model.sweep import apply_values, parse_path

ROOT = Path(__file__).resolve().parents[1]
SE = ROOT / "scenarios/grenverket/supported_employment.yaml"


def test_threshold_on_the_expected_path_reprices_to_the_target() -> None:
    """Re-pricing the scenario at the value found gives NPV 0 on the expected path (within a
    millionth of the cost: Brent's tolerance), and the search says it simulated nothing."""
    found = threshold(SE, "valuation.value_per_year", 100_000, 600_000, method="exact")
    raw, _ = load_yaml(SE)
    again, _ = apply_values(raw, [(parse_path("valuation.value_per_year"), found.value)])
    m = expected_metrics(parse_scenario(again, file=str(SE)))
    assert abs(m["npv"]) <= 1e-6 * m["cost_pv"], (found.value, m["npv"])
    assert found.replications == 0 and "väntevärdesvägen" in found.text("sv")
    assert 100_000 < found.value < 600_000


def test_threshold_on_the_expected_path_refuses_a_binding_capacity() -> None:
    """Framgången's capacity binds: exact mode refuses it with the reason and exit 2."""
    res = CliRunner().invoke(app, ["threshold", str(ROOT / "scenarios/library/framgangen.yaml"),
                                   "valuation.value_per_year", "--low", "1", "--high", "1000000",
                                   "--method", "exact", "--quiet", "--lang", "en"])
    assert res.exit_code == 2, res.output
    assert "expected-value path cannot price" in res.output and "Traceback" not in res.output
