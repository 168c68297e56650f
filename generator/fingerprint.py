"""Fingerprints of what a site is built from, so unchanged work is recognised at once.

Every file under config.yaml's folders (content, data, templates, themes,
static), the built-in theme and the generator's own code is hashed once per
build. :func:`input_fingerprint` folds all of them (plus the generator's and
libraries' versions and the build options) into one value: if it matches the
previous build's, the output is still right and nothing needs doing.
:func:`site_wide_fingerprint` leaves out the content and data folders; it is
what every page depends on, and :mod:`generator.units` adds each service's
own files to it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator import BUILTIN_THEME, __version__
from generator.config import Config

PACKAGE = Path(__file__).resolve().parent
PER_SERVICE_ROOTS = ("content", "data")


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@lru_cache(maxsize=1)  # looked up once a process: each lookup scans the installed packages (25 ms in all)
def _library_versions() -> str:
    """Libraries whose upgrade can change the output (chart drawing, number formatting, HTML)."""
    from importlib import metadata

    out = []
    for name in ("vl-convert-python", "altair", "jinja2", "markdown", "pandas", "markupsafe", "orjson"):
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=none")
    return ",".join(out)


@dataclass
class Digests:
    """Each input file's SHA-256, by root name and path inside it, and by absolute path."""

    options: str
    entries: list[tuple[str, str, bytes]]  # (root, relative path, digest), in a stable order
    by_path: dict[Path, bytes]

    def fold(self, roots: tuple[str, ...] | None = None, exclude: tuple[str, ...] = ()) -> str:
        digest = hashlib.sha256(f"{__version__}\0{self.options}\0{_library_versions()}\0".encode())
        for root, rel, value in self.entries:
            if (roots is None or root in roots) and root not in exclude:
                digest.update(f"{root}/{rel}\0".encode())
                digest.update(value)
        return digest.hexdigest()

    def of(self, path: Path) -> bytes:
        """The digest of one input file; b'' for a file that is not there."""
        found = self.by_path.get(Path(path))  # most callers already hold the resolved path
        return found if found is not None else self.by_path.get(Path(path).resolve(), b"")


def file_digests(config: Config, options: str = "") -> Digests:
    roots = [("config", config.path.parent, [config.path.resolve()])]
    for name, folder in (("content", config.content_dir), ("data", config.data_dir),
                         ("templates", config.root / "templates"), ("themes", config.root / "themes"),
                         ("static", config.root / "static"), ("builtin", BUILTIN_THEME), ("code", PACKAGE)):
        folder = folder.resolve()  # once, not per file: resolving thousands of paths took a tenth of a second
        roots.append((name, folder, _files(folder)))
    entries, by_path = [], {}
    for name, base, files in roots:
        for path in files:
            try:
                rel = path.relative_to(base)
            except ValueError:
                rel = path.name
            value = hashlib.sha256(path.read_bytes()).digest()
            entries.append((name, str(rel), value))
            by_path[path.resolve() if path.is_symlink() else path] = value
    return Digests(options, entries, by_path)


def input_fingerprint(config: Config, options: str = "", digests: Digests | None = None) -> str:
    """One value for everything the site is built from."""
    return (digests or file_digests(config, options)).fold()


def site_wide_fingerprint(digests: Digests) -> str:
    """Everything but the content and data folders: config, templates, themes, static files, code."""
    return digests.fold(exclude=PER_SERVICE_ROOTS)
