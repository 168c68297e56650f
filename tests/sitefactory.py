"""Small inline fixture sites: a test states the few files it needs next to its assertions."""

from __future__ import annotations

import textwrap
from pathlib import Path

CONFIG = """\
title: Test Council performance
organisation: Test Council
base_url: /
channels:
  - id: online
    label: Online
    digital: true
    unit_cost: 0.20
  - id: phone
    label: Phone
    unit_cost: 2.00
  - id: post
    label: Post
    unit_cost: 10.00
"""

ORGS = {
    "content/organisations/test-council.yaml": "name: Test Council\nkind: council\n",
    "content/organisations/dept-a.yaml": "name: Department A\nkind: directorate\nparent: test-council\n",
}

# Service A: monthly, three channels, real cost data, completion and ratings.
# March's phone count is blank (missing, not zero); December and February have no costs.
FINES_CSV = """\
period,channel,transactions,cost,started,completed,satisfaction_1,satisfaction_2,satisfaction_3,satisfaction_4,satisfaction_5
2023-11,online,80,16,,,,,,,
2023-11,phone,60,150,,,,,,,
2023-11,post,60,600,,,,,,,
2023-12,online,90,,,,,,,,
2023-12,phone,55,,,,,,,,
2023-12,post,55,,,,,,,,
2024-01,online,100,20,125,100,1,1,2,6,10
2024-01,phone,50,150,,,,,,,
2024-01,post,50,500,,,,,,,
2024-02,online,120,,150,120,,,,,
2024-02,phone,40,,,,,,,,
2024-02,post,40,,,,,,,,
2024-03,online,150,30,200,150,0,1,1,3,5
2024-03,phone,,200,,,,,,,
2024-03,post,30,300,,,,,,,
"""

FINES_YAML = """\
name: Pay a fine
organisation: dept-a
description: Pay a penalty charge notice.
data: fines.csv
targets:
  digital_take_up: 75
"""

PERMIT_YAML = """\
name: Renew a permit
organisation: test-council
description: Renew a residents' parking permit.
data: permits.csv
not_requested: [completion_rate]
"""


def permits_csv() -> str:
    """24 months, Jan 2023 to Dec 2024: online 10 x i, phone 100, for month i = 1..24. No costs."""
    lines = ["period,channel,transactions"]
    for i in range(1, 25):
        year, month = 2023 + (i - 1) // 12, (i - 1) % 12 + 1
        lines.append(f"{year}-{month:02d},online,{10 * i}")
        lines.append(f"{year}-{month:02d},phone,100")
    return "\n".join(lines) + "\n"


def standard_files() -> dict[str, str]:
    return {
        "config.yaml": CONFIG,
        **ORGS,
        "content/services/fines.yaml": FINES_YAML,
        "content/services/permits.yaml": PERMIT_YAML,
        "data/fines.csv": FINES_CSV,
        "data/permits.csv": permits_csv(),
        "content/pages/about.md": "---\ntitle: About\nnav_order: 1\n---\n## Who we are\n\nText.\n",
    }


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write files (relative path to text) under root; returns the config path."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if not rel.endswith(".csv") else text, encoding="utf-8")
    return root / "config.yaml"


def build_with_fines_named(root: Path, name: str, charts: str = "charts:\n  static_svg: false\n") -> Path:
    """Build the standard site with the fines service renamed (hostile-input tests); returns site/."""
    from generator.build import build_site

    files = standard_files()
    files["content/services/fines.yaml"] = files["content/services/fines.yaml"].replace(
        "name: Pay a fine", f"name: {name}")
    files["config.yaml"] += charts
    build_site(write_site(root, files), root / "site")
    return root / "site"


def build_standard_site(root: Path) -> Path:
    """The standard site (without static SVGs, for speed) built into root/site; returns that folder."""
    from generator.build import build_site

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    build_site(write_site(root, files), root / "site")
    return root / "site"


def tree(root: Path) -> dict[str, bytes]:
    """Every file of a built site by its path, with its bytes: two builds compared byte for byte."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.name != ".perfpages-manifest.json"}


def snapshot(site: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: a rewritten file gets new ones."""
    return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in site.rglob("*") if p.is_file()}


def build_cold(config: Path, folder: Path):
    """(result, site folder) of a build from nothing of the site's inputs, copied into ``folder``
    (emptied first) without its output or cache: what an incremental build must equal."""
    import shutil

    from generator.build import build_site

    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(config.parent, folder, ignore=shutil.ignore_patterns("site", ".perfpages-cache"))
    return build_site(folder / "config.yaml", folder / "site"), folder / "site"
