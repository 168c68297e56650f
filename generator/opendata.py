"""Site-wide open data: every service's KPIs per period as CSV and JSON, described by a Frictionless data package.

The rows come from the same ``PeriodRow`` objects the service pages show, so
the files and the pages cannot disagree. Other councils' sites can read this
``services.csv`` to compare like services (by LGSL code).
"""

from __future__ import annotations

import csv
import io
import json

import orjson

from generator import model as m
from generator.downloads import csv_cells, format_number, spreadsheet_safe

# (name, Frictionless type, description)
FIELDS = [
    ("service", "string", "Service slug (its page is services/<slug>/)"),
    ("service_name", "string", "Service name"),
    ("organisation", "string", "Organisation slug"),
    ("organisation_name", "string", "Organisation name"),
    ("lgsl", "string", "Local Government Service List code"),
    ("period", "string", "Period, e.g. 2024-03, 2024-Q1, 2023/24"),
    ("period_start", "date", "First day of the period"),
    ("period_end", "date", "Last day of the period"),
    ("transactions", "number", "Transactions through all channels"),
    ("digital_transactions", "number", "Transactions through digital channels"),
    ("digital_take_up", "number", "Digital take-up, per cent (0-100); blank if any channel's count is missing"),
    ("cost_per_transaction", "number", "Cost per transaction, in the site's currency"),
    ("cost_estimated", "boolean", "True when cost per transaction is estimated from channel unit costs"),
    ("completion_rate", "number", "Completion rate, per cent (0-100)"),
    ("user_satisfaction", "number", "User satisfaction, per cent (0-100; 1-5 ratings rescaled)"),
    ("complete", "boolean", "False when a channel's count is missing for this period"),
    ("not_requested", "string", "KPIs deliberately not collected for this period (space-separated keys, "
     "e.g. user_satisfaction): blank for them means 'not requested', not 'missing'"),
]

PATHS = {"csv": "data/services.csv", "json": "data/services.json", "package": "data/datapackage.json"}


def _digital_known(row: m.PeriodRow) -> bool:
    """Whether a period's digital count is whole: every channel counted, or no channel split (a
    digital count published beside a total, which may be blank), not a sum short of a channel."""
    return row.complete or all(value is None for value in row.by_channel)


def _records(svc: m.ServiceView) -> list[dict]:
    records = []
    for row in m.with_cost_spans(svc.periods, svc.cost_spans):
        records.append({
            "service": svc.slug,
            "service_name": svc.name,
            "organisation": svc.organisation.slug,
            "organisation_name": svc.organisation.name,
            "lgsl": svc.lgsl,
            "period": row.period.key,
            "period_start": row.period.fields["start"],
            "period_end": row.period.fields["end"],
            "transactions": row.transactions,
            "digital_transactions": row.digital_transactions if _digital_known(row) else None,
            "digital_take_up": row.digital_take_up,
            "cost_per_transaction": row.cost_per_transaction,
            "cost_estimated": row.cost_estimated if row.cost_per_transaction is not None else None,
            "completion_rate": row.completion_rate,
            "user_satisfaction": row.user_satisfaction,
            "complete": row.complete,
            "not_requested": " ".join(sorted(set(row.not_requested) | set(svc.not_requested))) or None,
        })
    return records


def service_rows(svc: m.ServiceView) -> tuple[str, str]:
    """One service's part of the site-wide files: its CSV rows and its JSON records (one a line), as text.

    Worked out per service so a build that reuses a service's pages reuses these too;
    kept as text because a record of text is quick to store and read back.
    """
    names = [name for name, _, _ in FIELDS]
    records = _records(svc)
    if not records:
        return "", ""
    same = names.index("period")  # the fields before it are the service's own: the same on every row
    first = [_cell(records[0][n]) for n in names[:same]]
    columns = [[cell] * len(records) for cell in first]
    for name in names[same:]:
        noisy: list = []
        columns.append(_column([rec[name] for rec in records], noisy))
        for index, value in noisy:  # the JSON's figure as the CSV's (see downloads._short)
            records[index][name] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(zip(*columns))
    # One record per line (orjson, as for chart downloads): indenting would need a slow encoder.
    return buffer.getvalue(), ",\n".join([orjson.dumps(rec, option=orjson.OPT_SERIALIZE_NUMPY).decode() for rec in records])


def _column(values: list, noisy: list | None = None) -> list:
    """``_cell`` of each value, a column at a time (as chart downloads are written); ``noisy`` as
    for downloads.csv_cells."""
    kinds = set(map(type, values))
    if kinds == {bool}:
        return ["true" if v else "false" for v in values]
    return csv_cells(values, noisy) if kinds <= _PLAIN else [_cell(v) for v in values]


_PLAIN = {str, float, int, type(None)}  # written by csv_cells as _cell writes them


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    return spreadsheet_safe(str(value))


def open_data_files(site: m.SiteModel, rows: dict[str, tuple[str, str]] | None = None) -> dict[str, bytes]:
    """data/services.csv and .json and the data package; ``rows`` holds services' rows already worked out."""
    rows = rows or {}
    names = [name for name, _, _ in FIELDS]
    csv_parts = [",".join(names) + "\n"]
    lines = []
    for svc in site.services:
        csv_text, json_text = rows.get(svc.slug) or service_rows(svc)
        csv_parts.append(csv_text)
        if json_text:
            lines.append(json_text)
    money = f"in {site.site.currency} ({site.site.currency_symbol})"  # of the site's currency
    schema = {"fields": [{"name": n, "type": t, "description": d.replace("in the site's currency", money)}
                         for n, t, d in FIELDS],
              "missingValues": [""]}
    package = {
        "profile": "tabular-data-package",
        "name": "service-performance",
        "title": site.site.title,
        "description": f"Performance of services published by {site.site.organisation}: transactions, "
                       "digital take-up, cost per transaction, completion rate and user satisfaction per period.",
        "resources": [
            {"name": "services", "path": "services.csv", "profile": "tabular-data-resource", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8", "schema": schema},
            {"name": "services-json", "path": "services.json", "format": "json",
             "mediatype": "application/json", "encoding": "utf-8"},
        ],
    }
    data = ",\n".join(lines)
    body = (f'{{"fields": {json.dumps(schema["fields"], ensure_ascii=False)},\n"data": [\n{data}\n]}}\n')
    return {
        PATHS["csv"]: "".join(csv_parts).encode("utf-8"),
        PATHS["json"]: body.encode("utf-8"),
        PATHS["package"]: (json.dumps(package, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode(),
    }
