"""What every scenario object shares: strict models, shares that sum to 1, attribute and funder names."""

from __future__ import annotations

import typing
from typing import Literal

from pydantic import BaseModel, ConfigDict

ROUTING_TOL = 1e-6
ExitCategory = Literal["work", "studies", "care", "benefit", "other"]
EXIT_CATEGORIES: tuple[str, ...] = typing.get_args(ExitCategory)
Attribute = Literal["sex", "born", "age_band", "target_group"]
ATTRIBUTES: tuple[str, ...] = typing.get_args(Attribute)
Funder = Literal[
    "esf",
    "kommun",
    "arbetsformedlingen",
    "forsakringskassan",
    "region",
    "samordningsforbund",
    "staten",
    "individen",
    "other",
]
FUNDERS: tuple[str, ...] = typing.get_args(Funder)


class Strict(BaseModel):
    """Base for every scenario object: unknown keys are errors, objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def shares_sum_to_one(shares: dict[str, float], what: str) -> dict[str, float]:
    """The shares unchanged, or ValueError naming `what` when they do not sum to 1."""
    total = sum(shares.values())
    if shares and abs(total - 1.0) > ROUTING_TOL:
        raise ValueError(f"{what} must sum to 1, they sum to {total:.6g}")
    return shares
