"""Sensitivity analysis: read from saved sweep folders (`--sweep`), rendered by `model.report.sweep_view`."""

from __future__ import annotations

from model.report.page import Page

KEY = "sweep"
TITLE = ("Känslighetsanalys", "Sensitivity analysis")


def html(page: Page) -> str | None:
    return page.sweep_html
