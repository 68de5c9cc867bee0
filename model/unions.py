"""Families of pydantic models told apart by a `dist` tag: the names are read off the union.

Below both `model.distributions` (durations) and `model.uncertainty` (parameter distributions),
so that neither imports the other: `model.numbers` checks a number's uncertainty with
`model.uncertainty`, and the durations' bounds are `model.numbers` types.
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel


def union_tags(tp: Any) -> dict[str, type[BaseModel]]:
    """For a union of models told apart by a `dist` literal, each tag with its model (else empty).

    The one list of a family of distributions is its union; names are read off it.
    """
    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return {}
    out: dict[str, type[BaseModel]] = {}
    for member in typing.get_args(tp):
        field = (member.model_fields.get("dist")
                 if isinstance(member, type) and issubclass(member, BaseModel) else None)
        tags = typing.get_args(field.annotation) if field is not None else ()
        if len(tags) == 1 and isinstance(tags[0], str):
            out[tags[0]] = member
    return out
