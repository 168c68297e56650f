"""Channel segmentation and migration, checked against figures worked out by hand from the fixture.

Permits: 24 months, January 2023 (i = 1) to December 2024 (i = 24): online 10 i, phone 100.
"""

from __future__ import annotations

import dataclasses

import pytest

from generator.build import build_site, prepare
from generator.charts import organisation_charts
from sitefactory import standard_files, write_site


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    return prepare(write_site(tmp_path_factory.mktemp("site"), files)).model


def test_which_channels_gained_share_between_the_two_latest_years(model):
    permits = next(s for s in model.services if s.slug == "permits")
    mig = permits.migration
    # 2024: online 10 x (13 + ... + 24) = 2,220, phone 1,200: online 2,220 / 3,420 = 64.9%.
    # 2023: online 10 x (1 + ... + 12) = 780, phone 1,200: online 780 / 1,980 = 39.4%.
    online, phone = mig.changes
    assert online.channel.id == "online" and online.change == pytest.approx(64.9 - 39.4)
    assert phone.channel.id == "phone" and phone.change == pytest.approx(35.1 - 60.6)
    assert mig.label == "January to December 2024" and mig.previous_label == "January to December 2023"
    assert "Online gained the most share, up 25.5 percentage points to 64.9%" in mig.sentence
    assert "Phone lost the most, down 25.5 points to 35.1%" in mig.sentence
    assert "moved 25.5 points towards digital channels" in mig.sentence


def test_an_organisation_adds_up_its_services_with_a_whole_previous_year(model):
    council = next(o for o in model.organisations if o.slug == "test-council")
    # Fines has only five months, so no previous year: the council's shift is permits' alone.
    assert [round(c.share, 1) for c in council.migration.changes] == [64.9, 35.1]
    # ...and says so, since the council's totals (and take-up) above it count fines too.
    assert council.migration.left_out == (
        "This covers 1 of the 2 services with channel figures: Pay a fine has no complete earlier 12 months "
        "to compare with, so the shares here differ from the totals above, which count them too.")
    assert next(s for s in model.services if s.slug == "permits").migration.left_out == ""
    dept = next(o for o in model.organisations if o.slug == "dept-a")
    assert dept.migration is None


def test_channel_shares_and_digital_against_other_over_time(model):
    permits = next(s for s in model.services if s.slug == "permits")
    shares = next(c for c in permits.charts if c.id == "channel-shares")
    # January 2023: online 10 of 110 = 9.1%; December 2024: 240 of 340 = 70.6%.
    first = [r for r in shares.rows if r["period"] == "January 2023"]
    assert [(r["series"], round(r["value"], 2)) for r in first] == [("Online", 9.09), ("Phone", 90.91)]
    assert "rose from 9.1% in January 2023 to 70.6% in December 2024" in shares.summary
    both = next(c for c in permits.charts if c.id == "digital-and-other")
    # Over two years, December 2024 is set against December 2023 (online 10 x 12 = 120), not against
    # January 2023: first against last had set a spring peak against an autumn low (a review).
    assert both.summary == ("Digital transactions went from 120 in December 2023 to 240 in December 2024; "
                            "other channels went from 100 to 100.")


def test_an_organisations_charts_leave_out_a_service_that_ended_as_its_totals_do(tmp_path):
    """A department tester's organisation charts: a service that stopped in June 2025 (15 months before
    the site's latest, September 2026) beside one from May 2025 had cut the channel charts to the two
    months they shared, and kept its bar beside a total that did not count it. Now its charts are
    over the services the totals count, and say what they leave out; the stopped one's page says it."""
    def months(first, last):
        y, m = first
        while (y, m) <= last:
            yield f"{y}-{m:02d}"
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    for slug, first, last in (("fines", (2023, 4), (2026, 9)), ("permits", (2023, 4), (2025, 6)),
                              ("late", (2025, 5), (2026, 9))):
        files[f"data/{slug}.csv"] = "period,channel,transactions\n" + "".join(
            f"{p},online,700\n{p},phone,300\n" for p in months(first, last))
        files[f"content/services/{slug}.yaml"] = (f"name: Service {slug}\norganisation: dept-a\n"
                                                  f"description: x.\ndata: {slug}.csv\n")
    model = prepare(write_site(tmp_path, files)).model
    dept = next(o for o in model.organisations if o.slug == "dept-a")
    assert dept.totals.transactions_per_year == 2 * 12 * 1000
    charts = {c.id: c for c in organisation_charts(dept, "£", model.channels)}
    bars = {row["series"]: row["value"] for row in charts["transactions-by-service"].rows}
    assert bars == {"Service fines": 12000, "Service late": 12000}  # they add up to the total
    left_out = ("It leaves out Service permits, whose transactions end in June 2025, a year or more before the "
                "latest on this site.")
    assert charts["transactions-by-service"].summary.endswith(left_out)
    shares = charts["channel-shares"]
    assert shares.rows[0]["period"] == "May 2025" and shares.rows[-1]["period"] == "September 2026"
    assert ("Earlier periods are left out: not every one of these services has channel figures for them. "
            + left_out) in shares.summary
    permits = next(s for s in model.services if s.slug == "permits")
    assert permits.ended == "June 2025" and permits.forecast is None and permits.savings is None
    # An organisation whose every service has ended charts their last figures, and says so.
    test_council = next(o for o in model.organisations if o.slug == "test-council")
    alone = dataclasses.replace(test_council, services=[permits])
    charts = {c.id: c for c in organisation_charts(alone, "£", model.channels)}
    assert charts["transactions-by-service"].summary.endswith(
        "Its only service has no transactions in the year to the latest on this site: these are the last "
        "figures, which its totals do not count.")
    assert not any(s.ended for s in model.services if s.slug != "permits")



def test_an_organisations_channel_charts_name_the_services_not_counted_by_month(tmp_path):
    """Channels are added up month by month: a tester's library authorities with yearly returns were
    left out of their organisation's channel charts without a word. Fines is by month; permits by
    quarter, over the same span."""
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/fines.csv"] = "period,channel,transactions\n" + "".join(
        f"2024-{m:02d},online,70\n2024-{m:02d},phone,30\n" for m in range(1, 13))
    files["data/permits.csv"] = "period,channel,transactions\n" + "".join(
        f"2024-Q{q},online,500\n2024-Q{q},phone,100\n" for q in range(1, 5))
    for slug in ("fines", "permits"):
        files[f"content/services/{slug}.yaml"] = (f"name: Service {slug}\norganisation: dept-a\n"
                                                  f"description: x.\ndata: {slug}.csv\n")
    model = prepare(write_site(tmp_path, files)).model
    dept = next(o for o in model.organisations if o.slug == "dept-a")
    charts = {c.id: c for c in organisation_charts(dept, "£", model.channels)}
    # The months are Service fines' alone: 70 online of 100 each month.
    assert [row["value"] for row in charts["digital-and-other"].rows if row["series"] == "Digital"][:2] == [70, 70]
    for chart in ("channel-shares", "digital-and-other"):
        assert charts[chart].summary.endswith("It leaves out Service permits, whose figures are not by month.")
    assert "leaves out" not in charts["transactions-by-service"].summary  # its bar is there


def fines_to_march_2025(permits_csv: str) -> dict[str, str]:
    """A site whose fines run to March 2025 (the site's latest), beside these permits."""
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/permits.csv"] = permits_csv
    files["data/fines.csv"] = "period,channel,transactions\n" + "".join(
        f"{y}-{m:02d},online,50\n" for y in (2024, 2025) for m in range(1, 13) if (y, m) <= (2025, 3))
    return files


def test_a_service_that_ended_is_dated_by_its_last_transactions_not_a_later_figure(tmp_path):
    """Its transactions stop in June 2023 but satisfaction goes on to March 2025, the site's latest
    month: a review found the page saying its latest figures were for March 2025, 'a year or more
    before the latest on this site'. It names June 2023."""
    files = fines_to_march_2025("period,channel,transactions,satisfaction\n" + "".join(
        f"2023-{m:02d},online,100,\n" for m in range(1, 7)) + "2025-03,online,,80\n")
    model = prepare(write_site(tmp_path, files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    assert permits.latest_label == "March 2025" and permits.ended == "June 2023"
    council = next(o for o in model.organisations if o.slug == "test-council")
    charts = {c.id: c for c in organisation_charts(council, "£", model.channels)}
    assert "It leaves out Renew a permit, whose transactions end in June 2023" in \
        charts["transactions-by-service"].summary


def test_a_service_of_rates_alone_ends_with_its_latest_figure(tmp_path):
    """A tester's Australian dashboards: services publishing rates alone (take-up, satisfaction), with
    no transactions, never counted as ended. Their take-up of October 2016 stood in an organisation's
    chart beside the note that it left out a service whose transactions ended in January 2017, a year
    after. A service with no transactions now ends with its latest figure of any kind; the site's
    latest is still that of the latest transactions (here March 2025), so a later survey ends nothing."""
    files = fines_to_march_2025("period,channel,digital_take_up,satisfaction\n" + "".join(
        f"2023-{m:02d},,{20 + m},80\n" for m in range(1, 7)))  # rates alone, to June 2023
    model = prepare(write_site(tmp_path, files)).model
    permits = next(s for s in model.services if s.slug == "permits")
    assert permits.ended == "June 2023" and permits.ended_figures == "figures"
    fines = next(s for s in model.services if s.slug == "fines")
    assert fines.ended is None
    council = next(o for o in model.organisations if o.slug == "test-council")
    take_up = {c.id: c for c in organisation_charts(council, "£", model.channels)}["take-up-by-service"]
    assert [row["series"] for row in take_up.rows] == ["Pay a fine"]
    assert take_up.summary.endswith("It leaves out Renew a permit, whose figures end in June 2023, a year or more "
                                    "before the latest on this site.")
    # The chart of transactions names no service of rates alone: it could never have been in it.
    tx = {c.id: c for c in organisation_charts(council, "£", model.channels)}["transactions-by-service"]
    assert "leaves out" not in tx.summary
    build_site(tmp_path / "config.yaml", tmp_path / "site")
    page = (tmp_path / "site/services/permits/index.html").read_text(encoding="utf-8")
    assert "The latest figures for this service are for June 2023, a year or more before" in page
    # A survey running past every service's transactions (to 2026) ends none of them.
    files["data/permits.csv"] += "2026-01,,40,85\n"
    model = prepare(write_site(tmp_path, files)).model
    assert not any(s.ended for s in model.services)
