"""Orchestrate a build: load, validate, compute, plan, render, write. Data flows one way.

Everything is collected and checked before anything is rendered, so every
problem in every file is reported at once and nothing is written unless the
whole site can be built. The core never prints: results and problems go back
to the caller (the CLI).
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import fnmatch
import gc
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

# Only what deciding "nothing has changed" needs is imported here; the pipeline's stages (and
# pandas, Jinja, Markdown with them) are imported by the functions that run them, so a build
# with nothing to do starts in a fraction of the time.
from generator import BUILTIN_THEME, head_start, page_reuse, paths, render_jobs, units
from generator.colours import check_colours, media_only_sheets
from generator.config import Config, base_path_of, load_config
from generator.errors import ACCEPTED, WARNING, BuildFailed, Problem, Problems
from generator.fingerprint import Digests, file_digests, input_fingerprint
from generator.write import (MARKER, SMALL_CHANGE, OutputError, Staging, check_output_dir, digest, finish_site,
                             read_manifest, remove_strays,
                             site_intact, write_site)

if TYPE_CHECKING:
    from generator.head_start import HeadStart
    from generator.model import SiteModel
    from generator.pages import PageSpec


# progress(stage, done, total): how the caller hears how far a build has got; the core never prints.
Progress = Callable[[str, int, int], None]


@dataclass
class Prepared:
    """A validated, computed site ready to render."""

    config: Config
    model: SiteModel
    pages: list[PageSpec]
    extra_files: dict[str, bytes]  # downloads and static assets, by output path
    problems: Problems
    charts: list = field(default_factory=list)  # charts whose CSV and JSON downloads are to be made
    made_with: dict[str, list[str]] = field(default_factory=dict)  # page path -> files made with it
    open_rows: dict[str, tuple[str, str]] = field(default_factory=dict)  # slug -> its rows of the open data
    made_paths: set[str] = field(default_factory=set)  # (lower case) what render_all has made so far
    kept: dict[str, tuple[str, int]] = field(default_factory=dict)  # files reused from the previous build
    reused_services: int = 0
    recalled_services: int = 0  # services whose figures were taken from their records, pages made again
    rewrite_records: dict[str, tuple] = field(default_factory=dict)  # their records (key -> stamp), replaced
    records: dict[str, units.UnitRecord] = field(default_factory=dict)  # by unit key, for the next build
    page_keys: dict[str, str] = field(default_factory=dict)  # output path -> key (generator.page_reuse)
    keep_records: bool = False  # whether this build's unit records are kept (see build_site)
    split_indices: dict = field(default_factory=dict)  # shared files' units.SplitIndex, by their whole unit's key
    # The pages' Jinja environment, its templates compiled while worker processes worked out figures
    # (see prepare); None: render_all makes it.
    environment: object = None


@dataclass
class BuildResult:
    pages: int
    files: int
    seconds: float
    problems: Problems  # warnings only (errors raise BuildFailed)
    out_dir: Path
    written: int = 0  # files new or changed
    unchanged: int = 0  # files left as they were
    removed: int = 0
    up_to_date: bool = False  # nothing had changed, so nothing was built
    charts_pending: int = 0  # charts left without a static SVG (quick dev-server builds only)
    charts: int = 0  # charts on the site's pages (each has its JSON download), made or kept
    reused_services: int = 0  # services whose pages and figures were kept from the previous build
    recalled_services: int = 0  # services whose figures were kept (their data not read), their pages made again


def warm_up() -> None:
    """Import what a build that changes something needs: pandas, Jinja and the pipeline's stages.

    A no-op build loads none of them, so the dev server, started on a built site, would import
    them (about half a second) when the first file is edited; it calls this while it waits instead.
    """
    from generator import assemble, charts, opendata, pages, render, savings  # noqa: F401

    warm_up_work_out()


def warm_up_work_out() -> None:
    """Import what working out services' figures (_work_out) needs, pandas first of all."""
    from generator import (costs, custom_measures, data, downloads, forecast, metrics, raw_files,  # noqa: F401
                           seasonality, segmentation)


@contextlib.contextmanager
def cyclic_gc_paused(freeze_after: bool = False):
    """Python's cycle collector held off for a build, and let run again after it.

    A build holds a large, long-lived graph of objects (every service's figures and period rows,
    its pages' plans), and the collector scans all of it again and again as a build allocates:
    in a one-CSV rebuild of the 766-service benchmark, over a third of the time. Most of what a
    build throws away is freed at once by reference counting, and the few cycles are collected
    after it: peak memory of a cold build at that scale is the same with and without the collector
    (332 MB against 339 MB).

    ``freeze_after``: for a process about to end (``perfpages build``). Turned back on, the
    collector's first pass scans every object the build left, all still in its youngest
    generation: 1.1 s at the end of a cold GOV.UK-scale build. They are frozen first instead (set
    aside from the collector; reference counting still frees them).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            if freeze_after:
                gc.freeze()
            gc.enable()


_UNREAD_ROWS = re.compile(r"no service reads the rows for '(.*)' \(\d+ row")  # data._unused_rows's warning


def _fail_if_errors(problems: Problems, strict: bool) -> None:
    if problems.errors or (strict and problems.warnings):
        raise BuildFailed(problems)


def _accept_warnings(problems: Problems, config: Config) -> None:
    """Mark the warnings config.yaml's accepted_warnings: names, once every input has been read (and
    so every warning found); an entry that names none is a warning, unless errors stopped some reading."""
    stale = problems.accept(config.accepted_warnings)
    if problems.errors:
        return
    for rule in stale:
        problems.warning(config.path, f"accepted warning '{rule.message}' about {rule.file} matches no warning",
                         *config.positions.at(("accepted_warnings", rule.index)),
                         hint="remove it if the data no longer needs it; else check its file: and message: "
                              "against the warning as perfpages prints it")


def static_files(found: dict[str, Path]) -> dict[str, bytes]:
    """Theme assets (render.static_files: the first folder on the static search path to have a
    file wins), read."""
    return {rel: path.read_bytes() for rel, path in found.items()}


def _warn_of_a_language_the_theme_does_not_speak(config: Config, search_path: list[Path], problems: Problems) -> None:
    """``language: cy`` with the built-in theme's English words tells screen readers to read English
    as Welsh (WCAG 3.1.1): said, unless the site has templates of its own (its words, translated)."""
    if re.split(r"[-_]", config.language.lower())[0] == "en" or any(
            any(Path(folder).rglob("*.html")) for folder in search_path[:-1]):
        return
    line, column = config.positions.at(("language",)) if config.positions is not None else (None, None)
    problems.warning(config.path, f"language: {config.language} says the pages are not in English, but the "
                     "built-in theme's words (headings, labels, tables) are", line, column,
                     hint="translate the theme's words with templates of your own (see 'Templates and themes' in "
                          "the README), or keep language: en-GB")


def _check_root_files(statics: dict[str, Path], page_paths: set, problems: Problems) -> None:
    """A file of static/root/ that would take the place of one the build makes (a page, the manifest)
    or lands in the build's own folders (data/ for downloads, static/ for assets) is an error at that
    file, and is left out, so that the error is told once."""
    from generator.render import ROOT_FOLDER

    for path, source in list(statics.items()):
        if path.startswith("static/"):
            continue
        top = path.split("/", 1)[0]
        if path in page_paths or path == MARKER:  # (Problems names the file from the site's folder)
            problems.error(source, f"would be published at /{path}, in place of the site's own "
                           + ("build manifest" if path == MARKER else "page"),
                           hint=f"rename it, or leave it out of static/{ROOT_FOLDER}/")
        elif top in ("data", "static"):
            problems.error(source, f"would be published in /{top}/, the site's own folder for "
                           + ("downloads" if top == "data" else "its theme's files"),
                           hint=f"put it in static/ itself: static/x is published at /static/x" if top == "static"
                           else f"put it somewhere else in static/{ROOT_FOLDER}/")
        else:
            continue
        del statics[path]


def build_options(base_url: str | None) -> str:
    """The options every output depends on, for the fingerprints: changing one makes everything anew.
    Not --strict, which changes no output, only whether warnings fail the build (a build that is
    otherwise up to date fails on the warnings it keeps: _unchanged_site). With it in, CI's strict
    build and the dev server's plain one each made the whole site again after the other."""
    return f"base_url={base_url}" if base_url is not None else ""


def prepare(config_path: Path, *, strict: bool = False, previous: dict | None = None,
            digests: Digests | None = None, jobs: int | None = 1, base_url: str | None = None,
            helper: HeadStart | None = None, keep_compiled: bool = True) -> Prepared:
    """Load and check every input and compute every figure; raises BuildFailed on errors.

    ``previous`` is the previous build's files (path -> [sha256, size]), all still
    in place: services whose unit of inputs is unchanged since then (see
    :mod:`generator.units`) are taken from their records instead of being
    read, computed and rendered again. Without it everything is made afresh. ``base_url``, if
    given, stands in for config.yaml's (``perfpages build --base-url``: CI knows where it deploys).
    ``helper``, if given, works out the few services that changed while their records are read.
    ``keep_compiled``: the templates compiled while worker processes work (see compile_templates)
    are kept in the cache folder (not for ``perfpages check``, which writes nothing).
    """
    from generator import render
    from generator.assemble import assemble, councils_of, shared_lgsl_across_councils
    from generator.chart_templates import load_templates
    from generator.charts import add_charts, all_charts
    from generator.comparison import load_peers
    from generator.content import load_content
    from generator.raw_files import RawFiles
    from generator.downloads import costs_csv, savings_csv
    from generator.markdown_text import check_links
    from generator.opendata import PATHS as OPEN_DATA_PATHS
    from generator.pages import check_collisions, plan_pages

    config_path = Path(config_path)
    paths.forget()  # links may have changed since the dev server's last build
    problems = Problems(root=config_path.resolve().parent)
    config = load_config(config_path, problems)
    if config is None:
        if problems.errors and config_path.is_file():
            problems.not_checked = ("Nothing else was checked: services, organisations, pages, data and "
                                    f"templates are checked once {config_path.name} has no errors.")
        raise BuildFailed(problems)
    if base_url is not None:
        config = dataclasses.replace(config, base_url=base_url, base_path=base_path_of(base_url))
    theme_dir = config.root / "themes" / config.theme
    if config.theme != "default" and not theme_dir.is_dir():
        folder = config.root / "themes"
        themes = sorted(p.name for p in folder.iterdir() if (p / "templates").is_dir()) if folder.is_dir() else []
        close = difflib.get_close_matches(config.theme, [*themes, "default"], n=1)
        problems.error(config.path, f"theme '{config.theme}' not found in themes/",
                       *(config.positions.at(("theme",)) if config.positions is not None else ()),
                       hint=f"did you mean '{close[0]}'?" if close else
                       "use theme: default, or create themes/<name>/templates")
    raw_files = RawFiles()
    content = load_content(config, problems, raw_files)
    if content.unchecked:  # their YAML has errors: the build fails, but their data's errors are told too
        from generator.data import load_data

        scratch = Problems(root=problems.root)  # read without the services sharing their files: no
        load_data(config, content.unchecked, scratch, raw_files)  # warnings, e.g. of rows nobody reads
        for problem in scratch.errors:
            problems._add(problem)
    peers, peers_digest = load_peers(config, problems)
    plan = units.partition(config, content.services)
    reused: dict[str, units.UnitRecord] = {}
    recalled: dict[str, units.UnitRecord] = {}  # units whose figures are kept but whose pages are made again
    shared = None  # the units of shared files, split service by service (generator.shared_files)
    stamps: dict[str, tuple] = {}  # their records' (units.UnitStore.stamp), replaced once the pages are made
    if previous is not None:
        digests = digests or file_digests(config, build_options(base_url))
        search_path = render.template_search_path(config.root, config.theme)
        # Several councils on one site running the same service compare it with each other's:
        # then no service page stands alone.
        council_of = councils_of(content, config.organisation)
        compared = shared_lgsl_across_councils(content, council_of)
        whole_site = compared or units.service_pages_read_other_services(search_path, render.BUILTIN_THEME)
        shown_pages = units.pages_shown(content.pages, search_path)  # reads the site's own templates
        # A service's council (its name in the comparisons with peers) depends on every service's
        # organisation: a second council running services makes each organisation its own council's,
        # not the publisher's. The keys name every one, or a unit kept its old name (a fuzz test).
        peers_digest = f"{peers_digest}\0councils={sorted(council_of.items())!r}"
        units.assign_keys(plan, content, digests, whole_site, peers_digest, shown_pages)
        store = units.UnitStore(config.cache_dir)
        if store.folder is not None and any(len(unit.services) > 1 for unit in plan):
            from generator import shared_files

            shared = shared_files.split(config, plan, store, raw_files, problems.root)
            plan = shared.plan
            units.assign_keys(plan, content, digests, whole_site, peers_digest, shown_pages)
        if helper is not None:  # the services with no record are sent before the records are read
            # (Not those split from a shared file's unit: its rows are read already, or read here.)
            unrecorded = [s for unit in plan if not unit.whole and not store.has(unit.key) for s in unit.services]
            if len(unrecorded) == len(content.services):  # in the order the build then takes them (fresh)
                unrecorded = content.services
            # (Not if this process has read a data file: the helper would tell its problems again.)
            if not (unrecorded and len(unrecorded) < PARTS_WORTH_IT and raw_files.read_nothing
                    and helper.send(config, unrecorded, problems.root)):
                helper.close()
                helper = None
        for unit in plan:
            record = store.get(unit.key)
            if units.reusable(record, previous):
                reused[unit.key] = record
            elif units.figures_reusable(record, unit):
                recalled[unit.key] = record
                stamps[unit.key] = store.stamp(unit.key)
    fresh = [s for u in plan if u.key not in reused and u.key not in recalled for s in u.services] \
        if reused or recalled else content.services
    data_problems = Problems(root=problems.root)
    figures, downloads = {}, {}
    compiled = []  # the pages' environment, if made while the workers work out figures

    def compile_templates() -> None:
        """Done while worker processes work out the figures, when they do: this process would
        only wait for them, and compiling the theme was 0.27 to 0.43 s of a cold build's serial
        stretch before rendering."""
        compiled.append(render_environment(config, keep_compiled=keep_compiled, compile_all=True))

    def work_out(services) -> None:
        parts = None
        if helper is not None:  # what it was sent is what is fresh, unless a record proved unusable
            answer = helper.result() if [s.slug for s in services] == [s.slug for s in unrecorded] else None
            helper.close()
            parts = None if answer is None else [answer]
        for part_figures, part_csvs, part_problems in parts or _work_out_in_parts(
                config, plan, services, raw_files, problems.root, jobs, None if compiled else compile_templates):
            figures.update(part_figures)
            downloads.update({f"data/services/{slug}.csv": body for slug, body in part_csvs.items()})
            for problem in part_problems:
                data_problems._add(problem)

    split_slugs = {s.slug for unit in plan if unit.whole for s in unit.services}
    work_out([s for s in fresh if s.slug not in split_slugs])
    own_warnings = _work_out_split(config, shared, [s for s in fresh if s.slug in split_slugs], raw_files,
                                   problems.root, figures, downloads, plan, jobs, None if compiled else compile_templates)
    for record in recalled.values():  # their inputs are as they were: figures and tidy CSVs as they came out
        figures.update(record.figures)
        downloads.update(record.tidy_csvs)
    # Units whose pages say what has changed elsewhere (a service ended, or a new best comparable
    # service): their pages are made again, from their kept figures; their data is not read again.
    restaged: dict[str, units.UnitRecord] = {}
    changed = _stale_since(reused, figures, content.services)
    if changed:
        store = units.UnitStore(config.cache_dir)
        for key in changed:
            restaged[key] = reused.pop(key)
            store.forget(key)  # its new record is written in its place
            figures.update(restaged[key].figures)
    fresh = fresh + [s for u in plan if u.key in restaged or u.key in recalled for s in u.services]
    made_now = list(data_problems.items)  # the fresh services' problems: their records keep these alone
    for problem in [*(shared.warnings if shared else ()), *(p for found in own_warnings.values() for p in found)]:
        data_problems._add(problem)  # (a shared file's warnings are told whenever it is, and kept in no record)
    for record in [*reused.values(), *restaged.values(), *recalled.values()]:
        for problem in record.warnings:
            data_problems._add(problem)
    # Rows of a service whose YAML has errors are its own, not rows nobody reads: the build fails on
    # its errors, and "no service reads the rows for 'Missed bin'" beside them sent a tester astray.
    theirs = {ref.key or svc.slug for svc in content.unchecked for ref in svc.data}
    for problem in data_problems.items:
        unread = _UNREAD_ROWS.match(problem.message) if theirs and problem.level == WARNING else None
        if unread is None or unread[1] not in theirs:
            problems._add(problem)
    search_path = render.template_search_path(config.root, config.theme)
    if len(search_path) > 1:  # the site has templates of its own: looked at before anything is rendered
        from generator.template_errors import check_own_templates

        check_own_templates(render.make_environment(search_path), search_path[:-1],
                            render.builtin_template_names(), problems)
    static_folders = render.static_search_path(config.root, config.theme)
    linked_out: list[Path] = []
    statics = render.static_files(static_folders, linked_out)
    for path in linked_out:
        if path.is_relative_to(config.root):  # named as it is, not as where it points
            path = path.relative_to(config.root)
        problems.error(path, "is a link to a file outside its static folder, so it is not published",
                       hint="copy the file into static/ instead: a link could publish any file on the machine")
    render.missing_assets(search_path[:-1], statics, problems)  # the built-in theme's templates name its own files
    _warn_of_a_language_the_theme_does_not_speak(config, search_path, problems)
    check_colours([source for path, source in statics.items() if path.endswith(".css")
                   and not source.resolve().is_relative_to(BUILTIN_THEME.resolve())],
                  sorted((BUILTIN_THEME / "static").rglob("*.css")), problems, media_only_sheets(search_path[:-1]))
    if problems.errors:  # nothing more to build on: stop here, with the warnings found so far
        from generator.markdown_text import tell_markdown_slips

        tell_markdown_slips(content, problems)  # what the Markdown's own checks find, all at once too
        _accept_warnings(problems, config)
        _fail_if_errors(problems, strict)
    data_links = {path.split("/")[-1][:-4]: path for path in downloads}
    open_rows = {}
    for record in reused.values():
        figures.update(record.figures)
        data_links.update(record.data_files)
        open_rows.update(record.open_data)
    for record in restaged.values():  # their tidy CSVs are as they were
        data_links.update(record.data_files)
    model = assemble(config, content, figures, data_links, peers)
    _warn_of_a_lone_latest(model, content, problems)
    _warn_of_take_up_with_no_digital_figures(config, model, content, problems)
    fresh_slugs = {s.slug for s in fresh}
    load_templates(config.cache_dir, config.currency_symbol)
    # Services' and organisations' charts are made where their pages are rendered (if they are),
    # unless vl-convert draws every chart first.
    add_charts(model, fresh_slugs, lazy=not (config.static_svg and config.static_renderer != "builtin"))
    pages = plan_pages(model)
    kept = {}
    for record in reused.values():
        kept.update(record.outputs)
    for record in restaged.values():
        kept.update((path, record.outputs[path]) for path in record.data_files.values() if path in record.outputs)
    for page in pages:
        page.reuse = kept.get(page.path)
    keys = {}
    if previous is not None and not units.service_pages_read_other_services(search_path, render.BUILTIN_THEME,
                                                                             page_reuse.TEMPLATES):
        keys = page_reuse.page_keys(pages, digests, content, peers_digest,
                                    {slug: unit.key for unit in plan for slug in unit.slugs}, shown_pages)
        store = page_reuse.PageStore(config.cache_dir)
        # Organisations' chart downloads, found once: not in every file of the site for each organisation.
        org_downloads = [(path, entry) for path, entry in previous.items()
                         if path.startswith("data/charts/organisations/")]
        for page in pages:
            found = store.get(keys[page.path]) if page.path in keys else None
            if found is not None and previous.get(page.path) == list(found):
                page.reuse = kept[page.path] = found
                if page.kind == "organisation":  # and its charts' downloads, made from what the key covers
                    folder = f"data/charts/organisations/{page.context['organisation'].slug}/"
                    kept.update((path, tuple(entry)) for path, entry in org_downloads if path.startswith(folder))
    _check_root_files(statics, {page.path for page in pages}, problems)
    assets = static_files(statics)
    # Each page names its stylesheets and scripts with their content's digest (?v=...): a host or
    # browser that caches site.css had shown a rebranded site in its old colours.
    model.asset_versions = {rel.removeprefix("static/"): hashlib.sha256(body).hexdigest()[:12]
                            for rel, body in assets.items() if rel.startswith("static/")}
    extra = {**assets, **downloads, "data/savings.csv": savings_csv(model.services),
             **{f"data/costs-{r.slug}.csv": costs_csv(r) for r in
                {p.context["report"].key: p.context["report"] for p in pages if p.kind == "costs"}.values()}}
    charts = all_charts(model, made_only=True)  # the rest come with their service's page (render_all)
    page_paths = {page.path for page in pages}
    generated = [*extra, *OPEN_DATA_PATHS.values(), *(url for c in charts for url in (c.csv_url, c.json_url)),
                 *(path for path in kept if path not in page_paths)]
    check_collisions(pages, problems, {path: "(generated file)" for path in generated})
    check_links(model.markdown_links, page_paths | set(generated),
                {p.path.name: f"{p.slug}/" for p in content.pages}, problems)
    _accept_warnings(problems, config)  # once every check has been made: every warning is known
    _fail_if_errors(problems, strict)
    records = {}
    if previous is not None:
        from generator.assemble import best_comparables

        records = _unit_records(plan, reused, model, figures, data_problems, made_now,
                                best_comparables(content.services, figures), {**restaged, **recalled}, downloads,
                                own_warnings)
    return Prepared(config, model, pages, extra, problems, charts=charts, kept=kept, records=records,
                    open_rows=open_rows,
                    reused_services=sum(len(record.figures) for record in reused.values()), page_keys=keys,
                    recalled_services=sum(len(record.figures) for record in recalled.values()),
                    rewrite_records=stamps, split_indices=shared.indices if shared else {},
                    environment=compiled[0] if compiled else None)


def _stale_since(reused: dict[str, units.UnitRecord], figures: dict, services: list) -> list[str]:
    """The reused units whose pages no longer say what they would: a service whose ``ended`` state
    (assemble.ended_services: its figures end a year or more before the site's latest) or best
    comparable service (assemble.best_comparables: the highest take-up of the others in its category)
    differs from when its pages were made. Another service's new month can end it, or raise the best."""
    if not reused:
        return []
    from generator.assemble import best_comparables, ended_services

    everything = dict(figures)
    for record in reused.values():
        everything.update(record.figures)
    ended = ended_services(everything)
    best = best_comparables(services, everything)
    return [key for key, record in reused.items() if record.ended != ended & record.figures.keys()
            or record.compared != {slug: best[slug] for slug in record.figures if slug in best}]


PARTS_WORTH_IT = 64  # services: below this, reading and computing them in one process is quicker


def _work_out_in_parts(config, plan, fresh, raw_files, root, jobs, meanwhile=None):
    """(figures, tidy CSVs, problems) of the fresh services, in parts over ``jobs`` processes.

    Each service's figures depend only on its own unit's files (which is what lets
    incremental builds reuse units), so units are shared out whole, in plan order.
    """
    if not fresh:  # every service reused (a Markdown page or a service's YAML removed): pandas not needed
        return []
    jobs = jobs or os.cpu_count() or 1
    if len(fresh) < PARTS_WORTH_IT or jobs <= 1:
        return [_work_out(config, fresh, raw_files, root)]
    # What the workers and, after them, this process need: imported once, here, before forking,
    # rather than by each worker and then again by this process while the cores wait.
    warm_up()
    wanted = {s.slug for s in fresh}
    groups = [(g, unit.files) for g, unit in (([s for s in unit.services if s.slug in wanted], unit) for unit in plan)
              if g]
    return render_jobs.map_over_processes(_balanced_parts(groups, jobs),
                                          lambda part: _packed(_work_out(config, part, raw_files, root)),
                                          jobs, worth_it=2, meanwhile=meanwhile)


# What working out one more service costs beyond its rows, in bytes of CSV that cost as much (a guess
# that need not be close: it keeps services with tiny files from all landing in one part).
_SERVICE_WEIGHT = 5000


def _data_sizes(groups: list[tuple[list, list[Path]]]) -> list[int]:
    """Each group's bytes of data, and _SERVICE_WEIGHT a service."""
    sizes = []
    for group, files in groups:
        total = _SERVICE_WEIGHT * len(group)
        for path in files:
            try:
                total += os.stat(path).st_size
            except OSError:  # told when it is read
                pass
        sizes.append(total)
    return sizes


def _balanced_parts(groups: list[tuple[list, list[Path]]], jobs: int) -> list[list]:
    """The groups' services in ``jobs`` runs (at most) of about equal size in bytes of data, in order.

    One part a process, not many small ones handed out as processes come free: each call of
    _work_out has a fixed cost (about a hundred whole-frame pandas steps, as much as a dozen
    services'), and a 150-service build's work-out workers executed 12.7 G instructions in nine
    parts against 9.2 G in two (valgrind's callgrind, docs/performance.md)."""
    return _cut([group for group, _ in groups], _data_sizes(groups), jobs)


def _cut(groups: list[list], weights: list[float], jobs: int) -> list[list]:
    """The groups' items in ``jobs`` runs (at most) of about equal weight, in order, each group whole."""
    share = sum(weights) / max(1, jobs)
    parts: list[list] = [[]]
    done = 0
    for group, weight in zip(groups, weights):
        # A new part once this one has its share (the last takes what is left).
        if parts[-1] and done + weight / 2 > share * len(parts) and len(parts) < jobs:
            parts.append([])
        parts[-1].extend(group)
        done += weight
    return parts


def _packed(result: tuple[dict, dict, list]) -> tuple[dict, dict, list]:
    """A part's result with each service's period rows and seasons pickled once, in the worker: this
    process then need not rebuild tens of thousands of rows that only other workers read (pages, open data)."""
    figures, csvs, problems = result
    return {slug: units.packed_figures(fig) for slug, fig in figures.items()}, csvs, problems


def _work_out(config, services, raw_files, root) -> tuple[dict, dict, list]:
    """Read, check and compute these services: (figures by slug, tidy CSV downloads by slug, problems)."""
    from generator.data import load_data
    from generator.metrics import compute

    problems = Problems(root=root)
    tidy = load_data(config, services, problems, raw_files)
    if problems.errors:
        # The build fails, but every problem is told at once: the warnings found in working out the
        # services the errors are not about, as a build that took them from the cache tells them.
        whole = _untouched_by_errors(config, services, problems)
        if whole:
            slugs = {svc.slug for svc in whole}
            try:
                _warn_of_figures(config, whole, compute(tidy[tidy["service"].isin(slugs)], config, whole), problems)
            except Exception:  # noqa: BLE001 (told as well as the errors, never instead of them)
                pass
        return {}, {}, problems.items
    figures, csvs = figures_from_rows(config, services, tidy)
    _warn_of_figures(config, services, figures, problems)
    return figures, csvs, problems.items


# What working out one more service costs beyond its rows, in rows that cost as much (a guess, as above).
_SERVICE_ROWS = 100


def _work_out_split(config, shared, services, raw_files, root, figures: dict, downloads: dict, plan,
                    jobs: int | None = 1, meanwhile=None) -> dict:
    """Work out services split from shared files' units (generator.shared_files) from their rows, read
    already (or read now), adding to ``figures`` and ``downloads``. Returns each one's unit key -> the
    warnings of working it out, told apart service by service: its record keeps its own alone.

    Many of them (a cold build of a site publishing from one export: the Transactions Explorer's
    734 services) are worked out over ``jobs`` forked processes, which share the rows read here;
    each service's figures come from its own rows alone. Working them out is most of such a
    build's reading and computing, and had been done here while the other cores waited."""
    if not services:
        return {}
    from generator import shared_files

    rows = shared_files.rows_of(shared, config, services, raw_files, root)
    key_of = {unit.services[0].slug: unit.key for unit in plan if unit.whole}

    def work_out(part: list) -> tuple[dict, dict, dict]:
        mine = rows if part is services else rows[rows["service"].isin({svc.slug for svc in part})]
        found, csvs = figures_from_rows(config, part, mine)
        own = {}
        for svc in part:
            problems = Problems(root=root)
            _warn_of_figures(config, [svc], found, problems)
            own[key_of[svc.slug]] = problems.items
        return found, csvs, own

    jobs = jobs or os.cpu_count() or 1
    if len(services) < PARTS_WORTH_IT or jobs <= 1:
        results = [work_out(services)]
    else:
        warm_up_work_out()  # imported once, before forking, as _work_out_in_parts does
        counts = rows["service"].value_counts()
        parts = _cut([[svc] for svc in services], [counts.get(svc.slug, 0) + _SERVICE_ROWS for svc in services],
                     jobs)
        results = render_jobs.map_over_processes(parts, lambda part: _packed(work_out(part)), jobs, worth_it=2,
                                                 meanwhile=meanwhile)
    own: dict = {}
    for found, csvs, warnings in results:
        figures.update(found)
        downloads.update({f"data/services/{slug}.csv": body for slug, body in csvs.items()})
        own.update(warnings)
    return own


def figures_from_rows(config, services, tidy) -> tuple[dict, dict]:
    """(figures by slug, tidy CSV downloads by slug) of services whose rows are read and checked."""
    from generator.custom_measures import service_measures
    from generator.downloads import service_csvs
    from generator.metrics import compute

    figures = compute(tidy, config, services)
    for fig in figures.values():
        add_summaries(fig, config.financial_year_start)
    if config.measures:
        from generator.metrics import covered_label, shown_cost_spans

        for slug, rows in (tidy.groupby("service", sort=False) if len(tidy) else []):
            if slug in figures:
                fig = figures[slug]
                fig.measures = service_measures(rows, config)
                # 'Data covers' a declared measure's periods too (its chart may start years earlier).
                measured = [period for f in fig.measures for period, value in f.points if value is not None]
                if measured:
                    fig.data_period_label = covered_label(fig.periods, [*measured, *shown_cost_spans(fig)])
    return figures, service_csvs(tidy, tuple(x.id for x in config.measures))


def _warn_of_a_lone_latest(model, content, problems: Problems) -> None:
    """A service or two whose figures run a year or more past every other's: the site's latest data
    is theirs, so the many others count as ended (assemble.ended_services), left out of every total,
    with pages saying they may have closed. A tester's export had one service's row of zeros for a
    year not yet reported: the home page's transactions per year read 0, and 1,339 services ended."""
    from generator import model as m
    from generator.assemble import _last_transactions, service_ends
    from generator.formatting import format_value, quoted_list

    # Of the services counting transactions, if any do (the site's latest is theirs: a service of
    # rates alone ends by it, but is not one whose transactions a later row cut off); else of all.
    ends, _ = service_ends({view.slug: view for view in model.services})
    counting = {view.slug for view in model.services if _last_transactions(view) is not None}
    what = "transactions" if counting else "figures"
    ended = [view for view in model.services if view.ended and (not counting or view.slug in counting)]
    current = [view for view in model.services if not view.ended and ends[view.slug] is not None
               and (not counting or view.slug in counting)]
    # Many ended beside few current (ten times as many, and ten or more): a small site with two retired
    # services beside one current one is right as it is (a review).
    if not current or len(ended) < 10 or len(current) * 10 > len(ended):
        return
    by_slug = {svc.slug: svc for svc in content.services}
    first = by_slug.get(current[0].slug)
    if first is None:
        return
    latest = max(ends[view.slug] for view in current)
    others = max(ends[view.slug] for view in ended)
    named = quoted_list([view.name for view in current], 3)
    years = [view.kpis[m.TRANSACTIONS_PER_YEAR].value for view in current]
    zeros = f" (all 0 in {'its' if len(current) == 1 else 'their'} latest 12 months)" \
        if all(value == 0 for value in years) else ""
    problems.warning(first.path, f"{named} {'has' if len(current) == 1 else 'have'} {what} to "
                     f"{latest:%B %Y}{zeros}, a year or more after {format_value(len(ended), m.COUNT)} other "
                     f"services' (theirs end by {others:%B %Y}): those count as ended, left out of the site's "
                     "totals, and their pages say they may have closed", *first.positions.at(("data",)),
                     hint="if the later periods are not real figures (a row of zeros for a year not yet "
                          "reported), leave them out with exclude: in the file's source; if they are, list this "
                          "warning under accepted_warnings: in config.yaml")


def _warn_of_take_up_with_no_digital_figures(config, model, content, problems: Problems) -> None:
    """Services whose digital take-up reads 0% because a file that other services' digital figures
    are in has none for them, not even a blank: right for a service offered only by phone or in
    person, wrong where an export leaves out what it does not know. A tester's library loans had
    12 councils with no e-book rows at all, published at 0.0% take-up, and their 7.4 million loans
    counted as none digital in the site's total. Told once for each file (services of their own
    file are not compared: one offered only by phone is as likely as one whose figures are missing)."""
    from generator import model as m
    from generator.formatting import quoted_list

    digital = {index for index, channel in enumerate(model.channels) if channel.digital}
    if not digital:
        return
    by_slug = {svc.slug: svc for svc in content.services}
    readers: dict[Path, list] = {}
    for view in model.services:
        if view.slug in by_slug:
            for path in units.data_paths(config, by_slug[view.slug]):
                readers.setdefault(path, []).append(view)
    told: set[str] = set()
    for path, views in readers.items():
        used = set().union(*(digital & set(view.channels_used) for view in views))
        none = [view for view in views if view.slug not in told and view.channels_used
                and not digital & set(view.channels_used) and view.kpis[m.DIGITAL_TAKE_UP].value == 0]
        if not used or not none:
            continue
        told.update(view.slug for view in none)
        labels = [model.channels[index].label for index in sorted(used)]
        they, have, their, them = ("it", "has", "its", "it") if len(none) == 1 else ("they", "have", "their", "them")
        problems.warning(path, f"{quoted_list([view.name for view in none])} {have} no figures for {' or '.join(labels)} in this file, which other "
                         f"services' digital figures are in: {their} digital take-up is published as 0%",
                         hint=f"if {they} {have} no digital channel, that is right: list this warning under "
                              f"accepted_warnings: in config.yaml; if {their} digital figures are not known, give "
                              f"{them} rows for those channels with the count left blank, and {their} take-up reads "
                              "'no data'")


def _warn_of_figures(config, services, figures: dict, problems: Problems) -> None:
    """The warnings found in working out services' figures: a yearly cost no counts pair with."""
    labels = [channel.label for channel in config.channels]
    for svc in services:
        fig = figures[svc.slug]
        latest = fig.periods[-1].period if fig.periods else None
        if svc.last_updated is not None and latest is not None and latest.end > svc.last_updated:
            # A page saying 'Last updated 10 April 2025' above figures to March 2026: a date left as
            # it was when the data was (a tester's).
            problems.warning(svc.path, f"last_updated: {svc.last_updated:%Y-%m-%d} is before the end of the "
                             f"latest figures ({latest.label}), and the page says it", *svc.positions.at(("last_updated",)),
                             hint="give the date the figures were last updated, or remove last_updated:")
        if fig.unpaired_costs:
            missing = {span.period.label: _uncounted(span.period, fig.periods, labels) for span in fig.cost_spans}
            _warn_of_unpaired_costs(svc, fig.unpaired_costs, problems, missing)
        if fig.take_up_disagrees:
            _warn_of_take_up_apart_from_counts(svc, fig.take_up_disagrees, problems)


def _warn_of_take_up_apart_from_counts(svc, periods: tuple[tuple, ...], problems: Problems) -> None:
    """A published digital take-up that the counts beside it do not give (metrics.per_period): the
    page shows the published rate on its card and the counts in its tables, so a reader finds two
    take-ups for one month. A tester's dashboard export had 73.8% beside 324 digital of 451 (71.8%)."""
    from generator.formatting import format_value

    def said(label, given, counted, digital, total):
        return (f"{label}: {format_value(given, 'percent')} published, {format_value(counted, 'percent')} from "
                f"{format_value(digital, 'count')} digital of {format_value(total, 'count')}")

    first = said(*periods[0]) + (f"; and {len(periods) - 1} more period{'s' if len(periods) > 2 else ''}"
                                 if len(periods) > 1 else "")
    problems.warning(svc.path, f"service '{svc.called}' publishes a digital take-up that its own counts of "
                     f"transactions do not give ({first}): its page shows the published rate beside those counts",
                     *svc.positions.at(("data",)),
                     hint="correct the rate or the counts in the export; to have take-up worked out from the counts "
                          "alone, leave the published rate out of the data (its column, or its mapping in sources:)")


def _untouched_by_errors(config, services, problems: Problems) -> list:
    """The services whose files (YAML and data) no error is about: where it is, or, placed elsewhere
    (config.yaml), the files it arose in reading (files read together are all named there, so only
    then); none if an error is about nothing of theirs, as it may touch any."""
    files = {svc.slug: {problems._rel(path) for path in units.data_paths(config, svc)} | {problems._rel(svc.path)}
             for svc in services}
    touched: set[str] = set()
    for error in problems.errors:
        hit = {slug for slug, mine in files.items() if error.path in mine} or \
            {slug for slug, mine in files.items() if mine & set(error.about)}
        if not hit:
            return []
        touched |= hit
    return [svc for svc in services if svc.slug not in touched]


def _uncounted(span, periods, channel_labels: list[str]) -> list[str]:
    """What keeps a cost for ``span`` (a year) from being paired with the counts of its months: the
    months with no count at all, and those missing a channel the service counts elsewhere, as
    'July 2025' and 'May 2024 (Post)'. The warning had said only that the year was not wholly
    counted, and the blank cell was left to be found by hand."""
    inside = [row for row in periods if span.start <= row.period.start and row.period.end <= span.end]
    counted = [row for row in inside if row.transactions is not None]
    if not counted:  # a year not yet begun, or not yet counted: nothing in it to name
        return []
    used = {i for row in periods for i, volume in enumerate(row.by_channel) if volume is not None}
    out = []  # (when, what)
    if all(row.period.kind == "month" for row in counted):
        have = {(row.period.start.year, row.period.start.month) for row in counted}
        year, month = span.start.year, span.start.month
        while date(year, month, 1) <= span.end:
            if (year, month) not in have:
                out.append((date(year, month, 1), f"{date(year, month, 1):%B %Y}"))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for row in counted:
        if not row.complete:
            blank = [channel_labels[i] for i in sorted(used) if row.by_channel[i] is None]
            out.append((row.period.start, f"{row.period.label} ({', '.join(blank)})" if blank else row.period.label))
    return [what for _, what in sorted(out)]


def _warn_of_unpaired_costs(svc, unpaired: tuple[tuple[str, str], ...], problems: Problems,
                            missing: dict[str, list[str]] | None = None) -> None:
    """A cost for a period with no count of its own (a finance file's year) that the service's counts
    of shorter periods do not make up exactly, every channel counted, or that is not every channel's
    cost: it is in no cost per transaction and no cost report, which had happened without a word."""
    for why in ("months", "channels"):
        periods = [label for label, reason in unpaired if reason == why]
        if not periods:
            continue
        named = ", ".join(periods[:3]) + (f" and {len(periods) - 3} more" if len(periods) > 3 else "")
        one = len(periods) == 1
        said = (f"no transactions counted for the whole of {'it' if one else 'each'}" if why == "months" else
                "not for every channel its months count (a channel's cost missing, or marked not requested)")
        gaps = [gap for label in periods for gap in (missing or {}).get(label, [])] if why == "months" else []
        if gaps:
            said += (": no count for " + ", ".join(gaps[:4])
                     + (f" and {len(gaps) - 4} more" if len(gaps) > 4 else ""))
        problems.warning(svc.path, f"service '{svc.called}' has a cost for {named} but {said}, so "
                         f"{'that cost is' if one else 'those costs are'} in no cost per transaction, nor in the costs "
                         "pages' totals",
                         *svc.positions.at(("data",)),
                         hint="a cost for a year is paired with the transactions of its months when every month has "
                              "every channel's count; give the missing counts (0 where there were none: a blank is no "
                              "data), or the cost of the months there are, by month or in a file of its own (one file "
                              "keeps to one kind of period)"
                              if why == "months" else "give every channel's cost for the year, or one for all channels")


def add_summaries(fig, financial_year_start: int) -> None:
    """Forecast, seasonal pattern and sums of a service's periods, kept with its figures, so a
    reused service's are not worked out again, nor its period rows read by the pages that sum it."""
    from generator.costs import year_sums
    from generator.forecast import forecast_months
    from generator.model import Seasons, with_cost_spans
    from generator.seasonality import Growths, month_profile, monthly_values, same_month_last_year, unusual_latest
    from generator.segmentation import channel_rows

    fig.year_sums = year_sums(with_cost_spans(fig.periods, fig.cost_spans), financial_year_start)
    fig.channel_rows = channel_rows(fig.periods)
    # A month with a channel's count blank has only part of its total: no month at all to the forecast
    # and the seasons, as to the year's change. A tester's one blank online cell made its September
    # 'the quietest, with 72%', and the forecast 6% higher, beside a card that would not compare years.
    series = [(row.period, row.transactions if row.complete else None) for row in fig.periods]
    if series and series[-1][0].kind == "month":
        values = monthly_values(series)
        growths = Growths(values) if values else None  # the forecast and the latest month's check share them
        fig.seasons = Seasons(forecast_months(series, growths=growths), tuple(month_profile(series) or ()),
                              same_month_last_year(series), unusual_latest(series, growths=growths))


def _unit_records(plan, reused, model, figures, data_problems, made_now, best: dict,
                  restaged: dict | None = None, downloads: dict | None = None,
                  own_warnings: dict | None = None) -> dict[str, units.UnitRecord]:
    """Records for every unit; new ones get their outputs' hashes once the files are rendered.
    ``best`` is each categorised service's best comparable service, as its page is made with it.
    ``made_now`` are the problems found in working out the new units: not the reused units'
    (a tester's fixed warning came back from a unit made beside the one that had it).
    ``restaged``: the old records of units whose pages are made again from their kept figures;
    the new ones keep their warnings, their tidy CSVs and those CSVs' hashes (the files are kept, or
    written again as they were). ``downloads``: the tidy CSVs made now (path -> bytes). ``own_warnings``:
    unit key -> the warnings of working out a service split from a shared file's unit, made now."""
    from generator.charts import LazyCharts

    views = {v.slug: v for v in model.services}
    places_of = {}
    restaged = restaged or {}
    for unit in plan:
        if unit.key not in reused and unit.key not in restaged and not unit.whole:  # whose data was read now
            places = {str(p) for p in unit.files} | {str(s.path) for s in unit.services}
            places_of[unit.key] = {data_problems._rel(p) for p in places}
    everywhere = set().union(*places_of.values()) if places_of else set()
    records = {}
    for unit in plan:
        if unit.key in reused:
            records[unit.key] = reused[unit.key]
            continue
        # A warning about no unit's own files (a source's mapping in config.yaml) goes with the units
        # whose files it arose in reading; if they are not known, with every new one.
        old = restaged.get(unit.key)
        warnings = list(old.warnings) if old is not None else list(own_warnings[unit.key]) if unit.whole else [
            p for p in made_now if p.path in places_of[unit.key] or p.path not in everywhere
            and _arose_in(p, places_of[unit.key], everywhere)]
        outputs = []
        for slug in unit.slugs:
            view = views[slug]
            outputs.append(view.url + "index.html")
            if view.data_file:
                outputs.append(view.data_file)
            if not isinstance(view.charts, LazyCharts):  # else added once made (render_all)
                for chart in view.charts:
                    outputs.extend([chart.csv_url, chart.json_url])
        records[unit.key] = units.UnitRecord(
            figures={slug: units.packed_figures(figures[slug]) for slug in unit.slugs},
            data_files={slug: views[slug].data_file for slug in unit.slugs if views[slug].data_file},
            warnings=warnings,
            open_data={},  # its services' rows, once their pages are made (render_all)
            outputs={path: old.outputs.get(path, ("", 0)) if old is not None and path in old.data_files.values()
                     else ("", 0) for path in outputs},
            ended=frozenset(slug for slug in unit.slugs if views[slug].ended),
            compared={slug: best[slug] for slug in unit.slugs if slug in best},
            tidy_csvs=dict(old.tidy_csvs) if old is not None else {
                path: downloads[path] for slug in unit.slugs if (path := views[slug].data_file) in (downloads or {})},
        )
    return records


def _arose_in(problem, places: set[str], everywhere: set[str]) -> bool:
    """Whether a problem placed in none of the units' files arose in reading one of ``places``
    (a pattern's files are matched by it): it would be told again whenever they are read."""
    def among(files):
        return any(place == about or fnmatch.fnmatchcase(place, about) for about in problem.about for place in files)

    return not problem.about or among(places) or not among(everywhere)


def render_all(prepared: Prepared, progress: Progress | None = None, jobs: int | None = 1,
               sink: Callable[[str, bytes], object] | None = None, keep_compiled: bool = True) -> dict[str, object]:
    """Make every file the build writes: render the planned pages and the charts' downloads (over
    ``jobs`` processes; None: every core) and add the other files. Returns output path to bytes;
    or, given a ``sink``, passes each file to ``sink(path, bytes)`` where it is made (in the
    worker processes) and returns path to what the sink returned. ``keep_compiled``: keep the
    compiled templates in the cache folder (not for ``perfpages check``, which writes nothing).
    """
    from generator import render
    from generator.charts import LazyCharts
    from generator.downloads import chart_files
    from generator.opendata import open_data_files, service_rows
    from generator.template_errors import TemplateFailed, template_failure

    keep = sink or (lambda path, body: body)
    todo = [spec for spec in prepared.pages if spec.reuse is None]
    total = len(prepared.pages)
    env = prepared.environment if prepared.environment is not None else \
        render_environment(prepared.config, keep_compiled,
                           compile_all=len(todo) >= render_jobs.WORTH_IT)  # not again in each forked worker
    step = progress or (lambda stage, done, total: None)
    # Units of one service whose records its page's process keeps, once the page is made
    # (see _keep_record); the others are kept by _save_records.
    alone = {slug: key for key, record in prepared.records.items() if len(record.figures) == 1
             for slug in record.figures} if prepared.keep_records else {}

    def downloads(chart) -> tuple:
        csv_body, json_body = chart_files(chart)
        json_made = keep(chart.json_url, json_body)
        chart.data_version = _data_version(json_made, json_body)  # for a page made in this process
        return keep(chart.csv_url, csv_body), json_made

    def render_one(spec: PageSpec) -> tuple[list[tuple[str, object]], tuple[str, str] | None]:
        """The page, and the downloads of its service's charts if they are made with it; and a
        fresh service's rows of the site-wide open data (worked out here, from the same rows)."""
        service = spec.context.get("service") if spec.kind == "service" else None
        owner = service or (spec.context.get("organisation") if spec.kind == "organisation" else None)
        made_first = []  # the downloads first: the page names each one's version
        if owner is not None and isinstance(owner.charts, LazyCharts):
            for chart in owner.charts:
                csv_made, json_made = downloads(chart)
                made_first += [(chart.csv_url, csv_made), (chart.json_url, json_made)]
        try:
            body = render.render_page(env, spec, prepared.model, render.build_nav(prepared.model, spec))
        except Exception as exc:
            failed = template_failure(exc, render.context_names(spec))
            if failed is None:
                raise
            raise failed from None
        made = [(spec.path, keep(spec.path, body.encode("utf-8"))), *made_first]
        if service is not None and service.data_file in prepared.extra_files:  # its tidy CSV, written here too
            made.append((service.data_file, keep(service.data_file, prepared.extra_files[service.data_file])))
        rows = None
        if service is not None and service.slug not in prepared.open_rows:
            rows = service_rows(service)
        if sink is not None and service is not None and service.slug in alone:
            _keep_record(prepared, alone[service.slug], service.slug, made, rows)
        return made, rows

    files: dict[str, object] = {}
    try:
        for chart, (made_csv, made_json) in zip(prepared.charts,
                                                render_jobs.map_over_processes(prepared.charts, downloads, jobs)):
            _add_once(files, chart.csv_url, made_csv, "(chart download)", prepared)
            _add_once(files, chart.json_url, made_json, "(chart download)", prepared)
            chart.data_version = _data_version(made_json, made_json)
        step("Rendering pages", 0, total)
        for page, (made, rows) in zip(todo, render_jobs.map_over_processes(
                todo, render_one, jobs, lambda done: step("Rendering pages", total - len(todo) + done, total))):
            prepared.made_with[page.path] = [path for path, _ in made[1:]]
            for path, result in made:
                _add_once(files, path, result, page.source, prepared)
            if rows is not None:
                prepared.open_rows[page.context["service"].slug] = rows
    except TemplateFailed as failed:  # a mistake in the site's own template: at its line, not a traceback
        problems = _with_the_warnings(prepared)
        problems.error(failed.path, failed.message, failed.line, hint=failed.hint)
        raise BuildFailed(problems) from None
    for path, body in {**prepared.extra_files, **open_data_files(prepared.model, prepared.open_rows)}.items():
        if path not in files or not path.startswith("data/services/"):  # not made with its service's page
            _add_once(files, path, keep(path, body), "(generated file)", prepared)
    return files


def _data_version(made: object, body: bytes) -> str:
    """A chart's data version (see model.Chart): from the hash the sink worked out for the manifest
    (``made``: [sha256, size]) if it wrote the JSON download, else from its bytes, hashed once."""
    return (made[0] if isinstance(made, list) else digest(body))[:12]


def render_environment(config: Config, keep_compiled: bool, compile_all: bool):
    """The pages' Jinja environment (``keep_compiled``: compiled templates kept in the cache folder),
    with every template compiled now if ``compile_all``: once, before worker processes are forked."""
    from generator import render

    env = render.make_environment(render.template_search_path(config.root, config.theme),
                                  config.cache_dir if keep_compiled else None)
    if compile_all:
        for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
            try:
                env.get_template(name)
            except Exception:  # a template no page uses may be broken, or not even text:
                pass  # as before, it is reported only if a page uses it
    return env


def _add_once(files: dict, path: str, made: object, source: str, prepared: Prepared) -> None:
    """Add a made file; two things making one path is an error (check_collisions finds most before
    anything is made; the downloads of charts made with their pages are only known now)."""
    if path.lower() in prepared.made_paths:
        problems = _with_the_warnings(prepared)
        problems.error(source, f"writes {path}, which something else in the site also writes",
                       hint="give one of them a different slug or file name")
        raise BuildFailed(problems)
    prepared.made_paths.add(path.lower())
    files[path] = made


def _with_the_warnings(prepared: Prepared) -> Problems:
    """The build's warnings, for an error met as pages are made: the report of a failed build had
    lost them (a new site's nine accessibility-statement warnings, beside a template's error)."""
    problems = Problems(root=prepared.config.root)
    for problem in prepared.problems.items:
        problems._add(problem)
    return problems


def check_site(config_path: Path, *, strict: bool = False) -> Problems:
    """Validate everything and render in memory, writing nothing (in the cache folder either,
    but for a peer council's figures fetched from its site, kept as a build keeps them)."""
    with cyclic_gc_paused():
        prepared = prepare(config_path, strict=strict, keep_compiled=False)
        render_all(prepared, keep_compiled=False)
        return prepared.problems


def draw_charts(prepared: Prepared, jobs: int | None, draw_missing: bool = True) -> int:
    """Static SVGs and the Vega runtime, as the configuration asks; returns charts left undrawn."""
    from generator import svg_charts
    from generator.charts import all_charts
    from generator.static_charts import render_svgs, vega_bundle

    config, model = prepared.config, prepared.model
    # Every page loads the runtime when interactive charts are on, chart or not: decided by the
    # configuration alone, a page kept from an earlier build can never differ from a clean build's.
    if config.interactive_charts:
        name, body = vega_bundle(config.cache_dir)
        prepared.extra_files[name] = body
        model.vega_bundle = name
    if config.static_svg and config.static_renderer == "builtin":
        def drawn(chart) -> None:  # drawn as each page is rendered: about a millisecond each
            chart.svg_drawer = svg_charts.draw

        model.chart_setup.append(drawn)  # for the charts made later, with their pages
        for chart in all_charts(model, made_only=True):
            drawn(chart)
    elif config.static_svg:
        return render_svgs(all_charts(model), config.cache_dir, jobs, draw_missing)
    return 0


def _start_vega_bundle(config_path: Path):
    """The Vega runtime fetched for the cache while the build reads and computes (see
    static_charts.start_vega_bundle), when the pages will need it."""
    config = load_config(Path(config_path), Problems(root=Path(config_path).resolve().parent))
    if config is None or not config.interactive_charts:
        return None
    from generator.static_charts import start_vega_bundle

    return start_vega_bundle(config.cache_dir)


def _unchanged_site(config_path: Path, out_dir: Path, options: str, started: float, need_svgs: bool,
                    strict: bool = False):
    """The previous build's result, if no input has changed since it was made; else None.

    Also returns the inputs' digests and the previous build's files (if still intact) for the build to reuse.
    """
    problems = Problems(root=Path(config_path).resolve().parent)
    config = load_config(Path(config_path), problems)
    if config is None:
        return None, None, {}
    digests = file_digests(config, options)
    inputs = input_fingerprint(config, options, digests)
    try:  # before anything in it is read or removed: the build itself then says why not
        check_output_dir(Path(out_dir), protected_paths(config))
    except OutputError:
        return None, digests, {}
    manifest = read_manifest(Path(out_dir))
    if not site_intact(Path(out_dir), manifest, config.cache_dir):
        return None, digests, {}
    if manifest.get("inputs") != inputs or (need_svgs and manifest.get("charts_pending")):
        return None, digests, manifest["files"]  # (or the dev server's quick build left charts to draw)
    if any(peer.url for peer in config.peers):  # an input only fetching it tells: built, and written only if changed
        return None, digests, manifest["files"]
    for item in manifest.get("warnings", []):
        problems._add(Problem(item["path"], item["message"], item.get("line"), item.get("column"), item.get("hint"),
                              item.get("level", WARNING)))
    _fail_if_errors(problems, strict)  # --strict: its warnings fail it, as they would a build made afresh
    files = len(manifest["files"])
    strays = remove_strays(Path(out_dir), manifest["files"])  # as any other build leaves none
    return BuildResult(int(manifest.get("pages", 0)), files, time.perf_counter() - started, problems,
                       Path(out_dir), unchanged=files, removed=len(strays), up_to_date=True,
                       charts=_charts_among(manifest["files"])), digests, manifest["files"]


def protected_paths(config: Config) -> list[Path]:
    """The site's own inputs and cache: no output folder may overlap them (write.check_output_dir)."""
    return [config.path, config.content_dir, config.data_dir, config.root / "themes",
            config.root / "templates", config.root / "static", config.cache_dir]


def _charts_among(paths) -> int:
    """How many charts a site has: each has one JSON download, under data/charts/."""
    return sum(1 for path in paths if path.startswith("data/charts/") and path.endswith(".json"))


def _many_files_to_make(prepared: Prepared) -> bool:
    """Whether this build makes too many files to patch the old site in place (see write.write_site):
    then they are better written straight into a new folder as they are made."""
    from generator.charts import LazyCharts

    todo = [spec for spec in prepared.pages if spec.reuse is None]
    # Charts made with their pages are not counted yet: take a page's to be about six, with two downloads each.
    with_charts = sum(isinstance(getattr(spec.context.get(spec.kind), "charts", None), LazyCharts) for spec in todo)
    making = len(todo) + 12 * with_charts + 2 * len(prepared.charts) + len(prepared.extra_files)
    return making > max(SMALL_CHANGE, (making + len(prepared.kept)) // 20)


def _keep_record(prepared: Prepared, key: str, slug: str, made: list, rows) -> None:
    """Finish and store a one-service unit's record where its page was made: every file the
    unit writes is made with the page, so its hashes are at hand. Writing 766 records one after
    another once every page was made kept one core idle for a fifth of a second or more."""
    record = prepared.records[key]
    hashes = dict(made)  # path -> [sha256, size], as Staging.write returned them
    if rows is not None and _finish_record(record, lambda: {slug: rows}, hashes, hashes):
        units.UnitStore(prepared.config.cache_dir).save_one(key, record)


def _finish_record(record: units.UnitRecord, open_data: Callable[[], dict], made: Iterable[str],
                   hashes: dict[str, list]) -> bool:
    """Complete a new unit's record: its open-data rows, the files made with its pages, and each
    output's [sha256, size] from ``hashes`` (this build's files). True if every output's is known;
    else they stay unknown ("", 0), and the record is never reused (units.reusable)."""
    if not record.open_data:
        record.open_data = open_data()
    record.outputs.update((path, ("", 0)) for path in made)
    # Each output's hash as made now; a file kept as it was (a restaged unit's tidy CSV) has its own already.
    known = {path: tuple(hashes[path]) if path in hashes else entry for path, entry in record.outputs.items()}
    if not known or not all(sha for sha, _ in known.values()):
        return False
    record.outputs = known
    return True


def _save_records(prepared: Prepared, files: dict, hashes: dict[str, list]) -> None:
    """Note each new unit's files (``hashes``: path -> [sha256, size], as written) and keep
    its record for the next build."""
    made_now = {path: hashes[path] for path in files}
    for record in prepared.records.values():
        made = [path for page in record.outputs if page in prepared.made_with for path in prepared.made_with[page]]
        _finish_record(record, lambda: {slug: prepared.open_rows[slug] for slug in record.figures}, made, made_now)
    store = units.UnitStore(prepared.config.cache_dir)
    store.save_indices(prepared.split_indices)  # first: marked as used before the least used are pruned
    store.save(prepared.records, prepared.rewrite_records)
    pages = {}
    for path, key in prepared.page_keys.items():
        if path in files:
            pages[key] = tuple(hashes[path])
        elif path in prepared.kept:
            pages[key] = prepared.kept[path]
    page_reuse.PageStore(prepared.config.cache_dir).save(pages)


def build_site(config_path: Path, out_dir: Path, *, strict: bool = False, jobs: int | None = None,
               progress: Progress | None = None, draw_missing: bool = True,
               base_url: str | None = None) -> BuildResult:
    """Build the site into ``out_dir``, replacing it only if the whole build succeeds (see _build_site)."""
    with cyclic_gc_paused():
        return _build_site(config_path, out_dir, strict=strict, jobs=jobs, progress=progress,
                           draw_missing=draw_missing, base_url=base_url)


def _build_site(config_path: Path, out_dir: Path, *, strict: bool, jobs: int | None,
                progress: Progress | None, draw_missing: bool, base_url: str | None) -> BuildResult:
    """Build the site into ``out_dir``, replacing it only if the whole build succeeds.

    ``base_url``, if given, stands in for config.yaml's; it is one of the build's options, so
    changing it makes every output anew (``strict`` is not: see build_options).

    If nothing the site is built from has changed since the last build (its
    fingerprint is in the output's manifest), the output is left as it is.
    """
    started = time.perf_counter()
    options = build_options(base_url)
    # Where there is a last build, services may be reused and the changed ones worked out beside
    # (generator.head_start): forked before the site is found unchanged or not, as importing pandas
    # is the longest part of the helper's work, and the check a fifth of a second at GOV.UK scale.
    helper = head_start.HeadStart.start() if (Path(out_dir) / MARKER).is_file() and \
        head_start.worth_forking(jobs) else None
    step = progress or (lambda stage, done, total: None)
    fetching = None
    try:  # (closes the helper whatever happens, Ctrl+C in a progress display included: a review)
        unchanged, digests, previous = _unchanged_site(config_path, out_dir, options, started, draw_missing, strict)
        if unchanged is not None:
            return unchanged
        if not previous and helper is not None:
            helper.close()
            helper = None
        step("Reading and checking inputs", 0, 1)
        fetching = _start_vega_bundle(config_path)
        prepared = prepare(config_path, strict=strict, previous=previous, digests=digests, jobs=jobs,
                           base_url=base_url, helper=helper)
    except BaseException:
        if fetching is not None:
            fetching.kill()
        raise
    finally:
        if helper is not None:
            helper.close()
        if fetching is not None:
            fetching.wait()
    inputs = input_fingerprint(prepared.config, options, digests)
    step("Reading and checking inputs", 1, 1)
    step("Drawing charts", 0, 1)
    pending = draw_charts(prepared, jobs, draw_missing)
    prepared.keep_records = not pending  # a quick build's pages lack charts: not worth keeping
    step("Drawing charts", 1, 1)
    config = prepared.config
    protected = protected_paths(config)
    warnings = [{"path": p.path, "message": p.message, "line": p.line, "column": p.column, "hint": p.hint}
                | ({"level": p.level} if p.level == ACCEPTED else {})
                for p in prepared.problems.sorted() if p.level in (WARNING, ACCEPTED)]
    manifest_extra = {"pages": len(prepared.pages), "warnings": warnings, "charts_pending": pending}
    try:
        if _many_files_to_make(prepared):
            # Written where they are made, in the worker processes, into the staging folder.
            staging = Staging(Path(out_dir), protected)
            try:
                files = render_all(prepared, progress, jobs, sink=staging.write)
                step("Writing files", 0, 1)
                written = finish_site(staging, files, inputs, manifest_extra, config.cache_dir,
                                      prepared.kept, previous)
            finally:
                staging.discard()
        else:
            files = render_all(prepared, progress, jobs)
            step("Writing files", 0, 1)
            written = write_site(Path(out_dir), files, protected, inputs, manifest_extra, config.cache_dir,
                                 prepared.kept, previous)
    except OutputError as exc:
        problems = _with_the_warnings(prepared)
        problems.error(out_dir, str(exc))
        raise BuildFailed(problems) from None
    if not pending:  # a quick build's pages lack charts: not worth keeping
        _save_records(prepared, files, written.hashes)
    step("Writing files", 1, 1)
    return BuildResult(len(prepared.pages), len(files) + len(prepared.kept), time.perf_counter() - started,
                       prepared.problems,
                       Path(out_dir), written.written, written.unchanged, written.removed,
                       charts_pending=pending, reused_services=prepared.reused_services,
                       recalled_services=prepared.recalled_services,
                       charts=_charts_among([*files, *prepared.kept]))
