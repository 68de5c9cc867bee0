"""Problems found in user input, collected so that a planner sees all of them at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is, what was there and what is allowed."""

    file: str
    path: str
    message: str
    value: object = None
    line: int | None = None

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        loc = f" {self.path}:" if self.path else ""
        val = "" if self.value is None else f" (got {_short(self.value)})"
        return f"{where}:{loc} {self.message}{val}"


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class InputError(Exception):
    """Raised with every problem found in one input; the CLI prints them and exits with code 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))
