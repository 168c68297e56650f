"""A mistake in a site's own template, told as ``path:line: message`` with a hint, not a traceback.

Councils override one template (``templates/base.html``) and may mistype a tag or a name in it.
Jinja raises with the template's file and line in its traceback; this finds them there, so the
message names the line in the council's file. A failure inside the built-in theme's own
templates is not the site's mistake, and is left to be reported as a bug.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
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


_SELF = re.compile(r"\bself\.(\w+)")

# A page's own template, tried before its kind's (pages.plan_pages): service-<slug>.html and so on.
_PER_PAGE = re.compile(r"(?:service|organisation|page)-[^/]+\.html")


def check_own_templates(env: jinja2.Environment, own_folders: list[Path], builtin_names: set[str],
                        problems) -> None:
    """Look at the site's own templates that pages use before anything is rendered.

    A mistyped tag in one is then told together with the data's problems, not only once they are
    fixed (a tester met them one after the other). Those pages use are the ones standing for a
    built-in template (base.html) or made for one page (service-<slug>.html), and what they extend,
    include or import; one no page uses is left alone, as rendering leaves it. And a block that
    the template it extends does not have (``footer_txt`` for ``footer_text``) is a warning: Jinja
    shows nothing of it, and says nothing.
    """
    found: dict[str, Path] = {}  # name -> file, the first folder winning, as the loader finds them
    for folder in own_folders:
        for path in sorted(Path(folder).rglob("*.html")):
            found.setdefault(path.relative_to(folder).as_posix(), path)
    # The dev server rebuilds on every save: templates unchanged since its last look are not looked
    # at again (0.3 s a rebuild with a theme of its own); what was found then is told again. By their
    # bytes, not their times: two saves within a clock tick have one time.
    key = tuple((name, str(path), _digest(path)) for name, path in found.items())
    if _LAST_LOOK.get("key") == key:
        for problem in _LAST_LOOK["found"]:
            problems._add(problem)
        return
    before = len(problems.items)
    _look_at(env, found, builtin_names, problems)
    _LAST_LOOK.update(key=key, found=problems.items[before:])


_LAST_LOOK: dict = {}


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _look_at(env: jinja2.Environment, found: dict[str, Path], builtin_names: set[str], problems) -> None:
    from jinja2 import meta

    todo, seen = sorted(name for name in found if name in builtin_names or _PER_PAGE.fullmatch(name)), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source = env.loader.get_source(env, name)[0]
            tree = env.parse(source, name, str(found[name]))
            env.compile(tree, name, str(found[name]))  # from the tree: an unknown filter is found only then
        except Exception as exc:  # noqa: BLE001 - told as the page would tell it, or left to it
            failed = template_failure(exc, [])
            if failed is not None:
                problems.error(failed.path, failed.message, failed.line, hint=failed.hint)
            continue
        todo += [ref for ref in meta.find_referenced_templates(tree) if ref in found]
        _check_blocks(env, tree, source, found[name], problems)


def _check_blocks(env: jinja2.Environment, tree, source: str, path: Path, problems) -> None:
    extends = next(tree.find_all(jinja2.nodes.Extends), None)
    if extends is None or not isinstance(extends.template, jinja2.nodes.Const) \
            or not isinstance(extends.template.value, str):
        return
    parent = extends.template.value
    available = _blocks_of(env, parent, set())
    if not available:  # not found, or not a template: told where it is rendered
        return
    shown_by_self = set(_SELF.findall(source))  # {{ self.note() }} shows it, wherever it is
    for block in _top_blocks(tree):
        if block.name in available or block.name in shown_by_self:
            continue
        close = difflib.get_close_matches(block.name, sorted(available), n=1)
        problems.warning(path, f"block '{block.name}' is not one {parent} has, so what it holds is never shown",
                         block.lineno, hint=(f"did you mean '{close[0]}'? " if close else "")
                         + f"{parent} has the blocks: {', '.join(sorted(available))}")


def _blocks_of(env: jinja2.Environment, name: str, seen: set[str]) -> set[str]:
    """Every block a template has, and those of the templates it extends; and the names they show
    by ``self.name()``, which a child may fill as if they were blocks."""
    if name in seen:
        return set()
    seen.add(name)
    try:
        source = env.loader.get_source(env, name)[0]
        tree = env.parse(source)
    except Exception:  # noqa: BLE001 - a missing or broken parent is told where it is rendered
        return set()
    blocks = {block.name for block in tree.find_all(jinja2.nodes.Block)} | set(_SELF.findall(source))
    extends = next(tree.find_all(jinja2.nodes.Extends), None)
    if extends is not None and isinstance(extends.template, jinja2.nodes.Const) \
            and isinstance(extends.template.value, str):
        blocks |= _blocks_of(env, extends.template.value, seen)
    return blocks


def _top_blocks(node):
    """The blocks a child template fills: not those inside another block (new ones, shown with it)."""
    for child in node.iter_child_nodes():
        if isinstance(child, jinja2.nodes.Block):
            yield child
        else:
            yield from _top_blocks(child)
