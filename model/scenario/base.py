"""What every scenario object shares: strict models, shares that sum to 1, attribute and funder names."""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

ROUTING_TOL = 1e-6
ExitCategory = Literal["work", "studies", "care", "benefit", "other"]
EXIT_CATEGORIES: tuple[str, ...] = typing.get_args(ExitCategory)
Attribute = Literal["sex", "born", "age_band", "target_group"]
ATTRIBUTES: tuple[str, ...] = typing.get_args(Attribute)
FunderName = Literal[
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
FUNDERS: tuple[str, ...] = typing.get_args(FunderName)
_FOLD = str.maketrans("åäöé", "aaoe")


def funder_name(v: Any) -> Any:
    """A funder as people write it ("ESF", "Arbetsförmedlingen") in the schema's spelling ("esf",
    "arbetsformedlingen"): case, surrounding spaces and å, ä, ö do not matter."""
    if isinstance(v, str):
        folded = v.strip().casefold().translate(_FOLD)
        if folded in FUNDERS:
            return folded
    return v


# who pays or gains; case-insensitive (`ESF` and `esf` are the same funder)
Funder = Annotated[FunderName, BeforeValidator(funder_name)]


class Strict(BaseModel):
    """Base for every scenario object: unknown keys are errors, objects are immutable.

    A field's docstring (the string right below it) is its description in docs/schema.md and in
    the JSON Schema; a line in it starting "Default:" gives the default's source.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              use_attribute_docstrings=True)


def shares_sum_to_one(shares: dict[str, float], what: str) -> dict[str, float]:
    """The shares unchanged, or ValueError naming `what` when they do not sum to 1."""
    total = sum(shares.values())
    if shares and abs(total - 1.0) > ROUTING_TOL:
        msg = f"{what} must sum to 1, they sum to {total:.6g}"
        if abs(total - 1.0) <= rounding_slack(len(shares)):
            msg += ("; if the source rounded them, `normalise: true` at the top of the file "
                    "rescales them to 1")
        raise ValueError(msg)
    return shares


# shares rounded to whole percent are each off by at most half a percentage point
ROUNDING_PER_SHARE = 0.005


def rounding_slack(n_shares: int) -> float:
    """How far from 1 the sum of n shares rounded to whole percent can be (0.005 each)."""
    return ROUNDING_PER_SHARE * n_shares + 1e-9
