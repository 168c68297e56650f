"""KPIs for every service at once: pure functions of the tidy frame, no I/O.

Everything is computed with whole-frame pandas operations (group-bys over all
services together), never a pandas loop per service. Definitions (also in
README.md and the methodology page):

* transactions: sum over channels. A period in which a channel's count is
  blank still sums the others (and is marked incomplete), but its digital
  take-up and cost per transaction are unknown: the missing count could
  change either.
* digital take-up: transactions through digital channels / all transactions.
* cost per transaction: sum of cost / sum of transactions on rows that have
  both; for a service that publishes no cost data at all, estimated as sum
  of transactions x channel unit cost / those transactions, and marked as an
  estimate.
* completion rate: sum of completed / sum of started on rows with both.
* user satisfaction: mean of 1-5 ratings rescaled to 0-100 ((mean - 1) / 4),
  or the mean of a published satisfaction percentage.
* transactions per year: the sum over the 12 months ending with the
  service's latest period with transactions, compared with the 12 before.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from generator import model as m
from generator.config import Config
from generator.content import Service
from generator.data import NOT_BEGUN, counts_never_on_one_row
from generator.cells import NR_KPIS
from generator.measures import RATINGS
from generator.periods import Period, period_attr
from generator.formatting import in_period
from generator.figures import (COMPLETE_YEAR, OVER_100, PERIOD_KPIS, ServiceFigures, YearWindow, _nan_to_none,
                               make_figure)


TAKE_UP_SLACK = 1.0  # percentage points: a published take-up rounded to a whole per cent is within 0.5


def _ratio(num: pd.Series, den: pd.Series, scale: float = 1.0) -> pd.Series:
    return (num / den.where(den > 0)) * scale


def prepare(tidy: pd.DataFrame, config: Config, services: list[Service]) -> pd.DataFrame:
    """Row-level helper columns: digital flag, unit costs and paired sums."""
    rows = tidy.copy()
    rows["start"] = pd.to_datetime(period_attr(rows["period"], lambda p: p.start))
    rows["end"] = pd.to_datetime(period_attr(rows["period"], lambda p: p.end))
    rows["key"] = period_attr(rows["period"], lambda p: p.key)
    rows["digital"] = rows["channel"].isin([c.id for c in config.channels if c.digital])
    total_row = rows["channel"].eq("")  # a row for all channels together
    unit = rows["channel"].map({c.id: c.unit_cost for c in config.channels}).astype(float)
    overrides = pd.DataFrame(
        [(s.slug, ch, cost) for s in services for ch, cost in s.unit_costs.items()],
        columns=["service", "channel", "override"],
    )
    if len(overrides):
        merged = rows[["service", "channel"]].merge(overrides, how="left", on=["service", "channel"])
        unit = pd.Series(merged["override"].to_numpy(), index=rows.index).fillna(unit)
    tx = rows["transactions"]
    # A channel's count marked not requested ('***' for Letter beside counts for the rest) is a
    # channel the service does not count, not a missing count: its figures are of the channels it
    # counts, and the page names the one it does not. Its other cells marked so (Letter's cost
    # '***') are that channel's, not the service's: a tester's £90,000 a year of published costs
    # had read 'not requested', and take-up 'no data', in every period.
    # Only where nothing else of the channel's is given (a cost of its own belongs to transactions
    # not counted: the period's cost is then unknown, as before), and only beside a channel counted
    # in the same period (every channel marked so is a period of no figures, not 'the others').
    marked = ~total_row & tx.isna() & rows[f"nr_{m.TRANSACTIONS_PER_YEAR}"].astype(bool) \
        & rows["cost"].isna() & rows["cost_per_transaction"].isna()
    rows["uncounted"] = marked & ((~total_row & tx.notna()).groupby([rows["service"], rows["key"]]).transform("any")
                                  if marked.any() else False)  # (a grouping of every row, only where needed)
    # A digital channel not counted leaves digital take-up unknown: the others' share is not it.
    rows["uncounted_digital"] = (rows["uncounted"] & rows["digital"]).astype(int)
    for kpi in NR_KPIS:
        if kpi != m.TRANSACTIONS_PER_YEAR:
            rows[f"nr_{kpi}"] = rows[f"nr_{kpi}"].astype(bool) & ~rows["uncounted"]
    # Only a file that reports transactions can leave them missing; a satisfaction-only file cannot.
    rows["tx_missing"] = (rows["has_tx"].astype(bool) & tx.isna() & ~rows["uncounted"]).astype(int)
    rows["digital_tx"] = tx.where(rows["digital"], 0.0).where(tx.notna()).where(
        ~total_row, rows["digital_transactions"])
    if not any(c.digital for c in config.channels):  # no channel is digital (journeys by bus, tram...): no take-up, not 0%
        rows["digital_tx"] = rows["digital_tx"].where(total_row)
    cost = rows["cost"].fillna(rows["cost_per_transaction"] * tx)
    costed = tx.notna() & cost.notna()
    rows["cost_paired"] = cost.where(costed)
    rows["cost_given"] = rows["cost"].where(tx.notna())  # as written, not a cost per transaction times a count
    # A cost for the whole period on a row of its own (a finance column beside channel columns).
    rows["cost_alone"] = cost.where(~rows["has_tx"].astype(bool) & tx.isna())
    rows["tx_costed"] = tx.where(costed)
    estimable = tx.notna() & unit.notna()
    rows["cost_estimated"] = (tx * unit).where(estimable)
    rows["tx_estimable"] = tx.where(estimable)
    both = rows["started"].notna() & rows["completed"].notna()
    rows["started_paired"] = rows["started"].where(both)
    rows["completed_paired"] = rows["completed"].where(both)
    # Rates given on rows with their own transactions (a rate per channel) are combined as the
    # counts they stand for, not averaged as they are: an unweighted mean let a phone line of
    # 100 count as much as an online service of 1,000. A cost per transaction is already that
    # row's cost (above); a completion rate stands for completed = transactions (a transaction
    # is a completed one) and started = transactions / rate; satisfaction is weighted by
    # transactions. Only rates from a file without transactions are taken as they are: a rate on
    # a row whose count is blank (missing) or zero stands for nothing it could be weighed by.
    counted = tx.notna() & tx.gt(0)
    rate = rows["completion_rate"]
    from_rate = counted & rate.gt(0) & ~both
    rows["started_paired"] = rows["started_paired"].fillna((tx / rate * 100).where(from_rate))
    rows["completed_paired"] = rows["completed_paired"].fillna(tx.where(from_rate))
    # ... or on a row for all channels together whose count is blank: the service's own figure
    # for the period (the Transactions Explorer publishes costs for years with no volume).
    no_counts = ~rows["has_tx"].astype(bool) | (total_row & tx.isna())
    rows["rate_alone"] = rate.where(no_counts)
    rows["cpt_alone"] = rows["cost_per_transaction"].where(no_counts)
    # The rates that stand for something: from a file without transactions, or beside a count
    # (0% too, which as a period's only rate is taken as given, though it weighs nothing).
    rows["rate_usable"] = rate.where(no_counts | (counted & rate.ge(0)))
    rows["cpt_usable"] = rows["cost_per_transaction"].where(no_counts | counted)
    weighted = counted & rows["satisfaction"].notna()
    rows["satisfaction_weighted"] = (rows["satisfaction"] * tx).where(weighted)
    rows["satisfaction_weight"] = tx.where(weighted)
    ratings = rows[list(RATINGS)]
    all_five = ratings.notna().all(axis=1)  # a blank rating count is missing, not zero
    rows["ratings_n"] = ratings.sum(axis=1).where(all_five)
    rows["ratings_score"] = (ratings * np.arange(1, 6)).sum(axis=1).where(all_five)
    rows["short"] = period_attr(rows["period"], lambda p: p.kind in ("day", "week")).astype(bool)
    return rows


def _absent_channel_rows(rows: pd.DataFrame, present: pd.Series) -> pd.Series:
    """Per service and period, channels with no row although the service reports them before and after.

    A channel that starts later (a new online form) or stops is not missing
    outside its span; a gap inside it is missing, just like a blank cell.
    """
    spans = rows.groupby(["service", "channel"])["start"].agg(["min", "max"]).reset_index()
    periods = rows.groupby(["service", "key"], sort=False)["start"].first().reset_index()
    grid = periods.merge(spans, on="service")
    # A channel whose rows stop fewer than NOT_BEGUN periods before its service's last is late, not
    # closed: a month's e-book figure not yet in had made that month's take-up 0.0%, 'worse', without a
    # word. Its rows stopping earlier still read as closed (and are told: data._stopped_channels), as
    # do those of a channel whose last row counts none (it was winding down: a file leaving out zeros).
    after = grid[grid["start"] > grid["max"]].groupby(["service", "channel"]).size()
    late = after[after < NOT_BEGUN]
    if len(late):
        final_count = rows.sort_values("start", kind="stable").groupby(["service", "channel"])["transactions"].last()
        late = late[final_count.reindex(late.index).fillna(0).to_numpy() > 0]
    if len(late):
        service_end = periods.groupby("service")["start"].max()
        at = pd.MultiIndex.from_frame(spans[["service", "channel"]]).isin(late.index)
        spans.loc[at, "max"] = spans.loc[at, "service"].map(service_end).to_numpy()
        grid = periods.merge(spans, on="service")
    inside = grid[(grid["start"] >= grid["min"]) & (grid["start"] <= grid["max"])]
    expected = inside.groupby(["service", "key"]).size()
    return (expected.reindex(present.index, fill_value=0) - present).clip(lower=0)


STEADY_DIGITS = 12  # significant digits a grouped sum or mean keeps: see steady


def steady(values):
    """Grouped sums and means rounded to STEADY_DIGITS significant digits.

    pandas' grouped sums of the same figures can differ in their last bits with the other groups
    in the frame (192.39999999999998 for a service computed alone, 192.4 among all of them), so an
    incremental build, or a cold one over another number of --jobs, showed £2.35 where a build
    from nothing showed £2.36 at a half penny. Rounded this far, a figure no longer depends on what
    it was computed beside; twelve digits are far more than any figure is shown or downloaded with
    meaning (a year's £233,611.33 keeps its pence at a billion pounds)."""
    frame = values.to_numpy(dtype=float, copy=True)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = 10.0 ** (STEADY_DIGITS - 1 - np.floor(np.log10(np.abs(frame))))
        rounded = np.rint(frame * scale) / scale
    out = np.where(np.isfinite(rounded) & (frame != 0), rounded, frame)
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name)
    return pd.DataFrame(out, index=values.index, columns=values.columns)


def per_period(rows: pd.DataFrame, services: list[Service]) -> pd.DataFrame:
    """One row per service and period with every KPI for that period."""
    sums = ["transactions", "digital_tx", "cost_paired", "tx_costed", "cost_estimated", "tx_estimable",
            "started_paired", "completed_paired", "ratings_n", "ratings_score", "tx_missing", "cost_alone",
            "satisfaction_weighted", "satisfaction_weight", "cost_given", "uncounted", "uncounted_digital"]
    grouped = rows.groupby(["service", "key"], sort=False)
    out = steady(grouped[sums].sum(min_count=1))
    reporting = rows[rows["has_tx"].astype(bool)]
    present = reporting.groupby(["service", "key"], sort=False).size().reindex(out.index, fill_value=0)
    out["tx_missing"] = out["tx_missing"] + _absent_channel_rows(reporting, present).reindex(
        out.index, fill_value=0)
    # Published rates (a file that already holds take-up %, completion % or cost per transaction), on
    # rows without transactions of their own (see prepare: the others are counted with them), or on
    # the period's only row with any: taken as they are, not as 0.09 * 189,782 / 189,782.
    rates = grouped[["satisfaction", "rate_usable", "cpt_usable"]]
    plain, how_many = steady(rates.mean()), rates.count()
    plain.columns = how_many.columns = ["satisfaction", "completion_rate", "cost_per_transaction"]
    paired = grouped[["started_paired", "cost_paired"]].count()
    out["satisfaction_pct"] = plain["satisfaction"].where(
        how_many["satisfaction"].eq(1), _ratio(out["satisfaction_weighted"], out["satisfaction_weight"])).fillna(
        plain["satisfaction"])
    given = steady(grouped[["digital_take_up", "rate_alone", "cpt_alone"]].mean()).rename(
        columns={"rate_alone": "completion_rate", "cpt_alone": "cost_per_transaction"})
    # A cost per transaction stands for the whole period only if every channel's count is known
    # and it is of all of them (the rule `actual` below keeps too).
    whole = {"completion_rate": True, "cost_per_transaction": out["tx_missing"].fillna(0).eq(0)
             & (out["tx_costed"] >= out["transactions"] - 0.5)}
    for rate, counts in (("completion_rate", "started_paired"), ("cost_per_transaction", "cost_paired")):
        alone = how_many[rate].eq(1) & paired[counts].le(1) & whole[rate]
        given[rate] = given[rate].fillna(plain[rate].where(alone))
    flags = grouped[[f"nr_{k}" for k in NR_KPIS]].any()
    out[["start", "end", "short"]] = grouped[["start", "end", "short"]].first()
    out["period"] = grouped["period"].first()
    out = out.join(given.add_prefix("given_")).join(flags).reset_index()
    complete = out["tx_missing"].fillna(0).eq(0)
    # A published figure is the service's own KPI, so it wins over one worked out from counts.
    counted = _ratio(out["digital_tx"], out["transactions"], 100).where(
        complete & out["uncounted_digital"].fillna(0).eq(0))
    out[m.DIGITAL_TAKE_UP] = out["given_digital_take_up"].fillna(counted)
    # ...but where the counts beside it give another figure, more than a rounded rate's slack
    # apart, the page shows both (73.8% on the card, 324 digital of 451 in the table): told
    # (build._warn_of_figures). A tester's published dashboard had such a slip in one month.
    # (Not where a channel is uncounted: its counts are of the others, and so is their take-up.)
    out["take_up_counted"] = counted.where((out["given_digital_take_up"] - counted).abs().gt(TAKE_UP_SLACK)
                                           & out["uncounted"].fillna(0).eq(0))
    out["digital_tx"] = out["digital_tx"].fillna(out["given_digital_take_up"] / 100 * out["transactions"])
    # A service with any cost data is judged on it alone; estimates are only for
    # services that publish no costs, so an actual figure is never compared with a guess. Nor
    # for one whose file marks its cost 'not requested' (***) in every period it counts: a cost
    # it chose not to publish (marked in some periods only, the others are estimated as before).
    by_service = out["service"]
    marked = out[f"nr_{m.COST_PER_TRANSACTION}"].astype(bool)
    throughout = (marked | out["transactions"].isna()).groupby(by_service).transform("all") & \
        marked.groupby(by_service).transform("any")
    has_costs = (out["cost_paired"].notna() | out["given_cost_per_transaction"].notna()
                 | out["cost_alone"].notna()).groupby(by_service).transform("any") | throughout
    # A cost for some channels' transactions and not others' is not the service's cost per
    # transaction (online's cost unknown, phone's £5.00: not £5.00 a transaction), as for estimates.
    # (A cost for the whole service, on a row of its own, is not of the channels counted alone.)
    actual = _ratio(out["cost_paired"], out["tx_costed"]).where(out["tx_costed"] >= out["transactions"] - 0.5).where(
        out["cost_alone"].isna(), _ratio(out["cost_alone"] + out["cost_paired"].fillna(0), out["transactions"]).where(
            out["uncounted"].fillna(0).eq(0)))
    over_months, some_channels = _cost_over_shorter_periods(out, rows)
    actual = actual.fillna(over_months)
    # A cost with no count of its own that no counts could be paired with: told (see unpaired_costs),
    # with why: not every channel's cost ('channels'), or not every month counted ('months').
    unpaired = out["cost_alone"].notna() & out["transactions"].isna() & over_months.isna() \
        & out["given_cost_per_transaction"].isna() & out["transactions"].notna().groupby(by_service).transform("any")
    out["cost_unpaired"] = np.where(unpaired, np.where(out.index.isin(list(some_channels)), "channels", "months"), "")
    # An estimate needs a unit cost for every channel used, or it would describe only some of them.
    estimate = _ratio(out["cost_estimated"], out["tx_estimable"]).where(
        out["tx_estimable"] == out["transactions"])
    estimate = estimate.where(~marked)  # a period marked 'not requested' is not estimated either
    out["cost_is_estimate"] = ~has_costs & estimate.notna()
    out[m.COST_PER_TRANSACTION] = out["given_cost_per_transaction"].fillna(
        actual.where(has_costs, estimate).where(complete))
    # A cost spent in a period with no transactions (a closed office's rent, a month of fixed
    # costs): no cost per transaction of its own, but part of the year's total cost, which had
    # lost it without a word. Only a cost written as one (beside the counts, or on a row of its
    # own, as a finance file's month; a cost per transaction times no transactions is no cost),
    # and not one marked not requested.
    out["idle_cost"] = out["cost_given"].add(out["cost_alone"], fill_value=0).where(
        has_costs & complete & out["transactions"].eq(0) & out["given_cost_per_transaction"].isna() & ~marked)
    out[m.COMPLETION_RATE] = out["given_completion_rate"].fillna(
        _ratio(out["completed_paired"], out["started_paired"], 100))
    from_ratings = (_ratio(out["ratings_score"], out["ratings_n"]) - 1) / 4 * 100
    # As for take-up, a published percentage is the service's own figure and wins over one worked
    # out from rating counts: a series must not switch definition when a month's counts are short.
    out[m.USER_SATISFACTION] = out["satisfaction_pct"].fillna(from_ratings)
    # "Not requested" KPIs are blanked so they never appear as values or changes.
    for kpi in PERIOD_KPIS:
        skipped = {svc.slug for svc in services if kpi in svc.not_requested}
        if skipped:
            out.loc[out["service"].isin(skipped), kpi] = np.nan
            if kpi == m.COST_PER_TRANSACTION:  # nor its costs in the year's total
                out.loc[out["service"].isin(skipped), "idle_cost"] = np.nan
    return out.sort_values(["service", "start"]).reset_index(drop=True)


def _cost_over_shorter_periods(out: pd.DataFrame, rows: pd.DataFrame) -> tuple[pd.Series, set]:
    """Cost per transaction of a period that has a cost and no count of its own (a finance system's
    year, £519,884 for 2024/25) from the service's counts of the shorter periods that make it up
    exactly (its twelve months, each with every channel's count): the year's cost over the year's
    transactions. Without this, a yearly cost beside monthly counts paired with nothing and the
    cost was lost without a word. The period's transactions stay blank: they are its months'.

    A cost for some channels only (phone's, from a finance line) is not the service's, as for a
    month. Worked out for all such periods at once: a service per council with years of them
    made a loop over every row per period cost seconds. Returns the costs per transaction and the
    periods whose months were whole but whose cost is not every channel's (to say so)."""
    found, some_channels = pd.Series(np.nan, index=out.index), set()
    alone = out.loc[out["cost_alone"].notna() & out["transactions"].isna(), ["service", "key", "start", "end"]]
    if not len(alone):
        return found, some_channels
    alone = alone.rename(columns={"start": "span_start", "end": "span_end"}).rename_axis("at").reset_index()
    counted = out.loc[out["transactions"].notna(), ["service", "start", "end", "transactions", "tx_missing"]]
    inner = alone.merge(counted, on="service")
    inner = inner[(inner["start"] >= inner["span_start"]) & (inner["end"] <= inner["span_end"])]
    grouped = inner.groupby("at")
    made = pd.DataFrame({"days": ((inner["end"] - inner["start"]).dt.days + 1).groupby(inner["at"]).sum(),
                         "starts": grouped["start"].nunique(), "periods": grouped.size(),
                         "missing": grouped["tx_missing"].max().fillna(0), "tx": grouped["transactions"].sum()})
    spans = alone.set_index("at")
    whole = made["days"].eq((spans["span_end"] - spans["span_start"]).dt.days.reindex(made.index) + 1) \
        & made["starts"].eq(made["periods"]) & made["missing"].eq(0) & made["tx"].gt(0)
    # Whose cost it is: the rows for all channels together, or every channel the months count.
    costing = rows.loc[rows["cost_alone"].notna(), ["service", "key", "channel"]]
    channels = costing.groupby(["service", "key"])["channel"].agg(frozenset)
    counting = rows.loc[rows["transactions"].notna() & rows["channel"].ne(""), ["service", "start", "end", "channel"]]
    counting_of: dict | None = None  # by service, made only if some cost is given channel by channel
    for at in made.index[whole.to_numpy()]:
        span = spans.loc[at]
        paid = channels.get((span["service"], span["key"]), frozenset())
        if "" not in paid:
            if counting_of is None:
                counting_of = dict(tuple(counting.groupby("service", sort=False)))
            own = counting_of.get(span["service"], counting.iloc[0:0])
            used = own[(own["start"] >= span["span_start"]) & (own["end"] <= span["span_end"])]["channel"]
            if not set(used) <= paid:
                some_channels.add(at)
                continue
        found[at] = out.at[at, "cost_alone"] / made.at[at, "tx"]
    return found, some_channels


def latest_two(periods: pd.DataFrame, kpi: str) -> pd.DataFrame:
    """For each service, the latest period that has a value for ``kpi``, and the latest before it
    that has one: ended before it began. A rolling year is compared with the year before, as its
    transactions are, not with the rolling year a quarter earlier that shares 9 of its 12 months
    (the Transactions Explorer's, whose cards beside each other had compared different periods, and
    called a change of 0.1 points between overlapping years worse: a tester's)."""
    cols = ["service", "start", "period", kpi] + (["cost_is_estimate"] if kpi == m.COST_PER_TRANSACTION else [])
    have = periods.loc[periods[kpi].notna(), [*cols, "end"]]
    grouped = have.groupby("service", sort=False)
    latest = grouped.nth(-1).set_index("service")
    before = have[have["end"].to_numpy() < latest["start"].reindex(have["service"]).to_numpy()]
    previous = before.groupby("service", sort=False).nth(-1).set_index("service")[cols[1:]].add_prefix("prev_")
    # The period just before, overlapping or not: where none ends before the latest begins, the
    # card names the one it is not compared with (see _overlapping).
    near = grouped.nth(-2).set_index("service")[["period"]].rename(columns={"period": "near_period"})
    return latest[cols[1:]].join(previous, how="left").join(near, how="left")


def window_bounds(periods: pd.DataFrame) -> pd.DataFrame:
    """Per service: the end of its latest period with transactions and the start of the 12 months to it."""
    have = periods[periods["transactions"].notna()]
    grouped = have.groupby("service")
    bounds = grouped["end"].max().rename("last_end").to_frame()
    # Weekly data is compared 52 weeks against 52 weeks; a calendar year would hold 52 or 53.
    weekly = grouped["period"].first().map(lambda p: p.kind == "week")
    day_after = bounds["last_end"] + pd.Timedelta(days=1)
    weeks = pd.Timedelta(weeks=52)
    bounds["window_start"] = (day_after - pd.DateOffset(years=1)).where(~weekly, day_after - weeks)
    bounds["previous_start"] = (bounds["window_start"] - pd.DateOffset(years=1)).where(
        ~weekly, bounds["window_start"] - weeks)
    bounds["previous_end"] = bounds["window_start"] - pd.Timedelta(days=1)
    _back_to_the_last_year_with_data(have, bounds, weekly)
    return bounds


def _back_to_the_last_year_with_data(have: pd.DataFrame, bounds: pd.DataFrame, weekly: pd.Series) -> None:
    """Where the 12 months before the latest hold no transactions but earlier periods do, compare
    with the last of them that has data: that period itself if it is a year long (2012-13, or a
    rolling year), else the same months whole years earlier (April 2012 to March 2013 for the year
    to March 2016, if the months between were never published). The comparison names it. Weekly
    data keeps its 52 weeks before."""
    frame = have[["service", "start", "end", "short"]].join(bounds, on="service")
    before = frame[frame["end"] < frame["window_start"]]
    if not len(before):
        return
    _, in_previous = _in_windows(before)
    counted = set(before.loc[in_previous, "service"])  # these compare with the 12 months before, as ever
    latest = before[~before["service"].isin(counted)].sort_values("end").groupby("service").tail(1)
    for slug, row in latest.set_index("service").iterrows():
        if weekly[slug]:
            continue
        if pd.Timedelta(days=364) <= row["end"] - row["start"] <= pd.Timedelta(days=366):  # itself a year: that one
            bounds.at[slug, "previous_start"], bounds.at[slug, "previous_end"] = row["start"], row["end"]
            continue
        start = row["window_start"]
        years = 2
        while start - pd.DateOffset(years=years) > row["end"]:
            years += 1
        bounds.at[slug, "previous_start"] = start - pd.DateOffset(years=years)
        bounds.at[slug, "previous_end"] = start - pd.DateOffset(years=years - 1) - pd.Timedelta(days=1)


def _in_windows(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Which rows fall in the latest 12 months and which in the 12 before (or the last earlier
    12 months with data: see _back_to_the_last_year_with_data).

    Months, quarters and years must lie wholly inside a window (so rolling
    12-month ranges never overlap two windows); days and weeks go by their
    last day, so a week straddling the boundary is counted once, not lost.
    """
    ws, le, ps, pe = frame["window_start"], frame["last_end"], frame["previous_start"], frame["previous_end"]
    short = frame["short"].astype(bool)
    current = (frame["end"] <= le) & ((frame["start"] >= ws) | (short & (frame["end"] >= ws)))
    previous = (frame["end"] <= pe) & ((frame["start"] >= ps) | (short & (frame["end"] >= ps)))
    return current, previous


def year_windows(periods: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    """Per service: totals over the latest 12 months and the 12 months before."""
    frame = periods.join(bounds, on="service", how="inner")
    in_window, in_previous = _in_windows(frame)
    # A month counts towards a complete year only if every channel's count is present.
    complete = frame["transactions"].notna() & frame["tx_missing"].fillna(0).eq(0)
    frame["months"] = period_attr(frame["period"], lambda p: p.months).astype(float).where(complete, 0.0)
    known = frame[m.DIGITAL_TAKE_UP].notna()
    frame["digital_known"] = frame["digital_tx"].where(known)
    frame["tx_known"] = frame["transactions"].where(known)
    current = frame[in_window].groupby("service")
    previous = frame[in_previous].groupby("service")
    out = steady(pd.DataFrame({
        "transactions": current["transactions"].sum(min_count=1),
        "digital": current["digital_known"].sum(min_count=1),
        "tx_known": current["tx_known"].sum(min_count=1),
        "months": current["months"].sum(),
        "previous_transactions": previous["transactions"].sum(min_count=1),
        "previous_months": previous["months"].sum(),
    }))
    return bounds.join(out, how="left")


def channel_totals(rows: pd.DataFrame, bounds: pd.DataFrame) -> pd.DataFrame:
    """Transactions per service and channel in the latest 12 months and the 12 before."""
    frame = rows[["service", "channel", "start", "end", "short", "transactions"]].join(
        bounds, on="service", how="inner")
    current, previous = _in_windows(frame)
    frame["now"] = frame["transactions"].where(current)
    frame["before"] = frame["transactions"].where(previous)
    frame["gaps"] = (frame["transactions"].isna() & current).astype(int)  # a period it has no figure for
    grouped = frame.groupby(["service", "channel"])
    return steady(grouped[["now", "before"]].sum(min_count=1)).join(grouped["gaps"].sum())


def _window_label(start, end) -> str | None:
    """'April 2023 to March 2024', or day by day when the window is not whole months."""
    if start is None or pd.isna(start):
        return None
    return Period(start.date(), end.date(), "range").label


def compute(tidy: pd.DataFrame, config: Config, services: list[Service]) -> dict[str, ServiceFigures]:
    """Figures for every service, keyed by slug. Services with no data get empty figures."""
    results: dict[str, ServiceFigures] = {}
    if len(tidy):
        rows = prepare(tidy, config, services)
        periods = per_period(rows, services)
        bounds = window_bounds(periods)
        windows = year_windows(periods, bounds)
        latest = {kpi: latest_two(periods, kpi).to_dict("index") for kpi in PERIOD_KPIS}
        by_channel = steady(rows.groupby(["service", "key", "channel"])["transactions"].sum(min_count=1)).unstack()
        split = channel_totals(rows, bounds).to_dict("index")
        window_rows = windows.to_dict("index")
        period_lists = _period_rows(periods, by_channel, config)
        marked = _marked_not_requested(periods)
        uncounted, uncounted_spans = _uncounted_channels(rows, periods, config)
        unpaired = {slug: tuple(zip(group["period"].map(lambda p: p.label), group["cost_unpaired"])) for slug, group
                    in periods[periods["cost_unpaired"].ne("")].groupby("service", sort=False)}
        apart = counts_never_on_one_row(tidy)
        disagree = {slug: tuple(zip(group["period"].map(lambda p: p.label), group["given_digital_take_up"],
                                    group["take_up_counted"], group["digital_tx"], group["transactions"]))
                    for slug, group in periods[periods["take_up_counted"].notna()].groupby("service", sort=False)}
    else:
        latest, split, window_rows, period_lists, marked, unpaired, uncounted = {}, {}, {}, {}, {}, {}, {}
        uncounted_spans = {}
        apart, disagree = set(), {}
    for svc in services:
        unpaired_here = unpaired.get(svc.slug, ())
        kept, spans = _cost_spans(period_lists.get(svc.slug, []), {label for label, _ in unpaired_here})
        fig = results[svc.slug] = _service_figures(svc, config, latest, window_rows.get(svc.slug),
                                                   kept, split, marked.get(svc.slug, ()), svc.slug in apart)
        fig.unpaired_costs, fig.cost_spans = unpaired_here, spans
        fig.uncounted_channels = uncounted.get(svc.slug, ())
        fig.uncounted_spans = uncounted_spans.get(svc.slug, {})
        if m.DIGITAL_TAKE_UP not in fig.not_requested:  # (not shown, so not beside its counts)
            fig.take_up_disagrees = disagree.get(svc.slug, ())
        if spans and kept:  # 'Data covers' the years of cost too: the cost card may show one
            fig.data_period_label = covered_label(kept, shown_cost_spans(fig))
    return results


def shown_cost_spans(fig: ServiceFigures) -> list[Period]:
    """The periods of a service's costs for longer periods that its page shows: not one its months'
    counts could not be paired with, which is in no figure of its page ('Data covers April 2024 to
    March 2025' had been said beside figures up to September 2024, of a year's cost used nowhere)."""
    unpaired = {label for label, _ in fig.unpaired_costs}
    return [row.period for row in fig.cost_spans if row.period.label not in unpaired]


def covered_label(rows, extra: Iterable[Period] = ()) -> str | None:
    """What 'Data covers': from the first to the last period with a figure (a column blank for two
    years before a service began, in a wide file, had been said to be covered), with ``extra``
    periods (years of cost beside months, a declared measure's periods); the rows as they are if
    none has a figure."""
    told = [r.period for r in rows if r.has_figures or r.not_requested] + list(extra)
    told = told or [r.period for r in rows]
    return Period(min(p.start for p in told), max(p.end for p in told), "range").label if told else None


def _cost_spans(rows: list[m.PeriodRow], unpaired: set[str] = frozenset()) -> tuple[list[m.PeriodRow],
                                                                                     list[m.PeriodRow]]:
    """(rows, cost spans): a period with no transactions, clearly longer than the service's shortest
    period with some (a year beside months or quarters; not a rolling year a leap day longer than
    another), whose only figure is a cost (or its 'not requested', or a cost its months could not be
    paired with: ``unpaired``, by label) is a cost span (see ServiceFigures)."""
    if all(row.transactions is not None for row in rows):
        return rows, []
    counted = [row.period.end - row.period.start for row in rows if row.transactions is not None]
    if not counted:
        return rows, []
    shortest = min(counted)

    def span(row: m.PeriodRow) -> bool:
        return row.transactions is None and row.period.end - row.period.start > shortest * 1.5 and (
            row.cost_per_transaction is not None or m.COST_PER_TRANSACTION in row.not_requested
            or row.period.label in unpaired) and \
            row.digital_take_up is None and row.completion_rate is None and row.user_satisfaction is None

    return [row for row in rows if not span(row)], [row for row in rows if span(row)]


_VALUE_OF_KPI = {m.TRANSACTIONS_PER_YEAR: "transactions", **{k: k for k in PERIOD_KPIS}}


def _floats(values) -> list:
    """A column of numbers as Python floats, None where there is no value (as _nan_to_none)."""
    numbers = np.asarray(values, dtype=float)
    out = numbers.astype(object)
    out[np.isnan(numbers)] = None
    return out.tolist()


def _period_rows(periods: pd.DataFrame, by_channel: pd.DataFrame, config: Config) -> dict[str, list[m.PeriodRow]]:
    """Each service's rows of figures by period, in order, made column by column: at GOV.UK scale
    there are tens of thousands, and a dictionary per row (``to_dict("records")``), read a key
    at a time, was most of working out the figures."""
    keys = pd.MultiIndex.from_arrays([periods["service"], periods["key"]])
    channels = _floats(by_channel.reindex(index=keys, columns=[ch.id for ch in config.channels]))
    values = {col: _floats(periods[col]) for col in
              ("transactions", "digital_tx", *PERIOD_KPIS, *{_VALUE_OF_KPI[k] for k in NR_KPIS})}
    flagged = periods[[f"nr_{k}" for k in NR_KPIS]].to_numpy(dtype=bool)
    # Every channel's cost whose months are not all counted (not a cost for some channels only).
    unpaired = _floats(periods["cost_alone"].where(periods["cost_unpaired"].eq("months")))
    idle = _floats(periods["idle_cost"])
    unmarked: frozenset = frozenset()
    out: dict[str, list[m.PeriodRow]] = {}
    for i, (slug, period, estimated, missing) in enumerate(zip(
            periods["service"].tolist(), periods["period"].tolist(),
            periods["cost_is_estimate"].to_numpy(dtype=bool).tolist(), periods["tx_missing"].tolist())):
        flags = flagged[i]
        out.setdefault(slug, []).append(m.PeriodRow(
            period=period,
            transactions=values["transactions"][i],
            digital_transactions=values["digital_tx"][i],
            digital_take_up=values[m.DIGITAL_TAKE_UP][i],
            cost_per_transaction=values[m.COST_PER_TRANSACTION][i],
            cost_estimated=estimated,
            complete=not missing,
            completion_rate=values[m.COMPLETION_RATE][i],
            user_satisfaction=values[m.USER_SATISFACTION][i],
            by_channel=channels[i],
            not_requested=frozenset(k for k, flag in zip(NR_KPIS, flags)
                                    if flag and values[_VALUE_OF_KPI[k]][i] is None) if flags.any() else unmarked,
            unpaired_cost=unpaired[i],
            idle_cost=idle[i],
        ))
    return out


def _uncounted_channels(rows: pd.DataFrame, periods: pd.DataFrame, config: Config) -> tuple[dict, dict]:
    """By service: the labels of channels whose count it marks not requested, beside other channels'
    counts ('Post, in 3 of 12 periods' where only some periods are marked so); and, by service and
    channel label, the (start, end) days of those periods, so that a year's savings or costs say
    it is left out only where it is (a review)."""
    marked = rows[rows["uncounted"]]
    if not len(marked):
        return {}, {}
    labels = {c.id: c.label for c in config.channels}
    spans = periods.groupby("service", sort=False).size()
    out: dict[str, tuple[str, ...]] = {}
    days: dict[str, dict[str, tuple]] = {}
    for (slug, channel), group in marked.groupby(["service", "channel"], sort=False):
        n, of = group["key"].nunique(), int(spans.get(slug, 0))
        label = labels.get(channel, channel)
        out[slug] = (*out.get(slug, ()), label + ("" if n >= of else f", in {n} of {of} periods"))
        days.setdefault(slug, {})[label] = tuple(sorted({(p.start, p.end) for p in group["period"]}))
    return out, days


def _marked_not_requested(periods: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """By service: the KPIs its data marks 'not requested' somewhere and never reports a value for."""
    by_service = periods.groupby("service", sort=False)
    out: dict[str, tuple[str, ...]] = {}
    for kpi in NR_KPIS:
        marked = by_service[f"nr_{kpi}"].any() & ~by_service[_VALUE_OF_KPI[kpi]].count().gt(0)
        for slug in marked.index[marked.to_numpy(dtype=bool)]:
            out[slug] = (*out.get(slug, ()), kpi)
    return out


def _service_figures(svc: Service, config: Config, latest: dict, window: dict | None, rows: list[m.PeriodRow],
                     split: dict, marked: tuple[str, ...], counts_apart: bool = False) -> ServiceFigures:
    kpis: dict[str, m.Figure] = {}
    year = YearWindow(None, None, None, None, None, None, 0.0, 0.0)
    kind = rows[-1].period.kind if rows else None
    step = 3 if kind in ("quarter", "financial_quarter") else 12 if kind in ("year", "financial_year") else 1
    begins = None  # a service of months or quarters whose figures begin inside its latest year
    if window is not None:
        start, end, prev_start = window["window_start"], window["last_end"], window["previous_start"]
        first = next((r.period for r in rows if r.transactions is not None), None)
        # (and days or weeks: five days of requests had read 'January to December 2017', a tester's)
        if first is not None and first.kind in ("month", "quarter", "financial_quarter", "day", "week") \
                and pd.Timestamp(first.start) > start:
            begins = first.start  # the year is labelled from there: its months before it are not the service's
        year = YearWindow(
            start=(pd.Timestamp(begins) if begins else start).date(), end=end.date(),
            label=_window_label(pd.Timestamp(begins) if begins else start, end),
            previous_label=_window_label(prev_start, window["previous_end"]),
            transactions=_nan_to_none(window["transactions"]),
            previous_transactions=_nan_to_none(window["previous_transactions"]),
            digital=_nan_to_none(window["digital"]),
            transactions_known_split=_nan_to_none(window["tx_known"]),
            months_with_data=float(window["months"]),
            previous_months_with_data=float(window["previous_months"]),
        )
    not_requested = set(svc.not_requested) | set(marked)
    notes = []
    if year.transactions is not None and begins is not None:
        since = (end.year * 12 + end.month) - (begins.year * 12 + begins.month) + 1
        count, total = round(year.months_with_data / step), round(since / step)
        unit = "month" if step == 1 else "quarter"
        short = first.kind in ("day", "week")  # (days and weeks are not counted in months)
        notes.append(f"less than a year of figures: the first is for {first.label}"
                     + ("" if count >= total or short else f"; {count:g} of the {total:g} {unit}s since "
                        f"{'has' if count == 1 else 'have'} complete data"))
    elif year.transactions is not None and round(year.months_with_data) < 12:
        # A year's figures ('2018-19') are whole or not: not in months (a tester's "none of the 12
        # months has complete data", of a yearly inventory with a channel's figure not given).
        notes.append("not every channel has a figure for the year" if step == 12 else
                     f"{_periods_complete(year.months_with_data, step)} complete data")
    partial_year = bool(notes)  # what is noted so far says the year is not whole; what is noted below does not
    # Only two whole years are compared: a year with a channel's figures missing (a channel that
    # stopped reporting, a late month) against a full one would show a fall that is not there.
    whole = year.months_with_data >= COMPLETE_YEAR and year.previous_months_with_data >= COMPLETE_YEAR
    prev_tx = year.previous_transactions if whole else None
    incomplete = None  # an earlier year there is, but a year too incomplete to compare: the card says so
    if year.transactions is not None and prev_tx is None and year.previous_transactions is not None:
        short, label = ((year.previous_months_with_data, year.previous_label)
                        if year.previous_months_with_data < COMPLETE_YEAR else (year.months_with_data, year.label))
        count = round(short / step)
        unit = "month" if step == 1 else "quarter"
        if step == 12:
            incomplete = f"No comparison with {year.previous_label}" + (
                ", for which not every channel has a figure" if label == year.previous_label else
                f": not every channel has a figure for {label}")
            if label == year.label:  # said once on the card (a tester read it twice)
                notes = [n for n in notes if n != "not every channel has a figure for the year"]
        else:
            incomplete = (f"No comparison with {year.previous_label}" + (
                ", which has " if label == year.previous_label else f": {label} has ") + (
                f"only {count:g} {unit}{'' if count == 1 else 's'} of complete data" if count
                else f"no {unit} of complete data"))
    if year.transactions is not None and year.previous_transactions is None and year.start is not None:
        incomplete = _no_year_before(rows, year)
    digital_only = [r for r in rows if r.transactions is None and r.digital_transactions is not None] \
        if year.transactions is None else []
    if digital_only:  # 'No figure has been published' beside a published digital count (a tester)
        last = digital_only[-1]
        notes.append(f"Only a digital count was published: {last.digital_transactions:,.0f} digital transactions"
                     f"{in_period(last.period.label)}, with no total of all channels")
    elif year.transactions is not None and window is not None:
        # A newer period with a digital count alone (the Transactions Explorer's last year, for some
        # services): the card's year is the latest with a total, and says why it is not the newest.
        # (Not a count of 0 with no total: an export's way of writing nothing, for a service that had ended.)
        later = [r for r in rows if r.transactions is None and r.digital_transactions
                 and pd.Timestamp(r.period.end) > window["last_end"]]
        if later:
            notes.append(f"Only a digital count was published for a later period: "
                         f"{later[-1].digital_transactions:,.0f} digital transactions"
                         f"{in_period(later[-1].period.label)}, with no total of all channels")
    note = "; ".join(notes) or None
    kpis[m.TRANSACTIONS_PER_YEAR] = make_figure(
        m.TRANSACTIONS_PER_YEAR, year.transactions, year.label, prev_tx, year.previous_label,
        status=m.NOT_REQUESTED if m.TRANSACTIONS_PER_YEAR in not_requested else m.OK,
        target=svc.targets.get(m.TRANSACTIONS_PER_YEAR), note=note, no_comparison=incomplete)
    kpis[m.TRANSACTIONS_PER_YEAR].partial_year = partial_year and year.transactions is not None
    # The latest period, but for rows saying only that 0 were digital ('the latest figures'; see has_figures).
    newest = next((r.period for r in reversed(rows) if not r.a_zero_digital_count_alone),
                  rows[-1].period if rows else None)
    for kpi in PERIOD_KPIS:
        rec = latest.get(kpi, {}).get(svc.slug)
        status = m.NOT_REQUESTED if kpi in not_requested else m.OK
        if rec is None:
            why = _no_take_up_why(rows) if kpi == m.DIGITAL_TAKE_UP else _COUNTS_APART \
                if kpi == m.COMPLETION_RATE and counts_apart else None
            kpis[kpi] = make_figure(kpi, None, None, None, None, status=status, target=svc.targets.get(kpi),
                                    note=why)
            continue
        prev_period = rec.get("prev_period")
        kpis[kpi] = make_figure(
            kpi, rec[kpi], rec["period"].label, rec.get(f"prev_{kpi}"),
            prev_period.label if isinstance(prev_period, Period) else None,
            estimated=bool(rec.get("cost_is_estimate", False)), status=status, target=svc.targets.get(kpi),
            note=OVER_100 if kpi == m.DIGITAL_TAKE_UP and rec[kpi] is not None and rec[kpi] > 100.05 else None,
            no_comparison=None if isinstance(prev_period, Period) else _overlapping(rec.get("near_period")))
        # A year or more before the service's latest figures: the card says so, beside current ones.
        kpis[kpi].dated = newest is not None and isinstance(rec.get("period"), Period) and \
            (newest.end - rec["period"].end).days >= 365
    if newest is not None:
        for kpi in PERIOD_KPIS:
            fig = kpis[kpi]
            fig.stale = fig.period_label is not None and fig.period_label != newest.label
        # The year of transactions too, if it ends before the latest data (a later period has only
        # a cost, say): a table row then says which year each figure is for.
        if window is not None and year.transactions is not None:
            kpis[m.TRANSACTIONS_PER_YEAR].stale = pd.Timestamp(window["last_end"]).date() < newest.end
    shares = _channel_split(svc, config, split, year, rows)
    data_label = covered_label(rows)
    used = tuple(i for i in range(len(config.channels)) if any(row.by_channel[i] is not None for row in rows))
    return ServiceFigures(kpis, year, shares, rows, data_label, tuple(sorted(not_requested)), used,
                          latest_label=newest.label if newest is not None else None)


def _overlapping(period) -> str | None:
    """Why a figure with an earlier one has no change beside it: that one overlaps it (a rolling year
    a quarter before), and only periods that do not are compared (see latest_two)."""
    return f"No comparison with {period.label}, which overlaps this period" if isinstance(period, Period) else None


def _no_year_before(rows: list[m.PeriodRow], year: YearWindow) -> str | None:
    """Why a year of transactions with earlier figures has no change beside it, or None if it has
    none earlier: 'No earlier period to compare with' had been said beside a rolling year whose
    figure before overlapped it (January to December 2012, after April 2011 to March 2012), and
    beside a year after a year with no figures (a tester's)."""
    earlier = [r.period for r in rows if r.transactions is not None and r.period.start < year.start]
    if not earlier:
        return None
    last = max(earlier, key=lambda period: (period.end, period.start))
    if last.end >= year.start:
        return f"No comparison with {last.label}, which overlaps these 12 months"
    return f"No transactions are published for {year.previous_label} to compare with"


# A completion rate's card where started and completed counts are never on one row (a period and
# channel): it had said 'No figure has been published for this' beside both (a tester's).
_COUNTS_APART = ("Started and completed counts are published, but never for the same period and channel, "
                 "so the rate cannot be worked out")


def _no_take_up_why(rows: list[m.PeriodRow]) -> str | None:
    """Why a service with transactions has no take-up, where it is that no period has every channel's
    count: its card had said 'No figure has been published for this' beside a published Online count
    (a tester's service with four of its seven channels 'ND'). None where that is not why."""
    counted = [r for r in rows if r.transactions is not None]
    if not counted or any(r.complete for r in counted):
        return None
    when = f"for {counted[0].period.label}" if len(counted) == 1 else "for any period"
    return f"Not every channel has a figure {when}, so take-up cannot be worked out"


def _periods_complete(months: float, step: int) -> str:
    """'4 of the 12 months have', or for quarterly data 'none of the 4 quarters has'."""
    count, whole, unit = round(months / step), 12 // step, "months" if step == 1 else "quarters"
    if count == 0:
        return f"none of the {whole} {unit} has"
    return f"{count:g} of the {whole} {unit} {'has' if count == 1 else 'have'}"


def _channel_split(svc, config, split, year: YearWindow, rows: list[m.PeriodRow]) -> list[m.ChannelShare]:
    entries = [(ch, split.get((svc.slug, ch.id))) for ch in config.channels]
    entries = [(ch, e) for ch, e in entries if e is not None]
    now_total = sum(v for _, e in entries if not np.isnan(v := e["now"]))
    before_total = sum(v for _, e in entries if not np.isnan(v := e["before"]))
    complete_previous = year.previous_months_with_data >= COMPLETE_YEAR
    out = []
    for ch, e in entries:
        now, before = _nan_to_none(e["now"]), _nan_to_none(e["before"])
        if now is None and before is None:
            continue
        if now is None and not e["gaps"]:  # no row at all in the latest 12 months: it had closed, so none
            now = 0.0
        info = m.ChannelInfo(ch.id, ch.label, ch.digital, ch.unit_cost)
        share = now / now_total * 100 if now is not None and now_total > 0 else None
        prev = before / before_total * 100 if before is not None and before_total > 0 and complete_previous else None
        out.append(m.ChannelShare(info, now, share, prev, before if complete_previous else None, int(e["gaps"]),
                                  None if e["gaps"] else _last_figure(rows, config.channels.index(ch))))
    return out


def _last_figure(rows: list[m.PeriodRow], index: int) -> str | None:
    """The label of a channel's last period with a figure, if the service has later transactions
    (not merely a later row: a month of satisfaction alone had said every channel stopped)."""
    last = next((row for row in reversed(rows) if row.by_channel[index] is not None), None)
    counted = next((row for row in reversed(rows) if row.transactions is not None), None)
    return last.period.label if last and counted and last.period.end < counted.period.end else None
