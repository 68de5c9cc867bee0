"""Problems found in user input, collected so that a planner sees all of them at once."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is, what was there and what is allowed."""

    file: str
    path: str
    message: str
    value: object = None
    line: int | None = None

    def render(self, lang: str = "en") -> str:
        """`file:line: path: message (got value)`, the message in `lang` (see `model.messages`);
        the file, path and value stay as written."""
        from model.messages import translate

        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        loc = f" {self.path}:" if self.path else ""
        got = "angivet:" if lang == "sv" else "got"
        val = "" if self.value is None else f" ({got} {_short(self.value)})"
        return f"{where}:{loc} {translate(self.message, lang)}{val}"


def _short(value: object, limit: int = 80) -> str:
    """A bounded repr: a huge value (say an alias bomb expanded) is never rendered whole."""
    r = reprlib.Repr()
    r.maxlevel, r.maxlist, r.maxtuple, r.maxdict, r.maxset = 2, 4, 4, 4, 4
    r.maxstring = r.maxother = r.maxlong = limit
    text = r.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class InputError(Exception):
    """Raised with every problem found in one input; the CLI prints them and exits with code 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))

    def lines(self, lang: str = "en") -> list[str]:
        """The heading and one line per problem, in `lang`, as the CLI prints them."""
        n = len(self.problems)
        head = (f"insats: {n} problem i indata:" if lang == "sv"
                else f"insats: {n} problem{'s' if n != 1 else ''} in the input:")
        return [head, *(f"  {p.render(lang)}" for p in self.problems)]


class OutputError(Exception):
    """Writing an output failed (read-only folder, full disk, a loop of links): one line, exit 1.

    Not the input's fault, so not a Problem; the CLI prints `insats: cannot write PATH: reason`.
    """

    def __init__(self, path: object, cause: OSError | str):
        self.path = str(path)
        reason = cause if isinstance(cause, str) else (cause.strerror or str(cause))
        self.reason = reason
        super().__init__(f"cannot write {self.path}: {reason}")

    def text(self, lang: str = "en") -> str:
        """The one line in `lang` (the system's reason stays as the system wrote it)."""
        if lang == "sv":
            from model.messages import translate

            return f"kan inte skriva {self.path}: {translate(self.reason, lang)}"
        return str(self)
