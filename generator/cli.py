"""The command line: the only place that prints or exits.

Exit codes: 0 success, 1 problems in the site's content or data, 2 usage errors.
"""

from __future__ import annotations

import collections
import gc
import warnings
import os
import re
import shlex
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click

from generator import __version__
from generator.errors import ACCEPTED, ERROR, BuildFailed, Problems

SHOW_AT_MOST = 200


def report(problems: Problems, *, strict: bool = False, show_all: bool = False, can_list_all: bool = True) -> None:
    """Print every problem as path:line:column: level: message (the first SHOW_AT_MOST, unless
    ``show_all``), then a count. Warnings that config.yaml accepts are only counted: they were
    read when they were accepted."""
    accepted = len(problems.accepted)
    problems = Problems(problems.root, [p for p in problems.items if p.level != ACCEPTED],
                        not_checked=problems.not_checked)
    items = problems.sorted()
    shown = items if show_all else problems.first(SHOW_AT_MOST)
    # The warnings, then the errors, each in file order: the errors that fail the build just above
    # the count, where a terminal or a CI log shows them first (a tester's one error had been the
    # fifth of 71 problems, the others warnings of rows no service read).
    for problem in [p for p in shown if p.level != ERROR] + [p for p in shown if p.level == ERROR]:
        click.echo(problem.format(), err=True)
    if len(items) > len(shown):
        click.echo(f"... and {len(items) - len(shown)} more problem(s) not shown"
                   f"{' (--all lists them)' if can_list_all else ''}, of these kinds:", err=True)
        for line in _kinds(sorted(set(items) - set(shown), key=lambda p: p.sort_key())):
            click.echo(line, err=True)
    errors, warnings = len(problems.errors), len(problems.warnings)
    if errors or warnings:
        summary = f"{errors} error(s), {warnings} warning(s)"
        if strict and warnings:
            summary += " (--strict treats warnings as errors)"
        click.echo(summary, err=True)
    if problems.not_checked:
        click.echo(problems.not_checked, err=True)
    if accepted:
        click.echo(f"{accepted} warning(s) accepted in config.yaml (accepted_warnings:) not shown", err=True)


# A quoted text (not an apostrophe inside a word: "row's"), a figure, or a month's name.
_QUOTED = re.compile(r"(?<!\w)'.*?'(?!\w)|\d[\d,.]*|\b(?:January|February|March|April|May|June|July|August|"
                     r"September|October|November|December)\b")


def _kinds(problems: list, most: int = 10) -> list[str]:
    """The problems not shown, counted by kind: each message with its quoted texts and figures left
    out, so that a user told of 200 problems out of 771 sees what the other 571 are about."""
    counts = collections.Counter(f"{p.level}: {_QUOTED.sub('…', p.message)}" for p in problems)
    lines = [f"    {n} × {kind}" for kind, n in counts.most_common(most)]
    if len(counts) > most:
        lines.append(f"    and {len(counts) - most} other kind(s)")
    return lines


class WarningsOnce:
    """The dev server's report of a build's problems: warnings printed in full once, and the same
    warnings after the next build only counted. Each save had printed every warning again (six for
    the Transactions Explorer's file, nine on a new site), pushing what changed out of sight."""

    def __init__(self):
        self.shown: list[str] | None = None  # the warnings last printed in full

    def report(self, problems: Problems) -> None:
        now = [problem.format() for problem in problems.sorted() if problem.level != ACCEPTED]
        if now and now == self.shown and not problems.errors:
            click.echo(f"{len(now)} warning(s), the same as after the last build (printed above)", err=True)
            return
        report(problems, can_list_all=False)  # (the dev server has no --all: check --all lists them)
        self.shown = None if problems.errors else now

    def forget(self) -> None:
        """Print the next build's warnings in full (after a failed build's errors)."""
        self.shown = None


def browser_text(problems: Problems) -> str:
    """A failed build's problems for the dev server's banner: the errors first, since they are what
    failed it (a new site's nine accessibility-statement warnings had pushed its one error to the
    bottom of a banner taller than the window), then the warnings, then the count."""
    shown = [p for p in problems.first(SHOW_AT_MOST) if p.level != ACCEPTED]
    errors = [p for p in shown if p.level == ERROR]
    lines = [p.format() for p in errors] + [p.format() for p in shown if p.level != ERROR]
    return "\n".join([*lines, f"{len(problems.errors)} error(s), {len(problems.warnings)} warning(s)",
                      *([problems.not_checked] if problems.not_checked else [])])


@contextmanager
def progress_reporter():
    """A rich progress bar on an interactive terminal; a plain line per finished stage in CI logs."""
    if sys.stderr.isatty():
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                       transient=True, console=None)
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        with bar:
            yield update
        return
    started: dict[str, float] = {}

    def line(stage: str, done: int, total: int) -> None:
        started.setdefault(stage, time.perf_counter())
        if done == total:
            click.echo(f"{stage}: done in {time.perf_counter() - started[stage]:.1f}s", err=True)

    yield line


def _run(action, strict: bool, failure: str, show_all: bool = False):
    from generator.render_jobs import WorkerLost

    try:
        return action()
    except BuildFailed as failed:
        report(failed.problems, strict=strict, show_all=show_all)
        click.echo(failure, err=True)
        sys.exit(1)
    except WorkerLost as lost:
        click.echo(f"error: {lost}", err=True)
        click.echo(failure, err=True)
        sys.exit(1)


config_option = click.option("--config", "-c", "config_path", default="config.yaml", show_default=True,
                             type=click.Path(dir_okay=False, path_type=Path),
                             help="The site's config.yaml.")
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
all_option = click.option("--all", "show_all", is_flag=True,
                          help=f"List every problem, not only the first {SHOW_AT_MOST} (the rest are counted by kind).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="perfpages")
def main() -> None:
    """Performance Pages: build a public service performance site from YAML and CSV."""
    # A build makes millions of small objects that mostly live until it ends (figures, rows,
    # records read back from the cache), and few reference cycles. With Python's default
    # thresholds the collector scans them again and again: about 0.4 s of a 3 s rebuild.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    # A library's advice to programmers (pandas on fragmented frames) means nothing to someone
    # publishing data: the report is the problems in their files, and nothing else.
    warnings.filterwarnings("ignore", message="DataFrame is highly fragmented")


def run() -> None:
    """The ``perfpages`` command: :func:`main`, then straight out of the process.

    Tearing down a big build's objects one by one as Python exits took longer than
    some whole rebuilds (0.2 to 0.4 s at GOV.UK scale). Everything the build writes
    is closed by then, so once the output is flushed, the process simply ends.
    Under a profiler or a tracer (cProfile, coverage), which write their results as
    Python exits, it exits the usual way. Tests call :func:`main` in-process.
    """
    try:
        main()  # click ends it with SystemExit
        code = 0
    except SystemExit as exc:
        code = exc.code
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


def _check_base_url(ctx, param, value: str | None) -> str | None:
    from generator.config import base_url_problem

    if value is not None and base_url_problem(value):
        raise click.BadParameter(base_url_problem(value) + "; e.g. https://your-org.github.io/performance/")
    return value


@main.command()
@config_option
@click.option("--output", "-o", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: site/ next to config.yaml].")
@strict_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes for rendering pages (and drawing charts with vl-convert) "
                   "[default: one per CPU core].")
@click.option("--base-url", default=None, callback=_check_base_url, metavar="URL",
              help="Where the site will live, instead of config.yaml's base_url (e.g. from CI: "
                   "the GitHub Pages address).")
@all_option
def build(config_path: Path, out_dir: Path | None, strict: bool, jobs: int | None, base_url: str | None,
          show_all: bool) -> None:
    """Build the site into the output folder."""
    from generator.build import build_site, cyclic_gc_paused

    out_dir = out_dir or config_path.resolve().parent / "site"
    # Kept off to the end, not only during build_site: this process ends once it is built.
    with progress_reporter() as progress, cyclic_gc_paused(freeze_after=True):
        result = _run(lambda: build_site(config_path, out_dir, strict=strict, jobs=jobs, progress=progress,
                                         base_url=base_url),
                      strict, "Build failed: nothing was written; the previous site is unchanged.", show_all)
    report(result.problems, show_all=show_all)
    if result.up_to_date:
        click.echo(f"Nothing has changed since the last build: {result.pages} pages, {result.charts} charts "
                   f"({result.files} files) in {out_dir} are up to date ({result.seconds:.1f}s)"
                   + (f"; removed {result.removed} file(s) no build made." if result.removed else "."))
    else:
        click.echo(f"Built {result.pages} pages, {result.charts} charts ({result.files} files) into {out_dir} in "
                   f"{result.seconds:.1f}s: "
                   f"{result.written} written, {result.unchanged} unchanged, {result.removed} removed"
                   + (f"; {_services(result.reused_services)} reused from the last build" if result.reused_services
                      else "")
                   + (f"; {_services(result.recalled_services, possessive=True)} figures taken from the cache "
                      "(their data unchanged)" if result.recalled_services else "") + ".")


def _services(count: int, possessive: bool = False) -> str:
    """'1 service', '766 services'; possessive: "1 service's", "766 services'"."""
    if count == 1:
        return "1 service's" if possessive else "1 service"
    return f"{count} services'" if possessive else f"{count} services"


@main.command()
@config_option
@strict_option
@all_option
def check(config_path: Path, strict: bool, show_all: bool) -> None:
    """Check every input file and report problems, writing nothing."""
    from generator.build import check_site

    problems = _run(lambda: check_site(config_path, strict=strict), strict, "Check failed.", show_all)
    report(problems, show_all=show_all)
    click.echo("No errors found." if not problems.warnings else "No errors found (see warnings above).")


@main.command()
@config_option
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--output", "-o", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: site/ next to config.yaml].")
def serve(config_path: Path, port: int, out_dir: Path | None) -> None:
    """Build, serve on http://localhost:PORT, and rebuild and reload the browser on every change."""
    from generator.build import build_site
    from generator.config import load_config
    from generator.serve import ServeError
    from generator.serve import serve as run_server
    from generator.write import MARKER

    out_dir = (out_dir or config_path.resolve().parent / "site").resolve()

    told = WarningsOnce()

    def build_once(draw_svgs: bool, jobs: int | None):
        # The server asks for one process (jobs=1) once its own threads are running: forking beside them
        # is not worth the risk for builds that mostly re-render a handful of pages.
        result = build_site(config_path, out_dir, draw_missing=draw_svgs, jobs=jobs)
        told.report(result.problems)
        pending = f" ({result.charts_pending} static charts to draw next)" if result.charts_pending else ""
        if result.up_to_date:
            click.echo(f"Nothing has changed ({result.pages} pages); watching for changes.", err=True)
        else:
            files = result.written + result.removed
            made = f"{files:,} file{'' if files == 1 else 's'} changed"
            click.echo(f"Built {result.pages} pages in {result.seconds:.1f}s ({made}){pending}; watching for changes.",
                       err=True)
        # A file that changes no page (an editor's backup or autosave beside the data) reloads no page.
        changed = not result.up_to_date and bool(result.written or result.removed)
        return load_config(config_path, Problems()), result.charts_pending, changed

    def failed(exc: BuildFailed) -> str:
        report(exc.problems, can_list_all=False)
        told.forget()
        if (out_dir / MARKER).is_file():
            click.echo("Build failed: still serving the last good site.", err=True)
        else:
            click.echo("Build failed: there is no site to serve yet. Fix the problems above and save; "
                       "the browser shows the site once a build succeeds.", err=True)
        return browser_text(exc.problems)

    def listening() -> None:
        click.echo(f"Serving {out_dir} on http://localhost:{port}/ (Ctrl+C to stop)", err=True)

    try:
        run_server(config_path, out_dir, port, build_once, failed, listening)
    except KeyboardInterrupt:
        pass
    except ServeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="The organisation's name [default: from the folder's name].")
@click.option("--kind", default="council", show_default=True,
              help="The organisation's kind, as kind: in its file takes it: council, department, agency, "
                   "directorate... Only councils are compared with other councils.")
def new(folder: Path, name: str | None, kind: str) -> None:
    """Start a new site in FOLDER: config, an organisation, two services with data, CI workflows."""
    from generator.scaffold import ScaffoldError, create_site, install_caveat, install_source_known, site_name

    try:
        written = create_site(folder, name, kind)
    except ScaffoldError as exc:
        click.echo(f"{folder}: error: {exc}", err=True)
        sys.exit(1)
    here = folder.resolve() == Path.cwd().resolve()
    click.echo(f"Created a new site in {folder} ({len(written)} files). Next:\n"
               + ("" if here else f"  cd {shlex.quote(str(folder))}\n")  # a folder's name may have spaces
               + "  perfpages serve      # builds it and shows it at http://localhost:8000/\n"
               "  perfpages build      # or just build it into site/\n"
               "Before you publish: fill in each '[fill in: ...]' in content/pages/accessibility.md, and change "
               "or remove phase_banner in config.yaml (it says the figures are examples): perfpages check lists "
               "them, and the CI workflows stop until they are done.")
    if name is None:  # a tester's site was 'Pl Site' in six files, from its folder, without a word
        click.echo(f"The organisation is named '{site_name(folder, None)}', after the folder: to choose its "
                   f"name, delete the folder's new files and run perfpages new again with --name \"...\".")
    requirements = (folder / "requirements.txt").read_text(encoding="utf-8")
    if not install_source_known(requirements):
        click.echo(f"Before you push: {folder / 'requirements.txt'} must say where CI installs Performance Pages "
                   "from (this copy has no public git address); the line to add is in it.")
    elif caveat := install_caveat(requirements):
        click.echo(f"Note: {caveat}")


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def schemas(folder: Path | None) -> None:
    """Write JSON Schema files for config.yaml, services and organisations (for editors)."""
    from generator.schemas import SHIPPED, write_schemas

    for path in write_schemas(folder or SHIPPED):
        click.echo(f"Wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    main()
