"""A mistake in a site's own template, told as ``path:line: message`` with a hint, not a traceback.

Councils override one template (``templates/base.html``) and may mistype a tag or a name in it.
Jinja raises with the template's file and line in its traceback; this finds them there, so the
message names the line in the council's file. A failure inside the built-in theme's own
templates is not the site's mistake, and is left to be reported as a bug.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import re
import traceback
from pathlib import Path

import jinja2

from generator import BUILTIN_THEME

TEMPLATE_HELP = "see 'Templates and themes' in the Performance Pages README for what a template may use"


class TemplateFailed(Exception):
    """A page's template failed at a line of the site's own: (path, line, message, hint); it pickles,
    so a worker process can send it back."""

    def __init__(self, path: str, line: int | None, message: str, hint: str):
        super().__init__(path, line, message, hint)
        self.path, self.line, self.message, self.hint = path, line, message, hint


def _is_builtin(filename: str) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(BUILTIN_THEME.resolve())
    except (OSError, ValueError):
        return False


def _place(exc: BaseException) -> tuple[str, int | None] | None:
    """The site template's file and line where it failed: a syntax error's own, or the innermost
    template frame of the traceback (Jinja rewrites its frames to the templates' lines)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return exc.filename, exc.lineno
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.endswith(".py")
              and Path(f.filename).is_file()]
    return (frames[-1].filename, frames[-1].lineno) if frames else None


def _attribute_hint(message: str) -> str:
    """'did you mean ...?' for "'generator.model.SiteInfo object' has no attribute 'titel'"."""
    found = re.match(r"'([\w.]+)\.(\w+) object' has no attribute '(\w+)'", message)
    if not found:
        return ""
    try:
        kind = getattr(importlib.import_module(found[1]), found[2])
    except (ImportError, AttributeError):
        return ""
    # Its fields and its properties (a Figure's 'label' is one: 'fig.lable' had been offered 'value').
    names = [f.name for f in dataclasses.fields(kind)] if dataclasses.is_dataclass(kind) else []
    names += [n for n in dir(kind) if not n.startswith("_") and n not in names]
    close = difflib.get_close_matches(found[3], names, n=1)
    return f"did you mean '{close[0]}'? " if close else ""


def template_failure(exc: BaseException, context_names: list[str]) -> TemplateFailed | None:
    """The failure as a TemplateFailed at the site's template, or None if it is not in one."""
    if isinstance(exc, TemplateFailed):  # found where it happened (render._SiteLoader: a file not UTF-8)
        return exc
    place = _place(exc)
    if place is None or _is_builtin(place[0]):
        return None
    path, line = place
    if isinstance(exc, jinja2.TemplateSyntaxError):
        paired = re.search(r"\btag\b|end of template|expected token", exc.message or "")
        return TemplateFailed(path, line, f"template syntax: {exc.message}",
                              ("tags come in pairs ({% block x %} ... {% endblock %}, {% if %} ... {% endif %}) "
                               "and each {{ }} and {% %} must be closed; " if paired else "") + TEMPLATE_HELP)
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateFailed(path, line, f"template '{exc.name}' not found",
                              "name a template in the site's templates/ folder, or a built-in one as "
                              "'default:<name>.html'")
    message = str(exc).replace("generator.model.", "").replace("generator.", "")
    if isinstance(exc, jinja2.UndefinedError):
        undefined = re.match(r"'(\w+)' is undefined", str(exc))
        close = difflib.get_close_matches(undefined[1], context_names, n=1) if undefined else []
        hint = (f"did you mean '{close[0]}'? " if close else "") + _attribute_hint(str(exc))
        return TemplateFailed(path, line, f"template names something pages do not have: {message}",
                              hint + TEMPLATE_HELP)
    if isinstance(exc, RecursionError):  # {% extends "base.html" %} in the site's own base.html finds itself
        name = Path(path).name
        return TemplateFailed(path, line, "template extends or includes itself, over and over",
                              f"to build on the theme's {name}, name it with its prefix: "
                              f"{{% extends \"default:{name}\" %}}; " + TEMPLATE_HELP)
    return TemplateFailed(path, line, f"template failed: {type(exc).__name__}: {message}", TEMPLATE_HELP)
