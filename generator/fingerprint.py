"""A fingerprint of everything a site is built from, so an unchanged site is recognised at once.

It covers config.yaml, every file under the content, data, templates, themes
and static folders, the built-in theme, and the generator's own code and
version, plus the build options. If any of them changes, by even a byte, the
fingerprint changes and the site is built again; if none does, the previous
output is still right and nothing needs doing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator import __version__
from generator.config import Config

PACKAGE = Path(__file__).resolve().parent


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _library_versions() -> str:
    """Libraries whose upgrade can change the output (chart drawing, number formatting, HTML)."""
    from importlib import metadata

    out = []
    for name in ("vl-convert-python", "altair", "jinja2", "markdown", "pandas", "markupsafe"):
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=none")
    return ",".join(out)


def input_fingerprint(config: Config, options: str = "") -> str:
    from generator.render import BUILTIN_THEME

    digest = hashlib.sha256(f"{__version__}\0{options}\0{_library_versions()}\0".encode())
    roots = [("config", config.path.parent, [config.path.resolve()])]
    for name, folder in (("content", config.content_dir), ("data", config.data_dir),
                         ("templates", config.root / "templates"), ("themes", config.root / "themes"),
                         ("static", config.root / "static"), ("builtin", BUILTIN_THEME), ("code", PACKAGE)):
        roots.append((name, folder, _files(folder)))
    for name, base, files in roots:
        for path in files:
            try:
                rel = path.relative_to(base)
            except ValueError:
                rel = path.name
            digest.update(f"{name}/{rel}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
