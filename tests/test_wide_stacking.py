"""A wide file's columns are stacked a column at a time (sources._long_at_once) where every
heading has the same shape; the heading-by-heading way it replaces is kept for the rest. These
tests read the same wide files both ways and check that the tidy rows and every problem agree."""
from __future__ import annotations

from unittest import mock

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config import load_config
from generator.content import load_content
from generator.data import load_data
from generator.errors import Problems
from generator.raw_files import RawFiles
from sitefactory import write_site

CONFIG = """\
title: Wide files
organisation: Test Council
channels:
  - id: online
    label: Online
    digital: true
  - id: phone
    label: Phone
charts:
  static_svg: false
sources:
  - file: wide.csv
    columns:
      service: Service
    wide:
{wide}
    services:
      name: "{{Service}}"
      organisation: council
"""

BY_PERIOD = """\
      columns: "{period}: {measure}"
      measures:
        volume: transactions
        digital volume: digital_transactions
"""

BY_CHANNEL_AND_PERIOD = """\
      columns: "{channel} {period}"
      measure: transactions
      channels:
        Web: online
        Calls: phone
"""

CELLS = st.sampled_from(["", "12", "1,234", "0", "5.5", "***", "-", "n/a", "[c]", "twelve", " 40 ", "£7"])
PERIODS = ["2023-04", "2023-05", "2023-06", "2023-07"]


def _read(config_path):
    problems = Problems(root=config_path.parent)
    config = load_config(config_path, problems)
    raw_files = RawFiles()
    content = load_content(config, problems, raw_files)
    tidy = load_data(config, content.services, problems, raw_files)
    return tidy, [(p.path, p.line, p.column, p.message, p.hint, p.level) for p in problems.items]


def _both_ways(root, wide: str, csv: str):
    config_path = write_site(root, {"config.yaml": CONFIG.format(wide=wide), "data/wide.csv": csv,
                                    "content/organisations/council.yaml": "name: Test Council\nkind: council\n"})
    at_once = _read(config_path)
    with mock.patch("generator.sources._long_at_once", return_value=None):
        by_heading = _read(config_path)
    return at_once, by_heading


def _same(at_once, by_heading):
    (fast, fast_problems), (slow, slow_problems) = at_once, by_heading
    assert fast_problems == slow_problems
    assert list(fast.columns) == list(slow.columns)
    assert [str(d) for d in fast.dtypes] == [str(d) for d in slow.dtypes]
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_periods_and_measures_across_columns_read_alike_either_way(tmp_path_factory, data):
    periods = PERIODS[:data.draw(st.integers(1, 4))]
    services = data.draw(st.integers(1, 4))
    headings = [f"{period}: {measure}" for period in periods for measure in ("volume", "digital volume")]
    lines = ["Service," + ",".join(headings)]
    for n in range(services):
        lines.append(f"S{n % 3}," + ",".join(data.draw(CELLS) for _ in headings))  # S0 twice with 4 services
    _same(*_both_ways(tmp_path_factory.mktemp("wide"), BY_PERIOD, "\n".join(lines) + "\n"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_channels_and_periods_across_columns_read_alike_either_way(tmp_path_factory, data):
    periods = PERIODS[:data.draw(st.integers(1, 4))]
    headings = [f"{channel} {period}" for period in periods for channel in ("Web", "Calls")]
    lines = ["Service," + ",".join(headings)]
    for n in range(data.draw(st.integers(1, 3))):
        lines.append(f"S{n}," + ",".join(data.draw(CELLS) for _ in headings))
    _same(*_both_ways(tmp_path_factory.mktemp("wide"), BY_CHANNEL_AND_PERIOD, "\n".join(lines) + "\n"))


def test_the_quicker_way_is_the_one_taken(tmp_path):
    """Without this, the tests above would pass with _long_at_once never used."""
    csv = "Service,2023-04: volume,2023-04: digital volume\nBins,10,4\n"
    import generator.sources as sources

    made = []
    real = sources._long_at_once
    with mock.patch("generator.sources._long_at_once", side_effect=lambda *a: made.append(real(*a)) or made[-1]):
        at_once, by_heading = _both_ways(tmp_path, BY_PERIOD, csv)
    assert len(made) == 1 and made[0] is not None
    _same(at_once, by_heading)
    tidy = at_once[0]
    assert tidy["transactions"].tolist() == [10.0] and tidy["digital_transactions"].tolist() == [4.0]
