"""The typed schema of ``config.yaml`` and the typed site configuration it yields."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

from generator.errors import Problems
from generator.measures import FIELDS, MEASURES
from generator.schema import Field, Schema
from generator.sources import SOURCE_SCHEMA, Source, validate_source
from generator.yamlfile import load_yaml

# Currencies by code, with the symbol pages write (Australian, Canadian and New Zealand sites write
# their dollars "$", as their own governments do; the data package names the code).
CURRENCIES = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "$", "CAD": "$", "NZD": "$"}

CHANNEL_SCHEMA = Schema(
    "a channel",
    [
        Field("id", "ident", "Short identifier used in the CSV `channel` column, e.g. online.", required=True),
        Field("label", "str", "Name shown on the site, e.g. Face to face.", required=True),
        Field("digital", "bool", "Whether transactions through this channel count as digital.", default=False),
        Field("unit_cost", "number",
              "Typical cost of one transaction through this channel, used to estimate cost per "
              "transaction for services that publish no cost data.", minimum=0),
        Field("aliases", "list", "Other spellings of this channel in CSV files (e.g. 'Face-to-face').",
              default=[], item=Field("alias", "str", "An alternative spelling.")),
    ],
)

CHARTS_SCHEMA = Schema(
    "charts",
    [
        Field("static_svg", "bool", "Draw every chart as an SVG at build time, so it shows without "
              "JavaScript.", default=True),
        Field("interactive", "bool", "With JavaScript on, swap in the interactive chart (tooltips), "
              "using the self-hosted Vega runtime.", default=True),
        Field("static_renderer", "str", "How static SVGs are drawn: builtin (drawn in Python, about a "
              "millisecond a chart) or vl-convert (by the Vega runtime itself, about 45 ms a chart, so "
              "minutes for a site of hundreds of services).", default="builtin",
              choices=("builtin", "vl-convert")),
    ],
)

MEASURE_UNITS = ("count", "percent", "money", "seconds", "number")
MEASURE_SCHEMA = Schema(
    "a measure",
    [
        Field("id", "ident", "The column name in data files, e.g. calls_offered.", required=True),
        Field("label", "str", "Name shown on the site, e.g. Calls offered.", required=True),
        Field("unit", "str", "count, percent, money (in the site's currency), seconds or number.",
              default="number", choices=MEASURE_UNITS),
        Field("higher_is_better", "bool", "Whether a rise is an improvement (leave out if neither)."),
        Field("over_time", "str", "How a year's figure is made from its periods: sum (counts, money), "
              "mean (rates, averages) or latest.", choices=("sum", "mean", "latest")),
        Field("across_services", "str", "How an organisation's figure is made from its services: sum, "
              "mean, or none (not combined).", choices=("sum", "mean", "none")),
        Field("weighted_by", "ident", "For a mean: the measure to weight it by, e.g. calls_offered for "
              "an abandonment rate."),
        Field("description", "str", "One sentence saying what the measure counts, shown on the page."),
    ],
)

PEER_SCHEMA = Schema(
    "a peer",
    [
        Field("name", "str", "The peer council's name, e.g. Northtown Borough Council.", required=True),
        Field("file", "str", "Its published services.csv, as a path under the data folder."),
        Field("url", "url", "Or the address of its published services.csv, fetched at build time and cached."),
        Field("site", "url", "Its performance site, linked from the comparison."),
    ],
)

ACCEPTED_WARNING_SCHEMA = Schema(
    title="accepted warning",
    fields=[
        Field("file", "str", "The file the warning names, e.g. data/calls.csv (or calls.csv); * stands for any "
              "text.", required=True),
        Field("message", "str", "Words from the warning's message, e.g. 'has no rows for April 2020'; * stands "
              "for any text.", required=True),
        Field("reason", "str", "Why the warning is accepted, for whoever reads config.yaml next.", required=True),
    ],
)

CONFIG_SCHEMA = Schema(
    "config.yaml",
    [
        Field("title", "str", "The site's title, shown in the header and page titles.", required=True),
        Field("organisation", "str", "Who publishes the site, e.g. Example Borough Council.", required=True),
        Field("base_url", "str", "Where the site will live, e.g. https://example.github.io/performance/ "
              "or / for the root of a domain.", default="/"),
        Field("language", "language", "Language of the pages (BCP 47 tag).", default="en-GB"),
        Field("currency", "str", "Currency of costs.", default="GBP", choices=tuple(CURRENCIES)),
        Field("financial_year_start", "int", "Month the financial year starts (4 = April).",
              default=4, minimum=1, maximum=12),
        Field("theme", "slug", "Theme folder under themes/.", default="default"),
        Field("phase_banner", "str", "Optional text for a banner under the header."),
        Field("footer_text", "str", "Optional text for the footer, e.g. the data licence."),
        Field("content_dir", "str", "Folder holding services/, organisations/ and pages/.", default="content"),
        Field("data_dir", "str", "Folder holding the CSV files.", default="data"),
        Field("channels", "list", "The channels services are used through. Defaults to online (digital), "
              "phone, face to face, post and email.", item=CHANNEL_SCHEMA),
        Field("not_requested", "list", "Cell texts in CSV files meaning a figure was deliberately not "
              "collected (shown as 'not requested', unlike a blank, which is 'no data').",
              default=["***"], item=Field("marker", "str", "Cell text, e.g. ***.")),
        Field("sources", "list", "How to read CSV files that are not in the tidy format: renames, "
              "encoding, wide layouts, and services generated from rows. See docs/bring-your-data.md.",
              default=[], item=SOURCE_SCHEMA),
        Field("measures", "list", "Measures beyond the built-in ones that services' data may carry "
              "(calls answered, complaints, income...): each gets KPI cards, charts, tables and downloads.",
              default=[], item=MEASURE_SCHEMA),
        Field("peers", "list", "Other councils to compare services with, by LGSL code: each publishes the "
              "services.csv this product writes (name, and file or url, and site).", default=[], item=PEER_SCHEMA),
        Field("accepted_warnings", "list", "Warnings you have checked and cannot fix at source (a month the "
              "export will always lack): --strict passes despite them, and an entry that matches no "
              "warning is itself a warning.", default=[], item=ACCEPTED_WARNING_SCHEMA),
        Field("charts", "object", "How charts are drawn.", item=CHARTS_SCHEMA,
              default={"static_svg": True, "interactive": True, "static_renderer": "builtin"}),
    ],
    doc="Site configuration for Performance Pages.",
)


@dataclass(frozen=True)
class Channel:
    id: str
    label: str
    digital: bool
    unit_cost: float | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Measure:
    """A measure declared in config.yaml; see MEASURE_SCHEMA."""

    id: str
    label: str
    unit: str
    higher_is_better: bool | None
    over_time: str
    across_services: str
    weighted_by: str | None = None
    description: str | None = None
    weighted_by_label: str | None = None  # what pages call the weight: its label, not its id


@dataclass(frozen=True)
class Peer:
    """A peer council whose open data services are compared with (see generator.peers)."""

    name: str
    file: str | None
    url: str | None
    site: str | None
    index: int  # position in config.yaml's peers list, for messages


@dataclass(frozen=True)
class AcceptedWarning:
    """A warning config.yaml accepts (accepted_warnings:): see Problems.accept."""

    file: str
    message: str
    reason: str
    index: int  # position in config.yaml's list, for messages


@dataclass(frozen=True)
class Config:
    path: Path
    root: Path
    title: str
    organisation: str
    base_url: str
    base_path: str
    language: str
    currency: str
    currency_symbol: str
    financial_year_start: int
    theme: str
    phase_banner: str | None
    footer_text: str | None
    content_dir: Path
    data_dir: Path
    channels: tuple[Channel, ...]
    static_svg: bool = True
    interactive_charts: bool = True
    static_renderer: str = "builtin"
    not_requested: tuple[str, ...] = ("***",)
    sources: tuple[Source, ...] = ()
    measures: tuple[Measure, ...] = ()
    peers: tuple[Peer, ...] = ()
    accepted_warnings: tuple[AcceptedWarning, ...] = ()
    positions: object = None  # where each key of config.yaml was written (yamlfile.Positions)

    @property
    def measure_ids(self) -> tuple[str, ...]:
        """Every measure a data file may carry: the built-in ones, then those config.yaml declares."""
        return (*MEASURES, *(x.id for x in self.measures))

    @property
    def cache_dir(self) -> Path:
        return self.root / ".perfpages-cache"

    def channel_lookup(self) -> dict[str, str]:
        """Every accepted spelling of a channel (case-insensitive) to its id."""
        lookup = {}
        for ch in self.channels:
            for name in (ch.id, ch.label, *ch.aliases):
                lookup[normalise_channel(name)] = ch.id
        return lookup


DEFAULT_CHANNELS = (
    Channel("online", "Online", True, None),
    Channel("phone", "Phone", False, None),
    Channel("face_to_face", "Face to face", False, None, ("in person",)),
    Channel("post", "Post", False, None),
    Channel("email", "Email", False, None),
)


def normalise_channel(text: str) -> str:
    return "".join(c for c in str(text).lower() if c.isalnum())


def base_url_problem(base_url: str) -> str | None:
    """Why ``base_url`` cannot be where the site lives, or None. Without a scheme,
    'example.org/performance' would be read as a path (/example.org/performance/)."""
    if base_url.startswith("/") or urlparse(base_url).scheme in ("http", "https") and urlparse(base_url).netloc:
        return None
    return (f"base_url '{base_url}' is neither a full address (https://...) nor a path starting with /")


def base_path_of(base_url: str) -> str:
    """The site's path on its host, percent-encoded as a link needs it ('/repo%20name/' for a space;
    what is encoded already stays as it is)."""
    path = re.sub(r"/{2,}", "/", urlparse(base_url).path or "/")  # 'https://x.io/perf//' is /perf/
    path = quote(path, safe="/%:@!$&'()*+,;=~-._")
    if not path.endswith("/"):
        path += "/"
    return path if path.startswith("/") else "/" + path


# The banner `perfpages new` starts a site with: still there, it tells readers the figures are made up.
EXAMPLE_BANNER = "This is a new site. The figures are examples: replace them with your own."


def load_config(path: Path, problems: Problems) -> Config | None:
    """Load and validate config.yaml; returns None when it cannot be used at all."""
    path = Path(path)
    if not path.is_file():
        problems.error(path, "configuration file not found",
                       hint="run perfpages in the site's folder, or pass --config PATH")
        return None
    data, positions = load_yaml(path, problems)
    if data is None:
        return None
    before = len(problems.errors)
    values = CONFIG_SCHEMA.validate(data, positions, path, problems)
    channels = []
    seen: dict[str, int] = {}
    for index, ch in enumerate(values["channels"] or []):
        if not ch.get("id"):
            continue
        if ch["id"] in seen:
            line, col = positions.at(("channels", index, "id"))
            problems.error(path, f"channel '{ch['id']}' is defined twice", line, col,
                           hint="each channel id must be unique")
            continue
        seen[ch["id"]] = index
        channels.append(Channel(ch["id"], ch["label"] or ch["id"], bool(ch["digital"]),
                                ch["unit_cost"], tuple(ch["aliases"] or ())))
    if values["channels"] is None:
        channels = list(DEFAULT_CHANNELS)
    elif not channels and len(problems.errors) == before:
        line, col = positions.at(("channels",))
        problems.error(path, "at least one channel is needed", line, col,
                       hint="list channels with id, label and digital: true/false")
    measures = _measures(values["measures"] or [], path, positions, problems)
    measure_ids = (*MEASURES, *(x.id for x in measures))
    sources = []
    for index, raw in enumerate(values["sources"] or []):
        source = validate_source(raw, index, path, positions, problems, measure_ids)
        if source is not None:
            sources.append(source)
    files = [os.path.normpath(source.file) for source in sources]  # './x.csv' is x.csv
    for source, file in zip(sources, files):
        source.shared = files.count(file) > 1
        # What the file's other sources read as a wide heading's {measure}: not a slip in this one's
        # ('ebooks' beside 'books', a source per measure, had been an error in each; a tester's).
        source.others_measures = frozenset(
            str(text).strip().lower() for other, name in zip(sources, files) if name == file and other is not source
            for text in ((other.values.get("wide") or {}).get("measures") or {}))
    ids: dict[str, int] = {}
    for source in sources:
        if source.id in ids:
            written = source.values.get("id") is not None
            # Without id:, a source's id is its file's name: two readings of one file had been told of
            # an id nobody wrote (a tester's).
            problems.error(path, f"two sources have the id '{source.id}'" + ("" if written else
                           f" (a source without id: takes its file's name, {source.file})"), *source.where("id"),
                           hint="give each source its own id:, and name it in the services that read it "
                                "(data: {source: <id>})")
        ids[source.id] = source.index
    if values["base_url"] is not None and base_url_problem(values["base_url"]):
        problems.error(path, base_url_problem(values["base_url"]), *positions.at(("base_url",)),
                       hint="e.g. base_url: https://your-org.github.io/performance/ or base_url: /")
    accepted = _accepted_warnings(values["accepted_warnings"] or [], path, positions, problems)
    if values["phase_banner"] is not None and values["phase_banner"].strip() == EXAMPLE_BANNER:
        problems.warning(path, "phase_banner still says the figures are examples", *positions.at(("phase_banner",)),
                         hint="once your own figures are in, change phase_banner: or remove it")
    if len(problems.errors) > before:
        return None
    root = path.resolve().parent
    return Config(
        path=path,
        root=root,
        title=values["title"],
        organisation=values["organisation"],
        base_url=values["base_url"],
        base_path=base_path_of(values["base_url"]),
        language=values["language"],
        currency=values["currency"],
        currency_symbol=CURRENCIES[values["currency"]],
        financial_year_start=values["financial_year_start"],
        theme=values["theme"],
        phase_banner=values["phase_banner"],
        footer_text=values["footer_text"],
        content_dir=root / values["content_dir"],
        data_dir=root / values["data_dir"],
        channels=tuple(channels),
        static_svg=values["charts"]["static_svg"],
        interactive_charts=values["charts"]["interactive"],
        static_renderer=values["charts"].get("static_renderer", "builtin"),
        not_requested=tuple(str(x).strip() for x in values["not_requested"] or ()),
        sources=tuple(sources),
        measures=tuple(measures),
        peers=tuple(_peers(values["peers"] or [], path, positions, problems)),
        accepted_warnings=accepted,
        positions=positions,
    )


def _peers(items: list[dict], path, positions, problems: Problems) -> list[Peer]:
    out = []
    for index, item in enumerate(items):
        if bool(item.get("file")) == bool(item.get("url")):
            problems.error(path, f"peer '{item.get('name')}' needs either file: or url:, not both or neither",
                           *positions.at(("peers", index)),
                           hint="file: is under the data folder, e.g. peers/northtown-services.csv; "
                           "url: is fetched at build time")
            continue
        out.append(Peer(item["name"], item.get("file"), item.get("url"), item.get("site"), index))
    return out


def _accepted_warnings(items: list[dict], path, positions, problems: Problems) -> tuple[AcceptedWarning, ...]:
    """The warnings config.yaml accepts; each says which, and why, in words (a blank is an error: an
    empty message would accept every warning about the file, and an empty reason explains nothing)."""
    out = []
    for index, item in enumerate(items):
        blank = [key for key in ("file", "message", "reason") if key in item and not str(item[key] or "").strip()]
        for key in blank:
            problems.error(path, f"'{key}' of an accepted warning is blank", *positions.at(("accepted_warnings", index, key)),
                           hint=ACCEPTED_WARNING_SCHEMA.fields[("file", "message", "reason").index(key)].doc)
        if not blank and all(item.get(key) for key in ("file", "message", "reason")):
            out.append(AcceptedWarning(str(item["file"]).strip(), str(item["message"]).strip(),
                                       str(item["reason"]).strip(), index))
    return tuple(out)


def _measures(items: list[dict], path, positions, problems: Problems) -> list[Measure]:
    """Declared measures, checked: ids unique and not a built-in field, weights that exist."""
    out: list[Measure] = []
    declared = {item.get("id") for item in items}
    labels = {item.get("id"): item.get("label") or item.get("id") for item in items}
    for index, item in enumerate(items):
        where = ("measures", index)
        if not item.get("id"):
            continue
        if item["id"] in FIELDS:
            problems.error(path, f"'{item['id']}' is a built-in field, not a new measure",
                           *positions.at(where + ("id",)), hint="give the measure another id, or leave it out")
            continue
        if any(x.id == item["id"] for x in out):
            problems.error(path, f"measure '{item['id']}' is declared twice", *positions.at(where + ("id",)),
                           hint="each measure id must be unique")
            continue
        unit = item["unit"]
        additive = unit in ("count", "money")
        over_time = item["over_time"] or ("sum" if additive else "mean")
        across = item["across_services"] or ("none" if over_time == "latest" else over_time)
        weight = item["weighted_by"]
        if weight and weight not in declared and weight not in ("transactions", "started", "completed"):
            problems.error(path, f"measure '{item['id']}' is weighted by '{weight}', which is not a measure",
                           *positions.at(where + ("weighted_by",)),
                           hint="name a declared measure, or transactions, started or completed")
            weight = None
        out.append(Measure(item["id"], item["label"] or item["id"], unit, item["higher_is_better"], over_time,
                           across, weight, item["description"],
                           labels.get(weight) or weight.replace("_", " ") if weight else None))
    return out


def source_of(config: Config, ref) -> Source | None:
    """The ``sources:`` entry a service's data reference reads through (by id, or by file), if any."""
    for source in config.sources:
        if (ref.source and source.id == ref.source) or (not ref.source and source.file == ref.file):
            return source
    return None
