"""Read services' CSV files into one tidy frame, reporting every bad cell with its line and column.

The tidy frame has one row per service, period and channel (``""`` for a row
that covers all channels together)::

    service, period (Period), channel, <measures...>, has_tx, nr_<kpi>..., line

A file is read as text with its true line numbers, reshaped by its source
mapping (:mod:`generator.sources`; a file without one is in the tidy format),
then parsed in bulk, one pandas pass per column. A cell that is not a number
is an error naming ``file:line:column``, the column, the value and what would
be accepted. Blank and "no data" markers stay missing (NaN), never zero; "not
requested" markers are missing too, but flagged so pages can say so.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import re
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from generator.cells import NR_KPIS, _file, _is_period, _range_lengths, parse_long
from generator.config import Config, normalise_channel, source_of
from generator.content import DataRef, Service
from generator.errors import Problems
from generator.formatting import count_of, quoted_list
from generator.measures import COUNTS, KEYS, KPI_OF_MEASURE, MEASURES, RATINGS
from generator.periods import Period, month_span, period_attr
from generator.paths import is_pattern, resolved
from generator.raw_files import RawFile, RawFiles, _words_of, read_csv_text
from generator.sources import (_SCALES, Source, _column_key, duplicate_headings, headings_of, looks_like_a_total,
                               other_delimiter, to_long, warn_of_idle_replace)
from generator.yamlfile import yaml_scalar


NUMERIC = MEASURES  # kept for callers that think of the measures as "the numeric columns"
STEP_MONTHS = {"month": 1, "quarter": 3, "financial_year": 12, "year": 12}  # months between regular periods

__all__ = ["NUMERIC", "RATINGS", "load_data", "read_csv_text", "empty_frame", "RawFiles"]


# -- per-service checks -------------------------------------------------------------------------------


def _gap_warning(rows: pd.DataFrame, svc: Service, path, problems: Problems, later: list | None = None) -> None:
    """Warn when a service's regular periods have holes (a month missing from a monthly series).
    ``later``: where a service has other files, its gaps are told once they are all read, leaving
    out the periods another of them has (see _tell_gaps)."""
    kind = rows["period"].iloc[0].kind
    step = STEP_MONTHS.get(kind)
    if step is None:
        return
    index = rows["period"].map(lambda p: p.start.year * 12 + p.start.month - 1)  # each row's month
    starts = sorted(set(index))
    present = set(starts)
    gaps = [i for i in range(starts[0], starts[-1], step) if i not in present]
    if not gaps:
        return

    def tell(gaps: list[int], elsewhere: bool = False, more: int = 0) -> None:
        """The warning; ``elsewhere``: the service's other files have those periods, so it is this
        file's figures that are missing then, said for it and ``more`` other services like it."""
        labels = [month_span(i // 12, i % 12 + 1, step, kind).label for i in gaps]
        shown = ", ".join(labels[:4]) + (f" and {len(labels) - 4} more" if len(labels) > 4 else "")
        # Where the gap ends: the first period after it (its first row), in whichever file holds it.
        # Not the least line number after the gap: in a newest-first file that is the latest period,
        # and a pattern's files each count their lines from 1. (There is one: the last start is after it.)
        after = rows[index == index[index > gaps[0]].min()]
        first = after.loc[after["line"].idxmin()]
        file = str(first["@file"] if "@file" in after else path)
        if (file, str(rows["service"].iloc[0])) in problems.dropped_periods or _reads_unread(svc, problems):
            return  # a period told as wrong, or a file of its left unread, leaves gaps of its own: not told again
        if elsewhere:
            held = [c for c in MEASURES if c in rows and rows[c].notna().any()]
            problems.warning(file if "@file" in after else path, f"this file has no rows for {shown} for service "
                             f"'{svc.called}', though its other data has them" + (
                                 f" (and {more} more service{'s' if more > 1 else ''} like it)" if more else "")
                             + f", so its {' and '.join(held)} figures from this file are no data then",
                             int(first["line"]), hint=("if the file leaves out a period with nothing in it (an "
                                                       "export of rows per event), say so with missing_rows: zero in "
                                                       "its source; " if set(held) & set(COUNTS) else "")
                             + "if these figures were not collected then (a survey not run that year), this is right")
            return
        problems.warning(file if "@file" in after else path, f"service '{svc.called}' has no rows for {shown}",
                         int(first["line"]), hint="add the missing periods, with blank cells if there is no data; "
                         "gaps are shown as gaps in charts. If a period with no row had none (an export of rows "
                         "per event or per request), say so with missing_rows: zero in the file's source")

    if later is None:
        tell(gaps)
    else:
        later.append((svc.slug, kind, gaps, tell, str(path)))


def _reads_unread(svc: Service, problems: Problems) -> bool:
    """Whether a file the service reads (or a pattern's) was left unread for its errors: its gaps are
    that file's, told with them. Not any file of the site's: one unreadable file had hidden every
    service's gaps, so a build reusing a service's record told a gap a clean one did not (a fuzz test)."""
    if not problems.unread_files:
        return False
    wanted = [str(ref.file) for ref in svc.data if ref.file]
    if not wanted:
        return True  # which files it reads is not known here: as before
    return any(fnmatch.fnmatch(unread.replace(os.sep, "/"), "*/" + pattern.removeprefix("./"))
               for unread in problems.unread_files for pattern in wanted)


def _tell_gaps(later: list, per_service: dict[str, list[tuple[Path, pd.DataFrame]]]) -> None:
    """The gaps of services with several files. One none of its files fills is the service's, told
    once. One another of its files fills is this file's figures missing then: a satisfaction
    survey's file that skips a year, beside counts for it, had told 32 councils they had 'no rows
    for April 2011 to March 2012' (a tester's benchmarking export); it is said of the file, once
    for all the services it is so for."""
    told: dict[str, set[int]] = {}  # a gap none of a service's files fills is told once, not once a file
    filled: dict[tuple, dict] = {}  # (file, source) -> slug -> (tell, its gaps), other data filling them
    for slug, kind, gaps, tell, reading in later:
        parts = per_service.get(slug, [])
        have = {p.start.year * 12 + p.start.month - 1 for _, frame in parts for p in set(frame["period"])
                if p.kind == kind}
        own = [gap for gap in gaps if gap not in have and gap not in told.setdefault(slug, set())]
        if own:
            told[slug].update(own)
            tell(own)
        elsewhere = [gap for gap in gaps if gap in have]
        if elsewhere:
            filled.setdefault(reading, {}).setdefault(slug, (tell, elsewhere))
    for services in filled.values():
        (tell, gaps), *others = services.values()
        tell(gaps, elsewhere=True, more=len(others))


def _zeros_for_missing_rows(rows: pd.DataFrame, measures: tuple[str, ...], counts: frozenset) -> pd.DataFrame:
    """``missing_rows: zero``: the export leaves out a period (or a channel in a period) with nothing
    in it, so every period of a service's regular series (months, quarters, years, weeks or days)
    from its first to its last, for each of its channels, that has no row is a row of zero counts.
    Costs and rates stay no data."""
    kind = rows["_kind"].iloc[0]
    days = {"day": 1, "week": 7}.get(kind)  # a day's or a week's series: 311 requests counted by day
    step = STEP_MONTHS.get(kind) or days
    if step is None or len(set(rows["_kind"])) > 1:
        return rows
    if days:
        index = period_attr(rows["period"], lambda p: p.start.toordinal()).astype("int64")
    else:
        index = period_attr(rows["period"], lambda p: p.start.year * 12 + p.start.month - 1).astype("int64")
    grid = np.arange(int(index.min()), int(index.max()) + 1, step)
    have = set(zip(index, rows["channel"]))
    periods: dict[int, Period] = {}  # one Period for each missing start, however many channels lack it
    flags = [c for c in rows.columns if c.startswith("nr_")]
    added = []
    for channel, part in rows.groupby("channel", sort=False):
        missing = [at for at in grid.tolist() if (at, channel) not in have]
        if not missing:
            continue
        # The channel's last row, once for each missing period, then its figures set as a whole.
        block = part.iloc[[-1] * len(missing)].reset_index(drop=True)
        counted = [c for c in counts if c in part and part[c].notna().any()]
        for col in measures:
            if col in block.columns:
                block[col] = 0.0 if col in counted else np.nan
        for at in missing:
            if at not in periods:
                periods[at] = Period(date.fromordinal(at), date.fromordinal(at + step - 1), kind) if days else \
                    month_span(at // 12, at % 12 + 1, step, kind)
        block["period"] = [periods[at] for at in missing]
        block["_key"] = [periods[at].key for at in missing]
        for flag in flags:
            block[flag] = False
        added.append(block)
    if not added:
        return rows
    return pd.concat([rows, *added], ignore_index=True)


def _at(rows: pd.DataFrame, index, path):
    """The file a row came from (a source's pattern reads several), else ``path``."""
    return rows.at[index, "@file"] if "@file" in rows else path


def _tell_conflict(rows: pd.DataFrame, index, first, svc: Service, path, problems: Problems,
                   measures: tuple[str, ...], no_channel: bool) -> None:
    """An error for a service's second row of a period and channel whose figures differ from the first's.

    Written two ways ('2023/24', '2023-24'), the period is likely the slip. Written the same way, the
    cell that differs is shown: with some figures the same, it is a repeated row whose figures changed
    (a correction appended to the export); with every figure different, the rows are likely parts (a
    breakdown by channel, ward or item type, or two services sharing a name)."""
    period, channel = rows.at[index, "period"].label, rows.at[index, "channel"] or "all channels"
    line = int(rows.at[index, "line"])
    there = _at(rows, first, path)  # a pattern's files: the first row may be in another of them (a review)
    first_line = f"{int(rows.at[first, 'line'])}" + ("" if str(there) == str(_at(rows, index, path))
                                                     else f" of {Path(there).name}")
    parts_hint = ("keep one row per period and channel for each service; if two services share a name, make "
                  "the service key unique, e.g. columns: {service: \"{Department} {Service}\"}; if the rows are "
                  "parts to add up (a breakdown by ward or item type), add combine: sum to the file's source"
                  + ("; no row names a channel: should the file have a channel column (is its heading misspelt?)"
                     if no_channel else ""))
    texts = rows["@period_text"] if "@period_text" in rows else None
    differ = [c for c in measures if c in rows and not _same_figure(rows.at[index, c], rows.at[first, c])]
    spelt = rows["@channel_text"] if "@channel_text" in rows else None
    if spelt is not None and spelt[index] != spelt[first]:  # two of its aliases, one written twice besides
        problems.error(_at(rows, index, path), f"service '{svc.called}' has rows for {period} under two spellings "
                       f"of channel '{channel}' ('{spelt[first]}' on line {first_line}, '{spelt[index]}' on line "
                       f"{line}), and one of them more than once", line, hint="keep one row per period for each "
                       "spelling (they are added up), or give the spellings channels of their own in config.yaml")
        return
    if texts is None or texts[index] != texts[first] or not differ:
        problems.error(_at(rows, index, path), f"service '{svc.called}' has a second, different row for {period} and "
                       f"'{channel}' (the first is on line {first_line}: two ways of writing the same period?)",
                       line, int(rows.at[index, "period_col"]) or None, hint=parts_hint)
        return
    col = differ[0]
    column = int(rows.at[index, f"@{col}@col"]) if f"@{col}@col" in rows else 0
    same = [c for c in measures if c in rows and c not in differ and pd.notna(rows.at[index, c])]
    says = (f"service '{svc.called}' has two rows for {period} and '{channel}' with different figures: "
            f"'{col}' is {_figure(rows.at[index, col])} on line {line} and {_figure(rows.at[first, col])} on line "
            f"{first_line}")
    if same:  # the rest agree: the row again, with a figure changed
        problems.error(_at(rows, index, path), says + " (a repeated row whose figures changed?)", line,
                       column or None, hint="the period is written the same way in both rows and some of their "
                       "figures agree: keep the row with the right figures and delete the other")
    else:
        problems.error(_at(rows, index, path), says, line, column or None,
                       hint="if one row repeats the other with corrected figures, keep one; otherwise " + parts_hint)


def _tell_repeats(rows: pd.DataFrame, repeat: pd.Series, file, service: str, problems: Problems) -> None:
    """One warning for a service's rows repeated as they were (``repeat``), at the first of them."""
    index, more = rows.index[repeat][0], int(repeat.sum()) - 1
    problems.warning(file, f"repeated row for {rows.at[index, 'period'].label} "
                     f"'{rows.at[index, 'channel'] or 'all channels'}'"
                     + (f" of service '{service}'" if service else "") + " is ignored"
                     + (f" (and {more} more repeated row{'s' if more > 1 else ''})" if more else ""),
                     int(rows.at[index, "line"]), hint="remove the repeated rows; each is read once")


def _cell_places(rows: pd.DataFrame) -> list[str]:
    """The columns kept only to tell where two rows of a period differ (see _tell_conflict)."""
    return [c for c in rows.columns if c in ("@period_text", "@channel_text", "@blank_series")
            or (c.startswith("@") and c.endswith("@col"))]


def _same_figure(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or a == b


def _figure(value) -> str:
    """A figure as a message shows it: 1145, not 1145.0; blank for no data."""
    if pd.isna(value):
        return "blank"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_MIXED_HINT = ("use one kind of period per service, e.g. all months; a year's column beside months is likely a "
               "total: head it just 'Total' to skip it. '2010-11' reads as November 2010, so write financial "
               "years as 2010/11 or set period_type: financial_year in the file's source")


def _and_others(others: list[str], most: int = 5) -> str:
    """' (and 2 more services with it: 'A' and 'B')': a tester had to find the other 8 with a script."""
    if not others:
        return ""
    return f" (and {len(others)} more service{'s' if len(others) > 1 else ''} with it: {quoted_list(others, most)})"


def _mixed_hint(odd: pd.Series, usual_rows: pd.DataFrame) -> str:
    """How to mend a service's periods of two kinds. A longer one in a row of its own among shorter
    ones is a total (a year's row among its quarters) only where the shorter ones of its channel are
    there inside it: then it is left out with exclude:. A tester's library file had a council's only
    figure for books in a year's row beside months of e-books, and leaving it out, as the hint said,
    published the council without books. A month among years may be a financial year written
    '2010-11'; in a column heading, see _MIXED_HINT."""
    line, period = int(odd["line"]), odd["period"]
    usual = usual_rows.iloc[0]
    if int(odd["period_line"] or line) != line:
        return _MIXED_HINT
    if (period.end - period.start) > (usual["period"].end - usual["period"].start):
        inside = usual_rows[usual_rows["channel"].eq(odd["channel"])]["period"]
        if any(period.start <= p.start and p.end <= period.end for p in inside):
            return (f"use one kind of period per service; a row for {period.label} among shorter periods is likely "
                    "a total: leave such rows out with exclude: in the file's source, naming the period's heading "
                    "and the text its cell has")
        shorter = usual["_kind"].replace("_", " ")
        return (f"its row for {period.label} is not a total of its {shorter}s: no {shorter} of the same channel falls "
                f"inside it, so leaving it out would publish the service without that figure; publish the service "
                f"by one kind of period (the export's figures for it by {shorter}, or all of them by the longer "
                "period), or give it a service of its own")
    text = str(odd.get("@period_text") or "")
    if period.kind == "month" and re.fullmatch(r"\d{4}-\d{2}", text) and \
            int(text[2:4]) + 1 == int(text[5:]) % 100 + (100 if text[5:] == "00" else 0):
        return (f"'{text}' reads as {period.label}: if it is the financial year {text[:4]}/{text[5:]}, write it so, "
                "or set period_type: financial_year in the file's source")
    return "use one kind of period per service: correct the odd one, or leave its row out with exclude: in the " \
           "file's source"


def _check_service_rows(rows: pd.DataFrame, svc: Service, path: Path, problems: Problems,
                        file_has_repeats: bool = True, measures: tuple[str, ...] = MEASURES,
                        zeros: frozenset = frozenset(), mixed: dict | None = None,
                        gaps: list | None = None) -> pd.DataFrame:
    """Per-service checks: one kind of period, no conflicting duplicates, gaps. ``mixed`` gathers
    the services that mix kinds of period, by where the odd one is, to be told once (_tell_mixed)."""
    kinds = sorted(set(rows["_kind"]))
    if len(kinds) > 1:
        counts = rows["_kind"].value_counts()
        fewer = counts.index[-1]  # where to look; among the most common kind
        more = next(kind for kind in counts.index if kind != fewer)
        odd = rows[rows["_kind"].eq(fewer)].iloc[0]
        file = odd.get("@file", path)
        place = (file, fewer, more, int(odd["period_col"]) or None)
        if mixed is not None and place in mixed:
            mixed[place][1].append(svc.called)
        else:
            told = (f"service '{svc.called}' mixes periods of different kinds ({', '.join(kinds)}): "
                    f"{fewer.replace('_', ' ')} '{odd['period'].label}' among {more.replace('_', ' ')}s",
                    int(odd["period_line"] or odd["line"]),
                    _mixed_hint(odd, rows[rows["_kind"].eq(more)]))
            if mixed is None:
                problems.error(file, told[0], told[1], place[3], hint=told[2])
            else:
                mixed[place] = [told, []]
    keyed = rows
    if file_has_repeats and keyed.duplicated(["_key", "channel"]).any():
        spelt = ["@channel_text"] if "@channel_text" in keyed else []  # Fax 1 is not Letter 1 again
        repeat = keyed.duplicated(["_key", "channel", *spelt, *measures], keep="first")
        if repeat.any():  # said once for the service: some publishers repeat every row many times
            _tell_repeats(keyed, repeat, _at(keyed, keyed.index[repeat][0], path), svc.called, problems)
        remaining = keyed[~repeat]
        conflict = remaining.duplicated(["_key", "channel"], keep="first")
        no_channel = not keyed["channel"].ne("").any()  # the channel column missing, or misspelt?
        firsts = remaining[~conflict].drop_duplicates(["_key", "channel"])
        firsts = pd.Series(firsts.index, index=pd.MultiIndex.from_frame(firsts[["_key", "channel"]]))
        for index in remaining.index[conflict]:
            key, channel = keyed.at[index, "_key"], keyed.at[index, "channel"]
            first = firsts[(key, channel)]
            _tell_conflict(keyed, index, first, svc, path, problems, measures, no_channel)
        rows = rows.loc[remaining.index[~conflict]]
    with_tx = rows[rows["has_tx"]]
    if with_tx["channel"].eq("").any() and with_tx["channel"].ne("").any():
        total = with_tx[with_tx["channel"].eq("")].iloc[0]
        problems.error(total.get("@file", path),
                       f"service '{svc.called}' has rows per channel and also rows for all channels "
                       "together, which would count transactions twice", int(total["line"]),
                       hint="drop the total rows, e.g. with exclude: {Channel: Total} in the file's source")
    if len(kinds) == 1 and _isolated_period(rows, svc, path, problems):
        return rows  # its gap of years is not worth a warning (nor, with missing_rows: zero, years of zeros)
    if len(kinds) == 1 and zeros:
        rows = _zeros_for_missing_rows(rows, measures, zeros)
    elif len(kinds) == 1:
        _gap_warning(rows, svc, path, problems, gaps if len(svc.data) > 1 else None)
    return rows


ISOLATED_YEARS = 5


def _isolated_period(rows: pd.DataFrame, svc: Service, path, problems: Problems) -> bool:
    """A month or quarter years away from all of a service's others ('Feb-30' among Oct-13 to
    Mar-14) is a typo in its year: published, it is a figure for February 2030 and a chart
    stretched over sixteen empty years; the gap warning alone named none of it. Said at the period
    (a wide file's heading), if one or two periods stand at least five years from three or more
    (and from at least twice as many); instead of a gap warning."""
    kind = rows["period"].iloc[0].kind
    if kind not in ("month", "quarter"):  # a baseline year long before the rest can be real
        return False
    index = period_attr(rows["period"], lambda p: p.start.year * 12 + p.start.month - 1).astype("int64")
    starts = sorted(set(index))
    if len(starts) < 4:
        return False
    steps = [b - a for a, b in zip(starts, starts[1:])]
    widest = max(range(len(steps)), key=steps.__getitem__)
    if steps[widest] < 12 * ISOLATED_YEARS:
        return False
    before, after = starts[:widest + 1], starts[widest + 1:]
    alone, others = (before, after) if len(before) < len(after) else (after, before)
    if len(alone) > 2 or len(others) < max(3, 2 * len(alone)):
        return False
    odd = rows[index.isin(alone).to_numpy()]
    first = odd.loc[odd["line"].idxmin()]
    label = lambda at: month_span(at // 12, at % 12 + 1, STEP_MONTHS[kind], kind).label  # noqa: E731
    years = round(min(abs(a - b) for a in alone for b in others) / 12)
    # After the others, it is a typo (or a future that has not happened): an error. Before them, it may
    # be a real pilot month: a warning, which accepted_warnings: can accept.
    tell = problems.error if alone is after else problems.warning
    tell(_at(odd, first.name, path),
                   f"period {first['period'].label} is {years} years {'after' if alone is after else 'before'} "
                   f"the other periods of service '{svc.called}' ({label(others[0])} to {label(others[-1])}): "
                   "a typo in its year?", int(first["period_line"] or first["line"]),
                   int(first["period_col"]) or None,
                   hint="correct it in the file, or with replace: {period: {'wrong': 'right'}} in the file's "
                        "source in config.yaml (in a file with periods across, the heading)")
    return True


def _merge_sources(parts: list[tuple[Path, pd.DataFrame]], svc: Service, problems: Problems,
                   measures: tuple[str, ...] = MEASURES, labels: dict | None = None) -> pd.DataFrame:
    """Rows for one service from several files: measures for the same period and channel are combined.
    Two files with different figures for one are an error at the second, naming both."""
    rows = pd.concat([frame for _, frame in parts], ignore_index=True)
    rows["@from"] = np.repeat(np.arange(len(parts)), [len(frame) for _, frame in parts])
    rows["_key"] = period_attr(rows["period"], lambda p: p.key)
    grouped = rows.groupby(["_key", "channel"], sort=False)
    counts = grouped[list(measures)].nunique()
    for (key, channel), row in counts[(counts > 1).any(axis=1)].iterrows():
        measure = row.index[row > 1][0]
        those = rows[rows["_key"].eq(key) & rows["channel"].eq(channel) & rows[measure].notna()]
        pair = (those.iloc[0], those[those[measure].ne(those.iloc[0][measure])].iloc[0])
        # Told at the second of the two files by name, whichever was read first.
        (one, at), (two, there) = sorted(
            (((_part_file(r, parts), int(r["line"])), r) for r in pair),
            key=lambda item: item[0])
        sources = [parts[int(r["@from"])][1].attrs.get("source") for r in (there, at)]
        if one[0] == two[0] and all(sources):  # one file, read by two sources
            problems.error(two[0], f"service '{svc.called}' has two different values of {measure} for "
                           f"{at['period'].label} '{channel or 'all channels'}': {_figure(there[measure])} as source "
                           f"'{sources[0]}' reads this file and {_figure(at[measure])} as source '{sources[1]}' "
                           f"does (line {one[1]})", two[1],
                           hint="two sources of one file must not both read a figure for the same rows: narrow one "
                                "with filter: or exclude:, or leave the column out of one with ignore:")
            continue
        problems.error(two[0], f"service '{svc.called}' has two different values of {measure} for "
                       f"{at['period'].label} '{channel or 'all channels'}': {_figure(there[measure])} here and "
                       f"{_figure(at[measure])} in {Path(one[0]).name} (line {one[1]})", two[1],
                       hint="a period in two of its files must have the same figures: leave it out of one (a "
                            "year's file that repeats the last month of the year before?)")
    _totals_beside_channels(parts, rows, svc, problems)
    _kinds_across_files(parts, rows, svc, problems, measures)
    merged = grouped.first()
    merged["has_tx"] = grouped["has_tx"].any()
    for kpi in NR_KPIS:
        merged[f"nr_{kpi}"] = grouped[f"nr_{kpi}"].any()
    merged["line"] = grouped["line"].min()
    if any(frame.attrs.get("zeroed") for _, frame in parts):
        _zero_where_a_source_has_no_row(parts, merged, measures)
    _more_of_the_part_across_files(parts, rows, merged, svc, problems)  # (the zeros filled in too)
    if any(frame.attrs.get("blank_channel") for _, frame in parts):
        merged = _blank_channels_missing(parts, merged, svc, problems, measures, labels or {})
    return merged.reset_index().drop(columns=["_key", "@from"])


def _part_file(row: pd.Series, parts: list[tuple[Path, pd.DataFrame]]) -> str:
    """The file a merged row came from: its own (one of a pattern's files) or its part's."""
    return str(row.get("@file") or parts[int(row["@from"])][0])


_KINDS_NAMED = {"financial_year": "financial years", "financial_quarter": "quarters", "range": "ranges of dates",
                "week_ending": "weeks"}  # (plural) as a message names them


def _kinds_across_files(parts: list[tuple[Path, pd.DataFrame]], rows: pd.DataFrame, svc: Service,
                        problems: Problems, measures: tuple[str, ...]) -> None:
    """A warning where a service's files give figures for periods of different kinds (within a file
    it is an error): a survey's three-year ranges beside years of counts (a tester's benchmarking
    export) each became a row of their own in every table, 'no data' for the counts, and broke
    every line. A yearly cost beside months is not told: it is a cost span (metrics._cost_spans)."""
    shown = [c for c in measures if c in rows and c not in ("cost", "cost_per_transaction")]
    if not shown:
        return
    has = rows[shown].notna().any(axis=1).to_numpy()
    kinds = pd.Series(period_attr(rows["period"], lambda p: p.kind).to_numpy()[has], index=rows.index[has])
    if kinds.nunique() < 2:
        return
    parts_of = rows["@from"][has]
    by_part = pd.DataFrame({"part": parts_of, "kind": kinds}).drop_duplicates()
    if by_part.groupby("kind")["part"].nunique().min() == by_part["part"].nunique():
        return  # every kind in every file: each file mixes them, which is told there
    usual = kinds.value_counts().index[0]
    odd = kinds[kinds.ne(usual) & ~parts_of.isin(by_part.loc[by_part["kind"].eq(usual), "part"]).to_numpy()]
    # Counts of another kind are periods of their own as counts are (a service's yearly files before
    # its monthly ones: the years are in its tables and its year-on-year change); rates alone are not.
    counted = [c for c in ("transactions", "digital_transactions") if c in rows]
    if counted:
        counts = rows.loc[odd.index, counted].notna().any(axis=1).to_numpy()
        _counts_of_overlapping_periods(rows, odd[counts], kinds.eq(usual) & rows.loc[kinds.index, counted].notna()
                                       .any(axis=1), parts, svc, problems)
        odd = odd[~counts]
    if odd.empty:
        return
    first = rows.loc[odd.index[0]]
    at = _part_file(first, parts)
    usual_row = rows.loc[kinds.index[kinds.eq(usual)][0]]
    there = _part_file(usual_row, parts)
    # (Two sources of one file, a year's rows read apart from its quarters: 'beside quarters in' the
    # same file had read as a slip of the message; a tester's.)
    there = "read by another source of this file" if str(there) == str(at) else f"in {Path(there).name}"
    name = lambda kind: _KINDS_NAMED.get(kind, kind.replace("_", " ") + "s")  # noqa: E731
    problems.warning(at, f"service '{svc.called}' has figures for {name(first['period'].kind)} here "
                     f"({first['period'].label}, ...) beside {name(usual)} {there}: each shows as a period of "
                     "its own, with no data for the other figures", int(first["line"]),
                     hint="to show them with the service's other figures, give them the same kind of period "
                          "(replace: {period: {...}} in the file's source); if they are a survey's own periods, "
                          "this is right (accepted_warnings: can say so)")


def _counts_of_overlapping_periods(rows: pd.DataFrame, odd: pd.Series, usual: pd.Series,
                                   parts: list[tuple[Path, pd.DataFrame]], svc: Service, problems: Problems) -> None:
    """Counts for a period of another kind in one file that covers periods another file counts (a
    year's total in yearly.csv beside its months in monthly.csv): both are added up, and every
    transaction counted twice. An error at the longer period's row. (Counts of another kind that
    cover other periods, a service's yearly files before its monthly ones, are periods of their own.)"""
    if odd.empty or not usual.any():
        return
    counted = rows.loc[usual[usual].index]
    for index in odd.index:
        period = rows.at[index, "period"]
        within = [other for other, p in zip(counted.index, counted["period"]) if p.start <= period.end
                  and p.end >= period.start]
        if not within:
            continue
        row, other = rows.loc[index], rows.loc[within[0]]
        there = Path(_part_file(other, parts)).name
        problems.error(_part_file(row, parts),
                       f"service '{svc.called}' has counts for {period.label} here and for "
                       f"{other['period'].label} (and any others within it) in {there}: added up, they would be "
                       "counted twice", int(row["line"]),
                       hint="leave the longer period out of one file (exclude: in its source), or give the service "
                            "only one of the two files")
        return


# (part, whole) counts a row's check compares (cells._check_rows): a part larger than its whole is
# a rate over 100%.
_PART_OF_WHOLE = (("completed", "started", "check that the two files count the same things for the same period "
                   "and channel (and that started and completed are not swapped)"),
                  ("digital_transactions", "transactions", "check that the two files count the same transactions "
                   "for the same period"))


def _more_of_the_part_across_files(parts: list[tuple[Path, pd.DataFrame]], rows: pd.DataFrame, merged: pd.DataFrame,
                                   svc: Service, problems: Problems) -> None:
    """More completed than started (or digital transactions than transactions) in a period and
    channel whose two counts come from different files: each file's rows are checked as it is read
    (cells._check_rows), but there neither has both. A service's started counts in one export and
    its completed ones in another published a completion rate over 100% with no word. Told once a
    service, at the first such row's part, with how many periods there are."""
    for part, whole, hint in _PART_OF_WHOLE:
        if part not in merged or whole not in merged:
            continue
        over = merged.index[(merged[part] > merged[whole]).to_numpy()]
        if not len(over):
            continue
        named = [str(path) for path, _ in parts]
        where = rows["@from"].map(named.__getitem__)
        if "@file" in rows:  # a pattern's file, read as one part
            where = rows["@file"].where(rows["@file"].notna(), where).astype(str)
        came = {name: rows.assign(where=where)[rows[name].notna()].groupby(["_key", "channel"], sort=False)[
            ["where", "line", "@from"]].first() for name in (part, whole)}
        # From different files, or from one file read by two sources (each its own part)
        across = [key for key in over if key in came[part].index and (
            key not in came[whole].index or came[part].at[key, "where"] != came[whole].at[key, "where"]
            or came[part].at[key, "@from"] != came[whole].at[key, "@from"])]
        if not across:
            continue  # each told as its file was read
        key, others = across[0], len(across) - 1
        row = merged.loc[key]
        more = "" if not others else "; so is one other period or channel" if others == 1 else \
            f"; so are {others:,} other periods or channels"
        if key not in came[whole].index:  # a 0 filled in: no row of a missing_rows: zero source
            zeroed = [Path(path).name for path, frame in parts if frame.attrs.get("zeroed")]
            there = f"as {' or '.join(zeroed)} has no row for it, with missing_rows: zero"
        else:
            other = Path(came[whole].at[key, "where"]).name
            reading = parts[int(came[whole].at[key, "@from"])][1].attrs.get("source")
            there = f"as source '{reading}' reads {other}" if reading and came[part].at[key, "where"] == \
                came[whole].at[key, "where"] else f"in {other}"
        problems.warning(came[part].at[key, "where"], f"service '{svc.called}' has more {part.replace('_', ' ')} "
                         f"({row[part]:,.0f}) than {whole} ({row[whole]:,.0f}, {there}) for {row['period'].label} "
                         f"'{key[1] or 'all channels'}'{more}", int(came[part].at[key, "line"]),
                         hint=f"{hint}; the site shows a rate over 100%")


def _zero_where_a_source_has_no_row(parts: list[tuple[Path, pd.DataFrame]], merged: pd.DataFrame,
                                    measures: tuple[str, ...]) -> None:
    """``missing_rows: zero`` across a service's sources: a period and channel with counts from
    another source and no row in this one had none of this one's counts. The recipe of two sources
    of one export (every request; those on time) gave a channel with no request on time no
    completed count, and its started ones dropped out of the rate (a tester's Boston 311 division
    read 92.6%, 25 of 27, not 89.3%, 25 of 28), and a division with none on time 'no data', not
    0%. Within the periods the source's file covers (its part's ``attrs['zeroed']``: first and
    last start, and its counts), for rows per channel that count something else: not a
    satisfaction score's row, nor all channels' together."""
    start = period_attr(merged["period"], lambda p: p.start)
    for _, frame in parts:
        if not frame.attrs.get("zeroed"):
            continue
        first, last, own = frame.attrs["zeroed"]
        own = [c for c in own if c in merged]
        others = [c for c in measures if c in COUNTS and c in merged and c not in own]
        if not own or not others:
            continue
        # A source of rows for all channels together (no channel column) fills only such rows: its
        # 'no row' says nothing of any one channel. A tester's bills, with no channel, had made
        # every channel's started count 0 beside its payments, and the completion rate no data.
        # Likewise a source of one channel's rows (a web form's starts, constants: {channel: online})
        # fills only that channel's: phone's started counts of 0 beside its completed ones had made
        # completion rates of 115% (a review).
        per_channel = bool(frame["channel"].ne("").any()) if len(frame) else True
        channel = merged.index.get_level_values("channel")
        own_channels = set(frame["channel"]) if len(frame) and frame.attrs.get("one_channel") else set()
        fills = (channel == next(iter(own_channels))) if len(own_channels) == 1 else \
            (channel != "") if per_channel else (channel == "")
        within = (start >= first) & (start <= last) & fills & merged[others].notna().any(axis=1)
        for column in own:
            merged.loc[within & merged[column].isna(), column] = 0.0


def _totals_beside_channels(parts: list[tuple[Path, pd.DataFrame]], rows: pd.DataFrame, svc: Service,
                            problems: Problems) -> None:
    """A service's transactions per channel in one of its files and for all channels together in
    another: added up, every transaction is counted twice, as _check_service_rows tells of one file.
    A tester's second source of a file, read for its total rows' satisfaction, read their
    'Transactions' as well (a heading that is a field's name is read without being mapped): the
    site showed twice the transactions and half the take-up, with no word."""
    if "transactions" not in rows:
        return
    with_tx = rows[rows["transactions"].notna()]  # a figure in the row: a blank column counts nothing twice
    totals, split = with_tx[with_tx["channel"].eq("")], with_tx[with_tx["channel"].ne("")]
    if totals.empty or split.empty or set(totals["@from"]) & set(split["@from"]):
        return  # none, or both in one file: told there
    total, other = totals.iloc[0], split.iloc[0]
    at, there = (_part_file(row, parts) for row in (total, other))
    where = (f"two of its sources read {Path(at).name}, one its rows per channel, the other its rows for all "
             "channels together" if at == there else
             f"it has rows per channel in {Path(there).name} and rows for all channels together here")
    problems.error(at, f"service '{svc.called}' would count transactions twice: {where}", int(total["line"]),
                   hint="a source read for other figures (satisfaction on the total rows, say) also reads every "
                        "heading that is a field's name: add ignore: with the transactions and cost headings to "
                        "that source" if at == there else
                        "keep one kind of row: take the total rows' transactions out of one file, or read it "
                        "through a source with ignore: for that column")


def _unused_rows(parsed: pd.DataFrame, groups: dict, used: set[str], path, problems: Problems,
                 totals_told: bool = False, through: str | None = None) -> None:
    """Rows no service reads are reported, so a typo in a service column never loses figures quietly
    (``totals_told``: services are made from the rows, and a total row's was left out with its own warning).
    Each at the first row's own file (not a pattern, whose line 2 could be in any of its files), and
    ``through`` the source that read them, where more than one source reads that file."""
    unread = [key for key in groups if key and key not in used and not (totals_told and looks_like_a_total(key))]
    if len(unread) > UNREAD_ONE_BY_ONE:
        # Many values no service reads (a file of every body, read for a few): those that are no slip
        # for one that is are one warning, not one each, among which a tester's one error was lost.
        # (Compared with keys of the same first letter only, as below: difflib over hundreds is slow.)
        by_letter: dict[str, list[str]] = {}
        for key in used:
            by_letter.setdefault(key[:1].lower(), []).append(key)
        plain = [key for key in unread if not difflib.get_close_matches(key, by_letter.get(key[:1].lower(), []), n=1)]
        if len(plain) > UNREAD_ONE_BY_ONE:
            _tell_unread_together(plain, groups, path, problems, through)
            used = used | set(plain)
    for key in groups:
        if key in used or totals_told and key and looks_like_a_total(key):
            continue
        rows = groups[key]
        first = rows.iloc[0]
        file = first["@file"] if "@file" in rows.columns and first["@file"] else path
        where = (int(first["line"]), int(first["service_col"]) or None)
        if not key:
            problems.warning(file, f"{len(rows)} row(s) have no service, so they are not read", *where,
                             hint="fill in the service column, or drop the rows with exclude: in the source")
            continue
        similar = [k for k in used if k[:1].lower() == key[:1].lower()]
        close = difflib.get_close_matches(key, similar, n=1)
        problems.warning(file, f"no service reads the rows for '{key}' ({len(rows)} row(s))"
                         + (f" through source '{through}'" if through else ""), *where,
                         hint=f"is it a misspelling of '{close[0]}'?" if close else
                         "add a service with data: {file: ..., service: ...} for it, or drop the rows with "
                         "filter: or exclude: in the file's source")


UNREAD_ONE_BY_ONE = 5  # more values of a service column than this that no service reads are told together


def _tell_unread_together(unread: list[str], groups: dict, path, problems: Problems, through: str | None) -> None:
    first = groups[unread[0]].iloc[0]
    file = first["@file"] if "@file" in first and first["@file"] else path
    named = ", ".join(f"'{key}' ({count_of(len(groups[key]), 'row')})" for key in unread[:3])
    problems.warning(file, f"no service reads the rows for {len(unread):,} values of the service column, such as "
                     f"{named}" + (f" through source '{through}'" if through else ""),
                     int(first["line"]), int(first["service_col"]) or None,
                     hint="to publish them, a services: block in the file's source makes a service of each value; "
                          "to leave them out, say which to read with filter: (or exclude:) in the file's source")


# A source with any of these maps its file's columns itself; without, the file is read by its headings.
# (combine: and period_type: read rows of events or parts, which carry columns of their own: a reference.)
_MAPPING_KEYS = ("columns", "wide", "measures_in_rows", "services", "organisations", "constants", "filter", "exclude",
                 "combine", "period_type")


# A heading that is a field's name and its unit, as spreadsheets head columns: 'Cost (£)',
# 'Satisfaction %', 'Cost (£000s)'. The unit is in brackets or a trailing symbol.
_UNIT_IN_HEADING = re.compile(r"(?P<name>.*?[^\s(])\s*(?:\((?P<unit>[^()]*)\)|(?P<symbol>[£$€%]))")
_PLAIN_UNITS = {"£", "$", "€", "%", "gbp", "eur", "usd", "pounds", "£s", "percent", "percentage", "number", "no.",
                "count", "#"}


def _field_with_its_unit(heading: str) -> tuple[str, int] | None:
    """(field key, how many units each figure is) of a heading that is a field's name with a unit:
    'Cost (£)' is ('cost', 1), 'Transactions (000s)' ('transactions', 1000), 'Cost (£m)' ('cost',
    1000000). None for any other heading, 'Cost (net)' among them: that is not a unit."""
    found = _UNIT_IN_HEADING.fullmatch(heading.strip())
    if found is None:
        return None
    unit = (found["unit"] if found["unit"] is not None else found["symbol"]).strip().lower()
    if unit in _PLAIN_UNITS:
        return _column_key(found["name"]), 1
    scale = unit.lstrip("£$€").strip()
    return (_column_key(found["name"]), _SCALES[scale]) if scale in _SCALES else None


_PERIOD_WORDS = {"month", "date", "period", "year", "quarter", "week", "fy", "day"}
_WITH_PERIOD_WORDS = {"ending", "starting", "commencing", "beginning", "of", "financial", "reporting", "calendar"}


def _likeliest_period_heading(headings: list[str]) -> str | None:
    """The heading most likely to hold a file's periods: one made only of such words ('Month',
    'Week ending', 'Financial year') before one that has one among others ('Week day')."""
    words = {h: _words_in(h) for h in headings}
    for fits in (lambda w: len(w) == 1 and w[0] in _PERIOD_WORDS,
                 lambda w: set(w) & _PERIOD_WORDS and set(w) <= _PERIOD_WORDS | _WITH_PERIOD_WORDS,
                 lambda w: set(w) & _PERIOD_WORDS):
        found = next((h for h in headings if fits(words[h])), None)
        if found is not None:
            return found
    return None


def _words_in(heading: str) -> list[str]:
    """A heading's words, in lower case, without what is in brackets: 'Total cost (£)' is total, cost."""
    return re.findall(r"[a-z0-9]+", re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", heading.lower()))


UNKNOWN_ONE_BY_ONE = 5  # more unknown columns than this in a file are one warning


def _looks_like_money(cells: pd.Series) -> bool:
    """Whether a column's filled cells look like money: a currency sign, or pence after a point."""
    text = cells.astype(str).str.strip()
    text = text[text.ne("")]
    return bool(len(text)) and bool(text.str.contains(r"[£$€]|\.\d\d$", regex=True).mean() >= 0.5)


def _field_among_words(heading: str, fields: list[str]) -> str | None:
    """The field a heading names among other words ('Total cost (£)': cost; 'Transactions completed
    online': none that is one field), the longest if several: a tidy file's column the user meant
    as that field, ignored as unknown, and a council's published costs replaced by estimates."""
    words = " " + " ".join(_words_in(heading)) + " "
    found = [f.replace("_", " ") for f in fields if f" {f.replace('_', ' ')} " in words]
    longest = max(found, key=len, default=None)
    # Only one field, or fields inside the longest ('cost' in 'digital cost per transaction')
    return longest.replace(" ", "_") if longest and all(f in longest for f in found) else None


def _unit_in_heading(path, file: str, heading: str, field: str, scale: int, line: int, column: int,
                     problems: Problems) -> None:
    """The error for a tidy file's column headed with a field's name and its unit ('Cost (£)'): it
    was once a warning that the column is ignored, and a council's costs were left out of its site
    unless it built with --strict. The tidy format's headings are the fields' names alone."""
    mapped = f"columns: {{{field}: {yaml_scalar(heading)}}}"
    if scale == 1:
        problems.error(path, f"column '{heading}' is headed with its unit: the tidy format reads a column "
                       f"headed '{field}'", line, column,
                       hint=f"rename the heading to {field} (its cells may keep their £ signs, % signs and commas), "
                            f"or describe the file in config.yaml: sources: [{{file: {file}, {mapped}}}]")
    else:
        problems.error(path, f"column '{heading}' is {field} in {scale:,}s: the tidy format reads a column "
                       f"headed '{field}' of whole figures", line, column,
                       hint=f"describe the file in config.yaml: sources: [{{file: {file}, {mapped}, "
                            f"multiply: {{{field}: {scale}}}}}]")


def _header_problems(config: Config, source: Source | None, file: str, raw: RawFile, path,
                     problems: Problems) -> bool:
    """Per-file checks of the headings of a file in the tidy format; True if it can be read. A file
    whose source only says how to read it (not_requested:, encoding:...) is in the tidy format too:
    its columns are checked by name, so 'user_satisfaction' for 'satisfaction' is told."""
    if source is not None and any(source.values.get(key) for key in _MAPPING_KEYS):
        return True
    headings = headings_of(raw.frame)
    keys = [_column_key(h) for h in headings]
    fields = (*KEYS, *config.measure_ids)
    for heading, number, first in duplicate_headings(headings):
        if _column_key(headings[first - 1]) in fields:  # which of the two is the figure?
            problems.error(path, f"column '{headings[first - 1]}' appears twice (as column {first} and {number})",
                           raw.header_line, number, hint="remove or rename one of them")
            return False
    across = _channels_across(config, headings, keys) if source is None else []
    if across:
        # An export with a column per channel: one error that says how to describe it, not a
        # warning per channel that it is ignored beside 'missing column: period'.
        period = next((h for h, k in zip(headings, keys) if k not in fields and h not in across), None)
        mapped = "" if "period" in keys or period is None else f"columns: {{period: '{period}'}}, "
        shown = ", ".join(across[:4]) + (" ..." if len(across) > 4 else "")
        problems.error(path, f"the file has a column per channel ({shown}), not a channel column", raw.header_line,
                       hint=f"describe it in config.yaml: sources: [{{file: {file}, {mapped}"
                            "wide: {columns: '{channel}', measure: transactions}}]")
        return False
    # The heading that most likely holds the periods, where none is 'period': told with the mapping
    # that reads it ('missing column: period'), not as an unknown column as well.
    dated = _likeliest_period_heading(headings) if source is None and "period" not in keys else None
    estimated = any(c.unit_cost for c in config.channels)
    plain: list[tuple[int, str]] = []  # unknown columns with nothing more to say of each: told together
    for number, (heading, key) in enumerate(zip(headings, keys), start=1):
        if re.fullmatch(r"\(column \d+\)", heading) and not raw.frame[heading].str.strip().ne("").any():
            continue  # an empty column with no heading: nothing to read, nothing lost
        if key not in fields and not (source is not None and source.ignores(heading, headings)) and heading != dated:
            named = _field_with_its_unit(heading)
            if named is not None and named[0] in fields and named[0] not in keys:
                _unit_in_heading(path, file, heading, *named, raw.header_line, number, problems)
                continue
            close = difflib.get_close_matches(key, fields, n=1, cutoff=0.8)
            among = _field_among_words(heading, [f for f in config.measure_ids if f not in keys])
            if among in ("cost", "cost_per_transaction") and not _looks_like_money(raw.frame[heading]):
                among = None  # 'Fully refused - cost limit' holds counts of requests, not money (a tester's)
            if not close and not (among and source is None):
                plain.append((number, heading))
                continue
            problems.warning(path, f"unknown column '{heading}' is ignored", raw.header_line, number,
                             hint=f"did you mean '{close[0]}'?" if close else
                             f"if it holds {among}, say so in config.yaml: sources: [{{file: {file}, columns: "
                             f"{{{among}: {yaml_scalar(heading)}}}}}]" + (
                                 "; without it, a cost is estimated from the channels' unit costs" if estimated
                                 and among in ("cost", "cost_per_transaction") else "") if among and source is None else
                             f"known columns: {', '.join(fields)}; a new measure is declared under "
                             "measures: in config.yaml" + ("; to read it as nothing, list it under ignore: in "
                                                           "the file's source" if source else ""))
    # A wide export's 121 columns had been 121 warnings, each with the same hint, and the one error
    # among them hard to find (a tester's): more than a few are one warning, naming the first.
    together = len(plain) > UNKNOWN_ONE_BY_ONE
    for number, heading in (plain[:1] if together else plain):
        named = ", ".join(f"'{h}'" for _, h in plain[:4]) + (f" and {len(plain) - 4} more" if len(plain) > 4 else "")
        problems.warning(path, f"{len(plain)} unknown columns are ignored: {named}" if together else
                         f"unknown column '{heading}' is ignored", raw.header_line, number,
                         hint=f"known columns: {', '.join(fields)}; a new measure is declared under measures: in "
                              "config.yaml" + ("; to read one as a field, map it under columns: in the file's "
                              "source; to read them as nothing, list them under ignore:" if source else
                              f"; to read a column as a field, describe the file in config.yaml: sources: "
                              f"[{{file: {file}, columns: {{<field>: <heading>}}}}]" if together else ""))
    if source is not None:
        return True  # the rest is checked as the source reads it
    if "period" not in keys:
        split = other_delimiter(headings)
        problems.error(path, "missing column: period", raw.header_line,
                       hint=f"the file's cells are separated by {split[0]}, not commas: describe it in config.yaml, "
                       f"sources: [{{file: {file}, delimiter: {split[1]}}}]" if split else
                       f"if '{dated}' holds the periods, say so in config.yaml: sources: [{{file: {file}, columns: "
                       f"{{period: {yaml_scalar(dated)}}}}}]" if dated else
                       "the header row needs at least period and a measure such as transactions "
                       f"(found: {', '.join(headings)}); or describe the file under sources: in config.yaml")
        return False
    if not set(keys) & set(config.measure_ids):
        problems.error(path, f"{file} has no measure columns (such as transactions)", raw.header_line,
                       hint=f"measures: {', '.join(config.measure_ids)}")
        return False
    return True


def _channels_across(config: Config, headings: list[str], keys: list[str]) -> list[str]:
    """The headings that are channels (by id, label or alias), where a tidy file has two or more of
    them and no channel column of its own: its channels are across its columns."""
    if "channel" in keys:
        return []
    from generator.config import normalise_channel

    lookup = config.channel_lookup()
    named = [h for h, k in zip(headings, keys) if normalise_channel(h) in lookup and k not in config.measure_ids]
    return named if len(named) >= 2 else []


def _with_file(raw: RawFile, path) -> pd.DataFrame:
    """The file's rows, each naming its file (files a pattern matched already name their own)."""
    return raw.frame if "@file" in raw.frame else raw.frame.assign(**{"@file": str(path)})


def _parse_files(config: Config, source: Source | None, items: list[tuple[str, Path, RawFile]],
                 problems: Problems) -> pd.DataFrame | None:
    """Typed tidy rows for files in one layout, parsed together (one pandas pass per column for
    hundreds of files); each row keeps its file in ``@file`` for error messages."""
    frame = pd.concat([_with_file(raw, path) for _, path, raw in items], ignore_index=True) \
        if len(items) > 1 else _with_file(items[0][2], items[0][1])
    file, path, raw = items[0]
    before = len(problems.errors)
    rows = to_long(frame, raw.header_line, source, path, problems, config.channel_lookup(), normalise_channel,
                   lambda text: _is_period(text, config.financial_year_start), config.measure_ids)
    if rows is None:
        return None
    if source is not None:
        warn_of_idle_replace(source, rows, problems)
    if "period" not in rows.frame or not rows.measures:
        if source is not None and len(problems.errors) == before:  # not after a mapped column was not found
            problems.error(config.path, f"{file} needs a period and at least one measure: map them under columns:",
                           *source.where("columns"), hint="for example  columns: {period: Month, transactions: Count}")
        return None
    parsed = parse_long(rows, path, config, source, problems)
    # A pattern's files (a file a month) are one series each service's figures run through; other
    # files parsed together only share a layout, each its own services' series.
    by_file = not (source is not None and is_pattern(str(source.values.get("file") or "")))
    if "@blank_period" in parsed:
        parsed = _blank_periods_inside(parsed, by_file)
    wide = source.values["wide"]["columns"] if source is not None and source.values["wide"] else ""
    if "{period}" in wide or "{channel}" in wide:
        parsed = _outside_each_series(parsed, rows.measures, after_too="{period}" in wide, problems=problems,
                                      channels={c.id: c.label for c in config.channels}, by_file=by_file)
    parsed["_key"] = period_attr(parsed["period"], lambda p: p.key)
    parsed["_kind"] = period_attr(parsed["period"], lambda p: p.kind)
    _warn_of_a_thin_last_period(parsed, frame, source, path, problems, by_file, rows.measures)
    if source is not None and source.values.get("combine") == "sum":
        _warn_of_repeated_records(frame, source, path, problems)
        _warn_of_totals_among_parts(frame, source, path, problems)
        parsed = _added_up(parsed, rows.measures, config, path, problems)
    elif "@channel_text" in parsed:
        parsed = _spellings_added_up(parsed, rows.measures, config, path, problems)
    if parsed["_kind"].eq("range").any():
        cumulative = [name for name, part in parsed.groupby("@file", sort=False) if _range_lengths(part, name, problems)]
        parsed = parsed[~parsed["@file"].isin(cumulative)]  # told once: not again as a mix of kinds, per service
    return parsed


THIN_SHARE = 10  # a last period with a tenth or less of the rows the file's other periods usually have
THIN_SERVICES = 5  # ...in a file of at least this many services


def _warn_of_a_thin_last_period(parsed: pd.DataFrame, frame: pd.DataFrame, source: Source | None, path,
                                problems: Problems, by_file: bool, measures: tuple[str, ...] = MEASURES) -> None:
    """A file of many services whose latest period has a handful of rows where its others have tens:
    an export taken part-way through the period. Its few rows become the latest figures (a tester's
    one November row, a single visit, read as a take-up of 0.0%, 'down 50.5 points', as with
    ``missing_rows: zero`` its other channels read 0)."""
    if len(parsed) < 3 * THIN_SERVICES or parsed["service"].nunique() < THIN_SERVICES or \
            (source is not None and source.values.get("period_type")):  # dated rows: _warn_of_part_periods
        return
    # Rows that say something: a '-' row for a quarter not yet reported is left out anyway (a review).
    flags = [c for c in parsed.columns if c.startswith("nr_") or c in ("@marked", "@withheld")]
    said = parsed[[c for c in measures if c in parsed]].notna().any(axis=1)
    if flags:
        said |= parsed[flags].fillna(False).astype(bool).any(axis=1)
    parsed = parsed[said]
    files = parsed["@file"] if by_file and "@file" in parsed else pd.Series("", index=parsed.index)
    for _, rows in parsed.groupby(files, sort=False):
        counts = rows.groupby("_key", sort=False).size()
        if len(counts) < 3:
            continue
        periods = rows.groupby("_key", sort=False)["period"].first()
        last = max(periods.index, key=lambda key: periods[key].start)
        usual = float(counts.drop(last).median())
        if usual < 2 * THIN_SERVICES or counts[last] * THIN_SHARE > usual:
            continue
        first = rows[rows["_key"].eq(last)].iloc[0]
        zero = source is not None and source.values.get("missing_rows") == "zero" and rows["channel"].ne("").any()
        problems.warning(_at(rows, first.name, path), f"{periods[last].label}, the latest period, has "
                         f"{count_of(int(counts[last]), 'row')} against about {usual:,.0f} in each other period of "
                         "the file: figures taken part-way through it?"
                         + (" With missing_rows: zero, its services' other channels read 0 for it" if zero else ""),
                         int(first["period_line"] or first["line"]), int(first["period_col"]) or None,
                         hint="leave its rows out until the period is complete"
                              + _exclude_example(frame, source, first) + "; if the period is complete, this is right")


def _exclude_example(frame: pd.DataFrame, source: Source | None, row: pd.Series) -> str:
    """': exclude: {Month: '2024-11'}' for a parsed row, from the cells its period was read from
    (a template's one column: '2014-{MonthNumber}' is left out by MonthNumber), or '' if unsure."""
    if source is None or "@line" not in frame:
        return ""
    mapped = str((source.values.get("columns") or {}).get("period") or "period")
    names = re.findall(r"\{([^{}]+)\}", mapped) or [mapped]
    cells = frame[frame["@line"].eq(row["line"])]
    if "@file" in frame and "@file" in row:
        cells = cells[cells["@file"].eq(row["@file"])]
    headings = {_column_key(h): h for h in headings_of(frame)}
    if len(names) != 1 or _column_key(names[0]) not in headings or cells.empty:
        return ""
    heading = headings[_column_key(names[0])]
    return f": exclude: {{{yaml_scalar(heading)}: {yaml_scalar(str(cells.iloc[0][heading]).strip())}}} in the file's source"


# Markers of a figure that exists but is not published (suppressed, confidential, not yet
# available), as against '-', 'x' or 'n/a', which wide files also write where nothing happened.


def _warn_of_repeated_records(frame: pd.DataFrame, source: Source, path, problems: Problems) -> None:
    """Rows the same in every cell, in a file whose rows are added up, where a column tells records
    apart (a transaction number, different on every other row): a payment exported twice is counted
    twice, with no other sign. (Without such a column, two loans of one library on one day are two
    rows alike, and rightly both counted.) Said once per file."""
    cells = frame[headings_of(frame)]
    hashes = pd.util.hash_pandas_object(cells, index=False)  # a row's cells as one number: one pass
    repeated = hashes.duplicated(keep="first") & cells.ne("").any(axis=1)
    if not repeated.any():
        return
    distinct = cells[~repeated]
    read = _words_of(source)  # a record's identifier is not what the source reads (its date, its unit)
    identified = any(_column_key(h) not in read and distinct[h].ne("").all() and distinct[h].is_unique
                     for h in distinct.columns)
    # Or a summary table: its other rows each a different mix of its text columns (authority, reason,
    # payment type), and the repeats few. A tester's real file had one row exported twice, adding
    # 2,230 payments without a word, beside three rows that made no column an identifier.
    # (A file of events, a row each, counted with constants: {transactions: 1}, has rows alike by
    # right: a summary's rows carry counts of their own, not all 1.)
    # A key column written in digits (a month as 200707) is one of its words, not a count.
    keys = _key_columns(source)
    numbers = [h for h in distinct.columns if _column_key(h) not in keys
               and distinct[h].str.fullmatch(r"[\d\s.,£$€%()+-]*").all()]
    words = [h for h in distinct.columns if h not in numbers]
    counted = {_column_key(str(heading)) for field, heading in (source.values.get("columns") or {}).items()
               if field in COUNTS and isinstance(heading, str)}  # a count read from a column: not a fee
    counts = any(_column_key(h) in counted and not distinct[h].str.strip().isin(("", "1")).all() for h in numbers)
    summary = counts and bool(words) and not distinct.duplicated(words).any() and \
        int(repeated.sum()) <= max(3, len(frame) // 100)
    if not identified and not summary:
        return
    files = frame["@file"] if "@file" in frame else pd.Series(str(path), index=frame.index)
    for file, rows in frame[repeated].groupby(files[repeated], sort=False):
        first = rows.index[0]
        original = hashes.index[hashes.eq(hashes[first])][0]
        more = len(rows) - 1
        problems.warning(file, f"row repeats line {int(frame.at[original, '@line'])} in every cell, and combine: sum "
                         "adds it in" + (f" (and {more} more such row{'s' if more > 1 else ''})" if more else ""),
                         int(frame.at[first, "@line"]),
                         hint="if it is one record exported twice, remove the repeat; if they are separate records "
                              "that happen to match, list this warning under accepted_warnings: in config.yaml")


def _key_columns(source: Source) -> set[str]:
    """The columns (as _column_key) that the source reads a row's service, period and channel from."""
    return {_column_key(name) for field in ("service", "period", "channel")
            for text in [str((source.values.get("columns") or {}).get(field) or field)]
            for name in (re.findall(r"\{([^{}]+)\}", text) or [text]) if name}


def _warn_of_totals_among_parts(frame: pd.DataFrame, source: Source, path, problems: Problems) -> None:
    """A breakdown column with its own total among its values ('All Delay Reasons' beside the reasons),
    in a file added up with combine: sum: the total is added in with its parts (a tester's figures
    were published at four times their size). Told only where the total's count is the sum of its
    parts' (so 'All Saints', a branch, or 'All figures provisional', a note, is not), once per column,
    and not where the source already chooses its rows with filter: or exclude:."""
    if source.values["filter"] or source.values["exclude"]:
        return
    mapped = str((source.values.get("columns") or {}).get("transactions") or "transactions")
    names = [re.sub(r"\s*\(column \d+\)$", "", name) for name in (re.findall(r"\{([^{}]+)\}", mapped) or [mapped])]
    count = next((h for h in headings_of(frame) if len(names) == 1 and _column_key(h) == _column_key(names[0])), None)
    if count is None:  # a count made of several columns, or across columns (wide:): not judged here
        return
    counts = pd.to_numeric(frame[count].astype(str).str.replace(r"[,\s£$€]", "", regex=True), errors="coerce")
    read = _words_of(source) | {"service", "period", "channel"}
    grouped = _key_columns(source)
    cells = {h: frame[h].astype(str).str.strip() for h in headings_of(frame)}
    words = [h for h, c in cells.items() if not c.str.fullmatch(r"[\d\s.,£$€%()+-]*").all()]
    for heading in words:
        values = list(dict.fromkeys(v for v in cells[heading] if v))
        if _column_key(heading) in read or not 3 <= len(values) <= 200:
            continue
        for total in (v for v in values if looks_like_a_total(v) or re.fullmatch(r"all(\s.*)?", v, re.I)):
            is_total = cells[heading].eq(total)
            # Added up as combine: sum adds them: by the service, period and channel each row is for.
            keys = [cells[h] for h in cells if _column_key(h) in grouped and h != heading] or \
                [pd.Series("", index=frame.index)]
            sums = [counts[rows].groupby([k[rows] for k in keys]).sum(min_count=1) for rows in (is_total, ~is_total)]
            both = sums[0].dropna().index.intersection(sums[1].dropna().index)  # a suppressed count ('*') says nothing
            if not len(both):
                continue
            whole, parts = sums[0][both], sums[1][both]
            if ((whole - parts).abs() <= np.maximum(1, whole.abs() * 0.005)).mean() < 0.8:
                continue
            line = int(frame.loc[is_total, "@line"].iloc[0])
            problems.warning(path, f"column '{heading}' has '{total}' beside {len(values) - 1} other values, whose "
                             "counts it adds up, and combine: sum adds them all: a total counted with its parts",
                             line, headings_of(frame).index(heading) + 1,
                             hint=f"keep the total alone with filter: {{{yaml_scalar(heading)}: {yaml_scalar(total)}}}, "
                                  f"or the parts alone with exclude: {{{yaml_scalar(heading)}: {yaml_scalar(total)}}}")
            break


def _spellings_added_up(parsed: pd.DataFrame, measures: tuple[str, ...], config: Config, path,
                        problems: Problems) -> pd.DataFrame:
    """Rows of one service and period whose channels are two spellings of one configured channel
    (``aliases: [Letter, Fax]`` on post), each spelling once: parts of the channel, added up. A
    contact-centre export's Fax 1 and Letter 1 had been read as one row repeated, and the post
    count published as 1 (a tester's). A spelling written twice is left to _check_service_rows:
    a repeated row, or two rows that disagree."""
    keys = ["service", "_key", "channel", *(["@file"] if "@file" in parsed else [])]
    twice = parsed.duplicated(keys, keep=False) & parsed["channel"].ne("")  # not all channels' rows ('', 'All')
    if not twice.any():
        return parsed
    # A row repeated as it was (every row of an export twice) is one row: dropped with the usual
    # warning, here where its twin may be added to another spelling (a review).
    present = [c for c in measures if c in parsed]
    again = twice & parsed.duplicated([*keys, "@channel_text", *present], keep="first")
    pool = twice & ~again
    spellings = parsed[pool].groupby(keys, sort=False)["@channel_text"]
    distinct, size = spellings.transform("nunique"), spellings.transform("size")
    parts = pd.Series(False, index=parsed.index)
    parts[distinct.index] = distinct.gt(1) & distinct.eq(size)
    if not parts.any():
        return parsed
    repeats = again & parsed[keys].apply(tuple, axis=1).isin(set(parsed.loc[parts, keys].apply(tuple, axis=1)))
    if repeats.any():
        _tell_repeats(parsed, repeats, _file(parsed, parsed.index[repeats][0], path),
                      parsed.at[parsed.index[repeats][0], "service"], problems)
        parsed = parsed[~repeats]
        parts = parts[~repeats]

    def cannot(col: str, index) -> str:
        texts = parsed.loc[parts & parsed["_key"].eq(parsed.at[index, "_key"])
                           & parsed["service"].eq(parsed.at[index, "service"])
                           & parsed["channel"].eq(parsed.at[index, "channel"]), "@channel_text"]
        return (f"'{col}' cannot be added up over the rows of channel '{parsed.at[index, 'channel']}' for "
                f"{parsed.at[index, 'period'].label} (spelt {' and '.join(map(repr, texts))}, each one of its "
                "aliases in config.yaml): it is a rate or an average")

    added = _added_up(parsed[parts], measures, config, path, problems, keys, cannot,
                      hint="give each spelling its own channel in config.yaml, or map the rate for one of them only",
                      rate_alone=True)
    return pd.concat([parsed[~parts], added]).sort_index()


def _added_up(parsed: pd.DataFrame, measures: tuple[str, ...], config: Config, path, problems: Problems,
              keys: list[str] | None = None, cannot=None,
              hint: str = "combine: sum adds counts and costs; map only those from this file, and let the "
                          "rates be worked out from them", rate_alone: bool = False) -> pd.DataFrame:
    """``combine: sum``: the rows of one service, period and channel as one, their counts and costs
    added (a file broken down by ward or item type). A total needs every part: one part's blank
    makes it no data, never a smaller figure. Rates and averages cannot be added up. ``keys`` and
    ``cannot`` (what to say of a rate) are for parts of another kind (_spellings_added_up), and
    with ``rate_alone`` a rate given on one part of each is that part's: only two cannot be added."""
    keys = keys or ["service", "_key", "channel"]  # not the file: a pattern's files (a ward each) add up too
    parsed = parsed.reset_index(drop=True) if cannot is None else parsed
    repeated = parsed.duplicated(keys, keep=False)
    if not repeated.any():
        return parsed
    additive = {*COUNTS, "cost", *(x.id for x in config.measures if x.unit in ("count", "money")
                                   and x.across_services == "sum")}
    present = [c for c in measures if c in parsed]
    rates = []
    for col in present:
        given = repeated & parsed[col].notna()
        if rate_alone and col not in additive and given.any():
            given &= given.groupby([parsed[k] for k in keys], sort=False).transform("sum").gt(1)
            rates.append(col)
        if col not in additive and given.any():
            index = parsed.index[given][0]
            problems.error(_file(parsed, index, path), cannot(col, index) if cannot else
                           f"'{col}' cannot be added up over rows for the same period "
                           f"({parsed.at[index, 'period'].label}): it is a rate or an average",
                           int(parsed.at[index, "line"]), hint=hint)
            return parsed[~repeated]
    group = parsed[repeated].groupby(keys, sort=False)
    combined = parsed[repeated].drop_duplicates(keys).copy()
    index = pd.MultiIndex.from_frame(combined[keys])
    size = group.size()
    some = pd.Series(False, index=size.index)
    for col in present:
        total = group[col].first() if col in rates else \
            group[col].sum(min_count=1).where(group[col].count().eq(size))
        combined[col] = total.reindex(index).to_numpy()
        some |= group[col].count().gt(0)
    # A total that is no data because a part is blank: still a period with figures (_without_empty_ends).
    combined["@partial"] = some.reindex(index).to_numpy()
    for col in [c for c in parsed.columns if c.startswith("nr_")] + ["has_tx", "@marked", "@withheld"]:
        if col in parsed:
            combined[col] = group[col].any().reindex(index).to_numpy()
    if "@nil" in parsed:
        combined["@nil"] = group["@nil"].all().reindex(index).to_numpy()
    return pd.concat([parsed[~repeated], combined]).sort_index()


def _blank_periods_inside(parsed: pd.DataFrame, by_file: bool = True) -> pd.DataFrame:
    """A wide file's periods whose cells are all blank for a service (sources.to_long marks them):
    those between its first and last periods with figures are missing data, as a blank row of a file
    of rows is; those before or after are left out (a column per channel, rows pre-filled for months
    to come, or a service listed before it began). Each file's series on its own, unless not
    ``by_file`` (a pattern's files, where one month's file may hold only its blank row)."""
    blank = parsed["@blank_period"].astype(bool)
    if blank.any():
        start = pd.Series(period_attr(parsed["period"], lambda p: p.start.toordinal()).to_numpy(dtype=float),
                          index=parsed.index)  # day numbers, not dates: see _outside_each_series
        files = parsed["@file"] if by_file and "@file" in parsed else pd.Series("", index=parsed.index)
        known = start.where(~blank).groupby([files, parsed["service"]], sort=False)
        first, last = known.transform("min"), known.transform("max")
        parsed = parsed[~blank | ((start >= first) & (start <= last))]
    return parsed.drop(columns=["@blank_period"])


NOT_BEGUN = 3  # blank periods at least, before a wide file's channel's first figure, to mean it had not begun
BEGUN = 2  # figures at least, from that first one: a lone figure after the blanks is more likely their total


def _outside_each_series(parsed: pd.DataFrame, measures: tuple[str, ...], after_too: bool,
                         problems: Problems | None = None, channels: dict | None = None,
                         by_file: bool = True) -> pd.DataFrame:
    """Without the blank cells of a wide file that lie outside a series: in a file of rows they
    would simply not be there, and a blank is missing data, which costs its period its take-up,
    cost and comparison.

    With a column per channel (``after_too`` false), a channel added partway through (webchat from
    October) is blank before it began: NOT_BEGUN or more blanks before its first figure mean it had
    not begun, fewer (a first month's count not sent) stay missing. The end is not judged: blanks
    there may be figures not yet in, and the latest months must not look complete without them.

    With a column per period there is one for every period, whether or not a service ran then:
    blanks before a series' first figure, or after the service's last, are left out; in a file of
    rolling years, so are the periods a service does not report. A blank between figures, or
    a channel's blank beside other channels' figures, is still missing data.

    A cell marked as withheld ('[c]', '..': see WITHHELD) is a figure not published, never outside
    the series. Each file's series are judged on their own, unless not ``by_file``: a pattern's
    files (a file a month) hold one series between them. A channel
    with no figure in any period beside a service's other channels is missing data too, not a
    channel that never began: its take-up would otherwise read 0.0% (told, with how to say zero).
    """
    flags = [c for c in parsed.columns if c.startswith("nr_")]
    figures = parsed[[name for name in measures if name in parsed]].notna().any(axis=1) | parsed[flags].any(axis=1)
    if "@marked" in parsed:
        figures |= parsed["@marked"]
    if problems is not None:
        _warn_of_quarterly_figures(parsed, figures, problems, channels or {})
    if figures.all():
        return parsed
    # Each period's first day as a day number: pandas' groupby min and max of Python dates go row by
    # row in Python, and were a tenth of a one-cell rebuild of the Transactions Explorer's export.
    start = pd.Series(period_attr(parsed["period"], lambda p: p.start.toordinal()).to_numpy(dtype=float),
                      index=parsed.index)
    files = parsed["@file"] if by_file and "@file" in parsed else pd.Series("", index=parsed.index)
    known = start.where(figures)
    series = [files, parsed["service"], parsed["channel"]]
    before = ~(start >= known.groupby(series, sort=False).transform("min"))  # a series with no figure: all
    inside = ~before
    count = known.groupby(series, sort=False).transform("count")
    counted = count.gt(0)
    by_service = known.groupby([files, parsed["service"]], sort=False)
    # A channel blank throughout, beside others. Not the service's own row ('' channel: a cost
    # column for all channels, blank for one service): no channel is missing, it has no cost.
    never = ~counted & by_service.transform("count").gt(0) & parsed["channel"].ne("")
    # Blanks before a channel's first figure (with a column per period: only where the service has
    # other channels' figures; before any, the service had not begun). The channel began partway
    # only if they are NOT_BEGUN or more and it then has BEGUN figures or more (or the blanks are
    # written '-'): a lone figure after a year of blanks is more likely a year's total in one
    # month's column than a launch, and taking it for one shows the other months' take-up as 100%.
    lead = before if not after_too else before & figures.groupby([files, parsed["service"], start],
                                                                 sort=False).transform("any")
    blanks = lead.groupby(series, sort=False).transform("sum")
    written = lead & parsed["@nil"] if "@nil" in parsed else lead & False  # '-' or 'n/a', not left empty
    said = written.groupby(series, sort=False).transform("sum").eq(blanks)  # the file says it was not there
    began_later = (said & blanks.gt(0)) | (blanks.ge(NOT_BEGUN) & count.ge(BEGUN))
    missing_start = lead & counted & ~began_later
    if not after_too:
        inside |= missing_start
        inside |= never
    elif _periods_overlap(parsed["period"]):  # rolling years ('July 2015 to June 2016' beside '2015/16')
        keys = [files, parsed["service"], period_attr(parsed["period"], lambda p: p.key)]
        inside |= never
        inside &= figures.groupby(keys, sort=False).transform("any")
    else:
        inside |= (never & (start >= by_service.transform("min"))) | missing_start
        inside &= start <= by_service.transform("max")
    never &= inside
    if problems is not None and never.any():
        _warn_of_blank_channels(parsed[never], problems, channels or {})
    late = missing_start & blanks.ge(NOT_BEGUN)
    if problems is not None and late.any():
        _warn_of_late_channels(parsed, late, figures, problems, channels or {})
    # After a channel's last figure, in periods with other channels' figures: cells all written '-'
    # or 'n/a' say it had closed, and are left out, so take-up goes on without it (as when a
    # file's rows for a channel stop). Blanks stay missing, as figures not yet in look the same,
    # and NOT_BEGUN of them or more are told, with how to say the channel closed.
    trail = inside & (start > known.groupby(series, sort=False).transform("max")) & figures.groupby(
        [files, parsed["service"], start], sort=False).transform("any")
    if trail.any():
        trailing = trail.groupby(series, sort=False).transform("sum")
        nil = parsed["@nil"] if "@nil" in parsed else pd.Series(False, index=parsed.index)
        closed = trail & (trail & nil).groupby(series, sort=False).transform("sum").eq(trailing)
        inside &= ~closed
        if closed.any():  # said so by the file: not told again as a channel whose rows stop (_stopped_channels)
            parsed["@closed"] = closed.groupby(series, sort=False).transform("any")
        stale = trail & ~closed & trailing.ge(NOT_BEGUN) & count.ge(BEGUN)
        if problems is not None and stale.any():
            _warn_of_blank_ends(parsed, stale, figures, nil, problems, channels or {})
    kept = figures | inside
    # A service's channel blank throughout, in a file of that channel alone (a source per channel,
    # constants: {channel: ebook}): missing data if the service's other sources have figures, as a
    # blank column beside other channels' is; else a service with no data yet. Only _merge_sources
    # can tell which: the series' first row is kept, marked, to say so (see _blank_channel_part).
    lone = ~counted & ~kept
    if lone.any() and parsed["channel"].nunique() == 1 and parsed["channel"].iloc[0] != "":
        first = lone & ~pd.DataFrame({"file": files, "service": parsed["service"]}).duplicated()
        parsed = parsed.assign(**{"@blank_series": first})
        kept |= first
    return parsed[kept]


def _warn_of_quarterly_figures(parsed: pd.DataFrame, figures: pd.Series, problems: Problems,
                               channels: dict) -> None:
    """A channel with figures only every third month, blank between, beside other channels' monthly
    figures: most likely quarterly totals, each of which would be read as its last month's figure."""
    monthly = period_attr(parsed["period"], lambda p: p.kind == "month").astype(bool).to_numpy()
    rows = parsed[figures.to_numpy() & monthly]
    if len(rows) < 2:
        return
    # Only in a file that has the months between (blank): one with a column a quarter is not one of months.
    every = {p.start.month % 3 for p in parsed["period"][monthly]}
    if len(every) < 2:
        return
    month = pd.Series(period_attr(rows["period"], lambda p: p.start.year * 12 + p.start.month - 1).to_numpy(),
                      index=rows.index, dtype="int64")
    files = rows["@file"] if "@file" in rows else pd.Series("", index=rows.index)
    keys = [files, rows["service"], rows["channel"]]
    series = month.groupby(keys, sort=False)
    low, high, count = series.transform("min"), series.transform("max"), series.transform("count")
    third = count.ge(2) & (high - low).eq(3 * (count - 1)) & (month % 3).groupby(keys, sort=False).transform(
        "nunique").eq(1)
    if not third.any():
        return
    service_months = month.groupby([files, rows["service"]], sort=False).transform("nunique")
    alone = third & (service_months == count)  # every channel so: told once, for the service
    alone &= alone.groupby([files, rows["service"]], sort=False).transform("all")
    for (file, service), service_rows in rows[alone].groupby([files[alone], rows["service"][alone]], sort=False):
        first = service_rows.iloc[0]
        periods = list(dict.fromkeys(service_rows["period"]))
        named = ", ".join(p.label for p in periods[:3]) + (", ..." if len(periods) > 3 else "")
        problems.warning(file, "figures only every third month" + (f" for '{service}'" if service else "")
                         + f" ({named}), blank between: if these are quarterly totals, each is read as one "
                         "month's", int(first["line"]), None,
                         hint="if they are quarterly totals, give them quarter periods (2023/24 Q1), in a file or "
                              "rows of their own")
    third &= service_months > count
    for (file, service, channel), series_rows in rows[third].groupby([k[third] for k in keys], sort=False):
        first = series_rows.iloc[0]
        label = channels.get(channel, channel)
        named = ", ".join(p.label for p in series_rows["period"].iloc[:3]) + (", ..." if len(series_rows) > 3 else "")
        column = _cell_column(first)
        problems.warning(file, f"{label} has figures only every third month" + (f" for '{service}'" if service else "")
                         + f" ({named}), blank between, while other channels have a figure each month: if these "
                         "are quarterly totals, each is read as one month's", int(first["line"]), column,
                         hint="give every channel of the service figures for the same periods: quarterly ones "
                              "(2023/24 Q1) if that is how this channel is counted")


def _cell_column(row: pd.Series) -> int | None:
    """The column of a wide file's cell for this row: its transactions' (with a column per period,
    the channel's column is the Channel heading's, not the cell's), else its channel's."""
    for key in ("@transactions@col", "channel_col"):
        value = row.get(key)
        if value is not None and not pd.isna(value) and int(value):
            return int(value)
    return None


def _warn_of_blank_channels(rows: pd.DataFrame, problems: Problems, channels: dict) -> None:
    files = rows["@file"] if "@file" in rows else pd.Series("", index=rows.index)
    # A channel whose figures are blank because each was an error ('1.234', a count with a point
    # between its thousands) is told so by those errors: "no figure in any period; write 0" misled.
    # Its own cells: in a file with a column per channel, every channel shares each line (a review).
    wrong = {(p.path, p.line, p.column) for p in problems.errors}
    blank: dict[tuple, list] = {}  # (file, channel) -> first row of each service's blank series
    for (file, service, channel), series in rows.groupby([files, rows["service"], rows["channel"]], sort=False):
        if wrong and any((problems._rel(file), int(row["line"]), _cell_column(row)) in wrong
                         for _, row in series.iterrows()):
            continue
        blank.setdefault((file, channel), []).append(series.iloc[0])
    for (file, channel), firsts in blank.items():
        # A file of 1,752 services with NA for channels they do not offer had been 3,299 warnings:
        # more than a few services are one warning, naming the first two.
        label = channels.get(channel, channel)
        if len(firsts) > BLANK_ONE_BY_ONE:
            named = f"{len(firsts):,} services ('{firsts[0]['service']}', '{firsts[1]['service']}', ...)"
            _tell_blank_channel(file, firsts[0], label, f" for {named}", "these services have", problems, "their")
            continue
        for first in firsts:
            whose = f" for '{first['service']}'" if first["service"] else ""
            _tell_blank_channel(file, first, label, whose, "the service has", problems, "its")


BLANK_ONE_BY_ONE = 5  # more services than this with a channel blank in one file are one warning


def _tell_blank_channel(file, first: pd.Series, label: str, whose: str, subject: str, problems: Problems,
                        its: str) -> None:
    problems.warning(file, f"{label} has no figure in any period{whose}, so {its} digital take-up and cost per "
                     "transaction are no data throughout", int(first["line"]), _cell_column(first),
                     hint=f"if {subject} no {label.lower()} transactions, write 0 in those cells (if they hold a "
                          "marker such as NA for 'not applicable', replace: {transactions: {NA: '0'}} in the "
                          "file's source reads it as 0); if they are not collected, this is right")


def _warn_of_late_channels(parsed: pd.DataFrame, late: pd.Series, figures: pd.Series, problems: Problems,
                           channels: dict) -> None:
    """A channel blank for NOT_BEGUN periods or more, beside other channels' figures, and then with
    a lone figure: its blanks are missing data, and the user is told why."""
    files = parsed["@file"] if "@file" in parsed else pd.Series("", index=parsed.index)
    keys = [files, parsed["service"], parsed["channel"]]
    shown = parsed[late | (figures & late.groupby(keys, sort=False).transform("any"))]
    for (file, service, channel), series in shown.groupby(keys, sort=False):
        has = series[figures[series.index]]
        first = has.iloc[0]
        label = channels.get(channel, channel)
        blank = int(late[series.index].sum())
        count = len(has)
        column = _cell_column(first)
        problems.warning(file, f"{label} is blank in {blank} periods" + (f" for '{service}'" if service else "")
                         + f" before its first figure, in {first['period'].label}, and has only {count} "
                         f"figure{'' if count == 1 else 's'}: the blanks are read as missing, so those periods have "
                         "no digital take-up", int(first["line"]), column,
                         hint=f"if {label.lower()} began in {first['period'].label}, write 0 in the cells before "
                              "it; if a figure is a total for several periods (a year's in one month's column), "
                              "give it a row or column of its own period")


def _warn_of_blank_ends(parsed: pd.DataFrame, stale: pd.Series, figures: pd.Series, nil: pd.Series,
                        problems: Problems, channels: dict) -> None:
    """A channel blank in its last NOT_BEGUN periods or more, beside other channels' figures: read as
    missing, so the service's take-up stops at the channel's last figure; the user is told how to say
    it closed instead."""
    files = parsed["@file"] if "@file" in parsed else pd.Series("", index=parsed.index)
    keys = [files, parsed["service"], parsed["channel"]]
    for (file, service, channel), series in parsed[stale].groupby([k[stale] for k in keys], sort=False):
        first, last = series.iloc[0], series.iloc[-1]
        label = channels.get(channel, channel)
        had = parsed[figures & files.eq(file) & parsed["service"].eq(service) & parsed["channel"].eq(channel)]
        final = had.iloc[-1]["period"].label
        written = int(nil[series.index].sum())  # some written '-', some left blank: told which
        blank = series[~nil[series.index].to_numpy(dtype=bool)]
        at = blank.iloc[0] if written else first
        column = _cell_column(at)
        what = f"has no figure in the last {len(series)} periods" + (
            f", {written} of them written - and {len(blank)} not (the first in {at['period'].label})" if written else "")
        problems.warning(file, f"{label} {what}" + (f" for '{service}'" if service else "")
                         + f" ({Period(first['period'].start, last['period'].end, 'range').label}), while other "
                         "channels have figures: "
                         f"they are read as missing, so the latest digital take-up is for {final}",
                         int(at["line"]), column,
                         hint=f"if {label.lower()} closed after {final}, write - in "
                              + ("those cells" if not written else "every one of those cells")
                              + ", and take-up goes on without it; if its figures are not in yet, this is right")


def _periods_overlap(periods: pd.Series) -> bool:
    distinct = sorted({(p.start, p.end) for p in periods})
    return any(later[0] <= earlier[1] for earlier, later in zip(distinct, distinct[1:]))


def read_sources(config: Config, wanted: list[tuple[str | None, str]], problems: Problems,
                 raw_files: RawFiles) -> list[tuple[pd.DataFrame, list[tuple[str | None, str, Path]]]]:
    """Parsed rows of files in batches: (rows, [(source id, file, path)...]), each row naming its file
    in ``@file``. Tidy-format files with the same headings are parsed together, since per-file
    pandas work dominated builds of hundreds of services."""
    batches: dict[tuple, list] = {}
    for source_id, file in wanted:
        source = next((s for s in config.sources if s.id == source_id), None)
        path = config.data_dir / file
        if not is_pattern(file) and not resolved(path).is_relative_to(resolved(config.data_dir)):
            continue  # outside the data folder: told where it is named (content, generated), never read
        start = len(problems.items)
        raw = raw_files.get(path, problems, source, file)
        checked = raw is not None and _header_problems(config, source, file, raw, path, problems)
        problems.tag_since(start, [path])
        if not checked:
            continue
        # A pattern's files are parsed as a batch of their own: their rows name each file it matched,
        # not the pattern, so among other files' rows they were found for no service (a tester's
        # 'parts/c-*.csv', beside a.csv with the same headings, published no figures at all).
        layout = (tuple(headings_of(raw.frame)), raw.header_line, file if is_pattern(file) else "") \
            if source is None else (source_id, file)
        batches.setdefault(layout, []).append((source_id, file, path, raw))
    out = []
    for items in batches.values():
        source = next((s for s in config.sources if s.id == items[0][0]), None)
        start = len(problems.items)
        parsed = _parse_files(config, source, [(f, p, r) for _, f, p, r in items], problems)
        problems.tag_since(start, [path for _, _, path, _ in items])
        if parsed is not None:
            out.append((parsed, [(source_id, file, path) for source_id, file, path, _ in items]))
    return out


# Single days this far apart, each the same day of its month (or each a month's last; any day, a
# week apart), are most likely periods dated by a day: (name, fewest days apart, most, how to read
# them, None where no period_type does).
_DATED_PERIODS = (
    ("week", 7, 7, "period_type: week (the date starts it) or period_type: week_ending (it ends it)"),
    ("month", 28, 31, "period_type: month"),
    ("quarter", 89, 92, "period_type: quarter (or financial_quarter, to name them as quarters of the financial "
                        "year)"),
    ("half-year", 181, 184, None),
    ("year", 365, 366, "period_type: year (or financial_year, for years from April)"),
)


def _days_a_period_apart(parsed: pd.DataFrame, problems: Problems, one_series: bool = False) -> None:
    """Warn where a file's periods are single days on the same day of each month (01/04/2023,
    01/05/2023, ...), or of each quarter, half-year or year: an export that dates each period by
    its first or last day, read as that day alone, would show a month's figures as one day's and
    no year's totals (a tester's half-yearly statistics read 'Of the 13 days shown'). Likewise days
    a week apart (a contact centre's 'week commencing'), whose year would add up 53 weeks.

    ``one_series``: the rows come from the files a pattern matched (a file a month), each service's
    series running through all of them; each file alone holds one day. Told once for each file (or
    pattern), however many services it holds: a tester's file of 264 trusts gave 264 warnings."""
    days = parsed[parsed["_kind"].eq("day")] if "_kind" in parsed else parsed.iloc[0:0]
    if not len(days):
        return
    found: dict[tuple, list] = {}  # (what, file or None) -> [(service, first, last, file, line)]
    for key, rows in days.groupby(["service"] if one_series else ["@file", "service"], sort=False):
        starts = sorted({p.start for p in rows["period"]})
        if len(starts) < 3:
            continue
        apart = [(later - earlier).days for earlier, later in zip(starts, starts[1:])]
        same_day = len({d.day for d in starts}) == 1 or all((d + timedelta(days=1)).day == 1 for d in starts)
        what = next((name for name, least, most, _ in _DATED_PERIODS  # 'Week commencing 03/04/2023': any day
                     if (same_day or name == "week") and all(least <= gap <= most for gap in apart)), None)
        if what is None:
            continue
        first = rows[period_attr(rows["period"], lambda p: p.start) == starts[0]]
        at = first.loc[first["line"].idxmin()]  # the earliest period's row: in its own file, for a pattern
        service = key[-1] if isinstance(key, tuple) else key
        found.setdefault((what, None if one_series else at["@file"]), []).append(
            (service, starts[0], starts[-1], str(at["@file"]), int(at["line"])))
    for (what, _), told in found.items():
        service, first, last, file, line = told[0]
        others = f" (for {len(told)} services: '{service}', '{told[1][0]}'" + \
            (f" and {len(told) - 2} more)" if len(told) > 2 else ")") if len(told) > 1 else ""
        message = f"the periods are single days a {what} apart ({first.isoformat()} to {last.isoformat()}" \
            f"{', in the files the pattern matched' if one_series else ''}), so each row is read as that one day"
        given = next(how for name, *_, how in _DATED_PERIODS if name == what)
        if given is None:  # no period_type for half-years: each row's date made into one
            ends = first.day != 1
            hint = ("if each row is a half-year, make its period a half-year with a template in the source's "
                    "columns:, such as period: " + ('"6 months to {Date}" (each date ends its half-year)' if ends
                                                   else '"{Date}/P6M" (each date, written 2023-01-01, starts it)'))
        elif one_series:
            hint = f"if each row is a {what}, give the pattern's entry under sources: {given}"
        else:
            hint = f"if each row is a {what}, give the file's entry under sources: {given} (a file with no entry " \
                f"gets one: - file: {Path(file).name})"
        problems.warning(file, message + others, line, hint=hint + " (see 'Periods' in docs/bring-your-data.md)")


def _plain_files(parsed: pd.DataFrame, wanted: dict, configured_paths: dict,
                 zeroed: frozenset = frozenset()) -> dict[str, str]:
    """@file -> service slug for the files in a batch that need none of the per-service checks
    one by one: a file only one service reads, as its only data, with no service column, one
    kind of period, no repeated period and channel, no channel rows beside all-channel rows,
    and no gap between its periods. At GOV.UK scale that is nearly every file, and checking
    them together in a few pandas passes saves a second; any other file is checked on its own.
    """
    candidates = {}
    for key, readers in wanted.items():
        if len(readers) == 1 and len(readers[0][0].data) == 1 and key in configured_paths and key[0] not in zeroed:
            candidates[configured_paths[key]] = readers[0][0].slug
    if not candidates:
        return {}
    files = parsed["@file"]
    plain = ~parsed["service"].ne("").groupby(files, sort=False).any() & _nothing_to_check(parsed, "@file")
    return {file: candidates[file] for file in plain.index[plain] if file in candidates}


def _nothing_to_check(parsed: pd.DataFrame, by: str) -> pd.Series:
    """For each value of column ``by`` (a file, or a service's key in a file of several): whether its
    rows need none of _check_service_rows' checks: one kind of period, no repeated period and
    channel, no channel rows beside all-channel rows, no gap between periods (nor so a year far
    from the rest, as a gap of years is)."""
    # Grouped by codes, found once: grouping by the strings themselves factorised 230,000 of them nine times.
    codes, names = pd.factorize(parsed[by], use_na_sentinel=False)
    starts = period_attr(parsed["period"], lambda p: p.start.year * 12 + p.start.month - 1).astype("int64")
    steps = parsed["_kind"].map(STEP_MONTHS)
    by_group = lambda column: column.groupby(codes)  # noqa: E731  (positionally; sorted by code)
    facts = pd.DataFrame({
        "repeats": by_group(parsed.duplicated([by, "_key", "channel"])).any(),
        "kinds": by_group(parsed["_kind"]).nunique(),
        "step": by_group(steps).first(),
        "all_channels": by_group(parsed["has_tx"] & parsed["channel"].eq("")).any(),
        "by_channel": by_group(parsed["has_tx"] & parsed["channel"].ne("")).any(),
        "first": by_group(starts).min(),
        "last": by_group(starts).max(),
        "distinct": by_group(starts).nunique(),
    })
    off_grid = ((starts - facts["first"].to_numpy()[codes]) % steps.fillna(1).to_numpy()).ne(0)
    facts["off_grid"] = by_group(off_grid).any()
    whole = facts["step"].isna() | (
        ~facts["off_grid"] & ((facts["last"] - facts["first"]) // facts["step"].fillna(1) + 1 == facts["distinct"]))
    quiet = ~facts["repeats"] & facts["kinds"].eq(1) & ~(facts["all_channels"] & facts["by_channel"]) & whole
    return pd.Series(quiet.to_numpy(), index=pd.Index(names[quiet.index.to_numpy()], dtype=object))


def load_data(config: Config, services: list[Service], problems: Problems,
              raw_files: RawFiles | None = None) -> pd.DataFrame:
    """One tidy frame for every service that has data; each file is read once."""
    raw_files = raw_files or RawFiles()
    wanted: dict[tuple, list[tuple[Service, DataRef]]] = {}
    for svc in services:
        for ref in svc.data:
            source = source_of(config, ref)
            wanted.setdefault((source.id if source else None, ref.file if not source else source.file), []).append(
                (svc, ref))
    per_service: dict[str, list[tuple[Path, pd.DataFrame]]] = {}  # slug -> (file, its checked rows)
    order = sorted(wanted, key=lambda k: (k[1], k[0] or ""))
    plain_parts, checked_alone, gaps = [], {}, []  # gaps: of services with several files (_tell_gaps)
    for parsed, members in read_sources(config, order, problems, raw_files):
        _days_a_period_apart(parsed, problems, one_series=len(members) == 1 and is_pattern(members[0][1]))
        plain = _plain_files(parsed, wanted, {(source_id, file): str(path) for source_id, file, path in members},
                             frozenset(s.id for s in config.sources if s.values.get("missing_rows") == "zero"))
        if plain:
            part = parsed[parsed["@file"].isin(plain)]
            named = part.drop(columns=["_key", "_kind", *_cell_places(part)]).assign(service=part["@file"].map(plain))
            _stopped_channels(named, {slug: slug for slug in plain.values()}, "", problems,
                              {c.id: c.label for c in config.channels})
            _channel_holes(named, {slug: slug for slug in plain.values()}, "", problems,
                           {c.id: c.label for c in config.channels})
            plain_parts.append(named.drop(columns=["@file"]))
            parsed = parsed[~parsed["@file"].isin(plain)]
        by_file = dict(tuple(parsed.groupby("@file", sort=False))) if len(members) > 1 else {str(members[0][2]): parsed}
        for source_id, file, path in members:
            if str(path) not in plain:
                part = by_file.get(str(path))
                checked_alone[(source_id, file)] = (part if part is not None else parsed.iloc[0:0], path)
    for key in order:  # in file order, whatever the batches: a service's files are merged in this order
        if key in checked_alone:
            rows, path = checked_alone[key]
            _service_rows_of_file(rows, wanted[key], config, key[1], path, problems, per_service, gaps, plain_parts)
    _tell_gaps(gaps, per_service)
    frames = []
    by_slug = {s.slug: s for s in services}
    for slug in sorted(per_service):
        parts = per_service[slug]
        frames.append(parts[0][1] if len(parts) == 1 else _merge_sources(
            parts, by_slug[slug], problems, config.measure_ids, {c.id: c.label for c in config.channels}))
    if not frames and not plain_parts:
        return empty_frame(config.measure_ids)
    tidy = pd.concat([*frames, *plain_parts], ignore_index=True).drop(columns=["@file"], errors="ignore")
    if plain_parts:  # in order of service, as the frames are; each service's rows as in its file
        tidy = tidy.sort_values("service", kind="stable", ignore_index=True)
    tidy = _without_empty_ends(tidy, config.measure_ids)
    _warn_of_hidden_figures(tidy, services, problems)
    _warn_of_channels_without_unit_costs(tidy, services, config, problems)
    _warn_of_costs_without_transactions(tidy, services, problems)
    _warn_of_completed_without_started(tidy, services, problems, config)
    return tidy


def _with_one_but_not_the_other(tidy: pd.DataFrame, services: list[Service], has: str, lacks: str):
    """(service, ' (and 3 more services reading its file)') for the first of the services that have
    some figure of ``has`` and none of ``lacks``, in each file they read: the services reading one
    file are one unit of a build, so every split of a build, and a reused unit, says the same."""
    if not (tidy[has].notna() & tidy[lacks].isna()).any():
        return  # no row has the one without the other: no service can (the usual case, in one pass)
    some = tidy[has].notna().groupby(tidy["service"], sort=False).any()
    other = tidy[lacks].notna().groupby(tidy["service"], sort=False).any()
    alone = set(some.index[some & ~other.reindex(some.index, fill_value=False)])
    by_file: dict[str, list[Service]] = {}
    for svc in services:
        if svc.slug in alone:
            by_file.setdefault(svc.data[0].file if svc.data else str(svc.path), []).append(svc)
    for svc, *others in by_file.values():
        yield svc, f" (and {len(others)} more service{'s' if len(others) > 1 else ''} reading its file)" if others else ""


def _warn_of_costs_without_transactions(tidy: pd.DataFrame, services: list[Service], problems: Problems) -> None:
    """A cost needs transactions to be a cost per transaction: without any, a parking account's
    £1,266,255 was in no card, chart or cost report, only in the service's download. Told once for
    each file such services read (the services reading a file are one unit of a build, so every
    split of a build, and a reused unit, says the same)."""
    if "cost" not in tidy or not tidy["cost"].notna().any():
        return
    for svc, more in _with_one_but_not_the_other(tidy, services, "cost", "transactions"):
        problems.warning(svc.path, f"service '{svc.called}' has costs but no transactions{more}, so its cost is shown "
                         "nowhere: a cost per transaction needs the transactions", *svc.positions.at(("data",)),
                         hint="map the transactions (a count of what the cost pays for) too; or, to publish the "
                              "cost as a figure of its own, declare a measure (measures: - {id: spend, label: "
                              "Spend, unit: money}) and map the column to it instead of cost")


def _warn_of_completed_without_started(tidy: pd.DataFrame, services: list[Service], problems: Problems,
                                       config: Config | None = None) -> None:
    """A completion rate is completed over started: a tester's A&E trusts, with 'completed' mapped
    and 'started' not, read 'Completion rate: no data' beside a download full of completed counts.
    Told once for each file such services read, as costs without transactions are. Where started
    is mapped, as a sum of columns, a blank among them leaves it blank: 'map started too' had sent
    a tester to a mapping that was there."""
    if "completed" not in tidy or "started" not in tidy or not tidy["completed"].notna().any():
        return
    # (a service whose started counts are marked not requested has that said on its card instead)
    marked = set(tidy.loc[tidy["nr_completion_rate"].astype(bool), "service"]) if "nr_completion_rate" in tidy \
        else set()
    asked = [svc for svc in services if "completion_rate" not in svc.not_requested and svc.slug not in marked]
    for svc, more in _with_one_but_not_the_other(tidy, asked, "completed", "started"):
        source = source_of(config, svc.data[0]) if config is not None and svc.data else None
        mapped = (source.values.get("columns") or {}).get("started") if source is not None else None
        if isinstance(mapped, str) and "{" in mapped:
            problems.warning(svc.path, f"service '{svc.called}' has completed counts but its started ones "
                             f"({mapped}) are blank{more}, so it has no completion rate: a figure made of "
                             "columns is blank wherever one of them is", *svc.positions.at(("data",)),
                             hint="if a blank cell among those columns means none, write 0 in it, or say so "
                                  "with replace: {started: {'': '0'}} in the file's source (which reads a row "
                                  "with every such cell blank as 0 started too)")
            continue
        if isinstance(mapped, (str, list)):
            # Mapped, but every cell blank or withheld: with combine: sum, one '*' makes a sum unknown
            # (a tester's library bills: 'map started too' sent them to a mapping that was there).
            summed = source is not None and source.values.get("combine") == "sum"
            problems.warning(svc.path, f"service '{svc.called}' has completed counts but its started ones "
                             f"({', '.join(_values_of(mapped))} in {source.file}) are blank or withheld in every "
                             f"period{more}, so it has no completion rate", *svc.positions.at(("data",)),
                             hint=("with combine: sum, a withheld cell (*, [c]) makes its period's sum unknown; "
                                   if summed else "") + "if such cells may be read as 0, say so with replace: "
                                  "{started: {'*': '0'}} in the file's source, naming the text they hold")
            continue
        problems.warning(svc.path, f"service '{svc.called}' has completed counts but no started ones{more}, so it "
                         "has no completion rate: that is completed over started", *svc.positions.at(("data",)),
                         hint="map started too (every transaction begun, finished or not; often the same column as "
                              "transactions: started: Attendances)")
    _warn_of_counts_never_on_one_row(tidy, asked, problems)


def counts_never_on_one_row(tidy: pd.DataFrame) -> set[str]:
    """The services with started and completed counts, never on one row, and no published completion
    rate: they have no completion rate, and their card says why (metrics)."""
    if "started" not in tidy or "completed" not in tidy:
        return set()
    started, completed = tidy["started"].notna(), tidy["completed"].notna()
    if not (started & ~completed).any() or not (completed & ~started).any():
        return set()  # the usual case, in one pass
    given = tidy["completion_rate"].notna() if "completion_rate" in tidy else pd.Series(False, index=tidy.index)
    by = tidy["service"]
    apart = (started.groupby(by, sort=False).any() & completed.groupby(by, sort=False).any()
             & ~(started & completed).groupby(by, sort=False).any() & ~given.groupby(by, sort=False).any())
    return set(apart.index[apart])


def _values_of(mapped) -> list[str]:
    return [str(v) for v in mapped] if isinstance(mapped, list) else [str(mapped)]


def _warn_of_counts_never_on_one_row(tidy: pd.DataFrame, services: list[Service], problems: Problems) -> None:
    """Started and completed counts that are never on one row (one period and channel): a rate is
    worked out from rows with both, so there is none. A tester's started counts, for all channels
    together in one export, beside completed counts by channel in another, read 'Completion rate:
    no data' with no word. Not paired here: started counts of no channel may be one channel's (a web
    form's), and all channels' completions over them would be a rate of nothing."""
    apart = counts_never_on_one_row(tidy)
    for svc in services:
        if svc.slug not in apart:
            continue
        rows = tidy[tidy["service"].eq(svc.slug)]
        where = {name: "for all channels together" if rows.loc[rows[name].notna(), "channel"].eq("").all()
                 else "by channel" if rows.loc[rows[name].notna(), "channel"].ne("").all() else "on other rows"
                 for name in ("started", "completed")}
        problems.warning(svc.path, f"service '{svc.called}' has started counts {where['started']} and completed "
                         f"counts {where['completed']}, never on one row, so it has no completion rate",
                         *svc.positions.at(("data",)),
                         hint="give both for the same rows: if the started counts are of one channel (a web form's), "
                              "say which with constants: {channel: online} in their file's source; if they are of "
                              "all channels, give completed counts for all channels together too")


def _warn_of_channels_without_unit_costs(tidy: pd.DataFrame, services: list[Service], config: Config,
                                         problems: Problems) -> None:
    """Estimates of cost per transaction need a unit cost for every channel a period used: a channel
    without one (email, beside phone at £2.83) left a council's services with no estimate in every
    month it was used, and an 'estimate' from the odd month it was not, with no word of why. Said
    for each service that publishes no costs, uses a channel with a unit cost (so is estimated) and
    one without: at the service's own file, so a fix there is seen by the next incremental build."""
    site = {c.id: c.unit_cost for c in config.channels}
    if not len(tidy) or all(cost is not None for cost in site.values()) or (
            all(cost is None for cost in site.values()) and not any(s.unit_costs for s in services)):
        return  # every channel has a cost (nothing can block an estimate), or none has (nothing is estimated)
    labels = {c.id: c.label for c in config.channels}
    cost_columns = [c for c in ("cost", "cost_per_transaction") if c in tidy]
    by_service = {slug: rows for slug, rows in tidy.groupby("service", sort=False)}
    for svc in services:
        rows = by_service.get(svc.slug)
        if rows is None or (cost_columns and rows[cost_columns].notna().any(axis=None)):
            continue
        used = set(rows.loc[rows["transactions"].gt(0), "channel"]) - {""}
        costs = {channel: svc.unit_costs.get(channel, site.get(channel)) for channel in used}
        lacking = sorted(channel for channel, cost in costs.items() if cost is None)
        if not lacking or len(lacking) == len(costs):
            continue
        names = " and ".join(f"'{channel}'" for channel in lacking)
        problems.warning(svc.path, f"service '{svc.called}' gets no cost estimate for a period with "
                         f"{' or '.join(labels.get(c, c).lower() for c in lacking)} transactions: channel{'s' if len(lacking) > 1 else ''} "
                         f"{names} {'have' if len(lacking) > 1 else 'has'} no unit cost", *svc.positions.at(("unit_costs",)),
                         hint=f"add unit_cost: to {'those channels' if len(lacking) > 1 else 'the channel'} in config.yaml, "
                              f"or unit_costs: {{{lacking[0]}: ...}} to this service; an estimate needs a cost for "
                              "every channel a period used")


def _warn_of_hidden_figures(tidy: pd.DataFrame, services: list[Service], problems: Problems) -> None:
    """A KPI a service says it does not collect (not_requested:) is shown as 'not requested'
    whatever its data holds: where the data has figures for it, they would be hidden unseen.
    (Not take-up worked out from transactions by channel: a service may choose not to show it,
    and a warning it could not silence would fail every --strict build.)"""
    for svc in services:
        if not svc.not_requested:
            continue
        rows = tidy[tidy["service"].eq(svc.slug)]
        for index, kpi in enumerate(svc.not_requested):
            found = [col for col, fed in KPI_OF_MEASURE.items() if fed == kpi and col in rows and rows[col].notna().any()]
            if found:
                count = int(rows[found].notna().any(axis=1).sum())
                problems.warning(svc.path, f"'{kpi}' is listed as not requested, but the data has figures for it "
                                 f"({', '.join(found)}, on {count} row{'s' if count != 1 else ''}); it is not "
                                 "shown on the service's page",
                                 *svc.positions.at(("not_requested", index)),
                                 hint=f"take {kpi} out of not_requested: to show it, or leave the cells blank "
                                      "(or write the not-requested marker) if they should not be there")


def _service_rows_of_file(parsed: pd.DataFrame, readers: list, config: Config, file: str, path: Path,
                          problems: Problems, per_service: dict[str, list[tuple[Path, pd.DataFrame]]],
                          gaps: list, plain_parts: list | None = None) -> None:
    """Each reading service's checked rows of one file, added to ``per_service``; the gaps of a
    service with other files are added to ``gaps``, to be told once they are all read. Given
    ``plain_parts``, the rows of services in a file of several that need no checks one by one
    (_quiet_keys) are added there instead, all in one frame with their slugs."""
    has_key_column = parsed["service"].ne("").any()
    repeats = parsed.duplicated(["service", "_key", "channel"]).any()
    groups = _RowsByKey(parsed) if has_key_column else {}
    quiet = _quiet_keys(parsed, readers, config) if has_key_column and plain_parts is not None else {}
    used_keys: set[str] = set()
    claimed = {ref.key or svc.slug for svc, ref in readers}
    mixed: dict = {}  # services mixing kinds of period, by where the odd period is (see _check_service_rows)
    counts = frozenset((*COUNTS, *(x.id for x in config.measures if x.unit == "count")))  # zero, if no row says
    span: list = []

    def zero_span() -> tuple:
        """The file's first and last period start, and the counts it has: where a service's other
        sources' rows are, within them, its counts are 0 if it has no row (_merge_sources)."""
        if not span:
            starts = period_attr(parsed["period"], lambda p: p.start)
            had = tuple(sorted(c for c in counts if c in parsed and parsed[c].notna().any()))
            span.append((starts.min(), starts.max(), had))
        return span[0]

    for svc, ref in readers:
        key = ref.key or svc.slug
        if key in quiet:
            used_keys.add(key)
            continue
        if has_key_column:
            rows = groups.get(key)
            if rows is None and ref.generated and _zeroed(config, ref) and len(parsed):
                # A twin source's service with no row here (no request on time): none of its counts
                empty = parsed.iloc[0:0].drop(columns=["_key", "_kind", *_cell_places(parsed)]).assign(service=svc.slug)
                empty.attrs["zeroed"] = zero_span()
                per_service.setdefault(svc.slug, []).append((path, empty))
                continue
            if rows is None and ref.generated:
                continue  # made from a row whose every figure is blank: a service with no data yet
            if rows is None:
                # Compare only with keys sharing a first letter: difflib over hundreds
                # of long keys for every missing one costs seconds.
                similar = [str(g) for g in groups if str(g)[:1].lower() == key[:1].lower()]
                close = difflib.get_close_matches(key, similar, n=3)
                # Its only file, with a name close to one no other service reads: a slip, which
                # published a service of 'no data'. (One of several files may lack it, as a finance
                # file lacks services with no cost; and 'Register a death' with no rows yet is not
                # a slip for 'Register a birth', which another service reads.)
                source = source_of(config, ref)
                slip = len(svc.data) == 1 and not is_pattern(source.file if source else ref.file or "") and \
                    any(name not in claimed for name in close)
                (problems.error if slip else problems.warning)(
                    svc.path, f"no rows for '{key}' in the service column of {file}, so none of its figures are "
                    "shown for the service", *svc.positions.at(("data",)),
                    hint=f"did you mean {' or '.join(close)}?" if close else "check the service: value under data:")
                continue
        else:
            rows = parsed
        used_keys.add(key)
        if "@blank_series" in rows and rows["@blank_series"].fillna(False).astype(bool).any():
            per_service.setdefault(svc.slug, []).append((path, _blank_channel_part(rows, parsed, svc, path)))
            continue
        zeros = counts if _zeroed(config, ref) else frozenset()
        told = len(gaps)
        rows = _check_service_rows(rows, svc, path, problems, repeats, config.measure_ids, zeros=zeros,
                                   mixed=mixed, gaps=gaps)
        source = source_of(config, ref)
        for index in range(told, len(gaps)):  # which reading of the file: two sources may read it
            gaps[index] = (*gaps[index][:4], (gaps[index][4], source.id if source is not None else ""))
        # Each row's file stays (in @file) until the service's files are merged: a pattern's rows
        # are told at their own file there, not at the pattern.
        rows = rows.drop(columns=["_key", "_kind", *_cell_places(rows)]).assign(service=svc.slug)
        if zeros:  # its counts are 0 where another of the service's sources has a row and it has none
            rows.attrs["zeroed"] = zero_span()
            # A source of one channel's rows by its constants: (not one whose rows happen to be of one
            # channel, as an export of those on time may be: its others' counts are 0, a review's)
            source = source_of(config, ref)
            rows.attrs["one_channel"] = source is not None and "channel" in source.values["constants"]
        if (source := source_of(config, ref)) is not None and source.shared:
            rows.attrs["source"] = source.id  # which reading of a file two sources read (_merge_sources)
        per_service.setdefault(svc.slug, []).append((path, rows))
    if quiet:
        part = parsed[parsed["service"].isin(list(quiet))]
        plain_parts.append(part.drop(columns=["_key", "_kind", "@file", *_cell_places(part)], errors="ignore")
                           .assign(service=part["service"].map(quiet)))
    read = {(ref.key or svc.slug if has_key_column else ""): svc.slug for svc, ref in readers
            if (ref.key or svc.slug) in used_keys and not _zeroed(config, ref)}  # no service column: its rows are ''
    _stopped_channels(parsed, read, path, problems, {c.id: c.label for c in config.channels})
    _channel_holes(parsed, read, path, problems, {c.id: c.label for c in config.channels})
    # A half-year file among a pattern's years: one error for it, not one for each of its 565 services.
    pattern = any(is_pattern(source.file) for _, ref in readers if (source := source_of(config, ref)) is not None)
    for (file, _, _, column), ((message, line, hint), others) in mixed.items():
        problems.error(file, message + _and_others(others),
                       line, column, hint=hint + (f"; to leave this file of the pattern out, exclude: "
                                                         f"{{file name: '{Path(file).stem}'}}" if pattern else ""))
    if has_key_column:
        sources = [source_of(config, ref) for _, ref in readers]
        made_from_rows = any(source is not None and source.values.get("services") for source in sources)
        # Two sources reading one file (all requests, and those on time): say which left the rows unread.
        ids = {source.id for source in sources if source is not None}
        files = {source.file for source in sources if source is not None}
        shared = len(ids) == 1 and sum(source.file in files for source in config.sources) > 1
        _unused_rows(parsed, groups, used_keys, path, problems, totals_told=made_from_rows,
                     through=next(iter(ids)) if shared else None)


def _without_empty_ends(tidy: pd.DataFrame, measures: tuple[str, ...]) -> pd.DataFrame:
    """Each service's rows without the periods before its first figure or after its last, in any
    channel of any of its files (rows filled in ahead of time, or '-' for quarters not yet
    reported), as a wide file's blank columns are left out (_outside_each_series). They had been
    periods of 'no channel has data', and the latest: the table of services said 'latest data: July
    to September 2013' of a department whose last figure was for early 2010 (a tester's). A blank
    period between figures stays, as missing data; so does a cell marked withheld or not requested."""
    if not len(tidy):
        return tidy
    flags = [c for c in tidy.columns if c.startswith("nr_") or c in ("@marked", "@partial", "@withheld")]
    told = tidy[[c for c in measures if c in tidy]].notna().any(axis=1)
    if flags:
        told |= tidy[flags].fillna(False).astype(bool).any(axis=1)
    if told.all():
        return tidy
    start = pd.Series(period_attr(tidy["period"], lambda p: p.start.toordinal()).to_numpy(dtype=float),
                      index=tidy.index)
    known = start.where(told).groupby(tidy["service"], sort=False)
    return tidy[told | ((start >= known.transform("min")) & (start <= known.transform("max")))]


class _RowsByKey(Mapping):
    """A file's rows by the value of its service column, each group taken only when asked for: a
    file of 734 services had spent a fifth of a second cutting out groups most of which need no look."""

    def __init__(self, parsed: pd.DataFrame):
        self._parsed, self._at = parsed, parsed.groupby("service", sort=False).indices

    def __getitem__(self, key):
        return self._parsed.iloc[self._at[key]]

    def __iter__(self):
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)


def _quiet_keys(parsed: pd.DataFrame, readers: list, config: Config) -> dict[str, str]:
    """key -> slug of the services in a file of several whose rows need no checks one by one
    (_nothing_to_check): each the only reader of its key, with no other data and no source that
    fills missing rows with zeros. A department's export of 734 services was checked service by
    service, a second and more of every build that read it; those are now taken together."""
    claimed = Counter(ref.key or svc.slug for svc, ref in readers)
    candidates = {ref.key or svc.slug: svc.slug for svc, ref in readers
                  if len(svc.data) == 1 and claimed[ref.key or svc.slug] == 1 and not _zeroed(config, ref)}
    if not candidates:
        return {}
    quiet = _nothing_to_check(parsed, "service")
    if "@blank_series" in parsed:  # a series blank throughout is told of, and left out (_blank_channel_part)
        blank = parsed["@blank_series"].fillna(False).astype(bool)
        quiet &= ~blank.groupby(parsed["service"].to_numpy(dtype=object), sort=False).any().reindex(quiet.index)
    return {key: candidates[key] for key in quiet.index[quiet] if key in candidates}


def _zeroed(config: Config, ref) -> bool:
    """Whether a reference reads through a source with ``missing_rows: zero``."""
    source = source_of(config, ref)
    return source is not None and source.values.get("missing_rows") == "zero"


def _blank_channel_part(rows: pd.DataFrame, parsed: pd.DataFrame, svc: Service, path) -> pd.DataFrame:
    """A service's part of a file of one channel whose cells for it are all blank (the row kept by
    _outside_each_series): no rows, and where the blanks are, for _merge_sources to judge."""
    first = rows[rows["@blank_series"].fillna(False).astype(bool)].iloc[0]
    empty = parsed.iloc[0:0].drop(columns=["_key", "_kind", *_cell_places(parsed)]).assign(service=svc.slug)
    empty.attrs["blank_channel"] = (str(_at(rows, first.name, path)), int(first["line"]), first["channel"],
                                    _cell_column(first), frozenset(parsed["_key"]))  # the file's periods
    return empty


def _blank_channels_missing(parts: list[tuple[Path, pd.DataFrame]], merged: pd.DataFrame, svc: Service,
                            problems: Problems, measures: tuple[str, ...], labels: dict) -> pd.DataFrame:
    """A channel read from a source of its own, blank throughout for this service, beside figures
    for its other channels from other sources: missing in each of their periods, as a blank column
    beside other channels' is, not a channel it does not have. A library whose e-book cells were
    blank had published a take-up of 0.0% (a tester's twelve libraries; one file with a column a
    channel had said 'no data', and why)."""
    figures = merged[[c for c in measures if c in merged]].notna().any(axis=1)
    with_figures = merged[figures & (merged.index.get_level_values("channel") != "")]
    if with_figures.empty:
        return merged
    # Each period's first row with figures, as the pattern of a blank one: its service and flags.
    like = with_figures[~with_figures.index.get_level_values("_key").duplicated()]
    blank = like.assign(**{c: np.nan for c in measures if c in like}, has_tx=True,
                        **{c: False for c in like if c.startswith("nr_") or c in ("@marked", "@nil")})
    have = set(merged.index.get_level_values("channel"))
    added = []
    for _, frame in parts:
        if not frame.attrs.get("blank_channel"):
            continue
        file, line, channel, column, covered = frame.attrs["blank_channel"]
        if channel in have:
            continue
        have.add(channel)
        within = blank[blank.index.get_level_values("_key").isin(covered)]  # only where its file has columns
        if within.empty:
            continue
        index = pd.MultiIndex.from_arrays([within.index.get_level_values("_key"), [channel] * len(within)],
                                          names=["_key", "channel"])
        added.append(within.set_axis(index).assign(line=line, **({"@file": file} if "@file" in within else {})))
        label = labels.get(channel, channel)
        problems.warning(file, f"{label} has no figure in any period for '{svc.called}', beside its other "
                         "channels' figures, so its digital take-up and cost per transaction are no data "
                         "throughout", line, column,
                         hint=f"if the service has no {label.lower()} transactions, write 0 in those cells (or "
                              "replace: {transactions: {'': '0'}} in that channel's own source); if they are not "
                              "collected, this is right")
    if not added:
        return merged
    return pd.concat([merged, *added]).sort_index(level="_key", sort_remaining=False)


def _stopped_channels(parsed: pd.DataFrame, slugs: dict[str, str], path, problems: Problems,
                      labels: dict[str, str]) -> None:
    """Warn where a channel's rows stop NOT_BEGUN or more periods before its service's other channels'.

    Past its last row a channel counts as closed, not missing (metrics._absent_channel_rows), so
    take-up goes on being worked out without it: right for a closed counter, but an export with a
    row per request has no row for a month with none, and then the channel's months read 'no data'
    beside a take-up of 0.0%. Told once for each file and channel, at the channel's last row.
    ``slugs``: service key -> slug ('' for a file with no service column). Whole-frame operations:
    a site of 766 services with a channel that closed was seconds of per-service filtering."""
    wanted = parsed["has_tx"].astype(bool) & parsed["channel"].ne("") & parsed["service"].isin(slugs)
    if "@closed" in parsed:  # a wide file's cells written '-' after the channel's last figure: it closed
        wanted &= ~parsed["@closed"].fillna(False).astype(bool)
    wanted = wanted.to_numpy()
    if not wanted.any():
        return
    # First, in integer codes over the whole frame: does any channel end before its service does?
    files = parsed["@file"] if "@file" in parsed else pd.Series(str(path), index=parsed.index)
    file_codes, service_codes = pd.factorize(files)[0], pd.factorize(parsed["service"])[0]
    channel_codes = pd.factorize(parsed["channel"])[0]
    series = (file_codes * (int(service_codes.max()) + 1) + service_codes)[wanted]
    lines = series * (int(channel_codes.max()) + 1) + channel_codes[wanted]
    day = pd.Series(period_attr(parsed["period"], lambda p: p.start.toordinal()).to_numpy()[wanted])
    if (day.groupby(lines).transform("max").to_numpy() >= day.groupby(series).transform("max").to_numpy()).all():
        return  # every channel reaches its service's last period: the usual case, found at once
    rows = parsed[wanted]
    frame = pd.DataFrame({"file": files[wanted].to_numpy(), "service": rows["service"].to_numpy(),
                          "channel": rows["channel"].to_numpy(),
                          "start": period_attr(rows["period"], lambda p: p.start).to_numpy(), "row": rows.index})
    keys = ["file", "service"]
    service_end = frame.groupby(keys, sort=False)["start"].max().rename("service_end")
    last = frame.sort_values("start", kind="stable").drop_duplicates([*keys, "channel"], keep="last")
    last = last.join(service_end, on=keys)
    early = last[last["start"] < last["service_end"]]
    starts = frame[keys + ["start"]].drop_duplicates()
    later = early[[*keys, "channel", "start"]].merge(starts, on=keys, suffixes=("", "_later"))
    after = later[later["start_later"] > later["start"]].groupby([*keys, "channel"], sort=False).size()
    joined = early.join(after.rename("after"), on=[*keys, "channel"])
    stopped = joined[joined["after"].fillna(0) >= NOT_BEGUN].sort_values("row")
    told = _first_of_each_file_and_channel(stopped)
    ends = frame.sort_values("start", kind="stable").drop_duplicates(keys, keep="last").set_index(keys)["row"]
    # Fewer periods short, after a count above 0, the channel is read as not yet in (metrics.
    # _absent_channel_rows): the service's latest take-up and cost are of an earlier period, and
    # a summary that leaves out its zero rows (a library's 10 invoices one year, none the next)
    # published last year's take-up beside this year's transactions with no word (a tester).
    # Told where that is unlikely to be so: years (a year's figures a year late), or a channel whose
    # last count was under 1% of its service's that period (10 invoices beside 3,920 payments:
    # more likely none since, left out). A month or two of a month's figures not in yet is usual,
    # as blank cells are (_warn_of_blank_ends).
    counts = parsed["transactions"] if "transactions" in parsed else pd.Series(np.nan, index=parsed.index)
    last_counts = counts.reindex(joined["row"]).to_numpy()
    whole = counts.groupby([files, parsed["service"], period_attr(parsed["period"], lambda p: p.key)]).transform("sum")
    small = last_counts < 0.01 * whole.reindex(joined["row"]).to_numpy()
    yearly = period_attr(rows.loc[joined["row"], "period"], lambda p: p.months >= 12).to_numpy(dtype=bool)
    late = joined[(joined["after"].fillna(0) < NOT_BEGUN) & (last_counts > 0) & (small | yearly)]
    for (file, channel), (item, more) in _first_of_each_file_and_channel(late.sort_values("row")).items():
        label, last = labels.get(channel, channel), rows.at[item.row, "period"].label
        end = rows.at[ends[(file, item.service)], "period"].label
        problems.warning(file, f"{label} has no row for {end} for '{slugs[item.service]}', though its other "
                         f"channels do" + (f" (and {more} more service{'s' if more > 1 else ''} like it)" if more else "")
                         + f": it is read as not yet in, so the latest take-up and cost are for {last}",
                         int(rows.at[item.row, "line"]),
                         hint=f"if {label} had none in {end}, write a row of 0 (or add missing_rows: zero to the "
                              "file's source, for an export that leaves out rows with nothing in them); if its figures "
                              "are not in yet, this is right")
    for (file, channel), (item, more) in told.items():
        label = labels.get(channel, channel)
        end = rows.at[ends[(file, item.service)], "period"].label
        problems.warning(file, f"{label} has no rows after {rows.at[item.row, 'period'].label} for "
                         f"'{slugs[item.service]}', though its other channels go on to {end}"
                         + (f" (and {more} more service{'s' if more > 1 else ''} like it)" if more else "")
                         + f": from then on, its take-up counts {label} as closed, not as missing",
                         int(rows.at[item.row, "line"]),
                         hint="if the file has a row for each request or event (so a month with none has no row), "
                              "add missing_rows: zero to its source in config.yaml; if the channel closed, this "
                              "is right (accepted_warnings: can say so)")


def _channel_holes(parsed: pd.DataFrame, slugs: dict[str, str], path, problems: Problems,
                   labels: dict[str, str]) -> None:
    """Warn where a channel has no row for a period inside its own series while its service's other
    channels have rows for it. A summary export that leaves out rows with nothing in them (a month
    with no video appointments) left that month's take-up 'no data' and the year's change unworked,
    with no word (a tester's GP appointments). Told once a file and channel, with how many more
    services; ``slugs`` as _stopped_channels has them. Whole-frame operations, the complete series
    (the usual case) found at once."""
    wanted = (parsed["has_tx"].astype(bool) & parsed["channel"].ne("") & parsed["service"].isin(slugs)).to_numpy()
    if not wanted.any():
        return
    rows = parsed[wanted]
    files = rows["@file"] if "@file" in rows else pd.Series(str(path), index=rows.index)
    # A series is a service's rows in what one source reads: one file, or a pattern's files (a file
    # per month, where no one file can have a hole). Plain files read together (no path) are each one.
    groups = pd.Series(str(path), index=rows.index) if path else files
    day = period_attr(rows["period"], lambda p: p.start.toordinal()).to_numpy(dtype="int64")
    # First, in integer codes: does each channel have as many periods as its service?
    series = _codes(groups) * (int(_codes(rows["service"]).max()) + 1) + _codes(rows["service"])
    channels = _codes(rows["channel"])
    line = series * (int(channels.max()) + 1) + channels
    days = _codes(day)
    width = int(days.max()) + 1
    per_line = np.bincount(pd.unique(line * width + days) // width)  # (hashed, not sorted: a tenth the time)
    per_series = np.bincount(pd.unique(series * width + days) // width)
    present = pd.unique(line)
    if (per_line[present] == per_series[present // (int(channels.max()) + 1)]).all():
        return  # every channel has a row for every period of its service: the usual case
    frame = pd.DataFrame({"group": groups.to_numpy(), "service": rows["service"].to_numpy(),
                          "channel": rows["channel"].to_numpy(), "start": day,
                          "row": rows.index}).drop_duplicates(["group", "service", "channel", "start"])
    keys = ["group", "service"]
    starts = frame[[*keys, "start"]].drop_duplicates()
    span = frame.groupby([*keys, "channel"], sort=False)["start"].agg(["min", "max"]).reset_index()
    inside = span.merge(starts, on=keys)
    inside = inside[(inside["start"] > inside["min"]) & (inside["start"] < inside["max"])]
    missing = inside.merge(frame, on=[*keys, "channel", "start"], how="left", indicator=True)
    missing = missing[missing["_merge"].eq("left_only")]
    if missing.empty:
        return
    first = missing.sort_values("start", kind="stable").drop_duplicates([*keys, "channel"])
    # At the service's first row in that period (another channel's), in file order, in its file.
    at = frame.sort_values("row").drop_duplicates([*keys, "start"]).set_index([*keys, "start"])["row"]
    first = first.assign(row=at.reindex(pd.MultiIndex.from_frame(first[[*keys, "start"]])).to_numpy())
    first = first.assign(file=files.reindex(first["row"]).to_numpy())
    for (file, channel), (item, more) in _first_of_each_file_and_channel(first.sort_values("row")).items():
        label, period = labels.get(channel, channel), rows.at[item.row, "period"].label
        count = int(((missing["group"] == item.group) & (missing["service"] == item.service)
                     & (missing["channel"] == channel)).sum())
        others = f" and {count - 1} other period{'s' if count > 2 else ''}" if count > 1 else ""
        problems.warning(file, f"{label} has no row for {period}{others} for '{slugs[item.service]}', though its "
                         "other channels do" + (f" (and {more} more service{'s' if more > 1 else ''} like it)"
                                                if more else "")
                         + ", so that period's take-up and cost per transaction are no data",
                         int(rows.at[item.row, "line"]),
                         hint="if the file leaves out rows with nothing in them (a summary of rows per event), say "
                              "so with missing_rows: zero in its source in config.yaml; if the figure is not known, "
                              "this is right")


def _codes(values) -> np.ndarray:
    """Each value's integer code (pd.factorize), as int64 for arithmetic on several together."""
    return pd.factorize(values)[0].astype("int64")


def _first_of_each_file_and_channel(found: pd.DataFrame) -> dict[tuple, list]:
    """(file, channel) -> [its first row of ``found``, how many more]: each told once, with a count."""
    firsts: dict[tuple, list] = {}
    for item in found.itertuples(index=False):
        place = (item.file, item.channel)
        if place in firsts:
            firsts[place][1] += 1
        else:
            firsts[place] = [item, 0]
    return firsts


def empty_frame(measures: tuple[str, ...] = MEASURES) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in measures})
    frame.insert(0, "channel", pd.Series(dtype=object))
    frame.insert(0, "period", pd.Series(dtype=object))
    frame.insert(0, "service", pd.Series(dtype=object))
    frame["has_tx"] = pd.Series(dtype=bool)
    for kpi in NR_KPIS:
        frame[f"nr_{kpi}"] = pd.Series(dtype=bool)
    frame["line"] = pd.Series(dtype=int)
    return frame
