"""Check a site's own colours against WCAG 2.2 AA, where its stylesheet sets them.

A council brands the site by setting the theme's custom properties (``--link``,
``--brand``...) in a stylesheet of its own. A pale link colour, or a value that is
not a colour at all (which the browser drops, leaving links black and the stripe
gone), used to build and pass ``check --strict`` without a word. Each pair the
theme draws together is checked here, with each of the site's stylesheets over
the built-in theme's values: text at 4.5:1, the brand colour (the current navigation item's marker,
the stripe and card tops) at 3:1. Only properties set for the whole page (in
``:root``, ``html`` or ``body``, outside ``@media``) are read; a value this
cannot work out (``var()`` of an unknown property, ``lab()``) is not judged.
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Problems

HEADER = "header background"  # .header's background-color if the site sets one, else --text
HEADER_TEXT = "header text"  # .header__title's color (the site's name in the header), else --white

# (foreground, background, what it is, the contrast WCAG 2.2 AA needs)
PAIRS = (
    ("--text", "--white", "text", 4.5),
    ("--text", "--light-grey", "text on the navigation bar and footer", 4.5),
    ("--secondary-text", "--white", "captions and notes", 4.5),
    ("--secondary-text", "--light-grey", "notes on the grey of missing figures", 4.5),
    ("--link", "--white", "links", 4.5),
    ("--link", "--light-grey", "links in the navigation bar and footer", 4.5),
    ("--link-visited", "--white", "visited links", 4.5),
    ("--link-hover", "--white", "links under the pointer", 4.5),
    ("--focus-text", "--focus", "text in the keyboard focus highlight", 4.5),
    (HEADER_TEXT, HEADER, "the header's text", 4.5),
    ("--brand", "--white", "the stripe under the header and the tops of figure cards", 3.0),
    ("--brand", "--light-grey", "the marker of the current navigation item", 3.0),
    ("--input-border", "--white", "the border of the box to find a service", 3.0),
)
CHECKED = {name for pair in PAIRS for name in pair[:2] if name.startswith("--")}

_KEYWORDS = {"transparent", "currentcolor", "inherit", "initial", "unset", "revert", "revert-layer"}
_FUNCTIONS = ("rgb(", "rgba(", "hsl(", "hsla(", "hwb(", "lab(", "lch(", "oklab(", "oklch(", "color(",
              "color-mix(", "var(", "light-dark(")
# CSS's named colours, each as its hex value, so a brand colour given by name is judged like any other
# (only the sixteen basic ones had been: gold, khaki or pink on the navigation bar passed unjudged).
_NAMED = {
    "aliceblue": "#f0f8ff", "antiquewhite": "#faebd7", "aqua": "#00ffff", "aquamarine": "#7fffd4",
    "azure": "#f0ffff", "beige": "#f5f5dc", "bisque": "#ffe4c4", "black": "#000000", "blanchedalmond": "#ffebcd",
    "blue": "#0000ff", "blueviolet": "#8a2be2", "brown": "#a52a2a", "burlywood": "#deb887", "cadetblue": "#5f9ea0",
    "chartreuse": "#7fff00", "chocolate": "#d2691e", "coral": "#ff7f50", "cornflowerblue": "#6495ed",
    "cornsilk": "#fff8dc", "crimson": "#dc143c", "cyan": "#00ffff", "darkblue": "#00008b", "darkcyan": "#008b8b",
    "darkgoldenrod": "#b8860b", "darkgray": "#a9a9a9", "darkgreen": "#006400", "darkgrey": "#a9a9a9",
    "darkkhaki": "#bdb76b", "darkmagenta": "#8b008b", "darkolivegreen": "#556b2f", "darkorange": "#ff8c00",
    "darkorchid": "#9932cc", "darkred": "#8b0000", "darksalmon": "#e9967a", "darkseagreen": "#8fbc8f",
    "darkslateblue": "#483d8b", "darkslategray": "#2f4f4f", "darkslategrey": "#2f4f4f", "darkturquoise": "#00ced1",
    "darkviolet": "#9400d3", "deeppink": "#ff1493", "deepskyblue": "#00bfff", "dimgray": "#696969",
    "dimgrey": "#696969", "dodgerblue": "#1e90ff", "firebrick": "#b22222", "floralwhite": "#fffaf0",
    "forestgreen": "#228b22", "fuchsia": "#ff00ff", "gainsboro": "#dcdcdc", "ghostwhite": "#f8f8ff",
    "gold": "#ffd700", "goldenrod": "#daa520", "gray": "#808080", "green": "#008000", "greenyellow": "#adff2f",
    "grey": "#808080", "honeydew": "#f0fff0", "hotpink": "#ff69b4", "indianred": "#cd5c5c", "indigo": "#4b0082",
    "ivory": "#fffff0", "khaki": "#f0e68c", "lavender": "#e6e6fa", "lavenderblush": "#fff0f5",
    "lawngreen": "#7cfc00", "lemonchiffon": "#fffacd", "lightblue": "#add8e6", "lightcoral": "#f08080",
    "lightcyan": "#e0ffff", "lightgoldenrodyellow": "#fafad2", "lightgray": "#d3d3d3", "lightgreen": "#90ee90",
    "lightgrey": "#d3d3d3", "lightpink": "#ffb6c1", "lightsalmon": "#ffa07a", "lightseagreen": "#20b2aa",
    "lightskyblue": "#87cefa", "lightslategray": "#778899", "lightslategrey": "#778899",
    "lightsteelblue": "#b0c4de", "lightyellow": "#ffffe0", "lime": "#00ff00", "limegreen": "#32cd32",
    "linen": "#faf0e6", "magenta": "#ff00ff", "maroon": "#800000", "mediumaquamarine": "#66cdaa",
    "mediumblue": "#0000cd", "mediumorchid": "#ba55d3", "mediumpurple": "#9370db", "mediumseagreen": "#3cb371",
    "mediumslateblue": "#7b68ee", "mediumspringgreen": "#00fa9a", "mediumturquoise": "#48d1cc",
    "mediumvioletred": "#c71585", "midnightblue": "#191970", "mintcream": "#f5fffa", "mistyrose": "#ffe4e1",
    "moccasin": "#ffe4b5", "navajowhite": "#ffdead", "navy": "#000080", "oldlace": "#fdf5e6", "olive": "#808000",
    "olivedrab": "#6b8e23", "orange": "#ffa500", "orangered": "#ff4500", "orchid": "#da70d6",
    "palegoldenrod": "#eee8aa", "palegreen": "#98fb98", "paleturquoise": "#afeeee", "palevioletred": "#db7093",
    "papayawhip": "#ffefd5", "peachpuff": "#ffdab9", "peru": "#cd853f", "pink": "#ffc0cb", "plum": "#dda0dd",
    "powderblue": "#b0e0e6", "purple": "#800080", "rebeccapurple": "#663399", "red": "#ff0000",
    "rosybrown": "#bc8f8f", "royalblue": "#4169e1", "saddlebrown": "#8b4513", "salmon": "#fa8072",
    "sandybrown": "#f4a460", "seagreen": "#2e8b57", "seashell": "#fff5ee", "sienna": "#a0522d",
    "silver": "#c0c0c0", "skyblue": "#87ceeb", "slateblue": "#6a5acd", "slategray": "#708090",
    "slategrey": "#708090", "snow": "#fffafa", "springgreen": "#00ff7f", "steelblue": "#4682b4", "tan": "#d2b48c",
    "teal": "#008080", "thistle": "#d8bfd8", "tomato": "#ff6347", "turquoise": "#40e0d0", "violet": "#ee82ee",
    "wheat": "#f5deb3", "white": "#ffffff", "whitesmoke": "#f5f5f5", "yellow": "#ffff00", "yellowgreen": "#9acd32",
}


@dataclass
class Setting:
    value: str
    path: Path | None  # None: the built-in theme's
    line: int
    column: int


def _blank_comments(css: str) -> str:
    """Comments as spaces, keeping line breaks, so offsets still give lines and columns."""
    return re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group()), css, flags=re.S)


def _page_wide_blocks(css: str):
    """(offset, body) of each rule for the whole page (``:root``, ``html``, ``body``) outside any
    at-rule, and (offset, body) of ``.header`` rules, as ('page' or 'header', offset, body)."""
    stack: list[str] = []
    prelude_start = 0
    for brace in re.finditer(r"[{};]", css):
        if brace.group() == ";":  # a statement ('@import url(...);') or a declaration: not the selector
            prelude_start = brace.end()
            continue
        if brace.group() == "{":
            stack.append((css[prelude_start:brace.start()].strip(), brace.end()))
        elif stack:
            selector, start = stack.pop()
            body = css[start:brace.start()]
            if "{" not in body and not any(outer.startswith("@") for outer, _ in stack):
                parts = {part.strip() for part in selector.split(",")}
                if parts & {":root", "html", "body"}:
                    yield "page", start, body
                elif ".header" in parts:
                    yield "header", start, body
                elif ".header__title" in parts:  # the site's name in the header: its text, as the theme sets it
                    yield "title", start, body
        prelude_start = brace.end()


def read_settings(path: Path, builtin: bool, settings: dict[str, Setting]) -> None:
    """Add the colours this stylesheet sets for the whole page (later ones win)."""
    try:
        css = _blank_comments(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return
    for kind, start, body in _page_wide_blocks(css):
        pattern = r"(--[\w-]+)\s*:\s*([^;]+)" if kind == "page" else \
            r"(?<![\w-])(color)\s*:\s*([^;]+)" if kind == "title" else \
            r"(?<![\w-])(background(?:-color)?)\s*:\s*([^;]+)"  # .header's color: the theme's title ignores it
        for found in re.finditer(pattern, body):
            name = found.group(1) if kind == "page" else (HEADER_TEXT if kind == "title" else HEADER)
            if name not in CHECKED and name not in (HEADER, HEADER_TEXT):
                continue
            if found.group(1) == "background" and not is_colour(found.group(2)):
                continue  # the shorthand with an image or a gradient: no one colour to judge
            offset = start + found.start()
            line = css.count("\n", 0, offset) + 1
            column = offset - (css.rfind("\n", 0, offset) + 1) + 1
            value = re.sub(r"\s*!important\s*$", "", found.group(2).strip(), flags=re.I)
            settings[name] = Setting(value, None if builtin else path, line, column)


def is_colour(value: str) -> bool:
    text = value.strip().lower()
    return bool(re.fullmatch(r"#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", text)) or text in _NAMED \
        or text in _KEYWORDS or (text.startswith(_FUNCTIONS) and text.endswith(")"))


def _channel(text: str, scale: float) -> float:
    text = text.strip()
    return float(text[:-1]) / 100 if text.endswith("%") else float(text) / scale


def rgb(value: str, settings: dict[str, Setting], depth: int = 0) -> tuple[float, float, float] | None:
    """The colour as 0-1 red, green and blue, if it is opaque and can be worked out here."""
    text = value.strip().lower()
    text = _NAMED.get(text, text)
    var = re.fullmatch(r"var\(\s*(--[\w-]+)\s*(?:,\s*(.+))?\)", text)
    if var and depth < 5:
        known = settings.get(var.group(1))
        fallback = var.group(2)
        return rgb(known.value, settings, depth + 1) if known else (
            rgb(fallback, settings, depth + 1) if fallback else None)
    hexed = re.fullmatch(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", text)
    if hexed:
        digits = hexed.group(1)
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        if len(digits) == 8 and digits[6:] != "ff":
            return None  # see-through: its contrast depends on what is under it
        return tuple(int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))
    parts = re.fullmatch(r"(rgba?|hsla?)\(\s*([^)]*)\)", text)
    if not parts:
        return None
    numbers = [p for p in re.split(r"[\s,/]+", parts.group(2)) if p]
    try:
        if len(numbers) == 4 and _channel(numbers[3], 1) < 1:
            return None
        if parts.group(1).startswith("rgb") and len(numbers) >= 3:
            return tuple(min(max(_channel(n, 255), 0), 1) for n in numbers[:3])
        if len(numbers) >= 3:
            hue = float(numbers[0].removesuffix("deg")) / 360 % 1
            return colorsys.hls_to_rgb(hue, _channel(numbers[2], 100), _channel(numbers[1], 100))
    except ValueError:
        return None
    return None


def _luminance(colour: tuple[float, float, float]) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in colour]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _hex(colour: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in colour)


def _nearest(colour, backgrounds: list[tuple[tuple[float, float, float], float]]) -> str | None:
    """The same hue made darker (or, on dark backgrounds, lighter) until it has the contrast it needs
    with every background it is shown on, (colour, contrast needed) each: a link's colour suggested
    for white alone (#867400) still failed on the grey of the navigation bar (4.16:1)."""
    darker = {_luminance(background) > 0.18 for background, _ in backgrounds}
    if len(darker) != 1:
        return None  # light and dark backgrounds both: no one direction
    darker = darker.pop()
    for step in range(1, 101):
        factor = 1 - step / 100
        candidate = tuple(c * factor for c in colour) if darker else tuple(1 - (1 - c) * factor for c in colour)
        written = _hex(candidate)  # judged as it will be written: rounding to hex had lost the 4.5:1
        if all(contrast(rgb(written, {}), background) >= needed for background, needed in backgrounds):
            return written
    return None


def _shown(name: str, setting: Setting, colour) -> str:
    """How a message names a colour: as the site wrote it, or the theme's property it comes from."""
    if name in (HEADER, HEADER_TEXT):
        name = {HEADER: ".header background-color", HEADER_TEXT: ".header__title color"}[name] if setting.path else \
            {HEADER: "--text", HEADER_TEXT: "--white"}[name]
    value = _hex(colour) if setting.value.startswith("var(") else setting.value
    return f"{name} {value}"


def media_only_sheets(template_folders: list[Path]) -> frozenset:
    """Names of the stylesheets a template links only for some media (dark mode, print)."""
    names = set()
    for folder in template_folders:
        for template in sorted(Path(folder).rglob("*.html")):
            try:
                text = template.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for tag in re.findall(r"<link\b[^>]*>", text, re.I):
                media = re.search(r"""\bmedia\s*=\s*["']([^"']*)["']""", tag, re.I)
                sheet = re.search(r"""([\w.-]+\.css)""", tag)
                if media and sheet and media.group(1).strip().lower() not in ("", "all", "screen"):
                    names.add(sheet.group(1))
    return frozenset(names)


def check_colours(site_css: list[Path], builtin_css: list[Path], problems: Problems,
                  media_only: frozenset = frozenset()) -> None:
    """Warn, at the line that sets it, of each colour that is not a colour or lacks the contrast.

    Each of the site's stylesheets is judged on its own over the theme's colours: a sheet for dark
    mode sets its own palette, and which sheet wins depends on the page, not on file names. Sheets
    a template links only for some media (``media="(prefers-color-scheme: dark)"``, print) are not
    judged against the light page at all."""
    defaults: dict[str, Setting] = {}
    for path in builtin_css:
        read_settings(path, True, defaults)
    for path in site_css:
        if path.name not in media_only:
            _check_sheet(path, defaults, problems)


def _check_sheet(path: Path, defaults: dict[str, Setting], problems: Problems) -> None:
    settings = dict(defaults)
    read_settings(path, False, settings)
    settings.setdefault(HEADER, settings.get("--text", Setting("#0b0c0c", None, 0, 0)))
    settings.setdefault(HEADER_TEXT, settings.get("--white", Setting("#ffffff", None, 0, 0)))
    bad = set()
    for name, setting in settings.items():
        if setting.path is not None and not is_colour(setting.value):
            bad.add(name)
            shown = {HEADER: ".header background-color", HEADER_TEXT: ".header__title color"}.get(name, name)
            problems.warning(setting.path, f"{shown}: '{setting.value}' is not a CSS colour, so the browser drops "
                             "it and what uses it loses its colour", setting.line, setting.column,
                             hint="write a colour such as #1d70b8, rgb(29 112 184) or a CSS colour name")
    for fore, back, what, needed in PAIRS:
        if fore in bad or back in bad or fore not in settings or back not in settings:
            continue
        set_by = next((settings[n] for n in (fore, back) if settings[n].path is not None), None)
        if set_by is None or (settings[fore] is defaults.get(fore) and settings[back] is defaults.get(back)):
            continue  # the theme's own pairs are checked by its tests
        a, b = rgb(settings[fore].value, settings), rgb(settings[back].value, settings)
        if a is None or b is None:
            continue
        ratio = contrast(a, b)
        if ratio < needed:
            shown_on = [(rgb(settings[other].value, settings), least) for f, other, _, least in PAIRS
                        if f == fore and other in settings and other not in bad]
            better = _nearest(a, [(colour, least) for colour, least in shown_on if colour is not None])
            problems.warning(set_by.path, f"{_shown(fore, settings[fore], a)} ({what}) has a contrast of "
                             f"{ratio:.2f}:1 with {_shown(back, settings[back], b)}; WCAG 2.2 AA needs {needed:g}:1",
                             set_by.line, set_by.column,
                             hint=(f"{better}, the same hue, has it; " if better and set_by is settings[fore]
                                   else "") + "check each pair with a contrast checker (see 'Keep it readable' in "
                                              "the README)")
