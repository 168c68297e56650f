"""Vega-Lite chart templates, each authored once with Altair.

A template reads its rows from the named dataset ``table`` (and dated notes
from ``annotations``). Filling a template for one service is then a dict
copy plus ``datasets``, not a new Altair chart: building and validating an
Altair chart per service costs ~28 ms against well under 1 ms to fill a
template, which matters at hundreds of services. The tests validate every
filled template against the Vega-Lite schema.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from datetime import date
from functools import lru_cache
from pathlib import Path

# Okabe-Ito colours, darkened where needed so each has at least 3:1 contrast
# with white; lines also differ in dash pattern and are labelled directly, so
# colour is never the only way to tell series apart. The fifth is near-black:
# an olive (#8A6A00) was next to indistinguishable from the second (#C04F00) to
# people with protanopia or deuteranopia, in stacks where colour alone tells them apart.
PALETTE = ["#0072B2", "#C04F00", "#007A5A", "#A6508A", "#2B2B2B", "#505A5F", "#1D4F91", "#6B3FA0"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3], [10, 2], [3, 6]]
# The forecast's ranges: the 95% range is 25% of #4A86C5 over white, the 80% range 45% of it over
# that, drawn opaque so that the legend's swatches are the colours on the chart; outlined in BAND_EDGE.
BAND_FILLS = ("#95B8DD", "#D2E1F1")  # 80%, 95%
BAND_EDGE = "#1D4F91"
FORECAST_LINES = ["Transactions", "Forecast"]
FORECAST_RANGES = ["80% range", "95% range"]
STACK_LABEL_MIN = 7  # percentage points: a stacked share this tall (20 pixels of 280) has room for its name
OUTLINE = "#ffffff"  # the fill of a bar drawn as an outline (the earlier year's, beside the latest's)
PERCENT_LABEL = "datum.label + '%'"
# A value axis's figures: d3 picks as many decimals as the ticks' step needs (0.2% steps read
# '0.2%', not '0%'; 20% steps '20%'). A fixed '.0f' had labelled a complaints rate's axis
# '0%, 0%, 0%, 1%'. The static drawing (generator.svg_charts) picks them the same way.
AXIS_FIGURES = ",f"
WIDTH = 640
HEIGHT = 280
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"


def _config():
    return {
        "font": FONT,
        "axis": {"labelFontSize": 12, "titleFontSize": 13, "labelColor": "#0b0c0c", "titleColor": "#0b0c0c",
                 "gridColor": "#d8d8d8", "domainColor": "#505a5f", "tickColor": "#505a5f"},
        "legend": {"labelFontSize": 12, "titleFontSize": 13, "labelColor": "#0b0c0c", "titleColor": "#0b0c0c",
                   "orient": "bottom", "direction": "vertical", "symbolStrokeWidth": 3, "labelLimit": 0},
        "view": {"stroke": None},
        "background": "#ffffff",
    }


def _annotations(alt):
    notes = alt.Chart(alt.Data(name="annotations"))
    rule = notes.mark_rule(color="#505a5f", strokeDash=[4, 3]).encode(
        x="date:T", tooltip=[alt.Tooltip("label:N", title="Date"), alt.Tooltip("text:N", title="Note")])
    label = notes.mark_text(align="left", dx=4, dy=-6, fontSize=11, color="#0b0c0c", baseline="top").encode(
        x="date:T", y=alt.value(0), text="number:N")
    return [rule, label]


def _axis(alt, fmt: str, label_expr: str | None, whole: bool = False):
    """A value axis; ``whole``: of counts, ticked at whole numbers only (a day's one request had
    an axis of '0 0 0 1 1 1', 0.2 to 1 rounded)."""
    options = {"format": fmt, **({"labelExpr": label_expr} if label_expr else {}), **({"tickMinStep": 1} if whole else {})}
    return alt.Axis(**options)


def _time_line(alt, value_title: str, fmt: str, series: bool, label_expr: str | None = None,
               axis_fmt: str | None = None, legend_title: str = "Channel", whole: bool = False):
    base = alt.Chart(alt.Data(name="table"))
    x = alt.X("start:T", title="Period", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6))
    y = alt.Y("value:Q", title=value_title, axis=_axis(alt, axis_fmt or fmt, label_expr, whole))
    tooltip = [alt.Tooltip("period:N", title="Period"), alt.Tooltip("value:Q", title=value_title, format=fmt)]
    # Nulls (gaps in the data) break the line instead of joining across them.
    if series:
        tooltip.insert(1, alt.Tooltip("series:N", title=legend_title))
        legend = alt.Legend(symbolType="stroke", symbolStrokeWidth=3, symbolSize=400, title=legend_title)
        color = alt.Color("series:N", scale=alt.Scale(range=PALETTE), sort=None, legend=legend)
        dash = alt.StrokeDash("series:N", scale=alt.Scale(range=DASHES), sort=None, legend=legend)
        line = base.mark_line(strokeWidth=2.5, invalid="break-paths-show-domains",
                              point=alt.OverlayMarkDef(size=18, filled=True)).encode(
            x=x, y=y, color=color, strokeDash=dash, detail="series:N", tooltip=tooltip)
        layers = [line]
    else:
        line = base.mark_line(strokeWidth=2.5, color=PALETTE[0], invalid="break-paths-show-domains",
                              point=alt.OverlayMarkDef(size=24, filled=True, color=PALETTE[0])).encode(
            x=x, y=y, tooltip=tooltip)
        target = alt.Chart(alt.Data(name="target")).mark_rule(color=PALETTE[1], strokeDash=[6, 3]).encode(
            y="value:Q", tooltip=[alt.Tooltip("value:Q", title="Target", format=fmt)])
        layers = [line, target]
    chart = alt.layer(*layers, *_annotations(alt)).properties(width=WIDTH, height=HEIGHT)
    return chart


def _split_bars(alt):
    """Each channel's share in the earlier year and the latest: the earlier year's bar an outline,
    the latest's solid, so the two differ by more than colour (two blues had been the only sign)."""
    base = alt.Chart(alt.Data(name="table"))
    bars = base.mark_bar(stroke=PALETTE[0], strokeWidth=1.5).encode(
        y=alt.Y("series:N", title=None, sort=None),
        yOffset=alt.YOffset("window:N", sort=None),
        x=alt.X("value:Q", title="Share of transactions (%)", axis=_axis(alt, AXIS_FIGURES, PERCENT_LABEL)),
        fill=alt.Fill("window:N", title="Period", scale=alt.Scale(range=[OUTLINE, PALETTE[0]]), sort=None,
                      legend=alt.Legend(symbolType="square", symbolStrokeColor=PALETTE[0], symbolStrokeWidth=1.5)),
        tooltip=[alt.Tooltip("series:N", title="Channel"), alt.Tooltip("window:N", title="Period"),
                 alt.Tooltip("value:Q", title="Share (%)", format=".1f")],
    )
    labels = base.mark_text(align="left", dx=3, fontSize=11, color="#0b0c0c").encode(
        y=alt.Y("series:N", sort=None), yOffset=alt.YOffset("window:N", sort=None),
        x="value:Q", text=alt.Text("label:N"))
    return alt.layer(bars, labels).properties(width=WIDTH - 140, height=alt.Step(18))


def _stacked_shares(alt):
    """Each channel's share of a period's transactions, stacked to 100%. Bars also differ in
    their order in the stack and are listed in the legend and the table, not told by colour alone.

    Stacked by a transform: Vega-Lite does not stack a bar that spans ``start`` to ``end`` (x and
    x2), so ``stack="zero"`` drew each share as a 5-pixel tick at its own height."""
    base = alt.Chart(alt.Data(name="table")).transform_stack(
        stack="value", groupby=["start"], sort=[alt.SortField("order")], as_=["share_from", "share_to"])
    # Three to a row, in the stack's order: without a direction, Vega filled the columns first, and
    # listed Online, Face to face, Phone, Post under a stack of Online, Phone, Face to face, Post.
    legend = alt.Legend(title="Channel", orient="bottom", columns=3, direction="horizontal")
    bars = base.mark_bar(stroke="#ffffff", strokeWidth=2).encode(
        x=alt.X("start:T", title="Period", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6)),
        x2="end:T",
        y=alt.Y("share_from:Q", title="Share of transactions (%)",
                axis=_axis(alt, ".0f", PERCENT_LABEL), scale=alt.Scale(domain=[0, 100])),
        y2="share_to:Q",
        color=alt.Color("series:N", scale=alt.Scale(range=PALETTE), sort=None, legend=legend),
        tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("series:N", title="Channel"),
                 alt.Tooltip("value:Q", title="Share (%)", format=".1f")],
    )
    # Each channel named beside its part of the last bar, where that is tall enough for a line of
    # text (STACK_LABEL_MIN points): the stack is then read without matching colours to the legend.
    labels = base.transform_calculate(day="time(toDate(datum.start))").transform_joinaggregate(
        latest="max(day)").transform_filter(
        f"datum.day == datum.latest && datum.share_to - datum.share_from >= {STACK_LABEL_MIN}").transform_calculate(
        middle="(datum.share_from + datum.share_to) / 2").mark_text(
        align="left", baseline="middle", dx=4, fontSize=12, color="#0b0c0c").encode(
        x="end:T", y="middle:Q", text="series:N")
    return alt.layer(bars, labels, *_annotations(alt)).properties(width=WIDTH, height=HEIGHT)


def _forecast_band(alt):
    """Actual transactions, then the forecast as a dashed line inside shaded 80% and 95% ranges.

    Rows have ``value`` (actual) or ``forecast`` with ``low80``..``high95``. A legend names all
    four parts, and each is told by more than its colour (WCAG 1.4.1 and 1.4.11): the forecast
    line is dashed, and each range is outlined in BAND_EDGE (solid for 80%, dotted for 95%),
    whose contrast with the pale fills and with white is at least 3:1, as the fills' is not.
    """
    base = alt.Chart(alt.Data(name="table"))
    x = alt.X("start:T", title="Period", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6))
    lines = alt.Legend(title=None, symbolType="stroke", symbolStrokeWidth=3, symbolSize=400)
    line_colours = alt.Scale(domain=FORECAST_LINES, range=PALETTE[:2])
    line_dashes = alt.Scale(domain=FORECAST_LINES, range=[[1, 0], [6, 3]])
    ranges = alt.Legend(title=None, symbolType="square", symbolStrokeColor=BAND_EDGE, symbolStrokeWidth=1)
    fills = alt.Scale(domain=FORECAST_RANGES, range=list(BAND_FILLS))

    def band(name, low, high, dash):
        return base.transform_calculate(part=json.dumps(name)).mark_area(
            stroke=BAND_EDGE, strokeWidth=1, strokeDash=dash).encode(
            x=x, y=alt.Y(f"{low}:Q", title="Transactions", axis=_axis(alt, ",.0f", None, whole=True)), y2=f"{high}:Q",
            fill=alt.Fill("part:N", scale=fills, legend=ranges))

    def line(name, field, tooltip):
        colour = PALETTE[FORECAST_LINES.index(name)]
        return base.transform_calculate(part=json.dumps(name)).mark_line(
            strokeWidth=2.5, invalid="break-paths-show-domains",
            point=alt.OverlayMarkDef(size=18, filled=True, color=colour)).encode(
            x=x, y=f"{field}:Q", tooltip=tooltip,
            color=alt.Color("part:N", scale=line_colours, legend=lines),
            strokeDash=alt.StrokeDash("part:N", scale=line_dashes, legend=lines))

    actual = line("Transactions", "value", [alt.Tooltip("period:N", title="Period"),
                                            alt.Tooltip("value:Q", title="Transactions", format=",.0f")])
    forecast = line("Forecast", "forecast", [
        alt.Tooltip("period:N", title="Period"), alt.Tooltip("forecast:Q", title="Forecast", format=",.0f"),
        alt.Tooltip("low80:Q", title="80% range from", format=",.0f"),
        alt.Tooltip("high80:Q", title="80% range to", format=",.0f")])
    return alt.layer(band(FORECAST_RANGES[1], "low95", "high95", [2, 2]),
                     band(FORECAST_RANGES[0], "low80", "high80", [1, 0]),
                     actual, forecast).properties(width=WIDTH, height=HEIGHT)


def _month_bars(alt):
    """Average transactions in each calendar month, January to December."""
    base = alt.Chart(alt.Data(name="table"))
    bars = base.mark_bar(color=PALETTE[0]).encode(
        x=alt.X("series:N", title="Month", sort=None, axis=alt.Axis(labelAngle=0, labelExpr="slice(datum.label, 0, 3)")),
        y=alt.Y("value:Q", title="Average transactions", axis=alt.Axis(format=AXIS_FIGURES)),
        tooltip=[alt.Tooltip("series:N", title="Month"), alt.Tooltip("value:Q", title="Average", format=",.0f")])
    return bars.properties(width=WIDTH, height=HEIGHT)


def _ranked_bars(alt, value_title: str, fmt: str, label_expr: str | None = None, axis_fmt: str | None = None):
    base = alt.Chart(alt.Data(name="table"))
    bars = base.mark_bar(color=PALETTE[0]).encode(
        y=alt.Y("series:N", title=None, sort=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("value:Q", title=value_title, axis=_axis(alt, axis_fmt or fmt, label_expr)),
        tooltip=[alt.Tooltip("series:N", title="Name"), alt.Tooltip("value:Q", title=value_title, format=fmt)],
    )
    labels = base.mark_text(align="left", dx=3, fontSize=11, color="#0b0c0c").encode(
        y=alt.Y("series:N", sort=None), x="value:Q", text=alt.Text("label:N"))
    return alt.layer(bars, labels).properties(width=WIDTH - 260, height=alt.Step(22))


def _build_template_json(kind: str, currency: str) -> str:
    import altair as alt  # imported only when charts are drawn

    money_label = f"'{currency}' + datum.label"
    builders = {
        "lines-by-channel": lambda: _time_line(alt, "Transactions", ",.0f", series=True, whole=True),
        "line-percent": lambda: _time_line(alt, "Per cent", ".1f", series=False, label_expr=PERCENT_LABEL,
                                           axis_fmt=AXIS_FIGURES),
        "line-money": lambda: _time_line(alt, f"Cost per transaction ({currency})", ",.2f", series=False,
                                         label_expr=money_label),
        "line-count": lambda: _time_line(alt, "Number", ",.0f", series=False, whole=True),
        "line-seconds": lambda: _time_line(alt, "Seconds", ",.0f", series=False, axis_fmt=AXIS_FIGURES),
        "line-number": lambda: _time_line(alt, "Value", ",.2~f", series=False, axis_fmt=AXIS_FIGURES),
        "line-amount": lambda: _time_line(alt, f"Amount ({currency})", ",.2f", series=False,
                                          label_expr=money_label, axis_fmt=AXIS_FIGURES),
        "lines-money": lambda: _time_line(alt, f"Amount ({currency})", ",.2f", series=True,
                                          label_expr=money_label, axis_fmt=AXIS_FIGURES, legend_title="Series"),
        "split-bars": lambda: _split_bars(alt),
        "stacked-shares": lambda: _stacked_shares(alt),
        "forecast-band": lambda: _forecast_band(alt),
        "month-bars": lambda: _month_bars(alt),
        "ranked-count": lambda: _ranked_bars(alt, "Transactions per year", ",.0f"),
        "ranked-percent": lambda: _ranked_bars(alt, "Digital take-up (%)", ".1f", PERCENT_LABEL, AXIS_FIGURES),
        "ranked-money": lambda: _ranked_bars(alt, f"Amount ({currency})", ",.2~f", money_label),
    }
    chart = builders[kind]().configure(**_config())
    spec = chart.to_dict(validate=True)
    spec.pop("datasets", None)
    spec.pop("$schema", None)  # no URL of another host in the page; charts.js says the mode
    return json.dumps(spec, sort_keys=True)


KINDS = ("lines-by-channel", "line-percent", "line-money", "line-count", "line-seconds", "line-number",
         "line-amount", "lines-money", "split-bars", "stacked-shares", "forecast-band", "month-bars", "ranked-count",
         "ranked-percent", "ranked-money")
# The line template for a declared measure's unit.
LINE_KIND = {"count": "line-count", "percent": "line-percent", "money": "line-amount", "seconds": "line-seconds",
             "number": "line-number"}
_made: dict[tuple[str, str], str] = {}


def _template_json(kind: str, currency: str) -> str:
    if (kind, currency) not in _made:
        _made[kind, currency] = _build_template_json(kind, currency)
    return _made[kind, currency]


def load_templates(cache_dir: Path | None, currency: str) -> None:
    """Make every template for this currency, from the cache folder when it has them.

    Building the six templates with Altair (and importing Altair) takes about a
    second, a large part of a build that changes one service; they depend only
    on this file and Altair's version, so they are kept on disk keyed by both.
    """
    if all((kind, currency) in _made for kind in KINDS):
        return
    key = _key(currency)
    shipped = _shipped().get(key)
    if shipped is not None:  # made when this file was last changed, for this Altair
        for kind, text in shipped.items():
            _made[kind, currency] = text
        return
    path = None
    if cache_dir is not None:
        path = Path(cache_dir) / "chart-templates" / f"{key}.json"
        try:
            for kind, text in json.loads(path.read_text(encoding="utf-8")).items():
                _made[kind, currency] = text
            return
        except (OSError, ValueError):
            pass
    made = {kind: _template_json(kind, currency) for kind in KINDS}
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(made, sort_keys=True), encoding="utf-8")


SHIPPED = Path(__file__).with_name("chart_templates.json")


def _key(currency: str) -> str:
    """What the templates depend on: this file, the currency and Altair's version."""
    return hashlib.sha256(Path(__file__).read_bytes() + currency.encode()
                          + importlib.metadata.version("altair").encode()).hexdigest()[:24]


def _shipped() -> dict:
    """Templates shipped with the package, by key: a build from a clean clone (every CI build)
    then needs neither Altair's import nor its schema validation, about a second."""
    try:
        return json.loads(SHIPPED.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def shipped_templates() -> str:
    """The text of chart_templates.json for every currency the configuration offers."""
    from generator.config import CURRENCIES

    made = {_key(symbol): {kind: _build_template_json(kind, symbol) for kind in KINDS}
            for symbol in sorted(CURRENCIES.values())}
    return json.dumps(made, sort_keys=True, indent=1) + "\n"


def fill(kind: str, datasets: dict[str, list], description: str, currency: str = "£",
         windows: list[str] | None = None) -> dict:
    """A template filled with this chart's data, ready for Vega-Lite.

    Missing values must already be None (JSON null): NaN is not valid JSON. ``windows`` gives a
    channel split's periods, earlier first (else they go in the order the rows have them).
    """
    # The template is shared, not copied: specs are only ever read after this (serialised
    # for the page and for vl-convert), and copying a deep template per chart cost seconds.
    spec = dict(_template(kind, currency))
    spec["datasets"] = {"table": [], "annotations": [], "target": [], **{k: list(v) for k, v in datasets.items()}}
    empty = {name for name in ("annotations", "target") if not spec["datasets"][name]}
    if empty and "layer" in spec:  # Vega warns of an infinite extent for a layer with no rows
        spec["layer"] = [layer for layer in spec["layer"] if layer.get("data", {}).get("name") not in empty]
    spec["description"] = description
    spec["usermeta"] = {"kind": kind}  # which template: the static drawing (generator.svg_charts) reads it
    if kind.startswith("line") or kind == "stacked-shares":
        _label_years(spec, spec["datasets"]["table"])
    if (kind.startswith("line") or kind in ("stacked-shares", "forecast-band")) and "years" not in spec["usermeta"]:
        _ticks_at_months(spec, spec["datasets"]["table"])
    if kind == "split-bars":
        _split_windows(spec, windows or list(dict.fromkeys(row.get("window") for row in spec["datasets"]["table"])))
    return spec


def _split_windows(spec: dict, windows: list[str]) -> None:
    """A channel split's periods in a set order, earlier first, so the earlier year is the outline
    and the latest the solid bar (by the rows' order, a channel that began this year put the latest
    first, and drew it as the outline); a latest year alone is solid. The bars in each channel's
    group go in the same order. The template is shared: its layers are copied, not changed."""
    layers = [dict(layer) for layer in spec["layer"]]
    for layer in layers:
        encoding = dict(layer.get("encoding", {}))
        if "fill" in encoding:
            encoding["fill"] = {**encoding["fill"], "scale": {
                "domain": windows, "range": [OUTLINE, PALETTE[0]] if len(windows) == 2 else [PALETTE[0]]}}
        if "yOffset" in encoding:
            encoding["yOffset"] = {**encoding["yOffset"], "sort": windows}
        layer["encoding"] = encoding
    spec["layer"] = layers


def _year_of(start: str, end: str) -> str | None:
    """'2020/21' for a 12-month period from April 2020 (a financial or rolling year), '2020' for a
    calendar year; None for any other length."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if not 360 <= (last - first).days <= 370:
        return None
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return str(first.year)
    return f"{first.year}/{(first.year + 1) % 100:02d}"


def _label_years(spec: dict, rows: list[dict]) -> None:
    """A chart of yearly figures gets a tick at each year's start, labelled with the year ('2020/21'),
    not ticks every few months labelled 'Apr 2020', 'Oct 2020': a financial year's point sat at
    'Apr 2021' on an axis of months, read as April's figure. Monthly data leaves at its first row."""
    if not rows or "start" not in rows[0] or not rows[0].get("end") or _year_of(rows[0]["start"], rows[0]["end"]) is None:
        return
    labels = {}
    for row in rows:
        label = _year_of(row["start"], row["end"])
        if label is None:
            return  # years beside other periods: the axis of months stays
        labels[row["start"]] = label
    if len(set(labels.values())) < len(labels):
        # Rolling years a quarter apart (the Transactions Explorer's) would all be '2013/14': the
        # axis read '2013/14, 2013/14, 2014/15, 2014/15' (a tester). Its months say which is which.
        return
    starts = sorted(labels)
    epoch = date(1970, 1, 1)
    values = [(date.fromisoformat(start) - epoch).days * 86_400_000 for start in starts]  # UTC milliseconds
    expression = "(" + json.dumps({start: labels[start] for start in starts}) + ")[utcFormat(datum.value, '%Y-%m-%d')]"

    _set_time_axis(spec, {"values": values, "labelExpr": expression})
    spec["usermeta"]["years"] = [[start, labels[start]] for start in starts]  # the static drawing's ticks


SHORT_MONTHS = 6  # a chart's span in months under which Vega ticks weeks or days, each labelled 'Jan 2024'


def _ticks_at_months(spec: dict, rows: list[dict]) -> None:
    """A chart over a few months or days gets its ticks where the static drawing has them, at the
    months' first days (or its first day): Vega's own, a week or a day apart, all read 'Jan 2024'
    under an axis format of months (a tester's two months of requests, and five December days
    ticked 'Jan 2018'). Longer charts keep Vega's ticks, which are months apart already."""
    from generator.svg_charts import month_ticks  # (it reads this module's sizes)

    starts = [row["start"] for row in rows if row.get("start")]
    if not starts:
        return
    first, last = date.fromisoformat(min(starts)[:10]), date.fromisoformat(max(starts)[:10])
    if (last.year - first.year) * 12 + last.month - first.month >= SHORT_MONTHS:
        return
    epoch = date(1970, 1, 1)
    values = [(date.fromordinal(day) - epoch).days * 86_400_000 for day in month_ticks(first.toordinal(),
                                                                                         last.toordinal())]
    _set_time_axis(spec, {"values": values})


def _set_time_axis(spec: dict, options: dict) -> None:
    """These options on the axis of time (x, the rows' start) in every layer: copied, not changed
    in place, as the template is shared."""
    def set_in(node: dict) -> dict:
        node = dict(node)
        encoding = node.get("encoding")
        if encoding and encoding.get("x", {}).get("field") == "start":
            node["encoding"] = {**encoding, "x": {**encoding["x"], "axis": {**encoding["x"].get("axis", {}), **options}}}
        if "layer" in node:
            node["layer"] = [set_in(layer) for layer in node["layer"]]
        return node

    spec.update(set_in({key: spec[key] for key in ("encoding", "layer") if key in spec}))


@lru_cache(maxsize=None)
def _template(kind: str, currency: str) -> dict:
    return json.loads(_template_json(kind, currency))


if __name__ == "__main__":  # python -m generator.chart_templates: refresh chart_templates.json
    SHIPPED.write_text(shipped_templates(), encoding="utf-8")
    print(f"Wrote {SHIPPED}")
