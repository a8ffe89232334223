"""Sphinx extension: one API page per public module, each opening with a summary table.

At ``builder-inited`` it writes ``docs/api/<module>.md`` for every public module of
``surety_core`` (a module whose dotted path has no part starting with ``_``), from the module's
``__all__``: a table of the names with their kind and the first line of their docstring, then
the autodoc entries. The pages are generated at every build (and ignored by git), so they cannot
go stale. Modules whose optional extra is not installed get a page that says which extra to add.
It also drops ``object`` from "Bases:" lines, which say nothing.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

ROOT = "surety_core"
OPTIONAL_EXTRAS = {"surety_core.web": "web"}


def public_modules() -> list[str]:
    package = importlib.import_module(ROOT)
    names = [ROOT]
    for info in pkgutil.walk_packages(package.__path__, ROOT + "."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        names.append(info.name)
    return sorted(names)


def _kind(value: Any) -> str:
    if inspect.isclass(value):
        if issubclass(value, Warning):
            return "warning"
        if issubclass(value, BaseException):
            return "exception"
        return "class"
    if callable(value):
        return "function"
    return "data"


_ROLE = re.compile(r":(\w+):`")


def _first_line(value: Any) -> str:
    if _kind(value) == "data":
        text = repr(value)
        return f"`{text}`" if len(text) <= 60 and "`" not in text else ""
    doc = inspect.getdoc(value) or ""
    line = doc.strip().split("\n\n")[0].replace("\n", " ").strip()
    # reST roles become MyST roles; a reST escaped space disappears
    line = _ROLE.sub(lambda m: "{" + m.group(1) + "}`", line).replace("\\ ", "")
    return line.replace("|", "\\|")


def _first_paragraph(module: Any) -> str:
    doc = inspect.getdoc(module) or ""
    return doc.strip().split("\n\n")[0]


def page(name: str, documented: dict[int, str]) -> str:
    """The page of module ``name``; ``documented`` maps objects already given an entry elsewhere.

    A name whose object has an entry on an earlier page (the root re-exports the domain, say) is
    listed in the table with a link to that entry and gets no second one.
    """
    title = f"# `{name}`\n\n"
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        extra = OPTIONAL_EXTRAS.get(name, "?")
        return title + f'Needs the `{extra}` extra (`pip install "surety-core[{extra}]"`): {exc}\n'
    rows, own = [], []
    for item in sorted(getattr(module, "__all__", ()), key=str.casefold):
        if item.startswith("__"):
            continue
        value = getattr(module, item)
        target = documented.get(id(value))
        if target is None:
            target = f"{name}.{item}"
            own.append(item)
            if not isinstance(value, int | float | bool | type(None)):
                documented[id(value)] = target
        rows.append(f"| {{py:obj}}`{item} <{target}>` | {_kind(value)} | {_first_line(value)} |")
    table = "| name | kind | summary |\n|---|---|---|\n" + "\n".join(rows) + "\n" if rows else ""
    entries = (
        "\n```{eval-rst}\n"
        + f".. automodule:: {name}\n   :members: {', '.join(own)}\n   :imported-members:\n"
        + "```\n"
        if own
        else f"\n```{{eval-rst}}\n.. py:module:: {name}\n```\n"
    )
    return title + _first_paragraph(module) + "\n\n" + table + entries


def write_pages(app: Sphinx) -> None:
    folder = Path(app.srcdir) / "api"
    folder.mkdir(exist_ok=True)
    documented: dict[int, str] = {}
    wanted = {f"{name}.md": page(name, documented) for name in public_modules()}
    for path in folder.glob("surety_core*.md"):
        if path.name not in wanted:
            path.unlink()
    for filename, text in wanted.items():
        path = folder / filename
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def drop_module_docstring(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    # the page already opens with the module's first paragraph and the summary table
    if what == "module":
        lines.clear()


def drop_object_base(app: Sphinx, name: str, obj: Any, options: Any, bases: list[Any]) -> None:
    if bases == [object]:
        bases.clear()


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", write_pages)
    app.connect("autodoc-process-docstring", drop_module_docstring)
    app.connect("autodoc-process-bases", drop_object_base)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
