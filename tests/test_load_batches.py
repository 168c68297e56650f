"""data.load_data checks most files together (data._plain_files): a file one service reads, with
no service column, one kind of period, no repeats and no gaps. Every other file is checked on
its own; in a file of several services, the services with nothing to check are taken together
too (data._quiet_keys). Both ways must give the same rows and the same problems; a file or
service with anything to report must never be taken for a plain one."""

from __future__ import annotations

import pandas as pd
import pytest

from generator import cells, data
from generator.config import load_config
from generator.content import load_content
from generator.errors import Problems
from generator.measures import MISSING
from sitefactory import CONFIG, ORGS, write_site

MONTHS = "period,channel,transactions\n" + "".join(f"2024-{m:02d},{c},{m * 10 + i}\n"
                                                     for m in range(1, 7) for i, c in enumerate(["online", "phone"]))
FILES_GAP = MONTHS.replace("2024-03,online,30\n", "").replace("2024-03,phone,31\n", "")  # no March
FILES = {
    "plain.csv": MONTHS,
    "gap.csv": MONTHS.replace("2024-03,", "2024-13,").replace("2024-13,online,30\n", "").replace(
        "2024-13,phone,31\n", ""),  # no March
    "repeat.csv": MONTHS + "2024-02,online,20\n",  # the same row twice
    "conflict.csv": MONTHS + "2024-02,online,99\n",  # two different rows for one period and channel
    "mixed.csv": MONTHS + "2024/25,,500\n",  # months and a financial year
    "doubled.csv": MONTHS + "2024-07,,50\n",  # channel rows and an all-channel row
    "quarters.csv": "period,transactions\n2023-Q1,5\n2023-Q2,6\n2023-Q4,8\n",  # no third quarter
    "years.csv": "period,transactions\n2021/22,100\n2022/23,110\n2023/24,120\n",
    "ranges.csv": "period,transactions\n2024-01-01 to 2024-01-07,5\n2024-01-08 to 2024-01-14,6\n",
    "two-a.csv": MONTHS,  # read by a service that also reads two-b.csv
    "two-b.csv": "period,channel,started,completed\n2024-01,online,10,8\n2024-02,online,12,9\n",
    "shared.csv": MONTHS,  # read by two services
    "keyed.csv": "service,period,transactions\nx,2024-01,5\nx,2024-02,6\ny,2024-01,7\n",
    # A department's export: two quiet services and one of each kind with something to tell.
    "many.csv": "service,period,channel,transactions\n" + "".join(
        f"{key},{row}" for key, rows in {
            "q1": MONTHS, "q2": MONTHS, "q3": MONTHS, "twin": MONTHS,
            "g": FILES_GAP, "r": MONTHS + "2024-02,online,20\n", "c": MONTHS + "2024-02,online,99\n",
            "m": MONTHS + "2024/25,,500\n", "d": MONTHS + "2024-07,,50\n", "nobody": MONTHS,
        }.items() for row in rows.splitlines()[1:] for row in [row + "\n"]),
}
SERVICES = {
    "plain": "plain.csv", "gap": "gap.csv", "repeat": "repeat.csv", "conflict": "conflict.csv",
    "mixed": "mixed.csv", "doubled": "doubled.csv", "quarters": "quarters.csv", "years": "years.csv",
    "ranges": "ranges.csv", "both": "[two-a.csv, two-b.csv]", "shared-1": "shared.csv", "shared-2": "shared.csv",
    "keyed": "{file: keyed.csv, service: x}",
    **{f"many-{key}": f"{{file: many.csv, service: {key}}}" for key in ["q1", "q2", "g", "r", "c", "m", "d", "twin"]},
    "many-twin-2": "{file: many.csv, service: twin}",  # two services reading one key
    "many-q3": "[{file: many.csv, service: q3}, two-b.csv]",  # and a file of its own
}


def load(tmp_path, monkeypatch, together: bool):
    files = {"config.yaml": CONFIG, **ORGS, **{f"data/{name}": text for name, text in FILES.items()}}
    for slug, ref in SERVICES.items():
        files[f"content/services/{slug}.yaml"] = f"name: {slug}\norganisation: dept-a\ndescription: d.\ndata: {ref}\n"
    config_path = write_site(tmp_path, files)
    if not together:
        monkeypatch.setattr(data, "_plain_files", lambda *args: {})
        monkeypatch.setattr(data, "_quiet_keys", lambda *args: {})
    problems = Problems(root=tmp_path)
    config = load_config(config_path, problems)
    content = load_content(config, problems)
    found = Problems(root=tmp_path)
    tidy = data.load_data(config, content.services, found)
    monkeypatch.undo()
    return tidy, sorted((p.level, str(p.path), p.line, p.message) for p in found.items)


def test_files_checked_together_or_alone_give_the_same_rows_and_problems(tmp_path, monkeypatch):
    together, problems = load(tmp_path / "a", monkeypatch, together=True)
    alone, problems_alone = load(tmp_path / "b", monkeypatch, together=False)
    assert problems == problems_alone
    assert len(problems) >= 6  # gap, repeat, conflict, mixed, doubled, quarters: each still reported
    pd.testing.assert_frame_equal(together[sorted(together.columns)], alone[sorted(alone.columns)])
    assert together["service"].is_monotonic_increasing


@pytest.mark.parametrize("name", ["gap.csv", "repeat.csv", "conflict.csv", "mixed.csv", "doubled.csv",
                                  "quarters.csv", "two-a.csv", "shared.csv", "keyed.csv"])
def test_a_file_with_something_to_check_is_never_plain(tmp_path, monkeypatch, name):
    seen = {}
    real = data._plain_files

    def spy(parsed, wanted, paths, *rest):
        found = real(parsed, wanted, paths, *rest)
        seen.update(found)
        return found
    monkeypatch.setattr(data, "_plain_files", spy)
    load(tmp_path, monkeypatch, together=True)
    plain = {path.rsplit("/", 1)[-1] for path in seen}
    assert name not in plain
    assert {"plain.csv", "years.csv", "ranges.csv"} <= plain  # and the plain ones are taken together


@pytest.mark.parametrize("missing", [set(MISSING), set(MISSING) | {"0", "nan"}])
def test_rows_that_say_nothing_are_those_with_every_cell_a_marker(missing):
    """cells._says_nothing skips cells that are plain numbers unless a marker is one; it must
    agree with stripping and lower-casing every cell."""
    long = pd.DataFrame({
        "transactions": ["12", " N/A ", "", "0", "-", "nan", "1,234", " 7", "x", "inf"],
        "cost": ["", "..", "3.5", "", " NONE", "", "", "null", "X ", ""],
    }, index=range(10, 20))
    expected = long.apply(lambda col: col.astype(str).str.strip().str.lower()).isin(missing).all(axis=1)
    found = cells._says_nothing(long, ["transactions", "cost"], missing)
    assert found.tolist() == expected.tolist() and list(found.index) == list(long.index)
    assert found.tolist() == [False, True, False, "0" in missing, True, "nan" in missing, False, False, True, False]


def test_a_pattern_of_files_beside_a_file_with_the_same_headings_keeps_its_rows(tmp_path):
    """Files with the same headings are parsed together; a pattern's rows name the files it matched,
    not the pattern, so among a.csv's rows they were found for no service: c published no figures,
    with no warning, unless it was read alone (an incremental build where only its files changed)."""
    def rows(year, online):
        return "".join(f"{year}-{m:02d},online,{online}\n{year}-{m:02d},phone,100\n" for m in range(1, 13))

    files = {"config.yaml": CONFIG, **ORGS, "data/a.csv": "period,channel,transactions\n" + rows(2025, 300),
             "data/parts/c-1.csv": "period,channel,transactions\n" + rows(2025, 100),
             "data/parts/c-2.csv": "period,channel,transactions\n" + rows(2026, 900),
             "content/services/a.yaml": "name: A\norganisation: dept-a\ndescription: d.\ndata: a.csv\n",
             "content/services/c.yaml": "name: C\norganisation: dept-a\ndescription: d.\ndata: 'parts/c-*.csv'\n"}
    config_path = write_site(tmp_path, files)
    problems = Problems(root=tmp_path)
    config = load_config(config_path, problems)
    tidy = data.load_data(config, load_content(config, problems).services, problems)
    online = tidy[tidy["channel"].eq("online")].groupby("service")["transactions"].sum()
    # a: 12 months x 300; c: 12 x 100 (2025, c-1.csv) + 12 x 900 (2026, c-2.csv).
    assert online.to_dict() == {"a": 3600, "c": 12000}
    assert not problems.errors


def test_the_quiet_services_of_a_file_of_several_are_taken_together(tmp_path, monkeypatch):
    seen = {}
    real = data._quiet_keys
    monkeypatch.setattr(data, "_quiet_keys", lambda *args: seen.update(found := real(*args)) or found)
    load(tmp_path, monkeypatch, together=True)
    assert set(seen) == {"q1", "q2", "x"}  # (x: keyed.csv) not the twins' key, nor q3 (its service has another file), nor g, r, c, m, d
