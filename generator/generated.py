"""Services and organisations made from a data source's rows, so a 700-row spreadsheet needs no YAML files.

A source's ``services:`` block makes one service per distinct service key,
with each detail (name, organisation, web page...) from the latest row that
has that key and fills it in (latest by the row's period, else the first row
in the file), and its web address from the earliest, so that it stays put;
its ``organisations:`` list makes organisations level by level (department,
then agency), likewise. Each generated item remembers the CSV line it came
from, so any problem with it is reported there. A YAML file with the same slug overrides a
generated service, for adding targets or notes to one of hundreds.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import Problems
from generator.paths import (is_pattern, linked_out_message, links_out, matching, missing_file_hint,
                             outside_the_folder, resolved)
from generator.schema import slugify
from generator.periods import Period, PeriodError, parse_period
from generator.sources import (Source, _field_spec, _Resolver, detail_rows, headings_of, looks_like_a_total,
                               looks_national, select_rows, template_values)
from generator.yamlfile import Positions, yaml_scalar

if TYPE_CHECKING:  # frames come from raw_files, which imports pandas to read a file (see generator.figures)
    import pandas as pd



def row_positions(line: int) -> Positions:
    """Positions for an item made from a CSV row: every key points at that row's line."""
    return Positions(marks={(): (int(line), None)})


def _text(template, row: dict) -> str | None:
    if template is None:
        return None
    value = template.render_row(row)
    return value or None


def row_order(source: Source, frame: pd.DataFrame, fy_start_month: int) -> pd.Series | None:
    """Each row's period as a number that grows with time (NaN where it cannot be read), so that
    an item's details come from its latest row: a yearly export lists its oldest year first, and
    a service renamed since had kept its old name, and lost the web address only later years
    give (a tester's 'PR Card Renewals & Replacements'). None where rows have no period of their
    own (periods across the columns)."""
    spec = _field_spec("period", source, _Resolver(headings_of(frame), frame.columns), Problems())
    if spec is None or spec[0] not in ("column", "template"):
        return None
    texts = frame[spec[1]].astype(str) if spec[0] == "column" else spec[1].render(frame)
    fixes = {str(k).strip(): str(v) for k, v in (source.values["replace"].get("period") or {}).items()}
    if fixes:  # a year's typo put right ('2103-04' for '2013-04') is not the latest row
        texts = texts.str.strip().map(fixes).fillna(texts)

    def starts(financial_years: bool) -> dict[str, Period | None]:
        read = {}
        for text in texts.unique():
            try:
                read[text] = parse_period(text, fy_start_month, financial_years)
            except PeriodError:
                read[text] = None
        return read

    read = starts(False)
    if any(p is not None and p.kind == "financial_year" for p in read.values()):
        read = starts(True)  # '2010-11' among '2012-13': a financial year, not November 2010
    return texts.map({text: p.start.toordinal() if p else float("nan") for text, p in read.items()})


def _organisations(source: Source, frame: pd.DataFrame, path: Path, problems: Problems, taken: set[str],
                   order: pd.Series | None = None):
    from generator.content import Organisation

    made = []
    named: dict[str, tuple[str, int, Path]] = {}  # slug -> the name it was made with, its line and file
    told: set[tuple[str, str]] = set()
    for level, block in enumerate(source.values["organisations"]):
        templates = template_values(frame, block, source, ("organisations", level), problems)
        if templates is None:
            continue
        names = templates["name"].render(frame)
        details = detail_rows(frame, names, order, fill=_columns_read(templates))
        read = [c for c in dict.fromkeys(["@line", "@file", *_columns_read(templates)]) if c in details]
        for row in details[read].to_dict("records"):  # the columns read, as for services (_services)
            name = _text(templates["name"], row)
            slug = slugify(_text(templates.get("slug"), row) or name or "")
            here = Path(row["@file"]) if row.get("@file") else path  # a pattern's files: the row's own
            if name and slug in named and named[slug][0] != name and (slug, name) not in told \
                    and templates.get("slug") is None:  # (slugs from a column of codes are chosen: a renamed one)
                # 'Department for Culture Media and Sport' made one with '..., Media and Sport' without
                # a word (a tester): the same, most likely, but said, as another would be lost in it.
                first, line, there = named[slug]
                line = f"{line}" + ("" if there == here else f" of {there.name}")  # a pattern's other file
                problems.warning(here, f"organisation '{name}' is taken to be '{first}' (line {line}): both make "
                                 f"the web address organisations/{slug}/", row["@line"],
                                 hint="if they are one organisation, write its name one way (or with replace: in "
                                      "the source); if not, give one a slug: of its own")
                told.add((slug, name))  # once for each other spelling
            if not name or not slug or slug in taken:
                continue  # the same organisation again, perhaps at another level
            if looks_like_a_total(name):
                taken.add(slug)  # warned about once
                problems.warning(here, f"organisation '{name}' looks like a total row's, not an organisation, "
                                 "so it is left out", row["@line"],
                                 hint="say so with exclude: in the source; if it is a real organisation, rename it")
                continue
            if looks_national(name):
                column = templates["name"].columns[0] if len(templates["name"].columns) == 1 else None
                problems.warning(here, f"organisation '{name}' looks like a whole country's or an average's row, "
                                 "not an organisation's: it is published as one, and its figures are added into "
                                 "the site's totals with the others'", row["@line"],
                                 hint="leave its rows out with exclude: "
                                      + (f"{{{yaml_scalar(column)}: {yaml_scalar(row[column])}}} " if column else "")
                                      + "in the source; if it is an organisation, accept this warning under "
                                      "accepted_warnings: in config.yaml")
            taken.add(slug)
            named[slug] = (name, row["@line"], here)
            made.append(Organisation(
                slug, name, _text(templates.get("kind"), row), _text(templates.get("parent"), row),
                _text(templates.get("description"), row), _text(templates.get("url"), row),
                here, row_positions(row["@line"])))
    return made


def _services(source: Source, frame: pd.DataFrame, path: Path, problems: Problems, taken: set[str],
              earlier: dict | None = None, order: pd.Series | None = None):
    """Services made from the rows. One that another source has made already (same web address,
    name and organisation: one source reads every request, another those closed on time) gets this
    source's rows as a second data reference, rather than becoming a second service."""
    from generator.content import DataRef

    earlier = {} if earlier is None else earlier

    block = source.values["services"]
    resolver = _Resolver(headings_of(frame), frame.columns)
    spec = _field_spec("service", source, resolver, problems)
    if spec is None or spec[0] not in ("column", "template"):
        if spec is None:
            problems.error(source.config_path, "services: needs to know which column names the service",
                           *source.where("services"),
                           hint="add  columns: {service: <the heading of the service name column>}")
        return []
    keys = frame[spec[1]].astype(str).str.strip() if spec[0] == "column" else spec[1].render(frame)
    # replace: {service: ...} corrects the key before services are made from it, as it does before
    # the rows are read: 'Hmrc' written for 'HMRC' in some rows had still made a second, empty service.
    fixes = {str(k).strip(): str(v) for k, v in (source.values["replace"].get("service") or {}).items()}
    if fixes:
        keys = keys.map(fixes).fillna(keys)
        if spec[0] == "column":  # and in the column, so that a name made from it ('{Body}') is corrected too
            frame = frame.assign(**{spec[1]: keys})
    templates = template_values(frame, block, source, ("services",), problems)
    if templates is None:
        return []
    organisation = templates.get("organisation")
    org_names = organisation.render(frame).str.strip() if organisation is not None and organisation.columns else None
    _warn_of_keys_in_two_organisations(frame, keys, org_names, organisation, spec, path, problems)
    made = []
    shared_keys: dict[str, list] = {}  # another source's id -> (key, slug given, file, line) of keys it made too
    folder = path
    within = _slugs_of(org_names) if org_names is not None else None
    # The web address from the key's earliest row: a slug made from a name that has changed since
    # stays where it was published (and a YAML file overriding it still applies).
    slugs = _first_texts(frame, keys, templates.get("slug"), order)
    earlier_by_key: dict[str, list] = {}
    for other in earlier.values():
        for ref in other.data:
            if ref.key:
                earlier_by_key.setdefault(ref.key, []).append(other)
    details = detail_rows(frame, keys, order, fill=_columns_read(templates), within=within)
    # Each row as a dict of the columns the templates read (boxing every cell of a wide file's 70
    # columns was half of making the Transactions Explorer's services); a whole row only for a note.
    read = [c for c in dict.fromkeys(["@key", "@line", "@file", *_columns_read(templates)]) if c in details]
    for index, row in enumerate(details[read].to_dict("records")):
        key = row["@key"]
        line = int(row["@line"])
        path = Path(row["@file"]) if row.get("@file") else folder  # a pattern's files: the row's own
        name = _text(templates["name"], row)
        if not name:
            problems.warning(path, f"service '{key}' has no name in this row, so it is left out", line,
                             hint="fill in the name column, or change services: name:")
            continue
        if _NOTE.search(key) and _a_note(details.iloc[[index]].to_dict("records")[0], key):
            problems.warning(path, f"row is not read: it has no figures, and '{key}' looks like a note or a "
                             "footer, not a service", line,
                             hint="drop such rows with exclude: in the file's source to silence this")
            continue
        if looks_like_a_total(key) or looks_like_a_total(name):
            problems.warning(path, f"'{name}' looks like a total row, not a service, so it is left out "
                             "(its figures would be counted twice)", line,
                             hint=f"say so with exclude: {{{_heading(spec)}: '{key}'}} in the source; "
                             "if it is a real service, rename it")
            continue
        if looks_national(key) or looks_national(name):
            problems.warning(path, f"service '{name}' looks like a whole country's or an average's row, not a "
                             "service's: it is published as one, and its figures are added into the site's totals "
                             "with the others'", line,
                             hint=f"leave its rows out with exclude: {{{_heading(spec)}: {yaml_scalar(key)}}} in the source; if "
                                  "it is a service, accept this warning under accepted_warnings: in config.yaml")
        slug = slugify(slugs.get(key) or key)
        if not slug:
            problems.error(path, f"cannot make a web address from '{key}'", line,
                           hint="set services: slug: to a column with letters or digits")
            continue
        organisation = _text(templates["organisation"], row) or ""
        # The same service made by another source: its key's earlier service first, whatever its slug
        # (a numbered one). A second source had made 'BOS Other' again, as other-3 beside the first's
        # other-2, and counted it twice (a tester's, following the hint); else the slug's.
        same = next((other for other in earlier_by_key.get(key, ()) if other.name == name
                     and other.organisation == organisation), None) or earlier.get(slug)
        if same is not None and same.name == name and same.organisation == organisation \
                and all(ref.source != source.id for ref in same.data):
            same.data = (*same.data, DataRef(source.file, key, source.id, generated=True))
            continue
        if slug in taken:
            n = 2
            while f"{slug}-{n}" in taken:
                n += 1
            other = earlier.get(slug) or next((m for m in made if m.slug == slug), None)
            other_key = next((ref.key for ref in other.data if ref.key), other.name) if other is not None else ""
            by = next((ref.source for ref in other.data if ref.source), None) if other is not None else None
            if other_key == key and by not in (None, source.id):  # one key column, two sources: told once, below
                shared_keys.setdefault(by, []).append((key, f"{slug}-{n}", path, line))
            else:
                alike = other is not None and slugify(other_key) == slugify(key)
                problems.warning(path, f"service '{key}' would have the web address '{slug}', already used"
                                 + (f" by '{other_key}', which differs only in capitals, accents or spaces" if alike
                                    else "")
                                 + f"; it gets '{slug}-{n}'", line,
                                 hint=f"if they are one service, write it the same way in every row, or add replace: "
                                      f"{{service: {{'{key}': '{other_key}'}}}} to the source" if alike else
                                      "set services: slug: to a column that is different for every service")
            slug = f"{slug}-{n}"
        taken.add(slug)
        made.append(_service(source, block, templates, row, key, slug, name, organisation, path))
    for by, clashes in shared_keys.items():
        key, slug, at, line = clashes[0]
        keys = ", ".join(f"'{k}'" for k, *_ in clashes[:3]) + (f" and {len(clashes) - 3} more" if len(clashes) > 3 else "")
        problems.warning(at, f"{len(clashes)} service{'s' if len(clashes) > 1 else ''} of this source ({keys}) "
                         f"{'have' if len(clashes) > 1 else 'has'} the same key as a service of source '{by}', with "
                         f"another name or organisation, so {'they get' if len(clashes) > 1 else 'it gets'} web "
                         f"addresses ending in a number ('{slug}')", line,
                         hint="if they are one service each, give both sources the same services: name: and "
                              "organisation:; if not, give this source's services web addresses of their own, "
                              f"e.g. services: slug: \"{block.get('name') or 'words of your own {' + _heading(spec) + '}'}\"")
    earlier.update((service.slug, service) for service in made)
    return made


def _service(source: Source, block: dict, templates: dict, row: dict, key: str, slug: str, name: str,
             organisation: str, path: Path):
    """The service made from its details' row."""
    from generator.content import DataRef, Service

    return Service(
        slug=slug, name=name, organisation=organisation,
        description=_text(templates.get("description"), row) or "",
        category=_text(templates.get("category"), row), lgsl=_text(templates.get("lgsl"), row),
        url=_url(_text(templates.get("url"), row)), data=(DataRef(source.file, key, source.id, generated=True),),
        source=_text(templates.get("source"), row), last_updated=None, targets={},
        not_requested=tuple(block.get("not_requested") or ()),
        unit_costs={}, notes=_text(templates.get("notes"), row), annotations=[], path=path,
        positions=row_positions(int(row["@line"])))


def _columns_read(templates: dict) -> list[str]:
    """The columns a block's templates are made from: the details a key's latest row may lack."""
    return [column for template in templates.values() if template is not None for column in template.columns]


def _slugs_of(names: pd.Series) -> pd.Series:
    """Each name's slug, each distinct name slugified once (a row each: 96,000 rows)."""
    return names.map({name: slugify(name) for name in names.unique()})


def _first_texts(frame: pd.DataFrame, keys: pd.Series, template, order: pd.Series | None) -> dict[str, str]:
    """Each key's ``template`` made from its earliest row that fills it in: earliest by ``order``
    (each row's period), then in the file. New periods, newest first or last, leave it as it is."""
    import numpy as np
    import pandas as pd

    if template is None:
        return {}
    pairs = pd.DataFrame({"key": keys.to_numpy(), "text": template.render(frame).to_numpy()})
    if order is not None:
        pairs = pairs.iloc[np.argsort(order.astype("float64").fillna(np.inf).to_numpy(), kind="stable")]
    pairs = pairs[pairs["key"].astype(str).str.strip().ne("") & pairs["text"].ne("")].drop_duplicates("key")
    return dict(zip(pairs["key"], pairs["text"]))


def _warn_of_keys_in_two_organisations(frame: pd.DataFrame, keys: pd.Series, named: pd.Series | None, organisation,
                                       spec, path: Path, problems: Problems) -> None:
    """A service key in rows of two organisations: a tester's service id 1941 was a passport
    service of one department in one year and another department's notices the next. Its rows
    are one service (of the latest row's organisation), which is right for a service that moved,
    and wrong for an id reused: said once for the source, naming the first few."""
    import pandas as pd

    if named is None:
        return  # one organisation, written in config.yaml
    rows = pd.DataFrame({"key": keys.to_numpy(), "organisation": named.to_numpy(), "same": _slugs_of(named).to_numpy(),
                         "line": frame["@line"].to_numpy(),
                         "file": frame["@file"].to_numpy() if "@file" in frame else str(path)})
    # Compared as organisations are matched: 'Culture Media and Sport' and 'Culture, Media and Sport' are one.
    rows = rows[rows["key"].ne("") & rows["same"].ne("")].drop_duplicates(["key", "same"])
    counts = rows.groupby("key", sort=False)["same"].transform("size")
    shared = rows[counts > 1]
    if not len(shared):
        return
    said = []
    for key, part in list(shared.groupby("key", sort=False))[:3]:
        named = ", ".join(f"'{o}' (line {n})" for o, n in zip(part["organisation"][:3], part["line"][:3]))
        said.append(f"'{key}' in {named}" + (f" and {len(part) - 3} more" if len(part) > 3 else ""))
    many = shared["key"].nunique()
    first = shared[shared["key"].eq(shared["key"].iloc[0])].iloc[1]
    columns = " ".join(f"{{{c}}}" for c in organisation.columns)
    key = f"{{{spec[1]}}}" if spec[0] == "column" else spec[1].text  # the key as columns: writes it
    problems.warning(Path(first["file"]), f"{'a service key is' if many == 1 else f'{many} service keys are'} in "
                     f"rows of more than one organisation, each read as one service (of its latest row's "
                     f"organisation): {'; '.join(said)}" + (f"; and {many - 3} more" if many > 3 else ""),
                     int(first["line"]),
                     hint="if a key means a different service in each organisation, make the key tell them apart: "
                          f"columns: {{service: \"{columns} {key}\"}} in the source (and, to keep the services' "
                          f"web addresses as they are, services: slug: \"{key}\"); if the service moved, this can "
                          "be accepted (accepted_warnings:)")


_NOTE = re.compile(r"^\s*(?:\[|\*|†|‡|(?:notes?|sources?|footnotes?)\b|this\s+(?:table|worksheet|sheet|file)\b)"
                   r"|\s=\s", re.I)


def _a_note(row: dict, key: str) -> bool:
    """A footnote under a table ('[x] = not available', 'Source: ...', 'Note 1: ...'): its text is
    in the column that names services, and the rest of the row is empty."""
    if not _NOTE.search(key):
        return False
    cells = [str(v).strip() for k, v in row.items() if not str(k).startswith("@")]
    return sum(1 for v in cells if v and v.lower() != "nan") <= 1


def _heading(spec) -> str:
    """The heading of the column that names services, for a hint (or 'Service' if a template does)."""
    return spec[1] if spec[0] == "column" else "Service"


def _url(text: str | None) -> str | None:
    """Only web addresses become links; anything else in a URL column is dropped."""
    return text if text and text.lower().startswith(("https://", "http://")) else None


def generate(config, problems: Problems, raw_files, unread: list | None = None) -> tuple[list, list]:
    """Organisations and services from every source that declares them; the ids of those meant to
    make organisations whose files could not be read go to ``unread`` (so an organisation they would
    have made is not blamed on the services naming it)."""
    orgs, services = [], []
    org_slugs: set[str] = set()
    service_slugs: set[str] = set()
    made_services: dict = {}  # slug -> service made by an earlier source
    for source in config.sources:
        if not source.values["services"] and not source.values["organisations"]:
            continue
        path = config.data_dir / source.file
        if not is_pattern(source.file) and not resolved(path).is_relative_to(resolved(config.data_dir)):
            # Not read at all: an error quoting its lines had printed /etc/passwd (a security tester).
            says, hint = outside_the_folder(config.data_dir, source.file)
            problems.error(config.path, says, *source.where("file"), hint=hint)
            continue
        links = links_out(config.data_dir, source.file)
        if links:  # not read: told, even beside files that are (their services would be missing)
            says, hint = linked_out_message(config.data_dir, source.file, links)
            problems.error(config.path, says, *source.where("file"), hint=hint)
            if unread is not None and source.values["organisations"]:
                unread.append(source.id)
            continue
        if not matching(config.data_dir, source.file) or not (is_pattern(source.file) or path.is_file()):
            problems.error(config.path, f"data file '{source.file}' not found in {config.data_dir.name}/"
                           if not is_pattern(source.file) else
                           f"no file in {config.data_dir.name}/ matches '{source.file}'",
                           *source.where("file"), hint=missing_file_hint(config.data_dir, source.file))
            if unread is not None and source.values["organisations"]:
                unread.append(source.id)
            continue
        raw = raw_files.get(path, problems, source)
        if raw is None:
            if unread is not None and source.values["organisations"]:
                unread.append(source.id)
            continue
        frame = select_rows(raw.frame, source, _Resolver(headings_of(raw.frame), raw.frame.columns), problems)
        order = row_order(source, frame, config.financial_year_start)
        orgs.extend(_organisations(source, frame, path, problems, org_slugs, order))
        if source.values["services"]:
            services.extend(_services(source, frame, path, problems, service_slugs, made_services, order))
    _read_by_twins(config, services)
    return orgs, services


def _read_by_twins(config, services: list) -> None:
    """Each service a source makes is read through its twins as well: sources of the same file
    making services the same way (key, name, organisation), one with missing_rows: zero (every
    request, and those closed on time). A service the twin made none of (a division with no
    request on time) had read only the first source, and its completion rate was 'no data', not 0%."""
    from generator.content import DataRef

    def making(source) -> tuple:
        block = source.values["services"] or {}
        return (source.file, str((source.values.get("columns") or {}).get("service")), str(block.get("name")),
                str(block.get("organisation")))

    zeroed = [s for s in config.sources if s.values["services"] and s.values.get("missing_rows") == "zero"]
    for twin in zeroed:
        others = {s.id for s in config.sources if s is not twin and s.values["services"] and making(s) == making(twin)}
        if not others:
            continue
        for service in services:
            refs = [ref for ref in service.data if ref.generated and ref.source in others and ref.key]
            if refs and all(ref.source != twin.id for ref in service.data):
                service.data = (*service.data, DataRef(twin.file, refs[0].key, twin.id, generated=True))
