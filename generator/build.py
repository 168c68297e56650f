"""Orchestrate a build: load, validate, compute, plan, render, write. Data flows one way.

Everything is collected and checked before anything is rendered, so every
problem in every file is reported at once and nothing is written unless the
whole site can be built. The core never prints: results and problems go back
to the caller (the CLI).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator import render
from generator.assemble import assemble
from generator.charts import add_charts, all_charts
from generator.config import Config, load_config
from generator.content import load_content
from generator.data import RawFiles, load_data
from generator.downloads import chart_downloads, service_csvs
from generator.errors import BuildFailed, Problems
from generator.metrics import compute
from generator.model import SiteModel
from generator.opendata import open_data_files
from generator.pages import PageSpec, check_collisions, plan_pages
from generator.static_charts import render_svgs, vega_bundle
from generator.fingerprint import input_fingerprint
from generator.write import OutputError, read_manifest, site_intact, write_site


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


def _fail_if_errors(problems: Problems, strict: bool) -> None:
    if problems.errors or (strict and problems.warnings):
        raise BuildFailed(problems)


def static_files(config: Config) -> dict[str, bytes]:
    """Theme assets: the first folder on the static search path to have a file wins."""
    found = render.static_files(render.static_search_path(config.root, config.theme))
    return {rel: path.read_bytes() for rel, path in found.items()}


def prepare(config_path: Path, *, strict: bool = False) -> Prepared:
    """Load and check every input and compute every figure; raises BuildFailed on errors."""
    config_path = Path(config_path)
    problems = Problems(root=config_path.resolve().parent)
    config = load_config(config_path, problems)
    if config is None:
        raise BuildFailed(problems)
    theme_dir = config.root / "themes" / config.theme
    if config.theme != "default" and not theme_dir.is_dir():
        problems.error(config.path, f"theme '{config.theme}' not found in themes/",
                       hint="use theme: default, or create themes/<name>/templates")
    raw_files = RawFiles()
    content = load_content(config, problems, raw_files)
    tidy = load_data(config, content.services, problems, raw_files)
    _fail_if_errors(problems, strict)

    figures = compute(tidy, config, content.services)
    downloads = {f"data/services/{slug}.csv": body for slug, body in service_csvs(tidy).items()}
    data_links = {path.split("/")[-1][:-4]: path for path in downloads}
    model = assemble(config, content, figures, data_links)
    add_charts(model)
    pages = plan_pages(model)
    extra = {**static_files(config), **downloads, **chart_downloads(all_charts(model)), **open_data_files(model)}
    check_collisions(pages, problems, {path: "(generated file)" for path in extra})
    _fail_if_errors(problems, strict)
    return Prepared(config, model, pages, extra, problems)


def render_all(prepared: Prepared, progress: Progress | None = None) -> dict[str, bytes]:
    """Render every planned page; returns output path to bytes."""
    env = render.make_environment(render.template_search_path(prepared.config.root, prepared.config.theme))
    files = dict(prepared.extra_files)
    total = len(prepared.pages)
    if progress:
        progress("Rendering pages", 0, total)
    for done, spec in enumerate(prepared.pages, start=1):
        nav = render.build_nav(prepared.model, spec)
        files[spec.path] = render.render_page(env, spec, prepared.model, nav).encode("utf-8")
        if progress and (done % 50 == 0 or done == total):
            progress("Rendering pages", done, total)
    return files


def check_site(config_path: Path, *, strict: bool = False) -> Problems:
    """Validate everything and render in memory, writing nothing."""
    prepared = prepare(config_path, strict=strict)
    render_all(prepared)
    return prepared.problems


def draw_charts(prepared: Prepared, jobs: int | None, draw_missing: bool = True) -> int:
    """Static SVGs and the Vega runtime, as the configuration asks; returns charts left undrawn."""
    config, model = prepared.config, prepared.model
    if config.interactive_charts and all_charts(model):
        name, body = vega_bundle(config.cache_dir)
        prepared.extra_files[name] = body
        model.vega_bundle = name
    if config.static_svg:
        return render_svgs(all_charts(model), config.cache_dir, jobs, draw_missing)
    return 0


def _unchanged_site(config_path: Path, out_dir: Path, options: str, started: float, need_svgs: bool):
    """The previous build's result, if no input has changed since it was made; else (None, fingerprint)."""
    problems = Problems(root=Path(config_path).resolve().parent)
    config = load_config(Path(config_path), problems)
    if config is None:
        return None, ""
    inputs = input_fingerprint(config, options)
    manifest = read_manifest(Path(out_dir))
    if manifest.get("inputs") != inputs or not site_intact(Path(out_dir), manifest, config.cache_dir):
        return None, inputs
    if need_svgs and manifest.get("charts_pending"):
        return None, inputs  # the dev server's quick build left charts to draw
    for item in manifest.get("warnings", []):
        problems.warning(item["path"], item["message"], item.get("line"), item.get("column"), item.get("hint"))
    files = len(manifest["files"])
    return BuildResult(int(manifest.get("pages", 0)), files, time.perf_counter() - started, problems,
                       Path(out_dir), unchanged=files, up_to_date=True), inputs


def build_site(config_path: Path, out_dir: Path, *, strict: bool = False, jobs: int | None = None,
               progress: Progress | None = None, draw_missing: bool = True) -> BuildResult:
    """Build the site into ``out_dir``, replacing it only if the whole build succeeds.

    If nothing the site is built from has changed since the last build (its
    fingerprint is in the output's manifest), the output is left as it is.
    """
    started = time.perf_counter()
    unchanged, inputs = _unchanged_site(config_path, out_dir, f"strict={strict}", started, draw_missing)
    if unchanged is not None:
        return unchanged
    step = progress or (lambda stage, done, total: None)
    step("Reading and checking inputs", 0, 1)
    prepared = prepare(config_path, strict=strict)
    step("Reading and checking inputs", 1, 1)
    step("Drawing charts", 0, 1)
    pending = draw_charts(prepared, jobs, draw_missing)
    step("Drawing charts", 1, 1)
    files = render_all(prepared, progress)
    step("Writing files", 0, 1)
    config = prepared.config
    protected = [config.path, config.content_dir, config.data_dir, config.root / "themes",
                 config.root / "templates", config.root / "static", config.cache_dir]
    warnings = [{"path": p.path, "message": p.message, "line": p.line, "column": p.column, "hint": p.hint}
                for p in prepared.problems.sorted() if p.level == "warning"]
    try:
        written = write_site(Path(out_dir), files, protected, inputs,
                             {"pages": len(prepared.pages), "warnings": warnings, "charts_pending": pending},
                             config.cache_dir)
    except OutputError as exc:
        problems = Problems(root=config.root)
        problems.error(out_dir, str(exc))
        raise BuildFailed(problems) from None
    step("Writing files", 1, 1)
    return BuildResult(len(prepared.pages), len(files), time.perf_counter() - started, prepared.problems,
                       Path(out_dir), written.written, written.unchanged, written.removed,
                       charts_pending=pending)
