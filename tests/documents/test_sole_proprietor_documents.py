"""A sole proprietor's (個人事業主) documents print the trade name and the proprietor's name
(``屋号 代表 氏名``); the completion e-mail addresses a person with 様, a company with 御中."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from surety_core.certificates import content_from_contract, sign_certificate
from surety_core.documents import (
    build_certificate_pdf,
    build_key_notice_pdf,
    certificate_data_from_content,
    key_notice_data_from_contract,
)
from surety_core.keys import generate_key
from surety_core.notify import completion_notice
from surety_core.testing import samples

PRINTED = "山田工務店 代表 山田太郎"


def _text(pdf: bytes, tmp_path: Path, name: str) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is required under CI=true")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    if os.environ.get("SURETY_KEEP_PNG"):  # for a person to look at the pages
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", "-singlefile", str(path), str(tmp_path / name)],
            check=True,
        )
    return out.stdout


def test_the_key_notice_and_certificate_print_the_trade_name_and_the_proprietor(
    tmp_path: Path,
) -> None:
    contract = samples.guarantee_contract(principal=samples.sole_proprietor())
    notice = key_notice_data_from_contract(contract, generate_key(), issued_on=samples.SAMPLE_DAY)
    assert notice.principal_name == PRINTED
    text = _text(build_key_notice_pdf(notice), tmp_path, "notice")
    assert f"受注者 {PRINTED}" in " ".join(text.split())

    content = content_from_contract(contract, issued_at=samples.SAMPLE_NOW, previous_digest=None)
    data = certificate_data_from_content(content)
    assert data.principal_name == PRINTED
    pdf = build_certificate_pdf(data, sign_certificate(content, samples.signing_ring()))
    assert f"受注者 {PRINTED}" in " ".join(_text(pdf, tmp_path, "certificate").split())

    corporate = samples.guarantee_contract()
    assert (
        key_notice_data_from_contract(corporate, generate_key()).principal_name
        == "株式会社東葛建設"
    )


def test_the_completion_mail_addresses_a_person_with_sama() -> None:
    sole = completion_notice(
        samples.guarantee_contract(principal=samples.sole_proprietor()),
        recipient=samples.CONTRACTOR_EMAIL,
    )
    assert sole.body.splitlines()[0] == f"{PRINTED} 様"
    company = completion_notice(samples.guarantee_contract(), recipient=samples.CONTRACTOR_EMAIL)
    assert company.body.splitlines()[0] == "株式会社東葛建設 御中"


def test_the_fee_statement_is_addressed_to_the_proprietor_with_sama(tmp_path: Path) -> None:
    from surety_core.documents import fee_statement_pdf
    from surety_core.storage.memory import MemoryStore

    sole = samples.sole_proprietor()
    for principal, addressee in (
        (sole, f"{PRINTED} 様"),
        (samples.contractor(), "株式会社東葛建設 御中"),
    ):
        application = samples.electronic_application(
            principal=principal, reference=f"APP-{principal.identifier}"
        )
        service = samples.surety_service(
            MemoryStore(),
            arrangements=samples.arrangement_book(principal_ids=[principal.identifier]),
        )
        issued = service.apply_and_issue(application).guarantees[0]
        pdf = fee_statement_pdf(issued.contract, issued.fee, issued_on=samples.SAMPLE_DAY)
        text = " ".join(_text(pdf, tmp_path, f"fee-{principal.kind.value}").split())
        assert addressee in text
