"""Services sharing one data file are reused service by service (generator.shared_files): a changed
cell makes only its service's pages again, and every build says and shows what a clean build would."""

from __future__ import annotations

import pytest

from generator import shared_files
from generator.build import build_site
from sitefactory import build_cold, snapshot, standard_files, tree, write_site

# Three services in one export: b's January phone row is repeated (a warning of reading the file);
# a's last_updated is before its latest month (a warning of working it out).
ALL_CSV = """\
service,period,channel,transactions
a,2024-01,online,10
a,2024-01,phone,5
a,2024-02,online,12
a,2024-02,phone,4
b,2024-01,online,20
b,2024-01,phone,8
b,2024-01,phone,8
b,2024-02,online,22
b,2024-02,phone,7
c,2024-01,online,30
c,2024-01,phone,9
c,2024-02,online,33
c,2024-02,phone,6
"""


def service_yaml(name: str, key: str, extra: str = "", description: str = "Apply online.") -> str:
    return (f"name: {name}\norganisation: test-council\ndescription: {description}\ndata:\n  file: all.csv\n"
            f"  service: {key}\n{extra}")


@pytest.fixture
def shared(tmp_path):
    files = standard_files()
    files["config.yaml"] += "charts:\n  static_svg: false\n"
    files["data/all.csv"] = ALL_CSV
    files["content/services/apply-a.yaml"] = service_yaml("Apply for A", "a", "last_updated: 2024-02-10\n")
    files["content/services/apply-b.yaml"] = service_yaml("Apply for B", "b")
    files["content/services/apply-c.yaml"] = service_yaml("Apply for C", "c")
    config = write_site(tmp_path / "site-src", files)
    first = build_site(config, config.parent / "site")
    assert first.reused_services == 0
    return config


def cold(config, tmp_path):
    """(the site, the warnings) a build from nothing makes of the same files."""
    result, site = build_cold(config, tmp_path / "cold")
    return tree(site), messages(result)


def messages(result):
    return sorted((p.path, p.line, p.message) for p in result.problems.warnings)


def test_one_changed_cell_makes_only_its_service_again(shared, tmp_path):
    out = shared.parent / "site"
    before = snapshot(out)
    data = shared.parent / "data/all.csv"
    data.write_text(ALL_CSV.replace("c,2024-02,online,33", "c,2024-02,online,34"))
    result = build_site(shared, out)
    assert result.reused_services == 4  # a, b, fines and permits; c alone was worked out again
    after = snapshot(out)
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert "services/apply-c/index.html" in changed and "index.html" in changed
    assert not {"services/apply-a/index.html", "services/apply-b/index.html", "data/services/apply-a.csv"} & changed
    assert "34" in (out / "data/services/apply-c.csv").read_text()
    site, warnings = cold(shared, tmp_path)
    assert tree(out) == site
    assert messages(result) == warnings
    # Both kinds of warning are still told: of reading the file (b's repeated row, b reused) and of
    # working out a service (a's date, a reused).
    assert any("repeat" in message and path == "data/all.csv" for path, _, message in warnings)
    assert any("last_updated" in message for _, _, message in warnings)


def test_a_fixed_row_takes_its_warning_with_it_and_leaves_the_others(shared, tmp_path):
    out = shared.parent / "site"
    (shared.parent / "data/all.csv").write_text(ALL_CSV.replace("b,2024-01,phone,8\n", "", 1))
    result = build_site(shared, out)
    assert result.reused_services == 5  # b's rows are as they were: the repeated row had been used once
    assert not any("repeat" in p.message for p in result.problems.warnings)
    site, warnings = cold(shared, tmp_path)
    assert messages(result) == warnings and tree(out) == site
    # and again, with a's date put right: a alone is made again, and its warning goes
    yaml = shared.parent / "content/services/apply-a.yaml"
    yaml.write_text(service_yaml("Apply for A", "a", "last_updated: 2024-03-01\n"))
    again = build_site(shared, out)
    assert again.reused_services == 4 and not any("last_updated" in p.message for p in again.problems.warnings)
    site, warnings = cold(shared, tmp_path)
    assert messages(again) == warnings and tree(out) == site


def test_an_unchanged_shared_file_is_not_read_when_something_else_changes(shared, tmp_path, monkeypatch):
    out = shared.parent / "site"
    reads = []
    real = shared_files._read
    monkeypatch.setattr(shared_files, "_read", lambda *args: reads.append(args[1]) or real(*args))
    fines = shared.parent / "data/fines.csv"
    fines.write_text(fines.read_text().replace("2024-03,online,150,", "2024-03,online,151,"))
    result = build_site(shared, out)
    assert reads == [] and result.reused_services == 4  # the three sharing all.csv, and permits
    site, warnings = cold(shared, tmp_path)
    assert messages(result) == warnings and tree(out) == site
    assert any("repeat" in message for _, _, message in warnings)  # told from what the last read kept


def test_a_service_of_an_unchanged_file_made_again_reads_the_file(shared, tmp_path, monkeypatch):
    """b's description changes: its rows are read (the whole file, as it is checked whole) and the
    others of the file are kept; its warning of reading the file is told once."""
    out = shared.parent / "site"
    reads = []
    real = shared_files._read
    monkeypatch.setattr(shared_files, "_read", lambda *args: reads.append(args[1]) or real(*args))
    (shared.parent / "content/services/apply-b.yaml").write_text(
        service_yaml("Apply for B", "b", description="Apply for a B licence."))
    result = build_site(shared, out)
    assert len(reads) == 1 and result.reused_services == 4
    assert "Apply for a B licence." in (out / "services/apply-b/index.html").read_text()
    site, warnings = cold(shared, tmp_path)
    assert messages(result) == warnings and tree(out) == site
    assert len([1 for _, _, message in warnings if "repeat" in message]) == 1


def test_services_made_from_a_sources_rows_are_reused_one_by_one(tmp_path):
    """An export that makes its own services (sources: services:), as the Transactions Explorer's
    does: each service's path is the file itself, which its rows stand in for."""
    files = standard_files()
    files["config.yaml"] += ("charts:\n  static_svg: false\nsources:\n  - file: teams.csv\n    columns:\n"
                             "      service: Team\n      period: Month\n    wide:\n      columns: \"{channel}\"\n"
                             "    services:\n      name: \"{Team} requests\"\n      organisation: test-council\n")
    rows = "Team,Month,Online,Phone\n" + "".join(f"{team},2024-0{m},{10 * m + i},{m + i}\n"
                                               for i, team in enumerate(["Licensing", "Parking", "Waste"])
                                               for m in (1, 2, 3))
    files["data/teams.csv"] = rows
    config = write_site(tmp_path / "src", files)
    build_site(config, config.parent / "site")
    (config.parent / "data/teams.csv").write_text(rows.replace("Parking,2024-03,31,", "Parking,2024-03,32,"))
    result = build_site(config, config.parent / "site")
    assert result.reused_services == 4  # Licensing, Waste, fines and permits
    site, warnings = cold(config, tmp_path)
    assert tree(config.parent / "site") == site and messages(result) == warnings


def test_row_digests_tell_apart_every_column_and_service():
    import pandas as pd

    from generator.periods import parse_period

    frame = pd.DataFrame({"service": pd.array(["a", "a", "b"], dtype="string"),
                          "period": [parse_period("2024-01"), parse_period("2024-02"), parse_period("2024-01")],
                          "transactions": [1.0, 2.0, 1.0], "line": [2, 3, 4]})
    first = shared_files.row_digests(frame)
    assert set(first) == {"a", "b"} and first["a"] != first["b"]
    assert shared_files.row_digests(frame) == first  # the same rows, the same digest
    other = shared_files.row_digests(frame.assign(transactions=[1.0, 2.0, 2.0]))  # b's figure changed
    assert other["a"] == first["a"] and other["b"] != first["b"]
    moved = frame.assign(line=[2, 3, 5])  # b's row a line further down: where rows are is not what they say
    assert shared_files.row_digests(moved) == first
    quarter = frame.assign(period=[parse_period("2024-01"), parse_period("2024-Q1"), parse_period("2024-01")])
    assert shared_files.row_digests(quarter)["a"] != first["a"]


def test_an_error_in_a_shared_file_is_told_once_and_the_last_site_stays(shared):
    out = shared.parent / "site"
    before = tree(out)
    (shared.parent / "data/all.csv").write_text(ALL_CSV.replace("c,2024-02,online,33", "c,2024-02,online,lots"))
    from generator.errors import BuildFailed

    with pytest.raises(BuildFailed) as failed:
        build_site(shared, out)
    errors = [p for p in failed.value.problems.errors if p.path == "data/all.csv"]
    assert len(errors) == 1 and errors[0].line == 13 and "lots" in errors[0].message
    assert tree(out) == before


def test_a_warning_of_a_service_made_from_a_row_names_the_rows_new_line(tmp_path):
    """A review: a service made from a source's rows is placed at its row, which moved down a line
    when a row went in above it; its kept warning still named the old line."""
    files = standard_files()
    files["config.yaml"] += ("charts:\n  static_svg: false\nsources:\n  - file: teams.csv\n    columns:\n"
                             "      service: Team\n      period: Month\n      digital_take_up: TakeUp\n"
                             "    wide:\n      columns: \"{channel}\"\n"
                             "    services:\n      name: \"{Team} requests\"\n      organisation: test-council\n")
    rows = "Team,Month,Online,Phone,TakeUp\nLicensing,2024-01,30,10,90\nParking,2024-01,20,20,\n"
    files["data/teams.csv"] = rows
    config = write_site(tmp_path / "src", files)
    first = build_site(config, config.parent / "site")
    assert [p.line for p in first.problems.warnings if "publishes a digital take-up" in p.message] == [2]
    (config.parent / "data/teams.csv").write_text(rows.replace("Licensing,", "Parking,2023-12,19,19,\nLicensing,"))
    result = build_site(config, config.parent / "site")
    assert [p.line for p in result.problems.warnings if "publishes a digital take-up" in p.message] == [3]
    site, warnings = cold(config, tmp_path)
    assert tree(config.parent / "site") == site and messages(result) == warnings
