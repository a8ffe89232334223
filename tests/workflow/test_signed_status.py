"""Every status is a signed version.

Before: release, claim and expiry signed nothing, so the latest certificate of a released
guarantee still stated 有効 (issued); a superseded version could not be told from the current one;
and the content of a paper guarantee was signed and could be printed as an electronic certificate.
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


def _issued(env: Env, reference: str = "APP-0001") -> tuple[str, str]:
    result = env.service.apply_and_issue(application(reference))
    guarantee = result.guarantees[1]  # the advance payment guarantee
    assert guarantee.key is not None
    return guarantee.contract.number, guarantee.key.reveal()


@pytest.mark.parametrize("change", ["release", "claim", "expire"])
def test_a_status_change_is_a_new_signed_version(any_store: Store, change: str) -> None:
    env = Env(any_store)
    number, key = _issued(env)
    before = env.service.view(number, key)
    assert len(before.history) == 1
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
    trusted = env.signing.trusted_keys()
    latest = verify_certificate(after.certificate.document, trusted)
    assert latest.status is expected
    assert latest.status is not GuaranteeStatus.ISSUED
    assert [r.version for r in after.history] == [1, 2]
    chain = verify_chain([r.document for r in after.history], trusted)
    assert [c.status for c in chain] == [GuaranteeStatus.ISSUED, expected]
    # The certificate an obligee already holds is reported as superseded.
    assert after.standing(before.certificate.document) is CertificateStanding.SUPERSEDED
    assert after.standing(after.certificate.document) is CertificateStanding.CURRENT
    assert after.standing(b"{}") is CertificateStanding.UNKNOWN


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
