"""The three documents: text round trip, the notice's required lines, determinism, goldens."""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from surety_core import InvalidInputError
from surety_core._japanese import STATUS_NAMES
from surety_core.documents import (
    KEY_NOTICE_TITLE,
    PAYLOAD_ATTACHMENT_NAME,
    CertificateData,
    DocumentIdentity,
    KeyNoticeData,
    build_certificate_pdf,
    build_key_notice_pdf,
    format_yen,
)
from surety_core.documents._glyphs import is_supported
from surety_core.documents._notice import key_notice_page
from surety_core.documents._pdf import A4_HEIGHT, A4_WIDTH

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SURETY_UPDATE_GOLDEN") == "1"


def text_of(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def lines_of(pdf: bytes) -> list[str]:
    return text_of(pdf).splitlines()


def test_notice_has_the_number_and_key_lines(notice: KeyNoticeData) -> None:
    lines = lines_of(build_key_notice_pdf(notice))
    assert f"保証契約番号 {notice.contract_number}" in lines
    assert f"認証キー {notice.key}" in lines
    assert KEY_NOTICE_TITLE in lines
    assert "保証の種類 前払金保証" in lines
    assert f"保証金額 {format_yen(notice.amount)}" in lines
    assert "保証期間 令和7年4月1日から令和8年3月31日まで" in lines
    assert "発行日 令和7年4月1日" in lines


def test_certificate_text_and_payload(certificate: CertificateData) -> None:
    payload = b'{"signed": "\xe3\x81\x82"}\x00\xff'
    pdf = build_certificate_pdf(certificate, payload)
    lines = lines_of(pdf)
    for line in [
        "変更 前払金保証証書",
        "保証契約番号 0000000001",
        "（第2版）",
        "保証金額 400,000,000円",
        "保証期間 令和7年4月1日から令和8年3月31日まで",
        "請負代金額 900,000,000円",
        "工事場所 神奈川県横浜市中区山下町地内",
        "保証約款 公共工事前払金保証約款（令和6年4月1日改定）",
        "代表取締役社長 山田太郎",
    ]:
        assert line in lines
    text = text_of(pdf)
    # No status (有効, 発行済, 解約・返還, …): it goes stale, the registry states it.
    assert not [line for line in lines if line.startswith("状態")]
    for label in STATUS_NAMES.values():
        assert label not in text
    assert PAYLOAD_ATTACHMENT_NAME not in text  # no internal file name on the page
    attachments = PdfReader(BytesIO(pdf)).attachments
    assert attachments[PAYLOAD_ATTACHMENT_NAME] == [payload]


def test_builds_are_deterministic(notice: KeyNoticeData) -> None:
    assert build_key_notice_pdf(notice) == build_key_notice_pdf(notice)
    other = DocumentIdentity.derive("another", notice.issued_on)
    assert build_key_notice_pdf(notice, other) != build_key_notice_pdf(notice)
    assert text_of(build_key_notice_pdf(notice, other)) == text_of(build_key_notice_pdf(notice))


def test_key_is_not_in_repr(notice: KeyNoticeData) -> None:
    assert notice.key not in repr(notice)
    assert notice.key not in str(notice)


def test_bad_key_error_does_not_echo_it(notice: KeyNoticeData) -> None:
    with pytest.raises(InvalidInputError) as info:
        attrs.evolve(notice, key="SECRET_KEY!")
    assert "SECRET_KEY" not in str(info.value)


@pytest.mark.parametrize("char", ["\U0001f600", "\U00020bb7", "\ue000", "\u0e01"])
def test_unprintable_characters_are_refused(notice: KeyNoticeData, char: str) -> None:
    data = attrs.evolve(notice, works_name=f"工事{char}")
    with pytest.raises(InvalidInputError, match=f"U\\+{ord(char):04X}"):
        build_key_notice_pdf(data)


SUPPORTED = [
    chr(u)
    for u in range(0x21, 0x10000)
    if is_supported(chr(u)) and not chr(u).isspace() and chr(u) != "\u3000"
]
printable = st.sampled_from(SUPPORTED)


@given(
    works=st.text(printable, min_size=1, max_size=120),
    principal=st.text(printable, min_size=1, max_size=60),
    amount=st.integers(min_value=1, max_value=10**13 - 1),
)
def test_notice_text_round_trips(
    notice: KeyNoticeData, works: str, principal: str, amount: int
) -> None:
    data = attrs.evolve(notice, works_name=works, principal_name=principal, amount=amount)
    text = text_of(build_key_notice_pdf(data))
    assert f"保証金額 {format_yen(amount)}" in text.splitlines()
    # Long values wrap onto continuation lines; joined, they read back exactly.
    joined = text.replace("\n", "")
    assert f"受注者 {data.principal_name}保証金額" in joined
    assert f"工事名 {data.works_name}工事番号" in joined


def _golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(data)
    assert path.exists(), f"missing golden file {name}; run with SURETY_UPDATE_GOLDEN=1"
    assert data == path.read_bytes(), f"{name} changed; review and regenerate if intended"


def test_golden_files(notice: KeyNoticeData, certificate: CertificateData) -> None:
    documents = {
        "key_notice": build_key_notice_pdf(notice),
        "certificate": build_certificate_pdf(certificate, b'{"payload":"fixed"}'),
    }
    for name, pdf in documents.items():
        _golden(f"{name}.txt", text_of(pdf).encode())
        _golden(f"{name}.pdf", pdf)


keys = (
    st.lists(
        st.text(st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"), min_size=1, max_size=8),
        min_size=1,
        max_size=8,
    )
    .map("-".join)
    .filter(lambda k: 4 <= len(k) <= 64)
)


@settings(max_examples=40)
@given(
    data=st.data(),
    key=keys,
    instructions=st.lists(st.text(printable, min_size=1, max_size=120), min_size=1, max_size=8),
)
def test_any_notice_fits_the_page_or_is_refused(
    notice: KeyNoticeData, data: st.DataObject, key: str, instructions: list[str]
) -> None:
    def text(n: int) -> str:
        return data.draw(st.text(printable, min_size=1, max_size=n))

    notice = attrs.evolve(
        notice,
        key=key,
        product_name=text(40),
        works_name=text(120),
        works_number=text(64),
        obligee_name=text(60),
        principal_name=text(60),
        surety_name=text(60),
        viewing_instructions=tuple(instructions),
    )
    try:
        page = key_notice_page(notice)
    except InvalidInputError as error:
        refused: InvalidInputError | None = error
    else:
        refused = None
    if refused is not None:
        assert (refused.field, refused.reason) == ("data", "too much text to fit on one A4 page")
        return
    assert page.text_bounds is not None
    x0, y0, x1, y1 = page.text_bounds
    assert x0 >= 56 - 0.01
    assert x1 <= A4_WIDTH - 56 + 0.01
    assert y0 >= 50
    assert y1 <= A4_HEIGHT
    lines = lines_of(build_key_notice_pdf(notice))
    assert f"保証契約番号 {notice.contract_number}" in lines
    assert f"認証キー {notice.key}" in lines
