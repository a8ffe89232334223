"""The key notice drawn with reportlab, for the benchmark comparison only (private).

reportlab is a benchmark-only dependency (the ``bench`` extra); the library never needs it. The
page is the very same layout (:func:`~surety_core.documents._notice.draw_key_notice`) drawn on a
reportlab canvas with the same non-embedded ``HeiseiKakuGo-W5`` CID font and Courier.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from surety_core._errors import ConfigurationError
from surety_core.documents._data import KeyNoticeData
from surety_core.documents._notice import draw_key_notice
from surety_core.documents._pdf import A4_HEIGHT, A4_WIDTH, Face, PageWriter, aligned_x

__all__ = ["build_key_notice_reportlab"]

_registered = False


class _ReportlabCanvas:
    def __init__(self, canvas: Any) -> None:
        self._c = canvas

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10.5,
        face: Face = Face.GOTHIC,
        align: str = "left",
        field: str = "text",
    ) -> float:
        width = PageWriter.text_width(text, size, face)
        x = aligned_x(x, width, align)
        self._c.setFont("HeiseiKakuGo-W5" if face is Face.GOTHIC else "Courier", size)
        self._c.drawString(x, y, text)
        return width

    def line(self, x1: float, y1: float, x2: float, y2: float, *, width: float = 0.5) -> None:
        self._c.setLineWidth(width)
        self._c.line(x1, y1, x2, y2)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        width: float = 0.5,
        fill_gray: float | None = None,
    ) -> None:
        self._c.setLineWidth(width)
        if fill_gray is None:
            self._c.rect(x, y, w, h)
        else:
            self._c.saveState()
            self._c.setFillGray(fill_gray)
            self._c.rect(x, y, w, h, fill=1)
            self._c.restoreState()

    def fill_rects(self, rects: Sequence[tuple[float, float, float, float]]) -> None:
        if not rects:
            return
        self._c.saveState()
        self._c.setFillGray(0)
        path = self._c.beginPath()
        for x, y, w, h in rects:
            path.rect(x, y, w, h)
        self._c.drawPath(path, stroke=0, fill=1)
        self._c.restoreState()


def build_key_notice_reportlab(data: KeyNoticeData) -> bytes:
    """The key notice as a PDF drawn by reportlab (same layout as the pypdf writer)."""
    global _registered
    try:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen.canvas import Canvas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigurationError(
            "reportlab is needed for the comparison: pip install 'surety-core[bench]'"
        ) from None
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
        _registered = True
    out = BytesIO()
    canvas = Canvas(out, pagesize=(A4_WIDTH, A4_HEIGHT), invariant=1, pageCompression=0)
    draw_key_notice(data, _ReportlabCanvas(canvas))
    canvas.showPage()
    canvas.save()
    return out.getvalue()
