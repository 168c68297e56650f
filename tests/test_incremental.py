"""Honest incremental builds: a build with no changes writes nothing; any change to an input, the
config, a template or the generator's version is noticed, and only changed files are rewritten."""

from __future__ import annotations

import pytest

from generator import fingerprint
from generator.build import build_site
from sitefactory import FINES_CSV, standard_files, write_site


def snapshot(site):
    """Each file's inode and modification time: a rewritten file gets new ones."""
    return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in site.rglob("*") if p.is_file()}


@pytest.fixture
def site(tmp_path):
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    config = write_site(tmp_path, files)
    first = build_site(config, tmp_path / "site")
    assert not first.up_to_date and first.written == first.files
    return config, tmp_path / "site"


def test_a_build_with_no_changes_writes_nothing(site):
    config, out = site
    before = snapshot(out)
    again = build_site(config, out)
    assert again.up_to_date and again.written == 0
    assert snapshot(out) == before


def test_one_changed_csv_rewrites_only_the_files_it_changes(site):
    config, out = site
    before = snapshot(out)
    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    result = build_site(config, out)
    after = snapshot(out)
    assert not result.up_to_date and 0 < result.written < result.files
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert "services/fines/index.html" in changed and "index.html" in changed  # it and the pages summing it
    assert "services/permits/index.html" not in changed
    assert "data/services/permits.csv" not in changed and "data/services/fines.csv" in changed


def test_config_template_and_generator_version_changes_are_noticed(site, monkeypatch):
    config, out = site
    config.write_text(config.read_text().replace("title: Test Council performance", "title: Test Council figures"))
    result = build_site(config, out)
    assert not result.up_to_date and "Test Council figures" in (out / "services/permits/index.html").read_text()

    templates = config.parent / "templates"
    templates.mkdir()
    (templates / "404.html").write_text('{% extends "default:404.html" %}{% block title %}Lost{% endblock %}')
    result = build_site(config, out)
    assert not result.up_to_date and result.written >= 1

    assert build_site(config, out).up_to_date
    monkeypatch.setattr(fingerprint, "__version__", "99.0")
    assert not build_site(config, out).up_to_date


def test_an_edited_output_file_is_put_right(site):
    config, out = site
    page = out / "services/fines/index.html"
    good = page.read_bytes()
    page.write_bytes(good + b"<!-- edited by hand -->")
    result = build_site(config, out)
    assert not result.up_to_date
    assert page.read_bytes() == good
    # An edit that keeps the file's size is noticed too (by its modification time).
    import os
    import time

    page.write_bytes(good.replace(b"<html", b"<HTML", 1))
    os.utime(page, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert not build_site(config, out).up_to_date
    assert page.read_bytes() == good


def test_strict_is_part_of_what_a_build_depends_on(site):
    config, out = site
    assert build_site(config, out).up_to_date
    assert not build_site(config, out, strict=True).up_to_date


def test_the_dev_servers_quick_build_is_finished_by_the_next_full_one(tmp_path):
    config = write_site(tmp_path, standard_files())  # static SVG charts on; the chart cache is empty
    quick = build_site(config, tmp_path / "site", draw_missing=False)
    page = tmp_path / "site/services/fines/index.html"
    assert quick.charts_pending > 0 and "<svg" not in page.read_text()
    assert "drawn with JavaScript" in page.read_text()
    full = build_site(config, tmp_path / "site")
    assert not full.up_to_date and full.charts_pending == 0 and "<svg" in page.read_text()
    assert build_site(config, tmp_path / "site").up_to_date
