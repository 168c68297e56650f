"""`perfpages serve`: a page open in Chromium changes after its CSV is edited; a broken edit keeps
the last good site and shows the problems in the page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sitefactory import FINES_CSV, standard_files, write_site

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists() and os.environ.get("PERFPAGES_REQUIRE_BROWSER"):
    raise RuntimeError(f"Chromium is required but not installed at {CHROMIUM}")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Chromium is not installed at {CHROMIUM}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tmp_path, files):
    """A dev server on the site ``files``, once its first build has ended: (process, URL, what it
    printed by then). It listens from the start, so the first build's end is read from its output."""
    config = write_site(tmp_path, files)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--config", str(config),
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    printed = []
    while not printed or not printed[-1].startswith(("Built ", "Build failed", "Nothing has changed")):
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"serve stopped: {''.join(printed)}")
        printed.append(line)
    return process, f"http://127.0.0.1:{port}/", "".join(printed)


@pytest.fixture
def served(tmp_path):
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    process, url, _ = start_server(tmp_path, files)
    yield tmp_path, url
    process.terminate()
    process.wait(timeout=10)


def test_editing_a_csv_reloads_the_open_page(served):
    from playwright.sync_api import sync_playwright

    root, url = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(url + "services/fines/")
        card = '[data-kpi="transactions_per_year"]'
        before = page.inner_text(card)
        page.wait_for_timeout(300)  # let the reload script connect
        (root / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,1150,"))
        # 80+60+60+90+55+55+100+50+50+120+40+40+150+30 = 980 transactions, +1,000 = 1,980.
        page.wait_for_function(f"document.querySelector('{card}').innerText.includes('1,980')", timeout=15000)
        assert "1,980" not in before

        (root / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,lots,"))
        page.wait_for_selector("[role=alert]", timeout=15000)
        alert = page.inner_text("[role=alert]")
        assert "data/fines.csv:14:3: error: 'transactions' is not a number: 'lots'" in alert
        assert "1,980" in page.inner_text(card)  # the last good site is still served
        browser.close()


def test_a_file_that_changes_no_page_reloads_no_page(tmp_path):
    """A serve tester: an editor's autosave beside the data (Emacs's '#fines.csv#', a '.bak') was
    rebuilt, writing nothing, and still reloaded every open page: as Emacs saves while one types."""
    from playwright.sync_api import sync_playwright

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    process, url, _ = start_server(tmp_path, files)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url + "services/fines/")
            page.wait_for_timeout(300)  # let the reload script connect
            page.evaluate("window.stillHere = true")
            for name in ("#fines.csv#", "fines.csv.bak"):
                (tmp_path / "data" / name).write_text(FINES_CSV)
                line = process.stdout.readline()
                while not line.startswith(("Built ", "Nothing has changed")):
                    line = process.stdout.readline()
                page.wait_for_timeout(1000)  # a reload is sent as the build ends
                assert page.evaluate("window.stillHere === true"), name
            (tmp_path / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,1150,"))
            page.wait_for_function("window.stillHere === undefined", timeout=15000)  # a real change still does
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_failed_first_build_shows_its_problems_and_the_site_once_fixed(tmp_path):
    """No site yet and the first build fails: the browser shows the problems (not an empty folder
    listing) and shows the site by itself once the CSV is fixed."""
    from playwright.sync_api import sync_playwright

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/fines.csv"] = FINES_CSV.replace("2024-03,online,150,", "2024-03,online,lots,")
    process, url, printed = start_server(tmp_path, files)
    assert "there is no site to serve yet" in printed and "still serving the last good site" not in printed
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url + "services/fines/")
            alert = page.inner_text("[role=alert]")
            assert "data/fines.csv:14:3: error: 'transactions' is not a number: 'lots'" in alert
            assert "there is no site yet" in alert and "last good version" not in alert
            page.wait_for_timeout(300)  # let the reload script connect
            (tmp_path / "data/fines.csv").write_text(FINES_CSV)
            page.wait_for_selector('[data-kpi="transactions_per_year"]', timeout=15000)
            assert page.locator("[role=alert]").count() == 0
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
