"""`perfpages new` writes a site that checks clean and builds at once, and never overwrites anything."""

import re

from click.testing import CliRunner

from generator.build import prepare
from generator.cli import main


def test_new_site_builds_at_once(tmp_path):
    folder = tmp_path / "borsetshire"
    result = CliRunner().invoke(main, ["new", str(folder), "--name", "Borsetshire County Council"])
    assert result.exit_code == 0, result.output
    for rel in ("config.yaml", "README.md", ".github/workflows/perfpages.yml", ".gitlab-ci.yml",
                "content/organisations/borsetshire-county-council.yaml", "data/pay-council-tax.csv",
                "content/pages/accessibility.md"):  # UK public-sector sites must publish one
        assert (folder / rel).is_file(), rel
    # Where the guides are: a tester's new site referred to docs/bring-your-data.md, which it lacks.
    assert "docs/bring-your-data.md" in (folder / "README.md").read_text()
    assert "the one `requirements.txt` names" in (folder / "README.md").read_text()
    check = CliRunner().invoke(main, ["check", "--config", str(folder / "config.yaml")])
    assert check.exit_code == 0, check.output
    # The accessibility statement's details only the council knows are blanks to fill in, each a
    # warning at its place, so CI's --strict does not publish the statement unfinished.
    assert check.output.count("is still to be filled in") == 9
    assert ("content/pages/accessibility.md:31:10: warning: '[fill in: an email address]' is still to be filled in"
            in check.output)
    # So is the banner saying the figures are examples (a tester's own figures went out under it).
    assert "config.yaml:6:15: warning: phase_banner still says the figures are examples" in check.output
    assert check.output.count("warning:") == 10
    fill_in_the_statement(folder)
    check = CliRunner().invoke(main, ["check", "--strict", "--config", str(folder / "config.yaml")])
    assert check.exit_code == 0, check.output
    prepared = prepare(folder / "config.yaml")
    assert {s.slug for s in prepared.model.services} == {"pay-council-tax", "report-a-missed-bin"}
    assert all(len(s.periods) == 24 and len(s.charts) >= 4 for s in prepared.model.services)
    assert prepared.model.organisations[0].name == "Borsetshire County Council"
    statement = next(page for page in prepared.model.pages if page.slug == "accessibility")
    assert statement.title == "Accessibility statement" and "run by Borsetshire County Council" in statement.html
    workflow = (folder / ".github/workflows/perfpages.yml").read_text()
    assert "perfpages check --strict" in workflow and "deploy-pages" in workflow and "data/**" in workflow
    # A tester's savings were worked out from unit costs the scaffold had put in without a word.
    assert "these are examples" in (folder / "config.yaml").read_text()


def fill_in_the_statement(folder):
    """What a council does before it publishes: the accessibility statement's blanks filled in, and
    the banner that says the figures are examples taken away."""
    statement = folder / "content/pages/accessibility.md"
    statement.write_text(re.sub(r"\[fill in:[^\]]*\]", "filled", statement.read_text()))
    config = folder / "config.yaml"
    config.write_text(re.sub(r"(?m)^phase_banner:.*\n", "", config.read_text()))


def test_new_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["new", str(tmp_path)])
    assert result.exit_code == 1 and "not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_new_works_beside_a_fresh_clones_git_folder_but_not_over_a_file(tmp_path):
    (tmp_path / ".git").mkdir()
    assert CliRunner().invoke(main, ["new", str(tmp_path)]).exit_code == 0
    assert (tmp_path / "config.yaml").is_file() and (tmp_path / ".git").is_dir()
    # What GitHub's 'initialize this repository' writes is kept: the site's README and .gitignore
    # follow what is there (a tester's fresh clone with a README had been refused).
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    (clone / ".gitignore").write_text("mine\nsite/\n")
    (clone / "README.md").write_text("# clone\nOur performance site.\n")
    (clone / "LICENSE").write_text("MIT\n")
    result = CliRunner().invoke(main, ["new", str(clone), "--name", "Wyre"])
    assert result.exit_code == 0, result.output
    ignored = (clone / ".gitignore").read_text().splitlines()
    assert ignored[:2] == ["mine", "site/"] and ignored.count("site/") == 1 and ".perfpages-cache/" in ignored
    assert "/public/" in ignored  # the GitLab workflow's output, and no folder of that name deeper down
    assert (clone / "README.md").read_text().startswith("# clone\nOur performance site.\n\n# Wyre: service performance")
    assert (clone / "LICENSE").read_text() == "MIT\n"
    (tmp_path / "other").mkdir()
    (tmp_path / "other/notes.md").write_text("mine")
    result = CliRunner().invoke(main, ["new", str(tmp_path / "other")])
    assert result.exit_code == 1 and "not empty (it has notes.md)" in result.output


def _guards(folder):
    """The shell commands both CI workflows run to check requirements.txt names Performance Pages."""
    import yaml

    github = yaml.safe_load((folder / ".github/workflows/perfpages.yml").read_text())
    gitlab = yaml.safe_load((folder / ".gitlab-ci.yml").read_text())
    step = [s for s in github["jobs"]["build"]["steps"] if "requirements.txt" in s.get("run", "")
            and "grep" in s["run"]]
    return [step[0]["run"], [line for line in gitlab["pages"]["script"] if "grep" in line][0]]


def test_without_a_known_source_ci_stops_with_a_message_until_requirements_names_one(tmp_path, monkeypatch):
    """Where this copy was installed from cannot be told (a local checkout without a public remote):
    requirements.txt says what to add, `perfpages new` says so, and both workflows stop with that
    message (rather than pip failing to clone a made-up address) until the line is there."""
    import subprocess

    from generator import scaffold

    monkeypatch.setattr(scaffold, "_installed_from", lambda: ("", ""))
    monkeypatch.setattr(scaffold, "_checkout_remote", lambda here: ("", ""))
    result = CliRunner().invoke(main, ["new", str(tmp_path / "site")])
    assert result.exit_code == 0 and "Before you push" in result.output
    folder = tmp_path / "site"
    requirements = (folder / "requirements.txt").read_text()
    assert not scaffold.install_source_known(requirements) and "<owner>" in requirements
    for guard in _guards(folder):
        run = subprocess.run(["bash", "-c", guard], cwd=folder, capture_output=True, text=True)
        assert run.returncode == 1 and "performance-pages @ git+https://github.com/" in run.stdout
    uncommented = requirements.replace("# performance-pages @", "performance-pages @")
    assert not scaffold.install_source_known(uncommented)  # the example's <owner> is not an address
    for good, known in (("performance-pages @ git+https://github.com/borsetshire/pp\n", True),
                        ("-e git+https://github.com/borsetshire/performance-pages#egg=performance_pages\n", True),
                        ("Performance_Pages==1.0\n", True), (uncommented, False), ("# performance-pages\n", False),
                        # the real line added below the scaffold's comments (whose example names <owner>)
                        (requirements + "performance-pages @ git+https://github.com/me/performance-pages\n", True),
                        ("-e git+https://github.com/me/perf-fork#egg=performance-pages\n", True),
                        # a council's fork under another name, as a tester wrote it; and a folder beside
                        ("git+https://github.com/fenland/perf-pages@abc123\n", True), ("./perf-pages\n", True),
                        # pip's long form of -e, as the last session's note left it refused
                        ("--editable ../perf-pages\n", True), ("--editable=../perf-pages\n", True),
                        ("pandas\n", False)):
        (folder / "requirements.txt").write_text(good)
        assert scaffold.install_source_known(good) == known, good
        for guard in _guards(folder):
            assert subprocess.run(["bash", "-c", guard], cwd=folder, capture_output=True).returncode == (0 if known
                                                                                                         else 1), good


def test_a_checkouts_remote_is_used_at_its_commit_once_pushed(tmp_path):
    import subprocess

    from generator.scaffold import _checkout_remote

    def git(*args):
        return subprocess.run(["git", "-C", str(tmp_path), *args], capture_output=True, text=True,
                              check=True).stdout.strip()

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", "one")
    git("remote", "add", "origin", "git@github.com:borsetshire/performance-pages.git")
    assert _checkout_remote(tmp_path) == ("https://github.com/borsetshire/performance-pages.git", "")
    git("update-ref", "refs/remotes/origin/main", "HEAD")  # as after a push
    assert _checkout_remote(tmp_path) == ("https://github.com/borsetshire/performance-pages.git",
                                          git("rev-parse", "HEAD"))
    git("update-ref", "-d", "refs/remotes/origin/main")
    git("update-ref", "refs/remotes/upstream/main", "HEAD")  # pushed elsewhere: not installable from origin
    assert _checkout_remote(tmp_path)[1] == ""
    git("remote", "set-url", "origin", "https://me:ghp_secret@github.com/borsetshire/performance-pages.git")
    assert _checkout_remote(tmp_path)[0] == "https://github.com/borsetshire/performance-pages.git"
    git("remote", "set-url", "origin", "/some/local/path")
    assert _checkout_remote(tmp_path) == ("", "")


def test_a_copy_pip_installed_from_git_is_named_at_its_commit(monkeypatch):
    """pip records where a git+ install came from (direct_url.json, PEP 610): that is what CI installs."""
    import importlib.metadata
    import json

    from generator import scaffold

    class Installed:
        def __init__(self, record):
            self.record = record

        def read_text(self, name):
            return json.dumps(self.record) if name == "direct_url.json" else None

    commit = "0123456789abcdef0123456789abcdef01234567"
    from_git = {"url": "https://github.com/borsetshire/performance-pages", "vcs_info": {"vcs": "git",
                                                                                        "commit_id": commit}}
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Installed(from_git))
    assert scaffold._install_source().splitlines()[-1] == (
        f"performance-pages @ git+https://github.com/borsetshire/performance-pages@{commit}")
    local = {"url": "file:///home/me/performance-pages", "dir_info": {"editable": True}}
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Installed(local))
    assert scaffold._installed_from() == ("", "")


def test_the_workflows_tell_the_build_where_the_site_is_served(tmp_path):
    """A GitHub Pages project site lives under /<repository>/; the 404 page (served at any path)
    links absolutely, so the workflows pass the address the host reports to --base-url, and the
    new site need not have base_url edited first. Run here with the values the hosts would give."""
    import yaml

    folder = tmp_path / "site"
    assert CliRunner().invoke(main, ["new", str(folder)]).exit_code == 0
    fill_in_the_statement(folder)  # the workflows build with --strict
    github = yaml.safe_load((folder / ".github/workflows/perfpages.yml").read_text())
    steps = github["jobs"]["build"]["steps"]
    pages = [i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/configure-pages")]
    build = [i for i, s in enumerate(steps) if s.get("run", "").startswith("perfpages build")]
    assert pages and build and pages[0] < build[0] and steps[pages[0]]["id"] == "pages"
    gitlab = yaml.safe_load((folder / ".gitlab-ci.yml").read_text())
    gitlab_build = [line for line in gitlab["pages"]["script"] if line.startswith("perfpages build")][0]
    for command, value in ((steps[build[0]]["run"], "https://council.github.io/performance"),
                           (gitlab_build, "https://council.gitlab.io/performance")):
        command = command.replace("${{ steps.pages.outputs.base_url }}", value).replace("$CI_PAGES_URL", value)
        args = [arg.strip('"') for arg in command.split()[1:]]
        out = tmp_path / "out"
        result = CliRunner().invoke(main, [*args, "--config", str(folder / "config.yaml"), "--output", str(out)])
        assert result.exit_code == 0, result.output
        assert 'href="/performance/static/css/site.css?v=' in (out / "404.html").read_text(encoding="utf-8")


def test_an_installed_copy_carries_the_theme_and_builds_a_new_site(tmp_path):
    """CI installs Performance Pages with pip from git: the package, not the repository. Its wheel
    had only generator/, so every scaffolded workflow failed on 'home.html not found'. Here setuptools
    itself lays out the package as a wheel would hold it (build_py, from pyproject.toml), and a new
    site is built with that copy alone."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    source = tmp_path / "source"
    for name in ("pyproject.toml", "README.md"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(repo / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("generator", "themes"):
        shutil.copytree(repo / folder, source / folder, ignore=ignore)
    installed = tmp_path / "site-packages"
    laid_out = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
                               "--build-lib", str(installed)], cwd=source, capture_output=True, text=True)
    assert laid_out.returncode == 0, laid_out.stderr
    theme = repo / "themes" / "default"
    for path in theme.rglob("*"):
        if path.is_file():
            assert (installed / "generator/theme" / path.relative_to(theme)).read_bytes() == path.read_bytes()
    env = {"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = lambda *args, cwd=tmp_path: subprocess.run([sys.executable, *args], cwd=cwd, env=env,  # noqa: E731
                                                     capture_output=True, text=True)
    where = run("-c", "import generator; print(generator.BUILTIN_THEME)")
    assert where.stdout.strip() == str(installed / "generator" / "theme")
    assert run("-m", "generator", "new", "council").returncode == 0
    built = run("-m", "generator", "build", cwd=tmp_path / "council")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "council/site/static/css/site.css").read_bytes() == (theme / "static/css/site.css").read_bytes()
    assert "<main" in (tmp_path / "council/site/index.html").read_text(encoding="utf-8")


def test_new_writes_the_kind_it_is_given(tmp_path):
    """`perfpages new --name "Home Office"` wrote kind: council whatever the name; --kind sets it
    (default council), and the department's pages then say "department", never "council"."""
    folder = tmp_path / "home-office"
    result = CliRunner().invoke(main, ["new", str(folder), "--name", "Home Office", "--kind", "department"])
    assert result.exit_code == 0, result.output
    assert "kind: department\n" in (folder / "content/organisations/home-office.yaml").read_text()
    prepared = prepare(folder / "config.yaml")
    assert prepared.model.organisations[0].kind == "department"
    odd = tmp_path / "odd"
    assert CliRunner().invoke(main, ["new", str(odd), "--kind", "arm's-length body: agency"]).exit_code == 0
    assert prepare(odd / "config.yaml").model.organisations[0].kind == "arm's-length body: agency"
    plain = tmp_path / "plain"
    assert CliRunner().invoke(main, ["new", str(plain)]).exit_code == 0
    assert "kind: council\n" in (plain / "content/organisations/plain.yaml").read_text()
    empty = CliRunner().invoke(main, ["new", str(tmp_path / "empty"), "--kind", " "])
    assert empty.exit_code == 1 and "--kind is empty" in empty.output


def test_any_organisation_name_makes_a_site_that_builds_with_that_name(tmp_path):
    """The name went into YAML as it was: 'Borsetshire: Borough Council' did not parse and 'Council
    #1' lost '#1' as a comment. Any name is written so it reads back as itself, and its web address
    is what a person would write (kings-lynn..., ynys-mon, not king-s-lynn, ynys-m-n)."""
    from generator.build import build_site

    for number, name in enumerate(["Borsetshire: Borough Council", "Council #1", "King's Lynn and Ynys Môn Council",
                                   "yes", "- Dash Council"]):
        folder = tmp_path / f"site{number}"
        result = CliRunner().invoke(main, ["new", str(folder), "--name", name])
        assert result.exit_code == 0, result.output
        prepared = prepare(folder / "config.yaml")
        assert [o.name for o in prepared.model.organisations] == [name]
        assert prepared.config.title == f"{name} service performance"
    assert (tmp_path / "site2/content/organisations/kings-lynn-and-ynys-mon-council.yaml").is_file()
    build_site(tmp_path / "site1/config.yaml", tmp_path / "site1/site")
    assert "<title>Council #1 service performance" in (tmp_path / "site1/site/index.html").read_text(encoding="utf-8")
    # In the Markdown pages the name reads as written ('*z*' had come out in italics), and a name of
    # spaces alone is refused, not a site titled '   service performance'.
    name = "Council *z* [y] <b> & _x_"
    assert CliRunner().invoke(main, ["new", str(tmp_path / "marked"), "--name", name]).exit_code == 0
    build_site(tmp_path / "marked/config.yaml", tmp_path / "marked/site")
    about = (tmp_path / "marked/site/about/index.html").read_text(encoding="utf-8")
    assert "This site shows how Council *z* [y] &lt;b&gt; &amp; _x_&#x27;s services" in about.replace("'", "&#x27;")
    result = CliRunner().invoke(main, ["new", str(tmp_path / "blank"), "--name", "   "])
    assert result.exit_code == 1 and "--name is empty" in result.output and not (tmp_path / "blank").exists()


def test_the_workflows_run_on_the_default_branch_and_when_they_change(tmp_path):
    CliRunner().invoke(main, ["new", str(tmp_path / "s")])
    github = (tmp_path / "s/.github/workflows/perfpages.yml").read_text(encoding="utf-8")
    assert "branches: [main]" not in github and "github.event.repository.default_branch" in github
    assert '".github/workflows/**"' in github and '".gitlab-ci.yml"' in (tmp_path / "s/.gitlab-ci.yml").read_text()


def test_the_github_cache_is_saved_again_after_a_template_or_version_change(tmp_path):
    """actions/cache saves only under a key it does not have: keyed on the data alone, a commit that
    changed a template (which every service's record depends on) saved nothing, and the next data
    commit restored records made with the old template and worked out every service again (a tester)."""
    import yaml

    CliRunner().invoke(main, ["new", str(tmp_path / "s")])
    workflow = yaml.safe_load((tmp_path / "s/.github/workflows/perfpages.yml").read_text(encoding="utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])]
    key = next(step["with"]["key"] for step in steps if str(step.get("uses", "")).startswith("actions/cache"))
    watched = workflow[True]["push"]["paths"]  # (YAML 1.1 reads the key 'on' as True)
    for folder in ("data", "content", "themes", "templates", "static"):
        assert f"'{folder}/**'" in key and f"{folder}/**" in watched
    assert "'config.yaml'" in key and "'requirements.txt'" in key


def test_new_says_what_it_chose_and_what_is_left_to_do(tmp_path, monkeypatch):
    """A tester's site was named 'Pl Site' after its folder in six files without a word; 'perfpages
    new .' said 'cd .'; and 'Before you publish' left out the banner --strict also stops on."""
    folder = tmp_path / "pl-site"
    folder.mkdir()
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["new", "."])
    assert result.exit_code == 0 and "cd ." not in result.output
    assert "The organisation is named 'Pl Site', after the folder" in result.output
    assert "phase_banner" in result.output.split("Before you publish:")[1]
    named = CliRunner().invoke(main, ["new", str(tmp_path / "b"), "--name", "Borsetshire County Council"])
    assert f"cd {tmp_path / 'b'}" in named.output and "after the folder" not in named.output
    # A folder's name with a space is quoted, so the line can be pasted into a shell (a tester's).
    spaced = CliRunner().invoke(main, ["new", str(tmp_path / "my council site"), "--name", "Borsetshire"])
    assert f"cd '{tmp_path / 'my council site'}'\n" in spaced.output
    assert "delete them as soon as one of yours is in" in (tmp_path / "my council site/README.md").read_text()


def test_an_unpinned_or_uncommitted_install_source_is_told(monkeypatch):
    """A checkout whose commit is not on origin got a requirements line with no commit, so CI would
    install origin's latest; one with edits not committed was pinned to HEAD without them. Silently."""
    from generator import scaffold

    unpinned = scaffold.install_caveat("performance-pages @ git+https://github.com/example/performance-pages\n")
    assert unpinned and "installs the latest Performance Pages from https://github.com/example/performance-pages" \
        in unpinned
    monkeypatch.setattr(scaffold, "_installed_from", lambda: ("", ""))
    pinned = "performance-pages @ git+https://github.com/example/performance-pages@0123456789abcdef0123\n"
    status = {"out": ""}
    monkeypatch.setattr(scaffold.subprocess, "run", lambda *a, **k: type("Done", (), {"stdout": status["out"]})())
    assert scaffold.install_caveat(pinned) is None
    status["out"] = " M generator/build.py\n"
    assert "has changes not committed; requirements.txt installs commit 0123456789a without them" \
        in scaffold.install_caveat(pinned)
    assert scaffold.install_caveat("performance-pages\n") is None


def test_a_new_site_says_how_its_figures_are_worked_out(tmp_path):
    """A tester's new site had forecasts, estimates and comparisons with no page explaining them:
    the method was in the product's docs, not on the council's site. A new site has the example's
    page without the example's particulars; a department's is not called a council's and has no
    section on comparing with other councils."""
    from generator.build import build_site

    council, department = tmp_path / "council", tmp_path / "department"
    assert CliRunner().invoke(main, ["new", str(council), "--name", "Borsetshire County Council"]).exit_code == 0
    assert CliRunner().invoke(main, ["new", str(department), "--name", "Home Office", "--kind", "department"]).exit_code == 0
    page = (council / "content/pages/methodology.md").read_text(encoding="utf-8")
    assert page.startswith("---\ntitle: How we work out the figures\n") and "## Comparing with other councils" in page
    assert not re.search(r"Blue Badge|[Ll]ibrar|[Ee]mail|this site's services, \d", page)  # the example's own
    own = (department / "content/pages/methodology.md").read_text(encoding="utf-8")
    assert "## Forecasts" in own and "Comparing with other councils" not in own and "the council" not in own
    build_site(council / "config.yaml", council / "site")
    assert (council / "site/methodology/index.html").is_file()
    service = (council / "site/services/pay-council-tax/index.html").read_text(encoding="utf-8")
    assert 'href="../../methodology/"' in service  # the forecast links it


def test_the_new_sites_methodology_page_is_the_examples_without_its_particulars():
    """The page `perfpages new` writes is a second copy of the example's methodology (it ships in the
    package; content/ does not): an edit to one must be made to the other. Apart from the example's
    own channels, costs, services and coverage figure, the two say the same, paragraph for paragraph."""
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    example = (repo / "content/pages/methodology.md").read_text(encoding="utf-8").split("\n\n")
    shipped = (repo / "generator/scaffold_pages/methodology.md").read_text(encoding="utf-8").split("\n\n")
    particular = re.compile(r"[Ee]mail|Blue Badge|Library renewals|this site's services, \d|^- online\n"
                            r"|^Only the online channel|Unit cost per transaction|its own unit cost for a channel")
    # Every shipped paragraph is the example's, or one cut short of its particular last sentence; every
    # paragraph of the example but its particulars is shipped.
    extra = [text for text in shipped if text not in example and not particular.search(text)
             and not any(whole.startswith(text) and particular.search(whole) for whole in example)]
    missing = [text for text in example if text not in shipped and not particular.search(text)]
    assert not extra and not missing, (extra, missing)
