#!/usr/bin/env python3
"""Generate the fictional example data in data/ for Example Borough Council.

Every figure this script writes is made up. It exists so the example site has
realistic-looking data to show: seasonal patterns, digital take-up rising over
time, noise, and a few deliberate gaps.

The output is deterministic: each service draws from its own random number
generator, seeded from a fixed number and the service's slug, so running the
script twice writes byte-identical files. Only the standard library is used.

Usage (from the repository root):

    python scripts/generate_example.py            # writes into data/
    python scripts/generate_example.py --out DIR  # writes somewhere else
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import zlib
from pathlib import Path

SEED = 20260914

FIRST_PERIOD = (2022, 4)
LAST_PERIOD = (2026, 9)

# Channel ids and their order, as in config.yaml.
CHANNELS = ["online", "phone", "face_to_face", "post", "email"]

SATISFACTION_COLUMNS = [f"satisfaction_{n}" for n in range(1, 6)]


# ---------------------------------------------------------------------------
# Periods


def periods(start=FIRST_PERIOD, end=LAST_PERIOD):
    """Every month from start to end inclusive, as (year, month) pairs."""
    year, month = start
    out = []
    while (year, month) <= end:
        out.append((year, month))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def label(period):
    return f"{period[0]:04d}-{period[1]:02d}"


def parse(text):
    year, month = text.split("-")
    return int(year), int(month)


ALL_PERIODS = periods()


def progress(period):
    """How far through the whole data range a period is: 0.0 to 1.0."""
    index = ALL_PERIODS.index(period)
    return index / (len(ALL_PERIODS) - 1)


def years_since_start(period):
    return ALL_PERIODS.index(period) / 12


# ---------------------------------------------------------------------------
# Service definitions
#
# base            typical total transactions a month across all channels
# growth          yearly change in total volume (0.02 = 2% a year)
# season          multiplier by calendar month (missing months are 1.0)
# specials        extra multipliers for particular periods ("2023-01": 1.2)
# online_share    (share at the start, share at the end) of the whole range
# share_steps     step changes in online share from a period onwards
# other           relative weights of the non-online channels
# other_drift     yearly multiplier on a non-online channel's weight
#                 (0.85 = that channel loses 15% of its weight each year)
# noise           standard deviation of month-to-month noise on the total
# unit_costs      None (no cost data published) or £ per transaction by channel
# completion      None or (rate at the start, rate at the end) for online
# satisfaction    None, or a dict: kind "counts" (five rating columns) or
#                 "percent" (one satisfaction column), mean score 0-100 at the
#                 start and end, response rate, and optionally "from" a period
# missing_rows    periods whose every figure is blank (the system did not report)
# blank_cells     (period, channel) pairs whose transactions are left blank

SEASON_COUNCIL_TAX = {3: 1.22, 4: 1.48, 5: 1.08, 12: 0.86, 1: 0.93, 2: 0.92}
SEASON_MISSED_BINS = {1: 1.75, 4: 1.12, 5: 1.22, 6: 1.05, 8: 1.15, 12: 1.18}
SEASON_GARDEN = {
    1: 0.55, 2: 2.6, 3: 4.2, 4: 3.1, 5: 1.6, 6: 0.9, 7: 0.7, 8: 0.55,
    9: 0.45, 10: 0.35, 11: 0.25, 12: 0.2,
}
SEASON_BULKY = {1: 1.15, 3: 1.1, 4: 1.2, 5: 1.25, 6: 1.15, 7: 1.1, 8: 1.05, 11: 0.85, 12: 0.7}
SEASON_LIBRARY = {1: 1.08, 2: 1.05, 3: 1.04, 7: 0.82, 8: 0.78, 9: 0.95, 12: 0.84}
SEASON_SCHOOL = {
    1: 4.6, 2: 1.1, 3: 0.9, 4: 0.8, 5: 0.7, 6: 0.8, 7: 1.0, 8: 1.3,
    9: 1.9, 10: 5.4, 11: 3.2, 12: 3.0,
}
SEASON_HOUSING = {1: 1.3, 2: 1.25, 3: 1.1, 6: 0.9, 7: 0.88, 8: 0.9, 11: 1.12, 12: 1.28}
SEASON_PLANNING = {1: 0.85, 3: 1.1, 4: 1.12, 5: 1.1, 6: 1.05, 8: 0.88, 12: 0.72}
SEASON_PARKING = {1: 1.05, 4: 1.08, 8: 0.9, 9: 1.05, 12: 0.88}
SEASON_BUS_PASS = {1: 0.9, 4: 1.1, 5: 1.05, 8: 0.9, 12: 0.75}
SEASON_BLUE_BADGE = {1: 1.05, 3: 1.05, 8: 0.9, 12: 0.8}
SEASON_FOI = {4: 0.95, 8: 0.85, 12: 0.78, 1: 1.08}

SERVICES = [
    {
        "slug": "council-tax",
        "file": "council-tax.csv",
        "base": 27500,
        "growth": 0.012,
        "season": SEASON_COUNCIL_TAX,
        "online_share": (0.55, 0.76),
        # New payments page; phone line hours reduced.
        "share_steps": [("2023-09", 0.03), ("2024-04", 0.04)],
        "other": {"phone": 0.68, "face_to_face": 0.16, "post": 0.16},
        "other_drift": {"face_to_face": 0.80, "post": 0.88},
        "noise": 0.035,
        "unit_costs": {"online": 0.19, "phone": 3.12, "face_to_face": 8.95, "post": 11.70},
        "completion": (0.81, 0.90),
        "satisfaction": {"kind": "counts", "start": 66, "end": 78, "response_rate": 0.022},
    },
    {
        "slug": "missed-bins",
        "file": "waste.csv",
        "base": 1450,
        "growth": 0.0,
        "season": SEASON_MISSED_BINS,
        "specials": {"2022-12": 1.45, "2023-01": 1.25},  # snow, then backlog
        "online_share": (0.44, 0.70),
        "share_steps": [("2023-06", 0.06)],  # new online form
        "other": {"phone": 0.78, "email": 0.16, "face_to_face": 0.06},
        "other_drift": {"email": 0.85},
        "noise": 0.07,
        "unit_costs": {"online": 0.31, "phone": 4.10, "face_to_face": 9.40, "email": 3.05},
        "completion": (0.70, 0.87),
        "completion_steps": [("2023-06", 0.06)],
        "satisfaction": {"kind": "counts", "start": 52, "end": 63, "response_rate": 0.07},
        "blank_cells": [("2025-01", "email")],
    },
    {
        "slug": "bulky-waste",
        "file": "waste.csv",
        "base": 620,
        "growth": 0.03,
        "season": SEASON_BULKY,
        "online_share": (0.41, 0.72),
        "share_steps": [("2024-02", 0.05)],  # online payment added
        "other": {"phone": 0.82, "face_to_face": 0.10, "email": 0.08},
        "other_drift": {"face_to_face": 0.85},
        "noise": 0.08,
        "unit_costs": {"online": 0.42, "phone": 3.65, "face_to_face": 8.40, "email": 3.30},
        "completion": (0.66, 0.82),
        "satisfaction": None,  # not requested
    },
    {
        "slug": "garden-waste",
        "file": "waste.csv",
        "base": 1550,
        "growth": 0.04,
        "season": SEASON_GARDEN,
        "online_share": (0.62, 0.86),
        "share_steps": [("2025-02", 0.03)],  # paper renewal letters stopped
        "other": {"phone": 0.62, "face_to_face": 0.08, "post": 0.30},
        "other_drift": {"post": 0.75, "face_to_face": 0.85},
        "noise": 0.06,
        "unit_costs": {"online": 0.24, "phone": 2.95, "face_to_face": 8.20, "post": 12.40},
        "completion": (0.78, 0.91),
        "satisfaction": {"kind": "counts", "start": 70, "end": 79, "response_rate": 0.035},
    },
    {
        "slug": "parking-permits",
        "file": "parking-permits.csv",
        "base": 1850,
        "growth": 0.015,
        "season": SEASON_PARKING,
        "online_share": (0.52, 0.81),
        "share_steps": [("2024-01", 0.05)],  # new permit system
        "other": {"phone": 0.50, "face_to_face": 0.22, "post": 0.28},
        "other_drift": {"post": 0.80},
        "noise": 0.05,
        "unit_costs": {"online": 0.36, "phone": 3.40, "face_to_face": 9.10, "post": 12.60},
        "completion": (0.68, 0.84),
        "completion_steps": [("2024-01", 0.05)],
        "satisfaction": {"kind": "counts", "start": 48, "end": 66, "response_rate": 0.05},
        "missing_rows": ["2023-11", "2023-12"],  # old system switched off early
    },
    {
        "slug": "library-renewals",
        "file": "library-renewals.csv",
        "base": 9200,
        "growth": -0.02,
        "season": SEASON_LIBRARY,
        "online_share": (0.66, 0.84),
        "share_steps": [("2023-10", 0.03)],  # library app launched
        "other": {"face_to_face": 0.62, "phone": 0.30, "email": 0.08},
        "other_drift": {"phone": 0.9},
        "noise": 0.04,
        "unit_costs": None,
        "completion": None,
        "satisfaction": None,
        "missing_rows": ["2025-02"],  # library management system upgrade
    },
    {
        "slug": "bus-pass",
        "file": "bus-pass.csv",
        "start": "2023-01",
        "base": 340,
        "growth": 0.02,
        "season": SEASON_BUS_PASS,
        "online_share": (0.22, 0.55),
        "share_steps": [("2024-06", 0.06)],  # photo upload added
        "other": {"phone": 0.30, "face_to_face": 0.40, "post": 0.30},
        "other_drift": {"post": 0.85},
        "noise": 0.08,
        "unit_costs": None,
        "completion": (0.61, 0.78),
        "completion_steps": [("2024-06", 0.05)],
        "satisfaction": None,
    },
    {
        "slug": "planning-applications",
        "file": "planning-applications.csv",
        "base": 205,
        "growth": -0.015,
        "season": SEASON_PLANNING,
        "online_share": (0.86, 0.94),
        "other": {"email": 0.70, "post": 0.30},
        "other_drift": {"post": 0.85},
        "noise": 0.09,
        "unit_costs": None,
        "completion": None,
        "satisfaction": None,
    },
    {
        "slug": "blue-badge",
        "file": "blue-badge.csv",
        "base": 310,
        "growth": 0.04,
        "season": SEASON_BLUE_BADGE,
        "online_share": (0.34, 0.64),
        "other": {"phone": 0.35, "face_to_face": 0.30, "post": 0.35},
        "other_drift": {"post": 0.85},
        "noise": 0.08,
        "unit_costs": None,
        "completion": (0.63, 0.76),
        "satisfaction": {"kind": "percent", "start": 64, "end": 74},
    },
    {
        "slug": "school-admissions",
        "file": "school-admissions.csv",
        "start": "2022-09",
        "base": 240,
        "growth": 0.0,
        "season": SEASON_SCHOOL,
        "online_share": (0.82, 0.93),
        "other": {"phone": 0.45, "face_to_face": 0.25, "post": 0.30},
        "other_drift": {"post": 0.8},
        "noise": 0.07,
        "unit_costs": None,
        "completion": (0.80, 0.90),
        "satisfaction": {"kind": "counts", "start": 72, "end": 77, "response_rate": 0.06},
    },
    {
        "slug": "housing-repairs",
        "file": "housing-repairs.csv",
        "base": 2450,
        "growth": 0.025,
        "season": SEASON_HOUSING,
        "online_share": (0.19, 0.48),
        "share_steps": [("2023-06", 0.04), ("2025-04", 0.05)],  # photos; tenant app
        "other": {"phone": 0.84, "email": 0.08, "face_to_face": 0.08},
        "other_drift": {"face_to_face": 0.85},
        "noise": 0.05,
        "unit_costs": {"online": 0.48, "phone": 4.35, "face_to_face": 9.80, "email": 3.10},
        "completion": (0.60, 0.79),
        "completion_steps": [("2023-06", 0.04)],
        "satisfaction": {
            "kind": "counts", "start": 45, "end": 58, "response_rate": 0.05, "from": "2023-06",
        },
        "blank_cells": [("2024-08", "phone")],  # telephony platform change
    },
    {
        "slug": "foi-requests",
        "file": "foi-requests.csv",
        "base": 102,
        "growth": 0.04,
        "season": SEASON_FOI,
        "online_share": (0.40, 0.69),
        "other": {"email": 0.93, "post": 0.07},
        "noise": 0.12,
        "unit_costs": None,
        "completion": (0.76, 0.88),
        "completion_steps": [("2024-07", 0.05)],  # online form shortened
        "satisfaction": None,
    },
]


# ---------------------------------------------------------------------------
# Generation


def rng_for(slug):
    return random.Random(SEED + zlib.crc32(slug.encode("utf-8")))


def clamp(value, low, high):
    return max(low, min(high, value))


def step_total(steps, period):
    """Sum of the step changes that have happened by this period."""
    return sum(size for start, size in steps if period >= parse(start))


def online_share(spec, period, rng):
    start, end = spec["online_share"]
    steps = spec.get("share_steps", [])
    # The straight-line trend is reduced by the total of the steps, so the
    # share still ends close to `end`, with visible jumps along the way.
    total_steps = sum(size for _, size in steps)
    trend = start + (end - start - total_steps) * progress(period)
    share = trend + step_total(steps, period) + rng.gauss(0, 0.012)
    return clamp(share, 0.02, 0.98)


def completion_rate(spec, period, rng):
    start, end = spec["completion"]
    steps = spec.get("completion_steps", [])
    total_steps = sum(size for _, size in steps)
    rate = start + (end - start - total_steps) * progress(period) + step_total(steps, period)
    rate += rng.gauss(0, 0.015)
    return clamp(rate, 0.62, 0.94)


def split_other(spec, period, count, rng):
    """Share `count` non-online transactions between the other channels."""
    weights = {}
    for channel, weight in spec["other"].items():
        drift = spec.get("other_drift", {}).get(channel, 1.0)
        weights[channel] = weight * drift ** years_since_start(period) * math.exp(rng.gauss(0, 0.06))
    total_weight = sum(weights.values())
    return {channel: count * weight / total_weight for channel, weight in weights.items()}


def satisfaction_counts(score, responses, rng):
    """Counts of ratings 1-5 whose mean is close to `score` (0-100)."""
    target_mean = 1 + 4 * score / 100
    # A bell shape over the five ratings centred so its mean is the target,
    # found by a simple search over the centre.
    best = None
    for step in range(0, 801):
        centre = step / 100 - 1  # -1.0 to 7.0
        weights = [math.exp(-((k - centre) ** 2) / (2 * 1.25**2)) for k in range(1, 6)]
        total = sum(weights)
        mean = sum(k * w for k, w in zip(range(1, 6), weights)) / total
        if best is None or abs(mean - target_mean) < best[0]:
            best = (abs(mean - target_mean), [w / total for w in weights])
    probabilities = best[1]
    counts = []
    for p in probabilities:
        expected = responses * p
        counts.append(max(0, round(expected + rng.gauss(0, math.sqrt(expected + 1) * 0.6))))
    return counts


def money(value):
    return f"{value:.2f}"


def generate_service(spec):
    """Rows (dicts keyed by column name) for one service, oldest first."""
    rng = rng_for(spec["slug"])
    start = parse(spec.get("start", label(FIRST_PERIOD)))
    missing = {parse(p) for p in spec.get("missing_rows", [])}
    blanks = {(parse(p), channel) for p, channel in spec.get("blank_cells", [])}
    specials = {parse(p): factor for p, factor in spec.get("specials", {}).items()}
    channels = ["online"] + list(spec["other"])
    channels.sort(key=CHANNELS.index)

    rows = []
    for period in ALL_PERIODS:
        # Draw every random number even for skipped months, so a gap does not
        # change the figures for the months after it.
        level = spec["base"] * (1 + spec["growth"]) ** years_since_start(period)
        level *= spec["season"].get(period[1], 1.0) * specials.get(period, 1.0)
        total = level * math.exp(rng.gauss(0, spec["noise"]))
        share = online_share(spec, period, rng)
        volumes = {"online": total * share}
        volumes.update(split_other(spec, period, total * (1 - share), rng))
        cost_noise = {channel: math.exp(rng.gauss(0, 0.035)) for channel in channels}
        rate = completion_rate(spec, period, rng) if spec["completion"] else None
        sat = spec["satisfaction"]
        score = None
        if sat:
            score = sat["start"] + (sat["end"] - sat["start"]) * progress(period)
            score += rng.gauss(0, 1.6)
        sat_rng_state = rng.random()  # per-period seed for the rating counts

        if period < start:
            continue
        if period in missing:
            # A month the system did not report: one row per channel with the figures blank,
            # so the file says "no data for this month" rather than leaving a silent gap.
            rows += [{"period": label(period), "channel": channel, "transactions": ""} for channel in channels]
            continue

        for channel in channels:
            transactions = round(volumes[channel])
            row = {"period": label(period), "channel": channel}
            if (period, channel) in blanks:
                row["transactions"] = ""
                rows.append(row)
                continue
            row["transactions"] = str(transactions)
            if spec["unit_costs"]:
                unit = spec["unit_costs"][channel]
                row["cost"] = money(transactions * unit * cost_noise[channel])
            if channel == "online" and rate is not None:
                started = max(transactions, round(transactions / rate))
                row["started"] = str(started)
                row["completed"] = str(transactions)
            if channel == "online" and sat and period >= parse(sat.get("from", "0000-01")):
                if sat["kind"] == "counts":
                    responses = max(5, round(transactions * sat["response_rate"]))
                    counts = satisfaction_counts(score, responses, random.Random(sat_rng_state))
                    for column, count in zip(SATISFACTION_COLUMNS, counts):
                        row[column] = str(count)
                else:
                    row["satisfaction"] = f"{clamp(score, 0, 100):.1f}"
            rows.append(row)
    return rows


def columns_for(specs, shared):
    """Columns in the documented order, only those some service in the file uses."""
    columns = ["service"] if shared else []
    columns += ["period", "channel", "transactions"]
    if any(s["unit_costs"] for s in specs):
        columns.append("cost")
    if any(s["completion"] for s in specs):
        columns += ["started", "completed"]
    kinds = {s["satisfaction"]["kind"] for s in specs if s["satisfaction"]}
    if "counts" in kinds:
        columns += SATISFACTION_COLUMNS
    if "percent" in kinds:
        columns.append("satisfaction")
    return columns


def write_file(path, specs):
    shared = len(specs) > 1
    columns = columns_for(specs, shared)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        for spec in specs:
            for row in generate_service(spec):
                if shared:
                    row["service"] = spec["slug"]
                writer.writerow(row)


def write_library_survey(path):
    """The library customer survey as its survey tool exports it: a title line, Windows-1252
    text, dates for months and '***' for August, when the survey does not run. config.yaml
    maps it onto the tidy model (sources:), so the example shows a real export published as it is."""
    rng = rng_for("library-survey")
    lines = ["Libraries customer survey \u2013 monthly results", "",
             "Survey month,Responses,Satisfied (%),Completed renewal online (%)"]
    for period in periods():
        year, month = period
        if (year, month) < (2023, 4):
            continue  # the survey started in April 2023
        if month == 8:
            lines.append(f"01/{month:02d}/{year},***,***,***")
            continue
        satisfied = clamp(78 + 6 * progress(period) + rng.gauss(0, 2.5), 0, 100)
        completed = clamp(88 + 5 * progress(period) + rng.gauss(0, 1.5), 0, 100)
        responses = rng.randint(180, 420)
        lines.append(f"01/{month:02d}/{year},{responses:,},{satisfied:.1f}%,{completed:.1f}%".replace(
            f"{responses:,}", f'"{responses:,}"'))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("windows-1252"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = Path(__file__).resolve().parent.parent / "data"
    parser.add_argument("--out", type=Path, default=default_out, help="folder to write CSV files into")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    files = {}
    for spec in SERVICES:
        files.setdefault(spec["file"], []).append(spec)
    for name, specs in files.items():
        write_file(args.out / name, specs)
        print(f"wrote {args.out / name}")
    write_library_survey(args.out / "library-survey.csv")
    print(f"wrote {args.out / 'library-survey.csv'}")


if __name__ == "__main__":
    main()
