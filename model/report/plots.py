"""What the report's plots share (matplotlib, Agg backend): style, colours, axis formats, PNG bytes.

Each plot lives with its section (`model.report.sections`); every plot function takes the
programmes to show (one, or several side by side) and a language, and returns PNG bytes. Axis
numbers use the same Swedish/English formats as the tables (`model.report.text.number`).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from model.report.text import number

# colour-blind-safe palette (Okabe & Ito) for programmes; exit categories have fixed colours
PROGRAMME_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
CATEGORY_COLOURS = {"work": "#2E8B57", "studies": "#3A7DC9", "care": "#8E6BB8",
                    "benefit": "#E08A2E", "other": "#9AA0A6"}
INTERVENTION_COLOURS = ["#A6CEE3", "#CAB2D6", "#FFE08A", "#D9C2A7", "#B5D3D0", "#F4B6C2"]
OPEN_COLOUR = "#E8E8E8"
COST_COLOUR = "#C0392B"
BENEFIT_COLOUR = "#2E8B57"
TRANSFER_COLOUR = "#7F8C8D"
INK = "#222222"
GRID = "#E3E3E3"

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.edgecolor": "#888888",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}
DPI = 110


def money_axis(lang: str) -> FuncFormatter:
    """Axis ticks in millions of kronor: '2,5 Mkr' / '2.5 MSEK'."""
    unit = "Mkr" if lang == "sv" else "MSEK"

    def f(v: float, _pos: int) -> str:
        m = v / 1e6
        decimals = 0 if float(round(m, 6)).is_integer() else 1
        return f"{number(m, decimals, lang)} {unit}"

    return FuncFormatter(f)


def plain_axis(lang: str, decimals: int = 0, suffix: str = "") -> FuncFormatter:
    return FuncFormatter(lambda v, _p: f"{number(v, decimals, lang)}{suffix}")


def percent_axis(lang: str) -> FuncFormatter:
    return FuncFormatter(lambda v, _p: f"{number(v * 100, 0, lang)} %")


def to_png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def styled(fn: Callable[..., bytes]) -> Callable[..., bytes]:
    def wrapper(*args, **kwargs) -> bytes:
        with plt.rc_context(STYLE):
            return fn(*args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper
