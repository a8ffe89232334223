"""What the services return (private; see :mod:`surety_core.services`).

Owns the immutable result values of the three actors: the issuer's receipts and results, the
contractor's summaries, details and key notice, the obligee's view. Only
:class:`KeyNotice` and :class:`IssuedGuarantee` may carry an authentication key, and both mask it
in their repr (the key's own repr is masked).

Must not know: how the values were computed, the store, the clock, signing keys or rates.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from attrs import frozen

from surety_core.certificates._signing import certificate_digest
from surety_core.domain._claims import ClaimSettlement
from surety_core.domain._fees import FeeAdjustment, FeeStatement, RefundStatement
from surety_core.domain._model import (
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    Medium,
    Period,
)
from surety_core.domain._payments import FeeCoverage, Payment, ReceiptData
from surety_core.domain._products import ProductRegistry
from surety_core.keys._format import AuthKey
from surety_core.storage._records import CertificateRecord

__all__ = [
    "AmendmentResult",
    "ApplicationReceipt",
    "CertificateStanding",
    "ClaimResult",
    "GuaranteeDetails",
    "GuaranteeSummary",
    "IssuanceResult",
    "IssuedGuarantee",
    "KeyNotice",
    "ObligeeView",
    "PaymentResult",
    "ReleaseResult",
    "VersionView",
]


@frozen
class VersionView:
    """One version as the obligee and the contractor see it."""

    version: int
    amount: int
    period: Period
    effective_on: date
    reason: str

    @classmethod
    def of(cls, version: GuaranteeVersion) -> VersionView:
        return cls(
            version.number, version.amount, version.period, version.effective_on, version.reason
        )


@frozen
class GuaranteeSummary:
    """One row of the history list (電子保証履歴一覧) and the contract summary
    (保証契約内容): number, content, amount, period, surety, and the state."""

    number: str
    product: str
    product_name: str
    content: str
    """保証契約内容: the product and the works it guarantees."""
    amount: int
    period: Period
    surety: str
    obligee: str
    medium: Medium
    status: GuaranteeStatus
    version: int
    issued_on: date
    works_number: str = ""
    """The works (or service contract) number, searchable in the history list."""

    @classmethod
    def of(cls, contract: GuaranteeContract, products: ProductRegistry) -> GuaranteeSummary:
        name = products.name_of(contract.product)
        return cls(
            number=contract.number,
            product=contract.product,
            product_name=name,
            content=f"{name} {contract.works.name}",
            amount=contract.amount,
            period=contract.period,
            surety=contract.surety.name,
            obligee=contract.obligee.name,
            medium=contract.medium,
            status=contract.status,
            version=contract.version,
            issued_on=contract.issued_on,
            works_number=contract.works.number,
        )


@frozen
class IssuedGuarantee:
    """One guarantee issued from an application. ``key`` and ``certificate`` are ``None`` for
    paper (only electronic content is signed); the key's repr is masked (see
    :class:`~surety_core.keys.AuthKey`)."""

    contract: GuaranteeContract
    certificate: CertificateRecord | None
    fee: FeeStatement
    key: AuthKey | None


@frozen
class IssuanceResult:
    """The guarantees issued for one application, in request order."""

    reference: str
    guarantees: tuple[IssuedGuarantee, ...]


@frozen
class ApplicationReceipt:
    """An accepted application with the fee of each request (the fee never depends on the
    medium)."""

    reference: str
    fees: tuple[FeeStatement, ...]

    @property
    def due(self) -> int:
        """The fee due for the whole application (yen): the sum of :attr:`fees`."""
        return sum(f.total for f in self.fees)


@frozen
class KeyNotice:
    """The data of one 「電子保証にかかる「認証キー」のお知らせ」: the only place a key shows."""

    contract: GuaranteeContract
    product_name: str
    key: AuthKey
    generation: int
    key_issued_at: datetime

    @property
    def number(self) -> str:
        return self.contract.number


@frozen
class GuaranteeDetails:
    """Everything the contractor sees for one of its guarantees (詳細)."""

    summary: GuaranteeSummary
    contract: GuaranteeContract
    versions: tuple[VersionView, ...]
    statements: tuple[FeeStatement | RefundStatement | ClaimSettlement | FeeAdjustment, ...]
    certificates: tuple[CertificateRecord, ...]
    has_key: bool


@frozen
class ObligeeView:
    """What the registry shows an obligee for a number + key (閲覧).

    ``status`` is the state as of the view: an issued guarantee whose period has ended shows
    as expired. ``versions`` is the full history, oldest first; ``certificate`` the latest
    signed document (verify it offline with the surety's key set).
    """

    number: str
    product: str
    product_name: str
    status: GuaranteeStatus
    current_version: int
    contract: GuaranteeContract
    versions: tuple[VersionView, ...]
    certificate: CertificateRecord
    history: tuple[CertificateRecord, ...]
    viewed_at: datetime

    def standing(self, document: bytes) -> CertificateStanding:
        """Whether a signed certificate ``document`` (e.g. attached to a PDF someone sent) is
        the registry's current version, a superseded one, or not in this history at all."""
        digest = certificate_digest(document) if isinstance(document, bytes) else b""
        for record in self.history:
            if record.digest == digest:
                if record is self.history[-1]:
                    return CertificateStanding.CURRENT
                return CertificateStanding.SUPERSEDED
        return CertificateStanding.UNKNOWN


class CertificateStanding(StrEnum):
    """Where a signed certificate stands in the registry (:meth:`ObligeeView.standing`)."""

    CURRENT = "current"
    """The latest signed version: what the registry states now."""
    SUPERSEDED = "superseded"
    """An earlier signed version: a newer one (an amendment) exists."""
    UNKNOWN = "unknown"
    """Not a version of this guarantee in the registry."""


@frozen
class AmendmentResult:
    """An amended contract with its new signed version (``None`` for paper), the fee statement
    of its new terms and the fee adjustment: the additional fee due (追加保証料) or the refund
    (返還保証料), see :func:`surety_core.fee_on_amendment`."""

    contract: GuaranteeContract
    certificate: CertificateRecord | None
    fee: FeeStatement
    adjustment: FeeAdjustment


@frozen
class ReleaseResult:
    """A released contract with its refund statement, when the rate table refunds."""

    contract: GuaranteeContract
    refund: RefundStatement | None


@frozen
class ClaimResult:
    """A claimed contract with its settlement."""

    contract: GuaranteeContract
    settlement: ClaimSettlement


@frozen
class PaymentResult:
    """A recorded fee payment: the payment, the application's coverage after it, and the data
    of the paper receipt (領収証)."""

    payment: Payment
    coverage: FeeCoverage
    receipt: ReceiptData
