"""`perfpages new` writes a site that checks clean and builds at once, and never overwrites anything."""

from click.testing import CliRunner

from generator.build import prepare
from generator.cli import main


def test_new_site_builds_at_once(tmp_path):
    folder = tmp_path / "borsetshire"
    result = CliRunner().invoke(main, ["new", str(folder), "--name", "Borsetshire County Council"])
    assert result.exit_code == 0, result.output
    for rel in ("config.yaml", "README.md", ".github/workflows/perfpages.yml", ".gitlab-ci.yml",
                "content/organisations/borsetshire-county-council.yaml", "data/pay-council-tax.csv"):
        assert (folder / rel).is_file(), rel
    check = CliRunner().invoke(main, ["check", "--strict", "--config", str(folder / "config.yaml")])
    assert check.exit_code == 0, check.output
    prepared = prepare(folder / "config.yaml")
    assert {s.slug for s in prepared.model.services} == {"pay-council-tax", "report-a-missed-bin"}
    assert all(len(s.periods) == 24 and len(s.charts) >= 4 for s in prepared.model.services)
    assert prepared.model.organisations[0].name == "Borsetshire County Council"
    workflow = (folder / ".github/workflows/perfpages.yml").read_text()
    assert "perfpages check --strict" in workflow and "deploy-pages" in workflow and "data/**" in workflow


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["new", str(tmp_path)])
    assert result.exit_code == 1 and "not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]
