"""A file of rolling years published each quarter, as the GOV.UK Transactions Explorer's was: each
figure is for 12 months, and each overlaps the three before it. What a card compares, what it
says when it cannot, and which period is 'the latest', read as a tester checked them by hand."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from generator.build import build_site, prepare
from sitefactory import write_site

CONFIG = """\
title: Transactions
organisation: Government
channels:
  - id: digital
    label: Digital
    digital: true
  - id: other
    label: Other channels
charts:
  static_svg: false
sources:
  - file: explorer.csv
    columns:
      service: Name of service
    wide:
      columns: "{period}: {measure}"
      measures:
        volume: transactions
        digital volume: digital_transactions
        cost per transaction (£): cost_per_transaction
    services:
      name: "{Name of service}"
      organisation: government
      notes: "{Notes}"
"""

PERIODS = ["April 2014 to March 2015", "July 2014 to June 2015", "October 2014 to September 2015",
           "January 2015 to December 2015", "April 2015 to March 2016", "July 2015 to June 2016"]

# (volume, digital volume, cost) for each period above; '' where the file has nothing.
ROWS = {
    # Take-up 60.0% (900 of 1,500) for July 2015 to June 2016; the latest year that ends before it
    # begins is July 2014 to June 2015: 600 of 1,100 = 54.5%. Not April 2015 to March 2016's 50.0%.
    "Licences": [(1000, 500, 4.00), (1100, 600, 3.90), (1200, 660, 3.80), (1300, 780, 3.70),
                 (1400, 700, 3.50), (1500, 900, 3.00)],
    # Two years that overlap: nothing to compare with.
    "Permits": [("", "", ""), ("", "", ""), ("", "", ""), ("", "", ""), (200, 100, ""), (220, 110, "")],
    # One whole year's total, then a digital count alone.
    "Grants": [(500, 250, ""), ("", "", ""), ("", "", ""), ("", "", ""), ("", "", ""), ("", 300, "")],
    # Its figures stop in June 2015; then digital counts of 0 with no total, the file's way of
    # writing nothing for a service that had ended.
    "Closed": [(800, 0, 7.00), (700, 0, 7.00), ("", "", ""), ("", 0, ""), ("", "", ""), ("", 0, "")],
}
NOTES = {"Licences": "Costs are estimates.<br>2. Volumes include renewals.", "Closed": "The service closed."}


def _explorer_csv() -> str:
    head = ["Name of service", *(f"{p}: {m}" for p in PERIODS
                                 for m in ("volume", "digital volume", "cost per transaction (£)")), "Notes"]
    lines = [",".join(f'"{h}"' for h in head)]
    for name, cells in ROWS.items():
        lines.append(",".join([name, *(str(v) for cell in cells for v in cell), NOTES.get(name, "")]))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("explorer")
    config = write_site(root, {"config.yaml": CONFIG, "data/explorer.csv": _explorer_csv(),
                               "content/organisations/government.yaml": "name: Government\n"})
    build_site(config, root / "site")
    return {s.name: s for s in prepare(config).model.services}, root / "site"


def _page(site, path) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def _card(site, slug, kpi) -> str:
    return _page(site, f"services/{slug}/index.html").find(attrs={"data-kpi": kpi}).get_text(" ", strip=True)


def test_a_rate_is_compared_with_the_latest_year_that_ends_before_it_begins(built):
    services, site = built
    licences = services["Licences"]
    take_up = licences.kpis["digital_take_up"]
    assert take_up.value == pytest.approx(60.0) and take_up.previous_value == pytest.approx(600 / 1100 * 100)
    assert take_up.previous_period_label == "July 2014 to June 2015"
    cost = licences.kpis["cost_per_transaction"]
    assert (cost.value, cost.previous_value, cost.previous_period_label) == (3.0, 3.9, "July 2014 to June 2015")
    # The transactions card compares the same two years: 1,500 against 1,100.
    year = licences.kpis["transactions_per_year"]
    assert (year.value, year.previous_value, year.previous_period_label) == (1500, 1100, "July 2014 to June 2015")
    assert "Up 5.5 percentage points from 54.5% (July 2014 to June 2015)" in _card(site, "licences", "digital_take_up")
    assert "Down 23.1% from £3.90 (July 2014 to June 2015)" in _card(site, "licences", "cost_per_transaction")


def test_a_figure_whose_only_earlier_one_overlaps_it_says_so(built):
    """'No earlier period to compare with' had been said beside a year whose figure before overlapped it."""
    services, site = built
    permits = services["Permits"]
    assert permits.kpis["transactions_per_year"].previous_value is None
    assert permits.kpis["digital_take_up"].previous_value is None
    assert ("No comparison with April 2015 to March 2016, which overlaps these 12 months"
            in _card(site, "permits", "transactions_per_year"))
    assert ("No comparison with April 2015 to March 2016, which overlaps this period"
            in _card(site, "permits", "digital_take_up"))
    assert "No earlier period" not in _page(site, "services/permits/index.html").get_text()
    assert "No earlier period to compare with" in _card(site, "grants", "transactions_per_year")  # none there is


def test_a_whole_years_total_is_not_called_part_of_a_year(built):
    """The services table had said 'not a whole year of complete figures' beside a year's published
    total, whose card's note was about a later digital count, not about the year."""
    services, site = built
    grants = services["Grants"].kpis["transactions_per_year"]
    assert grants.value == 500 and "Only a digital count was published for a later period" in grants.note
    assert not grants.partial_year
    table = _page(site, "services/index.html")
    row = next(tr for tr in table.select("table.table--services tbody tr") if "Grants" in tr.get_text())
    assert "not a whole year" not in row.get_text()
    # Its data covers the digital count's year too, as its tables show it.
    assert services["Grants"].data_period_label == "April 2014 to June 2016"


def test_digital_counts_of_nothing_do_not_make_the_latest_figures(built):
    """A service's last figures, for July 2014 to June 2015, had been called 'a year or more before the
    latest figures' because of later rows holding only a digital count of 0 with no total; and the
    services table had named one of those rows as its latest data."""
    services, site = built
    closed = services["Closed"]
    assert closed.latest_label == "July 2014 to June 2015"
    assert closed.data_period_label == "April 2014 to June 2015"
    for kpi in ("digital_take_up", "cost_per_transaction"):
        assert not closed.kpis[kpi].dated and not closed.kpis[kpi].stale
        assert "a year or more before" not in _card(site, "closed", kpi)
    assert "0.0%" in _card(site, "closed", "digital_take_up")


def test_a_line_break_tag_in_imported_notes_is_a_line_break(built):
    """The Transactions Explorer's notes carry '<br>': shown as text, '&lt;br&gt;'."""
    _, site = built
    notes = _page(site, "services/licences/index.html").find(id="notes-heading").find_next("div", class_="prose")
    assert notes.find("br") is not None and "<br>" not in notes.get_text()
    assert notes.get_text(" ", strip=True) == "Costs are estimates. 2. Volumes include renewals."


def test_the_home_page_promises_only_figures_some_service_has(built):
    """No service here has a completion rate or satisfaction: the home page had promised both."""
    _, site = built
    home = _page(site, "index.html")
    assert home.select_one("p.lead").get_text(" ", strip=True) == (
        "How services from Government are used and how well they work: how many transactions each "
        "handles, how many happen online and what each costs.")
    assert home.find("meta", attrs={"name": "description"})["content"] == (
        "How services from Government are used: transactions, digital take-up and cost.")


def test_the_home_page_and_the_services_table_name_one_latest_period(tmp_path):
    """Closed's figures end in June 2015; its later rows hold only digital counts of 0. The home page
    had said 'Latest data: July 2015 to June 2016' (its last row of nothing), where its card and the
    services table named July 2014 to June 2015 (a review)."""
    head, *lines = _explorer_csv().splitlines()
    kept = [line for line in lines if line.startswith("Closed,")]
    config = write_site(tmp_path, {"config.yaml": CONFIG, "data/explorer.csv": "\n".join([head, *kept]) + "\n",
                                   "content/organisations/government.yaml": "name: Government\n"})
    build_site(config, tmp_path / "site")
    home = _page(tmp_path / "site", "index.html").get_text(" ", strip=True)
    assert "Latest data: July 2014 to June 2015" in home and "2016" not in home
