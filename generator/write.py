"""Write the finished site: into a staging folder first, then swap it in.

A failed or interrupted build therefore never leaves a half-written site, and
the previous ``site/`` survives any error. Every path is checked to stay
inside the output folder, whatever a slug in the content says.

Only files whose bytes changed are written: unchanged ones are hard-linked
from the previous site into the staging folder, so they keep their inode and
modification time, and a build that changes nothing writes nothing at all.
The marker file ``.perfpages`` records each file's hash for the next build.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MARKER = ".perfpages"
MARKER_NOTE = "This folder is written by perfpages build and is replaced on every build."


@dataclass
class WriteResult:
    written: int  # files new or changed
    unchanged: int  # files kept from the previous site
    removed: int  # files of the previous site that are gone


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def read_manifest(out_dir: Path) -> dict:
    """The previous build's record (inputs and file hashes), or {} if there is none usable."""
    try:
        data = json.loads((out_dir / MARKER).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else {}
    except (OSError, ValueError):
        return {}


def _state_path(state_dir: Path, out_dir: Path) -> Path:
    return state_dir / "outputs" / f"{hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]}.json"


def site_intact(out_dir: Path, manifest: dict, state_dir: Path | None) -> bool:
    """Every file the manifest lists is still there, as the last build left it.

    Sizes and modification times are kept outside the site (in the cache folder), so the
    output stays byte-identical from build to build; no record means "not known intact".
    """
    files = manifest.get("files", {})
    if not files or state_dir is None:
        return False
    try:
        seen = json.loads(_state_path(state_dir, out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    for rel in files:
        try:
            stat = (out_dir / rel).stat()
        except OSError:
            return False
        if seen.get(rel) != [stat.st_size, stat.st_mtime_ns]:
            return False
    return True


def _write_state(state_dir: Path | None, out_dir: Path, state: dict) -> None:
    if state_dir is None:
        return
    path = _state_path(state_dir, out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")


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


def write_site(out_dir: Path, files: dict[str, bytes], protected: list[Path], inputs: str = "",
               extra: dict | None = None, state_dir: Path | None = None) -> WriteResult:
    """Write ``files`` (relative path to bytes) as the new contents of ``out_dir``.

    ``inputs`` is a fingerprint of everything the site was built from, kept in the
    manifest so the next build can tell at once that nothing has changed.
    """
    check_output_dir(out_dir, protected)
    out = out_dir.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(out) if site_intact(out, read_manifest(out), state_dir) else {}
    old = previous.get("files", {})
    hashes = {rel: digest(body) for rel, body in files.items()}
    manifest = {"note": MARKER_NOTE, "inputs": inputs, **(extra or {}),
                "files": {rel: [hashes[rel], len(files[rel])] for rel in sorted(files)}}
    marker = (json.dumps(manifest, indent=0, sort_keys=True) + "\n").encode("utf-8")
    same = [rel for rel in files if rel in old and old[rel][0] == hashes[rel]]
    result = WriteResult(len(files) - len(same), len(same), len(set(old) - set(files)))
    if old and len(same) == len(files) == len(old):
        if (out / MARKER).read_bytes() != marker:
            (out / MARKER).write_bytes(marker)  # same pages from different inputs: note the new inputs
        return result
    staging = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir()
        unchanged = set(same)
        for rel in sorted(files):
            target = staging.joinpath(*safe_relative(rel).parts)
            if not target.resolve().is_relative_to(staging.resolve()):
                raise OutputError(f"refusing to write outside the output folder: {rel!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel in unchanged and _link(out / rel, target):
                continue
            target.write_bytes(files[rel])
        (staging / MARKER).write_bytes(marker)
        states = {rel: [(staging / rel).stat().st_size, (staging / rel).stat().st_mtime_ns] for rel in files}
        _swap(staging, out)
        _write_state(state_dir, out, states)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return result


def _link(source: Path, target: Path) -> bool:
    """Hard-link an unchanged file from the previous site; False if the file system cannot."""
    try:
        os.link(source, target)
        return True
    except OSError:
        return False


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
