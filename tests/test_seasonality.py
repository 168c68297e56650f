"""Seasonal profile, same month last year and unusual months, checked against values worked out by hand."""

import math
from datetime import date

import pytest

from generator.periods import Period, month_span
from generator.seasonality import (
    MonthProfile,
    month_period,
    month_profile,
    monthly_values,
    same_month_last_year,
    unusual_latest,
)


def monthly(year, month, values):
    """A monthly series starting at year-month, one value per month (None = missing)."""
    first = year * 12 + month - 1
    return [(month_period(first + i), v) for i, v in enumerate(values)]


# --- helpers ---------------------------------------------------------------


def test_month_period_is_a_parsed_month():
    assert month_period(2024 * 12 + 1) == Period(date(2024, 2, 1), date(2024, 2, 29), "month")


def test_monthly_values_ignores_missing_and_refuses_non_monthly_series():
    series = monthly(2024, 11, [5, None, float("nan"), -1, 7])
    assert monthly_values(series) == {2024 * 12 + 10: 5.0, 2025 * 12 + 2: 7.0}
    quarters = [(month_span(2024, 1, 3, "quarter"), 10.0), (month_span(2024, 4, 3, "quarter"), 12.0)]
    assert monthly_values(quarters) is None
    assert month_profile(quarters) is None
    assert same_month_last_year(quarters) is None
    assert unusual_latest(quarters) is None


# --- month_profile ---------------------------------------------------------


def test_month_profile_means_and_indexes():
    # April 2022 to March 2024. Calendar month m is 10*m in the first year it
    # appears and 30*m in the second, so its mean is 20*m; the average of the
    # twelve means is 20 * 6.5 = 130, and the index of month m is 20m/130*100.
    first_year = [10 * m for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    second_year = [30 * m for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    profile = month_profile(monthly(2022, 4, first_year + second_year))
    assert [p.month for p in profile] == list(range(1, 13))
    assert profile[0] == MonthProfile(1, "January", pytest.approx(20.0), pytest.approx(2000 / 130), 2)
    assert profile[11].name == "December"
    assert profile[11].mean == pytest.approx(240.0)
    assert profile[11].index == pytest.approx(240 / 130 * 100)
    assert sum(p.index for p in profile) / 12 == pytest.approx(100.0)


def test_month_profile_counts_the_years_each_month_has():
    # 30 months from January: January to June have three values, the rest two.
    values = [100.0] * 30
    values[12] = None  # January of the second year is missing
    profile = month_profile(monthly(2021, 1, values))
    assert profile[0].years == 2 and profile[1].years == 3 and profile[6].years == 2
    assert all(p.index == pytest.approx(100.0) for p in profile)


def test_month_profile_needs_two_years_and_every_calendar_month():
    assert month_profile(monthly(2022, 1, [100.0] * 23)) is None
    assert month_profile(monthly(2022, 1, [100.0] * 24)) is not None
    # 36 months, but June never has a value: the profile would be misleading.
    no_junes = [None if i % 12 == 5 else 100.0 for i in range(36)]
    assert month_profile(monthly(2022, 1, no_junes)) is None
    assert month_profile(monthly(2022, 1, [0.0] * 24)) is None


# --- same_month_last_year --------------------------------------------------


def test_same_month_last_year_change():
    values = [100.0] * 12 + [90.0] * 11 + [125.0]  # March 2024 ... March 2025 = 125 against 100
    result = same_month_last_year(monthly(2023, 4, values))
    assert result.period.label == "March 2025"
    assert result.previous_period.label == "March 2024"
    assert (result.value, result.previous_value) == (125.0, 100.0)
    assert result.change == pytest.approx(25.0)


def test_same_month_last_year_uses_the_latest_month_with_a_value():
    values = [80.0] + [100.0] * 11 + [60.0, None, None]  # latest value: April 2024, against April 2023
    result = same_month_last_year(monthly(2023, 4, values))
    assert result.period.label == "April 2024"
    assert result.change == pytest.approx(-25.0)


def test_same_month_last_year_none_without_a_usable_previous_value():
    assert same_month_last_year(monthly(2023, 1, [0.0] + [5.0] * 12)) is None  # a year earlier was 0
    assert same_month_last_year(monthly(2023, 1, [None] + [5.0] * 12)) is None  # a year earlier missing
    assert same_month_last_year(monthly(2023, 1, [5.0] * 12)) is None  # under a year of data
    assert same_month_last_year([]) is None


# --- unusual_latest --------------------------------------------------------


def odd_march_series(latest):
    """April 2021 to March 2025: 10,000 a month, except the Marches: 9,000, 10,000, 13,000, then ``latest``.

    Worked by hand for March 2025. Growth of the 12 months before it (April
    2024 to February 2025 plus March 2024) on the 12 before those: 123,000 /
    120,000. A year further back: 120,000 / 119,000. Two years before that
    cannot be measured (no data), so the last measured growth is reused.
      March 2024: 13,000 * 1.025                          = 13,325
      March 2023: 10,000 * 1.025 * (120/119)              = 10,336.13
      March 2022:  9,000 * 1.025 * (120/119)^2            =  9,380.5
    The median, 10,336.13, is what earlier years suggest.
    """
    values = [10_000.0] * 48
    values[11], values[23], values[35], values[47] = 9_000.0, 10_000.0, 13_000.0, latest
    return monthly(2021, 4, values)


EXPECTED = 10_000 * 1.025 * 120 / 119


def test_expected_value_is_the_median_of_earlier_years_grown():
    result = unusual_latest(odd_march_series(10_500.0))
    assert result.expected == pytest.approx(EXPECTED)
    # Earlier months vary by at most a few per cent, so the usual variation is the 5% floor.
    assert result.score == pytest.approx((math.log1p(10_500) - math.log1p(EXPECTED)) / 0.05)
    assert result.level == "usual"
    assert result.sentence == (
        "March 2025 was within the usual range for a March: 10,500 against about 10,300 expected from earlier years."
    )


def test_a_spike_in_the_latest_month_is_very_unusually_high():
    result = unusual_latest(odd_march_series(15_000.0))
    assert result.period.label == "March 2025" and result.value == 15_000.0
    assert result.score == pytest.approx((math.log1p(15_000) - math.log1p(EXPECTED)) / 0.05)  # about 7.4
    assert result.level == "very unusually high"
    # April 2022 to February 2025 could be compared with an earlier year: 35 months.
    assert result.sentence == (
        "March 2025 was very unusually high for a March: 15,000 against about 10,300 expected from "
        "earlier years, a bigger difference than in any of the 35 earlier months that could be compared."
    )


def test_a_moderate_rise_is_unusually_high_and_a_dip_unusually_low():
    high = unusual_latest(odd_march_series(11_500.0))  # score about 2.1
    assert high.level == "unusually high"
    low = unusual_latest(odd_march_series(9_200.0))  # score about -2.3
    assert low.level == "unusually low" and low.score < 0
    assert low.sentence.startswith("March 2025 was unusually low for a March: 9,200 against about 10,300")
    very_low = unusual_latest(odd_march_series(5_000.0))
    assert very_low.level == "very unusually low"


def test_unusualness_is_judged_against_the_series_own_variation():
    # The same 15% rise is unusual in a steady series but usual in one that
    # swings by 30% from year to year.
    steady = [1000.0] * 36 + [1150.0]
    assert unusual_latest(monthly(2022, 1, steady)).level == "unusually high"
    swings = [1000.0 * (1.3 if (i // 12 + i) % 2 else 0.77) for i in range(36)] + [1150.0]
    assert unusual_latest(monthly(2022, 1, swings)).level == "usual"


def test_unusual_latest_needs_two_earlier_years_of_the_same_month():
    assert unusual_latest(monthly(2022, 1, [100.0] * 24)) is None  # only one earlier January
    assert unusual_latest(monthly(2022, 1, [100.0] * 25)) is not None
    gap = [100.0] * 25
    gap[12] = None  # the January in between is missing
    assert unusual_latest(monthly(2022, 1, gap)) is None
    assert unusual_latest([]) is None


def test_a_flat_year_names_no_month_both_busiest_and_quietest():
    """A tester's flat series read 'January is usually the busiest month, with 100% ... and January
    the quietest, with 100%': where every month shows the same figure, no month is named."""
    from types import SimpleNamespace

    from generator.charts import _month_profile_chart

    def summary(values):
        service = SimpleNamespace(month_profile=month_profile(monthly(2022, 1, values)))
        return _month_profile_chart(service, "b", "£").summary

    assert summary([100.0] * 24) == "No month stands out: each has about 100% of an average month's transactions."
    # December (100 + 160) / 2 = 130 against an average month's (11 x 100 + 130) / 12 = 102.5: 127%;
    # the other eleven 100 / 102.5 = 98% each.
    assert summary([100.0] * 23 + [160.0]) == ("December is usually the busiest month, with 127% of an average "
                                               "month's transactions, and 11 months the quietest, with 98% each.")
    # January and February 150 in both years, against (2 x 150 + 10 x 100) / 12 = 108.3: 138%, the rest 92%.
    assert summary(([150.0] * 2 + [100.0] * 10) * 2).startswith(
        "January and February are usually the busiest, with 138% of an average month's transactions")
    # Three are named (a review found '3 months are usually the busiest', naming none); more are counted.
    # January to March 150, against (3 x 150 + 9 x 100) / 12 = 112.5: 133%; the rest 89%.
    assert summary(([150.0] * 3 + [100.0] * 9) * 2) == (
        "January, February and March are usually the busiest, with 133% of an average month's transactions, "
        "and 9 months the quietest, with 89% each.")
    # Up to six months are named (a tester read '4 months the quietest', which four not said): January
    # and February 150, March to June 100, the rest 120, against (2 x 150 + 4 x 100 + 6 x 120) / 12 =
    # 118.3: 127% and 85%.
    assert summary(([150.0] * 2 + [100.0] * 4 + [120.0] * 6) * 2) == (
        "January and February are usually the busiest, with 127% of an average month's transactions, "
        "and March, April, May and June the quietest, with 85% each.")
