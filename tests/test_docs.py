"""The docs' promises: section references point at sections that exist, and nothing cites a file
outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = [p for pattern in ("*.md", "docs/*.md", "model/**/*.py", "cli.py", "notebooks/*.ipynb",
                          "scenarios/**/*.yaml")
        for p in sorted(ROOT.glob(pattern))]
SECTION_REF = re.compile(r"method\.md`?(?: §|, sections? )(\d+)")


def _sections(doc: Path) -> dict[int, str]:
    """Numbered headings of a doc: number -> title."""
    found = re.findall(r"^## (\d+)\. (.+)$", doc.read_text(encoding="utf-8"), re.M)
    return {int(n): title for n, title in found}


def test_method_section_references_exist_and_defaults_point_at_defaults() -> None:
    """Every "method.md §N" names a section there; one about defaults names the defaults section."""
    sections = _sections(ROOT / "docs" / "method.md")
    defaults = next(n for n, t in sections.items() if t.startswith("Defaults"))
    seen = 0
    for path in TEXT:
        for line in path.read_text(encoding="utf-8").splitlines():
            for m in SECTION_REF.finditer(line):
                seen += 1
                n = int(m.group(1))
                assert n in sections, f"{path.name}: {line.strip()!r} cites a missing section"
                if re.search(r"default|standardvärde", line, re.I):
                    assert n == defaults, f"{path.name}: {line.strip()!r} should cite §{defaults}"
    assert seen >= 5


def test_nothing_cites_files_outside_the_repository() -> None:
    """Docs, scenarios, notebooks and code cite public documents, not SOURCES.md or local paths."""
    for path in TEXT:
        text = path.read_text(encoding="utf-8")
        assert "SOURCES.md" not in text, path
        assert "/work/shared" not in text, path


def test_sources_by_number_are_listed() -> None:
    """docs/sources.md names the five documents that sources cite as 000 to 004."""
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    for code, title in [("000", "Grenverket har slagit rot"), ("001", "Ungdomsteamets"),
                        ("002", "Framgången"), ("003", "Torget"), ("004", "Självvärdering 2007")]:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{code}` |"))
        assert title in row
