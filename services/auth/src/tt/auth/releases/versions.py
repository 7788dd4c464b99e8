"""Release version strings: ``v4.1.0``, ``4.1``, ``4.1.0-rc.1``, compared numerically."""

from __future__ import annotations

import re

_VERSION = re.compile(
    r"^v?(?P<release>\d{1,6}(?:\.\d{1,6}){0,3})"
    r"(?:[-.]?(?P<pre>a|b|rc|alpha|beta|pre|dev)[-.]?(?P<pre_n>\d{0,6}))?$",
    re.IGNORECASE,
)
_PRE_ORDER = {"dev": 0, "a": 1, "alpha": 1, "pre": 1, "b": 2, "beta": 2, "rc": 3}

Key = tuple[tuple[int, ...], int, int]


def normalise(raw: object) -> str | None:
    """``v4.1.0`` -> ``4.1.0``; None for anything that is not a version."""
    if not isinstance(raw, str):
        return None
    match = _VERSION.match(raw.strip())
    if match is None:
        return None
    text = match["release"]
    if match["pre"]:
        text += f"-{match['pre'].lower()}{match['pre_n'] or ''}"
    return text


def sort_key(version: str) -> Key:
    match = _VERSION.match(version)
    if match is None:
        raise ValueError(f"not a version: {version!r}")
    parts = tuple(int(p) for p in match["release"].split("."))
    release = parts + (0,) * (4 - len(parts))
    if match["pre"]:
        return release, _PRE_ORDER[match["pre"].lower()], int(match["pre_n"] or 0)
    return release, 99, 0  # a final release sorts after its pre-releases


def is_upgrade(current: str | None, latest: str | None) -> bool:
    if not current or not latest:
        return False
    try:
        return sort_key(latest) > sort_key(current)
    except ValueError:
        return False
