"""The built-in static SVG renderer: geometry and labels checked against values worked out by hand."""

import re
import xml.etree.ElementTree as ET

import pytest

from generator.chart_templates import HEIGHT, KINDS, PALETTE, WIDTH, fill
from generator.svg_charts import d3_format, draw, month_ticks, nice_ticks, text_width, thinned

NS = "{http://www.w3.org/2000/svg}"
TOP = 12  # the plot's top edge in time charts; its bottom is TOP + HEIGHT


def month(year, m, value, **extra):
    end = {2: 29 if year % 4 == 0 else 28, 4: 30, 6: 30, 9: 30, 11: 30}.get(m, 31)
    return {"start": f"{year}-{m:02d}-01", "end": f"{year}-{m:02d}-{end}", "period": f"{m}/{year}",
            "value": value, **extra}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root) -> list[str]:
    return [t.text for t in root.iter(NS + "text")]


def stroked_paths(root, colour=None):
    return [p for p in root.iter(NS + "path") if p.get("stroke") not in (None, "none", "#ffffff")
            and p.get("stroke-linecap") != "round" and (colour is None or p.get("stroke") == colour)]


def test_nice_ticks_match_vegas_nice_domain():
    assert nice_ticks(0, 40, 7) == [0, 5, 10, 15, 20, 25, 30, 35, 40]
    assert nice_ticks(45000, 136000, 7) == [i * 20000 for i in range(8)]  # zero included, 140,000 on top
    assert nice_ticks(0, 74.3, 13) == [i * 5 for i in range(16)]
    assert nice_ticks(0, 0, 7)[0] == 0 and nice_ticks(0, 0, 7)[-1] > 0  # all zero still has an axis


def test_month_ticks_pick_years_for_five_years_and_quarters_for_three():
    from datetime import date
    five = month_ticks(date(2021, 1, 1).toordinal(), date(2025, 12, 1).toordinal())
    assert [date.fromordinal(d).isoformat() for d in five] == [f"{y}-01-01" for y in range(2021, 2026)]
    three = month_ticks(date(2024, 1, 1).toordinal(), date(2025, 12, 1).toordinal())
    assert [date.fromordinal(d).isoformat() for d in three][:3] == ["2024-01-01", "2024-04-01", "2024-07-01"]


def test_number_formats_follow_d3():
    assert d3_format(1234567.4, ",.0f") == "1,234,567"
    assert d3_format(1234.5, ",.2~f") == "1,234.5"
    assert d3_format(2, ",.2f") == "2.00"
    assert d3_format(-3, ".0f") == "−3"  # a real minus sign, as d3 writes


def test_overlapping_labels_are_thinned_to_every_other_one():
    labels = ["1,000,000"] * 9
    assert thinned([i * 40.0 for i in range(9)], labels) == [0, 2, 4, 6, 8]
    assert thinned([i * 200.0 for i in range(9)], labels) == list(range(9))


def test_a_line_breaks_at_a_gap_and_draws_the_target_where_it_belongs():
    rows = [month(2024, 1, 10.0), month(2024, 2, 20.0), month(2024, 3, None), month(2024, 4, 40.0)]
    root = parse(draw(fill("line-count", {"table": rows, "target": [{"value": 30.0}]}, "x")))
    line = stroked_paths(root, PALETTE[0])[0].get("d")
    assert line.count("M") == 2 and line.count("L") == 1  # Jan-Feb joined; April stands alone
    dots = [p for p in root.iter(NS + "path") if p.get("stroke-linecap") == "round"][0]
    assert dots.get("d").count("h0") == 3  # a point per value, none for the gap
    # Ticks 0, 5, ..., 40 (d3's step for 7 ticks over 0-40); the target 30 is 3/4 of the way up.
    assert [t for t in texts(root) if t and t.isdigit()] == [str(v) for v in range(0, 45, 5)]
    target = [ln for ln in root.iter(NS + "line") if ln.get("stroke-dasharray") == "6,3"]
    assert len(target) == 1 and float(target[0].get("y1")) == pytest.approx(TOP + HEIGHT - 0.75 * HEIGHT)
    assert "Jan 2024" in texts(root) and "Period" in texts(root) and "Number" in texts(root)


def test_axis_labels_carry_the_templates_percent_and_currency():
    rows = [month(2024, 1, 20.0), month(2024, 2, 80.0)]
    assert "80%" in texts(parse(draw(fill("line-percent", {"table": rows}, "x"))))
    money = texts(parse(draw(fill("line-money", {"table": [month(2024, 1, 1.5), month(2024, 2, 2.0)]}, "x"))))
    assert "£2.00" in money and "£0.00" in money


def test_each_series_has_its_own_colour_dash_and_legend_entry():
    rows = [month(2024, m, 10.0 * m, series="Online") for m in (1, 2, 3)]
    rows += [month(2024, m, 5.0, series="Phone") for m in (1, 2, 3)]
    root = parse(draw(fill("lines-by-channel", {"table": rows}, "x")))
    online, phone = stroked_paths(root, PALETTE[0]), stroked_paths(root, PALETTE[1])
    assert len(online) == 1 and len(phone) == 1
    assert online[0].get("stroke-dasharray") is None and phone[0].get("stroke-dasharray") == "6,3"
    assert {"Channel", "Online", "Phone"} <= set(texts(root))
    legend_keys = [ln for ln in root.iter(NS + "line") if ln.get("stroke-width") == "3"]
    assert [ln.get("stroke-dasharray") for ln in legend_keys] == [None, "6,3"]  # not told by colour alone


def test_stacked_shares_fill_each_period_from_0_to_100():
    rows = [month(2024, 1, 60.0, series="Online", order=0), month(2024, 1, 40.0, series="Phone", order=1),
            month(2024, 2, 30.0, series="Online", order=0), month(2024, 2, 70.0, series="Phone", order=1)]
    root = parse(draw(fill("stacked-shares", {"table": rows}, "x")))
    shapes = {p.get("fill"): p.get("d") for p in root.iter(NS + "path") if p.get("fill") in PALETTE}
    online = [tuple(map(float, box)) for box in re.findall(r"M([\d.]+),([\d.]+)H[\d.]+V([\d.]+)", shapes[PALETTE[0]])]
    phone = [tuple(map(float, box)) for box in re.findall(r"M([\d.]+),([\d.]+)H[\d.]+V([\d.]+)", shapes[PALETTE[1]])]
    bottom = TOP + HEIGHT
    # January: online from 0 to 60%, phone from 60% to 100%, all of the plot's height between them.
    assert online[0][2] == pytest.approx(bottom) and online[0][1] == pytest.approx(bottom - 0.6 * HEIGHT, abs=0.05)
    assert phone[0][2] == pytest.approx(online[0][1]) and phone[0][1] == pytest.approx(TOP)
    assert online[1][1] == pytest.approx(bottom - 0.3 * HEIGHT, abs=0.05)


def test_ranked_bars_are_as_long_as_their_values_and_long_names_are_shortened():
    rows = [{"series": "A service with a very long name indeed that goes on and on past the limit", "value": 100.0,
             "label": "100"}, {"series": "Short", "value": 50.0, "label": "50"}]
    root = parse(draw(fill("ranked-count", {"table": rows}, "x")))
    bars = [r for r in root.iter(NS + "rect") if r.get("fill") == PALETTE[0]]
    assert [float(b.get("width")) for b in bars] == pytest.approx([WIDTH - 260, (WIDTH - 260) / 2], abs=0.05)
    names = [t for t in texts(root) if t and t.endswith("…")]
    assert len(names) == 1 and text_width(names[0]) <= 260
    assert {"100", "50", "Transactions per year"} <= set(texts(root))


def test_split_bars_and_month_bars_and_forecast_bands_draw():
    split = parse(draw(fill("split-bars", {"table": [
        {"series": "Online", "window": "2023", "value": 40.0, "label": "40.0%"},
        {"series": "Online", "window": "2024", "value": 60.0, "label": "60.0%"}]}, "x")))
    assert {"40.0%", "60.0%", "Period", "2023", "2024"} <= set(texts(split))
    months = parse(draw(fill("month-bars", {"table": [{"series": name, "value": 10.0 * (i + 1)} for i, name in
                                                      enumerate(["January", "February", "March"])]}, "x")))
    assert {"Jan", "Feb", "Mar", "Month"} <= set(texts(months))
    rows = [month(2024, 1, 100.0, forecast=None), month(2024, 2, None, forecast=110.0, low80=100.0, high80=120.0,
                                                        low95=90.0, high95=130.0)]
    band = parse(draw(fill("forecast-band", {"table": rows}, "x")))
    assert stroked_paths(band, PALETTE[1])[0].get("stroke-dasharray") == "6,3"


def _contrast(a: str, b: str) -> float:
    def luminance(colour):
        def channel(c):
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (channel(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_a_forecasts_ranges_are_outlined_and_named_in_a_legend():
    """The ranges were pale fills with 1.3:1 contrast and no legend (WCAG 1.4.11, 1.4.1): each is now
    outlined (solid 80%, dotted 95%) in a colour with 3:1 against white and both fills, and a legend
    names the actual line, the dashed forecast and the two ranges, in the drawing and the template."""
    from generator.chart_templates import BAND_EDGE, BAND_FILLS

    for background in ("#ffffff", *BAND_FILLS):
        assert _contrast(BAND_EDGE, background) >= 3.0, background
    rows = [month(2024, 1, 100.0, forecast=None), month(2024, 2, None, forecast=110.0, low80=100.0, high80=120.0,
                                                        low95=90.0, high95=130.0),
            month(2024, 3, None, forecast=112.0, low80=101.0, high80=125.0, low95=88.0, high95=140.0)]
    spec = fill("forecast-band", {"table": rows}, "x")
    drawn = parse(draw(spec))
    ranges = [(p.get("fill"), p.get("stroke"), p.get("stroke-dasharray")) for p in drawn.iter(NS + "path")
              if p.get("fill") in BAND_FILLS]
    assert ranges == [(BAND_FILLS[1], BAND_EDGE, "2,2"), (BAND_FILLS[0], BAND_EDGE, None)]  # 95% below 80%
    assert {"Transactions", "Forecast", "80% range", "95% range"} <= set(texts(drawn))
    swatches = [(r.get("fill"), r.get("stroke")) for r in drawn.iter(NS + "rect") if r.get("width") == "12"]
    assert swatches == [(BAND_FILLS[0], BAND_EDGE), (BAND_FILLS[1], BAND_EDGE)]
    keys = [(line.get("stroke"), line.get("stroke-dasharray")) for line in drawn.iter(NS + "line")
            if line.get("stroke-width") == "3"]
    assert keys == [(PALETTE[0], None), (PALETTE[1], "6,3")]
    # The interactive template: the same fills and edges, and each layer in a legend.
    layers = spec["layer"]
    assert [(layer["mark"]["stroke"], layer["mark"]["strokeDash"]) for layer in layers[:2]] == [
        (BAND_EDGE, [2, 2]), (BAND_EDGE, [1, 0])]
    assert layers[0]["encoding"]["fill"]["scale"] == {"domain": ["80% range", "95% range"],
                                                      "range": list(BAND_FILLS)}
    assert [layer["encoding"]["color"]["scale"]["domain"] for layer in layers[2:]] == [
        ["Transactions", "Forecast"]] * 2
    assert all("legend" in layer["encoding"]["fill" if i < 2 else "color"] for i, layer in enumerate(layers))


def test_a_channel_splits_years_differ_by_more_than_colour():
    """The earlier year's bars are outlines, the latest's solid (two blues had been the only sign, WCAG
    1.4.1), in the static drawing, its legend and the interactive template; a latest year alone is solid."""
    rows = [{"series": name, "window": year, "value": 50.0, "label": "50.0%"}
            for name in ("Online", "Phone") for year in ("2023", "2024")]
    spec = fill("split-bars", {"table": rows}, "x")
    bars = [r for r in parse(draw(spec)).iter(NS + "rect") if (r.get("fill") == PALETTE[0] or r.get("stroke"))
            and r.get("width") != "12"]
    assert [(r.get("fill"), r.get("stroke")) for r in bars] == [("#ffffff", PALETTE[0]), (PALETTE[0], None)] * 2
    legend = [(r.get("fill"), r.get("stroke")) for r in parse(draw(spec)).iter(NS + "rect")
              if r.get("width") == "12"]
    assert legend == [("#ffffff", PALETTE[0]), (PALETTE[0], None)]
    layer = spec["layer"][0]
    assert layer["mark"]["stroke"] == PALETTE[0] and layer["encoding"]["fill"]["scale"]["range"] == [
        "#ffffff", PALETTE[0]]
    alone = fill("split-bars", {"table": [r for r in rows if r["window"] == "2024"]}, "x")
    assert alone["layer"][0]["encoding"]["fill"]["scale"]["range"] == [PALETTE[0]]
    assert {r.get("fill") for r in parse(draw(alone)).iter(NS + "rect")} - {"#ffffff"} == {PALETTE[0]}
    assert not [r for r in parse(draw(alone)).iter(NS + "rect") if r.get("stroke")]
    assert spec["layer"][0] is not alone["layer"][0]  # the shared template is not changed
    # Online began in 2024, so the rows start with the latest year: given the order, 2023 is still
    # the outline (by the rows' order, a review found the latest drawn as the outline).
    began = [{"series": "Online", "window": "2024", "value": 30.0, "label": "30.0%"}] + [
        r for r in rows if r["series"] == "Phone"]
    ordered = fill("split-bars", {"table": began}, "x", windows=["2023", "2024"])
    assert ordered["layer"][0]["encoding"]["fill"]["scale"]["domain"] == ["2023", "2024"]
    drawn = parse(draw(ordered))
    outlines = [r for r in drawn.iter(NS + "rect") if r.get("stroke") and r.get("width") != "12"]
    assert len(outlines) == 1  # Phone's 2023 bar alone; Online's only bar, 2024, is solid
    legend = [(r.get("fill"), r.get("stroke")) for r in drawn.iter(NS + "rect") if r.get("width") == "12"]
    assert legend == [("#ffffff", PALETTE[0]), (PALETTE[0], None)] and texts(drawn).index("2023") < texts(
        drawn).index("2024")


def test_a_stack_of_shares_names_each_channel_beside_its_last_bar():
    """Stacked shares were told apart by colour and the legend alone: each share of the last bar tall
    enough for a line of text (7 points of 100) is named beside it, in the drawing and the template."""
    rows = [month(2024, m, share, series=name, order=o, end=f"2024-{m:02d}-28")
            for m in (1, 2) for o, (name, share) in enumerate((("Online", 60.0), ("Phone", 34.0), ("Post", 6.0)))]
    spec = fill("stacked-shares", {"table": rows}, "x")
    names = texts(parse(draw(spec)))
    assert names.count("Online") == 2 and names.count("Phone") == 2 and names.count("Post") == 1  # and the legend's
    text = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "text")
    assert text["encoding"]["text"]["field"] == "series" and ">= 7" in text["transform"][3]["filter"]


def test_every_template_kind_draws_well_formed_and_the_same_every_time():
    row = {**month(2024, 1, 5.0), "series": "Online", "window": "2024", "label": "5", "order": 0,
           "forecast": None}
    for kind in KINDS:
        spec = fill(kind, {"table": [row], "annotations": [
            {"date": "2024-01-15", "label": "15 January 2024", "text": "x", "number": "1"}]}, "d")
        svg = draw(spec)
        assert parse(svg).tag == NS + "svg", kind
        assert draw(spec) == svg, kind


def test_awkward_data_still_draws():
    """All values missing, negative values, one point, a name needing escaping."""
    blank = draw(fill("line-count", {"table": [month(2024, 1, None), month(2024, 2, None)]}, "x"))
    assert parse(blank).tag == NS + "svg"
    below = texts(parse(draw(fill("lines-money", {"table": [month(2024, 1, -50.0, series="Net <loss> & gain"),
                                                              month(2024, 2, 20.0, series="Net <loss> & gain")]},
                                  "x"))))
    assert "Net <loss> & gain" in below and "£−50" in below  # as Vega labels it
    bars = parse(draw(fill("ranked-money", {"table": [{"series": "Refunds", "value": -30.0, "label": "−£30"},
                                                       {"series": "Fees", "value": 60.0, "label": "£60"}]}, "x")))
    widths = sorted(float(r.get("width")) for r in bars.iter(NS + "rect") if r.get("fill") == PALETTE[0])
    assert widths[1] == pytest.approx(2 * widths[0], abs=0.1)  # both drawn from zero, in proportion


def test_small_details_match_vega():
    assert d3_format(-0.2, ".0f") == "0"  # no "−0"
    one = parse(draw(fill("stacked-shares", {"table": [month(2024, 1, 60.0, series="Online", order=0),
                                                       month(2024, 1, 40.0, series="Phone", order=1)]}, "x")))
    right = max(float(x) for p in one.iter(NS + "path") if p.get("fill") in PALETTE
                for x in re.findall(r"H([\d.]+)", p.get("d")))
    plot_right = max(float(ln.get("x2")) for ln in one.iter(NS + "line"))
    assert right <= plot_right + 0.05  # one period's bar stays inside the plot
    assert "Jan 2024" in texts(one)  # and its month is labelled
    long_name = "A channel with a name far longer than any chart is wide, to see the legend fit in"
    wide = parse(draw(fill("lines-by-channel", {"table": [month(2024, 1, 5.0, series=long_name),
                                                           month(2024, 1, 6.0, series="Phone")]}, "x")))
    assert float(wide.get("width")) >= text_width(long_name)


def test_a_count_axis_is_ticked_at_whole_numbers_in_both_drawings():
    """A day's one request had an axis of '0 0 0 1 1 1' (0.2 to 1, rounded): counts are ticked at
    whole numbers, in the template (tickMinStep, which Vega reads) and in the static drawing."""
    assert nice_ticks(0, 1, 7, 1) == [0, 1] and nice_ticks(0, 3, 7, 1) == [0, 1, 2, 3]
    assert nice_ticks(0, 40, 7, 1) == nice_ticks(0, 40, 7)  # larger counts as before
    spec = fill("lines-by-channel", {"table": [month(2024, 1, 1.0, series="Online"),
                                               month(2024, 2, 0.0, series="Online")]}, "x")
    assert spec["layer"][0]["encoding"]["y"]["axis"]["tickMinStep"] == 1
    labels = [t for t in texts(parse(draw(spec))) if t and t.isdigit()]
    assert labels == ["0", "1"]
    percent = fill("line-percent", {"table": [month(2024, 1, 1.0)]}, "x")
    assert "tickMinStep" not in percent["layer"][0]["encoding"]["y"]["axis"]


def test_a_short_charts_time_axis_is_ticked_at_its_months_in_both_drawings():
    """Two months of requests had an interactive axis of 'Jan 2024' four times (Vega ticks weeks
    under a format of months), five December days a tick 'Jan 2018', and a month's stack of shares
    'Jan 2022, Feb 2022' in the static drawing. Short charts are ticked at their months' first
    days, the same in the spec (axis values, which Vega reads) and the static drawing; long ones
    keep Vega's own ticks."""
    two = fill("lines-by-channel", {"table": [month(2024, 1, 5.0, series="Online"),
                                               month(2024, 2, 6.0, series="Online")]}, "x")
    assert two["layer"][0]["encoding"]["x"]["axis"]["values"] == [1704067200000, 1706745600000]  # 1 Jan, 1 Feb
    assert [t for t in texts(parse(draw(two))) if t and "2024" in t] == ["Jan 2024", "Feb 2024"]
    days = [{"start": f"2017-12-{d}", "end": f"2017-12-{d}", "period": f"{d} December 2017", "value": 1.0}
            for d in range(27, 32)]
    five = fill("line-count", {"table": days}, "x")
    assert five["layer"][0]["encoding"]["x"]["axis"]["values"] == [1514332800000]  # its first day, 27 December
    assert [t for t in texts(parse(draw(five))) if t and "20" in t and "%" not in t] == ["Dec 2017"]
    stack = fill("stacked-shares", {"table": [month(2022, 1, 60.0, series="Online", order=0),
                                              month(2022, 1, 40.0, series="Phone", order=1)]}, "x")
    assert [t for t in texts(parse(draw(stack))) if t and "2022" in t] == ["Jan 2022"]
    year = fill("line-count", {"table": [month(2023, m, 1.0) for m in range(1, 13)]}, "x")
    assert "values" not in year["layer"][0]["encoding"]["x"]["axis"]


def _vega_labels(spec: dict, ending: str) -> list[str]:
    """The value axis's labels as Vega draws them (vl-convert runs the browser's Vega)."""
    import json

    import vl_convert

    svg = vl_convert.vegalite_to_svg(json.dumps(spec))
    return [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t.endswith(ending) and "20" not in t[:4]]


def test_an_axis_of_small_figures_has_the_decimals_its_ticks_need_in_both_drawings():
    """A complaints rate of 0.1% to 0.9% had an axis of '0%, 0%, 0%, 0%, 0%, 1%, 1%...' (a fixed
    '.0f'), and amounts under £1 one of '£0, £0, £1': both drawings now give each label the
    decimals the step between ticks needs, and larger figures keep none."""
    assert d3_format(0.4, ",f", 0.2) == "0.4" and d3_format(0, ",f", 0.2) == "0.0"
    assert d3_format(0.015, ",f", 0.005) == "0.015" and d3_format(1_200_000, ",f", 200_000) == "1,200,000"
    rates = fill("line-percent", {"table": [month(2024, m, v) for m, v in ((1, 0.1), (2, 0.5), (3, 0.9))]}, "x")
    ours = [t for t in texts(parse(draw(rates))) if t and t.endswith("%")]
    assert ours == ["0.0%", "0.1%", "0.2%", "0.3%", "0.4%", "0.5%", "0.6%", "0.7%", "0.8%", "0.9%"]
    assert _vega_labels(rates, "%") == ours
    whole = fill("line-percent", {"table": [month(2024, 1, 12.0), month(2024, 2, 78.0)]}, "x")
    assert [t for t in texts(parse(draw(whole))) if t and t.endswith("%")] == [f"{v}%" for v in range(0, 90, 10)]
    amounts = fill("line-amount", {"table": [month(2024, 1, 0.25), month(2024, 2, 0.6)]}, "x")
    ours = [t for t in texts(parse(draw(amounts))) if t and t.startswith("£")]
    assert ours == ["£0.0", "£0.1", "£0.2", "£0.3", "£0.4", "£0.5", "£0.6"]
    assert [t for t in _vega_labels(amounts, "") if t.startswith("£")] == ours
