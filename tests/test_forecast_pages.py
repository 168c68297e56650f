"""Forecasts and seasonal patterns on service pages, checked by hand on the permits fixture.

Permits: January 2023 (i = 1) to December 2024 (i = 24), transactions 10 i + 100 a month.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from sitefactory import build_standard_site


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return build_standard_site(tmp_path_factory.mktemp("site"))


def test_the_forecast_is_last_years_month_grown_by_the_latest_year(out):
    import json

    data = json.loads((out / "data/charts/services/permits/forecast.json").read_text())["data"]
    future = [row for row in data if row["forecast"] is not None]
    assert len(future) == 12 and future[0]["period"] == "January 2025" and future[-1]["period"] == "December 2025"
    # Growth: 2024 had 10 x (13 + ... + 24) + 1,200 = 3,420; 2023 had 10 x (1 + ... + 12) + 1,200 = 1,980.
    # January 2025 = January 2024 (230) x 3,420 / 1,980 = 397.27.
    assert future[0]["forecast"] == pytest.approx(230 * 3420 / 1980)
    assert future[0]["low95"] <= future[0]["low80"] <= future[0]["forecast"] <= future[0]["high80"] <= future[0]["high95"]
    page = BeautifulSoup((out / "services/permits/index.html").read_text(), "html.parser")
    assert "This is a projection, not a target" in page.get_text()
    # 24 months leave too few to hold a year out and still forecast, so no backtest is claimed.
    assert "would have been off by" not in page.get_text()
    assert "There are too few earlier figures to test it against a past year: that needs 24 months with figures " \
        "before the 12 held back, and enough of them a year apart to check." in page.get_text()  # a tester's 30
    # months had said nothing
    # The methodology is linked only where the site has such a page (this test site has none):
    # the sentence had named a page a new site did not have.
    assert "methodology" not in page.get_text().lower()
    # A past month has no forecast to be missing: its cells say so, not "no data" five times over.
    table = page.find(id="chart-forecast").find("table")
    cells = {tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")}
    assert cells["December 2024"] == ["340"] + ["not forecast"] * 5
    # Nor is a month to come's count missing: not yet counted.
    assert cells["January 2025"][0] == "not yet counted" and cells["January 2025"][1] == "397"


def test_an_average_year_and_the_same_month_last_year(out):
    import json

    data = json.loads((out / "data/charts/services/permits/month-profile.json").read_text())["data"]
    # January: (110 + 230) / 2 = 170; December: (220 + 340) / 2 = 280, the busiest.
    assert data[0]["series"] == "January" and data[0]["value"] == 170
    assert data[11]["value"] == 280
    text = BeautifulSoup((out / "services/permits/index.html").read_text(), "html.parser").get_text(" ")
    # December 2024 (340) against December 2023 (220): up 120 / 220 = 54.5%.
    assert "December 2024: 340 transactions, up 54.5% on 220 in December 2023." in " ".join(text.split())


def test_the_forecast_links_the_sites_methodology_page_where_there_is_one(tmp_path):
    from generator.build import build_site
    from sitefactory import standard_files, write_site

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["content/pages/methodology.md"] = "---\ntitle: How we work out the figures\n---\nForecasts.\n"
    build_site(write_site(tmp_path, files), tmp_path / "site")
    page = (tmp_path / "site/services/permits/index.html").read_text()
    assert 'How it is worked out and checked: <a href="../../methodology/">How we work out the figures</a>.' in page


def test_a_month_with_a_channel_blank_is_left_out_of_the_seasons_and_the_forecast(tmp_path):
    """A tester blanked one month's online count: the month's total of the other channels went into
    the average year (its September 'the quietest, with 72%') and the forecast, as if it were whole."""
    import json

    from generator.build import build_site
    from sitefactory import standard_files, write_site

    lines = ["period,channel,transactions"]
    for i in range(1, 37):  # January 2022 (i = 1) to December 2024: online 10 i, phone 100
        year, month = 2022 + (i - 1) // 12, (i - 1) % 12 + 1
        lines += [f"{year}-{month:02d},online,{'' if (year, month) == (2024, 3) else 10 * i}",
                  f"{year}-{month:02d},phone,100"]
    files = standard_files()
    files["data/permits.csv"] = "\n".join(lines) + "\n"
    build_site(write_site(tmp_path, files), tmp_path / "site")
    data = json.loads((tmp_path / "site/data/charts/services/permits/month-profile.json").read_text())["data"]
    # March 2022 (30 + 100) and March 2023 (150 + 100): 190. March 2024's 100, phone alone, had made it 160.
    assert data[2]["series"] == "March" and data[2]["value"] == 190
    assert data[1]["value"] == (20 + 140 + 260) / 3 + 100  # February, whole in every year: 240
    forecast = json.loads((tmp_path / "site/data/charts/services/permits/forecast.json").read_text())["data"]
    assert [row["value"] for row in forecast if row["period"] == "March 2024"] == [None]


def test_an_ended_service_says_it_has_no_forecast_only_if_it_would_have_had_one(tmp_path):
    """A service whose figures ended a year or more before the site's latest has no forecast (its next
    12 months are past), and its page said so; but also of services too short to have one, and on a
    site of rolling years, where no service has one (a tester's 133 pages)."""
    from generator.build import build_site
    from sitefactory import standard_files, write_site

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["content/services/late.yaml"] = "name: Late\norganisation: test-council\ndescription: Late.\ndata: late.csv\n"
    files["data/late.csv"] = "period,channel,transactions\n2026-06,online,5\n"  # makes permits and fines end
    build_site(write_site(tmp_path, files), tmp_path / "site")
    permits = (tmp_path / "site/services/permits/index.html").read_text(encoding="utf-8")
    fines = (tmp_path / "site/services/fines/index.html").read_text(encoding="utf-8")
    assert "No recent figures" in permits and "the home page, and has no forecast." in permits  # 24 months: it had one
    assert "No recent figures" in fines and "has no forecast" not in fines  # 5 months: it never could have
    assert "not counted in the totals of its organisation and the home page." in fines
