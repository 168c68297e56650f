"""Honest incremental builds: a build with no changes writes nothing; any change to an input, the
config, a template or the generator's version is noticed, and only changed files are rewritten."""

from __future__ import annotations

import pytest

from generator import fingerprint
from generator.build import build_site
from generator.errors import BuildFailed
from sitefactory import FINES_CSV, build_cold, snapshot, standard_files, tree, write_site


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


def test_strict_changes_no_output_but_still_fails_on_the_warnings_of_an_unchanged_site(site):
    """A tester: after CI's build --strict, a plain build (the dev server's) made the whole site again,
    and the next strict one again, though --strict changes no file; it only fails a build that warns."""
    config, out = site
    before = snapshot(out)
    strict = build_site(config, out, strict=True)
    assert strict.up_to_date and strict.written == 0 and snapshot(out) == before
    fines = config.parent / "data/fines.csv"
    fines.write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    changed = build_site(config, out, strict=True)
    assert changed.reused_services == 1 and 0 < changed.written < changed.files  # permits kept
    # A warning (a repeated row): a plain build makes the site and tells it; a strict one, with
    # nothing changed since, fails on it, leaving the site as it is.
    fines.write_text(fines.read_text() + "2024-03,post,30,300,,,,,,,\n")
    assert [p for p in build_site(config, out).problems.warnings if "repeated row" in p.message]
    before = snapshot(out)
    with pytest.raises(BuildFailed) as failed:
        build_site(config, out, strict=True)
    assert [p for p in failed.value.problems.warnings if "repeated row" in p.message]
    assert snapshot(out) == before
    # Accepted in config.yaml, it passes: the site is made again (config.yaml changed), then kept.
    config.write_text(config.read_text() + "accepted_warnings:\n  - file: fines.csv\n    message: repeated row\n"
                                           "    reason: the export repeats it\n")
    assert not build_site(config, out, strict=True).problems.warnings
    again = build_site(config, out, strict=True)
    assert again.up_to_date and not again.problems.warnings


def test_the_dev_servers_quick_build_is_finished_by_the_next_full_one(tmp_path):
    files = standard_files()  # static SVG charts drawn by vl-convert; the chart cache is empty
    files["config.yaml"] += "charts:\n  static_renderer: vl-convert\n"
    config = write_site(tmp_path, files)
    quick = build_site(config, tmp_path / "site", draw_missing=False)
    page = tmp_path / "site/services/fines/index.html"
    assert quick.charts_pending > 0 and "<svg" not in page.read_text()
    assert "drawn with JavaScript" in page.read_text()
    full = build_site(config, tmp_path / "site")
    assert not full.up_to_date and full.charts_pending == 0 and "<svg" in page.read_text()
    assert build_site(config, tmp_path / "site").up_to_date


def test_builtin_static_charts_are_drawn_even_in_the_quick_build(tmp_path):
    """The built-in renderer takes about a millisecond a chart: nothing is left for later."""
    config = write_site(tmp_path, standard_files())
    quick = build_site(config, tmp_path / "site", draw_missing=False)
    assert quick.charts_pending == 0
    assert '<svg role="img"' in (tmp_path / "site/services/fines/index.html").read_text()


def test_a_reused_service_gives_the_same_site_as_a_clean_build(tmp_path, site):
    """The fines CSV changes: permits is taken from the last build, and the site is byte for byte
    what a build from nothing makes (totals on the home page included)."""
    config, out = site
    changed = FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,")
    (config.parent / "data/fines.csv").write_text(changed)
    result = build_site(config, out)
    assert result.reused_services == 1  # permits; fines was read and computed again

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/fines.csv"] = changed
    clean_config = write_site(tmp_path / "clean", files)
    clean = build_site(clean_config, tmp_path / "clean/site")
    assert clean.reused_services == 0
    assert tree(out) == tree(tmp_path / "clean/site")


def test_a_markdown_pages_words_remake_no_service_but_its_title_remakes_them_all(tmp_path, site):
    """Service pages show the Markdown pages' titles (in the navigation and footer), not their words: a
    tester's edit to the About page's text remade all 100 services (9 s). Its title is on every page.
    Either way the site is byte for byte a clean build's; a site template naming pages keeps it whole."""
    config, out = site
    about = config.parent / "content/pages/about.md"
    about.write_text(about.read_text().replace("Text.", "Other words."))
    result = build_site(config, out)
    assert result.reused_services == 2
    assert "Other words." in (out / "about/index.html").read_text()
    about.write_text(about.read_text().replace("title: About", "title: About us"))
    assert build_site(config, out).reused_services == 0
    assert ">About us</a>" in (out / "services/fines/index.html").read_text()

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["content/pages/about.md"] = about.read_text()
    clean = tmp_path / "clean"
    build_site(write_site(clean, files), clean / "site")
    assert tree(out) == tree(clean / "site")

    (config.parent / "templates").mkdir()
    (config.parent / "templates/service.html").write_text(
        '{% extends "default:service.html" %}{% block title %}{{ model.pages|length }}{% endblock %}')
    build_site(config, out)
    about.write_text(about.read_text().replace("Other words.", "Yet more words."))
    assert build_site(config, out).reused_services == 0


def test_a_copied_theme_is_not_counted_as_the_sites_own_templates(site):
    """A council that copies the whole built-in theme (to change its colours) has templates that name
    pages, but only as the built-in ones do: a word changed on its About page had remade every
    service. Once a copied template differs, it is the site's own again."""
    import shutil

    from generator import BUILTIN_THEME

    config, out = site
    shutil.copytree(BUILTIN_THEME / "templates", config.parent / "themes/default/templates")
    build_site(config, out)
    about = config.parent / "content/pages/about.md"
    about.write_text(about.read_text().replace("Text.", "Other words."))
    assert build_site(config, out).reused_services == 2
    base = config.parent / "themes/default/templates/base.html"
    base.write_text(base.read_text() + "\n")
    build_site(config, out)
    about.write_text(about.read_text().replace("Other words.", "Yet more words."))
    assert build_site(config, out).reused_services == 0


def test_a_record_kept_in_memory_between_builds_gives_a_clean_builds_site(tmp_path, site, monkeypatch):
    """The dev server builds again and again in one process, keeping the unit records it has read
    (they never change under their key): the third build reuses permits without reading its file
    again, and the site is still byte for byte a clean build's."""
    from generator import units

    config, out = site
    for count in (151, 152):
        changed = FINES_CSV.replace("2024-03,online,150,", f"2024-03,online,{count},")
        (config.parent / "data/fines.csv").write_text(changed)
        if count == 152:  # permits' record was read by the build before: it must not be read again
            import pickle
            from types import SimpleNamespace

            def load(handle):
                pytest.fail("a record was read again")
            monkeypatch.setattr(units, "pickle", SimpleNamespace(
                load=load, loads=pickle.loads, dumps=pickle.dumps, HIGHEST_PROTOCOL=pickle.HIGHEST_PROTOCOL,
                UnpicklingError=pickle.UnpicklingError))
        assert build_site(config, out).reused_services == 1
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/fines.csv"] = changed
    clean_config = write_site(tmp_path / "clean", files)
    build_site(clean_config, tmp_path / "clean/site")
    assert tree(out) == tree(tmp_path / "clean/site")


def test_a_data_warning_of_a_reused_service_is_still_reported(site):
    config, out = site
    permits = config.parent / "data/permits.csv"
    permits.write_text(permits.read_text() + "2024-12,phone,100\n")  # a repeated row: a warning
    first = build_site(config, out)
    assert any("repeated row" in p.message and p.path.endswith("permits.csv") for p in first.problems.warnings)
    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    second = build_site(config, out)
    assert second.reused_services == 1
    assert [p.message for p in second.problems.warnings] == [p.message for p in first.problems.warnings]


def test_a_config_warning_from_one_services_file_goes_once_that_file_is_fixed(tmp_path):
    """A differential tester: a warning placed in config.yaml (a source's ignore: names a column its
    file lacks) was kept with every service made in that build, so once the file was fixed the
    others, reused, told it again; --strict then passed or failed by what the cache held."""
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\nsources:\n  - file: permits.csv\n    ignore: [Notes]\n"
    config = write_site(tmp_path, files)
    first = build_site(config, tmp_path / "site")
    assert [p.path for p in first.problems.warnings if "'Notes' is not in" in p.message] == ["config.yaml"]
    permits = config.parent / "data/permits.csv"
    lines = permits.read_text().splitlines()
    permits.write_text("\n".join([lines[0] + ",Notes"] + [line + "," for line in lines[1:]]) + "\n")
    second = build_site(config, tmp_path / "site")
    assert second.reused_services == 1  # fines, whose file is not the source's
    assert not [p for p in second.problems.warnings if "'Notes' is not in" in p.message]
    assert tree(tmp_path / "site") == tree(build_site_cold(tmp_path, config))


def test_a_fixed_warning_does_not_come_back_from_a_unit_made_beside_it(tmp_path):
    """A differential tester: permits' warning was kept in the record of fines, made in a later
    build (each new unit's record took the reused units' warnings too), so once permits' file was
    fixed the warning came back with fines, build after build, and a cold build had none."""
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    config = write_site(tmp_path, files)
    permits = config.parent / "data/permits.csv"
    whole = permits.read_text()
    permits.write_text(whole.replace("2023-06,online,60\n2023-06,phone,100\n", ""))  # a month with no rows
    gap = [p.message for p in build_site(config, tmp_path / "site").problems.warnings if "2023-06" in p.message
           or "June 2023" in p.message]
    assert gap
    fines = config.parent / "data/fines.csv"
    fines.write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    assert [p.message for p in build_site(config, tmp_path / "site").problems.warnings if p.message in gap] == gap
    permits.write_text(whole)
    fixed = build_site(config, tmp_path / "site")
    assert fixed.reused_services == 1 and not [p for p in fixed.problems.warnings if p.message in gap]
    assert not [p for p in build_site(config, tmp_path / "site").problems.warnings if p.message in gap]
    assert tree(tmp_path / "site") == tree(build_site_cold(tmp_path, config))


def test_a_warning_at_a_pattern_goes_only_with_the_services_of_its_files(tmp_path):
    """A differential tester: a warning placed at a pattern ('data/teams/*.csv', a heading that is
    no channel) names no service's own file, so it went with every service made in that build;
    once the heading was gone, the others, reused, told it again."""
    files = standard_files()
    files["config.yaml"] += ("charts:\n  static_svg: false\nsources:\n  - file: teams/*.csv\n    columns:\n"
                             "      service: \"{file name}\"\n      period: Month\n    wide:\n"
                             "      columns: \"{channel}\"\n    services:\n      name: \"{file name} requests\"\n"
                             "      organisation: test-council\n")
    files["data/teams/licensing.csv"] = "Month,Online,Phone,Webchat\n2024-01,10,5,1\n2024-02,12,4,2\n"
    config = write_site(tmp_path, files)
    first = build_site(config, tmp_path / "site")
    assert [p.path for p in first.problems.warnings if "'Webchat' is not a channel" in p.message] == [
        "data/teams/*.csv"]
    (config.parent / "data/teams/licensing.csv").write_text("Month,Online,Phone\n2024-01,10,5\n2024-02,12,4\n")
    second = build_site(config, tmp_path / "site")
    assert second.reused_services == 2  # fines and permits
    assert not [p for p in second.problems.warnings if "Webchat" in p.message]
    assert tree(tmp_path / "site") == tree(build_site_cold(tmp_path, config))


def build_site_cold(tmp_path, config):
    return build_cold(config, tmp_path / "cold")[1]


def test_a_service_whose_files_were_removed_from_the_output_is_made_again(site):
    config, out = site
    (out / "data/services/permits.csv").unlink()
    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    result = build_site(config, out)
    assert result.reused_services == 0
    assert (out / "data/services/permits.csv").exists()


def test_a_build_into_a_new_folder_takes_unchanged_services_figures_from_the_cache(tmp_path, site, monkeypatch):
    """A CI run restores .perfpages-cache into a fresh checkout, with no site: services whose inputs
    are unchanged are not read or worked out again (their records hold their figures and tidy CSVs),
    their pages are made again from them, and the site is byte for byte a clean build's. A changed
    service is worked out as ever; afterwards the new folder's records serve its incremental builds."""
    from generator import data

    config, out = site
    real_load = data.load_data
    read = []

    def load_data(config_, services, *args, **kwargs):
        read.extend(s.slug for s in services)
        return real_load(config_, services, *args, **kwargs)
    monkeypatch.setattr(data, "load_data", load_data)
    again = build_site(config, tmp_path / "ci-1")
    assert again.recalled_services == 2 and again.reused_services == 0 and read == []
    assert again.written == again.files and tree(tmp_path / "ci-1") == tree(out)

    changed = FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,")
    (config.parent / "data/fines.csv").write_text(changed)
    result = build_site(config, tmp_path / "ci-2")
    assert result.recalled_services == 1 and read == ["fines"]  # permits' figures from its record
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/fines.csv"] = changed
    clean = build_site(write_site(tmp_path / "clean", files), tmp_path / "clean/site")
    assert clean.recalled_services == 0 and tree(tmp_path / "ci-2") == tree(tmp_path / "clean/site")

    # The records now describe ci-2's files: a build there changes nothing, and a new month there
    # reuses permits' pages as they stand.
    assert build_site(config, tmp_path / "ci-2").up_to_date
    (config.parent / "data/fines.csv").write_text(changed.replace("2024-03,online,151,", "2024-03,online,152,"))
    read.clear()
    assert build_site(config, tmp_path / "ci-2").reused_services == 1 and read == ["fines"]


def test_a_data_warning_of_a_service_taken_from_the_cache_is_still_reported(tmp_path, site):
    config, out = site
    permits = config.parent / "data/permits.csv"
    permits.write_text(permits.read_text() + "2024-12,phone,100\n")  # a repeated row: a warning
    first = build_site(config, out)
    assert any("repeated row" in p.message and p.path.endswith("permits.csv") for p in first.problems.warnings)
    second = build_site(config, tmp_path / "elsewhere")
    assert second.recalled_services == 2
    assert [(p.path, p.line, p.message) for p in second.problems.warnings] == \
        [(p.path, p.line, p.message) for p in first.problems.warnings]


def test_a_service_template_reading_other_services_stops_reuse(site):
    """A council's service page that shows, say, how many services there are depends on every service."""
    config, out = site
    templates = config.parent / "templates"
    templates.mkdir()
    (templates / "service.html").write_text(
        '{% extends "default:service.html" %}'
        '{% block title %}{{ super() }} (one of {{ model.services|length }}){% endblock %}')
    build_site(config, out)
    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    assert build_site(config, out).reused_services == 0

    (templates / "service.html").write_text(
        '{% extends "default:service.html" %}{% block title %}{{ super() }} ({{ model.site.title }}){% endblock %}')
    build_site(config, out)
    (config.parent / "data/fines.csv").write_text(FINES_CSV)
    assert build_site(config, out).reused_services == 1

    # A template named as the page renders may be any template, one that lists every service
    # among them: a tester's {% include ["count.html"] %} kept pages showing a stale figure.
    (templates / "count.html").write_text("{{ model.services|length }}")
    for include in ('{% include ["count.html"] %}', '{% include "co" ~ "unt.html" %}'):
        (templates / "service.html").write_text(
            '{% extends "default:service.html" %}{% block title %}{{ super() }} (' + include + '){% endblock %}')
        build_site(config, out)
        (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,152,"))
        assert build_site(config, out).reused_services == 0
        (config.parent / "data/fines.csv").write_text(FINES_CSV)


def test_a_small_change_is_patched_in_place_and_a_failed_write_falls_back_safely(tmp_path, monkeypatch):
    """A few changed files are written beside their targets and renamed in; if writing them fails,
    nothing half-done is left and the whole site is written the long way instead."""
    import builtins

    from generator import write

    out, state = tmp_path / "site", tmp_path / "cache"
    first = {"index.html": b"home", "a/b/page.html": b"one", "c/page.html": b"two"}
    write.write_site(out, first, [], "v1", state_dir=state)
    inode = (out / "index.html").stat().st_ino

    write.write_site(out, {"index.html": b"home", "a/b/page.html": b"ONE"}, [], "v2", state_dir=state)
    assert (out / "a/b/page.html").read_bytes() == b"ONE" and not (out / "c").exists()
    assert (out / "index.html").stat().st_ino == inode  # patched where it stands, not copied
    assert write.previous_files(out, state)  # the record of what is there was kept up to date

    real_open = builtins.open

    def failing_open(file, mode="r", *args, **kwargs):
        if ".perfpages-" in str(file) and "w" in mode:
            raise OSError(28, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(write, "open", failing_open, raising=False)
    write.write_site(out, {"index.html": b"HOME", "a/b/page.html": b"ONE"}, [], "v3", state_dir=state)
    assert (out / "index.html").read_bytes() == b"HOME"
    assert not [p for p in tmp_path.rglob("*") if ".perfpages-" in p.name or ".tmp-" in p.name]
    assert write.previous_files(out, state)


def test_a_patch_killed_before_its_renames_leaves_nothing_in_the_next_site(tmp_path):
    """A differential tester killed a build (SIGKILL) after it had written a small change's
    temporary files into the site but before renaming any: later builds kept them, unlisted, in the
    site they published. A journal beside the site names them; the next build removes them."""
    import os

    from generator import write

    out, state = tmp_path / "site", tmp_path / "cache"
    write.write_site(out, {"index.html": b"home", "a/page.html": b"one"}, [], "v1", state_dir=state)
    child = os.fork()
    if child == 0:  # the build that is killed: it dies at its first rename
        try:
            write.os.replace = lambda *args: os._exit(9)
            write.write_site(out, {"index.html": b"home", "a/page.html": b"ONE"}, [], "v2", state_dir=state)
        finally:
            os._exit(1)
    os.waitpid(child, 0)
    left = [p.name for p in out.rglob("*") if ".perfpages-" in p.name]
    assert left and (tmp_path / f".site.patch-{child}").exists()  # what the kill left, as a real one would
    assert write.previous_files(out, state) == {}  # not taken as intact (a build with no change would keep them)
    write.write_site(out, {"index.html": b"home", "a/page.html": b"TWO"}, [], "v3", state_dir=state)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".perfpages", "a/page.html", "index.html"]
    assert not [p for p in tmp_path.iterdir() if ".patch-" in p.name]


def test_two_builds_sharing_a_cache_keep_each_others_records(site):
    """A site built two ways into one cache (here strict and not, as with and without SVG charts)
    still reuses services on each, rather than each build throwing away the other's records."""
    config, out = site
    build_site(config, out.parent / "strict-site", strict=True)
    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    assert build_site(config, out).reused_services == 1


def test_pages_rendered_over_several_processes_are_the_same_as_over_one(tmp_path):
    """--jobs 2 forks workers for the pages (76 here, over the 48 where it starts); output is identical."""
    from generator import render_jobs

    config = write_site(tmp_path, standard_files())
    one = build_site(config, tmp_path / "one", jobs=1)
    two = build_site(config, tmp_path / "two", jobs=2)
    assert one.pages == two.pages >= render_jobs.WORTH_IT
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def rendered_paths(monkeypatch) -> list[str]:
    from generator import render

    made, real = [], render.render_page
    monkeypatch.setattr(render, "render_page", lambda env, spec, *rest: made.append(spec.path) or real(env, spec, *rest))
    return made


def change_permits_december(config) -> str:
    """One figure of permits' last month (in 2024/25) changes; returns the new CSV."""
    permits = config.parent / "data/permits.csv"
    changed = permits.read_text().replace("2024-12,online,240", "2024-12,online,241")
    permits.write_text(changed)
    return changed


def test_cost_pages_of_unchanged_years_are_kept_and_the_site_is_still_a_clean_builds(tmp_path, site, monkeypatch):
    """Permits' December 2024 changes: only 2024/25 costs change, so the 2022/23 and 2023/24 pages
    (every sort order) are kept as they are, and the site is byte for byte a clean build's."""
    config, out = site
    changed = change_permits_december(config)
    made = rendered_paths(monkeypatch)
    build_site(config, out, jobs=1)
    costs = [p for p in made if p.startswith("costs/")]
    assert costs and all(p.startswith("costs/2024-25/") for p in costs), costs  # not 2022/23, 2023/24 or costs/
    assert (out / "costs/2023-24/index.html").is_file() and (out / "costs/2022-23/index.html").is_file()

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/permits.csv"] = changed
    clean = build_site(write_site(tmp_path / "clean", files), tmp_path / "clean/site")
    assert clean.reused_services == 0
    assert tree(out) == tree(tmp_path / "clean/site")


def test_a_cost_page_template_reading_the_whole_model_keeps_no_cost_page(site, monkeypatch):
    config, out = site
    theme = config.parent / "templates"
    theme.mkdir(exist_ok=True)
    (theme / "costs.html").write_text('{% extends "default:costs.html" %}'
                                      '{% block content %}{{ model.services|length }} services{{ super() }}'
                                      '{% endblock %}')
    build_site(config, out)
    permits = config.parent / "data/permits.csv"
    permits.write_text(permits.read_text().replace("2024-12,online,240", "2024-12,online,241"))
    made = rendered_paths(monkeypatch)
    build_site(config, out, jobs=1)
    assert any(p.startswith("costs/2022-23/") for p in made)


def test_services_in_one_category_are_made_again_only_when_their_best_comparable_changes(tmp_path, monkeypatch):
    """Each service's savings compare it with the best take-up in its category, so a change to fines'
    take-up changes permits' page. They are not one unit (one CSV's edit had read, computed and
    rendered its whole category): permits' record notes the best it was made with, and it is made
    again when that changes, and only then. Either way the site is a clean build's."""
    from generator import units
    from generator.config import load_config
    from generator.content import load_content
    from generator.errors import Problems

    def files_with(fines_csv):
        files = standard_files()
        files["config.yaml"] += "charts:\n  static_svg: false\n"
        for name in ("content/services/fines.yaml", "content/services/permits.yaml"):
            files[name] += "category: Parking\n"
        files["data/fines.csv"] = fines_csv
        files["data/permits.csv"] += "2024-12,phone,100\n"  # a repeated row: a warning its record keeps
        return files

    def permits_warned(result):
        return [p.message for p in result.problems.warnings if p.path.endswith("permits.csv")]

    config = write_site(tmp_path / "site", files_with(FINES_CSV))
    problems = Problems(root=config.parent)
    cfg = load_config(config, problems)
    assert sorted(sorted(s.slug for s in u.services) for u in units.partition(
        cfg, load_content(cfg, problems).services)) == [["fines"], ["permits"]]
    out = tmp_path / "site/site"
    warned = permits_warned(build_site(config, out))
    assert len(warned) == 1 and "repeated row" in warned[0]
    assert "Pay a fine" not in (out / "services/permits/index.html").read_text()  # its take-up is lower

    # Fines' cost changes, not its take-up: permits' page says the same, and is kept.
    cost = FINES_CSV.replace("2024-03,online,150,30,", "2024-03,online,150,35,")
    (config.parent / "data/fines.csv").write_text(cost)
    assert build_site(config, out).reused_services == 1
    build_site(write_site(tmp_path / "clean", files_with(cost)), tmp_path / "clean/site")
    assert tree(out) == tree(tmp_path / "clean/site")

    # Fines' take-up rises: permits' best comparable service with it, so permits' page is made again,
    # from its kept figures: its data is not read again (only fines' is).
    from generator import build as build_module

    read = []
    work_out = build_module._work_out
    monkeypatch.setattr(build_module, "_work_out",
                        lambda config, services, *rest: read.extend(s.slug for s in services) or work_out(
                            config, services, *rest))
    take_up = cost.replace("2024-03,online,150,", "2024-03,online,900,")
    (config.parent / "data/fines.csv").write_text(take_up)
    remade = build_site(config, out)
    assert remade.reused_services == 0 and permits_warned(remade) == warned
    assert read == ["fines"]
    assert "Pay a fine" in (out / "services/permits/index.html").read_text()  # now the best comparable service
    build_site(write_site(tmp_path / "clean2", files_with(take_up)), tmp_path / "clean2/site")
    assert tree(out) == tree(tmp_path / "clean2/site")
    # And a build after it reuses both: permits' new record replaced the old one under its key.
    (config.parent / "data/fines.csv").write_text(take_up.replace("2024-03,online,900,35,", "2024-03,online,900,36,"))
    kept = build_site(config, out)
    assert kept.reused_services == 1 and permits_warned(kept) == warned


def test_organisation_pages_whose_services_are_unchanged_are_kept(tmp_path, site, monkeypatch):
    """Fines belongs to Department A (within Test Council); permits to Test Council itself. A change to
    permits re-renders Test Council's page but keeps Department A's, and the site is a clean build's."""
    config, out = site
    changed = change_permits_december(config)
    made = rendered_paths(monkeypatch)
    build_site(config, out, jobs=1)
    assert "organisations/test-council/index.html" in made
    assert "organisations/dept-a/index.html" not in made

    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    made.clear()
    build_site(config, out, jobs=1)
    assert {"organisations/test-council/index.html", "organisations/dept-a/index.html"} <= set(made)

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/permits.csv"] = changed
    files["data/fines.csv"] = FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,")
    build_site(write_site(tmp_path / "clean", files), tmp_path / "clean/site")
    assert tree(out) == tree(tmp_path / "clean/site")


def many_services(count: int, broken: int | None = None) -> dict[str, str]:
    """The standard site plus ``count`` small monthly services (one with a bad figure, if asked)."""
    files = standard_files()
    for i in range(count):
        files[f"content/services/extra-{i:03d}.yaml"] = (f"name: Extra service {i:03d}\norganisation: dept-a\n"
                                                        f"description: Extra.\ndata: extra-{i:03d}.csv\n")
        rows = [f"2024-{m:02d},online,{10 + i + m}" if not (i == broken and m == 3) else "2024-03,online,lots"
                for m in range(1, 13)]
        files[f"data/extra-{i:03d}.csv"] = "period,channel,transactions\n" + "\n".join(rows) + "\n"
    return files


def test_services_worked_out_over_several_processes_give_the_same_site(tmp_path, monkeypatch):
    """Over 64 fresh services, reading and computing is shared out over processes; nothing differs."""
    from generator import build

    files = many_services(70)
    assert len([f for f in files if f.startswith("content/services/")]) >= build.PARTS_WORTH_IT
    build_site(write_site(tmp_path / "a", files), tmp_path / "one", jobs=1)
    # A site of its own, with its own cache: one shared with the first build gave the second every
    # service's figures from it, and nothing was worked out over processes.
    config = write_site(tmp_path / "b", files)
    parts = []
    real = build._balanced_parts
    monkeypatch.setattr(build, "_balanced_parts", lambda *a: parts.append(real(*a)) or parts[-1])
    build_site(config, tmp_path / "two", jobs=2)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert [len(part) for part in parts[0]] == [36, 36]  # fines, permits and 70 more


def test_services_are_shared_out_one_part_a_process_balanced_by_their_data(tmp_path):
    """Each _work_out call has a fixed cost as large as a dozen services': one part a process, cut
    where the bytes of data (and 5,000 a service) reach each process's share, services kept in order."""
    from generator import build

    sizes = {"a": 10_000, "b": 1_000, "c": 1_000, "d": 40_000, "e": 3_000, "f": 3_000, "g": 3_000}
    groups = []
    for name, size in sizes.items():
        (tmp_path / f"{name}.csv").write_bytes(b"x" * size)
        groups.append(([name], [tmp_path / f"{name}.csv"]))
    # Weights 15,000, 6,000, 6,000, 45,000, 8,000, 8,000, 8,000 (96,000): 48,000 each for two parts.
    # d's middle (27,000 + 22,500) passes 48,000, so d starts the second part.
    assert build._balanced_parts(groups, 2) == [["a", "b", "c"], ["d", "e", "f", "g"]]
    # Three: 32,000 each; d's middle (49,500) passes 32,000; then e's (72,000 + 4,000) passes 64,000.
    assert build._balanced_parts(groups, 3) == [["a", "b", "c"], ["d"], ["e", "f", "g"]]
    assert build._balanced_parts(groups, 1) == [list(sizes)]
    assert build._balanced_parts([(["x", "y"], [tmp_path / "gone.csv"])], 2) == [["x", "y"]]  # a unit stays whole


def test_check_compiles_nothing_into_the_cache_even_over_several_processes(tmp_path, monkeypatch):
    """check_site writes nothing: were its prepare() to share the work out over processes (here it
    is made to), the templates it compiles meanwhile are still not kept in the cache folder."""
    from generator import build

    config = write_site(tmp_path, many_services(70))
    real_prepare, real_environment, made = build.prepare, build.render_environment, []
    monkeypatch.setattr(build, "prepare", lambda *a, **k: real_prepare(*a, **{**k, "jobs": 2}))
    monkeypatch.setattr(build, "render_environment", lambda *a, **k: made.append(k) or real_environment(*a, **k))
    build.check_site(config)
    assert made[0] == {"keep_compiled": False, "compile_all": True}  # made while the workers worked
    assert not list((tmp_path / ".perfpages-cache").rglob("*.cache"))


def test_templates_are_compiled_while_the_workers_work_out_figures(tmp_path, monkeypatch):
    """Over 64 fresh services on two processes, the pages' environment is made (its templates
    compiled) in the build's own process while the workers work, and render_all uses it."""
    from generator import build

    config = write_site(tmp_path, many_services(70))
    made = []
    real = build.render_environment
    monkeypatch.setattr(build, "render_environment", lambda *a, **k: made.append(k) or real(*a, **k))
    prepared = build.prepare(config, jobs=2)
    assert made == [{"keep_compiled": True, "compile_all": True}] and prepared.environment is not None
    assert len(prepared.environment.cache) > 5  # compiled already
    build.render_all(prepared, jobs=1)
    assert len(made) == 1  # not made again
    assert build.prepare(config, jobs=1).environment is None  # one process: nothing to wait through


def one_export(count: int, broken: int | None = None) -> dict[str, str]:
    """many_services, with the extra services' rows all in one export with a service column."""
    files = many_services(count, broken)
    rows = ["service,period,channel,transactions"]
    for i in range(count):
        name = f"extra-{i:03d}"
        files[f"content/services/{name}.yaml"] = files[f"content/services/{name}.yaml"].replace(
            f"data: {name}.csv", f"data:\n  file: all.csv\n  service: {name}")
        rows += [f"{name},{line}" for line in files.pop(f"data/{name}.csv").splitlines()[1:]]
    files["data/all.csv"] = "\n".join(rows) + "\n"
    return files


def test_services_of_one_export_are_worked_out_over_several_processes(tmp_path, monkeypatch):
    """An export of 70 services is read and checked here and split service by service
    (generator.shared_files); the services are then worked out over the processes, in two parts
    of about equal rows. Nothing differs from one process."""
    from generator import render_jobs

    build_site(write_site(tmp_path / "a", one_export(70)), tmp_path / "one", jobs=1)
    config = write_site(tmp_path / "b", one_export(70))  # (a cache of its own: nothing is recalled)
    parts = []
    real = render_jobs.map_over_processes
    monkeypatch.setattr(render_jobs, "map_over_processes",
                        lambda items, *a, **k: parts.append(list(items)) or real(items, *a, **k))
    build_site(config, tmp_path / "two", jobs=2)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    worked_out = parts[0]  # (fines and permits, a file each, are worked out here: too few to share out)
    assert [len(part) for part in worked_out] == [35, 35]
    assert [svc.slug for part in worked_out for svc in part] == [f"extra-{i:03d}" for i in range(70)]
    # The templates were compiled while those workers worked (fines and permits went to none).
    from generator import build

    cold = build.prepare(write_site(tmp_path / "c", one_export(70)), previous={}, jobs=2)  # as into a new folder
    assert cold.environment is not None


def test_a_data_error_in_an_export_read_before_the_workers_is_reported_as_in_one_process(tmp_path):
    from generator.errors import BuildFailed

    config = write_site(tmp_path, one_export(70, broken=41))
    found = []
    for jobs in (1, 2):
        with pytest.raises(BuildFailed) as failed:
            build_site(config, tmp_path / "site", jobs=jobs)
        found.append([p.format() for p in failed.value.problems.sorted()])
    assert found[0] == found[1] and any("all.csv" in line and "lots" in line for line in found[0])
    assert not (tmp_path / "site").exists()


def test_a_data_error_found_in_a_worker_is_reported_where_it_is(tmp_path):
    from generator.errors import BuildFailed

    config = write_site(tmp_path, many_services(70, broken=41))
    with pytest.raises(BuildFailed) as failed:
        build_site(config, tmp_path / "site", jobs=2)
    found = [p for p in failed.value.problems.errors if p.path.endswith("extra-041.csv")]
    assert found and found[0].line == 4  # the header is line 1; March is the third month
    assert not (tmp_path / "site").exists()


def test_pages_kept_from_a_site_without_charts_get_the_chart_runtime_a_clean_build_gives(tmp_path):
    """No service has data, so no page has charts; then permits gets data. Fines' page (kept) must
    be as a clean build's: with no charts of its own, neither loads the Vega runtime (only pages
    that draw charts do), and permits' page, which draws them, does."""
    files = standard_files()
    no_data = dict(files)
    for name, line in (("content/services/fines.yaml", "data: fines.csv\n"),
                       ("content/services/permits.yaml", "data: permits.csv\n")):
        no_data[name] = files[name].replace(line, "")
    config = write_site(tmp_path / "site", no_data)
    out = tmp_path / "site/site"
    build_site(config, out)
    assert "vega." not in (out / "services/fines/index.html").read_text()
    with_permits = dict(no_data)
    with_permits["content/services/permits.yaml"] = files["content/services/permits.yaml"]
    (config.parent / "content/services/permits.yaml").write_text(with_permits["content/services/permits.yaml"])
    assert build_site(config, out).reused_services == 1  # fines
    build_site(write_site(tmp_path / "clean", with_permits), tmp_path / "clean/site")
    assert "vega." not in (out / "services/fines/index.html").read_text()
    assert "vega." in (out / "services/permits/index.html").read_text()
    assert tree(out) == tree(tmp_path / "clean/site")


def test_files_written_by_the_workers_give_the_same_site_as_files_written_at_the_end(tmp_path, monkeypatch):
    """A large build writes each file where it is made (into the staging folder, from the worker
    processes); a small one collects them and writes them at the end. Same bytes, same manifest."""
    from generator import build as build_module

    config = write_site(tmp_path, standard_files())
    made_here = []
    real = build_module._many_files_to_make
    monkeypatch.setattr(build_module, "_many_files_to_make", lambda prepared: made_here.append(real(prepared)) or True)
    build_site(config, tmp_path / "direct", jobs=2)
    monkeypatch.setattr(build_module, "_many_files_to_make", lambda prepared: False)
    build_site(config, tmp_path / "collected", jobs=2)
    assert made_here == [True]  # this site's cold build is large enough to write directly anyway
    direct, collected = tree(tmp_path / "direct"), tree(tmp_path / "collected")
    assert direct == collected and len(direct) > 100
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_a_page_that_fails_in_a_worker_leaves_the_previous_site_and_no_half_written_one(tmp_path, monkeypatch):
    from generator import render

    config = write_site(tmp_path, standard_files())
    out = tmp_path / "site"
    build_site(config, out)
    before = tree(out)
    config.write_text(config.read_text().replace("title: Test Council performance", "title: Test Council figures"))
    real = render.render_page

    def failing(env, spec, *rest):
        if spec.path == "services/permits/index.html":
            raise RuntimeError("disk on fire")
        return real(env, spec, *rest)

    monkeypatch.setattr(render, "render_page", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build_site(config, out, jobs=2)
    assert tree(out) == before
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_an_old_site_left_under_this_process_number_does_not_stop_the_swap(tmp_path, monkeypatch):
    """A build killed while removing the old site leaves it beside the new one, named with its
    process number; a later build with the same number (a container's process 1) had failed with
    'Directory not empty' on every run (a tester's). Both ways of swapping are tried: exchanging
    the two folders' names at once, and, where that cannot be done, two renames."""
    import os

    from generator import write

    config = write_site(tmp_path, standard_files())
    out = tmp_path / "site"
    build_site(config, out)
    for exchange in (True, False):
        if not exchange:
            monkeypatch.setattr(write, "_exchange", lambda first, second: False)
        left = tmp_path / f".site.old-{os.getpid()}"
        (left / "services").mkdir(parents=True)
        (left / "services/index.html").write_text("a half-removed old site")
        config.write_text(config.read_text().replace("title: Test Council", f"title: Test Council {exchange}"))
        build_site(config, out)
        assert f"Test Council {exchange}" in (out / "index.html").read_text()
        assert not [p for p in tmp_path.iterdir() if any(s in p.name for s in (".tmp-", ".old-", ".link-"))]


def test_the_swap_exchanges_the_folders_names_at_once_where_it_can(tmp_path):
    """Two renames (the old site aside, the new one in) leave no site at all to a build killed
    between them (a tester's); Linux swaps the two names in one step."""
    import sys

    from generator.write import _exchange

    (tmp_path / "site").mkdir()
    (tmp_path / "site/a").write_text("old")
    (tmp_path / "new").mkdir()
    (tmp_path / "new/a").write_text("new")
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux's")
    assert _exchange(tmp_path / "new", tmp_path / "site")
    assert (tmp_path / "site/a").read_text() == "new" and (tmp_path / "new/a").read_text() == "old"
    assert not _exchange(tmp_path / "missing", tmp_path / "site")  # nothing changed when it cannot
    assert (tmp_path / "site/a").read_text() == "new"


def test_an_unchanged_file_is_linked_whatever_other_files_are_called(tmp_path):
    """Unchanged files are hard-linked from the old site by way of a name no site file can have:
    a site holding both notes.txt and notes.txt.link gets each one's own new bytes."""
    import hashlib
    import json

    from generator import write

    out, state = tmp_path / "site", tmp_path / "cache"
    many = {f"page-{i}.html": f"one {i}".encode() for i in range(150)}  # too many to patch in place
    write.write_site(out, {**many, "notes.txt": b"version 1", "notes.txt.link": b"old link"}, [], "v1", state_dir=state)
    inode = (out / "notes.txt").stat().st_ino
    changed = {path: body + b" changed" for path, body in many.items()}
    write.write_site(out, {**changed, "notes.txt": b"version 1", "notes.txt.link": b"new link"}, [], "v2",
                     state_dir=state)
    assert (out / "notes.txt").read_bytes() == b"version 1" and (out / "notes.txt").stat().st_ino == inode
    assert (out / "notes.txt.link").read_bytes() == b"new link"
    manifest = json.loads((out / write.MARKER).read_text())["files"]
    for rel, (sha, size) in manifest.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == sha, rel
    assert not [p for p in tmp_path.iterdir() if ".link-" in p.name or ".tmp-" in p.name]


def test_unchanged_files_are_linked_straight_to_their_places(tmp_path, monkeypatch):
    """A file not written again is linked straight into the new folder, not by way of a temporary
    name beside the site: that folder is the one the dev server watches for config.yaml, and a
    temporary made and removed once per file had it handle a thousand events a rebuild."""
    import os

    from generator import write

    out, state = tmp_path / "site", tmp_path / "cache"
    many = {f"page-{i}.html": f"one {i}".encode() for i in range(150)}  # too many to patch in place
    write.write_site(out, {**many, "a/notes.txt": b"notes"}, [], "v1", state_dir=state)
    linked = []
    real_link = os.link
    monkeypatch.setattr(write.os, "link", lambda source, target: linked.append(target) or real_link(source, target))
    write.write_site(out, {**{p: b + b"!" for p, b in many.items()}, "a/notes.txt": b"notes"}, [], "v2",
                     state_dir=state)
    assert [os.path.basename(target) for target in linked] == ["notes.txt"]
    assert (out / "a/notes.txt").read_bytes() == b"notes" and (out / "page-3.html").read_bytes() == b"one 3!"


def test_a_small_change_written_by_the_workers_is_moved_into_the_site(tmp_path, monkeypatch):
    """Files written into a staging folder as they are made (a build that expected many) are moved
    into the site where it stands when few of them changed, rather than the whole site being linked
    into a new folder and swapped in: same site as a clean build, nothing left beside it."""
    from generator import build as build_module
    from generator import write

    monkeypatch.setattr(build_module, "_many_files_to_make", lambda prepared: True)
    config = write_site(tmp_path, standard_files())
    out = tmp_path / "site"
    build_site(config, out)
    folder = out.stat().st_ino
    unchanged = (out / "services/permits/index.html").stat()
    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    result = build_site(config, out)
    assert 0 < result.written < result.unchanged
    assert out.stat().st_ino == folder  # patched where it stands, not a new folder swapped in
    kept = (out / "services/permits/index.html").stat()
    assert (kept.st_ino, kept.st_mtime_ns) == (unchanged.st_ino, unchanged.st_mtime_ns)
    clean = write_site(tmp_path / "clean", {**standard_files(), "data/fines.csv": (config.parent / "data/fines.csv").read_text()})
    build_site(clean, tmp_path / "clean/site")
    assert tree(out) == tree(tmp_path / "clean/site")
    assert not [p for p in tmp_path.iterdir() if any(s in p.name for s in (".tmp-", ".old-", ".link-", ".patch-"))]
    assert write.previous_files(out, config.parent / ".perfpages-cache")  # known intact: the next build can reuse it
    assert build_site(config, out).up_to_date


def test_a_staged_change_where_a_file_becomes_a_folder_is_swapped_in_whole(tmp_path):
    """A page whose path was a file of the old site's folder (or the other way round) cannot be
    moved into the site where it stands: the whole new folder is swapped in, and nothing fails."""
    from generator import write

    out, state = tmp_path / "site", tmp_path / "cache"
    same = {f"page-{i}.html": f"one {i}".encode() for i in range(150)}
    write.write_site(out, {**same, "notes": b"a file"}, [], "v1", state_dir=state)
    staging = write.Staging(out, [])
    new = {**same, "notes/index.html": b"now a folder"}
    hashes = {rel: staging.write(rel, body) for rel, body in new.items()}
    result = write.finish_site(staging, hashes, "v2", state_dir=state)
    assert result.written == 1 and result.removed == 1
    assert (out / "notes/index.html").read_bytes() == b"now a folder"
    assert (out / "page-7.html").read_bytes() == b"one 7"
    assert write.previous_files(out, state).keys() == new.keys()
    assert not [p for p in tmp_path.iterdir() if any(s in p.name for s in (".tmp-", ".old-", ".link-", ".patch-"))]
    staging = write.Staging(out, [])  # and back: a folder of the old site where a file now goes
    hashes = {rel: staging.write(rel, body) for rel, body in {**same, "notes": b"a file again"}.items()}
    write.finish_site(staging, hashes, "v3", state_dir=state)
    assert (out / "notes").read_bytes() == b"a file again" and write.previous_files(out, state)


def test_a_staged_change_that_fails_part_way_leaves_a_site_the_next_build_makes_afresh(tmp_path, monkeypatch):
    """A move into the site that fails after others have been made (a full disk, say) fails the
    build; the record of the site's files was set aside first, so the next build does not take the
    half-changed site to be intact but makes it afresh, with no stray file left in it."""
    from generator import write

    out, state = tmp_path / "site", tmp_path / "cache"
    same = {f"page-{i}.html": f"one {i}".encode() for i in range(150)}
    write.write_site(out, {**same, "a.html": b"a1", "b.html": b"b1"}, [], "v1", state_dir=state)
    staging = write.Staging(out, [])
    new = {"new/c.html": b"c", **same, "a.html": b"a2", "b.html": b"b2"}  # a file only added moves first
    hashes = {rel: staging.write(rel, body) for rel, body in new.items()}
    real_replace, moved = write.os.replace, []

    def full_disk(source, target):
        if staging.root in str(source) and len(moved) == 1:
            raise OSError(28, "No space left on device")
        moved.append(target)
        return real_replace(source, target)

    monkeypatch.setattr(write.os, "replace", full_disk)
    with pytest.raises(write.OutputError, match="could not finish updating"):
        write.finish_site(staging, hashes, "v2", state_dir=state)
    monkeypatch.undo()
    assert write.previous_files(out, state) == {}  # not known intact: the next build starts afresh
    write.write_site(out, {**same, "a.html": b"a3", "b.html": b"b3"}, [], "v3", state_dir=state)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == sorted(
        [*same, "a.html", "b.html", write.MARKER])
    assert (out / "b.html").read_bytes() == b"b3"


def test_a_broken_template_no_page_uses_does_not_stop_a_build(tmp_path):
    """Templates are compiled once before the workers fork; one no page uses is left alone, as before."""
    config = write_site(tmp_path, standard_files())
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/unused.html").write_bytes(b"{% if %}\xff\xfe not text")
    result = build_site(config, tmp_path / "site", jobs=2)
    assert result.pages >= 16 and (tmp_path / "site/index.html").is_file()


def test_records_kept_where_pages_are_made_are_the_records_kept_at_the_end(tmp_path, monkeypatch):
    """A one-service unit's record is finished and stored by the process that made its page
    (build._keep_record); it must be what the main process would have stored, and let the next
    build reuse the unit."""
    import pickle

    from generator import build as build_module

    monkeypatch.setattr(build_module, "_many_files_to_make", lambda prepared: True)
    stored = {}
    for way in ("where made", "at the end"):
        config = write_site(tmp_path / way, standard_files())
        if way == "at the end":
            monkeypatch.setattr(build_module, "_keep_record", lambda *args: None)
        build_site(config, tmp_path / way / "site", jobs=2)
        records = [pickle.loads(path.read_bytes()) for path in (tmp_path / way / ".perfpages-cache/units").glob("*.pickle")]
        stored[way] = {tuple(record.figures): record for record in records}  # unit keys name the folder too
    assert stored["where made"].keys() == stored["at the end"].keys() and len(stored["at the end"]) >= 2
    for services, record in stored["at the end"].items():
        made = stored["where made"][services]
        assert made.outputs == record.outputs and all(sha for sha, _ in record.outputs.values())
        assert made.open_data == record.open_data
    kept = []
    real = build_module._keep_record
    monkeypatch.setattr(build_module, "_keep_record", lambda *args: kept.append(args[2]) or real(*args))
    build_site(write_site(tmp_path / "in one process", standard_files()), tmp_path / "in one process/site", jobs=1)
    assert len(kept) == len(stored["at the end"])  # every unit here is one service: each kept where made
    monkeypatch.undo()
    config = tmp_path / "where made/config.yaml"
    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    assert build_site(config, tmp_path / "where made/site", jobs=2).reused_services >= 1


def test_a_half_written_record_is_cleared_once_it_is_old(tmp_path):
    """A process killed while writing a unit record leaves NAME.PID.tmp; a later save clears it
    once it is an hour old, and leaves a fresh one (another build may be writing it)."""
    import os
    import time

    from generator.units import UnitStore

    folder = tmp_path / "units"
    folder.mkdir()
    old, fresh = folder / "a.1.tmp", folder / "b.2.tmp"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    UnitStore(tmp_path).save({})
    assert not old.exists() and fresh.exists()


def test_a_record_whose_pages_were_made_again_is_replaced_unless_written_since(tmp_path):
    """A unit taken from its record has its pages made again, with what may since have changed (its
    best comparable service): its record is replaced at the end of the build, unless the process that
    made its page has written it since (a newer record, which stays)."""
    from generator.units import UnitRecord, UnitStore

    store = UnitStore(tmp_path)
    store.save({"k": UnitRecord({}, {}, [], {}, compared={"a": "old"})})
    stamp = store.stamp("k")
    store.save({"k": UnitRecord({}, {}, [], {}, compared={"a": "new"})})  # not asked to: kept
    assert store.get("k").compared == {"a": "old"}
    store.save({"k": UnitRecord({}, {}, [], {}, compared={"a": "new"})}, rewrite={"k": stamp})
    assert store.get("k").compared == {"a": "new"}
    stamp = store.stamp("k")
    store.save_one("k", UnitRecord({}, {}, [], {}, compared={"a": "newest"}))  # where its page was made
    store.save({"k": UnitRecord({}, {}, [], {}, compared={"a": "new"})}, rewrite={"k": stamp})
    assert store.get("k").compared == {"a": "newest"}


def test_an_organisation_page_is_made_again_when_the_sites_latest_data_moves_its_totals(tmp_path, site):
    """Department A's only service (fines) ends in March 2024. Permits (Test Council's) gaining
    months to April 2025 leaves fines' year more than a year behind the site's latest data, so it is
    no longer counted in Department A's totals: its page, though none of its services changed, is
    made again, and the site is a clean build's."""
    from sitefactory import permits_csv

    config, out = site
    later = permits_csv() + "".join(f"2025-{m:02d},online,{300 + m}\n2025-{m:02d},phone,100\n" for m in (1, 2, 3, 4))
    (config.parent / "data/permits.csv").write_text(later)
    result = build_site(config, out, jobs=1)
    dept = (out / "organisations/dept-a/index.html").read_text(encoding="utf-8")
    assert "not counted: 1 service whose transactions end before May 2024" in dept
    # Fines' own page, though its files are unchanged, now says it has ended: made again, not kept.
    assert result.reused_services == 0
    fines = (out / "services/fines/index.html").read_text(encoding="utf-8")
    assert "No recent figures" in fines and "has no forecast" not in fines  # (too few months for one)

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/permits.csv"] = later
    build_site(write_site(tmp_path / "clean", files), tmp_path / "clean/site")
    assert tree(out) == tree(tmp_path / "clean/site")


def test_a_unit_made_again_because_a_service_ended_is_reused_after(tmp_path):
    """Fines and a second parking service (one category). Permits' new months end both; their
    units are made again, and each new record must replace the old one under the same key: a review
    found the old record kept (records are written once per key), so the unit was never reused."""
    from sitefactory import permits_csv

    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    fines = files["content/services/fines.yaml"]
    for name in ("fines", "tickets"):
        files[f"content/services/{name}.yaml"] = fines.replace("Pay a fine", f"Service {name}").replace(
            "fines.csv", f"{name}.csv") + "category: Parking\n"
        files[f"data/{name}.csv"] = FINES_CSV
    config = write_site(tmp_path, files)
    out = tmp_path / "site"
    build_site(config, out, jobs=1)
    later = permits_csv() + "".join(f"2025-{m:02d},online,{300 + m}\n2025-{m:02d},phone,100\n" for m in (1, 2, 3, 4))
    (config.parent / "data/permits.csv").write_text(later)
    assert build_site(config, out, jobs=1).reused_services == 0
    assert "No recent figures" in (out / "services/tickets/index.html").read_text()
    (config.parent / "data/permits.csv").write_text(later.replace("2025-04,online,304", "2025-04,online,305"))
    assert build_site(config, out, jobs=1).reused_services == 2  # fines and tickets, ended as recorded


def test_an_organisation_pages_key_is_the_same_in_every_process(tmp_path):
    """Its totals name the KPIs no service collects as a set, whose order changes with Python's hash
    seed: the key changed from build to build, and the page was never reused."""
    import os
    import subprocess
    import sys

    files = standard_files()
    files["content/services/fines.yaml"] += "not_requested: [user_satisfaction, completion_rate, cost_per_transaction]\n"
    config = write_site(tmp_path, files)
    script = ("import sys; from generator.build import prepare; "
              "p = prepare(sys.argv[1], previous={}); print(p.page_keys['organisations/dept-a/index.html'])")
    keys = {subprocess.run([sys.executable, "-c", script, str(config)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(keys) == 1 and keys != {""}


def test_a_pages_language_reaches_the_links_to_it_in_an_incremental_build(tmp_path):
    """A reviewer: adding language: cy to the About page changed no service's key, so the service
    pages kept their links to it without lang="cy" until a cold build."""
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    config = write_site(tmp_path / "site", files)
    out = tmp_path / "site/site"
    build_site(config, out)
    about = config.parent / "content/pages/about.md"
    about.write_text(about.read_text().replace("nav_order: 1", "nav_order: 1\nlanguage: cy"))
    build_site(config, out)
    assert 'lang="cy"' in (out / "services/fines/index.html").read_text()
    files["content/pages/about.md"] = about.read_text()
    build_site(write_site(tmp_path / "clean", files), tmp_path / "clean/site")
    assert tree(out) == tree(tmp_path / "clean/site")


def test_a_site_restored_with_other_file_times_is_still_unchanged(site):
    """CI caches restored from a zip (GitLab's) keep whole seconds, and cp -r none at all: every
    file of an unchanged site was written again, and a bucket sync uploaded them all (a tester).
    Files whose times differ are hashed; the same bytes are the same file, and noted as such."""
    import os

    config, out = site
    for path in out.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = snapshot(out)
    again = build_site(config, out)
    assert again.up_to_date and again.written == 0 and snapshot(out) == before
    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    changed = build_site(config, out)
    after = snapshot(out)
    assert changed.reused_services == 1  # permits: its files were found intact, by their bytes
    assert after["services/permits/index.html"] == before["services/permits/index.html"]
    assert after["services/fines/index.html"] != before["services/fines/index.html"]


def test_one_damaged_file_is_written_again_and_only_it_where_nothing_else_changed(site):
    """A page edited by hand in the output: the build makes it again, and leaves the others (they
    had all been written again)."""
    config, out = site
    page = out / "services/fines/index.html"
    clean = page.read_bytes()
    page.write_bytes(clean + b"edited by hand")
    before = snapshot(out)
    result = build_site(config, out)
    after = snapshot(out)
    assert not result.up_to_date and result.written == 1 and page.read_bytes() == clean
    assert {rel for rel in after if after[rel] != before.get(rel)} - {".perfpages"} == {"services/fines/index.html"}


def test_a_file_put_into_the_site_by_hand_goes_with_whichever_build_comes_next(tmp_path, site):
    """site/stray.html stayed through a build that changed nothing, and went with the next real one
    (a tester): the output then differed from a fresh build's in between. Now every build removes
    what no build made, and the folders it leaves empty."""
    config, out = site
    (out / "stray.html").write_text("x")
    (out / "extra/deep").mkdir(parents=True)
    (out / "extra/deep/note.txt").write_text("y")
    again = build_site(config, out)
    assert again.up_to_date and again.removed == 2 and again.written == 0
    assert not (out / "stray.html").exists() and not (out / "extra").exists()
    (out / "stray.html").write_text("x")
    (config.parent / "data/fines.csv").write_text(FINES_CSV.replace("2024-03,online,150,", "2024-03,online,151,"))
    changed = build_site(config, out)  # a small change: patched where the site stands
    assert not (out / "stray.html").exists() and changed.removed == 1
    assert tree(out) == tree(build_site_cold(tmp_path, config))


def test_stray_removal_keeps_what_it_should_not_touch(tmp_path, site):
    """From a review: a folder of the site moved elsewhere and linked back was one 'stray' to a no-op,
    which unlinked it and still said up to date; another build's patch files, about to be renamed in,
    were taken for strays; a link to a folder outside is removed itself, never what it leads to."""
    import os
    import shutil

    from generator.write import remove_strays, read_manifest

    config, out = site
    shutil.move(out / "static", tmp_path / "moved-static")
    os.symlink(tmp_path / "moved-static", out / "static")
    outside = tmp_path / "outside"
    (outside / "keep").mkdir(parents=True)
    (outside / "keep/precious.txt").write_text("mine")
    os.symlink(outside, out / "link-out")
    (out / "index.html.perfpages-99999.tmp").write_text("another build's, about to be renamed in")
    gone = remove_strays(out, read_manifest(out)["files"])
    assert gone == ["link-out"] and (outside / "keep/precious.txt").read_text() == "mine"
    assert (out / "static").is_symlink() and (out / "index.html.perfpages-99999.tmp").exists()


def test_a_no_op_build_never_clears_a_folder_that_overlaps_the_sites_own(tmp_path, site):
    """From a review: a built site copied into the repository above the project, then built there
    with -o: the no-op (which had skipped the output folder's checks) removed the project, .git and
    all, as strays."""
    import shutil

    from generator.errors import BuildFailed

    config, _ = site
    repo = tmp_path / "repo"
    project = repo / "perfpages"
    shutil.copytree(config.parent, project, ignore=shutil.ignore_patterns("repo"))
    (repo / ".git").mkdir()
    (repo / ".git/HEAD").write_text("ref: refs/heads/main\n")
    build_site(project / "config.yaml", project / "site")
    shutil.copytree(project / "site", repo, dirs_exist_ok=True)
    with pytest.raises(BuildFailed) as failed:
        build_site(project / "config.yaml", repo)
    assert "would overlap the site's own" in failed.value.problems.errors[0].message
    assert (repo / ".git/HEAD").is_file() and (project / "config.yaml").is_file()


def test_pages_name_their_stylesheet_by_its_content_so_no_cache_serves_an_old_one(site):
    """A rebranded site had shown its old colours wherever a host or browser kept site.css: each
    page now names its stylesheets and scripts with a digest of their content, and a change to
    one is in every page, cached or not."""
    import hashlib
    import re

    config, out = site
    own = config.parent / "static/css/site.css"
    own.parent.mkdir(parents=True)
    own.write_text(".header { background: #123456; }\n")
    build_site(config, out)
    version = hashlib.sha256(own.read_bytes()).hexdigest()[:12]
    for page in ("index.html", "services/fines/index.html", "about/index.html", "404.html"):
        links = re.findall(r'href="([^"]*site\.css[^"]*)"', (out / page).read_text())
        assert links and all(link.endswith(f"site.css?v={version}") for link in links), (page, links)
    own.write_text(".header { background: #654321; }\n")
    build_site(config, out)
    assert f"site.css?v={hashlib.sha256(own.read_bytes()).hexdigest()[:12]}" in (out / "about/index.html").read_text()
