"""Benchmarking against like authorities: services compared by LGSL code with peers' published figures.

A peer is another council's ``services.csv``, the open-data file this product
publishes (see generator.opendata), read from the data folder or fetched from
a URL (cached, so a build still works offline with the last copy). A site that
hosts several councils (top-level organisations) compares their services with
each other the same way.

A peer's figures are worked out from its per-period rows as this site's own
cards are: each of digital take-up, cost per transaction, completion rate and
user satisfaction is its value in the latest period that has one, and
transactions per year is the sum over the 12 months ending with the latest
period that has transactions (only when those periods cover a whole year).
A KPI its ``not_requested`` column marks as not collected is "not requested",
as its own card says, and not a missing figure.

Ranks and quartiles are over every council with a value, this one included:
rank 1 is the best (lowest cost, highest take-up, completion and
satisfaction; most transactions is simply first), figures shown alike (74.98% and
75.0%, both 75.0%) share the best rank,
and the median and quartiles are ``statistics.quantiles(values, n=4,
method="inclusive")``, which a reader can reproduce by hand.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import statistics
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from generator import model as m
from generator.errors import Problems
from generator.figures import as_shown
from generator.paths import outside_the_folder
from generator.periods import Period

REQUIRED = ("service", "service_name", "lgsl", "period", "period_start", "period_end", "transactions",
            "digital_take_up", "cost_per_transaction", "completion_rate", "user_satisfaction")
PERIOD_KPIS = {m.DIGITAL_TAKE_UP: "digital_take_up", m.COST_PER_TRANSACTION: "cost_per_transaction",
               m.COMPLETION_RATE: "completion_rate", m.USER_SATISFACTION: "user_satisfaction"}
COMPLETE_YEAR_DAYS = 350  # about 11.5 months, as the site's own yearly figures need
TIMEOUT = 10  # seconds to wait for a peer's file


@dataclass
class PeerService:
    """One service of one peer council, with its figures as a card would show them."""

    council: str
    site: str | None
    name: str
    lgsl: str
    figures: dict[str, float | None]  # KPI key -> value
    labels: dict[str, str | None] = field(default_factory=dict)  # KPI key -> period the value is for
    url: str | None = None  # site-relative page of a service on this same site (several councils)
    not_requested: frozenset = frozenset()  # KPI keys it does not collect: "not requested", not "no data"
    estimated: frozenset = frozenset()  # KPI keys whose value is an estimate (cost from unit costs)
    ends: dict[str, date] = field(default_factory=dict)  # KPI key -> the day the value's period ends


@dataclass
class Ranked:
    council: str
    service: str
    value: float
    rank: int
    own: bool
    site: str | None = None
    url: str | None = None
    period: str | None = None  # the period the value is for


@dataclass
class Comparison:
    """One KPI of one service against the same LGSL service elsewhere."""

    kpi: m.KpiInfo
    rank: int | None  # this council's rank, None if it has no value
    of: int  # councils with a value
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    ranked: list[Ranked]
    own_estimate: bool = False  # this council's figure is an estimate, so not ranked against published ones


def _number(text: str, path, line: int, column: int, problems: Problems) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        problems.error(path, f"'{text}' is not a number", line, column,
                       hint="a peer's services.csv is read as this product writes it: plain numbers, blank if none")
        return None


def read_peer_csv(body: bytes, path, council: str, site: str | None, problems: Problems) -> list[PeerService]:
    """A peer's services with LGSL codes and their figures; problems located at path:line:column."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.error(path, "not UTF-8 text", hint="a services.csv from this product is UTF-8")
        return []
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        problems.error(path, "the file is empty", hint="it should be a services.csv published by a peer's site")
        return []
    header = [h.strip() for h in rows[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        problems.error(path, f"missing column(s): {', '.join(missing)}", 1,
                       hint="give the services.csv from a peer's Performance Pages site (data/services.csv)")
        return []
    col = {name: header.index(name) for name in header}
    marks = col.get("not_requested")  # optional: files from before it was published have none
    estimated = col.get("cost_estimated")  # optional too: a file without it has its costs as published
    by_service: dict[str, list[dict]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            problems.error(path, f"the row has {len(row)} cells, not {len(header)}", line)
            continue
        try:
            start = date.fromisoformat(row[col["period_start"]].strip())
            end = date.fromisoformat(row[col["period_end"]].strip())
        except ValueError:
            problems.error(path, "period_start and period_end must be dates such as 2025-04-01", line,
                           col["period_start"] + 1)
            continue
        # Named from its dates as this site names its own ("March 2025"), not as its key cell ("2025-03").
        record = {"start": start, "end": end, "label": Period(start, end, "range").label if start <= end
                  else row[col["period"]].strip(),
                  "name": row[col["service_name"]].strip(), "lgsl": row[col["lgsl"]].strip()}
        for name in ("transactions", *PERIOD_KPIS.values()):
            record[name] = _number(row[col[name]], path, line, col[name] + 1, problems)
        record["not_requested"] = set(row[marks].split()) if marks is not None else set()
        record["cost_estimated"] = estimated is not None and row[estimated].strip().lower() == "true"
        by_service.setdefault(row[col["service"]].strip(), []).append(record)
    out = []
    for records in by_service.values():
        records.sort(key=lambda r: r["start"])
        lgsl = next((r["lgsl"] for r in reversed(records) if r["lgsl"]), "")
        if not lgsl:
            continue
        figures, labels, ends, estimated = _figures(records)
        out.append(PeerService(council, site, records[-1]["name"], lgsl_key(lgsl), figures, labels,
                               not_requested=_not_requested(records, figures), estimated=estimated, ends=ends))
    return out


def _figures(records: list[dict]) -> tuple[dict, dict, dict, frozenset]:
    """(figures, the periods they are for, the days those end, which are estimates) of a peer's service."""
    figures: dict[str, float | None] = {}
    labels: dict[str, str | None] = {}
    ends: dict[str, date] = {}
    estimated = set()
    for kpi, column in PERIOD_KPIS.items():
        latest = next((r for r in reversed(records) if r[column] is not None), None)
        figures[kpi] = latest[column] if latest else None
        labels[kpi] = latest["label"] if latest else None
        if latest:
            ends[kpi] = latest["end"]
            if kpi == m.COST_PER_TRANSACTION and latest["cost_estimated"]:
                estimated.add(kpi)
    with_tx = [r for r in records if r["transactions"] is not None]
    figures[m.TRANSACTIONS_PER_YEAR], labels[m.TRANSACTIONS_PER_YEAR] = None, None
    if with_tx:
        end = with_tx[-1]["end"]
        start = _year_start(end)
        window = [r for r in with_tx if r["start"] >= start]
        covered = sum((r["end"] - r["start"]).days + 1 for r in window)
        if covered >= COMPLETE_YEAR_DAYS:
            figures[m.TRANSACTIONS_PER_YEAR] = sum(r["transactions"] for r in window)
            labels[m.TRANSACTIONS_PER_YEAR] = Period(start, end, "range").label  # as this site's own year is named
            ends[m.TRANSACTIONS_PER_YEAR] = end
    return figures, labels, ends, frozenset(estimated)


def _not_requested(records: list[dict], figures: dict) -> frozenset:
    """The KPIs a peer's cards would call "not requested": marked so in every period (the service
    does not collect it), or marked in some period and given in none, as this site's own cards
    decide. Without this a peer's deliberate gap would read as a missing figure."""
    out = set()
    for kpi in figures:
        marked = [kpi in r["not_requested"] for r in records]
        if all(marked) or (any(marked) and figures[kpi] is None):
            out.add(kpi)
    return frozenset(out)


def _year_start(end: date) -> date:
    nxt = end + timedelta(days=1)
    try:
        return nxt.replace(year=nxt.year - 1)
    except ValueError:
        return nxt.replace(year=nxt.year - 1, day=28)


def lgsl_key(value) -> str:
    """LGSL codes compare as numbers written without leading zeros ('0057' is 57; full-width '５７'
    too). The one rule for the comparisons and for what the incremental build's keys cover
    (assemble.shared_lgsl_across_councils): two rules had let a page compare with a service its key
    did not cover. isdecimal, not isdigit: '5²' is a digit to Python but not a number int() reads."""
    text = str(value).strip()
    return str(int(text)) if text.isdecimal() else text


def _cached(url: str, cache_dir: Path) -> Path:
    return Path(cache_dir) / "peers" / f"{hashlib.sha256(url.encode()).hexdigest()[:24]}.csv"


def fetch(url: str, cache_dir: Path, problems: Problems, where: tuple, config_path) -> bytes | None:
    """A peer's file from ``url``; the cached copy (with a warning) if the fetch fails. The copy is
    kept by ``keep_copy`` once the file has been read (_read_peer), so a fetched file with a bad cell
    does not replace the last good one (a tester's build then failed offline too)."""
    cached = _cached(url, cache_dir)
    if not url.startswith(("http://", "https://")):
        problems.error(config_path, f"peer url '{url}' is not an http or https address", *where,
                       hint="give the address of its data/services.csv, or a file: under the data folder")
        return None
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (http(s) only, checked)
            body = response.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if cached.is_file():
            changed = datetime.fromtimestamp(cached.stat().st_mtime)
            when = f"{changed.day} {changed:%B %Y}"  # '2 December 2026', not '02
            problems.warning(config_path, f"cannot fetch {url} ({reason}); using the copy fetched on {when}",
                             *where, hint="check the address; the comparison may be out of date")
            return cached.read_bytes()
        problems.error(config_path, f"cannot fetch {url}: {reason}", *where,
                       hint="check the address, or download the file into the data folder and give file: instead")
        return None
    return body


def keep_copy(url: str, cache_dir: Path, body: bytes) -> None:
    """Keep a peer's fetched file for a build that cannot fetch it (see _read_peer for which)."""
    cached = _cached(url, cache_dir)
    if cached.is_file() and cached.read_bytes() == body:
        return
    cached.parent.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(body)
    temporary.replace(cached)


def _read_peer(body: bytes, peer, config, problems: Problems, where: tuple) -> list[PeerService]:
    """A peer's services. A problem in a cell or row of its file (another council's published file,
    'n/a' for a cost) is a warning and that value is left out: it had stopped this council's site
    from publishing. A file none of which can be read (missing columns, not text: the wrong file
    named, or a web page served in its place) is still an error. A fetched file with problems gives
    way to the copy kept from an earlier build if that had none, or if nothing of the new one can
    be read; else the new one is kept (unless unreadable), so that a build that cannot fetch it
    later still has it (two reviews). ``where``: the peer's place in config.yaml."""
    shown = peer.url or (config.data_dir / peer.file).resolve()
    found = Problems(root=problems.root)
    services = read_peer_csv(body, shown, peer.name, peer.site, found)
    unreadable = bool(found.errors) and not services  # nothing of the file could be read
    if peer.url and found.items:
        kept = _cached(peer.url, config.cache_dir)
        earlier = kept.read_bytes() if kept.is_file() else None
        older = Problems(root=problems.root)
        kept_services = read_peer_csv(earlier, shown, peer.name, peer.site, older) if earlier is not None else []
        # The kept copy, if it had no problem, or if what came now cannot be read at all (a web page
        # served in its place): such a page had replaced a copy that could be read (a review).
        if earlier is not None and earlier != body and kept_services and (not older.items or unreadable):
            first = found.items[0]
            problems.warning(config.path, f"the file fetched from {peer.url} has problems ({first.location()}: "
                             f"{first.message}); using the copy kept from an earlier build", *where,
                             hint="the figures compared may be out of date; tell the council that publishes it")
            return kept_services
    if peer.url and not unreadable:
        keep_copy(peer.url, config.cache_dir, body)
    if unreadable:
        for problem in found.items:
            problems._add(problem)
        return services
    for problem in found.items:
        problems.warning(problem.path, f"{problem.message} (in {peer.name}'s figures, which leave it out)",
                         problem.line, problem.column,
                         hint=(problem.hint + "; " if problem.hint else "") + "the comparison uses the rest of "
                              "the file: tell the council that publishes it")
    return services


def compare(kpi: m.KpiInfo, own_council: str, own_service: str, own: m.Figure,
            others: list[PeerService]) -> Comparison | None:
    """This council's figure against the others' (see the module docstring for ranks and quartiles).
    An estimated cost (worked out from typical costs per channel) is not ranked against costs a
    council published, its own or a peer's: the methodology says an estimate is never compared with
    a real cost, and a tester's estimate of £1.73 had been ranked '4 of 4' against three published."""
    own_estimate = own.value is not None and own.estimated
    entries = [(own_council, own_service, own.value, True, None, None, own.period_label)]         if own.value is not None and not own_estimate else []
    entries += [(p.council, p.name, p.figures[kpi.key], False, p.site, p.url, p.labels.get(kpi.key))
                for p in others if p.figures.get(kpi.key) is not None and kpi.key not in p.estimated]
    if not others or len(entries) < 2:
        return None
    descending = kpi.higher_is_better is not False  # cost: lowest first; everything else highest first
    # Ranked by the figures as shown: a tester's 74.98% and a peer's 75.0, both shown 75.0%, had been
    # ranked 3 and 2 (changes are worked out from the figures as shown too).
    shown = {id(e): as_shown(e[2], kpi.unit) for e in entries}
    entries.sort(key=lambda e: (-shown[id(e)] if descending else shown[id(e)], e[0]))
    ranked = []
    for index, entry in enumerate(entries):
        council, service, value, is_own, site, url, period = entry
        same = next((r.rank for r, other in zip(ranked, entries) if shown[id(other)] == shown[id(entry)]), None)
        ranked.append(Ranked(council, service, value, same or index + 1, is_own, site, url, period))
    values = [e[2] for e in entries]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    rank = next((r.rank for r in ranked if r.own), None)
    return Comparison(kpi, rank, len(values), median, q1, q3, ranked, own_estimate)


def load_peers(config, problems: Problems) -> tuple[list[PeerService], str]:
    """Every peer's services, and a digest of what was read (so pages showing them are rebuilt
    when a peer's figures change)."""
    services: list[PeerService] = []
    digest = hashlib.sha256()
    for peer in config.peers:
        where = config.positions.at(("peers", peer.index)) if config.positions else (None, None)
        if peer.file:
            path = (config.data_dir / peer.file).resolve()
            if not path.is_relative_to(config.data_dir.resolve()):
                says, hint = outside_the_folder(config.data_dir, peer.file, "peer file")
                problems.error(config.path, says, *where, hint=hint)
                continue
            try:
                body = path.read_bytes()
            except OSError as exc:
                problems.error(config.path, f"cannot read peer file {peer.file}: {exc.strerror}", *where,
                               hint="check the path, which is relative to the data folder")
                continue
        else:
            body = fetch(peer.url, config.cache_dir, problems, where, config.path)
            if body is None:
                continue
        digest.update(peer.name.encode() + b"\0" + body)
        services += _read_peer(body, peer, config, problems, where)
    return services, digest.hexdigest() if config.peers else ""


def service_comparisons(site_services: list[m.ServiceView], kpis: list[m.KpiInfo], own_council,
                        peers: list[PeerService]) -> None:
    """Fill ``comparisons`` on every service with an LGSL code that a peer (or another council on this
    site) also runs. ``own_council`` maps a service to the council it belongs to."""
    councils = {own_council(s) for s in site_services}
    internal = []
    if len(councils) > 1:  # several councils on one site: each is a peer of the others
        internal = [PeerService(own_council(s), None, s.name, lgsl_key(s.lgsl),
                                {k.key: s.kpis[k.key].value for k in kpis},
                                {k.key: s.kpis[k.key].period_label for k in kpis}, s.url,
                                frozenset(k.key for k in kpis if s.kpis[k.key].status == m.NOT_REQUESTED),
                                frozenset(k.key for k in kpis if s.kpis[k.key].estimated),
                                {k.key: s.latest_end for k in kpis if s.kpis[k.key].value is not None})
                    for s in site_services if s.lgsl not in (None, "")]
    by_lgsl: dict[str, list[PeerService]] = {}
    for p in [*peers, *internal]:
        by_lgsl.setdefault(p.lgsl, []).append(p)
    for service in site_services:
        if service.lgsl in (None, ""):
            continue
        council = own_council(service)
        others = [p for p in by_lgsl.get(lgsl_key(service.lgsl), []) if p.council != council]
        if not others:
            continue
        found = [compare(k, council, service.name, service.kpis[k.key], others) for k in kpis]
        service.comparisons = [c for c in found if c is not None]
        service.peer_services = sorted(others, key=lambda p: (p.council, p.name))
        service.dated_peers = _dated(others, service.latest_end)
        cost = m.COST_PER_TRANSACTION
        service.unranked_estimates = ([council] if service.kpis[cost].value is not None and service.kpis[cost].estimated
                                      else []) + sorted({p.council for p in others if p.figures.get(cost) is not None
                                                         and cost in p.estimated})


def _dated(others: list[PeerService], own_end: date | None) -> list[str]:
    """The councils whose latest figures end a year or more before this service's latest data: the
    page says so beside the ranks. The example site's peers' figures were for March 2025, set beside
    its own for September 2026 without a word (a tester)."""
    if own_end is None:
        return []
    cutoff = own_end.replace(day=1) - timedelta(days=334)  # about 11 months before the month ends: a year behind
    return sorted({p.council for p in others if p.ends and max(p.ends.values()) < cutoff})
