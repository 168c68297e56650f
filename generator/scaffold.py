"""``perfpages new DIR``: a new site (a council's unless ``--kind`` says otherwise) that builds at once.

It writes a config, one organisation, two services with two years of made-up
monthly data, an about page, a README, a .gitignore and CI workflows for
GitHub Pages and GitLab Pages. Nothing is overwritten: the folder must not
exist yet, or be empty but for hidden entries (a fresh clone's ``.git``).
"""

from __future__ import annotations

import random
import re
import subprocess
import unicodedata
from pathlib import Path


from generator.config import EXAMPLE_BANNER
from generator.schema import slugify
from generator.yamlfile import yaml_scalar

# /public/ is where the GitLab Pages workflow builds (anchored: data/public/ is the site's own).
GITIGNORE = "site/\n/public/\n.site.tmp-*/\n.site.old-*/\n.perfpages-cache/\n__pycache__/\n"

CONFIG = """\
# Site configuration. Every key is explained in the Performance Pages README.
title: {title}
organisation: {name}
base_url: /                 # e.g. https://your-org.github.io/performance/ for a GitHub Pages project site
financial_year_start: 4
phase_banner: "{banner}"
footer_text: "Figures are published under the Open Government Licence v3.0."  # or your own data licence
currency: GBP               # costs' currency: GBP (£), EUR (€), USD, AUD, CAD or NZD ($)

# The channels your services are used through. unit_cost (a transaction's cost, in that currency)
# estimates the cost, and the channel-shift savings, of a service that publishes no costs of its
# own; these are examples (close to the Cabinet Office's 2012 figures, in pounds): put in your
# council's, or remove them.
channels:
  - id: online
    label: Online
    digital: true
    unit_cost: 0.15
  - id: phone
    label: Phone
    unit_cost: 2.83
  - id: face_to_face
    label: Face to face
    unit_cost: 8.62
  - id: post
    label: Post
    unit_cost: 12.10

# Exports that are not in the tidy format are described here: see
# docs/bring-your-data.md in Performance Pages.
sources: []

# Warnings you have checked and cannot fix in the export (a month it will always lack), each with
# file:, message: and reason:, so that CI's --strict passes: see docs/bring-your-data.md.
accepted_warnings: []
"""

ORGANISATION = """\
name: {name}
kind: {kind}
description: {description}
"""

SERVICES = {
    "report-a-missed-bin": ("Report a missed bin collection", "Tell us when your bin was not collected.",
                            "Waste and recycling", 524, 1800, (0.55, 0.78)),
    "pay-council-tax": ("Pay your council tax", "Pay council tax online, by phone or in person.",
                        "Council tax", 62, 9000, (0.62, 0.81)),
}

SERVICE = """\
name: {title}
organisation: {org}
description: {description}
category: {category}
lgsl: {lgsl}
data: {slug}.csv
source: Example figures written by perfpages new; replace them with your own
targets:
  digital_take_up: 80
"""

ABOUT = """\
---
title: About this site
nav_order: 1
---
This site shows how {name}'s services perform: how many people use them, how
many do so online, what each transaction costs, how many people finish what
they start and how satisfied they are.

The figures are updated every month.
"""

# UK public-sector sites must publish an accessibility statement: a new site starts with one that
# says what the site itself does; the scaffold's README asks for the contact details and test dates.
def _site_title(name: str) -> str:
    """'Borsetshire County Council service performance'; 'England public library services: performance'."""
    return f"{name}: performance" if re.search(r"\bservices?$", name, re.IGNORECASE) else f"{name} service performance"


ACCESSIBILITY = """\
---
title: Accessibility statement
description: How accessible this website is, how to report a problem and what to do if you are not happy with our response.
nav_order: 2
---
This accessibility statement applies to the {name} performance
website. It does not cover the services themselves, which have their own
accessibility statements.

This website is run by {name}. We want as many people as possible to be able
to use it. For example, that means you should be able to:

- change colours, contrast levels and fonts using browser or device settings
- zoom in up to 400% without the text spilling off the screen
- navigate the website using a keyboard or speech recognition software
- listen to the website using a screen reader
- use the whole website without JavaScript

## How accessible this website is

Every chart has a short text description and a table with the same figures,
so you do not need to see a chart to get its information. The site works
without JavaScript, and every service's figures can be downloaded as a CSV
file.

## Feedback and contact information

If you need information on this website in a different format, or find a
problem with its accessibility, contact {name}:

- email: [fill in: an email address]
- phone: [fill in: a phone number, with the hours it is answered]

Tell us the web address of the page and what the problem was. We'll reply
within [fill in: how many] working days.

## Enforcement procedure

The Equality and Human Rights Commission (EHRC) is responsible for enforcing the
Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility
Regulations 2018 (the "accessibility regulations"). If you're not happy with how
we respond to your complaint, contact the
[Equality Advisory and Support Service (EASS)](https://www.equalityadvisoryservice.com/).

## Technical information about this website's accessibility

{name} is committed to making its website accessible, in accordance with the
Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility
Regulations 2018. This website is built to meet the
[Web Content Accessibility Guidelines version 2.2](https://www.w3.org/TR/WCAG22/)
AA standard: its templates are checked with automated tests in a web browser,
and with a keyboard.

## Compliance status

This website is [fill in: fully, partially or not] compliant with the Web
Content Accessibility Guidelines version 2.2 AA standard. [fill in: what does
not meet it, and when it will be fixed; or, if nothing, delete this sentence.
Known in Performance Pages itself: the text inside a chart's picture does not
take the text spacing a reader sets (WCAG 1.4.12); each chart's summary and
data table give the same figures as text that does]

## Preparation of this accessibility statement

This statement was prepared on [fill in: a date]. It was last reviewed on
[fill in: a date].

This website was last tested on [fill in: a date] against the WCAG 2.2 AA
standard. The test was carried out by [fill in: who tested it, and how].
"""

README = """\
# {name}: service performance

Built with Performance Pages.

    perfpages check            # every problem in every file, at once
    perfpages build            # the site, into site/
    perfpages serve            # preview on http://localhost:8000, rebuilt as you edit

- `config.yaml`: the site's title, address (`base_url`) and channels. Its `phase_banner` says the
  figures are examples: change it or remove it once yours are in (`perfpages check` warns while it
  is there).
- `content/organisations/`, `content/services/`: one YAML file each. The two services here, and
  their CSV files in `data/`, are examples: delete them as soon as one of yours is in. Their
  figures run to last month, and while they are there a service of yours whose figures end a
  year or more earlier reads as one that has stopped publishing, left out of the totals.
- `data/`: one CSV per service: `period,channel,transactions,cost,started,completed,satisfaction`.
  Exports in other shapes are described under `sources:` in `config.yaml`.
- `content/pages/`: Markdown pages such as About, How we work out the figures (edit it to match your
  channels, unit costs and sources), and an accessibility statement, which UK
  public-sector sites must publish. Before you publish, replace each `[fill in: ...]` in it: how to
  contact you (an email address, a phone number), whether the site is fully compliant, and when
  and by whom it was last tested. `perfpages check` warns of each one left, so the workflows
  (which run `perfpages check --strict`) do not publish the statement unfinished.
- `templates/`: put a template here (e.g. `templates/base.html`) to override the theme's one.

The guides are in the Performance Pages repository (the one `requirements.txt` names): its
`README.md` explains every key in `config.yaml` and the service files, and
`docs/bring-your-data.md` how to publish your own exports (Excel files, a column per channel or
per month, financial years), with what each of `perfpages check`'s messages means.

Publishing: `.github/workflows/perfpages.yml` checks, builds and deploys to GitHub
Pages on every push that changes the site's files (turn on Pages with "GitHub
Actions" as the source). `.gitlab-ci.yml` does the same on GitLab Pages. For a
project site, the workflows pass the address the site is served at to
`perfpages build --base-url`, which stands in for `base_url` in `config.yaml`.
Both keep `.perfpages-cache/` between runs, so services whose files have not
changed are not read or worked out again.
Both install Performance Pages from `requirements.txt`, at the commit this
site was made with when `perfpages new` could tell; if it could not, add the
line it shows there before you push (the workflows stop with that message
until you do).
"""

GITHUB = """\
# Check, build and deploy the site to GitHub Pages on every change to its files.
name: Publish performance site
on:
  push:  # to the repository's default branch (main or master): see the build job's if:
    paths: ["data/**", "content/**", "themes/**", "templates/**", "static/**", "config.yaml", "requirements.txt",
            ".github/workflows/**"]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: false
jobs:
  build:
    if: github.ref_name == github.event.repository.default_branch
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
          cache: pip
      - name: Check requirements.txt says where to install Performance Pages from
        run: >-
          grep -v '^[[:space:]]*#' requirements.txt | grep -Eiq '^[[:space:]]*(-e[[:space:]]+|--editable[[:space:]=]+)?([^[:space:]]*performance[-_.]pages|git\\+|\\.?\\.?/)' &&
          ! grep -v '^[[:space:]]*#' requirements.txt | grep -q '<owner>' ||
          {{ echo "::error file=requirements.txt::add the line performance-pages @ git+https://github.com/<owner>/performance-pages (the copy you use)"; exit 1; }}
      - run: pip install -r requirements.txt
      - uses: actions/cache@v4
        with:
          path: .perfpages-cache
          key: perfpages-${{{{ hashFiles('data/**', 'content/**', 'config.yaml', 'themes/**', 'templates/**', 'static/**', 'requirements.txt') }}}}
          restore-keys: perfpages-
      - run: perfpages check --strict
      - id: pages  # where GitHub will serve the site: the 404 page links from there
        uses: actions/configure-pages@v5
      - run: perfpages build --strict --base-url "${{{{ steps.pages.outputs.base_url }}}}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""

GITLAB = """\
# Check, build and deploy the site to GitLab Pages on every change to its files.
pages:
  image: python:3.11-slim
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      changes: ["data/**/*", "content/**/*", "themes/**/*", "templates/**/*", "static/**/*", "config.yaml",
                "requirements.txt", ".gitlab-ci.yml"]
  cache:
    key: perfpages
    paths: [.perfpages-cache/]
  script:
    - apt-get update && apt-get install -y --no-install-recommends git
    - >-
      grep -v '^[[:space:]]*#' requirements.txt | grep -Eiq '^[[:space:]]*(-e[[:space:]]+|--editable[[:space:]=]+)?([^[:space:]]*performance[-_.]pages|git\\+|\\.?\\.?/)' &&
      ! grep -v '^[[:space:]]*#' requirements.txt | grep -q '<owner>' ||
      { echo "requirements.txt: add the line performance-pages @ git+https://github.com/<owner>/performance-pages (the copy you use)"; exit 1; }
    - pip install -r requirements.txt
    - perfpages check --strict
    - perfpages build --strict --output public --base-url "$CI_PAGES_URL/"
  artifacts:
    paths: [public]
"""


PLACEHOLDER = "<owner>"


def _install_source() -> str:
    """What ``requirements.txt`` says CI installs Performance Pages from: the repository and commit
    this copy was installed from (pip records them for a ``git+`` install), else this checkout's
    git remote (at its commit, if that is pushed); failing both, a line to fill in."""
    url, commit = _installed_from()
    if not url:
        url, commit = _checkout_remote(Path(__file__).resolve().parent.parent)
    if url:
        pin = f"@{commit}" if commit else ""
        return ("# Performance Pages, at the version this site was made with. To upgrade, change the\n"
                "# commit after the @ (or remove it to follow the latest).\n"
                f"performance-pages @ git+{url}{pin}\n")
    return ("# Where CI installs Performance Pages from: the address of the copy you use, e.g.\n"
            f"# performance-pages @ git+https://github.com/{PLACEHOLDER}/performance-pages\n"
            "# Put that line here, without the #, before you push: the CI workflows stop until it is.\n")


def _installed_from() -> tuple[str, str]:
    """(repository URL, commit) if this package was installed by pip from a git URL, else ("", "")."""
    import importlib.metadata
    import json

    try:
        recorded = json.loads(importlib.metadata.distribution("performance-pages").read_text("direct_url.json") or "{}")
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return "", ""
    vcs = recorded.get("vcs_info", {})
    url = recorded.get("url", "")
    if vcs.get("vcs") == "git" and url.startswith("https://"):
        return url, vcs.get("commit_id", "")
    return "", ""


def _checkout_remote(here: Path) -> tuple[str, str]:
    """(origin's https URL, HEAD's commit if origin has it) of the git checkout at ``here``."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(here), *args], capture_output=True, text=True, timeout=5,
                                  check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    url = git("remote", "get-url", "origin")
    if url.startswith("git@github.com:"):
        url = "https://github.com/" + url[len("git@github.com:"):]
    if not url.startswith("https://"):
        return "", ""
    url = re.sub(r"^https://[^/@]*@", "https://", url)  # never a token into a file to be committed
    # A commit origin lacks (unpushed, or on another remote only) cannot be installed from origin.
    pushed = git("branch", "-r", "--contains", "HEAD", "--list", "origin/*")
    return url, git("rev-parse", "HEAD") if pushed else ""


def install_caveat(requirements: str) -> str | None:
    """What a new site's ``requirements.txt`` leaves CI to install that is not this copy, if anything:
    a git address without a commit (this copy's commit is not on its origin, so CI would install
    whatever origin's default branch holds), or this copy's own changes not yet committed."""
    found = re.search(r"^performance-pages @ git\+(\S+?)(@[0-9a-f]{7,40})?$", requirements, re.MULTILINE)
    if found is None:
        return None
    if not found.group(2):
        return (f"requirements.txt installs the latest Performance Pages from {found.group(1)}, not this copy's "
                "commit, which is not on that address yet: push it, then add @<commit> after the address to "
                "install the version you built with.")
    if _installed_from()[0]:  # pip's install from git: no checkout to have edits
        return None
    checkout = Path(__file__).resolve().parent.parent
    try:
        # --no-optional-locks: status may otherwise rewrite the index of the checkout it only reads.
        changed = subprocess.run(["git", "--no-optional-locks", "-C", str(checkout), "status", "--porcelain", "--",
                                  "generator", "themes", "pyproject.toml"],
                                 capture_output=True, text=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    if changed.strip():
        return (f"this copy of Performance Pages has changes not committed; requirements.txt installs commit "
                f"{found.group(2)[1:12]} without them. Commit and push them, then put the new commit after the @.")
    return None


# By name, or a git URL or folder of a copy under any name (a council's fork, 'perf-pages').
_NAMES_IT = re.compile(r"^\s*(-e\s+|--editable[\s=]+)?(\S*performance[-_.]pages|git\+|\.?\.?/)", re.IGNORECASE | re.MULTILINE)


def install_source_known(requirements: str) -> bool:
    """Whether ``requirements.txt`` names where to install Performance Pages from, as the CI
    workflows check it (by name, a git URL or a folder; not the example's placeholder). Comment lines
    are passed over, as pip does."""
    lines = "\n".join(line for line in requirements.splitlines() if not line.lstrip().startswith("#"))
    return bool(_NAMES_IT.search(lines)) and PLACEHOLDER not in lines


def example_csv(slug: str, base: float, online: tuple[float, float]) -> str:
    """24 months of made-up figures, the same every time for the same service."""
    rng = random.Random(slug)
    lines = ["period,channel,transactions,cost,started,completed,satisfaction"]
    units = {"online": 0.15, "phone": 2.83, "face_to_face": 8.62, "post": 12.10}
    for i in range(24):
        period = f"{2024 + (i + 9) // 12}-{(i + 9) % 12 + 1:02d}"
        total = base * (1 + rng.uniform(-0.12, 0.12))
        share = online[0] + (online[1] - online[0]) * i / 23
        split = {"online": share, "phone": (1 - share) * 0.6, "face_to_face": (1 - share) * 0.3,
                 "post": (1 - share) * 0.1}
        for channel, part in split.items():
            count = round(total * part)
            cost = f"{count * units[channel] * rng.uniform(0.9, 1.1):.2f}"
            extra = (f",{round(count / rng.uniform(0.82, 0.9))},{count},{rng.uniform(70, 85):.1f}"
                     if channel == "online" else ",,,")
            lines.append(f"{period},{channel},{count},{cost}{extra}")
    return "\n".join(lines) + "\n"


def scaffold_files(name: str, kind: str = "council") -> dict[str, str]:
    """Relative path to text for a new site for the organisation ``name`` of ``kind`` (its
    organisation file's ``kind:``: a department's site must not start out as a council's, whose
    services are compared with other councils')."""
    org = _slug_of_name(name) or "council"
    files = {
        ".gitignore": GITIGNORE,
        "config.yaml": CONFIG.format(title=yaml_scalar(_site_title(name)), name=yaml_scalar(name),
                                     banner=EXAMPLE_BANNER),
        f"content/organisations/{org}.yaml": ORGANISATION.format(
            name=yaml_scalar(name), kind=yaml_scalar(kind),
            description=yaml_scalar(f"The services {name} runs and how well they work.")),
        "content/pages/about.md": ABOUT.format(name=_markdown_text(name)),
        "content/pages/accessibility.md": ACCESSIBILITY.format(name=_markdown_text(name)),
        "content/pages/methodology.md": methodology(kind),
        "README.md": README.format(name=_markdown_text(name)),
        ".github/workflows/perfpages.yml": GITHUB.format(),
        ".gitlab-ci.yml": GITLAB,
        "requirements.txt": _install_source(),
    }
    for slug, (title, description, category, lgsl, base, online) in SERVICES.items():
        files[f"content/services/{slug}.yaml"] = SERVICE.format(
            title=title, org=yaml_scalar(org), description=description, category=category, lgsl=lgsl, slug=slug)
        files[f"data/{slug}.csv"] = example_csv(slug, base, online)
    return files


def methodology(kind: str) -> str:
    """'How we work out the figures': the example site's page without its own services' particulars,
    so a new site's forecasts, estimates and comparisons link to an explanation (a tester found the
    method only in the product's docs, not on the council's site). Councils are compared with other
    councils; another kind of organisation has no such section, and is not called a council."""
    text = (Path(__file__).parent / "scaffold_pages" / "methodology.md").read_text(encoding="utf-8")
    if kind.strip().lower() != "council":
        text = text.split("\n## Comparing with other councils", 1)[0].rstrip("\n") + "\n"
        text = text.replace("the council", "the organisation").replace("the whole council", "the whole organisation")
    return text


def _markdown_text(text: str) -> str:
    """``text`` as Markdown that reads as it is written: 'Council *z* [y]' had come out in italics."""
    return re.sub(r"([\\`*_{}\[\]#|!])", r"\\\1", text).replace("<", "&lt;")


# What GitHub's 'initialize this repository' may put in a fresh clone: kept, and the scaffold's
# README.md and .gitignore added to the end of any already there.
_FROM_THE_HOST = re.compile(r"(?:readme|licen[cs]e|copying)(?:\.\w+)?|\.gitignore|\.gitattributes", re.IGNORECASE)
_ADDED_TO = ("README.md", ".gitignore")


def _slug_of_name(name: str) -> str:
    """The organisation's web address from its name, as a person would write it: 'Ynys Môn' is
    ynys-mon and "King's Lynn" kings-lynn (not ynys-m-n, king-s-lynn)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return slugify(re.sub(r"['’]", "", plain))


def site_name(folder: Path, name: str | None) -> str:
    """The organisation's name: ``--name``, else the folder's ('borsetshire-council': Borsetshire Council)."""
    return " ".join((name or Path(folder).resolve().name.replace("-", " ").replace("_", " ").title()).split()) \
        or "Example Council"


class ScaffoldError(Exception):
    """The folder cannot be used for a new site; the message says why."""


def create_site(folder: Path, name: str | None = None, kind: str = "council") -> list[Path]:
    """Write a new site into ``folder`` (absent, or empty but for hidden entries such as a fresh
    clone's ``.git`` that the site does not write); returns the files written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder} is a file; choose a new or empty folder")
    if not kind.strip():
        raise ScaffoldError("--kind is empty; give the organisation's kind, such as council or department")
    if name is not None and not name.strip():
        raise ScaffoldError("--name is empty; give the organisation's name, such as \"Borsetshire County Council\"")
    files = scaffold_files(site_name(folder, name), kind.strip())
    if folder.is_dir():
        present = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
        present += sorted(rel for rel in files if rel.startswith(".") and (folder / rel).exists())
        present = [rel for rel in present if not _FROM_THE_HOST.fullmatch(rel)]
        if present:
            raise ScaffoldError(f"{folder} is not empty (it has {', '.join(present[:3])}"
                                f"{', ...' if len(present) > 3 else ''}); choose a new or empty folder "
                                "(a fresh clone's .git, README, licence and .gitignore are fine)")
    written = []
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel in _ADDED_TO and path.is_file():  # a fresh clone's: kept, with the scaffold's after it
            before = path.read_text(encoding="utf-8", errors="replace")
            if rel == ".gitignore":
                text = "".join(f"{line}\n" for line in text.splitlines() if line not in before.splitlines())
            gap = ("" if before.endswith("\n") or not before else "\n") + ("\n" if rel == "README.md" else "")
            text = before + gap + text
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
