"""Static SVG charts drawn in Python from the filled Vega-Lite specs. No I/O.

Why not vl-convert for every chart: it runs the Vega runtime and measures every
label, ~45 ms a chart, so a site of 766 services (7,000+ charts) took four
minutes on two cores just for its pictures. The chart kinds here are few and
simple (lines over time, bands, bars), so they are drawn directly from the same
datasets the interactive chart uses, in about a millisecond each, following
the templates' look: the same palette, dash patterns, point marks, axes,
formats and legend (see :mod:`generator.chart_templates`). The picture is the
no-JavaScript fallback; with JavaScript the Vega view replaces it, and the
data table beside it is always the real content. ``charts: static_renderer:
vl-convert`` draws them with Vega itself instead.

Labels are measured by an estimate of character widths, not by a font, so the
layout is deterministic on every machine.
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache

from markupsafe import escape

from generator.chart_templates import (BAND_EDGE, BAND_FILLS, DASHES, FONT, FORECAST_LINES, FORECAST_RANGES, HEIGHT,
                                      OUTLINE, PALETTE, SHORT_MONTHS, STACK_LABEL_MIN, WIDTH)

INK, GRID, DOMAIN, WHITE = "#0b0c0c", "#d8d8d8", "#505a5f", "#ffffff"
LABEL, TITLE = 12, 13  # font sizes, as the templates' config
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


# How wide each character is, in ems, in DejaVu Sans: the widest of the fonts the page's font stack
# falls back to (Linux's sans-serif), so a label measured with these fits in Arial, Segoe UI and
# San Francisco too. With one width for most letters, long labels of capitals ran off the left edge.
_EM = {c: w for chars, w in (
    ("iljIJ'|!", 0.29), (" .,:;", 0.33), ("ft", 0.37), ("r()[]-/", 0.41), ("cksz", 0.54),
    ("vxy", 0.6), ("abdeghnopqu0123456789£$#?&", 0.64), ("ELFPTZ", 0.63), ("ABKRSVXY", 0.7),
    ("CDGHNOQU", 0.78), ("w", 0.82), ("M", 0.87), ("m", 0.98), ("W%…@", 1.0)) for c in chars}


def text_width(text: str, size: float = LABEL, bold: bool = False) -> float:
    """How wide ``text`` is drawn, at most (see _EM); bold is about a tenth wider."""
    units = sum(_EM.get(c, 0.66) for c in text)
    return units * size * (1.1 if bold else 1.0)


def _n(value: float) -> str:
    """A coordinate to a tenth of a pixel, the same text on every machine (and short)."""
    text = "%.1f" % value
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


# ---------------------------------------------------------------- number formats


def d3_format(value: float, spec: str, step: float | None = None) -> str:
    """The d3-format subset the templates use: optional ``,``, ``.N``, optional ``~``, ``f``.
    With no ``.N``, an axis's labels have the decimals its ticks' ``step`` needs, as Vega gives
    them (d3's tickFormat: a step of 0.2 one decimal, of 20 none); anything else, six, as d3."""
    grouped = spec.startswith(",")
    body = spec.lstrip(",")
    trim = "~" in body
    if "." in body:
        digits = int(body.strip(".~f") or 0)
    elif step:
        digits = max(0, -int(f"{abs(step):e}".split("e")[1]))
    else:
        digits = 6
    text = f"{value:,.{digits}f}" if grouped else f"{value:.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("-") and text.strip("-0.,") == "":
        text = text[1:]  # a value that rounds to zero has no sign, as in d3
    return "−" + text[1:] if text.startswith("-") else text


class ValueAxis:
    """How a chart's value axis is labelled: read off the spec (its format and label expression)."""

    def __init__(self, spec: dict, channel: str = "y"):
        self.title, self.format, self.prefix, self.suffix = "", ",.0f", "", ""
        self.min_step = 0.0  # the axis's tickMinStep: 1 for counts
        for enc in _encodings(spec):
            field = enc.get(channel)
            if isinstance(field, dict) and field.get("axis") and field["axis"].get("format") is not None:
                self.title = field.get("title") or ""
                self.format = field["axis"]["format"]
                self.min_step = float(field["axis"].get("tickMinStep") or 0)
                expr = field["axis"].get("labelExpr") or ""
                if expr.endswith("+ '%'"):
                    self.suffix = "%"
                elif expr.startswith("'") and "+ datum.label" in expr:
                    self.prefix = expr[1:expr.index("'", 1)]
                break

    def labels(self, ticks: list[float]) -> list[str]:
        """The ticks' labels: their decimals may depend on the step between them (d3_format)."""
        step = ticks[1] - ticks[0] if len(ticks) > 1 else None
        return [f"{self.prefix}{d3_format(t, self.format, step)}{self.suffix}" for t in ticks]


def _encodings(spec: dict):
    for layer in spec.get("layer", [spec]):
        yield layer.get("encoding", {})


def _title_of(spec: dict, channel: str) -> str | None:
    for enc in _encodings(spec):
        field = enc.get(channel)
        if isinstance(field, dict) and "title" in field:
            return field["title"]
    return None


# ---------------------------------------------------------------- scales and ticks


def tick_step(lo: float, hi: float, count: int) -> float:
    """d3's tick step: 1, 2 or 5 times a power of ten, for about ``count`` ticks."""
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    error = raw / power
    return power * (10 if error >= 7.07 else 5 if error >= 3.16 else 2 if error >= 1.41 else 1)


def nice_ticks(lo: float, hi: float, count: int, min_step: float = 0.0) -> list[float]:
    """Ticks over the domain widened to whole steps, as Vega's ``nice`` does, zero included;
    no closer than ``min_step`` (an axis's tickMinStep), as Vega ticks them."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo <= 0:
        hi = lo + 1
    step = tick_step(lo, hi, count)
    lo, hi = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
    step = tick_step(lo, hi, count)
    lo, hi = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
    if step < min_step:
        step = min_step
        lo, hi = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
    return [lo + i * step for i in range(int(round((hi - lo) / step)) + 1)]


class Linear:
    def __init__(self, lo: float, hi: float, a: float, b: float):
        self.lo, self.hi, self.a, self.b = lo, hi, a, b

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo or 1.0
        return self.a + (value - self.lo) / span * (self.b - self.a)


@lru_cache(maxsize=4096)
def _day(text: str) -> int:
    return date.fromisoformat(text[:10]).toordinal()


def _months_between(first: int, last: int) -> int:
    d0, d1 = date.fromordinal(first), date.fromordinal(last)
    return (d1.year - d0.year) * 12 + d1.month - d0.month


def month_ticks(first: int, last: int, count: int = 6) -> list[int]:
    """First-of-month ticks every 1, 3, 12 or more months, whichever gives nearest ``count`` ticks."""
    d0, d1 = date.fromordinal(first), date.fromordinal(last)
    span = (d1.year - d0.year) * 12 + d1.month - d0.month or 1
    choices = [1, 3, 12, 24, 60, 120]
    step = min(choices, key=lambda c: abs(math.log(max(span / c, 0.5) / count)))
    ticks = []
    index = d0.year * 12 + d0.month - 1
    index += (-index) % step if step < 12 else (-(index % 12)) % 12
    while True:
        year, month = divmod(index, 12)
        if step >= 12 and year % (step // 12):
            index += 12
            continue
        day = date(year, month + 1, 1).toordinal()
        if day > last:
            return ticks or [first]  # less than a month: the one period's month
        if day >= first:
            ticks.append(day)
        index += step


def month_label(day: int) -> str:
    d = date.fromordinal(day)
    return f"{MONTHS[d.month - 1]} {d.year}"


# ---------------------------------------------------------------- drawing


class Canvas:
    """SVG elements in the order drawn (later on top)."""

    def __init__(self):
        self.parts: list[str] = []
        self.legend_width = 0.0  # how far a legend reaches right of where it starts

    def text(self, x, y, content, size=LABEL, anchor="start", bold=False, fill=INK, rotate=False, baseline=None):
        attrs = f'x="{_n(x)}" y="{_n(y)}"'
        if rotate:
            attrs = f'transform="translate({_n(x)},{_n(y)}) rotate(-90)"'
        extra = ' font-weight="bold"' if bold else ""
        extra += f' dominant-baseline="{baseline}"' if baseline else ""
        self.parts.append(f'<text {attrs} font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
                          f"{escape(content)}</text>")

    def line(self, x1, y1, x2, y2, stroke, width=1.0, dash=None):
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
                          f'stroke-width="{_n(width)}"{dashed}/>')

    def rect(self, x, y, w, h, fill, stroke=None):
        outline = f' stroke="{stroke}" stroke-width="1.5"' if stroke else ""
        self.parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(max(h, 0))}" '
                          f'fill="{fill}"{outline}/>')

    def path(self, d, stroke="none", width=1.0, fill="none", dash=None, opacity=None):
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        extra += f' fill-opacity="{opacity}"' if opacity is not None else ""
        self.parts.append(f'<path d="{d}" stroke="{stroke}" stroke-width="{_n(width)}" fill="{fill}"{extra}/>')

    def dots(self, points, colour, radius):
        """Filled circles, as zero-length strokes with round caps: one short path for them all."""
        if points:
            d = "".join(f"M{x:.1f},{y:.1f}h0" for x, y in points)
            self.parts.append(f'<path d="{d}" stroke="{colour}" stroke-width="{_n(2 * radius)}" '
                              'stroke-linecap="round" fill="none"/>')

    def svg(self, width: float, height: float) -> str:
        w, h = math.ceil(width), math.ceil(height)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="{w}" height="{h}" '
                f'viewBox="0 0 {w} {h}" font-family="{FONT}"><rect width="{w}" height="{h}" fill="{WHITE}"/>'
                + "".join(self.parts) + "</svg>")


def _dash(i: int) -> str | None:
    pattern = DASHES[i % len(DASHES)]
    return None if pattern == [1, 0] else ",".join(str(p) for p in pattern)


def _polyline(points: list[tuple[float, float] | None]) -> str:
    """A path through the points, broken at each None (a gap in the data)."""
    out, pen_up = [], True
    for point in points:
        if point is None:
            pen_up = True
            continue
        out.append(f"{'M' if pen_up else 'L'}{point[0]:.1f},{point[1]:.1f}")
        pen_up = False
    return "".join(out)


def _value_axis(c: Canvas, ticks, scale: Linear, axis: ValueAxis, left: float, width: float):
    for t, label in zip(ticks, axis.labels(ticks)):
        y = scale(t)
        c.line(left, y, left + width, y, GRID)
        c.line(left - 5, y, left, y, DOMAIN)
        c.text(left - 7, y + 4, label, anchor="end")


def thinned(positions: list[float], labels: list[str], gap: float = 4) -> list[int]:
    """Indexes of the labels to show along a horizontal axis: every one, or every 2nd, 4th...
    until no two overlap (Vega's "parity" label overlap)."""
    stride = 1
    while stride < len(labels):
        shown = list(range(0, len(labels), stride))
        if all(positions[b] - positions[a] >= (text_width(labels[a]) + text_width(labels[b])) / 2 + gap
               for a, b in zip(shown, shown[1:])):
            return shown
        stride *= 2
    return [0] if labels else []


def _legend(c: Canvas, x: float, y: float, title: str, entries: list[tuple[str, str, str | None]],
            kind: str = "stroke", columns: int = 1, edge: str | None = None) -> float:
    """Entries (label, colour, dash) below the chart; returns the height used. ``edge`` outlines
    each square (the forecast's ranges, whose pale fills alone would not be seen)."""
    if title:
        c.text(x, y + 13, title, size=TITLE, bold=True)
    width = max((text_width(label) for label, _, _ in entries), default=0) + 40
    for i, (label, colour, dash) in enumerate(entries):
        row, col = divmod(i, columns)
        ex, ey = x + col * width, y + 24 + row * 20
        if kind == "stroke":
            c.line(ex, ey + 6, ex + 20, ey + 6, colour, 3, dash)
        else:  # an outline's entry (its fill OUTLINE) is drawn as one too
            c.rect(ex + 4, ey, 12, 12, colour, edge or (PALETTE[0] if colour == OUTLINE else None))
        c.text(ex + 26, ey + 10, label)
    rows = math.ceil(len(entries) / columns)
    c.legend_width = max(c.legend_width, width * min(columns, len(entries)))
    return 24 + rows * 20


# ---------------------------------------------------------------- chart kinds


def _time_chart(spec: dict, kind: str) -> str:
    """Lines over time (one or several series), forecast bands and stacked shares."""
    sets = spec.get("datasets", {})
    table = sets.get("table", [])
    axis = ValueAxis(spec)
    axis.title = axis.title or _title_of(spec, "y") or ""
    stacked, band = kind == "stacked-shares", kind == "forecast-band"
    days = [_day(r["start"]) for r in table]
    ends = [_day(r["end"]) for r in table] if stacked else days
    first, last = min(days), max(ends) + (1 if stacked else 0)  # bars run to the end of their last day
    if band:
        values = [v for r in table for v in (r.get("value"), r.get("forecast"), r.get("low95"), r.get("high95"))
                  if v is not None]
    elif stacked:
        values = [100.0]
    else:
        values = [r["value"] for r in table if r.get("value") is not None]
        values += [r["value"] for r in sets.get("target", []) if r.get("value") is not None]
    values = values or [0.0]  # every value missing: an empty axis rather than no picture
    ticks = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0] if stacked else nice_ticks(min(values), max(values),
                                                                            math.ceil(HEIGHT / 40), axis.min_step)
    labels_w = max(map(text_width, axis.labels(ticks)))
    left, top = 5 + 18 + labels_w + 8, 12
    x = Linear(first, last if last > first else first + 1, left, left + WIDTH)
    y = Linear(ticks[0], ticks[-1], top + HEIGHT, top)
    c = Canvas()
    years = spec.get("usermeta", {}).get("years")  # yearly figures: a tick at each year, named as it
    # A short chart's ticks are the interactive one's (chart_templates._ticks_at_months): its periods'
    # months, not the month after its last bar's end (a month's stack had read 'Jan 2022, Feb 2022').
    short = _months_between(min(days), max(days)) < SHORT_MONTHS
    x_ticks = [_day(start) for start, _ in years] if years else month_ticks(first, max(days) if short else last)
    for t in x_ticks:
        c.line(x(t), top, x(t), top + HEIGHT, GRID)
    _value_axis(c, ticks, y, axis, left, WIDTH)
    legend: list[tuple[str, str, str | None]] = []
    labels_right = 0.0  # room for names beside the last bar
    if stacked:
        order: dict[str, int] = {}
        base: dict[str, float] = {}
        shapes: dict[int, list[str]] = {}  # one path of rectangles per series
        for r in sorted(table, key=lambda r: (r["start"], r.get("order", 0))):
            i = order.setdefault(r["series"], len(order))
            low = base.get(r["start"], 0.0)
            high = low + (r["value"] or 0.0)
            base[r["start"]] = high
            x0, x1 = x(_day(r["start"])), x(_day(r["end"]) + 1)
            shapes.setdefault(i, []).append(f"M{x0:.1f},{y(high):.1f}H{x1:.1f}V{y(low):.1f}H{x0:.1f}Z")
        for i, parts in shapes.items():
            c.path("".join(parts), stroke=WHITE, width=2, fill=PALETTE[i % len(PALETTE)])
        legend = [(name, PALETTE[i % len(PALETTE)], None) for name, i in order.items()]
        # Each channel named beside its part of the last bar, where tall enough, as the template does.
        latest = max(r["start"] for r in table)
        low = 0.0
        for r in sorted((r for r in table if r["start"] == latest), key=lambda r: r.get("order", 0)):
            share = r["value"] or 0.0
            if share >= STACK_LABEL_MIN:
                c.text(x(_day(r["end"])) + 4, y(low + share / 2) + 4, r["series"], size=12)
                labels_right = max(labels_right, text_width(r["series"], 12) + 8)
            low += share
    elif band:
        for low, high, fill, dash in (("low95", "high95", BAND_FILLS[1], "2,2"),
                                      ("low80", "high80", BAND_FILLS[0], None)):
            pts = [r for r in table if r.get(low) is not None and r.get(high) is not None]
            if pts:
                upper = [f"{_n(x(_day(r['start'])))},{_n(y(r[high]))}" for r in pts]
                lower = [f"{_n(x(_day(r['start'])))},{_n(y(r[low]))}" for r in reversed(pts)]
                c.path("M" + "L".join(upper + lower) + "Z", stroke=BAND_EDGE, fill=fill, dash=dash)
        for field, colour, dash in (("value", PALETTE[0], None), ("forecast", PALETTE[1], "6,3")):
            points = [(x(_day(r["start"])), y(r[field])) if r.get(field) is not None else None for r in table]
            while points and points[0] is None:
                points.pop(0)
            c.path(_polyline(points), stroke=colour, width=2.5, dash=dash)
            c.dots([p for p in points if p is not None], colour, 2.4)
    else:
        series: dict[str, list] = {}
        for r in table:
            series.setdefault(r.get("series", ""), []).append(r)
        radius = 2.4 if len(series) > 1 or "series" in (table[0] if table else {}) else 2.76
        for i, (name, rows) in enumerate(series.items()):
            colour = PALETTE[i % len(PALETTE)]
            points = [(x(_day(r["start"])), y(r["value"])) if r.get("value") is not None else None for r in rows]
            c.path(_polyline(points), stroke=colour, width=2.5, dash=_dash(i))
            c.dots([p for p in points if p is not None], colour, radius)
            legend.append((name, colour, _dash(i)))
        for r in sets.get("target", []):
            if r.get("value") is not None:
                c.line(left, y(r["value"]), left + WIDTH, y(r["value"]), PALETTE[1], 1, "6,3")
    for note in sets.get("annotations", []):
        day = _day(note["date"])
        if first <= day <= last:
            c.line(x(day), top, x(day), top + HEIGHT, DOMAIN, 1, "4,3")
            c.text(x(day) + 4, top + 6, note["number"], size=11, baseline="hanging")
    c.line(left, top + HEIGHT, left + WIDTH, top + HEIGHT, DOMAIN)
    tick_labels = [label for _, label in years] if years else [month_label(t) for t in x_ticks]
    for i in thinned([x(t) for t in x_ticks], tick_labels):
        c.line(x(x_ticks[i]), top + HEIGHT, x(x_ticks[i]), top + HEIGHT + 5, DOMAIN)
        c.text(x(x_ticks[i]), top + HEIGHT + 19, tick_labels[i], anchor="middle")
    bottom = top + HEIGHT + 40
    c.text(left + WIDTH / 2, bottom - 4, _title_of(spec, "x") or "Period", size=TITLE, anchor="middle", bold=True)
    c.text(left - labels_w - 16, top + HEIGHT / 2, axis.title, size=TITLE, anchor="middle", bold=True, rotate=True)
    height = bottom
    if band:  # the ranges and the lines, as the template's two legends show them
        used = _legend(c, left, bottom + 10, "", list(zip(FORECAST_RANGES, BAND_FILLS, (None, None))), "square",
                       edge=BAND_EDGE)
        ranges_width, c.legend_width = c.legend_width + 20, 0.0
        used = max(used, _legend(c, left + ranges_width, bottom + 10, "",
                                 list(zip(FORECAST_LINES, PALETTE, (None, "6,3")))))
        c.legend_width += ranges_width
        height += 10 + used
    elif len(legend) > 1 or (legend and legend[0][0]):
        title = "Channel" if stacked else _legend_title(spec)
        height += 10 + _legend(c, left, bottom + 10, title, legend, "square" if stacked else "stroke",
                               3 if stacked else 1)
    return c.svg(max(left + WIDTH + max(30, labels_right), left + c.legend_width + 10), height + 5)


def _legend_title(spec: dict) -> str:
    for enc in _encodings(spec):
        colour = enc.get("color")
        if isinstance(colour, dict) and colour.get("legend"):
            return colour["legend"].get("title") or colour.get("title") or ""
    return ""


def _bars_across(spec: dict, kind: str) -> str:
    """Horizontal bars: ranked names (one bar each) or channel split (two periods per channel)."""
    table = spec.get("datasets", {}).get("table", [])
    axis = ValueAxis(spec, "x")
    split = kind == "split-bars"
    width = WIDTH - (140 if split else 260)
    names = list(dict.fromkeys(r["series"] for r in table))
    windows = (_split_domain(spec) or list(dict.fromkeys(r.get("window", "") for r in table))) if split else [""]
    step = 18 if split else 22
    group = step * len(windows) + (step if split else 0) * 0.5
    limit = 260
    shown = {n: _truncate(n, limit) for n in names}
    labels_w = max(text_width(s) for s in shown.values())
    left, top = 5 + labels_w + 8, 5
    values = [r["value"] for r in table if r.get("value") is not None] or [0.0]
    ticks = nice_ticks(min(values), max(values), math.ceil(width / 40))
    x = Linear(ticks[0], ticks[-1], left, left + width)
    plot_h = group * len(names)
    c = Canvas()
    for t in ticks:
        c.line(x(t), top, x(t), top + plot_h, GRID)
    for r in table:
        if r.get("value") is None:
            continue
        g = names.index(r["series"])
        w = windows.index(r.get("window", "")) if split else 0
        y0 = top + g * group + (step * 0.25 if split else 0) + w * step + step * 0.05
        # The earlier year an outline beside the latest's solid bar, as the template draws them.
        outlined = split and len(windows) == 2 and w == 0
        c.rect(x(min(0, r["value"])), y0, abs(x(r["value"]) - x(0)), step * 0.9,
               OUTLINE if outlined else PALETTE[0], PALETTE[0] if outlined else None)
        c.text(x(r["value"]) + 3, y0 + step * 0.45 + 4, r.get("label", ""), size=11)
    for g, name in enumerate(names):
        centre = top + g * group + group / 2
        c.line(left - 5, centre, left, centre, DOMAIN)
        c.text(left - 7, centre + 4, shown[name], anchor="end")
    c.line(left, top, left, top + plot_h, DOMAIN)
    c.line(left, top + plot_h, left + width, top + plot_h, DOMAIN)
    tick_labels = axis.labels(ticks)
    for i in thinned([x(t) for t in ticks], tick_labels):
        c.line(x(ticks[i]), top + plot_h, x(ticks[i]), top + plot_h + 5, DOMAIN)
        c.text(x(ticks[i]), top + plot_h + 19, tick_labels[i], anchor="middle")
    bottom = top + plot_h + 40
    c.text(left + width / 2, bottom - 4, axis.title, size=TITLE, anchor="middle", bold=True)
    height = bottom
    if split:
        height += 10 + _legend(c, left, bottom + 10, "Period",
                               [(w, OUTLINE if len(windows) == 2 and i == 0 else PALETTE[0], None)
                                for i, w in enumerate(windows)], "square")
    longest = max((text_width(r.get("label", ""), 11) for r in table), default=0)
    return c.svg(max(left + width + longest + 10, left + c.legend_width + 10), height + 5)


def _split_domain(spec: dict) -> list[str] | None:
    """A channel split's periods in the order the template was given them (chart_templates.fill)."""
    for enc in _encodings(spec):
        domain = (enc.get("fill") or {}).get("scale", {}).get("domain") if isinstance(enc.get("fill"), dict) else None
        if domain:
            return list(domain)
    return None


def _truncate(name: str, limit: float) -> str:
    if text_width(name) <= limit:
        return name
    while name and text_width(name + "…") > limit:
        name = name[:-1]
    return name.rstrip() + "…"


def _month_bars(spec: dict) -> str:
    table = spec.get("datasets", {}).get("table", [])
    axis = ValueAxis(spec)
    values = [r["value"] for r in table if r.get("value") is not None] or [0.0]
    ticks = nice_ticks(min(values), max(values), math.ceil(HEIGHT / 40))
    labels_w = max(map(text_width, axis.labels(ticks)))
    left, top = 5 + 18 + labels_w + 8, 12
    y = Linear(ticks[0], ticks[-1], top + HEIGHT, top)
    c = Canvas()
    _value_axis(c, ticks, y, axis, left, WIDTH)
    band = WIDTH / max(len(table), 1)
    for i, r in enumerate(table):
        bx = left + i * band
        if r.get("value") is not None:
            c.rect(bx + band * 0.05, y(max(r["value"], 0)), band * 0.9, abs(y(r["value"]) - y(0)), PALETTE[0])
        c.line(bx + band / 2, top + HEIGHT, bx + band / 2, top + HEIGHT + 5, DOMAIN)
        c.text(bx + band / 2, top + HEIGHT + 19, str(r["series"])[:3], anchor="middle")
    c.line(left, top + HEIGHT, left + WIDTH, top + HEIGHT, DOMAIN)
    bottom = top + HEIGHT + 40
    c.text(left + WIDTH / 2, bottom - 4, _title_of(spec, "x") or "", size=TITLE, anchor="middle", bold=True)
    c.text(left - labels_w - 16, top + HEIGHT / 2, axis.title, size=TITLE, anchor="middle", bold=True, rotate=True)
    return c.svg(left + WIDTH + 10, bottom + 5)


def draw(spec: dict) -> str:
    """The static SVG of a filled template (its kind is in ``usermeta``)."""
    kind = (spec.get("usermeta") or {}).get("kind", "")
    if not spec.get("datasets", {}).get("table"):
        return Canvas().svg(WIDTH, 40)
    if kind.startswith("line") or kind in ("stacked-shares", "forecast-band"):
        return _time_chart(spec, kind)
    if kind == "month-bars":
        return _month_bars(spec)
    if kind == "split-bars" or kind.startswith("ranked-"):
        return _bars_across(spec, kind)
    raise ValueError(f"no static drawing for chart kind {kind!r}")
