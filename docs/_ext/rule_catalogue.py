"""Sphinx extension: render the rule catalogue and the default products from the code.

``{rule-catalogue}`` lists :data:`surety_core.RULES`; ``{product-catalogue}`` lists
:func:`surety_core.default_products`. The tables are generated at build time, never typed.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

Cell = str | tuple[str, str]
"""A cell: plain text, or ``("code", text)`` for literal text."""


def _table(header: list[str], rows: list[list[Cell]], widths: list[int]) -> nodes.table:
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)

    def row(cells: list[Cell]) -> nodes.row:
        out = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            para = nodes.paragraph()
            if isinstance(cell, tuple):
                para += nodes.literal(text=cell[1])
            else:
                para += nodes.Text(cell)
            entry += para
            out += entry
        return out

    thead = nodes.thead()
    thead += row(list(header))
    group += thead
    tbody = nodes.tbody()
    for cells in rows:
        tbody += row(cells)
    group += tbody
    return table


class RuleCatalogueDirective(SphinxDirective):
    """Renders :data:`surety_core.RULES` as a table."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from surety_core import RULES

        rows: list[list[Cell]] = [
            [("code", r.code), r.message_ja, r.message_en, r.source.value] for r in RULES
        ]
        return [_table(["Code", "日本語", "English", "Source"], rows, [25, 30, 30, 15])]


class ProductCatalogueDirective(SphinxDirective):
    """Renders :func:`surety_core.default_products` as a table."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from surety_core import default_products

        rows: list[list[Cell]] = [
            [
                ("code", p.code),
                p.name_ja,
                p.name_en,
                p.period_rule.value,
                "yes" if p.requires_advance else "no",
                p.claim_basis.value if p.claimable else "no",
                ", ".join(r.code for r in p.rules) or "-",
            ]
            for p in default_products()
        ]
        header = ["Code", "日本語", "English", "Period", "Advance planned", "Claims", "Own rules"]
        return [_table(header, rows, [15, 12, 15, 13, 8, 7, 30])]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("rule-catalogue", RuleCatalogueDirective)
    app.add_directive("product-catalogue", ProductCatalogueDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
