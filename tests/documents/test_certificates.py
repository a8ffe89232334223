"""Certificates by product and medium, from the model to the page: golden files and renders.

Before: every certificate was titled 「電子証書（保証証書）」, named no terms, no contract price,
works period or site, printed a status that went stale and an internal file name; an amended
version looked like the original; a paper guarantee got no document at all.

The goldens are built the way the service builds them (contract → signed content → PDF) with a
fixed Ed25519 key (its signatures are deterministic). ``SURETY_UPDATE_GOLDEN=1`` rewrites them
and the pictures of ``docs/_static/documents`` (look at those before committing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import attrs
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from surety_core import (
    GuaranteeContract,
    GuaranteeVersion,
    InvalidInputError,
    Medium,
    WorksKind,
    default_products,
)
from surety_core._japanese import STATUS_NAMES
from surety_core.certificates import (
    SigningKeyRing,
    certificate_digest,
    content_from_contract,
    sign_certificate,
)
from surety_core.certificates._signing import _CONTEXT, _dumps, canonical_content
from surety_core.documents import (
    PAYLOAD_ATTACHMENT_NAME,
    CertificateData,
    CheckStatus,
    build_certificate_pdf,
    build_paper_certificate_pdf,
    build_signed_certificate_pdf,
    certificate_data_from_content,
    certificate_verifier,
    paper_certificate_data,
    paper_certificate_pdf,
    verify_certificate_pdf,
)
from surety_core.documents._certificate import WORKS_LABELS, certificate_page
from surety_core.documents._glyphs import is_supported
from surety_core.documents._pdf import A4_HEIGHT, A4_WIDTH
from surety_core.testing import samples

GOLDEN = Path(__file__).parent / "golden"
PICTURES = Path(__file__).parents[2] / "docs" / "_static" / "documents"
UPDATE = os.environ.get("SURETY_UPDATE_GOLDEN") == "1"
RING = SigningKeyRing(
    {"ejcs-2025": Ed25519PrivateKey.from_private_bytes(bytes(range(32)))}, "ejcs-2025"
)
TRUSTED = RING.trusted_keys()
PRODUCTS = default_products()
SIGNED_AT = datetime(2025, 4, 1, 1, 30, tzinfo=UTC)  # 10:30 JST
SURETY = samples.surety(representative="代表取締役社長 山田太郎")
WORKS = attrs.evolve(samples.road_works(), site="千葉県柏市柏五丁目地内")


def _sign(contract: GuaranteeContract, previous: bytes | None = None) -> bytes:
    content = content_from_contract(
        contract,
        issued_at=SIGNED_AT if previous is None else datetime(2025, 6, 2, 1, 0, tzinfo=UTC),
        previous_digest=None if previous is None else certificate_digest(previous),
        terms=PRODUCTS.terms_of(contract.product),
    )
    return sign_certificate(content, RING)


def _electronic(contract: GuaranteeContract, previous: bytes | None = None) -> bytes:
    document = _sign(contract, previous)
    from surety_core.certificates import verify_certificate

    return build_signed_certificate_pdf(verify_certificate(document, TRUSTED), document)


def _advance() -> GuaranteeContract:
    return samples.guarantee_contract(works=WORKS, surety=SURETY)


def _amended() -> GuaranteeContract:
    old = _advance()
    version = GuaranteeVersion(
        number=2,
        amount=36_000_000,
        period=old.period,
        works=attrs.evolve(WORKS, contract_price=90_000_000),
        effective_on=date(2025, 6, 1),
        reason="請負代金額の減額に伴う前払金の減額",
    )
    return attrs.evolve(old, versions=(*old.versions, version))


def _kinds() -> dict[str, bytes]:
    """One PDF of each certificate kind, built as the service builds them."""
    advance = _advance()
    first = _sign(advance)
    intermediate = samples.guarantee_contract(
        number="0000000004",
        product="intermediate_advance_payment",
        amount=20_000_000,
        works=WORKS,
        surety=SURETY,
    )
    contract = samples.guarantee_contract(
        number="0000000002", product="contract_guarantee", amount=10_000_000, works=WORKS
    )
    survey = samples.guarantee_contract(
        number="0000000005",
        works=samples.consulting_works(),
        amount=9_000_000,
        surety=SURETY,
    )
    paper = samples.guarantee_contract(
        number="0000000003",
        medium=Medium.PAPER,
        works=attrs.evolve(samples.school_works(), site="千葉県柏市旭町二丁目地内"),
        surety=SURETY,
    )
    return {
        "certificate_advance": _electronic(advance),
        "certificate_intermediate": _electronic(intermediate),
        "certificate_contract": _electronic(contract),
        "certificate_service": _electronic(survey),
        "certificate_amended": _electronic(_amended(), first),
        "certificate_paper": paper_certificate_pdf(paper, products=PRODUCTS),
    }


KINDS = _kinds()


def _text(pdf: bytes) -> str:
    return PdfReader(BytesIO(pdf)).pages[0].extract_text()


def _golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(data)
    assert path.exists(), f"missing golden file {name}; run with SURETY_UPDATE_GOLDEN=1"
    assert data == path.read_bytes(), f"{name} changed; review and regenerate if intended"


@pytest.mark.parametrize("name", sorted(KINDS))
def test_golden_files(name: str) -> None:
    pdf = KINDS[name]
    _golden(f"{name}.txt", _text(pdf).encode())
    _golden(f"{name}.pdf", pdf)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("certificate_advance", "前払金保証証書"),
        ("certificate_intermediate", "中間前払金保証証書"),
        ("certificate_contract", "契約保証証書"),
        ("certificate_service", "前払金保証証書"),
        ("certificate_amended", "変更 前払金保証証書"),
        ("certificate_paper", "前払金保証証書"),
    ],
)
def test_titled_by_product_with_terms_works_and_surety(name: str, title: str) -> None:
    lines = _text(KINDS[name]).splitlines()
    assert title in lines
    assert "電子証書（保証証書）" not in lines
    assert "記" in lines
    assert "以上" in lines
    terms = [line for line in lines if line.startswith("保証約款 ")]
    assert len(terms) == 1
    assert terms[0].endswith("約款（令和6年4月1日改定）")
    assert any(line.startswith("保証する債務 受注者") for line in lines)
    assert "東日本建設業保証株式会社" in lines


def test_advance_certificate_lines() -> None:
    lines = _text(KINDS["certificate_advance"]).splitlines()
    for line in [
        "保証契約番号 0000000001",
        "発行日 令和7年4月1日",
        "柏市 御中",
        "代表取締役社長 山田太郎",
        "保証約款 公共工事前払金保証約款（令和6年4月1日改定）",
        "保証する債務 受注者が受領する前払金の返還債務",
        "工事名 市道0001号線道路改良工事",
        "工事場所 千葉県柏市柏五丁目地内",
        "工期 令和7年4月1日から令和8年3月31日まで",
        "請負代金額 100,000,000円",
        "保証金額 40,000,000円",
        "保証期間 令和7年4月1日から令和8年3月31日まで",
        "当社は、公共工事前払金保証約款に基づき、下記のとおり保証契約を締結したことを証します。",
    ]:
        assert line in lines


def test_a_service_contract_is_labelled_as_one() -> None:
    lines = _text(KINDS["certificate_service"]).splitlines()
    labels = WORKS_LABELS[WorksKind.CONSULTING]
    assert labels.name == "業務名"
    assert any(line.startswith("業務名 ") for line in lines)
    assert any(line.startswith("履行期間 ") for line in lines)
    assert any(line.startswith("業務委託料 ") for line in lines)
    assert not any(line.startswith(("工事名", "工期", "請負代金額")) for line in lines)


def test_the_amended_certificate_says_what_changed() -> None:
    lines = _text(KINDS["certificate_amended"]).splitlines()
    for line in [
        "変更 前払金保証証書",
        "（第2版）",
        "当社は、公共工事前払金保証約款に基づき、下記のとおり保証契約の内容を変更したことを証します。",
        "保証金額 36,000,000円",
        "請負代金額 90,000,000円",
        "変更の内容",
        "変更年月日 令和7年6月1日",
        "変更の理由 請負代金額の減額に伴う前払金の減額",
        "項目 変更前 変更後",
        "保証金額 40,000,000円 36,000,000円",
        "請負代金額 100,000,000円 90,000,000円",
    ]:
        assert line in lines
    # Only what changed is listed: not the period, the works name or the site.
    changed = lines[lines.index("項目 変更前 変更後") + 1 : lines.index("以上")]
    assert len(changed) == 2
    first = _text(KINDS["certificate_advance"])
    assert "変更" not in first.replace("（変更・解約など）", "")


def test_no_status_and_no_internal_file_name_on_any_certificate() -> None:
    for name, pdf in KINDS.items():
        text = _text(pdf)
        assert PAYLOAD_ATTACHMENT_NAME not in text, name
        assert "有効" not in text, name
        for label in STATUS_NAMES.values():
            assert label not in text, name


@pytest.mark.parametrize("name", sorted(set(KINDS) - {"certificate_paper"}))
def test_electronic_certificates_verify_and_carry_their_payload(name: str) -> None:
    pdf = KINDS[name]
    check = verify_certificate_pdf(pdf, certificate_verifier(TRUSTED))
    assert check.status is CheckStatus.VALID
    assert check.content is not None
    assert not check.content.paper
    assert PdfReader(BytesIO(pdf)).attachments[PAYLOAD_ATTACHMENT_NAME]
    assert "正本" not in _text(pdf)


def test_the_paper_certificate_is_an_original_with_no_payload() -> None:
    pdf = KINDS["certificate_paper"]
    lines = _text(pdf).splitlines()
    assert "正本" in lines
    assert "印" in lines  # where the company seal goes
    assert (
        "本書は保証証書の正本です。この保証の現在の状態（変更・解約など）は保証会社にお問い合わせください。"
        in lines
    )
    assert "保証契約番号 0000000003" in lines
    assert "工事場所 千葉県柏市旭町二丁目地内" in lines
    assert not PdfReader(BytesIO(pdf)).attachments
    assert verify_certificate_pdf(pdf, certificate_verifier(TRUSTED)).status is (
        CheckStatus.NO_PAYLOAD
    )
    # Deterministic: the same contract gives the same bytes; another day, other bytes.
    paper = samples.guarantee_contract(
        number="0000000003",
        medium=Medium.PAPER,
        works=attrs.evolve(samples.school_works(), site="千葉県柏市旭町二丁目地内"),
        surety=SURETY,
    )
    assert paper_certificate_pdf(paper, products=PRODUCTS) == pdf
    assert paper_certificate_pdf(paper, products=PRODUCTS, issued_on=date(2025, 4, 2)) != pdf


def test_an_amended_paper_certificate_is_dated_by_its_amendment() -> None:
    paper = attrs.evolve(_amended(), medium=Medium.PAPER)
    data = paper_certificate_data(paper)
    assert data.paper
    assert data.issued_on == date(2025, 6, 1)
    assert data.amendment is not None
    assert [c.label for c in data.amendment.changes] == ["保証金額", "請負代金額"]
    assert "変更 前払金保証証書" in _text(build_paper_certificate_pdf(data)).splitlines()


def test_paper_and_electronic_never_cross() -> None:
    electronic = _advance()
    with pytest.raises(InvalidInputError, match="medium"):
        paper_certificate_pdf(electronic)
    paper = attrs.evolve(electronic, medium=Medium.PAPER)
    data = paper_certificate_data(paper)
    with pytest.raises(InvalidInputError, match="paper"):
        build_certificate_pdf(data, b"payload")
    with pytest.raises(InvalidInputError, match="paper"):
        build_paper_certificate_pdf(attrs.evolve(data, paper=False))
    content = content_from_contract(paper, issued_at=SIGNED_AT, previous_digest=None)
    with pytest.raises(InvalidInputError, match="medium"):
        certificate_data_from_content(content)
    with pytest.raises(InvalidInputError):
        paper_certificate_pdf("0000000003")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        paper_certificate_pdf(paper, products={"advance_payment": "x"})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="dated"):
        paper_certificate_pdf(content, issued_on=date(2025, 4, 2))


def _resign(payload: bytes) -> bytes:
    kid, private = RING._signing_key()
    signature = private.sign(_CONTEXT + kid.encode() + b"\x00" + payload)
    import base64

    return _dumps(
        {
            "alg": "EdDSA",
            "kid": kid,
            "payload": base64.b64encode(payload).decode(),
            "signature": base64.b64encode(signature).decode(),
            "type": "surety_core.signed-certificate",
        }
    )


def test_a_format_1_document_prints_and_verifies_and_an_old_file_is_told_apart() -> None:
    """A certificate stored by an earlier release (format 1) is printed in today's layout and
    verifies; a file that is not today's build of it is refused, saying it is from an earlier
    release and where to get it again."""
    import json

    contract = _advance()
    content = content_from_contract(contract, issued_at=SIGNED_AT, previous_digest=None)
    body = json.loads(canonical_content(content))["content"]
    del body["terms"], body["change"]
    body["status"] = "issued"
    payload = _dumps({"content": body, "schema": "surety_core.certificate", "schema_version": 1})
    document = _resign(payload)
    from surety_core.certificates import verify_certificate

    pdf = build_signed_certificate_pdf(verify_certificate(document, TRUSTED), document)
    verify = certificate_verifier(TRUSTED)
    assert verify_certificate_pdf(pdf, verify).status is CheckStatus.VALID
    assert "保証約款" not in _text(pdf)  # format 1 named no terms
    old = pdf.replace(b"/Title (", b"/Title (X", 1) if b"/Title (" in pdf else pdf + b"\n"
    check = verify_certificate_pdf(old, verify)
    assert check.status in (CheckStatus.ALTERED, CheckStatus.TEXT_MISMATCH)
    assert "format 1" in check.reason
    assert "earlier release" in check.reason
    current = verify_certificate_pdf(KINDS["certificate_advance"] + b"\n", verify)
    assert "format 1" not in current.reason


printable = st.sampled_from(
    list("柏市工事株式会社東葛建設千葉県一丁目地内（）・ー－ABCxyz0123456789、。 ")
    + [chr(c) for c in range(0x4E00, 0x4F00) if is_supported(chr(c))]
)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_certificate_fits_the_page_or_is_refused(data: st.DataObject) -> None:
    base = certificate_data_from_content(
        content_from_contract(
            _amended(),
            issued_at=SIGNED_AT,
            previous_digest=None,
            terms=PRODUCTS.terms_of("advance_payment"),
        )
    )

    def text(n: int) -> str:
        return data.draw(st.text(printable, min_size=1, max_size=n).map(str.strip).filter(bool))

    assert base.amendment is not None
    changed: dict[str, Any] = {
        "works_name": text(120),
        "obligee_name": text(60),
        "principal_name": text(60),
        "surety_name": text(60),
        "site": text(200),
        "principal_address": text(300),
        "amendment": attrs.evolve(base.amendment, reason=text(500)),
    }
    certificate = attrs.evolve(base, **changed)
    try:
        page = certificate_page(certificate)
    except InvalidInputError as error:
        refused: InvalidInputError | None = error
    else:
        refused = None
    if refused is not None:
        assert (refused.field, refused.reason) == ("data", "too much text to fit on one A4 page")
        return
    assert page.text_bounds is not None
    x0, y0, x1, y1 = page.text_bounds
    assert 0 <= x0 <= x1 <= A4_WIDTH
    assert 0 <= y0 <= y1 <= A4_HEIGHT


# -- renders ---------------------------------------------------------------------------------

_MISSING = shutil.which("pdftoppm") is None
if _MISSING and os.environ.get("CI") == "true":
    pytest.fail("poppler-utils is required in CI", pytrace=False)


def _render(pdf: bytes, dpi: int) -> tuple[int, int, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "page.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-gray", "-r", str(dpi), "-singlefile", str(source), str(Path(tmp) / "p")],
            capture_output=True,
            check=True,
            timeout=30,
        )
        out = (Path(tmp) / "p.pgm").read_bytes()
    fields = out.split(maxsplit=4)
    width, height = int(fields[1]), int(fields[2])
    return width, height, fields[4][: width * height]


def _ink(raster: tuple[int, int, bytes], box: tuple[float, float, float, float], dpi: int) -> int:
    width, height, pixels = raster
    scale = dpi / 72
    x0, x1 = int(box[0] * scale), int(box[2] * scale)
    y0, y1 = int(height - box[3] * scale), int(height - box[1] * scale)
    return sum(255 - pixels[y * width + x] for y in range(y0, y1) for x in range(x0, x1))


_ORIGINAL_MARK = (56.0, A4_HEIGHT - 80, 100.0, A4_HEIGHT - 50)
_AMENDMENT_MARK = (150.0, A4_HEIGHT - 140, 200.0, A4_HEIGHT - 110)


@pytest.mark.skipif(_MISSING, reason="poppler-utils not installed")
@pytest.mark.parametrize("name", sorted(KINDS))
def test_render(name: str) -> None:
    """Each kind renders with ink where its marks are, and none where they are not; with
    ``SURETY_UPDATE_GOLDEN=1`` the picture for the documents page is written (look at it)."""
    pdf = KINDS[name]
    raster = _render(pdf, 36)
    whole = _ink(raster, (0, 0, A4_WIDTH, A4_HEIGHT), 36)
    assert whole > 0
    paper = name == "certificate_paper"
    amended = name == "certificate_amended"
    assert (_ink(raster, _ORIGINAL_MARK, 36) > 0) is paper
    assert (_ink(raster, _AMENDMENT_MARK, 36) > 0) is amended
    if UPDATE:
        PICTURES.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "page.pdf"
            source.write_bytes(pdf)
            target = PICTURES / name
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", "-singlefile", str(source), str(target)],
                check=True,
                timeout=30,
            )


def test_the_intermediate_certificate_names_its_own_terms() -> None:
    lines = _text(KINDS["certificate_intermediate"]).splitlines()
    assert "保証約款 公共工事中間前払金保証約款（令和6年4月1日改定）" in lines
    assert "保証する債務 受注者が受領する中間前払金の返還債務" in lines
    assert "保証金額 20,000,000円" in lines


def test_data_is_what_is_printed() -> None:
    data: CertificateData = certificate_data_from_content(
        content_from_contract(_advance(), issued_at=SIGNED_AT, previous_digest=None)
    )
    assert data.title == "前払金保証証書"
    assert data.terms is None  # no terms given: the line is left out
    assert "保証約款" not in _text(build_certificate_pdf(data, b"x"))
