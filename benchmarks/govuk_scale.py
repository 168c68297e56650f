#!/usr/bin/env python3
"""Benchmark: build a GOV.UK-scale site and print how long each kind of build takes.

The GOV.UK Performance Platform covered 766 services across 17 departments.
This script writes a site that size (5 years of monthly data over 5 channels,
with costs, completion and satisfaction, so every service has at least 4
charts), then times, each in a fresh process:

* a cold full build with static SVG charts (empty chart cache);
* a cold full build without SVG charts (no cache either), and the same again into another
  empty folder with the cache the first left (a CI run that restores ``.perfpages-cache``);
* a no-op rebuild (nothing changed);
* a rebuild after one service's CSV changed;
* and, for a site publishing the same services from one export of them all (a department's or
  the Transactions Explorer's shape), a cold build without SVG and a rebuild after one cell of
  the export changed: figures beside the targets, which the issue sets for a CSV a service;

and reports each build's peak memory (maximum resident set size) and processor
time. Targets on a 2-core machine are printed beside the figures, and so is the
time a fixed Python loop takes, to read them against the machine's speed. This
is a script that prints figures, not a test: timings depend on the machine.

Usage:  python benchmarks/govuk_scale.py [--services 766] [--organisations 17] [--jobs N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import compileall
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHANNELS = [("online", "Online", True, 0.15), ("phone", "Phone", False, 2.83),
            ("face_to_face", "Face to face", False, 8.62), ("post", "Post", False, 12.10),
            ("email", "Email", False, 3.20)]
TARGETS = {"cold build with SVG": 60.0, "cold build without SVG": 5.0, "same, cache restored": 5.0,
           "no-op rebuild": 1.0, "one service's CSV changed": 2.0}
ONE_EXPORT = ("one export: cold, no SVG", "one export: a cell changed")  # no targets of their own
PEAK_RSS_TARGET_MB = 1536
# The generator this script sits beside, importable without installing it (builds run in
# fresh processes, which are given the same path).
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def months(first_year: int, count: int) -> list[str]:
    return [f"{first_year + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


def write_site(root: Path, services: int, organisations: int, static_svg: bool) -> None:
    """A fictional central-government-sized site; seeded, so every run writes the same files."""
    rng = random.Random(766)
    (root / "content/organisations").mkdir(parents=True, exist_ok=True)
    (root / "content/services").mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(parents=True, exist_ok=True)
    channels = "".join(f"  - id: {i}\n    label: {label}\n    digital: {str(d).lower()}\n    unit_cost: {c}\n"
                       for i, label, d, c in CHANNELS)
    for name, svg in (("config.yaml", static_svg), ("config-nosvg.yaml", False)):
        (root / name).write_text(
            "title: Benchmark government\norganisation: Benchmark\n"
            f"channels:\n{channels}charts:\n  static_svg: {str(svg).lower()}\n", encoding="utf-8")
    for o in range(organisations):
        (root / f"content/organisations/dept-{o:02d}.yaml").write_text(
            f"name: Department {o:02d}\nkind: department\n", encoding="utf-8")
    periods = months(2021, 60)
    for s in range(services):
        (root / f"content/services/service-{s:03d}.yaml").write_text(
            f"name: Service {s:03d}\norganisation: dept-{s % organisations:02d}\n"
            f"description: Benchmark service number {s}.\ndata: service-{s:03d}.csv\n", encoding="utf-8")
        base = rng.uniform(1_000, 500_000)
        lines = ["period,channel,transactions,cost,started,completed,satisfaction"]
        for p, period in enumerate(periods):
            online = min(0.95, 0.3 + p / 120 + rng.uniform(-0.03, 0.03))
            total = base * (1 + rng.uniform(-0.1, 0.1))
            for c, (cid, _, digital, unit) in enumerate(CHANNELS):
                share = online if digital else (1 - online) / 4
                tx = round(total * share)
                extra = f",{round(tx / 0.8)},{tx},{rng.uniform(60, 90):.1f}" if digital else ",,,"
                lines.append(f"{period},{cid},{tx},{tx * unit * rng.uniform(0.9, 1.1):.2f}{extra}")
        (root / f"data/service-{s:03d}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_one_export(root: Path, site: Path) -> None:
    """The same site with every service's rows in one file (data/all.csv, a service column)."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "content/services").mkdir(parents=True)
    (root / "data").mkdir()
    shutil.copytree(site / "content/organisations", root / "content/organisations")
    shutil.copy(site / "config-nosvg.yaml", root / "config.yaml")
    rows = []
    for path in sorted((site / "content/services").glob("*.yaml")):
        slug = path.stem
        (root / "content/services" / path.name).write_text(path.read_text(encoding="utf-8").replace(
            f"data: {slug}.csv", f"data:\n  file: all.csv\n  service: {slug}"), encoding="utf-8")
        lines = (site / f"data/{slug}.csv").read_text(encoding="utf-8").splitlines()
        if not rows:
            rows.append("service," + lines[0])
        rows.extend(f"{slug},{line}" for line in lines[1:])
    (root / "data/all.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def machine_speed() -> float:
    """Seconds a fixed pure-Python loop takes: this machine's speed, to read the timings against.

    Virtual machines' speed drifts (the README's figures were measured where it took about
    0.9 s, and the same machine was up to twice as slow in busy spells); every timing moves with it."""
    started = time.perf_counter()
    total = 0
    for i in range(30_000_000):
        total += i
    return time.perf_counter() - started


def timed_build(root: Path, config: str, out: Path, jobs: int | None) -> tuple[float, float, float, str]:
    """Seconds, peak RSS in MB, processor seconds (user and system, the build's worker processes
    included) and the CLI's last line, for one build in a fresh process."""
    command = [sys.executable, "-m", "generator", "build", "--config", str(root / config), "--output", str(out)]
    if jobs:
        command += ["--jobs", str(jobs)]
    os.sync()  # what earlier steps (or an earlier run's clean-up) left to write is not this build's time
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out_text = process.stdout.read() + process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"build failed:\n{out_text}")
    summary = [line for line in out_text.splitlines() if line.startswith(("Built", "Nothing"))]
    return (seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime,
            (summary or out_text.strip().splitlines())[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=766)
    parser.add_argument("--organisations", type=int, default=17)
    parser.add_argument("--jobs", type=int, default=None, help="passed to perfpages build --jobs")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="perfpages-bench-"))
    try:
        started = time.perf_counter()
        write_site(root, args.services, args.organisations, static_svg=True)
        print(f"Wrote {args.services} services in {args.organisations} organisations "
              f"(60 months x {len(CHANNELS)} channels) in {time.perf_counter() - started:.1f}s: {root}")
        for leftover in (".perfpages-cache", "site", "site-nosvg", "site-nosvg-2", "one-export"):  # cold means cold
            shutil.rmtree(root / leftover, ignore_errors=True)
        # Bytecode for the generator, as pip writes when it installs a package: where
        # PYTHONDONTWRITEBYTECODE is set, every build would otherwise compile it again (~0.1 s).
        import generator
        compileall.compile_dir(Path(generator.__file__).parent, quiet=1)
        speed_before = machine_speed()
        results = []
        results.append(("cold build with SVG", *timed_build(root, "config.yaml", root / "site", args.jobs)))
        # Cold means no cache as well as no site: the SVG build's cache (Vega runtime, compiled
        # templates, unit records) is set aside for the build without SVG, as in a first CI run.
        cache = root / ".perfpages-cache"
        shutil.rmtree(root / ".cache-with-svg", ignore_errors=True)
        cache.rename(root / ".cache-with-svg")
        results.append(("cold build without SVG",
                        *timed_build(root, "config-nosvg.yaml", root / "site-nosvg", args.jobs)))
        # Again into an empty folder, with that cache in place: a CI run that restores .perfpages-cache.
        results.append(("same, cache restored",
                        *timed_build(root, "config-nosvg.yaml", root / "site-nosvg-2", args.jobs)))
        shutil.rmtree(root / ".cache-without-svg", ignore_errors=True)  # an earlier run's, with --keep
        cache.rename(root / ".cache-without-svg")
        (root / ".cache-with-svg").rename(cache)
        results.append(("no-op rebuild", *timed_build(root, "config.yaml", root / "site", args.jobs)))
        csv = root / "data/service-000.csv"
        csv.write_text(csv.read_text(encoding="utf-8").replace(",online,", ",online,1", 1), encoding="utf-8")
        results.append(("one service's CSV changed", *timed_build(root, "config.yaml", root / "site", args.jobs)))
        export = root / "one-export"
        write_one_export(export, root)
        results.append((ONE_EXPORT[0], *timed_build(export, "config.yaml", export / "site", args.jobs)))
        data = export / "data/all.csv"
        data.write_text(data.read_text(encoding="utf-8").replace(",online,", ",online,1", 1), encoding="utf-8")
        results.append((ONE_EXPORT[1], *timed_build(export, "config.yaml", export / "site", args.jobs)))
        speed_after = machine_speed()
        print(f"\n{'build':28} {'seconds':>8} {'target':>8} {'peak RSS':>10} {'CPU s':>7}   result")
        for name, seconds, rss, cpu, last in results:
            target = TARGETS.get(name)
            flag = "-  " if target is None else "ok " if seconds <= target else "SLOW"
            shown = f"{target:8.0f}" if target is not None else f"{'-':>8}"
            print(f"{name:28} {seconds:8.2f} {shown} {rss:8.0f} MB {cpu:7.1f}   {flag} {last}")
        peak = max(r[2] for r in results)
        print(f"\npeak RSS {peak:.0f} MB (target {PEAK_RSS_TARGET_MB} MB): "
              f"{'ok' if peak <= PEAK_RSS_TARGET_MB else 'OVER'}; cores: {os.cpu_count()}")
        print(f"machine speed: a fixed Python loop took {speed_before:.2f} s before the builds and "
              f"{speed_after:.2f} s after (about 0.9 s where the README's figures were measured)")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
