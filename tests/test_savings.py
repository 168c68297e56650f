"""Channel-shift savings, against sums done by hand from channel volumes and unit costs.

Permits, 2024 (its latest 12 months): online 10 x (13 + ... + 24) = 2,220, phone 12 x 100 = 1,200;
3,420 in all, take-up 2,220 / 3,420 = 64.91%. Unit costs from the test config: online £0.20, phone £2.00.
Yearly cost now: 2,220 x 0.20 + 1,200 x 2.00 = 444 + 2,400 = £2,844.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from generator.build import build_site, prepare
from sitefactory import PERMIT_YAML, standard_files, write_site


def files(**extra):
    f = standard_files()
    f["config.yaml"] += "charts:\n  static_svg: false\n"
    f["content/services/permits.yaml"] = PERMIT_YAML + "category: Parking\ntargets:\n  digital_take_up: 90\n"
    f.update(extra)
    return f


def savings_of(tmp_path, **extra):
    model = prepare(write_site(tmp_path, files(**extra))).model
    return {s.slug: s for s in model.services}


def visitor_permits(year: int = 2024, yaml: str = "") -> dict[str, str]:
    """Another parking service: online 300 and phone 100 a month through ``year`` (take-up 75%)."""
    lines = ["period,channel,transactions"] + [f"{year}-{m:02d},{ch},{n}" for m in range(1, 13)
                                               for ch, n in (("online", 300), ("phone", 100))]
    return {"content/services/visitors.yaml": "name: Visitor permits\norganisation: test-council\n"
                                              "description: Visitor permits.\ncategory: parking\n"
                                              "data: visitors.csv\n" + yaml,
            "data/visitors.csv": "\n".join(lines) + "\n"}


def test_ten_points_more_and_the_target(tmp_path):
    sv = savings_of(tmp_path)["permits"].savings
    assert sv.transactions == 3420 and sv.cost == pytest.approx(2844)
    assert sv.take_up == pytest.approx(2220 / 3420 * 100)
    points = sv.scenario("points")
    # 10 points of 3,420 = 342 transactions move from phone to online, each saving 2.00 - 0.20 = 1.80.
    assert points.saving == pytest.approx(342 * 1.80)  # £615.60
    assert points.cost == pytest.approx(2844 - 615.60)
    target = sv.scenario("target")
    # 90% of 3,420 = 3,078 online: 858 more, saving 858 x 1.80 = £1,544.40.
    assert target.take_up == 90 and target.saving == pytest.approx(1544.40)
    assert sv.scenario("best") is None  # no other service in its category


def test_the_best_comparable_service_and_a_services_own_unit_costs(tmp_path):
    # Another parking service with online 300 and phone 100 a month: take-up 75%, its own phone cost £5.
    services = savings_of(tmp_path, **visitor_permits(yaml="unit_costs:\n  phone: 5.00\n"))
    best = services["permits"].savings.scenario("best")
    # 75% of 3,420 = 2,565 online: 345 more than 2,220, saving 345 x 1.80 = £621.00.
    assert best.take_up == pytest.approx(75) and best.saving == pytest.approx(621.0)
    assert best.note == "Visitor permits"
    visitors = services["visitors"].savings
    # 4,800 transactions, 1,200 by phone at £5.00 and 3,600 online at £0.20: £6,720. +10 points moves
    # 480 calls online, saving 480 x (5.00 - 0.20) = £2,304.
    assert visitors.cost == pytest.approx(6720) and visitors.scenario("points").saving == pytest.approx(2304)
    assert [c.source for c in visitors.channels] == ["site", "service"]


def test_a_service_that_does_not_collect_its_take_up_is_no_best_comparable_service(tmp_path):
    """Its page says take-up is 'not requested'; a tester found others' savings naming it the best
    service in their category all the same, at the take-up its channels give (75%)."""
    from generator import assemble

    services = savings_of(tmp_path, **visitor_permits(yaml="not_requested: [digital_take_up]\n"))
    assert services["permits"].savings.scenario("best") is None
    # As incremental builds check a reused service's page against it (build._stale_since).
    assert assemble.best_comparables(services.values(), services)["permits"] is None


def test_a_service_that_has_ended_is_no_best_comparable_service(tmp_path):
    """Visitor permits' figures stop in December 2022, two years before the site's latest: its take-up
    (75%) is of a year long past, so permits' savings do not hold it up as the best in the category."""
    from generator import assemble

    services = savings_of(tmp_path, **visitor_permits(year=2022))
    assert services["visitors"].ended and services["permits"].savings.scenario("best") is None
    assert assemble.best_comparables(services.values(), services)["permits"] is None


def test_the_savings_page_ranks_services_and_offers_a_download(tmp_path):
    out = tmp_path / "site"
    build_site(write_site(tmp_path, files()), out)
    page = BeautifulSoup((out / "savings/index.html").read_text(), "html.parser")
    first = page.find("tbody").find("tr")
    assert "Renew a permit" in first.th.get_text() and "£616" in first.get_text()  # a year's saving: whole pounds
    assert (out / "savings/sort/saving-asc/index.html").is_file()  # sortable without JavaScript
    csv_lines = (out / "data/savings.csv").read_text().splitlines()
    # Unrounded, as every download: 2,220 of 3,420 online; 10 points more moves 342 from phone at £1.80 more.
    assert csv_lines[1] == ("permits,Renew a permit,test-council,January to December 2024,3420,64.9122807017544,"
                            "2844,site,points,74.9122807017544,2228.4,615.6")
    service = BeautifulSoup((out / "services/permits/index.html").read_text(), "html.parser")
    text = service.find(id="savings-heading").parent.get_text(" ", strip=True)
    assert "If digital take-up rose from 64.9% to 74.9%, the yearly cost would fall by about £616." in text


def test_a_service_without_a_whole_latest_year_has_no_savings(tmp_path):
    """A council tester: three months' cost was called 'yearly' (and a six months' 'an estimated
    yearly cost') and ranked beside whole years on the savings pages. Visitor permits with April to
    June 2024 only has no savings; with the whole of 2024 it has (75% take-up: 10 points more moves
    480 of 4,800 transactions from phone to online, each £1.80 less: £864)."""
    part = visitor_permits()
    part["data/visitors.csv"] = "\n".join(line for line in part["data/visitors.csv"].splitlines()
                                          if not line.startswith("2024-") or line[5:7] in ("04", "05", "06")) + "\n"
    site = tmp_path / "part"
    build_site(write_site(site, files(**part)), site / "site")
    assert savings_of(tmp_path / "check", **part)["visitors"].savings is None
    page = (site / "site/services/visitors/index.html").read_text()
    assert "What more online use would save" not in page and "yearly cost" not in page
    assert "visitors" not in (site / "site/data/savings.csv").read_text()
    whole = savings_of(tmp_path / "whole", **visitor_permits())["visitors"].savings
    assert whole.scenario("points").saving == pytest.approx(480 * 1.80)


def test_a_savings_page_with_nothing_to_estimate_from_says_why_and_lists_no_empty_unit_costs(tmp_path):
    """A tester's GP appointments, every service marking its cost not requested and no channel with a
    unit cost, had a savings page saying no service had 'a unit cost for each of its channels', above
    a table of every channel's unit cost as 'no data'."""
    def savings_page(root, files):
        build_site(write_site(root, files), root / "site")
        return BeautifulSoup((root / "site/savings/index.html").read_text(), "html.parser")

    files = standard_files()
    files["config.yaml"] = "\n".join(line for line in files["config.yaml"].splitlines() if "unit_cost" not in line)
    files["content/services/fines.yaml"] += "not_requested: [cost_per_transaction]\n"
    files["content/services/permits.yaml"] = files["content/services/permits.yaml"].replace(
        "not_requested: [completion_rate]", "not_requested: [completion_rate, cost_per_transaction]")
    page = savings_page(tmp_path / "none-collect", files)
    main = page.find("main")
    assert "None of these services collects its cost per transaction, so there are no costs to estimate savings " \
           "from." in main.get_text(" ", strip=True)
    assert main.find("table") is None and "How these estimates are made" not in main.get_text()
    # Costs collected, but no unit cost for any channel: that is why.
    files = standard_files()
    files["config.yaml"] = "\n".join(line for line in files["config.yaml"].splitlines() if "unit_cost" not in line)
    main = savings_page(tmp_path / "no-unit-costs", files).find("main")
    assert "No typical cost of a transaction is given for any channel, so no savings can be estimated." in \
        main.get_text(" ", strip=True)
    assert main.find("table") is None
    # Unit costs and channel splits, but no service with a whole 12 months of figures yet (a review: the
    # page had said no service had a channel split and unit costs). Each service's last 3 months only.
    files = standard_files()
    for name in ("data/fines.csv", "data/permits.csv"):
        lines = files[name].splitlines()
        months = sorted({line.split(",")[0] for line in lines[1:]})[-3:]
        files[name] = "\n".join([lines[0], *(line for line in lines[1:] if line.split(",")[0] in months)]) + "\n"
    main = savings_page(tmp_path / "young", files).find("main")
    assert "None of these services has figures for a whole 12 months yet, which a yearly saving is worked out " \
           "from." in main.get_text(" ", strip=True)
    # With the site's unit costs, the table lists them (online £0.20, phone £2.00, post £10.00).
    main = savings_page(tmp_path / "costed", standard_files()).find("main")
    costs = main.find("caption", string=lambda s: s and s.startswith("Typical cost")).find_parent("table")
    assert [td.get_text() for td in costs.select("tbody td.num")] == ["£0.20", "£2.00", "£10.00"]


def test_a_site_of_satisfaction_alone_is_not_told_it_lacks_a_whole_year(tmp_path):
    """A service of 24 months of satisfaction and no counts: the savings page said none of its
    services had 'figures for a whole 12 months yet', which it had; the reason is no channel split."""
    files = standard_files()
    del files["content/services/fines.yaml"], files["data/fines.csv"]
    months = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]
    files["data/permits.csv"] = "period,satisfaction\n" + "".join(f"{m},80\n" for m in months)
    build_site(write_site(tmp_path, files), tmp_path / "site")
    text = BeautifulSoup((tmp_path / "site/savings/index.html").read_text(), "html.parser").find("main").get_text(
        " ", strip=True)
    assert "whole 12 months" not in text and "No service has both a channel split" in text


def test_a_channel_not_counted_is_said_beside_the_savings_and_the_cost_report(tmp_path):
    """A tester's parking fines marked Post *** in every quarter: the service page said Post was not
    counted above its key figures, but its savings ('77.2% of 36,730 transactions were digital') and
    its rows in the savings ranking and the cost report stood beside complete services without a word."""
    from sitefactory import permits_csv

    files = standard_files()
    files["data/permits.csv"] = permits_csv() + "".join(
        f"{2023 + i // 12}-{i % 12 + 1:02d},post,***\n" for i in range(24))
    out = tmp_path / "site"
    build_site(write_site(tmp_path, files), out)

    def text(path):
        return " ".join(BeautifulSoup((out / path).read_text(), "html.parser").get_text(" ").split())

    assert ("Transactions through Post are not counted in some or all of these months (marked not requested in the "
            "data), so these figures are of the other channels.") in text("services/permits/index.html")
    assert "Renew a permit January to December 2024 not counting Post" in text("savings/index.html")
    reports = [text(p.relative_to(out)) for p in sorted(out.glob("costs/20*/index.html"))]
    assert "Renew a permit not counting Post" in reports[1]  # 2023/24, a whole year
    assert all("not counting Post" in report for report in reports if "Renew a permit" in report)
    assert "not counting" not in text("services/fines/index.html")
    # Marked so in January to March 2023 only, and counted after: not said of 2024's savings, which
    # count its 240 (a review); the key figures' note says in how many periods.
    files["data/permits.csv"] = permits_csv() + "".join(
        f"{2023 + i // 12}-{i % 12 + 1:02d},post,{'***' if i < 3 else 10}\n" for i in range(24))
    build_site(write_site(tmp_path, files), out)
    assert "Not counted (marked not requested in the data): transactions through Post, in 3 of 24 periods." in \
        text("services/permits/index.html")
    assert "not counting" not in text("savings/index.html") and "are not counted" not in \
        text("services/permits/index.html")
    reports = {p.parent.name: text(p.relative_to(out)) for p in out.glob("costs/20*/index.html")}
    assert "Renew a permit part year: 3 months not counting Post" in reports["2022-23"]  # January to March 2023
    assert "not counting" not in reports["2023-24"] + reports["2024-25"]
    # Marked so in October to December 2024 only: said of 2024's savings and of 2024/25, not of 2023/24.
    files["data/permits.csv"] = permits_csv() + "".join(
        f"{2023 + i // 12}-{i % 12 + 1:02d},post,{'***' if i >= 21 else 10}\n" for i in range(24))
    build_site(write_site(tmp_path, files), out)
    assert "Renew a permit January to December 2024 not counting Post" in text("savings/index.html")
    reports = {p.parent.name: text(p.relative_to(out)) for p in out.glob("costs/20*/index.html")}
    assert "not counting Post" in reports["2024-25"] and "not counting" not in reports["2023-24"]
