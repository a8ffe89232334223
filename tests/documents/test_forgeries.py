"""The forgery suite: every way found to make a genuine certificate PDF *show* something else.

Each forgery starts from a genuine certificate made by the library (real signed content, real
key ring) and keeps its signed payload. The suite shows that the forgery is real (its page looks
different where it should, and a comparison of extracted text cannot tell it from the genuine
file), then that :func:`verify_certificate_pdf` refuses it with a reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.documents.forgeries import ATTACKS, GENUINE_AMOUNT, TEXT_PRESERVING, text_of

from surety_core import GuaranteeContract
from surety_core.certificates import (
    CertificateContent,
    SigningKeyRing,
    content_from_contract,
    sign_certificate,
)
from surety_core.documents import (
    CheckStatus,
    build_signed_certificate_pdf,
    certificate_verifier,
    verify_certificate_pdf,
)

VISIBLE = {
    "freetext-annotation",
    "stamp-annotation",
    "image-over-amount",
    "shapes-over-amount",
    "hidden-render-mode-3",
    "hidden-white",
    "hidden-tiny",
    "hidden-off-page",
    "hidden-layer-off",
    "lying-font-copy",
}
"""The forgeries whose page renders differently from the genuine page."""


@pytest.fixture(scope="module")
def ring() -> SigningKeyRing:
    return SigningKeyRing.generate()


@pytest.fixture(scope="module")
def content(contract: GuaranteeContract) -> CertificateContent:
    return content_from_contract(
        contract, issued_at=datetime(2025, 4, 1, 1, 0, tzinfo=UTC), previous_digest=None
    )


@pytest.fixture(scope="module")
def genuine(content: CertificateContent, ring: SigningKeyRing) -> bytes:
    return build_signed_certificate_pdf(content, sign_certificate(content, ring))


def test_the_genuine_file_is_valid(genuine: bytes, ring: SigningKeyRing) -> None:
    check = verify_certificate_pdf(genuine, certificate_verifier(ring.trusted_keys()))
    assert check.status is CheckStatus.VALID, check.reason
    assert f"保証金額 {GENUINE_AMOUNT}" in text_of(genuine)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_forgery_is_refused_with_a_reason(
    genuine: bytes, ring: SigningKeyRing, attack: str
) -> None:
    forged = ATTACKS[attack](genuine)
    assert forged != genuine
    if attack in TEXT_PRESERVING:
        # The attack is real: a verifier comparing extracted text sees the genuine text.
        assert text_of(forged) == text_of(genuine)
    check = verify_certificate_pdf(forged, certificate_verifier(ring.trusted_keys()))
    assert check.status is not CheckStatus.VALID
    assert not check.valid
    assert check.reason
    # The signed content is still reported (the payload itself is genuine), for the message.
    assert check.content is not None


def _render(pdf: bytes, folder: Path, name: str) -> bytes:
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-gray", "-singlefile", str(path), str(folder / name)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return (folder / f"{name}.pgm").read_bytes()


@pytest.mark.parametrize("attack", sorted(VISIBLE))
def test_visible_forgeries_really_look_different(
    genuine: bytes, tmp_path: Path, attack: str
) -> None:
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm (poppler-utils) is required under CI=true")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    assert _render(ATTACKS[attack](genuine), tmp_path, "forged") != _render(
        genuine, tmp_path, "genuine"
    )
