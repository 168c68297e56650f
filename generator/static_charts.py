"""Static SVG for every chart and the self-hosted Vega runtime, both via vl-convert.

Rendering a chart to SVG costs ~55 ms, so SVGs are cached on disk by a hash
of the filled spec and the vl-convert version (an unchanged chart is never
drawn twice) and the rest are drawn in parallel across processes. The Vega
runtime comes from vl-convert's own JavaScript bundle (shipped with the package
for the vl-convert it was made with), so no page ever loads a script from
another host.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import orjson
from markupsafe import Markup, escape

from generator import model as m


def _vl():
    """vl-convert, in UTC: its runtime places time axes' ticks by the machine's time zone (a pixel
    apart between a UK laptop and a CI runner), and a build must give the same bytes everywhere."""
    if "vl_convert" not in sys.modules and os.environ.get("TZ") != "UTC":
        os.environ["TZ"] = "UTC"
        time.tzset()
    import vl_convert

    return vl_convert


def spec_json(spec: dict) -> str:
    """The spec as compact JSON with sorted keys (orjson: a spec on every chart of every page)."""
    return orjson.dumps(spec, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()


def _key(spec_text: str, version: str) -> str:
    return hashlib.sha256(f"{version}\n{spec_text}".encode()).hexdigest()


def _draw(spec_text: str) -> str:
    return _vl().vegalite_to_svg(json.loads(spec_text))


SPAWN_WORTH_IT = 32


def render_svgs(charts: list[m.Chart], cache_dir: Path | None, jobs: int | None = None,
                draw_missing: bool = True) -> int:
    """Fill ``chart.svg`` for every chart, drawing only what the cache lacks.

    With ``draw_missing`` false (the dev server's quick first pass) nothing is drawn:
    charts not in the cache keep no SVG. Returns how many charts were left without one.
    """
    if not charts:
        return 0
    version = _vl().__version__
    texts = [spec_json(c.spec) for c in charts]
    keys = [_key(t, version) for t in texts]
    found: dict[str, str] = {}  # key -> SVG text, or the cache file's path (see model.Chart.svg_file)
    on_disk: set[str] = set()
    if cache_dir is not None:
        for key in set(keys):
            path = cache_dir / "svg" / f"{key}.svg"
            if path.is_file():
                found[key] = str(path)
                on_disk.add(key)
    todo = {}
    for key, text in zip(keys, texts):
        if key not in found:
            todo.setdefault(key, text)
    if todo and not draw_missing:
        for chart, key in zip(charts, keys):
            _attach(chart, found.get(key), key in on_disk)
        return sum(1 for key in keys if key not in found)
    if todo:
        jobs = jobs or os.cpu_count() or 1
        items = sorted(todo.items())
        # Starting worker processes costs about a second, the price of ~20 charts drawn here.
        if cache_dir is not None:
            (cache_dir / "svg").mkdir(parents=True, exist_ok=True)

        def keep(key: str, svg: str) -> None:
            """Each SVG goes to the cache as it comes, rather than all being held until the end."""
            if cache_dir is None:
                found[key] = svg
                return
            path = cache_dir / "svg" / f"{key}.svg"
            path.write_text(svg, encoding="utf-8")
            found[key] = str(path)
            on_disk.add(key)

        if jobs > 1 and len(items) > SPAWN_WORTH_IT:
            # "spawn": vl-convert's JavaScript runtime holds threads that a fork would deadlock on.
            with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
                drawn = pool.map(_draw, [t for _, t in items], chunksize=max(1, len(items) // (jobs * 4)))
                for (key, _), svg in zip(items, drawn):
                    keep(key, svg)
        else:
            for key, text in items:
                keep(key, _draw(text))
    for chart, key in zip(charts, keys):
        _attach(chart, found[key], key in on_disk)
    return 0


def _attach(chart: m.Chart, found: str | None, is_path: bool) -> None:
    if is_path:
        chart.svg_text, chart.svg_file = None, found
    else:
        chart.svg = found


def accessible_svg(svg: str, chart_id: str, title: str) -> Markup:
    """The SVG as one image named by its title for assistive technology. The chart's summary is not
    in it again: the page shows it above the chart, and the chart's box is described by it
    (aria-describedby); in the image's name too, a screen reader heard it three times a chart."""
    svg = re.sub(r"<\?xml[^>]*>\s*", "", svg).strip()
    svg = re.sub(r'\s(aria-[a-z]+|role)="[^"]*"', "", svg)
    root = re.match(r"<svg[^>]*>", svg).group(0)
    classes = " ".join(["chart__svg", *re.findall(r'\sclass="([^"]*)"', root)])
    head = re.sub(r'\sclass="[^"]*"', "", root)[: -1]
    head = head.replace("<svg", f'<svg role="img" aria-labelledby="{chart_id}-title" '
                        f'focusable="false" class="{classes}"', 1) + ">"
    svg = head + svg[len(root):]
    svg = re.sub(r"(<svg[^>]*>)", lambda mt: mt.group(1) + f'<title id="{chart_id}-title">{escape(title)}</title>',
                 svg, count=1)
    return Markup(svg)


def json_for_html(value) -> Markup:
    """JSON safe inside <script type="application/json">: no '<', '>' or '&' can end the element."""
    text = spec_json(value)
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return Markup(text)


def _bundle_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / f"vega-bundle-{_vl().__version__}.js"


# vl-convert's bundle for the version it was made with, shipped with the package (compressed: 0.3 MB
# against 0.9 MB): handing it over takes vl-convert 1.5 s of processor time, which every build from
# a clean clone (every CI run) would otherwise spend. Refresh it with `python -m generator.static_charts`.
SHIPPED_FOLDER = Path(__file__).parent


def _shipped_bundle_path(version: str) -> Path:
    return SHIPPED_FOLDER / f"vega-bundle-{version}.js.gz"


def shipped_bundle(version: str) -> bytes | None:
    """The shipped runtime if it was made by this vl-convert version (else the build asks vl-convert)."""
    try:
        return gzip.decompress(_shipped_bundle_path(version).read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile):
        return None


def ship_bundle() -> Path:
    """Write the installed vl-convert's bundle as the shipped one (byte-identical every time: no
    name or time in the gzip header), and remove bundles of other versions."""
    version = _vl().__version__
    for old in SHIPPED_FOLDER.glob("vega-bundle-*.js.gz"):
        old.unlink()
    path = _shipped_bundle_path(version)
    path.write_bytes(gzip.compress(_vl().javascript_bundle().encode("utf-8"), compresslevel=9, mtime=0))
    return path


def vega_bundle(cache_dir: Path | None) -> tuple[str, bytes]:
    """The Vega, Vega-Lite and Vega-Embed runtime as (content-hashed file name, bytes)."""
    cached = _bundle_path(cache_dir) if cache_dir is not None else None
    if cached is not None and cached.is_file():
        body = cached.read_bytes()
    elif (shipped := shipped_bundle(_vl().__version__)) is not None:
        body = shipped
    else:
        body = _vl().javascript_bundle().encode("utf-8")
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            temporary = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            temporary.write_bytes(body)
            temporary.replace(cached)  # whole or not at all, even if this process is stopped
    digest = hashlib.sha256(body).hexdigest()[:12]
    return f"static/js/vega.{digest}.js", body


def start_vega_bundle(cache_dir: Path | None) -> subprocess.Popen | None:
    """Start putting the Vega runtime into the cache in another process, if it is not there yet.

    vl-convert takes about 1.5 s to start its JavaScript engine and hand the bundle
    over: time a build can spend while it reads and computes, when the package has no
    runtime shipped for this vl-convert (a newer release than the one it was made with). The caller waits for the process before it needs the bundle; if
    the process failed, :func:`vega_bundle` simply does the work (and reports any error).
    """
    if cache_dir is None or _bundle_path(cache_dir).is_file() or _shipped_bundle_path(_vl().__version__).is_file():
        return None
    script = "import sys; from pathlib import Path; from generator.static_charts import vega_bundle; " \
             "vega_bundle(Path(sys.argv[1]))"
    try:
        return subprocess.Popen([sys.executable, "-c", script, str(cache_dir)], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None


if __name__ == "__main__":  # python -m generator.static_charts: refresh the shipped Vega runtime
    print(f"Wrote {ship_bundle()}")
