"""Resolved paths, worked out once per build.

A build resolves the same data files several times over (to check each stays
inside the data folder, to group services into units, to name them in the
open data): at GOV.UK scale that was thousands of ``realpath`` calls, each a
chain of ``lstat``s, and a tenth of a one-service rebuild. Builds call
:func:`forget` first, so a long-running dev server sees links that changed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def resolved(path: Path) -> Path:
    """``path.resolve()``, remembered until :func:`forget`."""
    return path.resolve()


def forget() -> None:
    resolved.cache_clear()


def is_pattern(name: str) -> bool:
    """Whether a data file name is a pattern for several files ('ae/*.csv', 'calls-2024-??.csv')."""
    return "*" in name or "?" in name


def matching(data_dir: Path, name: str) -> list[Path]:
    """The files a data file name stands for: itself, or every file inside the data folder that its
    pattern matches, in name order (so builds read them in the same order on every machine)."""
    if not is_pattern(name):
        return [data_dir / name]
    root = resolved(data_dir)
    return sorted(p for p in data_dir.glob(name) if p.is_file() and resolved(p).is_relative_to(root))
