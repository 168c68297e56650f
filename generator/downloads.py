"""Open-data downloads: each service's tidy data as CSV, written deterministically."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd

from generator.data import NUMERIC


def format_number(value) -> str:
    """Blank for missing; whole numbers without '.0'; others with up to 6 significant decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def service_csvs(tidy: pd.DataFrame) -> dict[str, bytes]:
    """Service slug to the bytes of its tidy CSV (only columns with any data)."""
    out: dict[str, bytes] = {}
    if not len(tidy):
        return out
    frame = tidy.assign(_key=tidy["period"].map(lambda p: p.key),
                        _start=tidy["period"].map(lambda p: p.start),
                        _end=tidy["period"].map(lambda p: p.end))
    frame = frame.sort_values(["service", "_start", "channel"], kind="stable")
    for slug, rows in frame.groupby("service", sort=True):
        columns = [c for c in NUMERIC if rows[c].notna().any()]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["period", "period_start", "period_end", "channel", *columns])
        for rec in rows[["_key", "_start", "_end", "channel", *columns]].itertuples(index=False):
            writer.writerow([rec[0], rec[1].isoformat(), rec[2].isoformat(), rec[3],
                             *(format_number(v) for v in rec[4:])])
        out[slug] = buffer.getvalue().encode("utf-8")
    return out
