"""Render planned pages to HTML with Jinja: the template search path, filters and context.

Templates only *format* the precomputed :mod:`generator.model`; every figure,
change, direction and assessment arrives worked out. Autoescaping is on for
everything; only ``service.notes_html`` and ``content.html`` (already
sanitised upstream) may be marked ``|safe``.

Template context (the contract; ``tests/test_render.py`` fails if a template
asks for anything not listed here):

Every page kind receives
    ``site``      SiteInfo: title, organisation, language, base_path, phase_banner...
    ``model``     the whole SiteModel (``model.services``, ``model.totals``...)
    ``page``      the PageSpec: ``title``, ``kind``, ``url``, ``breadcrumbs``, ``path``
    ``nav``       list of ``{"label", "url", "current", "lang"}``; ``url`` is site-relative,
                  ``current`` is ``"page"``, ``"true"`` (inside that section) or None,
                  ``lang`` a Markdown page's language where it is not the site's, else None
    ``url``       callable: site-relative target (or absolute http(s) URL) -> URL
                  usable from this page
    ``asset``     callable: path under ``static/`` -> URL usable from this page
    ``channels``  ``model.channels`` (list of ChannelInfo)
    ``kpis``      ``model.kpis`` (list of KpiInfo, in card/column order)
    ``page_has_charts``  whether the page draws charts (base.html loads the Vega runtime only then)
    ``page_has_table_filter``  whether the page's services table is long enough for a box to find
                  a service in it (``services_table``; base.html loads its script only then)
Per kind (``page.kind``), from ``PageSpec.context``
    home, organisations, not_found: nothing more
    services      ``table``         ServicesTable (rows in this page's sort order)
    savings       ``table``         ServicesTable of services with ``savings`` (channel-shift ranking)
    costs         ``table``, ``report``, ``reports``  the cost report: ServicesTable of costs.CostLine
                                    rows, the year's CostReport, and every year's (newest first)
    service       ``service``       ServiceView
    organisation  ``organisation``  OrganisationView
    page          ``content``       MarkdownPage

Filters: ``fmt(value, unit)``, ``figure(fig)``, ``change_text(fig)``, ``points_change(change, moved)`` (a share's
change in percentage points: 'gained 4.1', 'little change', 'no change'), ``during(label)`` (' in March 2025',
' on 30 December 2017'), ``opening(label)`` (a sentence's first words: 'In March 2025', 'From April 2024 to March
2025'), ``usual_latest(rows)`` (the period most
rows of a services table have their latest data for, and whether all do),
``date_label(d)``, ``sort_state(table, key)``, ``chart_table(chart)`` (a chart's data table:
its ``<thead>`` and ``<tbody>``, with a column per series for a chart of several over time),
``chart_table_wide(chart)`` ('phone' where that table is too wide for a phone, for ``table_wrap``'s ``wide``),
``chart_rows(chart)`` (the body rows of a chart's data table, one per plotted row), ``figure_cell(fig)`` (a KPI figure as a ``<td>``), ``chart_svg(chart)`` (static
SVG with role, title and description), ``json_script(value)`` (JSON that is
safe inside ``<script type="application/json">``).

Globals: ``cost_rows(rows)`` and ``savings_rows(rows)`` (the body rows of the cost report and the
savings ranking), ``value_td(value, unit, estimated=False, not_requested=False, period=None)`` (a value as a
``<td>``, as the ``value_cell`` macro writes it, with the period it is for under it if given), ``charts_by_topic(charts)`` (a service's charts by the
section of its page they go in: ``over_time``, ``channels``, ``compare`` and ``seasons``), and ``memo(key...)``, used as ``{% call memo(...) %}body{% endcall %}``, renders
the body once per key in a build (the all-services table's rows, repeated on
every sort order); links made with ``url()`` in the body suit every page it is shown on.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import secrets
from collections import Counter
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from generator import BUILTIN_THEME
from generator import model as m
from generator.charts import charts_by_topic
from generator.formatting import (change_text, count_of, date_label, during, format_figure, format_many,
                                  format_value, named_list, opening, points_change)
from generator.pages import PageSpec
from generator.static_charts import accessible_svg, json_for_html


COMMON_CONTEXT = ("site", "model", "page", "nav", "url", "asset", "channels", "kpis", "page_has_charts",
                  "page_has_table_filter")
TEMPLATE_CONTEXT: dict[str, tuple[str, ...]] = {
    "home": (),
    "services": ("table",),
    "savings": ("table",),
    "costs": ("table", "report", "reports"),
    "service": ("service",),
    "organisations": (),
    "organisation": ("organisation",),
    "page": ("content",),
    "not_found": (),
}

_EXTERNAL_PREFIXES = ("http://", "https://", "mailto:", "//")
_PASSED_THROUGH = (*_EXTERNAL_PREFIXES, "#")  # links relative_url leaves as they are


# ----------------------------------------------------------------- search paths


def _search_path(site_root: Path, theme: str, folder: str) -> list[Path]:
    site_root = Path(site_root)
    builtin = BUILTIN_THEME / folder
    candidates = [site_root / folder, site_root / "themes" / theme / folder]
    found = [p for p in candidates if p.is_dir() and p.resolve() != builtin.resolve()]
    return found + [builtin]


@lru_cache(maxsize=1)
def builtin_template_names() -> frozenset[str]:
    """The built-in theme's templates: a site's own template of one of these names stands for it."""
    folder = BUILTIN_THEME / "templates"
    return frozenset(path.relative_to(folder).as_posix() for path in folder.rglob("*.html"))


def template_search_path(site_root: Path, theme: str) -> list[Path]:
    """Site ``templates/``, then the site's theme, then the built-in default theme."""
    return _search_path(site_root, theme, "templates")


def static_search_path(site_root: Path, theme: str) -> list[Path]:
    """Site ``static/``, then the site's theme ``static/``, then the built-in one."""
    return _search_path(site_root, theme, "static")


ROOT_FOLDER = "root"  # static/root/robots.txt is published at /robots.txt


def static_files(search_path: list[Path], linked_out: list[Path] | None = None) -> dict[str, Path]:
    """Output path (``static/css/site.css``) -> source file; the first folder wins per file. A link
    to a file outside its folder is left out, and added to ``linked_out`` if given: it had
    published /proc/self/environ. Files in a static folder's ``root/`` go to the site's root
    (robots.txt, favicon.ico, .well-known/security.txt, a host's _headers): nowhere else could
    a council put them."""
    files: dict[str, Path] = {}
    for folder in search_path:
        root = Path(folder).resolve()
        for path in sorted(Path(folder).rglob("*")):
            if not path.is_file():
                continue
            if path.resolve().is_relative_to(root):
                rel = path.relative_to(folder).as_posix()
                files.setdefault(rel[len(ROOT_FOLDER) + 1:] if rel.startswith(ROOT_FOLDER + "/") else "static/" + rel,
                                 path)
            elif linked_out is not None:
                linked_out.append(path)
    return files


def missing_assets(template_folders: list[Path], static_paths, problems) -> None:
    """Warn at each ``asset('...')`` in these templates that names a file no static folder has.

    A missing stylesheet or logo builds without a word and leaves the page unstyled or a broken
    image; ``img/Logo.svg`` for ``logo.svg`` works on a Mac or Windows but not on GitHub Pages.
    The templates are read (not the pages), so it is checked once per build whichever pages are
    made, and each call costs one set lookup. Only calls with a quoted path can be checked.
    """
    have = {path.removeprefix("static/") for path in static_paths}
    folded = {path.lower(): path for path in have}
    for folder in template_folders:
        for path in sorted(Path(folder).rglob("*.html")):
            try:
                calls = _asset_calls(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
            for asked, line in calls:
                if asked.split("?")[0].split("#")[0] not in have:
                    problems.warning(path, f"asset('{asked}') names static/{asked}, which the site does not have",
                                     line, hint=_asset_hint(asked.split("?")[0].split("#")[0], have, folded))


@lru_cache(maxsize=256)
def _asset_calls(text: str) -> tuple[tuple[str, int], ...]:
    """The quoted paths a template's ``asset()`` calls ask for, with their lines. Remembered by the
    template's text: parsing the theme's templates was a quarter of the dev server's rebuild
    after a one-CSV edit, though they had not changed."""
    try:
        tree = jinja2.Environment().parse(text)
    except jinja2.TemplateSyntaxError:
        return ()  # reported when a page is rendered with it
    return tuple((asked, call.lineno) for call in tree.find_all(jinja2.nodes.Call)
                 if (asked := _asked_asset(call)) is not None)


def _asked_asset(call) -> str | None:
    """The path an ``asset('...')`` call asks for (leading / removed, as asset() does), or None."""
    if not (isinstance(call.node, jinja2.nodes.Name) and call.node.name == "asset" and call.args):
        return None
    first = call.args[0]
    if isinstance(first, jinja2.nodes.Const) and isinstance(first.value, str):
        return first.value.lstrip("/")
    return None


def _asset_hint(asked: str, have: set[str], folded: dict[str, str]) -> str:
    if asked.lower() in folded:
        real = folded[asked.lower()]
        return (f"the file is static/{real}: write asset('{real}'); web servers such as GitHub Pages tell "
                "capital letters from small ones, though a Mac or Windows does not")
    import difflib

    close = difflib.get_close_matches(asked, sorted(have), n=1, cutoff=0.6)
    where = f"put the file at static/{asked} next to config.yaml"
    return f"{where}, or name a file the site has (the closest is '{close[0]}')" if close else where


def sort_state(table: m.ServicesTable, key: str) -> dict:
    """How one column header of a services table links and describes itself.

    Returns ``{"option": SortOption to link to, "current": bool, "aria_sort":
    "ascending"|"descending"|None, "state": "A to Z"|..., "action": ...}``.
    """
    current = table.sort.key == key
    # A column's first option is its usual order (highest first for most figures): options are made so.
    first = next((o.descending for o in table.options if o.key == key), False)
    want_desc = (not table.sort.descending) if current else first
    option = next((o for o in table.options if o.key == key and o.descending == want_desc), None)
    text_sort = key in ("name", "organisation")

    def words(descending: bool) -> str:
        if text_sort:
            return "Z to A" if descending else "A to Z"
        return "highest first" if descending else "lowest first"

    return {
        "option": option,
        "current": current,
        "aria_sort": ("descending" if table.sort.descending else "ascending") if current else None,
        "state": words(table.sort.descending) if current else "",
        "action": words(want_desc),
    }


def _currency(ctx) -> str:
    site = ctx.get("site")
    return getattr(site, "currency_symbol", None) or ctx.environment.globals.get("currency_symbol", "£")


@jinja2.pass_context
def _fmt_filter(ctx, value, unit, currency_symbol=None):
    return format_value(value, unit, currency_symbol or _currency(ctx))


@jinja2.pass_context
def _figure_filter(ctx, fig, currency_symbol=None):
    return format_figure(fig, currency_symbol or _currency(ctx))


@jinja2.pass_context
def _change_filter(ctx, fig, currency_symbol=None):
    return change_text(fig, currency_symbol or _currency(ctx))


# ----------------------------------------------------------------- environment


MACRO_LIBRARY = "_macros.html"  # what the theme's templates import as ``ui``
_MACRO = re.compile(r"{%-?\s*macro\s+(\w+)")
_COMMENT = re.compile(r"{#.*?#}", re.S)


class _SiteLoader(jinja2.FileSystemLoader):
    """The site's template folders. A ``_macros.html`` of the site's (or of its theme's) may hold only
    the macros it changes: the others are taken in from the next ``_macros.html`` on the search path
    (a theme's, then the built-in one), on the file's first line, so the line numbers of errors in
    it stay its own. A council overriding one macro had met a traceback ('TemplateModule object has
    no attribute breadcrumbs') from the theme's pages. ``_macros.html@N`` names the library as found
    from the Nth folder of the search path on."""

    def get_source(self, environment, template):
        name, _, start = template.partition("@")
        if name != MACRO_LIBRARY:
            try:
                return super().get_source(environment, template)
            except UnicodeDecodeError as exc:
                raise _not_utf8(self.searchpath, template, exc) from None
        first = int(start) if start.isdigit() else 0
        index = next((i for i in range(first, len(self.searchpath))
                      if os.path.isfile(os.path.join(self.searchpath[i], name))), None)
        if index is None:
            raise jinja2.TemplateNotFound(template)
        source, filename, uptodate = self._read(self.searchpath[index:index + 1], environment, name)
        own = set(_MACRO.findall(_COMMENT.sub("", source)))  # a macro commented out is not one it has
        missing = [macro for macro in _theme_macros() if macro not in own]
        if not missing or index + 1 >= len(self.searchpath):
            return source, filename, uptodate
        prefix = f'{{% import "{name}@{index + 1}" as _next_macros with context %}}' + "".join(
            f"{{% set {macro} = _next_macros.{macro} %}}" for macro in missing)
        return prefix + source, filename, uptodate

    @staticmethod
    def _read(folders, environment, template):
        """The template from these folders alone (one, for a library found from a place in the path)."""
        try:
            return jinja2.FileSystemLoader(folders).get_source(environment, template)
        except UnicodeDecodeError as exc:
            raise _not_utf8(folders, template, exc) from None


@lru_cache(maxsize=1)
def _theme_macros() -> tuple[str, ...]:
    """The built-in theme's macro names: what its pages may call."""
    theme = (BUILTIN_THEME / "templates" / MACRO_LIBRARY).read_text(encoding="utf-8")
    return tuple(dict.fromkeys(_MACRO.findall(_COMMENT.sub("", theme))))


def _not_utf8(folders: list[str], template: str, exc: UnicodeDecodeError):
    """A site template saved in another encoding (Windows-1252's '©'), told where, not as a traceback."""
    from generator.template_errors import TEMPLATE_HELP, TemplateFailed

    path = next((Path(folder) / template for folder in folders if (Path(folder) / template).is_file()), None)
    if path is None:
        return exc
    before = exc.object[:exc.start]
    line, column = before.count(b"\n") + 1, exc.start - before.rfind(b"\n")
    return TemplateFailed(str(path), line, f"template is not UTF-8 text: byte 0x{exc.object[exc.start]:02x} at column "
                          f"{column} cannot be read",
                          "save the file as UTF-8 (in most editors: Save as, Encoding: UTF-8); " + TEMPLATE_HELP)


def make_environment(search_path: list[Path], cache_dir: Path | None = None) -> jinja2.Environment:
    """A strict, autoescaping environment over the search path plus ``default:`` prefix.

    With ``cache_dir``, compiled templates are kept there (Jinja checks each one's source
    checksum): compiling the theme costs ~0.4 s, a fifth of a build that changes one service.
    """
    bytecode_cache = None
    if cache_dir is not None:
        # Jinja checks each template's source, but not its own version or this environment's
        # options (in this file): a folder per both, so an upgrade never reuses old code.
        which = hashlib.sha256(jinja2.__version__.encode() + Path(__file__).read_bytes()).hexdigest()[:16]
        folder = Path(cache_dir) / "templates" / which
        folder.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
    loader = jinja2.ChoiceLoader(
        [
            _SiteLoader([str(p) for p in search_path]),
            jinja2.PrefixLoader(
                {"default": jinja2.FileSystemLoader(str(BUILTIN_THEME / "templates"))}, delimiter=":"
            ),
        ]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,
    )
    env.filters.update(
        fmt=_fmt_filter,
        count_of=count_of,
        during=during,
        opening=opening,
        figure=_figure_filter,
        change_text=_change_filter,
        points_change=points_change,
        date_label=date_label,
        sort_state=sort_state,
        chart_svg=_chart_svg,
        chart_rows=_chart_rows,
        chart_table=_chart_table,
        chart_table_wide=_chart_table_wide,
        usual_latest=usual_latest,
        figure_cell=_figure_cell,
        measure_rule=measure_rule,
        json_script=json_for_html,
    )
    made: dict[tuple, str] = {}

    @jinja2.pass_context
    def memo(ctx, *key, caller):
        """``{% call memo(key...) %}...{% endcall %}``: the body once per key for this environment (one build).

        The key must name everything the body shows but the links it makes with ``url()``: those
        are made from the site's root, and each page that shows the body gets them relative to
        itself (so they must be written as they are, not filtered). A link made outside the call
        and used in the body is a page's own: then the key must name it.
        So one body serves pages at every depth (the home page, /services/, each sort order);
        the all-services table's rows use it."""
        body = made.get(key)
        if body is None:
            outer, env.urls_from_root = env.urls_from_root, True
            try:
                body = made[key] = str(caller())
            finally:
                env.urls_from_root = outer
        return Markup(body.replace(ROOT_MARK, ctx["url"]("")) if ROOT_MARK in body else body)

    env.urls_from_root = False  # while memo renders a body
    env.globals["memo"] = memo
    env.globals["value_td"] = value_td
    env.globals["charts_by_topic"] = charts_by_topic
    env.globals["figures_by_period_rows"] = _figures_by_period_rows
    env.globals["channel_period_rows"] = _channel_period_rows
    env.globals["cost_rows"] = _cost_rows
    env.globals["savings_rows"] = _savings_rows
    return env


@jinja2.pass_context
def _chart_rows(ctx, chart: m.Chart):
    """The rows of a chart's data table, written here rather than cell by cell in the template:
    at hundreds of services, a template loop per cell was most of the build's time. The same
    few period and series names recur in every table, so their escaped forms are remembered;
    formatted numbers need escaping only for an unusual currency symbol."""
    currency = _currency(ctx)
    columns = _shown_columns(chart)
    first = columns[0].key
    rest = [(c.key, c.unit, c.unit == "text") for c in columns[1:]]
    blanks = [c.blank for c in columns[1:]]
    rows = chart.rows
    heads = _row_heads([row[first] for row in rows])
    cells = [[f"<td>{_escaped(row.get(key) or _text_blank(row, blank))}</td>" for row in rows] if text
             else _value_cells([row.get(key) for row in rows], unit, currency, blank)
             for (key, unit, text), blank in zip(rest, blanks)]
    for index, column in enumerate(columns[1:]):
        if column.blank_beside is not None and not rest[index][2]:
            other, text = column.blank_beside
            said = f'<td class="num missing">{_escaped(text)}</td>'
            cells[index] = [said if row.get(column.key) is None and row.get(other) is not None else cell
                            for row, cell in zip(rows, cells[index])]
    if len(columns) < len(chart.columns):  # a period not requested says so in its value's cell
        values = next(i for i, (_, _, text) in enumerate(rest) if not text)
        said = {"not requested": _value_cell(None, "", "", not_requested=True), "no transactions": NO_TRANSACTIONS_CELL}
        cells[values] = [said.get(row.get("status"), cell) for row, cell in zip(rows, cells[values])]
    return Markup(_table_lines(heads, cells))


def _row_heads(labels: list) -> list[str]:
    """Each row's header cell: written once for each label of text (a period's recurs once per
    series); labels of other types each as their own (1, 1.0 and True are one key to a dict)."""
    if not set(map(type, labels)) <= _TEXT:
        return [f'<tr><th scope="row" class="table__row-header">{_escaped(label)}</th>' for label in labels]
    made = {label: f'<tr><th scope="row" class="table__row-header">{_escaped(label)}</th>'
            for label in dict.fromkeys(labels)}
    return list(map(made.__getitem__, labels))


_TEXT = {str}


def _table_lines(heads: list[str], cells: list[list[str]]) -> str:
    """Rows of a table body from each row's header and its cells by column, a line each."""
    return "</tr>\n".join(map("".join, zip(heads, *cells))) + "</tr>" if heads else ""


def _text_blank(row: dict, blank: str | None) -> str:
    """What an empty text cell says: a text column's ``blank`` in a row with a value ('no', where
    'Estimated' is blank), 'not applicable' in one without; nothing where the column gives none.
    An empty cell had been the only one on a site a screen reader read as nothing at all."""
    if blank is None:
        return ""
    return blank if row.get("value") is not None else "not applicable"


def _shown_columns(chart: m.Chart) -> list[m.ChartColumn]:
    """The columns of a chart's data table: a row's status is said in its value's cell instead."""
    return [c for c in chart.columns if c.key != "status"]


def _series_table(chart: m.Chart) -> bool:
    """Whether a chart's table is better read with a column per series: a line or stack over time
    with one value per period and series (transactions by channel, channel shares). Its rows
    go period by period, rather than repeating each period once per series."""
    columns = chart.columns
    return (len(columns) == 3 and columns[1].key == "series" and columns[1].unit == "text"
            and columns[2].unit != "text" and bool(chart.rows) and "start" in chart.rows[0])


def usual_latest(rows: list) -> tuple[str | None, bool]:
    """(the period most of a services table's rows have their latest data for, if more than half
    do; whether every row with data does), for saying it once, in the table's caption."""
    labels = [row.latest_label for row in rows if row.latest_label]
    if not labels:
        return None, False
    label, count = Counter(labels).most_common(1)[0]
    return (label, count == len(labels)) if count * 2 > len(labels) else (None, False)


def _chart_table_wide(chart: m.Chart) -> str | None:
    """'phone' where a chart's data table has three columns or more (a period's and three series', or
    three of words and figures), which a phone's screen may not show at once, else None: its box
    then says it scrolls sideways (without JavaScript, by the screen's width; with it, exactly when
    it does). An accessibility review found 13 such tables on a service page at 375 px with no word of it."""
    if _series_table(chart):  # a period's column, then a column of figures per series
        return "phone" if len({row["series"] for row in chart.rows}) >= 3 else None
    return "phone" if len(_shown_columns(chart)) >= 3 else None  # a row per plotted row: its words are long


@jinja2.pass_context
def _chart_table(ctx, chart: m.Chart):
    """A chart's data table: header and body (``<thead>`` and ``<tbody>``). A chart over time with
    several series has a row per period and a column per series, each cell its value (or 'no
    data'); any other chart a row per plotted row, as ``chart_rows`` writes them."""
    if not _series_table(chart):
        head = "".join(f'<th scope="col" class="table__header{"" if c.unit == "text" else " num"}">'
                       f"{_escaped(c.label)}</th>" for c in _shown_columns(chart))
        return Markup(f"<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n{_chart_rows(ctx, chart)}\n</tbody>")
    currency = _currency(ctx)
    period, _, value = chart.columns
    at_key, value_key = period.key, value.key
    rows = chart.rows
    ats, names = list(map(itemgetter(at_key), rows)), list(map(itemgetter("series"), rows))
    # Each (series, period)'s value, the last row's where one repeats; each period's start, its first row's.
    value_at = dict(zip(zip(names, ats), [row.get(value_key) for row in rows]))
    first_row = dict(zip(reversed(ats), range(len(ats) - 1, -1, -1)))
    starts = {at: rows[first_row[at]]["start"] for at in dict.fromkeys(ats)}
    series = list(dict.fromkeys(names))  # in the order they are drawn
    head = f'<th scope="col" class="table__header">{_escaped(period.label)}</th>' + "".join(
        f'<th scope="col" class="table__header num">{_escaped(name)}</th>' for name in series)
    periods = sorted(starts, key=starts.__getitem__)  # stable: periods starting together keep their order
    made = _value_cells([value_at.get((name, at)) for at in periods for name in series], value.unit, currency)
    width = len(series)
    body = _table_lines(_row_heads(periods), [made[i::width] for i in range(width)])
    return Markup(f"<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n{body}\n</tbody>")


@lru_cache(maxsize=16384)
def _needs_no_escaping(text: str) -> bool:
    return not any(c in text for c in "&<>'\"")


@lru_cache(maxsize=16384, typed=True)  # typed: 0 and 0.0 are shown differently
def _escaped(value) -> str:
    return str(escape(value))


@jinja2.pass_context
def value_td(ctx, value, unit, estimated=False, not_requested=False, period=None):
    """A value as a table cell ('not requested', 'no data', or the value, marked if estimated, with
    the period it is for under it if given).

    A function rather than a macro: the tables by period have a cell per measure per period on
    every service page, and a macro call per cell was a third of a large site's render time."""
    note = f'<span class="table__period">{_escaped(period)}</span>' if period else ""
    return Markup(_value_cell(value, unit, _currency(ctx), estimated, not_requested, note))


_CELL_CACHES: dict[tuple[str, str, str], dict] = {}  # (unit, currency, blank cell) -> value -> cell
_FLOAT_OR_NONE = {float, type(None)}


def _value_cells(values, unit: str, currency: str, blank_text: str | None = None) -> list[str]:
    """``_value_cell`` of each value (none estimated or not requested), remembering each non-zero
    finite float's cell: a GOV.UK-scale site has a million and a half chart table cells, about
    half of them a value already shown on the page (a month's transactions are in a chart's
    table and in the table by channel), and a dictionary lookup costs a twentieth of formatting
    one. Zero is left out (0.0 and -0.0 are one key but written differently), as are NaN and
    infinities; those, and every cell of a column holding other types or if the currency symbol
    needs escaping, take _value_cell. ``blank_text`` is what a cell with no value says, if not
    "no data" (a column's ``blank``): remembered as the cell of None, in a cache of its own.

    The values not yet known are formatted together (format_many), once each, and the column is
    then looked up at C speed: a loop of Python per cell had been most of writing the tables."""
    blank = _value_cell(None, unit, currency) if blank_text is None else \
        f'<td class="num missing">{_escaped(blank_text)}</td>'  # (Markup or text: as written, the key)
    cache = _CELL_CACHES.get((unit, currency, blank))
    if cache is None or len(cache) > 65536:
        cache = _CELL_CACHES[(unit, currency, blank)] = {None: blank}
    if not set(map(type, values)) <= _FLOAT_OR_NONE or not _needs_no_escaping(currency):
        return [cache[None] if value is None else _value_cell(value, unit, currency) for value in values]
    fresh = {value for value in values if value not in cache}  # (a set: in no order, but each is formatted alone)
    if fresh:
        plain = [value for value in fresh if value - value == 0 and value != 0]
        for value, text in zip(plain, format_many(plain, unit, currency)):
            cache[value] = f'<td class="num">{text}</td>'
        if len(plain) < len(fresh):  # a zero, NaN or infinity among them, never remembered
            known = cache.get
            return [known(value) or _value_cell(value, unit, currency) for value in values]
    return list(map(cache.__getitem__, values))


NO_TRANSACTIONS_CELL = '<td class="num missing">no transactions</td>'


def _value_cell(value, unit: str, currency: str, estimated=False, not_requested=False, note: str = "") -> str:
    """``note``: markup after a value there is (the period it is for), not after 'no data'."""
    if not_requested:
        return '<td class="num missing">not requested</td>'
    text = format_value(value, unit, currency)
    if not _needs_no_escaping(currency):
        text = _escaped(text)
    if value is None:
        return f'<td class="num missing">{text}</td>'
    if estimated:
        text += ' <span class="estimate">(estimate)</span>'
    return f'<td class="num">{text}{note}</td>'


def _period_header(row: m.PeriodRow) -> str:
    """A period's row header, saying when its counts are not all there. A digital count published
    without a total (the Transactions Explorer's, some years) is in no column: it is said here."""
    note = "" if row.complete else (
        '<span class="table__period">some channels have no data</span>' if any(v is not None for v in row.by_channel)
        else f'<span class="table__period">{format_value(row.digital_transactions, m.COUNT)} digital '
             'transactions; no total</span>' if row.digital_transactions is not None
        else '<span class="table__period">no channel has data</span>')
    return f'<th scope="row" class="table__row-header">{_escaped(row.period.label)}{note}</th>'


@jinja2.pass_context
def _figures_by_period_rows(ctx, service: m.ServiceView):
    """The rows of a service's figures-by-period table, latest first (written here, not in the
    template, for the same reason as value_td: thousands of cells on a large site)."""
    currency = _currency(ctx)
    asked = set(service.not_requested)
    rows = service.periods[::-1]
    # Each column at once (as chart tables are written); a row with a cell not requested or
    # estimated is written cell by cell instead.
    plain = list(zip(*(_value_cells([getattr(row, name) for row in rows], unit, currency)
                       for name, unit in _PERIOD_COLUMNS)))
    lines = []
    for row, cells in zip(rows, plain):
        if row.transactions == 0:  # a share or cost of no transactions: there is none, which is not 'no data'
            cells = list(cells)
            for index, name in ((1, m.DIGITAL_TAKE_UP), (2, m.COST_PER_TRANSACTION)):
                if row.of_no_transactions(name) and name not in asked and name not in row.not_requested:
                    cells[index] = NO_TRANSACTIONS_CELL
        if asked or row.not_requested or row.cost_estimated:
            skip = asked | set(row.not_requested)
            cells = [
                _value_cell(row.transactions, m.COUNT, currency,
                            not_requested="transactions_per_year" in row.not_requested),
                _value_cell(row.digital_take_up, m.PERCENT, currency, not_requested="digital_take_up" in skip),
                _value_cell(row.cost_per_transaction, m.MONEY, currency, row.cost_estimated,
                            "cost_per_transaction" in skip),
                _value_cell(row.completion_rate, m.PERCENT, currency, not_requested="completion_rate" in skip),
                _value_cell(row.user_satisfaction, m.PERCENT, currency, not_requested="user_satisfaction" in skip),
            ]
        lines.append("<tr>" + _period_header(row) + "".join(cells) + "</tr>")
    return Markup("\n".join(lines))


_PERIOD_COLUMNS = (("transactions", m.COUNT), ("digital_take_up", m.PERCENT), ("cost_per_transaction", m.MONEY),
                   ("completion_rate", m.PERCENT), ("user_satisfaction", m.PERCENT))


@jinja2.pass_context
def _channel_period_rows(ctx, service: m.ServiceView):
    """The rows of a service's transactions-by-channel-and-period table, latest first."""
    currency = _currency(ctx)
    rows = m.counted_rows(service.periods)[::-1]
    used = service.channels_used
    cells = _value_cells([row.by_channel[i] for row in rows for i in used] + [row.transactions for row in rows],
                         m.COUNT, currency)
    width, totals = len(used), len(rows) * len(used)
    return Markup("\n".join("<tr>" + _period_header(row) + "".join(cells[n * width:(n + 1) * width])
                            + cells[totals + n] + "</tr>" for n, row in enumerate(rows)))


def _name_cells(ctx, row, anchor: str = "", note: str = "") -> str:
    url = ctx["url"]
    head = (f'<th scope="row" class="table__row-header"><a href="{escape(url(row.url))}{anchor}">{escape(row.name)}</a>'
            f'{note}</th>')
    org = row.organisation
    return head + (f'<td><a href="{escape(url(org.url))}">{escape(org.name)}</a></td>' if org else "<td></td>")


@jinja2.pass_context
def _cost_rows(ctx, rows) -> Markup:
    """The cost report's rows by service (costs.CostLine), written here for the reason chart_rows is:
    the report has a page per year and sort order, each with a row per service."""
    currency = _currency(ctx)
    made = _row_cache(ctx)
    depth = ctx["url"]("")
    out = []
    for r in rows:
        key = ("cost", id(r), depth)  # the same row on every sort order of a year at this depth
        if key not in made:
            note = (f'<span class="table__period">part year: {_months(r.months)}</span>'
                    if r.months < 11.5 else "")
            if r.cost is not None and r.cost_months < r.months - 0.5:  # the cost is of fewer months
                note += (f'<span class="table__period">cost for {round(r.cost_months)} of '
                         f'{_months(r.months)}</span>')
            if r.uncounted:  # a channel marked not requested: the row is of the others (a tester)
                note += _uncounted_note(r.uncounted)
            if r.unpaired_cost is not None:  # published, but no cost per transaction: said, and in no total
                note += ('<span class="table__period">cost not in the totals: not every month\'s transactions '
                         'are counted</span>')
            made[key] = ("<tr>" + _name_cells(ctx, r, note=note) + _value_cell(r.transactions, m.COUNT, currency)
                         + _value_cell(r.cost if r.unpaired_cost is None else r.unpaired_cost, m.MONEY_WHOLE,
                                       currency, r.estimated, r.not_requested)
                         + _value_cell(r.cost_per_transaction, m.MONEY, currency, r.estimated, r.not_requested)
                         + "</tr>")
        out.append(made[key])
    return Markup("\n".join(out))


def _uncounted_note(channels) -> str:
    return f'<span class="table__period">not counting {escape(named_list(channels, "channel", 9))}</span>'


def _months(count: float) -> str:
    return "1 month" if round(count) == 1 else f"{round(count)} months"


def _row_cache(ctx) -> dict:
    """Rows already written in this build (one environment is one build), by what they depend on.

    Rows link to services and organisations only, never to the page's own folder, so the
    page's depth (``url("")``) and the row's data are all a row depends on."""
    env = ctx.environment
    if not hasattr(env, "perfpages_rows"):
        env.perfpages_rows = {}
    return env.perfpages_rows


@jinja2.pass_context
def _savings_rows(ctx, rows) -> Markup:
    """The savings ranking's rows (services with ``savings``), as cost_rows."""
    currency = _currency(ctx)
    made = _row_cache(ctx)
    depth = ctx["url"]("")
    out = []
    for s in rows:
        row_key = ("savings", id(s), depth)
        if row_key in made:
            out.append(made[row_key])
            continue
        sv = s.savings
        note = f'<span class="table__period">{escape(sv.period_label)}</span>' + (
            _uncounted_note(left) if (left := s.uncounted_between(s.split_start, s.split_end)) else "")
        cells = [_name_cells(ctx, s, "#savings-heading", note),
                 _value_cell(sv.take_up, m.PERCENT, currency), _value_cell(sv.cost, m.MONEY_WHOLE, currency)]
        for name in ("points", "best", "target"):
            sc = sv.scenario(name)
            cells.append(f'<td class="num">{escape(format_value(sc.saving, m.MONEY_WHOLE, currency))}<span class="table__period">'
                         f'at {escape(format_value(sc.take_up, m.PERCENT))}</span></td>' if sc else
                         '<td class="num missing">none</td>')
        made[row_key] = "<tr>" + "".join(cells) + "</tr>"
        out.append(made[row_key])
    return Markup("\n".join(out))


@jinja2.pass_context
def _figure_cell(ctx, fig):
    """A KPI figure as a table cell, in Python for the same reason as chart_rows: the all-services
    tables have a cell per KPI per service on each of their sort orders."""
    ok = fig.status == "ok"
    cell = str(escape(format_figure(fig, _currency(ctx))))
    if fig.estimated and ok:
        cell += ' <span class="estimate">(estimate)</span>'
    if fig.stale:
        cell += f'<span class="table__period">{escape(fig.period_label)}</span>'
    if ok and fig.partial_year:
        cell += '<span class="table__period">not a whole year of complete figures</span>'
    if not ok and fig.note and fig.info.key == m.DIGITAL_TAKE_UP:  # no period with every channel's count
        cell += '<span class="table__period">not every channel has a figure</span>'
    return Markup(f'<td class="num{"" if ok else " missing"}">{cell}</td>')


def measure_rule(measure) -> str:
    """How a declared measure's 12-month and organisation figures are made, in words."""
    over = {"sum": "added up over the 12 months", "mean": "averaged over the 12 months",
            "latest": "the latest value in the 12 months"}[measure.over_time]
    if measure.over_time == "mean" and measure.weighted_by:
        weight = measure.weighted_by_label  # 'Calls offered' mid-sentence, but 'EIR requests' as it is
        over += f", weighted by {weight if weight[:2].isupper() else weight[:1].lower() + weight[1:]}"
    across = {"sum": "added up across services", "mean": "averaged across services",
              "none": "not combined across services"}[measure.across_services]
    better = {True: " Higher is better.", False: " Lower is better.", None: ""}[measure.higher_is_better]
    return f"Its yearly figure is {over}; organisations' figures are {across}.{better}"


def _chart_svg(chart: m.Chart, prefix: str = "chart"):
    """The chart's static SVG, labelled for assistive technology; '' when SVGs are off."""
    svg = chart.svg
    if not svg:
        return ""
    return accessible_svg(svg, f"{prefix}-{chart.id}", chart.title)


# ----------------------------------------------------------------- URLs


# Stands for "this page's way to the site's root" in a memo body (see make_environment): made up
# afresh each time the generator is loaded, so nothing a site's content holds can be taken for it.
_ROOT_TOKEN = secrets.token_hex(8)
ROOT_MARK = f"\x1a{_ROOT_TOKEN}\x1a"


def relative_url(from_path: str, target: str, base_path: str = "/") -> str:
    """URL of site-relative ``target`` as seen from output file ``from_path``.

    ``relative_url("services/council-tax/index.html", "")`` is ``"../../"``.
    Absolute URLs (http, https, mailto, //) pass through. The 404 page is
    served at any path, so from ``404.html`` the result is ``base_path + target``.
    """
    if target is None:
        target = ""
    if target.startswith(_PASSED_THROUGH):
        return target
    target = target.lstrip("/")
    if from_path == "404.html":
        return (base_path if base_path.endswith("/") else base_path + "/") + target
    own_folder, up = _way_up(from_path)
    return "./" if target == own_folder else up + target


@lru_cache(maxsize=4096)
def _way_up(from_path: str) -> tuple[str | None, str]:
    """A page's own folder ('services/a/', None at the root) and the way from it to the root
    ('../../', or './', which keeps a target such as "javascript:x" from being read as a scheme).
    Remembered: the table of services links to every service from each of its sorted copies,
    18,000 links in a one-CSV rebuild at GOV.UK scale."""
    folder = posixpath.dirname(from_path)
    return (folder + "/", "../" * len(folder.split("/"))) if folder else (None, "./")


def build_nav(site: m.SiteModel, spec: PageSpec) -> list[dict]:
    """Home, Services, Organisations, then Markdown pages with ``nav_order``, by it."""
    items = [("Home", "", (), None), ("Services", "services/", ("services", "service"), None),
             ("Organisations", "organisations/", ("organisations", "organisation"), None)]
    pages = sorted((p for p in site.pages if p.nav_order is not None), key=lambda p: (p.nav_order, p.title))
    items += [(p.title, p.url, (), p.language) for p in pages]
    nav = []
    for label, target, kinds, language in items:
        if spec.url == target and spec.kind != "not_found":
            current = "page"
        elif spec.kind in kinds:
            current = "true"
        else:
            current = None
        nav.append({"label": label, "url": target, "current": current, "lang": language})
    return nav


PAGE_NAMES = COMMON_CONTEXT  # every page's context


def context_names(spec: PageSpec) -> list[str]:
    """The names a page's template may use (for 'did you mean' when it uses another)."""
    return [*PAGE_NAMES, *spec.context]


def _has_charts(spec: PageSpec, site: m.SiteModel) -> bool:
    """Whether a page draws charts, and so loads the Vega runtime (900 KB, 305 KB compressed): a
    phone opening the About page or the table of services had fetched it for nothing."""
    if spec.kind in ("home", "savings"):
        return len(site.home_charts if spec.kind == "home" else site.savings_charts) > 0
    owner = spec.context.get({"service": "service", "organisation": "organisation", "costs": "report"}.get(spec.kind, ""))
    return owner is not None and len(owner.charts) > 0


TABLE_FILTER_FROM = 10  # rows: a shorter services table is read at a glance, with no box to find a service


def _has_table_filter(spec: PageSpec, site: m.SiteModel) -> bool:
    """Whether the page's table of services (the home page's, the all-services pages', an
    organisation's) is long enough to have a box to find a service in it: at GOV.UK's size the
    all-services table has 766 rows, and a phone's reader scrolled them all to find one."""
    rows = {"home": lambda: site.services, "services": lambda: spec.context["table"].rows,
            "organisation": lambda: spec.context["organisation"].services}.get(spec.kind)
    return rows is not None and len(rows()) >= TABLE_FILTER_FROM


def render_page(env: jinja2.Environment, spec: PageSpec, site: m.SiteModel, nav: list) -> str:
    """Render one planned page with the context documented in this module's docstring."""
    template = env.select_template(spec.templates)
    base_path = site.site.base_path

    def url(target: str) -> str:
        if env.urls_from_root and not (target or "").startswith(_PASSED_THROUGH):
            return ROOT_MARK + (target or "").lstrip("/")
        return relative_url(spec.path, target, base_path)

    def asset(path: str) -> str:
        version = site.asset_versions.get(path.lstrip("/"))
        return url("static/" + path.lstrip("/")) + (f"?v={version}" if version else "")

    context = {
        "site": site.site,
        "model": site,
        "page": spec,
        "nav": nav,
        "url": url,
        "asset": asset,
        "channels": site.channels,
        "kpis": site.kpis,
        "page_has_charts": _has_charts(spec, site),
        "page_has_table_filter": _has_table_filter(spec, site),
    }
    context.update(spec.context)
    html = template.render(context)
    if _ROOT_TOKEN in html:  # in any form: %1A...%1A, \u001a..., or carried out of the body
        raise jinja2.TemplateRuntimeError(
            f"{spec.path}: a link made with url() inside {{% call memo(...) %}} was changed or taken out of "
            "the body before it was written; write url(...) into the body as it is")
    return html
