"""The reportlab drawing used by the benchmark shows the same page text as the pypdf writer."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from surety_core.documents import KeyNoticeData, build_key_notice_pdf

pytest.importorskip("reportlab", reason="reportlab (the bench extra) is not installed")


def test_same_page_text(notice: KeyNoticeData) -> None:
    from surety_core.documents._reportlab import build_key_notice_reportlab

    ours = PdfReader(BytesIO(build_key_notice_pdf(notice))).pages[0].extract_text()
    theirs = PdfReader(BytesIO(build_key_notice_reportlab(notice))).pages[0].extract_text()
    # reportlab's text is split differently into lines; the words are the same.
    assert ours.split() == theirs.split()
