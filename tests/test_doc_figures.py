"""Key figures quoted in docs/grenverket.md and docs/validation.md are what the tool prints now.

The quoted exact-mode figures (`insats run FILE --method exact --no-uncertainty`, the
expected-value path: deterministic) are recomputed and formatted as the docs write them; each must
appear in the doc's text (whitespace folded), so a change to the economics that moves them fails
here until the docs are refreshed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from model.evaluate import expected_metrics
from model.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TRAINING = ROOT / "scenarios/grenverket/anpassad_yrkesutbildning.yaml"
SE = ROOT / "scenarios/grenverket/supported_employment.yaml"


@pytest.fixture(scope="module")
def base() -> dict[str, dict[str, float]]:
    return {"training": expected_metrics(load_scenario(TRAINING)),
            "se": expected_metrics(load_scenario(SE))}


def _text(name: str) -> str:
    return re.sub(r"\s+", " ", (ROOT / "docs" / name).read_text(encoding="utf-8"))


def _kr(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ") + " kr"


def _quoted(base: dict[str, dict[str, float]]) -> list[tuple[str, str]]:
    """(doc, the figure as the doc writes it)."""
    t, s = base["training"], base["se"]
    return [
        ("grenverket.md", f"prints {_kr(t['revenue:1y'])}"),
        ("grenverket.md", f"exact mode: {_kr(s['revenue:1y'])}"),
        ("grenverket.md", f"**{t['person_years:1y']:.1f} person-years**"),
        ("grenverket.md", f"**{s['person_years:1y']:.1f} person-years**"),
        ("grenverket.md", f"**{_kr(t['cost_per_extra_job'])}** for the training"),
        ("grenverket.md", f"**{_kr(s['cost_per_extra_job'])}**, for Supported Employment"),
        ("grenverket.md", f"{t['extra_jobs_at_exit']:.1f} extra jobs ({t['exits_work']:.1f} exits "
                          f"to work less {t['jobs_without_at_exit']:.1f})"),
        ("validation.md", f"{t['extra_jobs_at_exit']:.1f} extra jobs for the training "
                          f"({t['exits_work']:.1f} exits to work less {t['jobs_without_at_exit']:.1f})"),
        ("validation.md", f"exact mode {t['revenue:1y'] / 1e6:.2f} MSEK"),
        ("validation.md", f"exact mode {s['revenue:1y'] / 1e6:.2f} MSEK"),
        ("validation.md", f"exact mode {100 * t['share_work']:.2f} %"),
        ("validation.md", f"exact mode {100 * s['share_work']:.2f} %"),
        ("validation.md", f"exact mode {_kr(t['cost_per_extra_job'])[:-3]} and "
                          f"{_kr(s['cost_per_extra_job'])}"),
    ]


def test_quoted_exact_figures_match_the_tool(base: dict[str, dict[str, float]]) -> None:
    texts = {name: _text(name) for name in ("grenverket.md", "validation.md")}
    missing = [(doc, figure) for doc, figure in _quoted(base) if figure not in texts[doc]]
    assert missing == [], f"figures the tool prints now but the docs do not quote: {missing}"


def test_the_check_can_fail(base: dict[str, dict[str, float]]) -> None:
    """A figure moved by one unit in its last printed digit is not found in the doc."""
    t = base["training"]
    assert f"prints {_kr(t['revenue:1y'] + 1)}" not in _text("grenverket.md")
