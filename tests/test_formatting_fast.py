"""format_value rounds half up on the number's shortest decimal form without Decimal (for speed):
it must give exactly what the plain Decimal version gives, for every float."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import model as m
from generator.formatting import format_many, format_value, format_value_uncached, rounded_text


def decimal_rounded(value, places):
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def reference(value, unit, currency="£"):
    """format_value as it was written with Decimal throughout."""
    if unit == m.PERCENT:  # a share above none, or short of all, is not shown as 0.0% or 100.0%
        text = str(decimal_rounded(value, 1))
        return "less than 0.1%" if text == "0.0" and value > 0 else \
            "more than 99.9%" if text == "100.0" and value < 100 else f"{text}%"
    if unit == m.MONEY:  # whole pounds from £100,000: pence there are false precision
        size = abs(value)  # and under 10p, two significant figures (at most 6 places)
        places = 0 if size >= 99_999.995 else 2 if size == 0 or size >= 0.095 else min(
            max(2, 1 - math.floor(math.log10(size))), 6)
        if places > 2 and decimal_rounded(size, places) >= Decimal(10) ** (2 - places):
            places -= 1  # two significant figures after rounding up to the next power of ten
        amount = decimal_rounded(value, places)
        text = f"{abs(amount):,}"
        if places > 2 and len(text.rstrip("0").partition(".")[2]) <= 2:  # a whole number of pence
            text = f"{abs(amount):.2f}"
        return f"{'-' if amount < 0 else ''}{currency}{text}"
    return f"{decimal_rounded(value, 0):,}"


numbers = st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
                    st.integers(min_value=-10**12, max_value=10**12).map(lambda n: n / 1000),
                    st.integers(min_value=-10**6, max_value=10**6).map(lambda n: n / 200))


@given(numbers, st.integers(min_value=0, max_value=3))
@example(0.05, 1)
@example(-0.04, 1)
@example(-0.0, 2)
@example(2.5, 0)
@example(-2.5, 0)
@example(2.675, 2)
@example(1e16, 1)
@example(123456789.995, 2)
def test_rounded_text_is_decimals_round_half_up(value, places):
    assert rounded_text(value, places) == str(decimal_rounded(value, places))


@given(numbers, st.sampled_from([m.PERCENT, m.MONEY, m.COUNT]))
@example(-0.004, m.MONEY)
@example(-0.005, m.MONEY)
@example(1234567.5, m.COUNT)
@example(-999.5, m.COUNT)
@example(0.45, m.PERCENT)
@example(0.03, m.PERCENT)
@example(99.97, m.PERCENT)
@example(100000.0, m.MONEY)
@example(1296854757.11, m.MONEY)
@example(-123456.5, m.MONEY)
@example(0.00659, m.MONEY)
@example(0.05, m.MONEY)
@example(0.0000004, m.MONEY)
@example(-0.0949999, m.MONEY)
def test_format_value_is_what_decimal_gives(value, unit):
    if unit == m.COUNT and value == int(value):
        return  # whole counts take their own quick path
    assert format_value(value, unit) == reference(value, unit)


column_numbers = st.one_of(numbers, st.floats(min_value=1e15, max_value=1e20),
                           st.floats(min_value=1e-9, max_value=1e-3)).filter(lambda v: v != 0)


@given(st.lists(column_numbers, min_size=1, max_size=20),
       st.sampled_from([m.PERCENT, m.MONEY, m.MONEY_WHOLE, m.COUNT, m.NUMBER, m.SECONDS]),
       st.sampled_from(["£", "€", "{x}"]))
@example([63.25, 12.5], m.PERCENT, "£")  # ties: half up, not to even as the C formatter rounds
@example([2.5, 1234.0], m.COUNT, "£")
@example([3.415, 10.0], m.MONEY, "£")
@example([0.0949999, 5.0], m.MONEY, "£")  # under 10p: more places
@example([99_999.995, 5.0], m.MONEY, "£")  # from £100,000: whole pounds
@example([-3.41, 5.0], m.MONEY, "£")
@example([-1234.4, 0.4, -0.4], m.COUNT, "£")
@example([1e16, 5.5], m.PERCENT, "£")
@example([0.00001, 5.5], m.PERCENT, "£")
@example([5.5, 0.03, 99.95], m.PERCENT, "£")  # 'less than 0.1%', 'more than 99.9%': not '{:.1f}%'
@example([1234.5678, 2.0], m.MONEY, "{x}")
@example([2**53 + 1, 5.0], m.COUNT, "£")  # an int is not rounded through a float
@example([1e15 + 2.0, 9e15, 3.0], m.COUNT, "£")  # whole numbers up to 10**16 take the one format, unchecked
@example([1e16, 3.0], m.COUNT, "£")  # from 10**16 the shortest form has an exponent
@settings(deadline=None)
def test_a_column_formatted_at_once_is_each_figure_formatted_alone(values, unit, currency):
    """format_many writes a column with one format string where it can: it must write every
    figure as format_value_uncached does, ties, signs, sizes and currency symbols included."""
    assert format_many(values, unit, currency) == [format_value_uncached(v, unit, currency) for v in values]
    assert format_many([], unit, currency) == []


@given(st.lists(st.one_of(numbers, st.none(), st.just(0.0), st.just(-0.0), st.integers(-10**6, 10**6)),
                max_size=20),
       st.sampled_from([m.PERCENT, m.MONEY, m.COUNT]))
@example([0.0, -0.0, 5.0, 5.0, None, 5], m.PERCENT)
@settings(deadline=None)
def test_a_table_column_is_each_cell_as_value_cell_writes_it(values, unit):
    """render._value_cells remembers cells and formats the new ones together: each cell must
    be the one _value_cell writes alone, whatever it has met before (0.0 and -0.0 differ)."""
    from generator.render import _value_cell, _value_cells

    assert _value_cells(values, unit, "£") == [_value_cell(v, unit, "£") for v in values]
    assert _value_cells(values[::-1], unit, "£") == [_value_cell(v, unit, "£") for v in values[::-1]]


@given(st.lists(st.one_of(numbers, st.just(float("nan")), st.none(),
                          st.integers(min_value=-2**53 + 1, max_value=2**53 - 1).map(float)), max_size=30))
@example([0.1, -0.0, 3.0, None, float("nan"), 1e15, -7.25])
@settings(deadline=None)  # the first example imports pandas
def test_a_tidy_csv_column_is_format_number_of_each_value(values):
    """downloads._text_column formats a whole column at once, in numpy: each cell as format_number."""
    import pandas as pd

    from generator.downloads import _text_column, format_number

    column = pd.Series(values, dtype=float)
    assert list(_text_column(column)) == [format_number(v) for v in column.tolist()]


@pytest.mark.parametrize("first", [0.0, -0.0])
def test_zero_and_minus_zero_are_written_as_ever_whichever_comes_first(first):
    """format_value remembers results, but 0.0 and -0.0 are one key to a cache."""
    from generator.formatting import _remembered

    _remembered.cache_clear()
    format_value(first, m.PERCENT)
    assert (format_value(0.0, m.PERCENT), format_value(-0.0, m.PERCENT)) == ("0.0%", "-0.0%")
    format_value(-first, m.NUMBER)
    assert (format_value(0.0, m.NUMBER), format_value(-0.0, m.NUMBER)) == ("0", "-0")


texts = st.text(alphabet=st.sampled_from(list("ab =+-@\t\r,\"\x00'")), max_size=6)


@given(st.one_of(st.lists(texts, max_size=12),
                 st.lists(st.one_of(numbers, st.just(float("nan")), st.just(float("inf")), st.none()), max_size=12),
                 st.lists(st.one_of(texts, numbers, st.none(), st.integers(-2**60, 2**60), st.booleans()),
                          max_size=12)))
@example(["January 2024", "=SUM(A1)"])
@example(["a\x00", "-1"])
@example([3.0, None, 1e16, 0.1])
@settings(deadline=None)
def test_a_chart_csv_column_is_each_cell_as_the_general_writer_gives_it(values):
    """downloads.csv_cells passes plain text columns through untouched; each cell must
    come out as _csv_cell writes it: formulas made safe, whole numbers without '.0', blanks empty."""
    from generator.downloads import csv_cells, _csv_cell

    assert list(csv_cells(values)) == [_csv_cell(v) for v in values]


@given(st.lists(st.one_of(numbers, st.floats(min_value=1e-6, max_value=1e-3), st.floats(min_value=1e14, max_value=1e17)),
                min_size=1, max_size=20))
@example([28.231107772120698, 55615.0, -0.123456789012345, 0.000123456789012])
@example([1e15 - 0.5, 3.0])
@example([5.0, -0.0])
@settings(deadline=None)
def test_a_column_of_floats_is_written_and_read_back_as_cell_by_cell(values):
    """csv_cells writes a column of floats with one format where it can; its cells, and the
    figures it hands back for the JSON download (a cell that reads back as another float), must
    be those of the cell-by-cell writer."""
    from generator.downloads import _csv_column, csv_cells

    def written(write):
        noisy, figures = [], list(values)
        cells = write(values, noisy)
        for index, figure in noisy:
            figures[index] = figure
        return cells, figures

    assert written(csv_cells) == written(_csv_column)


cells = st.text(alphabet=st.sampled_from(list("ab ,\"\r\n\x00'1.")), max_size=5)


@given(st.integers(min_value=1, max_value=4).flatmap(lambda width: st.tuples(
    st.lists(cells, min_size=width, max_size=width),
    st.lists(st.lists(cells, min_size=width, max_size=width), max_size=6))))
@example((["period", "value"], [["January 2024", "1"], ["", ""]]))
@example((["value"], [[""], ["1"]]))
@example((["a", "b"], [["x,y", "1"]]))
@settings(deadline=None)
def test_a_chart_csv_is_what_the_csv_writer_writes(table):
    """downloads.csv_text joins the lines itself where no cell needs quoting: every file must be
    the csv module's, quoting, a lone empty cell ('""') and line ends included."""
    import csv
    import io

    from generator.downloads import csv_text

    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    assert csv_text(header, [list(column) for column in zip(*rows)] if rows else [[] for _ in header]) \
        == buffer.getvalue()


def test_a_cost_under_10p_shows_two_significant_figures_and_its_change():
    """Transactions Explorer e-petitions: £0.00659 then £0.00829 a transaction, up 25.8%, read
    '£0.01, no change from £0.01' when every sum of money was shown to the penny."""
    from generator.formatting import change_text
    from generator.figures import make_figure

    assert [format_value(v, m.MONEY) for v in (0.00659, 0.00829, 0.05, 0.0999, 0.094, 0.0004)] == [
        "£0.0066", "£0.0083", "£0.05", "£0.10", "£0.094", "£0.00040"]
    # Two significant figures keep a last zero: £0.00695 beside £0.0069 and £0.0066 is £0.0070
    # (a tester, on the Transactions Explorer's e-petitions), not £0.007.
    assert [format_value(v, m.MONEY) for v in (0.00695, 0.0305, 0.00999, 0.010)] == [
        "£0.0070", "£0.031", "£0.01", "£0.01"]
    # Rounding up to the next power of ten keeps two figures, not three (a review).
    assert [format_value(v, m.MONEY) for v in (0.000995, 0.0000995, 0.00995)] == ["£0.0010", "£0.00010", "£0.01"]
    fig = make_figure(m.COST_PER_TRANSACTION, 0.00829, "July 2014 to June 2015", 0.00659, "April 2014 to March 2015")
    assert change_text(fig) == "Up 25.8% from £0.0066 (April 2014 to March 2015)"
    assert fig.assessment == "worse"


@given(st.lists(st.text(alphabet=st.sampled_from(list("0123456789.-")), max_size=22), max_size=12))
@example(["-0", "5"])
@example(["-0", "99999999999999999999"])  # beyond an integer: to_numeric reads them as floats
@example(["-0", "-1", "9223372036854775808"])
@example(["-0", "5", ""])
@example(["-0.0", "5"])
@example(["12345678901234567890123", "1"])
@example(["1.2.3", "4"])
@example([".", "-"])
@settings(deadline=None)
def test_plain_digits_are_read_as_to_numeric_reads_them(texts):
    """cells.plain_numbers reads a column of digits with float(), for speed: every value, sign of
    zero and blank must be what pd.to_numeric gives (or it must leave the column to it)."""
    import numpy as np
    import pandas as pd

    from generator.cells import plain_numbers

    expected = pd.to_numeric(pd.Series(texts, dtype=object).astype(str), errors="coerce").astype(float).to_numpy()
    assert plain_numbers(["12", "3.5", "", "-0"]) is not None  # the usual column is read so
    got = plain_numbers(texts)
    if got is not None:
        assert got.tobytes() == expected.tobytes() or (
            np.array_equal(np.isnan(got), np.isnan(expected))
            and np.array_equal(got[~np.isnan(got)], expected[~np.isnan(expected)])
            and np.array_equal(np.signbit(got), np.signbit(expected)))


def test_a_share_above_none_is_not_shown_as_none_nor_its_change_as_no_change():
    """A tester's GP practices: video appointments were 59 of 208,837 in August 2021 (0.028%) and 67 of
    227,471 in July (0.029%). The card read '0.0%, No change from 0.0% in July 2021', as if there were none."""
    from generator.figures import make_figure
    from generator.formatting import change_text, format_figure, points_change

    assert [format_value(v, m.PERCENT) for v in (59 / 208_837 * 100, 0.0, 0.05, 0.049, 99.97, 99.94, 100.0)] == [
        "less than 0.1%", "0.0%", "0.1%", "less than 0.1%", "more than 99.9%", "99.9%", "100.0%"]
    fig = make_figure(m.DIGITAL_TAKE_UP, 59 / 208_837 * 100, "August 2021", 67 / 227_471 * 100, "July 2021")
    assert format_figure(fig) == "less than 0.1%"
    assert change_text(fig) == "Little change: also less than 0.1% in July 2021"
    near_all = make_figure(m.DIGITAL_TAKE_UP, 99.97, "2016", 99.96, "April 2015 to March 2016")
    assert change_text(near_all) == "Little change: also more than 99.9% (April 2015 to March 2016)"
    assert fig.assessment == "same"  # no 'worse' tag for a fall of 0.001 points
    same = make_figure(m.DIGITAL_TAKE_UP, 12.5, "August 2021", 12.5, "July 2021")
    assert change_text(same) == "No change from 12.5% in July 2021"
    # The channel shift table's change, from the shares as shown: 0.001% to 0.04% is not 'no change'.
    assert [points_change(c, moved) for c, moved in ((0.0, True), (0.0, False), (4.1, True), (-2.0, True))] == [
        "little change", "no change", "gained 4.1", "lost 2.0"]


@given(st.lists(st.one_of(numbers, st.none(), st.just(0.0), st.just(-0.0), st.integers(-10**6, 10**6)), max_size=20),
       st.sampled_from([m.PERCENT, m.MONEY, m.COUNT]), st.sampled_from(["£", "R&D$"]))
@example([None, 5.0, None], m.COUNT, "£")
@settings(deadline=None)
def test_a_column_with_its_own_blank_says_it_in_each_empty_cell(values, unit, currency):
    """A column's ``blank`` is remembered as the cell of None, apart from the plain 'no data' of
    the same unit and from a blank written the same but given as markup: none may stand in for
    another, whichever column comes first (a currency symbol needing escaping included)."""
    from markupsafe import Markup

    from generator.render import _value_cell, _value_cells

    for _ in range(2):
        for blank, said in (("<i>n/a</i>", "&lt;i&gt;n/a&lt;/i&gt;"), (Markup("<i>n/a</i>"), "<i>n/a</i>")):
            assert _value_cells(values, unit, currency, blank) == [
                f'<td class="num missing">{said}</td>' if v is None else _value_cell(v, unit, currency) for v in values]
        assert _value_cells(values, unit, currency) == [_value_cell(v, unit, currency) for v in values]


@given(st.one_of(st.lists(st.integers(-2**60, 2**60), min_size=1, max_size=12),
                 st.lists(st.one_of(numbers, st.none(), st.floats(min_value=1e-6, max_value=1e-3)), max_size=20)))
@example([0, 1, 2])
@example([2**53 + 1, 1])  # beyond a float's whole numbers: as format_number writes it, by float
@example([None, 28.231107772120698, None, 55615.0])  # a line with gaps, one figure read back as another
@example([None, None])
@settings(deadline=None)
def test_a_column_of_whole_numbers_or_of_floats_with_gaps_is_written_as_cell_by_cell(values):
    """csv_cells' quick ways with a stack's order (whole numbers) and a line with gaps (floats and
    None): each cell, and each figure handed back for the JSON download, as _csv_column gives them."""
    from generator.downloads import _csv_column, csv_cells

    def written(write):
        noisy, figures = [], list(values)
        cells = write(values, noisy)
        for index, figure in noisy:
            figures[index] = figure
        return list(cells), figures

    assert written(csv_cells) == written(_csv_column)


def _series_table_as_written_before(chart: m.Chart) -> str:
    """render._chart_table's table of a chart with several series over time, as it was written with a
    loop of Python per row (before it was written with lookups over whole columns), each cell as
    _value_cell writes it alone: the reference."""
    from generator.render import _escaped, _value_cell

    period, _, value = chart.columns
    by_series: dict = {}
    starts: dict = {}
    for row in chart.rows:
        at = row[period.key]
        by_series.setdefault(row["series"], {})[at] = row.get(value.key)
        if at not in starts:
            starts[at] = row["start"]
    series = list(by_series)
    head = f'<th scope="col" class="table__header">{_escaped(period.label)}</th>' + "".join(
        f'<th scope="col" class="table__header num">{_escaped(name)}</th>' for name in series)
    periods = sorted(starts, key=starts.__getitem__)
    columns = [by_series[name] for name in series]
    made = [_value_cell(column.get(at), value.unit, "£") for at in periods for column in columns]
    width = len(series)
    lines = [f'<tr><th scope="row" class="table__row-header">{_escaped(at)}</th>'
             + "".join(made[i * width:(i + 1) * width]) + "</tr>" for i, at in enumerate(periods)]
    return f"<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n" + "\n".join(lines) + "\n</tbody>"


@given(st.lists(st.tuples(st.sampled_from(["Online", "Phone", "Post & <other>"]), st.integers(0, 5),
                          st.one_of(numbers, st.none()), st.integers(0, 5)), min_size=1, max_size=25))
@example([("Online", 1, 5.0, 1), ("Phone", 0, 2.0, 0), ("Online", 1, 7.0, 1)])  # a repeat: the last row's value
@example([("Online", 2, 1.0, 2), ("Phone", 3, None, 3)])  # a series without a period: 'no data'
@example([("Online", 0, 1.0, 4), ("Phone", 1, 2.0, 1), ("Phone", 0, 3.0, 0)])  # a period's first row's start
@settings(deadline=None)
def test_a_table_with_a_column_per_series_is_as_it_was_written_row_by_row(points):
    """The table of several series over time (transactions by channel, channel shares): a row per
    period in order of its first row's start (periods starting together in the order first met;
    some starts here are equal), a column per series in the order drawn, each cell the last row's
    value for it, as _value_cell writes it."""
    from jinja2.runtime import Context

    from generator import render

    starts = ["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-01", "2024-04-01", "2024-02-01"]
    rows = [{"period": f"Period {at}", "start": starts[start], "series": name, "value": value}
            for name, at, value, start in points]
    chart = m.Chart("shares", "Shares", "", [m.ChartColumn("period", "Period", "text"),
                    m.ChartColumn("series", "Channel", "text"), m.ChartColumn("value", "Share", m.PERCENT)],
                    rows, {}, "data/charts/x/shares", [])
    env = render.make_environment([])
    context = Context(env, {}, "test", {})
    assert str(render._chart_table(context, chart)) == _series_table_as_written_before(chart)


@given(st.lists(st.one_of(st.integers(0, 5), st.none(), st.just(float("nan"))), max_size=40))
@example([])
@example([0, 0, None, 1, 0])
@settings(deadline=None)
def test_a_period_attribute_spread_over_rows_is_each_rows_own(picks):
    """periods.period_attr works a value out once per distinct Period object and spreads it back
    to every row: each row must get what its own period gives (None where there is none), equal
    periods held in separate objects included."""
    import pandas as pd

    from generator.periods import parse_period

    texts = ["2024-01", "2024-02", "2023/24", "2024-01", "2024-Q1", "2024-02"]  # two pairs equal, not one object
    periods = [parse_period(text) for text in texts]
    column = pd.Series([p if p is None or p != p else periods[p] for p in picks], dtype=object, index=range(7, 7 + len(picks)))
    from generator.periods import period_attr

    got = period_attr(column, lambda p: (p.key, p.label))
    assert got.index.tolist() == column.index.tolist()
    assert got.tolist() == [None if p is None or p != p else (p.key, p.label) for p in column.tolist()]


def test_row_headers_of_equal_labels_of_other_types_are_each_their_own():
    """A table's row headers are written once per label of text; 1, 1.0 and True (one key to a
    dict) are each shown as themselves."""
    from generator.render import _row_heads

    heads = _row_heads([1, True, 1.0, "1", "1"])
    assert [h.split(">")[2].split("<")[0] for h in heads] == ["1", "True", "1.0", "1", "1"]
