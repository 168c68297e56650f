"""Charts for every page: data rows, a one-sentence summary and a filled Vega-Lite spec. No I/O.

Charts read the figures already in the site model, so a chart, its table,
its download and the KPI cards always show the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial

from generator import model as m
from generator.chart_templates import LINE_KIND, fill
from generator.formatting import (change_text, count_of, during, format_value, in_period, mid_sentence, named_list,
                                  opening)
from generator.periods import Period
from generator.segmentation import channel_periods

COUNT, PERCENT, MONEY, MONEY_WHOLE, TEXT = m.COUNT, m.PERCENT, m.MONEY, m.MONEY_WHOLE, "text"
INCOME = "income"  # a declared measure with this id is set against the service's cost


def _trend(name: str, rows: list[dict], unit: str, currency: str) -> str:
    """'Digital take-up rose from 41.0% in April 2022 to 63.0% in March 2025.' of the rows with a
    value. Where the first and last are shown alike, what lies between is said too: 'was 100.0% in
    both A and B' had been written of a take-up that fell to 52.0% between them (a tester's)."""
    first, last = rows[0], rows[-1]
    a, b = first["value"], last["value"]
    shown_a, shown_b = format_value(a, unit, currency), format_value(b, unit, currency)
    if first is last:
        return f"{name} was {shown_b}{during(last['period'])}, the only period with data."
    if shown_a != shown_b:
        verb = "rose from" if b > a else "fell from"
        return f"{name} {verb} {shown_a}{in_period(first['period'])} to {shown_b}{in_period(last['period'])}."
    between = rows[1:-1]
    if not between:
        return f"{name} was {shown_b} in both {first['period']} and {last['period']}."
    low, high = min(between, key=lambda r: r["value"]), max(between, key=lambda r: r["value"])
    shown_low, shown_high = format_value(low["value"], unit, currency), format_value(high["value"], unit, currency)
    if shown_low == shown_b == shown_high:
        return (f"{name} was {shown_b} in each of the {len(rows)} periods with data, from the first"
                f"{in_period(first['period'])} to the last{in_period(last['period'])}.")
    moved = (f"it was {shown_low}{in_period(low['period']) if len(between) == 1 else ''}" if shown_low == shown_high else
             f"it ranged from {shown_low}{in_period(low['period'])} to {shown_high}{in_period(high['period'])}")
    return (f"{name} was {shown_b} at the start{in_period(first['period'])} and at the end{in_period(last['period'])}; "
            f"between them {moved}.")


def _over_100(name: str, rows: list[dict], unit: str) -> str:
    """A share over 100% said in words: a spike to 457% between a first and a last of 100% was in the
    chart and the table but not in the summary, which is the chart's text for a screen reader."""
    over = [r for r in rows if unit == PERCENT and r["value"] > 100.05]
    if not over:
        return ""
    why = ": the published figures it is worked out from do not agree there."
    if len(over) == 1:
        return f" {name} was over 100% once, {format_value(over[0]['value'], PERCENT)}{in_period(over[0]['period'])}{why}"
    top = max(over, key=lambda r: r["value"])
    return (f" {name} was over 100% in {len(over)} periods, highest "
            f"{format_value(top['value'], PERCENT)}{in_period(top['period'])}{why}")


def _annotation_rows(annotations: list[m.Annotation]) -> list[dict]:
    return [{"date": a.date.isoformat(), "label": a.label, "text": a.text, "number": str(i + 1)}
            for i, a in enumerate(annotations)]


_NOTHING: dict = {}  # "no extra fields": shared, so never changed
_DAY = timedelta(days=1)


NOT_REQUESTED_ROW = {"status": "not requested"}  # a period whose figure the service was not asked for
# A period with no transactions (0 in every channel): no share or cost of them, which is not missing data.
NO_TRANSACTIONS_ROW = {"status": "no transactions"}


def _with_gaps(points: list[tuple], series: str | None = None) -> list[dict]:
    """Rows for a line: (period, value, extra) in order, with a null row for each gap; each row
    also names its ``series``, if given.

    A period with no value, or missing periods between two that have one,
    become null rows, which break the line rather than joining across the
    gap. Leading and trailing periods with no value are left out. A gap
    shorter than the periods either side of it (three months between two
    years, in rolling 12-month windows with some left blank) could not be a
    period of theirs: naming it would publish a period that no source has,
    so the line joins across it, as it does across overlapping windows.
    """
    present = [i for i, (_, value, _) in enumerate(points) if value is not None]
    if not present:
        return []
    named = _NOTHING if series is None else {"series": series}
    rows: list[dict] = []
    previous = None
    for period, value, extra in points[present[0]: present[-1] + 1]:
        if previous is not None and period.start > previous.end + _DAY and _could_be_periods(previous, period):
            start, end = previous.end + _DAY, period.start - _DAY  # one day is named as a day, not '28 to 28'
            gap = Period(start, end, "day" if start == end else "range")
            rows.append({**gap.fields, "value": None, **named})
        kept = extra if value is not None else {"status": extra["status"]} if "status" in extra else _NOTHING
        rows.append({**period.fields, "value": value, **kept, **named})
        previous = period
    return rows


def _could_be_periods(before: Period, after: Period) -> bool:
    """Whether the days between two periods are as long as the shorter of them, give or take the
    3 days by which months (or years) differ: room for a missing period like them."""
    gap = (after.start - before.end).days - 1
    return gap >= min((before.end - before.start).days, (after.end - after.start).days) + 1 - 3


def _line_chart(cid, title, name, unit, kind, rows, service, base, currency, target=None, note=""):
    if not rows:
        return None
    with_values = [r for r in rows if r["value"] is not None]
    # Take-up and completion cannot be over 100% (a declared measure may be: bed occupancy): said there.
    over = _over_100(name, with_values, unit) if cid in ("digital-take-up", "completion-rate") else ""
    summary = _trend(name, with_values, unit, currency) + over + note
    if target is not None:
        summary += f" The target, drawn as a dashed line, is {format_value(target, unit, currency)}."
    datasets = {"table": rows, "annotations": _annotation_rows(service.annotations)}
    if target is not None:
        datasets["target"] = [{"value": target}]
    columns = [m.ChartColumn("period", "Period", TEXT), m.ChartColumn("value", name, unit)]
    if any("estimated" in r for r in rows):
        columns.append(m.ChartColumn("estimated", "Estimated", TEXT, blank="no"))
    if any("status" in r for r in rows):  # in the downloads; the table says it in the value's cell
        columns.append(m.ChartColumn("status", "Status", TEXT))
    return m.Chart(cid, title, summary, columns, rows, fill(kind, datasets, summary, currency),
                   f"{base}/{cid}", list(service.annotations))


def _transactions_series(service: m.ServiceView, channels) -> tuple[list[dict], str]:
    """Rows per channel; or, for data with no channel split, all transactions and the digital ones."""
    rows = []
    periods = m.counted_rows(service.periods)
    for i in service.channels_used:
        rows += _with_gaps([(r.period, r.by_channel[i], _NOTHING) for r in periods], channels[i].label)
    if rows:
        return rows, "Transactions by channel"
    for series, value in (("All transactions", lambda r: r.transactions),
                          ("Digital transactions", lambda r: r.digital_transactions)):
        rows += _with_gaps([(r.period, value(r), _NOTHING) for r in periods], series)
    digital = any(rw["series"] == "Digital transactions" for rw in rows)
    return rows, "Transactions, all and digital" if digital else "Transactions"


def _transactions_chart(service: m.ServiceView, channels, base, currency) -> m.Chart | None:
    rows, title = _transactions_series(service, channels)
    totals = [r for r in service.periods if r.transactions is not None]
    if not rows or not totals:
        return None
    # The sentence compares whole periods: a period with a channel's count blank is a partial total,
    # and "went from 1,570 to 1,270" would call a missing count a fall (the table marks such periods).
    whole = [r for r in totals if r.complete] or totals
    first, last = whole[0], whole[-1]
    latest = [rw for rw in rows if rw["period"] == last.period.label and rw["value"] is not None]
    top = max(latest, key=lambda rw: rw["value"], default=None)
    summary = (f"Transactions went from {format_value(first.transactions, COUNT)}{in_period(first.period.label)} "
               f"to {format_value(last.transactions, COUNT)}{in_period(last.period.label)}.")
    if first is last:
        summary = f"There {'was' if last.transactions == 1 else 'were'} {count_of(last.transactions, 'transaction')}" \
                  f"{in_period(last.period.label)}."
    year = _year_summary(service, whole, _shown_periods(service, rows))
    if year:
        summary = year
    if top is not None and len(service.channels_used) > 1:  # (of one channel, "the most used" says nothing)
        summary += _most_used(top["series"], last)
    summary += _partial_note(totals, whole)
    columns = [m.ChartColumn("period", "Period", TEXT),
               m.ChartColumn("series", "Channel" if service.channels_used else "Series", TEXT),
               m.ChartColumn("value", "Transactions", COUNT)]
    datasets = {"table": rows, "annotations": _annotation_rows(service.annotations)}
    return m.Chart("transactions", title, summary, columns, rows,
                   fill("lines-by-channel", datasets, summary, currency), f"{base}/transactions",
                   list(service.annotations))


_SPLIT_COLUMNS = [m.ChartColumn("series", "Channel", TEXT), m.ChartColumn("window", "Period", TEXT),
                  m.ChartColumn("value", "Share of transactions", PERCENT)]


_PERIOD_WORDS = ("month", "quarter", "week", "day")  # kinds a sentence names ('the busiest month'); else 'period'


def _shown_periods(service: m.ServiceView, rows: list[dict]) -> list[m.PeriodRow]:
    """The service's periods the transactions chart's table has a row for (not its gaps' rows)."""
    labels = {row["period"] for row in rows}
    return [r for r in service.periods if r.period.label in labels]


def _year_summary(service: m.ServiceView, whole: list[m.PeriodRow], shown: list[m.PeriodRow]) -> str:
    """The transactions chart's sentence where its periods are parts of a year: the year's total, as
    the key figure gives it, then the busiest and quietest periods. First against last had said a
    garden waste service's transactions 'went from 4,655 in April 2022 to 791 in September 2026',
    a spring peak against an autumn low, beside a key figure of 28,548 a year, up 6.5% (a review)."""
    year = service.kpis.get(m.TRANSACTIONS_PER_YEAR)
    if year is None or year.status != m.OK or year.value is None or len(whole) < 2 \
            or whole[-1].period.months >= 12 \
            or (whole[-1].period.end - whole[0].period.start).days < 366:  # a year or less: first to last is fair
        return ""
    said = f"{opening(year.period_label)}, there were {count_of(year.value, 'transaction')}"
    if year.previous_value is not None and year.direction is not None:
        change = change_text(year)
        said += ", " + change[0].lower() + change[1:]
    busiest = max(whole, key=lambda r: r.transactions)
    quietest = min(whole, key=lambda r: r.transactions)
    kind = whole[-1].period.kind if whole[-1].period.kind in _PERIOD_WORDS else "period"
    # No 'from X to Y' around labels that are ranges themselves ('January to March 2023') (a review).
    return (f"{said}. Of the {len(shown)} {kind}s shown, the busiest was {mid_sentence(busiest.period.label)}, with "
            f"{format_value(busiest.transactions, COUNT)}, and the quietest {mid_sentence(quietest.period.label)}, "
            f"with {format_value(quietest.transactions, COUNT)}.{_left_out_before(shown, whole, kind)}")


def _left_out_before(shown: list[m.PeriodRow], whole: list[m.PeriodRow], kind: str) -> str:
    """The periods shown that the busiest and quietest are not chosen from: those with no figures, and
    those up to the last whole one whose totals leave a channel out (_partial_note names any after
    it). The sentence had counted only the whole ones, 'Of the 29 months shown' above a table of 30
    (a tester's month with no row for one channel)."""
    counted = {id(r) for r in whole}
    out = [r for r in shown if id(r) not in counted]
    empty = [r for r in out if r.transactions is None and all(v is None for v in r.by_channel)]
    partial = [r for r in out if r.period.start < whole[-1].period.start and not any(r is e for e in empty)]
    said = ""
    if partial:
        one = len(partial) == 1
        said += f" {named_list([r.period.label for r in partial], kind, 2)} {'is' if one else 'are'} left out: " \
                f"some channels have no figures for {'it' if one else 'them'}."
    if empty:
        said += f" {named_list([r.period.label for r in empty], kind, 2)} {'has' if len(empty) == 1 else 'have'} no figures."
    return said


def _most_used(channel: str, last: m.PeriodRow) -> str:
    """' Online was the most used channel in March 2025.', of the channels with figures where not
    every channel has one: a service with four of its seven channels unknown had read 'Online was
    the most used channel', of the three it had figures for (a tester)."""
    of = "channel" if last.complete else "of the channels with figures"
    return f" {channel} was the most used {of}{during(last.period.label)}."


def _partial_note(totals: list[m.PeriodRow], whole: list[m.PeriodRow]) -> str:
    """Where the sentence above stops short of the latest periods (or has only partial ones)."""
    if not whole[-1].complete:
        return " Some channels have no figures for any of these periods, so these totals are partial."
    later = [r for r in totals if r.period.start > whole[-1].period.start]
    if not later:
        return ""
    if len(later) == 1:
        return f" {later[0].period.label} is left out: some channels have no figures for it."
    # Named one by one ('April 2023 to March 2024 to ...' read as one range), or from the first on.
    named = " and ".join(r.period.label for r in later) if len(later) == 2 else f"from {later[0].period.label} on"
    return f" The last {len(later)} periods ({named}) are left out: some channels have no figures for them."


def _split_chart(service: m.ServiceView, base, currency) -> m.Chart | None:
    rows = []
    for share in service.channel_split:
        for window, value in ((service.split_previous_label, share.previous_share),
                              (service.split_period_label, share.share)):
            if window and value is not None:
                rows.append({"series": share.channel.label, "window": window, "value": value,
                             "label": format_value(value, PERCENT)})
    if not rows:
        return None
    present = {row["window"] for row in rows}
    windows = [w for w in (service.split_previous_label, service.split_period_label) if w in present]
    latest = [s for s in service.channel_split if s.share is not None]
    if not latest:
        summary = f"There is no channel split for {service.split_period_label}; earlier shares are in the table."
        return m.Chart("channel-split", "Channel split", summary, _SPLIT_COLUMNS, rows,
                       fill("split-bars", {"table": rows}, summary, currency, windows), f"{base}/channel-split")
    top = max(latest, key=lambda s: s.share)
    summary = f"{opening(service.split_period_label)}, {top.channel.label} accounted for {format_value(top.share, PERCENT)} " \
              "of transactions"
    if top.previous_share is not None:
        summary += f", compared with {format_value(top.previous_share, PERCENT)}{during(service.split_previous_label)}."
    else:
        summary += "."
    return m.Chart("channel-split", "Channel split", summary, _SPLIT_COLUMNS, rows,
                   fill("split-bars", {"table": rows}, summary, currency, windows), f"{base}/channel-split")


def _share_chart(periods, channels, base, currency, annotations=(), note: str = "") -> m.Chart | None:
    """Each channel's share of transactions per period, stacked; only channels with some transactions."""
    used = [i for i in range(len(channels)) if any(v[i] for _, v in periods)]
    periods = [(period, volumes) for period, volumes in periods if sum(volumes) > 0]  # no share of nothing
    rows = []
    for period, volumes in periods:
        total = sum(volumes)
        for order, i in enumerate(used):
            rows.append({**period.fields, "series": channels[i].label, "order": order,
                         "value": volumes[i] / total * 100})
    if not rows or len(used) < 2:
        return None
    first, last = rows[0]["period"], rows[-1]["period"]
    digital = [i for i in used if channels[i].digital]
    span = Period(periods[0][0].start, periods[-1][0].end, "range").label  # not '... 2021 to April 2021 to ...'
    summary = f"Each channel's share of transactions in each period from {span}." \
        if first != last else f"Each channel's share of transactions{during(last)}."
    if digital:
        share = lambda volumes: sum(volumes[i] for i in digital) / sum(volumes) * 100  # noqa: E731
        a, b = share(periods[0][1]), share(periods[-1][1])
        # Told by the figures as shown, as _trend does: 0.0% and 0.03% both rounded to 0.0 and had read
        # "was 0.0% in both", of a share that was none in the first month and some in the last.
        verb = "stayed" if format_value(a, PERCENT) == format_value(b, PERCENT) else "rose" if b > a else "fell"
        summary += (f" The digital channels' share {verb} from {format_value(a, PERCENT)}{in_period(first)} "
                    f"to {format_value(b, PERCENT)}{in_period(last)}." if verb != "stayed" else
                    f" The digital channels' share was {format_value(b, PERCENT)} in both {first} and {last}."
                    if first != last else f" The digital channels' share was {format_value(b, PERCENT)}.")
    summary += note
    columns = [m.ChartColumn("period", "Period", TEXT), m.ChartColumn("series", "Channel", TEXT),
               m.ChartColumn("value", "Share of transactions", PERCENT)]
    return m.Chart("channel-shares", "Channel shares over time", summary, columns, rows,
                   fill("stacked-shares", {"table": rows, "annotations": _annotation_rows(list(annotations))},
                        summary, currency), f"{base}/channel-shares", list(annotations))


def _a_year_apart(periods: list) -> tuple:
    """The last (period, values) and the one to compare it with: over a year or less, the first; over
    longer, the period of its kind that starts nearest a year before it (52 weeks, for weeks), or none
    if no period starts within a few days of that. First against last had compared a spring peak
    with an autumn low (a review)."""
    first, last = periods[0], periods[-1]
    end = last[0]
    if (end.end - first[0].start).days < 366:
        return first, last
    year_before = [(abs((end.start - p.start).days - 365), i) for i, (p, _) in enumerate(periods)
                   if p.kind == end.kind and abs((end.start - p.start).days - 365) <= 3]
    return (periods[min(year_before)[1]] if year_before else None), last


def _digital_chart(periods, channels, base, currency, annotations=(), note: str = "") -> m.Chart | None:
    """Digital against other transactions per period, where the channels include both kinds."""
    digital = [i for i, ch in enumerate(channels) if ch.digital]
    other = [i for i, ch in enumerate(channels) if not ch.digital]
    if not periods or not any(v[i] for _, v in periods for i in digital) or \
            not any(v[i] for _, v in periods for i in other):
        return None
    rows = []
    for series, indexes in (("Digital", digital), ("Not digital", other)):
        points = [(period, sum(volumes[i] for i in indexes), _NOTHING) for period, volumes in periods]
        rows += _with_gaps(points, series)
    earlier, (last, b) = _a_year_apart(periods)
    first, a = earlier or (last, b)  # no period a year before: the latest alone
    da, db = sum(a[i] for i in digital), sum(b[i] for i in digital)
    oa, ob = sum(a[i] for i in other), sum(b[i] for i in other)
    summary = (f"Digital transactions went from {format_value(da, COUNT)}{in_period(first.label)} to "
               f"{format_value(db, COUNT)}{in_period(last.label)}; other channels went from {format_value(oa, COUNT)} "
               f"to {format_value(ob, COUNT)}.") if first is not last else (
        f"There were {count_of(db, 'digital transaction')} and {format_value(ob, COUNT)} through "
        f"other channels{in_period(last.label)}.")
    summary += note
    columns = [m.ChartColumn("period", "Period", TEXT), m.ChartColumn("series", "Channels", TEXT),
               m.ChartColumn("value", "Transactions", COUNT)]
    datasets = {"table": rows, "annotations": _annotation_rows(list(annotations))}
    return m.Chart("digital-and-other", "Digital and other transactions", summary, columns, rows,
                   fill("lines-by-channel", datasets, summary, currency), f"{base}/digital-and-other",
                   list(annotations))


def _income_chart(service: m.ServiceView, base, currency) -> m.Chart | None:
    """Income against the cost of the service (cost per transaction x transactions), and the net."""
    income = next((f for f in service.measures if f.measure.id == INCOME), None)
    if income is None:
        return None
    by_period = {(p.start, p.end): v for p, v in income.points}
    points = {"Income": [], "Cost": [], "Net (income less cost)": []}
    estimated = False
    for row in service.periods:
        # In pence: cost per transaction times transactions gives back the cost with float noise
        # (13025.000000000002 in a download), and the net carried it on.
        cost = round(row.cost_per_transaction * row.transactions, 2) \
            if row.cost_per_transaction is not None and row.transactions is not None else None
        value = by_period.get((row.period.start, row.period.end))
        estimated |= bool(cost is not None and row.cost_estimated)
        points["Income"].append((row.period, value, {}))
        points["Cost"].append((row.period, cost, {}))
        points["Net (income less cost)"].append(
            (row.period, round(value - cost, 2) if value is not None and cost is not None else None, {}))
    both = [(p, i, c) for (p, i, _), (_, c, _) in zip(points["Income"], points["Cost"]) if i is not None and c is not None]
    if not both:
        return None
    rows = [row for name, pts in points.items() for row in _with_gaps(pts, name)]
    last = both[-1]
    total_in, total_cost = sum(i for _, i, _ in both[-12:]), sum(c for _, _, c in both[-12:])
    span = Period(both[-12:][0][0].start, last[0].end, "range").label  # not 'April 2020 to March 2021 to ...'
    # A year's sums in whole pounds (as the cost report's): pence on £12,824 are false precision,
    # the more so on a cost worked out as cost per transaction times transactions.
    yearly = all(p.months >= 12 for p, _, _ in both)
    unit = MONEY_WHOLE if yearly else MONEY
    summary = (f"{opening(last[0].label)} the service brought in {format_value(last[1], unit, currency)} and cost "
               f"{format_value(last[2], unit, currency)}. Over {span} income was "
               f"{format_value(total_in, MONEY_WHOLE, currency)} against costs of "
               f"{format_value(total_cost, MONEY_WHOLE, currency)}: a net "
               f"{'surplus' if total_in >= total_cost else 'shortfall'} of "
               f"{format_value(abs(total_in - total_cost), MONEY_WHOLE, currency)}.")
    if estimated:
        summary += " Costs are estimates from channel unit costs."
    columns = [m.ChartColumn("period", "Period", TEXT), m.ChartColumn("series", "Series", TEXT),
               m.ChartColumn("value", "Amount", unit)]
    datasets = {"table": rows, "annotations": _annotation_rows(service.annotations)}
    return m.Chart("income-and-cost", "Income against cost", summary, columns, rows,
                   fill("lines-money", datasets, summary, currency), f"{base}/income-and-cost",
                   list(service.annotations))


def _forecast_chart(service: m.ServiceView, base, currency) -> m.Chart | None:
    """The last two years of transactions and the next 12 months' forecast with its ranges."""
    fc = service.forecast
    if fc is None or not fc.points:
        return None
    # A month with a channel's count blank is a gap, as the forecast took it: its partial total plotted
    # as the line the forecast goes on from read as a sudden fall.
    actual = [(r.period, r.transactions if r.complete else None, {}) for r in service.periods][-24:]
    rows = [{**row, "forecast": None, "low80": None, "high80": None, "low95": None, "high95": None}
            for row in _with_gaps(actual)]
    for p in fc.points:
        rows.append({**p.period.fields, "value": None, "forecast": p.value, "low80": p.low80,
                     "high80": p.high80, "low95": p.low95, "high95": p.high95})
    total = sum(p.value for p in fc.points)
    first, last = fc.points[0].period, fc.points[-1].period
    summary = (f"This is a projection, not a target: if the coming year follows the pattern so far, about "
               f"{count_of(total, 'transaction')} are expected from {first.label} to {last.label}. "
               "The shaded bands show each month's 80% and 95% ranges.")
    if fc.backtest is not None and fc.backtest.mape is not None:
        # How often the ranges held, as well as the error: the ranges are what a reader is asked to
        # trust (the docs promised both; the page had said only the error, a tester found).
        held = len(fc.backtest.points)
        within80, within95 = (round(share * held) for share in (fc.backtest.coverage80, fc.backtest.coverage95))
        summary += (f" Forecast the same way a year ago, the last 12 months would have been off by "
                    f"{fc.backtest.mape:.1f}% a month on average; of the {held} months"
                    f"{' with figures' if held < 12 else ''}, {within80} fell inside their 80% range and "
                    f"{within95} inside their 95% range.")
    elif fc.backtest is None:  # said, not left out without a word (a tester's 30 months said nothing)
        summary += (" There are too few earlier figures to test it against a past year: that needs 24 months "
                    "with figures before the 12 held back, and enough of them a year apart to check.")
    columns = [m.ChartColumn("period", "Period", TEXT),
               m.ChartColumn("value", "Transactions", COUNT, blank_beside=("forecast", "not yet counted"))] + [
        m.ChartColumn(key, label, COUNT, blank="not forecast") for key, label in (
            ("forecast", "Forecast"), ("low80", "80% range from"), ("high80", "80% range to"),
            ("low95", "95% range from"), ("high95", "95% range to"))]
    return m.Chart("forecast", "Forecast: transactions in the next 12 months", summary, columns, rows,
                   fill("forecast-band", {"table": rows}, summary, currency), f"{base}/forecast")


def _month_profile_chart(service: m.ServiceView, base, currency) -> m.Chart | None:
    profile = service.month_profile
    if not profile:
        return None
    rows = [{"series": p.name, "value": p.mean, "index": p.index, "years": p.years} for p in profile]
    shown = {p.name: f"{p.index:.0f}" for p in profile}  # judged as the figures read: 97.6 and 98.4 tie
    busiest = [p.name for p in profile if shown[p.name] == shown[max(profile, key=lambda p: p.mean).name]]
    quietest = [p.name for p in profile if shown[p.name] == shown[min(profile, key=lambda p: p.mean).name]]

    if busiest == quietest:  # flat, as shown: naming one month both busiest and quietest was nonsense
        summary = f"No month stands out: each has about {shown[busiest[0]]}% of an average month's transactions."
    else:
        verb = "is usually the busiest month" if len(busiest) == 1 else "are usually the busiest"
        summary = (f"{named_list(busiest, 'month', 6)} {verb}, with {shown[busiest[0]]}% of an average month's "
                   f"transactions, and {named_list(quietest, 'month', 6)} the "
                   f"quietest, with {shown[quietest[0]]}%{'' if len(quietest) == 1 else ' each'}.")
    columns = [m.ChartColumn("series", "Month", TEXT), m.ChartColumn("value", "Average transactions", COUNT),
               m.ChartColumn("index", "Against an average month (%)", m.NUMBER),
               m.ChartColumn("years", "Years averaged", COUNT)]
    return m.Chart("month-profile", "Seasonal pattern: an average year", summary, columns, rows,
                   fill("month-bars", {"table": rows}, summary, currency), f"{base}/month-profile")


def segmentation_charts(services: list[m.ServiceView], channels, base, currency, annotations=(),
                        note: str = "") -> list[m.Chart]:
    """Channel shares, and digital against other transactions, over time; for several services, over
    the periods that every one of them has channel figures for (segmentation.channel_periods), and
    the summary says so where that leaves out some of their periods."""
    periods = channel_periods(services, channels)
    if len(services) > 1 and periods:
        rows = [s.channel_rows for s in services if s.channel_rows]
        earlier = min(r[0][0] for r in rows) < periods[0][0].start.toordinal()
        later = max(r[-1][1] for r in rows) > periods[-1][0].end.toordinal()
        if earlier or later:
            which = "Earlier and later" if earlier and later else "Earlier" if earlier else "Later"
            note = (f" {which} periods are left out: not every one of these services has channel figures for "
                    f"them.{note}")
    charts = [_share_chart(periods, channels, base, currency, annotations, note),
              _digital_chart(periods, channels, base, currency, annotations, note)]
    return [c for c in charts if c is not None]


# Where a service page shows each chart: beside the text and table it illustrates, not all in one
# block above the sections that introduce them (a forecast chart far above 'the year ahead').
_TOPICS = {"channel-split": "channels", "channel-shares": "channels", "digital-and-other": "channels",
           "month-profile": "seasons", "forecast": "seasons"}


def charts_by_topic(charts) -> dict[str, list[m.Chart]]:
    """A service's charts by the page section they belong in: 'over_time' (transactions, the KPIs,
    income and declared measures), 'channels', 'compare' (councils compared) and 'seasons'."""
    groups: dict[str, list[m.Chart]] = {"over_time": [], "channels": [], "compare": [], "seasons": []}
    for chart in charts:
        topic = "compare" if chart.id.startswith("compare-") else _TOPICS.get(chart.id, "over_time")
        groups[topic].append(chart)
    return groups


def _of_their_kind(points: list[tuple]) -> list[tuple]:
    """A measure's points over the kind of period its figures are for, where that is one kind among
    others: a quarterly survey's satisfaction beside monthly counts was drawn as lone dots, each
    quarter between two months of 'no data', its table a quarter among every three months."""
    kinds = {period.kind for period, value, _ in points if value is not None}
    if len(kinds) != 1 or all(period.kind in kinds for period, _, _ in points):
        return points
    return [point for point in points if point[0].kind in kinds]


def _cost_rows(service: m.ServiceView) -> list[m.PeriodRow]:
    """The periods the cost chart draws: with years of cost beside months of counts (cost spans),
    the years and any period with a cost of its own, not every month without one between them
    (which broke the line into lone dots)."""
    if not service.cost_spans:
        return service.periods
    costed = [r for r in service.periods
              if r.cost_per_transaction is not None or m.COST_PER_TRANSACTION in r.not_requested]
    return m.with_cost_spans(costed, service.cost_spans)


def service_charts(service: m.ServiceView, channels: list[m.ChannelInfo], currency: str) -> list[m.Chart]:
    base = f"data/charts/services/{service.slug}"
    charts = [_transactions_chart(service, channels, base, currency), _split_chart(service, base, currency),
              *segmentation_charts([service], channels, base, currency, service.annotations)]
    per_kpi = [
        ("digital-take-up", "Digital take-up", m.DIGITAL_TAKE_UP, "digital_take_up", "line-percent", PERCENT),
        ("cost-per-transaction", "Cost per transaction", m.COST_PER_TRANSACTION, "cost_per_transaction",
         "line-money", MONEY),
        ("completion-rate", "Completion rate", m.COMPLETION_RATE, "completion_rate", "line-percent", PERCENT),
        ("user-satisfaction", "User satisfaction", m.USER_SATISFACTION, "user_satisfaction", "line-percent",
         PERCENT),
    ]
    for cid, title, key, attr, kind, unit in per_kpi:
        points = [(r.period, getattr(r, attr),
                   {"estimated": "yes"} if key == m.COST_PER_TRANSACTION and r.cost_estimated
                   else NOT_REQUESTED_ROW if key in r.not_requested and getattr(r, attr) is None
                   else NO_TRANSACTIONS_ROW if r.of_no_transactions(key) else {})
                  for r in (_cost_rows(service) if key == m.COST_PER_TRANSACTION else service.periods)]
        rows = _with_gaps(_of_their_kind(points))
        note = ""
        if rows and any(r.get("estimated") for r in rows):
            note = " These costs are estimates from channel unit costs."
        charts.append(_line_chart(cid, title, title, unit, kind, rows, service, base, currency,
                                  service.kpis[key].target, note))
    charts.append(_income_chart(service, base, currency))
    for comparison in service.comparisons:
        kind = {m.DIGITAL_TAKE_UP: ("ranked-percent", PERCENT), m.COST_PER_TRANSACTION: ("ranked-money", MONEY)}
        if comparison.kpi.key in kind:
            charts.append(_ranked_chart(
                f"compare-{comparison.kpi.key.replace('_', '-')}", f"{comparison.kpi.label}: councils compared",
                [(r.council, r.value) for r in comparison.ranked], kind[comparison.kpi.key][1],
                kind[comparison.kpi.key][0], base, currency, comparison.kpi.label.lower(), noun="council"))
    charts += [_month_profile_chart(service, base, currency), _forecast_chart(service, base, currency)]
    for figures in service.measures:
        rows = _with_gaps([(period, value, {}) for period, value in figures.points])
        label, unit = figures.measure.label, figures.measure.unit
        if unit == MONEY and figures.measure.over_time == "sum" and figures.points and \
                all(period.months >= 12 for period, _ in figures.points):
            unit = MONEY_WHOLE  # a year's money at a time, in whole pounds (as the income chart's)
        charts.append(_line_chart(f"measure-{figures.measure.id.replace('_', '-')}", label, label,
                                  unit, LINE_KIND[figures.measure.unit], rows, service, base, currency))
    return [c for c in charts if c is not None]


def _ranked_chart(cid, title, items, unit, kind, base, currency, what, limit: int | None = None,
                  note: str = "", noun: str = "service") -> m.Chart | None:
    """Bars from highest to lowest; with ``limit``, only that many of the highest (the page's table has all).
    ``note`` ends the summary: what the reader needs to know about what each bar counts. ``noun``
    is what a bar is ('service', 'organisation', 'council'), for counting them."""
    rows = [{"series": name, "value": value, "label": format_value(value, unit, currency)}
            for name, value in items if value is not None]
    if not rows:
        return None
    rows.sort(key=lambda r: (-r["value"], r["series"]))
    top = rows[0]
    if limit is not None and len(rows) > limit:
        summary = (f"{_sharing(rows, top['label'], 'have', noun)} the highest {what} ({top['label']}); the chart "
                   f"shows the {limit} highest and the table on this page has every service.")
        rows = rows[:limit]
        title = f"{title}: the {limit} highest"
    elif len(rows) == 1:
        summary = f"{top['series']} is the only {noun} with a figure: {top['label']}."
    elif rows[-1]["label"] == top["label"]:  # as shown, they are all the same
        summary = (f"Both {noun}s have" if len(rows) == 2 else f"All {len(rows)} {noun}s have") + \
            f" the same {what} ({top['label']})."
    else:
        summary = f"{_sharing(rows, top['label'], 'have', noun)} the highest {what} ({top['label']})"
        lowest = rows[-1]["label"]
        summary += (f" and {rows[-1]['series']} the lowest ({lowest})." if rows[-2]["label"] != lowest
                    else f"; {_sharing(rows, lowest, 'have', noun)} the lowest ({lowest}).")
    summary += note
    # Headed by what a row is and what its figure is ('Service', 'Total cost in 2025/26'), not 'Name' and
    # the chart's title (an accessibility review).
    columns = [m.ChartColumn("series", noun.capitalize(), TEXT), m.ChartColumn("value", what[0].upper() + what[1:], unit)]
    return m.Chart(cid, title, summary, columns, rows, fill(kind, {"table": rows}, summary, currency),
                   f"{base}/{cid}")




def _sharing(rows: list[dict], label: str, verb: str, noun: str = "service") -> str:
    """Who shows ``label``: one name and 'has', or several and ``verb`` ('A and B have'), or how
    many ('17 services have'). Compared as shown (99.96% and 100.0% both read 100.0%), so a summary
    never names one of several as the highest."""
    names = [row["series"] for row in rows if row["label"] == label]
    return f"{names[0]} has" if len(names) == 1 else f"{named_list(names, noun)} {verb}"


def _latest_note(services, kpi: str) -> str:
    """Which period each service's figure is for: named when they share it (the organisation's total
    beside the chart is for 12 months, the bars for one period each)."""
    labels = {s.kpis[kpi].period_label for s in services if s.kpis[kpi].value is not None}
    if len(labels) == 1:
        return f" Each service's figure is for {labels.pop()}, its latest period with data."
    return " Each service's figure is for its latest period with data."


def _ended_note(ended: list[m.ServiceView]) -> str:
    """The services a chart of an organisation leaves out, as its totals do (ServiceView.ended)."""
    if not ended:
        return ""
    if len(ended) == 1:
        return (f" It leaves out {ended[0].name}, whose {ended[0].ended_figures} end in {ended[0].ended}, a year or "
                "more before the latest on this site.")
    who = named_list([s.name for s in ended], "service")
    what = "transactions" if all(s.ended_figures == "transactions" for s in ended) else "figures"
    return f" It leaves out {who}{',' if len(ended) <= 3 else ''} whose {what} end a year or more before the " \
        "latest on this site."


def organisation_charts(org: m.OrganisationView, currency: str, channels=()) -> list[m.Chart]:
    """Its services' figures side by side, and their channels added up: over the services its
    totals count, so the bars add up to them (a service that stopped a year before the site's latest
    data had kept its bar, and cut the channel charts to the months it shared with the others)."""
    base = f"data/charts/organisations/{org.slug}"
    current = [s for s in org.services if not s.ended] or org.services  # all ended: their last years, then
    counted = set(map(id, current))  # by identity: comparing services field by field was a GOV.UK build's 0.6%
    gone = [s for s in org.services if id(s) not in counted]
    left_out = _ended_note(gone)
    # The charts of transactions and channels name only services with transactions: one of rates
    # alone could never be in them (a review).
    counts_left_out = _ended_note([s for s in gone if s.ended_figures == "transactions"])
    if current and all(s.ended for s in current):
        left_out = counts_left_out = (
            f" {'Its only service' if len(current) == 1 else 'Each of its services'} has no transactions "
            "in the year to the latest on this site: these are the last figures, which its totals do not count.")
    tx = [(s.name, s.kpis[m.TRANSACTIONS_PER_YEAR].value) for s in current]
    take_up = [(s.name, s.kpis[m.DIGITAL_TAKE_UP].value) for s in current]
    charts = [
        _ranked_chart("transactions-by-service", "Transactions per year by service", tx, COUNT, "ranked-count",
                      base, currency, "number of transactions per year", note=counts_left_out),
        _ranked_chart("take-up-by-service", "Digital take-up by service", take_up, PERCENT, "ranked-percent",
                      base, currency, "digital take-up",
                      note=_latest_note(current, m.DIGITAL_TAKE_UP) + left_out),
    ]
    monthly = [s for s in current if s.periods and s.periods[-1].period.kind == "month"]
    # Channels are added up month by month: a service counted by quarter or year is left out, and
    # named (a tester's library authorities with yearly returns had gone without a word).
    by_month = set(map(id, monthly))
    other = [s.name for s in current if id(s) not in by_month and s.channel_rows]
    if other:
        counts_left_out += (f" It leaves out {named_list(other, 'service')}{',' if len(other) <= 3 else ''} whose figures"
                            " are not by month.")
    charts += segmentation_charts(monthly, list(channels), base, currency, note=counts_left_out) if monthly else []
    return [c for c in charts if c is not None]


def home_charts(site: m.SiteModel, currency: str) -> list[m.Chart]:
    """Volume and take-up of the organisations that run the site's services, each service counted
    once (see assemble.organisation_shares)."""
    orgs = site.organisation_shares
    base = "data/charts/home"
    note = (" Each organisation's figure includes the services of the organisations under it, as on its own"
            " page, so every service is counted once." if any(o.includes_others for o in orgs) else "")
    charts = [
        _ranked_chart("transactions-by-organisation", "Transactions per year by organisation",
                      [(o.name, o.totals.transactions_per_year) for o in orgs], COUNT, "ranked-count", base,
                      currency, "number of transactions per year", note=note, noun="organisation"),
        _ranked_chart("take-up-by-organisation", "Digital take-up by organisation",
                      [(o.name, o.totals.digital_take_up) for o in orgs], PERCENT, "ranked-percent", base,
                      currency, "digital take-up over the latest 12 months", note=note, noun="organisation"),
    ]
    return [c for c in charts if c is not None]


class LazyCharts(Sequence):
    """A service's or organisation's charts, made the first time anything reads them.

    A build makes each fresh service's charts in the process that renders its
    page (and writes their downloads there), so the making is shared over
    ``--jobs`` and the charts never pass between processes; an organisation
    page kept from the last build never has its charts made. Whatever ``setup``
    holds (say, the static-SVG drawer) is applied to each chart as it is made.
    """

    def __init__(self, make: Callable[[], list[m.Chart]], setup: list[Callable[[m.Chart], None]]):
        self._make, self._setup, self._charts = make, setup, None

    @property
    def made(self) -> bool:
        return self._charts is not None

    def _all(self) -> list[m.Chart]:
        if self._charts is None:
            self._charts = self._make()
            for chart in self._charts:
                for step in self._setup:
                    step(chart)
        return self._charts

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, index):
        return self._all()[index]

    def __iter__(self):
        return iter(self._all())

    def __reduce__(self):  # pickled (never, in a build) as the plain list it stands for
        return list, (self._all(),)


def add_charts(site: m.SiteModel, services: set[str] | None = None, lazy: bool = False) -> None:
    """Attach charts to services (all, or only those named), every organisation and the home page.

    A service left out keeps the charts it has: in an incremental build its page is not made again.
    ``lazy``: services' and organisations' charts are made when first read (see LazyCharts).
    """
    currency = site.site.currency_symbol
    for service in site.services:
        if services is None or service.slug in services:
            if lazy:
                service.charts = LazyCharts(partial(service_charts, service, site.channels, currency),
                                            site.chart_setup)
            else:
                service.charts = service_charts(service, site.channels, currency)
    for org in site.organisations:
        # Lazily too: an organisation page kept from the last build never needs its charts made.
        org.charts = LazyCharts(partial(organisation_charts, org, currency, site.channels), site.chart_setup) \
            if lazy else organisation_charts(org, currency, site.channels)
    site.home_charts = home_charts(site, currency)
    site.savings_charts = [c for c in [_ranked_chart(
        "savings-by-service", "Estimated yearly saving with take-up 10 points higher",
        [(s.name, s.savings.scenario("points").saving) for s in site.services
         if s.savings and s.savings.scenario("points")], MONEY_WHOLE, "ranked-money", "data/charts/savings", currency,
        "estimated yearly saving at take-up 10 points higher", limit=20)] if c]
    for report in site.cost_reports:
        so_far = f" so far ({report.covered})" if report.covered else ""  # not the whole year: said so
        report.charts = [c for c in [_ranked_chart(
            "cost-by-service", f"Total cost by service, {report.key}{so_far}",
            [(line.name, line.cost) for line in report.services], MONEY_WHOLE, "ranked-money",  # as its table
            f"data/charts/costs/{report.slug}", currency, f"total cost in {report.covered or report.key}", limit=20)] if c]


def _made(charts) -> bool:
    return not isinstance(charts, LazyCharts) or charts.made


def all_charts(site: m.SiteModel, made_only: bool = False) -> list[m.Chart]:
    """Every chart on the site, in page order; ``made_only``: not those of services whose
    charts are yet to be made (LazyCharts), which this leaves unmade."""
    return ([c for s in site.services if not made_only or _made(s.charts) for c in s.charts]
            + [c for o in site.organisations if not made_only or _made(o.charts) for c in o.charts]
            + list(site.home_charts) + list(site.savings_charts) + [c for r in site.cost_reports for c in r.charts])
