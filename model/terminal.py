"""Text from files made safe to print: no terminal escape sequences, no unprintable characters.

A label, a file name or a value quoted in a problem can hold an escape sequence (ESC [ 2 J clears
the screen, OSC 8 makes links, others retitle the window), other control characters, or a lone
surrogate that the terminal's encoding cannot write. `printable` removes the first two and
replaces the last, keeping newlines and tabs; the CLI passes everything it prints through it.
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences, then any
# remaining C0/C1 control character except tab and newline, and DEL
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
_SURROGATES = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` without escape sequences and control characters (but \\n and \\t), surrogates as �."""
    return _SURROGATES.sub("\ufffd", _ESCAPES.sub("", text))
