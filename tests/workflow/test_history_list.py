"""The history list (電子保証履歴一覧) as the briefing shows it, and its CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from attrs import evolve

from surety_core import CONTRACT_GUARANTEE, Application, InvalidInputError, Medium, ProductRequest
from surety_core.services import HISTORY_CSV_HEADER, history_csv
from surety_core.storage.memory import MemoryStore

from .test_business_date import PRINCIPAL, WORKS, _contract_guarantee_alone, _service


def _application(reference: str, number: str, name: str, medium: Medium) -> Application:
    base = _contract_guarantee_alone()
    works = evolve(WORKS, number=number, name=name)
    request = ProductRequest(CONTRACT_GUARANTEE, medium, 10_000_000, base.requests[0].period)
    return evolve(base, reference=reference, works=works, requests=(request,))


def test_history_lists_electronic_newest_first_searchable_with_the_surety() -> None:
    service, _ = _service(MemoryStore())
    service.apply_and_issue(_application("APP-1", "R7-001", "市道改良工事", Medium.ELECTRONIC))
    service.apply_and_issue(_application("APP-2", "=R7-002", "道路補修工事", Medium.ELECTRONIC))
    service.apply_and_issue(_application("APP-3", "R7-003", "小学校改修工事", Medium.PAPER))
    cn = PRINCIPAL.identifier

    page = service.portal.history_list(cn)
    assert page.total == 2  # paper only when asked
    numbers = [row.number for row in page.items]
    assert numbers == sorted(numbers, reverse=True)  # newest first (same day: by number)
    assert {row.surety for row in page.items} == {"東日本建設業保証株式会社"}
    assert service.portal.history_list(cn, include_paper=True).total == 3

    # by works name (full-width input folds) and by works number
    assert [r.works_number for r in service.portal.history_list(cn, search="市道").items] == [
        "R7-001"
    ]
    assert service.portal.history_list(cn, search="ｒ７－００２").items[0].works_number == "=R7-002"
    assert service.portal.history_list(cn, search="nothing").total == 0
    assert service.portal.history_list("2010001008824").total == 0  # another principal
    assert service.portal.history_list(cn, limit=1, offset=1).items[0].number == numbers[1]
    with pytest.raises(InvalidInputError):
        service.portal.history_list(cn, search="x" * 201)

    text = history_csv(service.portal.history_list(cn, include_paper=True).items)
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == HISTORY_CSV_HEADER
    assert len(rows) == 4
    by_number = {r[3]: r for r in rows[1:]}
    assert by_number["R7-001"][6] == "東日本建設業保証株式会社"
    assert by_number["R7-003"][8] == "書面"
    assert by_number["R7-001"][11] == f"{date(2025, 4, 1):%Y/%m/%d}"
    # a works number that a spreadsheet would run as a formula stays text
    assert "'=R7-002" in by_number
