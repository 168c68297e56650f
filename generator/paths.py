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
