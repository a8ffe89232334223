"""A certificate states the terms; the registry states the status.

Before: every status change signed a new version whose content stated the status, and the first
certificate stated 有効 (issued) — a signed status that went stale the day the guarantee was
released. Now no status is signed: a release, claim or expiry signs nothing, the registry's view
states the status, and the certificate the obligee holds stays the current terms. The content of
a paper guarantee is never signed.
"""

from __future__ import annotations

from datetime import date

import pytest

from surety_core import GuaranteeStatus, InvalidInputError, Medium
from surety_core.certificates import (
    SigningKeyRing,
    content_from_contract,
    sign_certificate,
    verify_certificate,
    verify_chain,
)
from surety_core.services import CertificateStanding
from surety_core.storage import Store

from .test_flow import Env, application

REASON = "請負代金額の減額"


def _issued(env: Env, reference: str = "APP-0001") -> tuple[str, str]:
    result = env.service.apply_and_issue(application(reference))
    guarantee = result.guarantees[1]  # the advance payment guarantee
    assert guarantee.key is not None
    return guarantee.contract.number, guarantee.key.reveal()


@pytest.mark.parametrize("change", ["release", "claim", "expire"])
def test_a_status_change_signs_nothing_and_the_registry_states_it(
    any_store: Store, change: str
) -> None:
    env = Env(any_store)
    number, key = _issued(env)
    before = env.service.view(number, key)
    assert len(before.history) == 1
    assert before.status is GuaranteeStatus.ISSUED
    if change == "release":
        env.service.release(number, date(2025, 6, 1))
        expected = GuaranteeStatus.RELEASED
    elif change == "claim":
        env.service.claim(number, date(2025, 6, 1), advance_paid=40_000_000, completed_value=0)
        expected = GuaranteeStatus.CLAIMED
    else:
        contract = before.contract
        env.clock.advance(days=400)
        env.service.expire(number, contract.period.end + (date(2026, 1, 1) - date(2025, 12, 31)))
        expected = GuaranteeStatus.EXPIRED
    after = env.service.view(number, key)
    assert after.status is expected  # the registry states the status
    assert [r.version for r in after.history] == [1]  # and nothing new was signed
    assert after.certificate == before.certificate
    trusted = env.signing.trusted_keys()
    content = verify_certificate(after.certificate.document, trusted)
    assert not hasattr(content, "status")
    verify_chain([r.document for r in after.history], trusted)
    # The certificate an obligee already holds is still the current terms.
    assert after.standing(before.certificate.document) is CertificateStanding.CURRENT
    assert after.standing(b"{}") is CertificateStanding.UNKNOWN


def test_an_amendment_signs_a_version_that_says_what_changed(any_store: Store) -> None:
    import attrs

    from surety_core import Amendment

    env = Env(any_store)
    number, key = _issued(env)
    before = env.service.view(number, key)
    old = before.contract
    smaller = attrs.evolve(old.works, contract_price=old.works.contract_price - 10_000_000)
    env.service.amend(
        number,
        Amendment(
            old.amount - 4_000_000, old.period, smaller, date(2025, 6, 1), "請負代金額の減額"
        ),
    )
    after = env.service.view(number, key)
    assert [r.version for r in after.history] == [1, 2]
    first, second = verify_chain([r.document for r in after.history], env.signing.trusted_keys())
    assert first.change is None
    assert second.change is not None
    assert second.change.before == old.current
    assert (second.change.effective_on, second.change.reason) == (
        date(2025, 6, 1),
        "請負代金額の減額",
    )
    assert second.terms == first.terms == env.service.products.terms_of(old.product)
    assert second.terms is not None
    assert after.standing(before.certificate.document) is CertificateStanding.SUPERSEDED
    assert after.standing(after.certificate.document) is CertificateStanding.CURRENT


def test_paper_content_is_never_signed(any_store: Store) -> None:
    env = Env(any_store)
    result = env.service.apply_and_issue(application(advance=Medium.PAPER, contract=None))
    (paper,) = result.guarantees
    assert paper.certificate is None
    assert paper.key is None
    with any_store.unit_of_work() as uow:
        assert len(uow.certificates.history(paper.contract.number)) == 0
    content = content_from_contract(paper.contract, issued_at=env.clock.now, previous_digest=None)
    with pytest.raises(InvalidInputError, match="medium"):
        sign_certificate(content, SigningKeyRing.generate("k"))
    # A paper guarantee's release signs nothing either.
    env.service.release(paper.contract.number, date(2025, 6, 1))
    with any_store.unit_of_work() as uow:
        assert len(uow.certificates.history(paper.contract.number)) == 0


def test_the_service_states_the_paper_certificate(any_store: Store) -> None:
    from io import BytesIO

    import attrs
    from pypdf import PdfReader

    from surety_core import Amendment
    from surety_core.documents import paper_certificate_pdf

    env = Env(any_store)
    result = env.service.apply_and_issue(application(advance=Medium.PAPER))
    electronic, paper = result.guarantees
    number = paper.contract.number
    content = env.service.paper_certificate(number)
    assert content.medium is Medium.PAPER
    assert content.terms == env.service.products.terms_of(paper.contract.product)
    assert content.change is None
    pdf = paper_certificate_pdf(content, products=env.service.products)
    lines = PdfReader(BytesIO(pdf)).pages[0].extract_text().splitlines()
    assert "正本" in lines
    assert "前払金保証証書" in lines
    assert f"保証契約番号 {number}" in lines
    assert not PdfReader(BytesIO(pdf)).attachments
    # Printed again, the same page.
    again = env.service.paper_certificate(number)
    assert paper_certificate_pdf(again, products=env.service.products) == pdf
    with pytest.raises(InvalidInputError, match="electronic"):
        env.service.paper_certificate(electronic.contract.number)
    # An amendment's paper certificate says what changed, dated by the amendment.
    old = paper.contract
    env.service.amend(
        number,
        Amendment(
            old.amount - 4_000_000,
            old.period,
            attrs.evolve(old.works, contract_price=old.works.contract_price - 10_000_000),
            date(2025, 6, 1),
            REASON,
        ),
    )
    amended = env.service.paper_certificate(number)
    assert amended.version == 2
    assert amended.change is not None
    assert amended.change.before == old.current
    assert amended.issued_at.date() == date(2025, 6, 1)
    text = PdfReader(BytesIO(paper_certificate_pdf(amended))).pages[0].extract_text()
    assert "変更 前払金保証証書" in text.splitlines()
    with any_store.unit_of_work() as uow:
        assert len(uow.certificates.history(number)) == 0  # paper is never signed
