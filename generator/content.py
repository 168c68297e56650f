"""Load organisations, services and Markdown pages from ``content/`` into typed records."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

import yaml
from pathlib import Path

from generator import model as m
from generator.config import Config, source_of
from generator.errors import Problems
from generator.paths import (is_pattern, linked_out_message, links_out, matching, missing_file_hint,
                             outside_the_folder, resolved)
from generator.schema import Field, Schema, slugify
from generator.yamlfile import Positions, load_yaml, parse_yaml

ORGANISATION_SCHEMA = Schema(
    "an organisation",
    [
        Field("name", "str", "The organisation's name.", required=True),
        Field("slug", "slug", "Short name used in its web address; defaults to the file name."),
        Field("kind", "str", "council, department, agency, directorate..."),
        Field("parent", "slug", "Slug of the organisation this one belongs to."),
        Field("description", "str", "One or two sentences about what it does."),
        Field("url", "url", "The organisation's own website."),
    ],
    doc="An organisation (council, department, agency or directorate) for Performance Pages.",
)

TARGETS_SCHEMA = Schema(
    "targets",
    [
        Field(m.DIGITAL_TAKE_UP, "number", "Target digital take-up, in percent (0-100).", minimum=0, maximum=100),
        Field(m.COST_PER_TRANSACTION, "number", "Target cost per transaction, in pounds.", minimum=0),
        Field(m.COMPLETION_RATE, "number", "Target completion rate, in percent (0-100).", minimum=0, maximum=100),
        Field(m.USER_SATISFACTION, "number", "Target user satisfaction, in percent (0-100).", minimum=0, maximum=100),
        Field(m.TRANSACTIONS_PER_YEAR, "number", "Expected transactions per year.", minimum=0),
    ],
)

DATA_SCHEMA = Schema(
    "data",
    [
        Field("file", "str", "CSV file in the data folder, e.g. council-tax.csv."),
        Field("source", "slug", "Instead of file: the id of a source in config.yaml."),
        Field("service", "str", "This service's value in the file's service column "
              "(defaults to the service's slug)."),
    ],
)
_DATA_ITEM = {"oneOf": [{"type": "string"}, DATA_SCHEMA.json_schema()]}

ANNOTATION_SCHEMA = Schema(
    "an annotation",
    [
        Field("date", "date", "When it happened, YYYY-MM-DD.", required=True),
        Field("text", "str", "What happened, e.g. New online form launched.", required=True),
    ],
)

SERVICE_SCHEMA = Schema(
    "a service",
    [
        Field("name", "str", "The service's name, e.g. Report a missed bin collection.", required=True),
        Field("slug", "slug", "Short name used in its web address; defaults to the file name."),
        Field("organisation", "slug", "Slug of the organisation that runs it.", required=True),
        Field("description", "str", "One or two sentences saying what the service is for.", required=True),
        Field("category", "str", "A category, e.g. Waste and recycling."),
        Field("lgsl", "any", "Local Government Service List code, e.g. 524.",
              json={"type": ["string", "integer"]}),
        Field("url", "url", "Web address of the service itself."),
        Field("data", "any", "The CSV file with its figures: a file name in the data folder; file: and "
              "service: when one file holds several services; or a list of these when figures come from "
              "several files (volumes from one, satisfaction from another).",
              json={"oneOf": [*_DATA_ITEM["oneOf"], {"type": "array", "items": _DATA_ITEM}]}),
        Field("source", "str", "Where the figures come from, e.g. the system they are exported from."),
        Field("last_updated", "date", "When the figures were last updated, YYYY-MM-DD."),
        Field("targets", "object", "Optional KPI targets.", item=TARGETS_SCHEMA, default={}),
        Field("not_requested", "list", "KPIs this service deliberately does not collect.", default=[],
              item=Field("not_requested", "str", "A KPI this service does not collect.", choices=m.KPI_KEYS)),
        Field("unit_costs", "map", "Channel unit costs for this service, overriding config.yaml.",
              default={}, item=Field("unit cost", "number", "Cost in pounds.", minimum=0)),
        Field("notes", "str", "Notes about the figures, in Markdown."),
        Field("annotations", "list", "Dated events to mark on charts.", default=[], item=ANNOTATION_SCHEMA),
    ],
    doc="A service for Performance Pages.",
)

PAGE_SCHEMA = Schema(
    "a page's front matter",
    [
        Field("title", "str", "The page title (its h1).", required=True),
        Field("slug", "slug", "Web address of the page; defaults to the file name."),
        Field("description", "str", "A sentence describing the page."),
        Field("nav_order", "int", "Position in the header navigation; leave out to hide it."),
        Field("language", "language", "The page's language where it is not the site's (e.g. cy for a page "
              "in Welsh): marked on its text and on links to it, so screen readers read them in it."),
    ],
)


@dataclass
class Organisation:
    slug: str
    name: str
    kind: str | None
    parent: str | None
    description: str | None
    url: str | None
    path: Path
    positions: Positions


@dataclass
class DataRef:
    file: str | None
    key: str | None  # value in the `service` column, if the file has one
    source: str | None = None  # a source id from config.yaml, instead of the file
    generated: bool = False  # the service was made from this file's rows


@dataclass
class Service:
    slug: str
    name: str
    organisation: str
    description: str
    category: str | None
    lgsl: str | None
    url: str | None
    data: tuple[DataRef, ...]
    source: str | None
    last_updated: dt.date | None
    targets: dict
    not_requested: tuple[str, ...]
    unit_costs: dict
    notes: str | None
    annotations: list
    path: Path
    positions: Positions = field(repr=False)

    @property
    def called(self) -> str:
        """How messages name the service: its YAML file's slug, or, for a service made from a
        file's rows, its key as the file writes it ('RFR', not the slug 'rfr'), unless its web
        address is not the key's (a second source's 'Angus', at 'angus-2'): then that."""
        made = next((ref.key for ref in self.data if ref.generated and ref.key), None)
        return made if made and slugify(made) == self.slug else self.slug


@dataclass
class Page:
    slug: str
    title: str
    description: str | None
    nav_order: int | None
    body: str
    path: Path
    language: str | None = None
    slug_at: tuple[int | None, int | None] = (None, None)  # where its slug: is written, if it is


@dataclass
class Content:
    organisations: list[Organisation]
    services: list[Service]
    pages: list[Page]
    # Services whose YAML has errors: left out of the site, but their data is still read for
    # its problems, so that every problem is reported at once rather than one file per run.
    unchecked: list[Service] = field(default_factory=list)
    unread_sources: list[str] = field(default_factory=list)  # ids of sources meant to make items, not read


def _yaml_files(folder: Path, problems: Problems | None = None) -> list[Path]:
    if not folder.is_dir():
        return []
    found = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if problems is None:
        return found
    # Resolved once for the folder: a file that is not itself a link is where its folder is (resolving
    # each of 766 service files took a fifth of a second of every rebuild at GOV.UK scale).
    inside = folder.resolve().is_relative_to(folder.parent.resolve())
    return [path for path in found if (inside and not path.is_symlink()) or _in_the_site(path, folder.parent, problems)]


def _in_the_site(path: Path, content: Path, problems: Problems) -> bool:
    """Whether a content file is the content folder's own: a link to a file elsewhere on the machine
    (a tester's about page linked to /tmp) would publish it."""
    if path.resolve().is_relative_to(content.resolve()):
        return True
    problems.error(path.relative_to(content.parent), "is a link to a file outside the content folder, so it is "
                   "not read", hint="copy the file into the content folder instead: a link could publish any file")
    return False


def _slug(values: dict, path: Path, problems: Problems, positions) -> str | None:
    slug = values.get("slug") or slugify(path.stem)
    if not slug:
        problems.error(path, "cannot make a web address from this file's name", *positions.at(()),
                       hint="add a slug: key with letters, digits and hyphens")
        return None
    return slug


def load_organisations(config: Config, problems: Problems) -> list[Organisation]:
    orgs = []
    for path in _yaml_files(config.content_dir / "organisations", problems):
        data, positions = load_yaml(path, problems)
        if data is None:
            continue
        before = len(problems.errors)
        v = ORGANISATION_SCHEMA.validate(data, positions, path, problems)
        slug = _slug(v, path, problems, positions)
        if slug and len(problems.errors) == before:
            orgs.append(Organisation(slug, v["name"], v["kind"], v["parent"], v["description"],
                                     v["url"], path, positions))
    return orgs


def _data_refs(value, path, positions, problems, slug, keypath=("data",)) -> tuple[DataRef, ...]:
    if value is None:
        return ()
    if isinstance(value, list) and keypath == ("data",):
        return tuple(ref for i, item in enumerate(value)
                     for ref in _data_refs(item, path, positions, problems, slug, ("data", i)))
    if isinstance(value, str) and value.strip():
        return (DataRef(value.strip(), None),)
    if isinstance(value, dict):
        v = DATA_SCHEMA.validate(value, positions, path, problems, keypath)
        if bool(v["file"]) == bool(v["source"]):
            problems.error(path, "give data either file: or source:", *positions.at(keypath),
                           hint="for example  data: {file: waste.csv, service: missed-bins}")
            return ()
        return (DataRef(str(v["file"]).strip() if v["file"] else None, v["service"] or slug, v["source"]),)
    problems.error(path, "'data' must be a CSV file name, file: and service:, or a list of them",
                   *positions.at(keypath), hint="for example  data: council-tax.csv")
    return ()


def load_services(config: Config, problems: Problems, unchecked: list[Service] | None = None) -> list[Service]:
    """The services' YAML, checked; those with errors go to ``unchecked`` (if given), if they
    name their data, for their data files to be checked too."""
    services = []
    for path in _yaml_files(config.content_dir / "services", problems):
        data, positions = load_yaml(path, problems)
        if data is None:
            if unchecked is not None:
                unchecked.extend(_salvaged(path, problems))
            continue
        before = len(problems.errors)
        v = SERVICE_SCHEMA.validate(data, positions, path, problems)
        slug = _slug(v, path, problems, positions)
        refs = _data_refs(v["data"], path, positions, problems, slug)
        for channel in v["unit_costs"] or {}:
            if channel not in {c.id for c in config.channels}:
                problems.error(path, f"unit_costs names channel '{channel}', which config.yaml does not define",
                               *positions.at(("unit_costs", channel)),
                               hint="use a channel id from config.yaml")
        if not slug or (len(problems.errors) > before and (unchecked is None or not refs)):
            continue
        lgsl = None if v["lgsl"] is None else str(v["lgsl"]).strip()
        lgsl = lgsl or None  # lgsl: '' says nothing
        if lgsl is not None and not re.fullmatch(r"[0-9]+", lgsl):  # only compared with other councils' codes
            problems.warning(path, f"'lgsl' '{lgsl}' is not a Local Government Service List code: they are "
                             "numbers", *positions.at(("lgsl",)),
                             hint="write the service's LGSL code, e.g. lgsl: 524; or leave lgsl: out")
        annotations = [m.Annotation(a["date"], a["text"]) for a in v["annotations"] or []
                       if a.get("date") and a.get("text")]
        (services if len(problems.errors) == before else unchecked).append(Service(
            slug, v["name"], v["organisation"], v["description"], v["category"], lgsl, v["url"], refs,
            v["source"], v["last_updated"], {k: x for k, x in (v["targets"] or {}).items() if x is not None},
            tuple(v["not_requested"] or ()), dict(v["unit_costs"] or {}), v["notes"],
            sorted(annotations, key=lambda a: a.date), path, positions,
        ))
    return services


def _salvaged(path: Path, problems: Problems) -> list[Service]:
    """A service whose YAML cannot be parsed, as far as its data: key can be read on its own: so
    the data's errors are told in the same run (a build fails on the YAML anyway). Otherwise a
    mistake in one line of YAML hid every bad cell of its CSV until it was fixed."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    start = next((i for i, line in enumerate(lines) if re.match(r"data\s*:", line)), None)
    if start is None:
        return []
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in " \t-"):
        end += 1
    try:
        value = yaml.safe_load("\n".join(lines[start:end]))
    except yaml.YAMLError:
        return []
    if not isinstance(value, dict) or not value.get("data"):
        return []
    slug = slugify(path.stem)
    refs = _data_refs(value["data"], path, Positions(), Problems(root=problems.root), slug)
    if not slug or not refs:
        return []
    # Its data: line, for what check_references finds wrong with the reference (a file not there).
    inline = re.match(r"data\s*:\s*", lines[start])
    column = inline.end() + 1 if inline.end() < len(lines[start].rstrip()) else 1
    return [Service(slug, path.stem, "", "", None, None, None, refs, None, None, {}, (), {}, None, [], path,
                    Positions(marks={("data",): (start + 1, column)}))]


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.S | re.M)


def load_pages(config: Config, problems: Problems) -> list[Page]:
    folder = config.content_dir / "pages"
    pages = []
    if not folder.is_dir():
        return pages
    for path in sorted(folder.glob("*.md")):
        if not _in_the_site(path, config.content_dir, problems):
            continue
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            problems.error(path, f"cannot read page: {exc}", hint="save it as UTF-8 text")
            continue
        match = _FRONT_MATTER.match(text)
        if not match:
            problems.error(path, "no front matter: a page must start with ---, a title: line, and ---", 1, 1,
                           hint="add\n---\ntitle: About this site\n---")
            continue
        data, positions = parse_yaml(match.group(1), path, problems, line_offset=1)
        if data is None:
            continue
        before = len(problems.errors)
        v = PAGE_SCHEMA.validate(data, positions, path, problems)
        slug = _slug(v, path, problems, positions)
        if slug and len(problems.errors) == before:
            pages.append(Page(slug, v["title"], v["description"], v["nav_order"], text[match.end():], path,
                              v["language"], positions.at(("slug",)) if ("slug",) in positions.marks else (None, None)))
        _warn_of_blanks_to_fill(text, path, problems)
    return pages


_TO_FILL = re.compile(r"\[fill in:[^\]]*\]", re.IGNORECASE)


def _warn_of_blanks_to_fill(text: str, path: Path, problems: Problems) -> None:
    """Each '[fill in: ...]' left in a page (the accessibility statement ``perfpages new`` writes
    has some: contact details, test dates, compliance status, which the law asks for): a warning,
    so CI's --strict does not publish the statement unfinished."""
    for found in _TO_FILL.finditer(text):
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        problems.warning(path, f"'{' '.join(found.group().split())}' is still to be filled in", line, column,
                         hint="write the details in its place (an accessibility statement must give them)")


def check_references(config: Config, content: Content, problems: Problems) -> None:
    """Cross-file checks: duplicate slugs, unknown organisations, missing data files, parent loops."""
    # Sources services name, before references to missing files are dropped below: such a source's
    # file is told missing at the service, not again as a source nobody reads.
    named = {id(source_of(config, ref)) for svc in (*content.services, *content.unchecked) for ref in svc.data}
    for kind, items in (("organisation", content.organisations), ("service", content.services),
                        ("page", content.pages)):
        first: dict[str, object] = {}
        for item in items:
            if item.slug not in first:
                first[item.slug] = item
                continue
            # Told at the file whose slug: gives it (a copied file given its original's slug), else
            # at the later one, naming the other as the report names files.
            other = first[item.slug]
            blamed, other = (other, item) if _slug_given(other) and not _slug_given(item) else (item, other)
            where = _slug_at(blamed)
            problems.error(blamed.path, f"{kind} slug '{item.slug}' is also used by {problems._rel(other.path)}",
                           *where, hint="give one of them a different slug")
    orgs = {o.slug: o for o in content.organisations}
    broken = _broken_organisations(config, problems)  # there, with errors of their own: not "does not exist"
    for org in content.organisations:
        if org.parent and org.parent not in orgs and org.parent not in broken:
            slug = _slug_named(org.parent, orgs)
            problems.error(org.path, f"parent organisation '{org.parent}' does not exist",
                           *org.positions.at(("parent",)),
                           hint=f"that is the name of organisation '{slug}': write parent: {slug}" if slug else
                           f"known organisations: {', '.join(sorted(orgs)) or 'none'}")
        seen, cur = {org.slug}, org.parent
        while cur in orgs:
            if cur in seen:
                problems.error(org.path, f"organisation '{org.slug}' is its own ancestor",
                               *org.positions.at(("parent",)), hint="remove the loop in parent:")
                break
            seen.add(cur)
            cur = orgs[cur].parent
    told: set[str] = set()
    for svc in content.services:
        if not svc.organisation:
            problems.error(svc.path, f"service '{svc.name}' has no organisation",
                           *svc.positions.at(("organisation",)),
                           hint="fill in its organisation (in a data file, that column in this row; a row that "
                           "is not a service, such as a total, can be left out with exclude: in its source)")
        elif svc.organisation not in orgs and svc.organisation not in broken:
            source = _constant_organisation_of(config, svc)
            if source is not None:  # one slip in config.yaml, not one per row of the file
                if source.id not in told:
                    told.add(source.id)
                    close = difflib.get_close_matches(svc.organisation, list(orgs), n=1)
                    problems.error(config.path, f"organisation '{svc.organisation}' does not exist",
                                   *source.where("services", "organisation"),
                                   hint=(f"did you mean '{close[0]}'? " if close else "") +
                                   f"known organisations: {', '.join(sorted(orgs)) or 'none'}")
            elif content.unread_sources:  # perhaps one that source would have made: say so, not 'add a file'
                close = difflib.get_close_matches(svc.organisation, list(orgs), n=1)
                problems.error(svc.path, f"organisation '{svc.organisation}' does not exist",
                               *svc.positions.at(("organisation",)),
                               hint=(f"did you mean '{close[0]}'? " if close else "") +
                               f"if source '{content.unread_sources[0]}' makes it from its rows, this follows from "
                               "that source's file not being read (see its error); else use one of: "
                               f"{', '.join(sorted(orgs)) or 'none'}")
            elif (slug := _slug_named(svc.organisation, orgs)) is not None:
                problems.error(svc.path, f"organisation '{svc.organisation}' does not exist",
                               *svc.positions.at(("organisation",)),
                               hint=f"that is the name of organisation '{slug}': write organisation: {slug} (the "
                                    f"name of its file, content/organisations/{slug}.yaml)")
            else:
                problems.error(svc.path, f"organisation '{svc.organisation}' does not exist",
                               *svc.positions.at(("organisation",)),
                               hint=f"add content/organisations/{svc.organisation}.yaml or use one of: "
                               f"{', '.join(sorted(orgs)) or 'none'}")
        svc.data = tuple(ref for ref in svc.data if _check_data_ref(config, svc, ref, problems))
    for svc in content.unchecked:  # read as far as data: goes, so checked as far as that too
        svc.data = tuple(ref for ref in svc.data if _check_data_ref(config, svc, ref, problems))
    _warn_of_unread_sources(config, content, problems, named)
    _warn_of_unread_files(config, content, problems)
    if not problems.errors:  # (an organisation a mistyped service meant is not empty: that error says it)
        _warn_of_empty_organisations(content, problems)


def _warn_of_empty_organisations(content: Content, problems: Problems) -> None:
    """An organisation with no service, in it or in any organisation under it, publishes a page with
    nothing on it: a tester's publisher, kept from the scaffold while a spreadsheet's rows made the
    services and their organisations, was an empty department page, with no word."""
    busy = {svc.organisation for svc in (*content.services, *content.unchecked)}
    parents = {org.slug: org.parent for org in content.organisations}
    for slug in list(busy):
        seen = set()
        while parents.get(slug) and slug not in seen:  # every organisation above a service's
            seen.add(slug)
            slug = parents[slug]
            busy.add(slug)
    for org in content.organisations:
        if org.slug not in busy:
            problems.warning(org.path, f"organisation '{org.slug}' has no services, nor has any organisation "
                             "under it: its page would list none", *org.positions.at(()),
                             hint="name it in a service's organisation:, or remove it")


def _slug_given(item) -> bool:
    """Whether the file gives its slug (slug:), rather than it being made from the file's name."""
    return _slug_at(item)[0] is not None


def _slug_at(item) -> tuple[int | None, int | None]:
    """Where the file's slug: is written (a YAML file's, or a Markdown page's front matter), if it is."""
    positions = getattr(item, "positions", None)
    if positions is not None:
        return positions.at(("slug",)) if ("slug",) in positions.marks else (None, None)
    return getattr(item, "slug_at", (None, None))


def _slug_named(name: str, orgs: dict) -> str | None:
    """The slug of the organisation called ``name`` ('Environment and Neighbourhoods', which the schema
    has made 'environment-and-neighbourhoods'), if one is: a service's YAML names its organisation by
    slug (its file's name), and its name is an easy mistake."""
    wanted = slugify(name)
    return next((slug for slug, org in orgs.items() if slugify(org.name) == wanted), None)


def _broken_organisations(config: Config, problems: Problems) -> set[str]:
    """Slugs of organisation files that exist but have errors (an indentation slip): a service naming
    one is not told that it does not exist, with a hint to add the very file that is there."""
    failed = {p.path for p in problems.items if p.level == "error"}
    return {slugify(path.stem) for path in _yaml_files(config.content_dir / "organisations")
            if problems._rel(path) in failed}


def _warn_of_unread_sources(config: Config, content, problems: Problems, named: set[int]) -> None:
    """A source no service reads (and that makes none) is most likely a slip: its figures are nowhere.
    (Not said while a service's YAML has errors: that service may be the one that reads it. Its file
    missing is said even then: an error whoever reads it, and its "did you mean" may be the answer.)"""
    folder = problems._rel(config.content_dir / "services")
    unsure = bool(content.unchecked) or any(p.level == "error" and Path(p.path).is_relative_to(folder)
                                            for p in problems.items)
    for source in config.sources:
        if id(source) not in named and not source.values["services"] and not source.values["organisations"]:
            if not is_pattern(source.file) and not (config.data_dir / source.file).is_file():
                hint = missing_file_hint(config.data_dir, source.file)
                problems.error(config.path, f"data file '{source.file}' not found in {config.data_dir.name}/",
                               *source.where("file"), hint=hint + (" A file no source names is read in the tidy "
                               "format, without this source's settings" if hint.startswith("did") else ""))
                continue
            if unsure:
                continue
            problems.warning(config.path, f"no service reads the source for {source.file}"
                             + (f" ('{source.id}')" if source.id != source.file else ""), *source.where(),
                             hint="point a service's data: at it (data: {source: <its id>, service: ...}), "
                                  "or add services: to it to make a service of each of its rows (to add its "
                                  "figures to the services another source of the file makes, give it the same "
                                  "services: block); or remove it")


def _warn_of_unread_files(config: Config, content, problems: Problems) -> None:
    """A CSV file in the data folder that no source, service or peer names: its figures are
    published nowhere, most likely a file added and not yet pointed at (a tester had three). Not
    said while a service's YAML has errors: that service may be the one that reads it."""
    if content.unchecked or not config.data_dir.is_dir():
        return
    named = [source.file for source in config.sources] + [peer.file for peer in config.peers if peer.file] + \
        [ref.file for svc in content.services for ref in svc.data if ref.file and not ref.source]
    read = {resolved(path) for name in named for path in matching(config.data_dir, name)}
    for path in sorted(config.data_dir.rglob("*.csv")):
        if path.is_file() and resolved(path) not in read and \
                not any(part.startswith(".") for part in path.relative_to(config.data_dir).parts):
            problems.warning(path, "no service, source or peer reads this file, so its figures are published "
                             "nowhere", hint="point a service's data: at it (data: file.csv), or a source in "
                             "config.yaml (sources: - file: ...); if it is kept for reference, move it out of "
                             f"{config.data_dir.name}/")


def _constant_organisation_of(config: Config, svc: Service):
    """The source that made ``svc`` from a row, if its services: organisation: is the same for every
    row (no {column} in it), so a wrong one is a slip in config.yaml; else None."""
    ref = svc.data[0] if svc.data and all(r.generated for r in svc.data) else None  # made by one source, or two
    source = next((s for s in config.sources if ref is not None and s.id == ref.source), None)
    template = (source.values["services"] or {}).get("organisation") if source is not None else None
    return source if isinstance(template, str) and "{" not in template else None


def _check_data_ref(config: Config, svc: Service, ref: DataRef, problems: Problems) -> bool:
    if ref.source:
        source = next((s for s in config.sources if s.id == ref.source), None)
        if source is None:
            problems.error(svc.path, f"data source '{ref.source}' is not in config.yaml",
                           *svc.positions.at(("data",)),
                           hint=f"sources: {', '.join(s.id for s in config.sources) or 'none defined'}")
            return False
        ref.file = source.file
    if is_pattern(ref.file):
        links = links_out(config.data_dir, ref.file)
        if links:  # not read: told, even beside files that are (the figures would lack theirs)
            says, hint = linked_out_message(config.data_dir, ref.file, links)
            problems.error(svc.path, says, *svc.positions.at(("data",)), hint=hint)
            return False
        if not matching(config.data_dir, ref.file):
            problems.error(svc.path, f"no file in {config.data_dir.name}/ matches '{ref.file}'",
                           *svc.positions.at(("data",)), hint="check the pattern: * stands for any text, ? for "
                           "one character, and folders are separated by /")
            return False
        return True
    target = resolved(config.data_dir / ref.file)
    if not target.is_relative_to(resolved(config.data_dir)):
        says, hint = outside_the_folder(config.data_dir, ref.file)
        problems.error(svc.path, says, *svc.positions.at(("data",)), hint=hint)
        return False
    if not target.is_file():
        problems.error(svc.path, f"data file '{ref.file}' not found in {config.data_dir.name}/",
                       *svc.positions.at(("data",)), hint=missing_file_hint(config.data_dir, ref.file))
        return False
    return True


def _merge_generated(written: list, generated: list, config: Config | None = None) -> list:
    """Generated items plus YAML ones; a YAML file with a generated item's slug replaces it,
    keeping the generated data reference if the YAML names none. So does one that reads the
    generated item's rows (``data: {source: contacts, service: Potholes}``), whatever its slug:
    both had been published, and the organisation's totals counted the rows twice (a tester's)."""
    by_slug = {item.slug: item for item in written}
    # By the source each reads through: data: {file: contacts.csv, service: Potholes} is that source too.
    through = (lambda ref: getattr(source_of(config, ref), "id", ref.source)) if config is not None else \
        (lambda ref: ref.source)
    claimed = {(through(ref), ref.key) for item in written for ref in getattr(item, "data", None) or ()
               if through(ref) and ref.key}
    merged = []
    for item in generated:
        override = by_slug.pop(item.slug, None)
        if override is None and any((ref.source, ref.key) in claimed for ref in getattr(item, "data", None) or ()):
            continue  # a YAML file reads its rows: that is the service
        if override is None:
            merged.append(item)
        else:
            if hasattr(override, "data") and not override.data:
                override.data = item.data
            merged.append(override)
    return merged + [item for item in written if item.slug in by_slug]


def resolve_organisation(text: str | None, slugs: set[str], by_name: dict[str, str]) -> str | None:
    """An organisation named by slug or by name (any case) to its slug."""
    if not text:
        return text
    if text in slugs:
        return text
    if text.strip().lower() in by_name:
        return by_name[text.strip().lower()]
    return slugify(text)


def load_content(config: Config, problems: Problems, raw_files=None) -> Content:
    unread: list[str] = []
    made_orgs, made_services = [], []
    if config.sources:  # (pandas, which reading a source's file imports, is not needed otherwise: generator.figures)
        from generator.generated import generate

        made_orgs, made_services = generate(config, problems, raw_files, unread)
    orgs = _merge_generated(load_organisations(config, problems), made_orgs)
    unchecked: list[Service] = []
    services = _merge_generated(load_services(config, problems, unchecked), made_services, config)
    slugs = {o.slug for o in orgs}
    by_name = {o.name.strip().lower(): o.slug for o in orgs}
    for org in made_orgs:
        org.parent = resolve_organisation(org.parent, slugs, by_name)
        if org.parent == org.slug:
            org.parent = None
    for svc in made_services:
        svc.organisation = resolve_organisation(svc.organisation, slugs, by_name)
    content = Content(orgs, services, load_pages(config, problems), unchecked, unread)
    check_references(config, content, problems)
    return content
