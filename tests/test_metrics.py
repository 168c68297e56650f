"""KPIs checked against values worked out by hand from the fixture in sitefactory.py."""

import pytest

from generator import model as m
from generator.build import prepare
from sitefactory import standard_files, write_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    return prepare(write_site(root, standard_files())).model


def service(site, slug):
    return next(s for s in site.services if s.slug == slug)


def test_digital_take_up_skips_a_period_with_a_missing_channel(site):
    fig = service(site, "fines").kpis[m.DIGITAL_TAKE_UP]
    # March's phone count is blank, so March take-up is unknown; February is
    # 120 / (120 + 40 + 40) = 60%, January 100 / 200 = 50%.
    assert fig.value == pytest.approx(60.0)
    assert fig.period_label == "February 2024"
    assert fig.previous_value == pytest.approx(50.0)
    assert fig.previous_period_label == "January 2024"
    assert fig.change == pytest.approx(10.0)
    assert fig.direction == "up" and fig.assessment == "better"
    assert fig.target == 75 and fig.meets_target is False


def test_cost_per_transaction_from_cost_data_skips_gaps(site):
    fig = service(site, "fines").kpis[m.COST_PER_TRANSACTION]
    # March has a blank phone count, so its cost per transaction is unknown;
    # February has no costs. January: (20 + 150 + 500) / 200 = 3.35.
    assert fig.value == pytest.approx(3.35)
    assert fig.period_label == "January 2024"
    assert not fig.estimated
    # December has no costs; November: (16 + 150 + 600) / 200 = 3.83.
    assert fig.previous_value == pytest.approx(3.83)
    assert fig.previous_period_label == "November 2023"
    assert fig.direction == "down" and fig.assessment == "better"
    assert fig.change_percent == pytest.approx((3.35 - 3.83) / 3.83 * 100)


def test_completion_rate(site):
    fig = service(site, "fines").kpis[m.COMPLETION_RATE]
    assert fig.value == pytest.approx(75.0)  # 150 / 200
    assert fig.previous_value == pytest.approx(80.0)  # 120 / 150
    assert fig.change == pytest.approx(-5.0)
    assert fig.assessment == "worse"


def test_user_satisfaction_from_rating_counts(site):
    fig = service(site, "fines").kpis[m.USER_SATISFACTION]
    # March ratings 0,1,1,3,5: mean 42/10 = 4.2 -> (4.2-1)/4 = 80%.
    assert fig.value == pytest.approx(80.0)
    # February has none; January 1,1,2,6,10: mean 83/20 = 4.15 -> 78.75%.
    assert fig.previous_value == pytest.approx(78.75)
    assert fig.previous_period_label == "January 2024"


def test_transactions_per_year_counts_present_values_and_notes_gaps(site):
    fig = service(site, "fines").kpis[m.TRANSACTIONS_PER_YEAR]
    assert fig.value == 200 + 200 + 200 + 200 + 180
    # The figures begin in November 2023: the year is named from there, not from April 2023.
    assert fig.period_label == "November 2023 to March 2024"
    assert fig.note == ("less than a year of figures: the first is for November 2023; 4 of the 5 months since have "
                        "complete data")  # March's phone count is blank
    assert fig.previous_value is None


def test_estimated_cost_and_year_on_year_change(site):
    permits = service(site, "permits")
    cost = permits.kpis[m.COST_PER_TRANSACTION]
    # December 2024: (240 x 0.20 + 100 x 2.00) / 340.
    assert cost.value == pytest.approx((48 + 200) / 340)
    assert cost.estimated
    year = permits.kpis[m.TRANSACTIONS_PER_YEAR]
    assert year.value == 10 * sum(range(13, 25)) + 1200  # 3,420
    assert year.previous_value == 10 * sum(range(1, 13)) + 1200  # 1,980
    assert year.previous_period_label == "January to December 2023"
    assert year.change_percent == pytest.approx((3420 - 1980) / 1980 * 100)
    take_up = permits.kpis[m.DIGITAL_TAKE_UP]
    assert take_up.value == pytest.approx(240 / 340 * 100)
    assert take_up.previous_value == pytest.approx(230 / 330 * 100)


def test_not_requested_is_not_missing(site):
    permits = service(site, "permits")
    assert permits.kpis[m.COMPLETION_RATE].status == m.NOT_REQUESTED
    assert permits.kpis[m.USER_SATISFACTION].status == m.NO_DATA
    assert permits.kpis[m.COMPLETION_RATE].value is None


def test_channel_split_over_latest_twelve_months(site):
    split = {c.channel.id: c for c in service(site, "permits").channel_split}
    assert split["online"].transactions == 2220
    assert split["online"].share == pytest.approx(2220 / 3420 * 100)
    assert split["online"].previous_share == pytest.approx(780 / 1980 * 100)
    assert split["phone"].share == pytest.approx(1200 / 3420 * 100)


def test_organisation_totals_are_sums_of_their_services(site):
    orgs = {o.slug: o for o in site.organisations}
    assert orgs["dept-a"].totals.transactions_per_year == 980
    assert orgs["test-council"].totals.transactions_per_year == 980 + 3420
    assert orgs["test-council"].totals.services == 2
    # Take-up over periods where it is known: fines Nov-Feb (390 of 800), permits 2,220 of 3,420.
    assert orgs["test-council"].totals.digital_take_up == pytest.approx(2610 / 4220 * 100)
    assert site.totals.transactions_per_year == 4400


def test_per_period_rows_keep_missing_as_missing(site):
    rows = {r.period.key: r for r in service(site, "fines").periods}
    assert rows["2024-03"].transactions == 180
    assert rows["2024-03"].complete is False and rows["2024-02"].complete is True
    assert rows["2024-03"].digital_take_up is None
    assert rows["2024-03"].cost_per_transaction is None
    assert rows["2024-02"].cost_per_transaction is None
    assert rows["2024-03"].by_channel == [150, None, 30]


def test_transactions_are_neither_better_nor_worse(site):
    fig = service(site, "permits").kpis[m.TRANSACTIONS_PER_YEAR]
    assert fig.direction == "up" and fig.assessment is None


def test_change_is_between_the_values_as_shown():
    from generator.figures import make_figure

    # 77.14 and 75.86 show as 77.1% and 75.9%: the change shown must be 1.2 points, not 1.28 -> 1.3.
    fig = make_figure(m.DIGITAL_TAKE_UP, 77.14, "March", 75.86, "February")
    assert fig.change == pytest.approx(1.2)
    # Money from £100,000 shows in whole pounds: £150,000.40 against £150,000.45 shows no change.
    info = m.KpiInfo("income", "Income", m.MONEY, True, "")
    assert make_figure("income", 150_000.40, "March", 150_000.45, "February", info=info).direction == "same"
    assert make_figure("income", 1_000.40, "March", 1_000.45, "February", info=info).direction == "down"


def test_no_year_on_year_comparison_with_an_incomplete_year(tmp_path):
    from sitefactory import permits_csv

    files = standard_files()
    files["data/permits.csv"] = permits_csv().replace("2023-05,phone,100", "2023-05,phone,")
    permits = service(prepare(write_site(tmp_path, files)).model, "permits")
    fig = permits.kpis[m.TRANSACTIONS_PER_YEAR]
    assert fig.value == 3420 and fig.previous_value is None
    # The card's change line says why, instead of "No earlier period to compare with" above a note
    # that names the earlier period.
    from generator.formatting import change_text

    assert fig.note is None
    assert change_text(fig) == "No comparison with January to December 2023, which has only 11 months of complete data"


def test_no_year_on_year_comparison_when_the_latest_year_lacks_a_channel(tmp_path):
    """A channel that stops reporting (the Home Office's ASPEN figures: NA from 2020) left the latest
    year short of its figures, and the card showed a fall against the full year before it. Only two
    whole years are compared; the card says which one is not."""
    from generator.formatting import change_text
    from sitefactory import permits_csv

    files = standard_files()
    files["data/permits.csv"] = permits_csv().replace("2024-11,phone,100", "2024-11,phone,NA").replace(
        "2024-12,phone,100", "2024-12,phone,NA")
    fig = service(prepare(write_site(tmp_path, files)).model, "permits").kpis[m.TRANSACTIONS_PER_YEAR]
    # 2024: online 10 x 13..24 = 2,220 and phone 10 x 100 = 1,000; its last two months lack phone.
    assert fig.value == 3220 and fig.previous_value is None
    assert fig.note == "10 of the 12 months have complete data"
    assert change_text(fig) == ("No comparison with January to December 2023: January to December 2024 has only "
                                "10 months of complete data")


def test_a_quarterly_years_gaps_are_counted_in_quarters(tmp_path):
    files = standard_files()
    files["data/permits.csv"] = ("period,channel,transactions\n" + "".join(
        f"{y}-Q{q},online,10\n{y}-Q{q},phone,{'' if y == 2024 and q > 2 else 5}\n" for y in (2023, 2024)
        for q in (1, 2, 3, 4)))
    fig = service(prepare(write_site(tmp_path, files)).model, "permits").kpis[m.TRANSACTIONS_PER_YEAR]
    assert fig.note == "2 of the 4 quarters have complete data"


def test_a_year_of_transactions_ending_before_the_latest_data_is_marked_as_such(tmp_path):
    """Permits' latest month (January 2025) has only a satisfaction score: its transactions per
    year are for 2024 (online 10 x 13..24 = 2,220, phone 12 x 100 = 1,200: 3,420), and tables that
    show the latest figures say which year that is."""
    from sitefactory import permits_csv

    files = standard_files()
    lines = permits_csv().replace("period,channel,transactions", "period,channel,transactions,satisfaction")
    files["data/permits.csv"] = lines.replace("\n", ",\n").replace("transactions,satisfaction,", "transactions,"
                                                                                              "satisfaction") \
        + "2025-01,online,,80\n"
    permits = service(prepare(write_site(tmp_path, files)).model, "permits")
    year = permits.kpis[m.TRANSACTIONS_PER_YEAR]
    assert year.value == 3420 and year.period_label == "January to December 2024" and year.stale
    satisfaction = permits.kpis[m.USER_SATISFACTION]
    assert satisfaction.value == pytest.approx(80.0) and not satisfaction.stale


def _fines(tmp_path, csv: str):
    files = standard_files()
    files["data/fines.csv"] = csv
    return service(prepare(write_site(tmp_path, files)).model, "fines").kpis[m.TRANSACTIONS_PER_YEAR]


def test_transactions_are_compared_with_the_last_earlier_year_that_has_data(tmp_path):
    """Nothing was published for the two years before the latest: the comparison is with the last
    year that has data, and names it (150 against 100: up 50%), not 'no earlier period'."""
    year = _fines(tmp_path, "period,channel,transactions\n2012/13,online,100\n2015/16,online,150\n")
    assert year.value == 150 and year.period_label == "April 2015 to March 2016"
    assert year.previous_value == 100 and year.previous_period_label == "April 2012 to March 2013"


def test_monthly_transactions_skip_back_to_the_same_months_of_the_last_year_with_data(tmp_path):
    """Monthly data for 2021 and 2023, none for 2022: 2023 (12 x 20 = 240) is compared with the same
    months of 2021 (12 x 10 = 120), the last year that has data."""
    rows = "".join(f"{y}-{mo:02d},online,{n}\n" for y, n in ((2021, 10), (2023, 20)) for mo in range(1, 13))
    year = _fines(tmp_path, "period,channel,transactions\n" + rows)
    assert year.value == 240 and year.period_label == "January to December 2023"
    assert year.previous_value == 120 and year.previous_period_label == "January to December 2021"


def test_rolling_years_are_compared_with_the_last_earlier_one(tmp_path):
    """As the Transactions Explorer published them: two rolling years in 2012-13, then nothing until
    2015-16. The latest (18,449) is compared with the last earlier rolling year (3,467)."""
    year = _fines(tmp_path, "period,channel,transactions\n"
                            "July 2012 to June 2013,online,3468\nOctober 2012 to September 2013,online,3467\n"
                            "April 2015 to March 2016,online,18449\n")
    assert year.value == 18449 and year.previous_value == 3467
    assert year.previous_period_label == "October 2012 to September 2013"


def test_a_rolling_year_overlapping_the_year_before_is_the_comparison_when_nothing_else_is(tmp_path):
    """The 12 months before April 2015 to March 2016 hold no whole figure: October 2013 to September
    2014 overlaps them. It is the last earlier period with data, so it is the comparison (150 on 120)."""
    year = _fines(tmp_path, "period,channel,transactions\nApril 2012 to March 2013,online,100\n"
                            "October 2013 to September 2014,online,120\nApril 2015 to March 2016,online,150\n")
    assert year.value == 150 and year.previous_value == 120
    assert year.previous_period_label == "October 2013 to September 2014"


def test_a_period_of_several_years_is_not_taken_for_the_year_before(tmp_path):
    """Three years' total (April 2010 to March 2013) is not a year to compare a year with."""
    year = _fines(tmp_path, "period,channel,transactions\nApril 2010 to March 2013,online,300\n"
                            "April 2015 to March 2016,online,150\n")
    assert year.value == 150 and year.previous_value is None


def test_rates_given_per_channel_are_combined_as_the_counts_they_stand_for(tmp_path):
    """A finance export gives a cost per transaction, a completion rate and satisfaction for each
    channel. By hand, for May 2024: cost 1,000 x 0.20 + 100 x 5.00 = 700 over 1,100 transactions =
    £0.6364 (the unweighted mean was £2.60); completion: 1,100 completed of 1,000/0.9 + 100/0.5 =
    1,311.1 started = 83.90%; satisfaction weighted by transactions (80 x 1,000 + 40 x 100) / 1,100 =
    76.36%. A rate on a row without transactions of its own (a file of rates alone) is taken as it is."""
    files = standard_files()
    files["data/fines.csv"] = (
        "period,channel,transactions,cost_per_transaction,completion_rate,satisfaction\n"
        "2024-04,online,1000,0.20,90,80\n2024-04,phone,100,5.00,50,40\n"
        "2024-05,online,1000,0.20,90,80\n2024-05,phone,100,5.00,50,40\n")
    kpis = service(prepare(write_site(tmp_path / "channels", files)).model, "fines").kpis
    assert kpis[m.COST_PER_TRANSACTION].value == pytest.approx(700 / 1100)
    assert kpis[m.COMPLETION_RATE].value == pytest.approx(1100 / (1000 / 0.9 + 100 / 0.5) * 100)
    assert round(kpis[m.COMPLETION_RATE].value, 1) == 83.9
    assert kpis[m.USER_SATISFACTION].value == pytest.approx((80 * 1000 + 40 * 100) / 1100)

    files["data/fines.csv"] = "period,cost_per_transaction,completion_rate\n2024-04,1.10,65\n2024-05,1.25,70\n"
    kpis = service(prepare(write_site(tmp_path / "total", files)).model, "fines").kpis
    assert kpis[m.COST_PER_TRANSACTION].value == 1.25 and kpis[m.COMPLETION_RATE].value == 70


def _fines_periods(tmp_path, rows: str) -> dict:
    """Fines' period rows, by key, from these rows of period, channel, transactions and two rates."""
    files = standard_files()
    files["data/fines.csv"] = "period,channel,transactions,cost_per_transaction,completion_rate\n" + rows
    return {p.period.key: p for p in service(prepare(write_site(tmp_path, files)).model, "fines").periods}


def test_a_rate_on_a_row_whose_count_is_blank_or_zero_stands_for_nothing(tmp_path):
    """Phone's £5.00 in February beside a blank phone count is not February's cost per transaction
    (the period's cost is unknown: no data, as a cost column gives); a face-to-face rate of 0% on 0
    transactions does not outweigh online's 80% of 1,000."""
    periods = _fines_periods(tmp_path, "2024-01,online,1000,0.20,80\n2024-01,post,0,3.50,0\n"
                                       "2024-02,online,1000,0.20,80\n2024-02,phone,,5.00,\n"
                                       "2024-03,online,1000,0.20,80\n2024-03,phone,100,5.00,\n")
    assert periods["2024-02"].cost_per_transaction is None
    assert periods["2024-01"].completion_rate == pytest.approx(80.0)
    assert periods["2024-03"].cost_per_transaction == pytest.approx(700 / 1100)


def test_a_periods_only_rate_stands_for_it_only_beside_a_count_that_covers_the_period(tmp_path):
    """Online has counts and no rates; phone's rates: in January on 100 of 1,100 transactions (a cost
    for some channels is not the service's cost per transaction, so no data; completion is phone's
    50%), in February beside a blank count, in March on 0 transactions: neither is a figure."""
    periods = _fines_periods(tmp_path, "2024-01,online,1000,,\n2024-01,phone,100,5.00,50\n"
                                       "2024-02,online,1000,,\n2024-02,phone,,5.00,50\n"
                                       "2024-03,online,1000,,\n2024-03,phone,0,5.00,0\n")
    assert periods["2024-01"].cost_per_transaction is None and periods["2024-01"].completion_rate == 50.0
    assert periods["2024-02"].cost_per_transaction is None and periods["2024-02"].completion_rate is None
    assert periods["2024-03"].cost_per_transaction is None and periods["2024-03"].completion_rate is None


def test_a_percentage_change_is_of_the_values_not_their_rounding():
    """Oflog's Darlington ASC2 went from 0.431 to 0.424: shown as 0.43 and 0.42, a fall of 0.01,
    and of 1.6% (0.007 / 0.431), not the 2.3% that 0.01 / 0.43 gave."""
    from generator.figures import make_figure

    info = m.KpiInfo("quality", "Quality of life", m.NUMBER, True, "")
    fig = make_figure("quality", 0.424, "2022-23", 0.431, "2021-22", info=info)
    assert fig.change == pytest.approx(-0.01) and fig.direction == "down"
    assert fig.change_percent == pytest.approx(-0.007 / 0.431 * 100)
    same = make_figure("quality", 0.4301, "2022-23", 0.4299, "2021-22", info=info)
    assert same.change == 0 and same.change_percent == 0 and same.direction == "same"


def test_a_services_figures_do_not_depend_on_the_services_computed_with_it(tmp_path, monkeypatch):
    """pandas' grouped sum of 5.70, 36.30 and 150.40 was 192.39999999999998 for the service alone
    and 192.4 among others, so an incremental build (which computes a changed service alone), or a
    cold one over another number of --jobs, showed £2.35 where a build from nothing showed £2.36.
    Hand check: (5.70 + 36.30 + 150.40) / (38 + 3 + 47) = 192.40 / 88 = £2.186363..."""
    from generator import metrics
    from generator.config import load_config
    from generator.content import load_content
    from generator.data import load_data
    from generator.errors import Problems

    files = standard_files()
    files["data/foi.csv"] = ("period,channel,transactions,cost\n2022-11,online,38,5.70\n2022-11,phone,3,36.30\n"
                             "2022-11,post,47,150.40\n")
    files["content/services/foi.yaml"] = "name: FOI requests\norganisation: dept-a\ndescription: x\ndata: foi.csv\n"
    config_path = write_site(tmp_path, files)
    problems = Problems(root=tmp_path)
    config = load_config(config_path, problems)
    content = load_content(config, problems)
    tidy = load_data(config, content.services, problems)
    foi = [s for s in content.services if s.slug == "foi"]
    together = metrics.compute(tidy, config, content.services)["foi"].periods[0].cost_per_transaction
    alone = metrics.compute(tidy[tidy["service"] == "foi"], config, foi)["foi"].periods[0].cost_per_transaction
    assert together == alone == 192.4 / 88  # equal, not merely close: the bytes of the site depend on it
    monkeypatch.setattr(metrics, "steady", lambda values: values)  # without: the two differ in the last bits
    shuffled = tidy.sample(frac=1, random_state=1)  # the other services' rows around it, as a part's are
    unsteady = {metrics.compute(frame, config, services)["foi"].periods[0].cost_per_transaction
                for frame, services in ((tidy, content.services), (tidy[tidy["service"] == "foi"], foi),
                                        (shuffled, content.services))}
    assert len(unsteady) > 1


def test_a_channel_whose_count_is_marked_not_requested_is_left_out_of_the_figures(tmp_path):
    """A tester's Letter rows wrote *** for count and cost beside real costs for the other channels:
    the cost card read 'not requested' and take-up 'no data' in every period. A channel not counted
    is not a missing count: the figures are of the channels counted, and the page says which is not."""
    files = standard_files()
    files["data/fines.csv"] = ("period,channel,transactions,cost\n"
                               "2024-01,online,100,20\n2024-01,phone,50,100\n2024-01,post,***,***\n"
                               "2024-02,online,120,22\n2024-02,phone,40,100\n2024-02,post,***,***\n")
    fines = service(prepare(write_site(tmp_path, files)).model, "fines")
    take_up = fines.kpis[m.DIGITAL_TAKE_UP]
    assert take_up.value == pytest.approx(75.0)  # 120 / (120 + 40)
    assert take_up.previous_value == pytest.approx(100 / 150 * 100)
    cost = fines.kpis[m.COST_PER_TRANSACTION]
    assert cost.status == m.OK and not cost.estimated
    assert cost.value == pytest.approx(122 / 160) and cost.previous_value == pytest.approx(120 / 150)
    assert fines.uncounted_channels == ["Post"]
    # Marked so in one period only: named with how many, and a period missing a count is still so.
    files["data/fines.csv"] = files["data/fines.csv"].replace("2024-01,post,***,***", "2024-01,post,10,50") \
        .replace("2024-02,phone,40,100", "2024-02,phone,,100")
    fines = service(prepare(write_site(tmp_path, files)).model, "fines")
    assert fines.uncounted_channels == ["Post, in 1 of 2 periods"]
    assert fines.kpis[m.DIGITAL_TAKE_UP].value == pytest.approx(100 / 160 * 100)  # January's; February lacks phone


def test_a_digital_channel_not_counted_leaves_take_up_unknown_and_a_lone_one_is_not_the_others(tmp_path):
    """A review: online marked *** beside phone and post counts read 'Digital take-up 0.0%', and a
    file of online *** alone read 'figures of the other channels', of which there were none; a cost
    of the whole service was divided by the channels counted, and a channel's own cost beside its
    *** count was lost from the year's cost."""
    files = standard_files()
    files["data/fines.csv"] = ("period,channel,transactions,cost\n2024-01,online,***,***\n2024-01,phone,200,600\n"
                               "2024-01,post,100,300\n")
    fines = service(prepare(write_site(tmp_path / "a", files)).model, "fines")
    assert fines.kpis[m.DIGITAL_TAKE_UP].value is None
    assert fines.kpis[m.COST_PER_TRANSACTION].value == pytest.approx(900 / 300)  # of phone and post
    assert fines.uncounted_channels == ["Online"]
    files["data/fines.csv"] = "period,channel,transactions,cost\n2024-01,online,***,***\n2024-02,online,***,***\n"
    fines = service(prepare(write_site(tmp_path / "b", files)).model, "fines")
    assert fines.uncounted_channels == [] and fines.kpis[m.COST_PER_TRANSACTION].status == m.NOT_REQUESTED
    files["data/fines.csv"] = ("period,channel,transactions,cost\n2024-01,online,800,\n2024-01,phone,200,\n"
                               "2024-01,post,***,500\n")
    fines = service(prepare(write_site(tmp_path / "c", files)).model, "fines")
    assert fines.uncounted_channels == []  # post's cost is given: its count is missing, as before
    assert fines.kpis[m.COST_PER_TRANSACTION].value is None


def test_a_published_take_up_that_its_counts_do_not_give_is_told(tmp_path):
    """A tester's dashboard export: January's take-up published as 73.8% beside counts of 324 digital
    of 451 (71.8%). The card showed the published rate and the tables the counts, with no word.
    The published rate still wins (it is the service's own KPI), and the build says where they part;
    a rate within a rounded figure's slack of its counts (February: 75.0 against 300 of 400) is not told."""
    files = standard_files()
    files["data/permits.csv"] = ("period,channel,transactions,digital_take_up\n"
                                 "2024-01,online,324,73.8\n2024-01,phone,127,\n"
                                 "2024-02,online,300,75.4\n2024-02,phone,100,\n")
    prepared = prepare(write_site(tmp_path, files))
    permits = service(prepared.model, "permits")
    assert permits.kpis[m.DIGITAL_TAKE_UP].value == 75.4
    assert [row.digital_take_up for row in permits.periods] == [73.8, 75.4]
    told = [p for p in prepared.problems.warnings if "do not give" in p.message]
    assert len(told) == 1 and told[0].path == "content/services/permits.yaml"
    assert ("publishes a digital take-up that its own counts of transactions do not give (January 2024: 73.8% "
            "published, 71.8% from 324 digital of 451): its page shows the published rate beside those counts"
            ) in told[0].message
    # Not where a channel is marked not counted (the counts are of the others, as the page says), nor
    # for a service that does not collect take-up (its page shows no rate): a review's false alarms.
    uncounted = ("period,channel,transactions,digital_take_up\n"
                 "2024-01,online,60,50\n2024-01,phone,40,\n2024-01,post,***,\n")
    for name, csv, yaml in (("uncounted", uncounted, ""), ("not-collected", files["data/permits.csv"],
                                                             "not_requested: [digital_take_up]\n")):
        other = dict(files, **{"data/permits.csv": csv, "content/services/permits.yaml":
                               files["content/services/permits.yaml"].replace("not_requested: [completion_rate]\n",
                                                                              yaml)})
        prepared = prepare(write_site(tmp_path / name, other))
        assert not [p for p in prepared.problems.warnings if "do not give" in p.message], name
