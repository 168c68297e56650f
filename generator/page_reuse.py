"""Pages that sum services, kept from the previous build while what they show is unchanged.

A data commit usually changes one organisation's services and one financial
year's costs, yet every organisation has a page and every year a page per sort
order, each with a row per service: at 766 services, rendering them again to
the same bytes was a fifth of a build that changes one CSV. So each such page
gets a key over everything it shows, and is kept if the key is unchanged and
its file is still in the output exactly as written:

* a cost page: its path and sort order, its year's report, the list of years;
* an organisation page: its path and the unit keys (generator.units) of every
  service it sums, which cover each service's YAML and data, and its totals
  (which count services as of the whole site's latest data).

Both also cover the site-wide fingerprint, the organisations and Markdown
pages (names, navigation) and the peers. A theme whose templates for these
pages read the whole site model (``model.services``...) turns this off, as it
does for services.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from pathlib import Path

from generator.fingerprint import Digests, site_wide_fingerprint
from generator.units import prune_least_recent

FORMAT = 6  # bump when what a key covers changes
TEMPLATES = re.compile(r"^(costs|organisation(-.*)?)\.html$")
KEEP = 500  # keys kept in the store: every year and sort order of a few configurations


def _report_digest(report) -> bytes:
    shown = (report.key, report.slug, report.label, report.services, report.organisations, report.channels,
             report.transactions, report.cost, report.costed_transactions, report.covered)
    return hashlib.sha256(repr(shown).encode()).digest()


def page_keys(pages: list, digests: Digests, content, extra: str = "",
              unit_keys: dict[str, str] | None = None, shown: bytes | None = None) -> dict[str, str]:
    """Output path -> key, for the cost report's pages and (given each service's unit key,
    by slug) the organisations' pages; ``shown``: what they show of the Markdown pages (units.pages_shown)."""
    base = hashlib.sha256(f"pages {FORMAT}\0{site_wide_fingerprint(digests)}\0{extra}\0".encode())
    base.update(repr(content.organisations).encode())
    base.update(repr(content.pages).encode() if shown is None else shown)
    reports: dict[int, bytes] = {}
    keys = {}
    for page in pages:
        if page.kind == "organisation" and unit_keys is not None:
            key = base.copy()
            key.update(f"{page.path}\0".encode())
            key.update("\0".join(sorted({unit_keys[s.slug] for s in page.context["organisation"].services})).encode())
            # Its totals count services as of the site's latest data (assemble.totals), which
            # another organisation's new month moves: they are part of what it shows.
            totals = page.context["organisation"].totals  # its set, sorted: a set's order varies by process
            key.update(repr(dataclasses.replace(totals, not_requested=tuple(sorted(totals.not_requested)))).encode())
            # Which of them have ended (left out of its charts, and named), which the same moves.
            key.update(repr(sorted(s.slug for s in page.context["organisation"].services if s.ended)).encode())
            keys[page.path] = key.hexdigest()
        if page.kind != "costs":
            continue
        report, table = page.context["report"], page.context["table"]
        if id(report) not in reports:
            reports[id(report)] = _report_digest(report)
        key = base.copy()
        key.update(f"{page.path}\0{table.sort!r}\0{table.options!r}\0".encode())
        key.update(reports[id(report)])
        key.update(repr([(r.key, r.slug) for r in page.context["reports"]]).encode())
        keys[page.path] = key.hexdigest()
    return keys


class PageStore:
    """What each key's page was (sha256 and size of its file), in ``<cache>/pages/``."""

    def __init__(self, cache_dir: Path | None):
        self.folder = Path(cache_dir) / "pages" if cache_dir is not None else None

    def get(self, key: str) -> tuple[str, int] | None:
        if self.folder is None:
            return None
        try:
            sha, size = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            return str(sha), int(size)
        except (OSError, ValueError, TypeError):
            return None

    def save(self, found: dict[str, tuple[str, int]]) -> None:
        """Note these keys' files; forget the least recently noted beyond KEEP."""
        if self.folder is None or not found:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for key, (sha, size) in found.items():
            path = self.folder / f"{key}.json"
            text = json.dumps([sha, size])
            try:
                if path.read_text(encoding="utf-8") == text:
                    os.utime(path)
                    continue
            except OSError:
                pass
            path.write_text(text, encoding="utf-8")
        prune_least_recent(self.folder, "*.json", KEEP, set(found))
