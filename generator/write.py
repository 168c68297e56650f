"""Write the finished site: into a staging folder first, then swap it in.

A failed or interrupted build therefore never leaves a half-written site, and
the previous ``site/`` survives any error. Every path is checked to stay
inside the output folder, whatever a slug in the content says.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

MARKER = ".perfpages"
MARKER_TEXT = b"This folder is written by perfpages build and is replaced on every build.\n"


class OutputError(Exception):
    """The output folder cannot be used; the message says why."""


def safe_relative(rel: str) -> PurePosixPath:
    """Reject absolute paths and any '..' so nothing is written outside the output folder."""
    path = PurePosixPath(rel)
    if path.is_absolute() or any(part in ("..", "") for part in path.parts) or "\\" in rel:
        raise OutputError(f"refusing to write outside the output folder: {rel!r}")
    return path


def check_output_dir(out_dir: Path, protected: list[Path]) -> None:
    """Refuse output folders that would destroy the site's own inputs or someone's files."""
    out = out_dir.resolve()
    for p in protected:
        p = p.resolve()
        if out == p or p.is_relative_to(out) or out.is_relative_to(p):
            raise OutputError(f"the output folder {out_dir} would overlap the site's own {p}; "
                              "choose another folder")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out_dir} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise OutputError(f"{out_dir} is not empty and was not made by perfpages; "
                          "refusing to replace it (empty it or choose another folder)")


def write_site(out_dir: Path, files: dict[str, bytes], protected: list[Path]) -> None:
    """Write ``files`` (relative path to bytes) as the new contents of ``out_dir``."""
    check_output_dir(out_dir, protected)
    out = out_dir.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir()
        for rel in sorted(files):
            target = staging.joinpath(*safe_relative(rel).parts)
            if not target.resolve().is_relative_to(staging.resolve()):
                raise OutputError(f"refusing to write outside the output folder: {rel!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[rel])
        (staging / MARKER).write_bytes(MARKER_TEXT)
        _swap(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    try:
        staging.rename(out)
    except OSError:
        if old.exists():
            old.rename(out)
        raise
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
