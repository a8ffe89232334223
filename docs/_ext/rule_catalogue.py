"""Sphinx extension: render the rule catalogue and the default products from the code.

``{rule-catalogue}`` lists :data:`surety_core.RULES`; ``{product-catalogue}`` lists
:func:`surety_core.default_products`. The tables are generated at build time, never typed.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _list_table(header: list[str], rows: list[list[str]], widths: str) -> list[str]:
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in [header, *rows]:
        first, *rest = row
        lines.append(f"   * - {_cell(first)}")
        lines.extend(f"     - {_cell(cell)}" for cell in rest)
    return lines


class _Generated(SphinxDirective):
    has_content = False

    def rows(self) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        container = nodes.container()
        self.state.nested_parse(StringList(self.rows(), source="generated"), 0, container)
        return list(container.children)


class RuleCatalogueDirective(_Generated):
    def rows(self) -> list[str]:
        from surety_core import RULES

        rows = [[f"``{r.code}``", r.message_ja, r.message_en, r.source.value] for r in RULES]
        return _list_table(["Code", "日本語", "English", "Source"], rows, "25 30 30 15")


class ProductCatalogueDirective(_Generated):
    def rows(self) -> list[str]:
        from surety_core import default_products

        rows = [
            [
                f"``{p.code}``",
                p.name_ja,
                p.name_en,
                p.period_rule.value,
                "yes" if p.requires_advance else "no",
                "yes" if p.claimable else "no",
                ", ".join(f"``{r.code}``" for r in p.rules) or "-",
            ]
            for p in default_products()
        ]
        header = ["Code", "日本語", "English", "Period", "Needs advance", "Claims", "Own rules"]
        return _list_table(header, rows, "15 12 15 13 8 7 30")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("rule-catalogue", RuleCatalogueDirective)
    app.add_directive("product-catalogue", ProductCatalogueDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
