"""Open-data downloads: each service's tidy data as CSV, written deterministically."""

from __future__ import annotations

import csv
import io
import math
import re
from itertools import chain, compress
from operator import itemgetter, ne
from typing import TYPE_CHECKING

import orjson

from generator import model as m
from generator.measures import MEASURES as NUMERIC
from generator.periods import period_attr

if TYPE_CHECKING:  # imported by the tidy CSVs' functions, which only a build computing figures calls (generator.figures)
    import numpy as np
    import pandas as pd


def format_number(value) -> str:
    """Blank for missing; whole numbers without '.0'; others in full (shortest exact form)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return _short(value)


def _short(value: float) -> str:
    """A fraction as written in a download: its shortest exact form, but to 15 significant digits
    where that runs to 16 or more (55.00000000000001, a rate's binary noise, is written 55). Every
    download's figures are written here or by its inlined copy in _csv_column, so a worked-out cost
    (8.62 x 491 / 491, 8.619999999999997) needs no rounding where it is worked out. 15 digits keep
    every penny of a billion pounds; binary fractions' noise is in the 16th and 17th."""
    text = repr(value)
    return text if len(text) < 17 else "%.15g" % value  # 55.00000000000001 is written 55, as 50.0 is 50


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text that a spreadsheet will not run as a formula (OWASP CSV injection advice)."""
    return "'" + text if text[:1] in _FORMULA_STARTS else text


def _text_column(values: pd.Series) -> np.ndarray:
    """format_number for a whole column at once (hundreds of thousands of cells at GOV.UK scale),
    in numpy: pandas' masked assignment cost more than the formatting."""
    import numpy as np

    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    out = np.full(len(numbers), "", dtype=object)
    known = ~np.isnan(numbers)
    whole = known & (numbers % 1 == 0) & (np.abs(numbers) < 2**53)
    out[whole] = list(map(str, numbers[whole].astype(np.int64).tolist()))
    fraction = known & ~whole
    out[fraction] = list(map(_short, numbers[fraction].tolist()))
    return out


def service_csvs(tidy: pd.DataFrame, extra: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Service slug to the bytes of its tidy CSV (only columns with any data).

    ``extra`` names the measures config.yaml declares, written after the built-in ones. A service
    whose data marks a figure 'not requested' (***) has a last column, ``not_requested``, naming
    the KPIs so marked in each row (space-separated, as services.csv does): left blank, such a
    cell would read as a figure missing.
    """
    import numpy as np
    import pandas as pd

    out: dict[str, bytes] = {}
    if not len(tidy):
        return out
    periods = tidy["period"]
    frame = pd.DataFrame({
        "service": tidy["service"],
        "period": period_attr(periods, lambda p: p.key),
        "period_start": period_attr(periods, lambda p: p.start.isoformat()),
        "period_end": period_attr(periods, lambda p: p.end.isoformat()),
        "channel": tidy["channel"].replace("", "all"),
    })
    numeric = [*NUMERIC, *(c for c in tidy.columns if c in extra)]
    for col in numeric:
        frame[col] = _text_column(tidy[col])
    has = tidy[numeric].notna()
    flags = [c for c in tidy.columns if c.startswith("nr_")]
    if flags:
        marked = tidy[flags].to_numpy(dtype=bool)
        said = np.full(len(tidy), "", dtype=object)
        names = [c[3:] for c in flags]
        some = marked.any(axis=1)
        said[some] = [" ".join(n for n, f in zip(names, row) if f) for row in marked[some]]
        frame["not_requested"] = said
        has["not_requested"] = some
        numeric.append("not_requested")
    has = has.groupby(tidy["service"]).any()
    frame = frame.sort_values(["service", "period_start", "channel"], kind="stable")
    sizes = frame.groupby("service", sort=True).size()
    # Services with the same columns are written in one pass and the text cut up by rows: a
    # pandas to_csv call per service was over a second at GOV.UK scale. No cell should hold a
    # line break (period keys, dates, channel and measure ids as the config schema allows them,
    # and numbers), so each row is one line; if one does, those services are written one by one.
    alike: dict[tuple, list[str]] = {}
    for slug, flags in zip(has.index, has.to_numpy().tolist()):
        alike.setdefault(tuple(c for c, used in zip(numeric, flags) if used), []).append(slug)
    for columns, slugs in alike.items():
        fields = ["period", "period_start", "period_end", "channel", *columns]
        part = frame[fields][frame["service"].isin(slugs)] if len(alike) > 1 else frame[fields]
        header = ",".join(fields) + "\n"
        cells = [part[name].tolist() for name in fields]
        if all(set(map(type, column)) <= _TEXT for column in cells):  # as to_csv writes them, quicker
            lines = csv_text(fields, cells).split("\n")[1:]
        else:
            lines = part.to_csv(index=False, header=False, lineterminator="\n").split("\n")
        if len(lines) != len(part) + 1:  # a cell with a line break after all: service by service
            for slug in slugs:
                rows = part[frame.loc[part.index, "service"] == slug]
                out[slug] = rows.to_csv(index=False, lineterminator="\n").encode("utf-8")
            continue
        start = 0
        for slug in slugs:
            end = start + int(sizes[slug])
            out[slug] = (header + "\n".join(lines[start:end]) + "\n").encode("utf-8")
            start = end
    return dict(sorted(out.items()))


def _csv_cell(value) -> str:
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
        return format_number(value)
    return spreadsheet_safe(str(value or ""))


def _csv_column(values: list, noisy: list | None = None) -> list[str]:
    """``_csv_cell`` of each value, with the common types inlined: a GOV.UK-scale site has
    millions of chart cells, and a function call per cell was most of writing the downloads.
    ``noisy``, if given, gets (index, value to 15 significant digits) of each fraction written so
    (see _short), for the JSON download to hold the same figure."""
    out = []
    add = out.append
    for index, value in enumerate(values):
        kind = type(value)
        if kind is float:
            if value != value:
                add("")
            elif value.is_integer():
                add(str(int(value)))
            else:
                text = repr(value)
                if len(text) >= 17:  # (inlined _short: a rate is often a long repeating fraction)
                    text = "%.15g" % value
                    if noisy is not None:
                        noisy.append((index, float(text)))
                add(text)
        elif kind is str:
            add("'" + value if value[:1] in _FORMULA_STARTS else value)
        elif value is None:
            add("")
        elif kind is int and -2**53 <= value <= 2**53:  # as format_number, which goes by float
            add(str(value))
        else:
            add(_csv_cell(value))
    return out


_A_FORMULA = re.compile("\x00[" + re.escape("".join(_FORMULA_STARTS)) + "]")  # a formula's start, just after a \x00
_TEXT = {str}


def csv_cells(values: list, noisy: list | None = None) -> list:
    """``_csv_column`` of a chart's column, sparing the cells that need nothing: a column of text
    with no cell a spreadsheet would take for a formula (one search over the whole column) is
    written as it is; a column of ordinary floats as ``_float_column`` writes it, and so are the
    floats of a column of floats and blanks (a line with gaps); a column of whole numbers (a
    stack's order) with ``str``; anything else goes through ``_csv_column``."""
    kinds = set(map(type, values))
    if kinds <= _TEXT:
        if not _A_FORMULA.search("\x00" + "\x00".join(values)):
            return values
    elif kinds == _FLOAT:
        written = _float_column(values, noisy)
        if written is not None:
            return written
    elif kinds == _INT:  # (a stack's order)
        if -2**53 <= min(values) and max(values) <= 2**53:
            return list(map(str, values))
    elif kinds == _FLOAT_OR_NONE:  # a line with gaps: its floats as _float_column writes them, if it can
        where = [index for index, value in enumerate(values) if value is not None]
        found: list | None = None if noisy is None else []
        written = _float_column([values[index] for index in where], found)
        if written is not None:
            out = [""] * len(values)
            for index, text in zip(where, written):
                out[index] = text
            if noisy is not None:
                noisy.extend((where[at], back) for at, back in found)
            return out
    return _csv_column(values, noisy)


_FLOAT = {float}
_INT = {int}
_FLOAT_OR_NONE = {float, type(None)}
_FIFTEEN_DIGITS = "%.15g".__mod__


def _float_column(values: list[float], noisy: list | None) -> list[str] | None:
    """``_csv_column`` of a column of floats, each between 0.0001 and 10**15 in size (not zero,
    NaN or infinite), or None for any other column. Such a float's shortest form has no exponent,
    and neither has '%.15g' of it; where that form has 15 significant digits or fewer, '%.15g'
    gives the same digits (and a whole number without '.0', as _csv_column writes it); where it
    has more, _csv_column writes '%.15g' too. So every cell is '%.15g', formatted in C by ``map``
    rather than a line of Python per cell, which had been a tenth of a GOV.UK-scale build: its
    7,700 chart downloads have over a million such figures. ``noisy`` gets each cell whose text
    reads back as another float (_csv_column's lists those and some that read back the same,
    long only for a minus sign or leading zeros: either way, the JSON gets the same figures)."""
    try:
        if not math.isfinite(math.fsum(values)):  # a NaN or infinity among them
            return None
    except (OverflowError, ValueError):
        return None
    sizes = list(map(abs, values))
    if not values or min(sizes) < 1e-4 or max(sizes) >= 1e15:
        return None
    if all(map(float.is_integer, values)):  # counts: quicker through int than through '%.15g'
        return list(map(str, map(int, values)))
    written = list(map(_FIFTEEN_DIGITS, values))
    if noisy is not None:
        read_back = list(map(float, written))
        if read_back != values:
            noisy.extend(compress(enumerate(read_back), map(ne, values, read_back)))
    return written


def chart_columns(chart: m.Chart) -> list[str]:
    """The table's columns, plus the period's dates where the chart is over time, then any other
    field the chart draws with (a bar's formatted label, a stack's order): the JSON download is
    also the data the interactive chart fetches, so it holds every field of the rows plotted."""
    keys = [c.key for c in chart.columns]
    if chart.rows and "start" in chart.rows[0]:
        keys[1:1] = ["start", "end"]
    known = set(keys)
    rows = chart.rows
    if rows and len(set().union(*rows)) == len(rows[0]):  # every row's fields are the first's (most charts)
        return keys + [key for key in rows[0] if key not in known]
    keys += [key for key in dict.fromkeys(chain.from_iterable(rows)) if key not in known]  # first seen first
    return keys


def _field_unit(chart: m.Chart, key: str) -> str:
    for column in chart.columns:
        if column.key == key:
            return m.MONEY if column.unit == m.MONEY_WHOLE else column.unit  # one public name for money
    if key in ("start", "end"):
        return "date"
    values = [row[key] for row in chart.rows if row.get(key) is not None]
    return "number" if values and all(isinstance(v, (int, float)) for v in values) else "text"


def chart_files(chart: m.Chart) -> tuple[bytes, bytes]:
    """One chart's CSV and JSON downloads.

    JSON is written with orjson, which is several times quicker than the standard library's
    encoder; a GOV.UK-scale site has 7,700 of these. Rows that already have every field are
    written as they are (a row's fields in its own order), the others with null for what they lack.
    """
    keys = chart_columns(chart)
    rows = chart.rows
    complete = min(map(len, rows), default=0) == len(keys)  # keys are every row's fields together
    columns = []
    for key in keys:
        noisy: list = []
        columns.append(csv_cells(list(map(itemgetter(key), rows)) if complete else [row.get(key) for row in rows],
                                 noisy))
        for index, value in noisy:  # the JSON's figure as the CSV's (the page's are rounded already)
            rows[index][key] = value
    body = {"title": chart.title, "summary": chart.summary,
            "fields": [{"name": k, "unit": _field_unit(chart, k)} for k in keys],
            "data": rows if complete else [{k: row.get(k) for k in keys} for row in rows]}
    json_text = orjson.dumps(body, option=orjson.OPT_APPEND_NEWLINE | orjson.OPT_SERIALIZE_NUMPY)
    return csv_text(keys, columns).encode("utf-8"), json_text


_QUOTED = (",", '"', "\r", "\n")  # a cell holding one of these is quoted by csv.writer (QUOTE_MINIMAL)


def csv_text(header: list[str], columns: list[list[str]]) -> str:
    """A CSV file of text columns, as csv.writer writes it (a line end of \\n). Where no cell needs
    quoting, the lines are joined directly, which takes a third of the writer's time: a GOV.UK-scale
    site has 7,700 chart downloads. (A row of one empty cell is written '""', so one column goes
    to the writer too.)"""
    joined = "\x00".join(chain(header, *columns))
    if len(header) > 1 and not any(mark in joined for mark in _QUOTED):
        return "\n".join([",".join(header), *map(",".join, zip(*columns))]) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(zip(*columns))
    return buffer.getvalue()


SAVINGS_FIELDS = ["service", "service_name", "organisation", "period", "transactions", "digital_take_up",
                  "yearly_cost", "unit_costs_from", "scenario", "scenario_take_up", "scenario_cost", "saving"]


def savings_csv(services: list[m.ServiceView]) -> bytes:
    """data/savings.csv: one row per service and scenario, largest saving at +10 points first.

    Every figure is an estimate from unit costs; ``unit_costs_from`` says whether the
    service's own or the site's typical costs were used. Figures are unrounded (to 15
    significant digits, as every download's): rounded to the penny here, they had disagreed
    with the same figures in the savings chart's download (a tester)."""
    with_savings = [s for s in services if s.savings is not None]
    def first_saving(s):
        sc = s.savings.scenario("points")
        return -(sc.saving if sc else 0.0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SAVINGS_FIELDS)
    for s in sorted(with_savings, key=lambda s: (first_saving(s), s.name.lower(), s.slug)):
        sv = s.savings
        own = "service and site" if sv.own_costs and any(c.source == "site" for c in sv.channels) else \
            "service" if sv.own_costs else "site"
        for sc in sv.scenarios:
            writer.writerow([_csv_cell(x) for x in (
                s.slug, s.name, s.organisation.slug, sv.period_label, sv.transactions, sv.take_up,
                sv.cost, own, sc.key, sc.take_up, sc.cost, sc.saving)])
    return buffer.getvalue().encode("utf-8")


COST_FIELDS = ["level", "slug", "name", "organisation", "financial_year", "transactions", "cost",
               "cost_per_transaction", "estimated", "months", "cost_months", "not_requested", "costed_transactions",
               "cost_not_in_totals"]


def costs_csv(report) -> bytes:
    """data/costs-<year>.csv: the cost report's services, organisations and channels, one row each.

    ``not_requested`` is true where no cost is collected, so a blank cost there is not read as
    one missing (as ``not_requested`` in services.csv says for each period). ``costed_transactions``
    are the transactions the cost is of: fewer than ``transactions`` where some services or periods
    have no cost, and then cost per transaction is cost / costed_transactions, not / transactions.
    ``cost_not_in_totals`` is a service's own cost for the year that not every month's count is there
    to pair with: it has no cost per transaction, and no organisation's or the year's total counts it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COST_FIELDS)
    for level, lines in (("service", report.services), ("organisation", report.organisations),
                         ("channel", report.channels)):
        for x in sorted(lines, key=lambda x: (x.name.lower(), x.slug)):
            writer.writerow([_csv_cell(v) for v in (
                level, x.slug, x.name, x.organisation.slug if x.organisation else "", report.key, x.transactions,
                None if x.cost is None else round(x.cost, 2),
                x.cost_per_transaction,  # unrounded: 3.235 (of 3.23497) re-rounded to £3.24 beside a page's £3.23
                # Months to two places: 52 weeks are 11.96 months, not 11.958932238193029.
                "true" if x.estimated else "false", round(x.months, 2) if level == "service" else None,
                round(x.cost_months, 2) if level == "service" and x.cost is not None else None,
                "true" if x.not_requested else "false",
                x.costed_transactions if x.cost is not None else None,
                None if x.unpaired_cost is None else round(x.unpaired_cost, 2))])
    return buffer.getvalue().encode("utf-8")
