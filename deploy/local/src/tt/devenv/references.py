"""The lint step that keeps the repository standing alone: every document a file cites
must exist in it, and no file names a path of somebody's machine.

    python -m tt.devenv.references        # prints each bad reference; exit 1 if any
                                          # (a step of ./dev lint)

Checked in every tracked text file:
- relative Markdown links (``[x](../docs/api.md)``) and ``docs/….md`` mentions resolve
  to a file of the repository;
- ``docs/api.md §n`` names a section that the document has;
- no citation of documents that live outside the repository (the upper-case design
  notes of the team, by name or as ``NAME <section>``), and no issue numbers of a
  tracker the reader cannot see;
- no absolute path of a developer's machine (a home or workspace folder).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from tt.devenv.layout import REPO

TEXT_SUFFIXES = {
    ".py", ".md", ".yml", ".yaml", ".toml", ".js", ".html", ".css", ".sh", ".cfg", ".ini",
    ".txt", ".json",
}  # fmt: skip
OUTSIDE_DOCUMENTS = re.compile(r"\b(?:CONTRACT|ARCHITECTURE|CONVENTIONS)(?:\.md\b|\s+§?\d)")
ISSUE_NUMBER = re.compile(r"\b[Ii]ssue\s+#?\d+\b")
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|home|Users|check)/[\w.-]+")
MARKDOWN_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)\s#]+)(?:#[^)]*)?\)")
DOCS_MENTION = re.compile(r"(?<![\w/.])(docs/[\w./-]+\.md)(?:\s+§(\d+))?")
THIS_FILE = Path(__file__).resolve()


def tracked_text_files(root: Path = REPO) -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    files = [root / n for n in names if Path(n).suffix in TEXT_SUFFIXES or n == "dev"]
    return [f for f in files if f.is_file() and f.resolve() != THIS_FILE]


@cache
def _sections(document: Path) -> frozenset[str]:
    """The numbered sections of a document, read once however often it is cited."""
    return frozenset(re.findall(r"^## (\d+)\.", document.read_text(), flags=re.MULTILINE))


def bad_references(path: Path, root: Path = REPO) -> Iterator[str]:
    """``line: what is wrong`` for each bad reference in one file."""
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, why in (
            (OUTSIDE_DOCUMENTS, "cites a document that is not in the repository"),
            (ISSUE_NUMBER, "cites an issue number the reader cannot look up"),
            (MACHINE_PATH, "names a path of a developer's machine"),
        ):
            for found in pattern.finditer(line):
                yield f"{number}: {why}: {found.group(0)!r}"
        if path.suffix == ".md":
            for found in MARKDOWN_LINK.finditer(line):
                target = (path.parent / found.group(1)).resolve()
                if not target.exists():
                    yield f"{number}: links to a missing file: {found.group(1)!r}"
        for found in DOCS_MENTION.finditer(line):
            document = root / found.group(1)
            if not document.exists():
                yield f"{number}: names a missing document: {found.group(1)!r}"
            elif found.group(2) and found.group(2) not in _sections(document):
                yield f"{number}: {found.group(1)} has no section {found.group(2)}"


def main() -> int:
    bad = 0
    for path in tracked_text_files():
        for problem in bad_references(path):
            print(f"{path.relative_to(REPO)}:{problem}")
            bad += 1
    if bad:
        print(f"{bad} reference(s) to fix", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
