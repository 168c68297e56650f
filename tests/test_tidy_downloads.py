"""downloads.service_csvs writes services with the same columns in one pass and cuts the text up
by rows; each service's file must hold exactly its own rows, as a to_csv per service writes them."""

from __future__ import annotations

import csv
import io

import pytest

from generator.build import prepare
from generator.data import load_data
from generator.downloads import service_csvs
from sitefactory import standard_files, write_site


@pytest.mark.parametrize("line_break", [False, True])
def test_each_service_csv_holds_its_own_rows(tmp_path, line_break):
    config_path = write_site(tmp_path, standard_files())
    prepared = prepare(config_path)
    services = [s for s in prepared.model.services if s.has_data]
    from generator.config import load_config
    from generator.content import load_content
    from generator.errors import Problems

    problems = Problems(root=tmp_path)
    config = load_config(config_path, problems)
    tidy = load_data(config, load_content(config, problems).services, problems)
    if line_break:  # no id the schema allows has one; were one to, each service is written on its own
        tidy.loc[tidy.index[tidy["channel"] == "phone"][:1], "channel"] = "ph\none"
    files = service_csvs(tidy)
    assert len(files) >= 2 and set(files) <= {s.slug for s in services}
    for slug, body in files.items():
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        mine = tidy[tidy["service"] == slug]
        assert len(rows) == len(mine), slug
        want = sorted(("all" if c == "" else c) for c in mine["channel"])
        assert sorted(r["channel"] for r in rows) == want, slug
