"""Resolved paths, worked out once per build.

A build resolves the same data files several times over (to check each stays
inside the data folder, to group services into units, to name them in the
open data): at GOV.UK scale that was thousands of ``realpath`` calls, each a
chain of ``lstat``s, and a tenth of a one-service rebuild. Builds call
:func:`forget` first, so a long-running dev server sees links that changed.
"""

from __future__ import annotations

import difflib
import os
from functools import lru_cache
from pathlib import Path, PurePosixPath


@lru_cache(maxsize=None)
def resolved(path: Path) -> Path:
    """``path.resolve()``, remembered until :func:`forget`."""
    return path.resolve()


def forget() -> None:
    resolved.cache_clear()


def outside_the_folder(data_dir: Path, name: str, what: str = "data file") -> tuple[str, str]:
    """The message and hint for a data file named outside the data folder. A name inside it that is
    a link to a file elsewhere is told so (a tester's linked shared export was told it was outside the
    folder it was listed in): links out are not followed, so a build never reads the rest of the machine."""
    named = Path(os.path.normpath(data_dir / name))
    if named.is_relative_to(data_dir) or named.is_relative_to(resolved(data_dir)):
        return (f"{what} '{name}' is a link to a file outside the {data_dir.name} folder, so it is not read",
                f"copy the file into {data_dir.name}/ instead of linking to it: a link could publish any file")
    return f"{what} '{name}' is outside the {data_dir.name} folder", f"name a file inside {data_dir.name}/"


def is_pattern(name: str) -> bool:
    """Whether a data file name is a pattern for several files ('ae/*.csv', 'calls-2024-??.csv')."""
    return "*" in name or "?" in name


def matching(data_dir: Path, name: str) -> list[Path]:
    """The files a data file name stands for: itself, or every file inside the data folder that its
    pattern matches, in name order (so builds read them in the same order on every machine)."""
    if not is_pattern(name):
        return [data_dir / name]
    root = resolved(data_dir)
    try:
        found = data_dir.glob(name)
        return sorted(p for p in found if p.is_file() and resolved(p).is_relative_to(root))
    except (NotImplementedError, ValueError):  # '/tmp/*.csv': outside the data folder, so nothing matches
        return []


def links_out(data_dir: Path, name: str) -> list[str]:
    """The files a pattern matches that are links to files outside the data folder, by their names
    in it: ``matching`` leaves them out, and they are told as links (they had been passed over without
    a word, or told as 'no file matches' when every match was one)."""
    if not is_pattern(name):
        return []
    root = resolved(data_dir)
    try:
        found = sorted(data_dir.glob(name))
    except (NotImplementedError, ValueError):
        return []
    return [p.relative_to(data_dir).as_posix() for p in found
            if p.is_file() and p.is_relative_to(data_dir) and not resolved(p).is_relative_to(root)]


def linked_out_message(data_dir: Path, name: str, links: list[str]) -> tuple[str, str]:
    """The message and hint for a pattern's matches that are links out of the data folder."""
    shown = ", ".join(f"'{link}'" for link in links[:3]) + (f" and {len(links) - 3} more" if len(links) > 3 else "")
    one = len(links) == 1
    return (f"{shown}, matched by '{name}', {'is a link' if one else 'are links'} to "
            f"{'a file' if one else 'files'} outside the {data_dir.name} folder, so "
            f"{'it is' if one else 'they are'} not read",
            f"copy the file{'' if one else 's'} into {data_dir.name}/ instead of linking: a link could publish any file")


def nearest_file(data_dir: Path, name: str) -> str | None:
    """The data file whose name is nearest a missing one's ('payment_summary.csv' for
    'payments_summary.csv'), looked for in the folder the name points into."""
    folder = (data_dir / name).parent
    if not folder.is_dir():
        return None
    prefix = PurePosixPath(name).parent
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    close = difflib.get_close_matches(PurePosixPath(name).name, names, n=1, cutoff=0.75)
    return str(prefix / close[0]) if close else None


def missing_file_hint(data_dir: Path, name: str) -> str:
    """The hint for a data file that is not there: the nearest file's name, if one is near."""
    first, _, rest = name.partition("/")
    if rest and first == data_dir.name and (matching(data_dir, rest) if is_pattern(rest) else (data_dir / rest).is_file()):
        # 'data/garden-waste.csv': the file is there, but a name is already inside the data folder.
        return f"write '{rest}': a data file's name is read inside {data_dir.name}/ already"
    close = None if is_pattern(name) else nearest_file(data_dir, name)
    return f"did you mean '{close}'?" if close else "check the file name and its extension"
