"""Document inputs from the domain model (private; see :mod:`surety_core.documents`).

The seams to the rest of the library: a key notice from a :class:`~surety_core.GuaranteeContract`
and the printed key, certificate data from signed certificate content (any object with the
fields of ``surety_core.certificates.CertificateContent``), and the paper certificate (正本) of
a paper guarantee from its contract and the product set (for the terms).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Protocol

from surety_core import _validation as v
from surety_core._errors import ConfigurationError, InvalidInputError
from surety_core._japanese import format_period, format_yen
from surety_core.certificates import (
    CertificateChange,
    CertificateContent,
    TrustedKeySet,
    content_from_contract,
    verify_certificate,
)
from surety_core.documents._certificate import (
    WORKS_LABELS,
    CertificateAmendment,
    CertificateData,
    ChangedField,
    build_certificate_pdf,
    build_paper_certificate_pdf,
)
from surety_core.documents._data import (
    JST,
    DocumentIdentity,
    KeyNoticeData,
    KeyNoticeProfile,
)
from surety_core.documents._notice import build_key_notice_pdf
from surety_core.domain._model import (
    GuaranteeContract,
    GuaranteeVersion,
    Medium,
    Obligee,
    Period,
    Principal,
    Surety,
    Works,
)
from surety_core.domain._products import PRODUCT_NAMES_JA, ProductRegistry, Terms
from surety_core.domain._standard import default_products
from surety_core.keys import AuthKey
from surety_core.storage._records import CertificateRecord

__all__ = [
    "PRODUCT_NAMES_JA",
    "CertificateContentLike",
    "KeyNoticeLike",
    "build_signed_certificate_pdf",
    "certificate_data_from_content",
    "certificate_pdf",
    "certificate_verifier",
    "key_notice_data_from_contract",
    "key_notice_data_from_notice",
    "key_notice_pdf",
    "paper_certificate_data",
    "paper_certificate_pdf",
]


class CertificateContentLike(Protocol):
    """The fields of certificate content that a certificate PDF prints (those of
    ``surety_core.certificates.CertificateContent``)."""

    @property
    def number(self) -> str: ...
    @property
    def product(self) -> str: ...
    @property
    def principal(self) -> Principal: ...
    @property
    def obligee(self) -> Obligee: ...
    @property
    def works(self) -> Works: ...
    @property
    def amount(self) -> int: ...
    @property
    def period(self) -> Period: ...
    @property
    def medium(self) -> Medium: ...
    @property
    def version(self) -> int: ...
    @property
    def issued_at(self) -> datetime: ...
    @property
    def surety(self) -> Surety: ...
    @property
    def terms(self) -> Terms | None: ...
    @property
    def change(self) -> CertificateChange | None: ...


def _product_name(code: str, names: Mapping[str, str]) -> str:
    try:
        return names[code]
    except KeyError:
        raise ConfigurationError(f"no Japanese name for product {code!r}") from None


def _changed_rows(contract: GuaranteeContract) -> frozenset[str]:
    """The key notice rows that the current version changed from the one before it."""
    if len(contract.versions) < 2:
        return frozenset()
    before, after = contract.versions[-2], contract.versions[-1]
    pairs = {
        "works_name": (before.works.name, after.works.name),
        "works_number": (before.works.number, after.works.number),
        "obligee_name": (before.works.obligee.name, after.works.obligee.name),
        "amount": (before.amount, after.amount),
        "period": (before.period, after.period),
    }
    return frozenset(name for name, (old, new) in pairs.items() if old != new)


def _version_day(contract: GuaranteeContract) -> date:
    """The date of the contract's current version: the issue date for the original, the
    effective date of an amendment (never before the issue date)."""
    if contract.version == 1:
        return contract.issued_on
    return max(contract.issued_on, contract.current.effective_on)


def key_notice_data_from_contract(
    contract: GuaranteeContract,
    key: AuthKey | str,
    *,
    issued_on: date | None = None,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
    viewing_instructions: tuple[str, ...] | None = None,
    profile: KeyNoticeProfile | None = None,
    key_generation: int = 1,
) -> KeyNoticeData:
    """The key notice for ``contract``'s current version with ``key``: an
    :class:`~surety_core.keys.AuthKey` (printed with its :meth:`~surety_core.keys.AuthKey.reveal`
    form) or the key as printed, e.g. ``"7KQM-3XTA-9PLW-R2DH-5C8N"``.

    The notice is dated ``issued_on``, by default the date of the current version (the issue
    date for the original, the amendment's effective date for a later version). A later version
    states its number and date and marks the rows it changed 変更; ``key_generation`` above 1
    (a re-issued key) says so. Wording, title, date style and viewing address come from
    ``profile`` (default :class:`KeyNoticeProfile`); ``viewing_instructions`` replaces the
    profile's. The sender block is the contract's surety (its branch, address, telephone).
    """
    if not isinstance(contract, GuaranteeContract):
        raise InvalidInputError(
            "contract", f"must be a GuaranteeContract, not {type(contract).__name__}"
        )
    chosen = KeyNoticeProfile() if profile is None else profile
    if not isinstance(chosen, KeyNoticeProfile):
        raise InvalidInputError("profile", "must be a KeyNoticeProfile")
    if isinstance(key_generation, bool) or not isinstance(key_generation, int):
        raise InvalidInputError("key_generation", "must be a whole number")
    surety = contract.surety
    return KeyNoticeData(
        product_name=_product_name(contract.product, product_names),
        contract_number=contract.number,
        key=key.reveal() if isinstance(key, AuthKey) else key,
        works_name=contract.works.name,
        works_number=contract.works.number,
        obligee_name=contract.obligee.name,
        principal_name=contract.principal.display_name,
        amount=contract.amount,
        period=contract.period,
        surety_name=surety.name,
        issued_on=_version_day(contract) if issued_on is None else issued_on,
        viewing_instructions=(
            chosen.viewing_instructions if viewing_instructions is None else viewing_instructions
        ),
        works_kind=contract.works.kind,
        document_number=chosen.document_number.format(
            number=contract.number, version=contract.version, generation=key_generation
        ),
        surety_branch=surety.branch,
        surety_address=surety.address,
        surety_telephone=surety.telephone,
        version=contract.version,
        version_on=contract.current.effective_on if contract.version > 1 else None,
        original_issued_on=contract.issued_on,
        changed=_changed_rows(contract),
        key_generation=key_generation,
        profile=chosen,
    )


def _changed_fields(
    before: GuaranteeVersion, amount: int, period: Period, works: Works
) -> tuple[ChangedField, ...]:
    """The fields an amendment changed, before and after, in the certificate's words."""
    labels = WORKS_LABELS[works.kind]
    old = before.works

    def span(p: Period) -> str:
        return format_period(p.start, p.end, era=True)

    pairs = [
        ("保証金額", format_yen(before.amount), format_yen(amount)),
        ("保証期間", span(before.period), span(period)),
        (labels.price, format_yen(old.contract_price), format_yen(works.contract_price)),
        (labels.period, span(old.period), span(works.period)),
        (labels.name, old.name, works.name),
        (labels.number, old.number, works.number),
        (labels.site, old.site or "（記載なし）", works.site or "（記載なし）"),
    ]
    return tuple(ChangedField(label, a, b) for label, a, b in pairs if a != b)


def _certificate_data(
    content: CertificateContentLike, product_names: Mapping[str, str], *, paper: bool
) -> CertificateData:
    try:
        change = content.change
        amendment = None
        if change is not None:
            amendment = CertificateAmendment(
                effective_on=change.effective_on,
                reason=change.reason,
                changes=_changed_fields(
                    change.before, content.amount, content.period, content.works
                ),
            )
        works = content.works
        return CertificateData(
            contract_number=content.number,
            product_name=_product_name(content.product, product_names),
            version=content.version,
            works_kind=works.kind,
            works_name=works.name,
            works_number=works.number,
            contract_price=works.contract_price,
            works_period=works.period,
            obligee_name=content.obligee.name,
            principal_name=content.principal.display_name,
            amount=content.amount,
            period=content.period,
            surety_name=content.surety.name,
            issued_on=content.issued_at.astimezone(JST).date(),
            terms=content.terms,
            site=works.site,
            principal_address=content.principal.address,
            surety_representative=content.surety.representative,
            amendment=amendment,
            paper=paper,
        )
    except AttributeError as exc:
        raise InvalidInputError("content", f"is not certificate content ({exc.name})") from None


def certificate_data_from_content(
    content: CertificateContentLike, *, product_names: Mapping[str, str] = PRODUCT_NAMES_JA
) -> CertificateData:
    """What an electronic certificate PDF prints for signed ``content`` (issue date in JST).

    Content of a paper guarantee (``medium`` is :attr:`~surety_core.Medium.PAPER`) raises
    :class:`~surety_core.InvalidInputError`: its certificate is the paper one
    (:func:`paper_certificate_pdf`), and printing its content as an electronic certificate
    would make a second original.
    """
    if getattr(content, "medium", None) != Medium.ELECTRONIC:
        raise InvalidInputError(
            "content.medium",
            "a paper guarantee gets no electronic certificate (its certificate is on paper)",
        )
    return _certificate_data(content, product_names, paper=False)


def paper_certificate_data(
    certificate: GuaranteeContract | CertificateContent,
    *,
    products: ProductRegistry | None = None,
    issued_on: date | None = None,
) -> CertificateData:
    """What the paper certificate (正本) of a paper guarantee prints.

    ``certificate`` is what the service states for it
    (:meth:`SuretyService.paper_certificate <surety_core.services.SuretyService.paper_certificate>`:
    terms and date included), or the paper :class:`~surety_core.GuaranteeContract` itself: its
    current version under the terms of ``products`` (default:
    :func:`~surety_core.default_products`), dated ``issued_on`` (default: the day the version
    was issued, the contract's issue date for version 1 and the amendment's effective date
    after). The product's name comes from ``products``. An electronic guarantee raises
    :class:`~surety_core.InvalidInputError`: its certificate is the signed one."""
    registry = default_products() if products is None else products
    if not isinstance(registry, ProductRegistry):
        raise InvalidInputError("products", "must be a ProductRegistry")
    if isinstance(certificate, CertificateContent):
        if issued_on is not None:
            raise InvalidInputError("issued_on", "the service's content is dated already")
        content = certificate
    elif isinstance(certificate, GuaranteeContract):
        contract = certificate
        if issued_on is None:
            current = contract.current
            issued_on = contract.issued_on if contract.version == 1 else current.effective_on
        v.require(issued_on, date, "issued_on")
        day = issued_on.date() if isinstance(issued_on, datetime) else issued_on
        content = content_from_contract(
            contract,
            issued_at=datetime.combine(day, time(0, 0), JST),
            previous_digest=None,
            terms=registry.terms_of(contract.product),
        )
    else:
        raise InvalidInputError(
            "certificate",
            f"must be a GuaranteeContract or CertificateContent, not {type(certificate).__name__}",
        )
    if content.medium is not Medium.PAPER:
        raise InvalidInputError(
            "certificate.medium",
            "an electronic guarantee's certificate is the signed one (certificate_pdf)",
        )
    names = {content.product: registry.name_of(content.product)}
    return _certificate_data(content, names, paper=True)


def paper_certificate_pdf(
    certificate: GuaranteeContract | CertificateContent,
    *,
    products: ProductRegistry | None = None,
    issued_on: date | None = None,
) -> bytes:
    """The paper certificate (正本) PDF of a paper guarantee in one call (see
    :func:`paper_certificate_data` and :func:`build_paper_certificate_pdf`), e.g.
    ``paper_certificate_pdf(service.paper_certificate(number), products=service.products)``."""
    return build_paper_certificate_pdf(
        paper_certificate_data(certificate, products=products, issued_on=issued_on)
    )


def certificate_verifier(
    trusted: TrustedKeySet, *, product_names: Mapping[str, str] = PRODUCT_NAMES_JA
) -> Callable[[bytes], CertificateData]:
    """The ``verify_payload`` for :func:`verify_certificate_pdf`: checks a signed certificate
    document against ``trusted`` (:func:`surety_core.certificates.verify_certificate`, which
    raises the opaque :class:`~surety_core.VerificationError`) and returns what it prints."""
    if not isinstance(trusted, TrustedKeySet):
        raise InvalidInputError("trusted", "must be a TrustedKeySet")

    def verify(document: bytes) -> CertificateData:
        content = verify_certificate(document, trusted)
        return certificate_data_from_content(content, product_names=product_names)

    return verify


def build_signed_certificate_pdf(
    content: CertificateContent,
    signed_document: bytes,
    *,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
) -> bytes:
    """The certificate PDF for signed ``content``, embedding ``signed_document`` (the bytes
    :func:`surety_core.certificates.sign_certificate` returned for that content). Paper
    guarantees get no electronic certificate: their content raises
    :class:`~surety_core.InvalidInputError`."""
    data = certificate_data_from_content(content, product_names=product_names)
    return build_certificate_pdf(data, signed_document)


def key_notice_pdf(
    contract: GuaranteeContract,
    key: AuthKey | str,
    *,
    issued_on: date | None = None,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
    viewing_instructions: tuple[str, ...] | None = None,
    identity: DocumentIdentity | None = None,
    profile: KeyNoticeProfile | None = None,
    key_generation: int = 1,
) -> bytes:
    """The key notice PDF for ``contract`` and ``key`` in one call (see
    :func:`key_notice_data_from_contract` and :func:`build_key_notice_pdf`)."""
    data = key_notice_data_from_contract(
        contract,
        key,
        issued_on=issued_on,
        product_names=product_names,
        viewing_instructions=viewing_instructions,
        profile=profile,
        key_generation=key_generation,
    )
    return build_key_notice_pdf(data, identity)


def certificate_pdf(
    certificate: bytes | CertificateRecord,
    trusted: TrustedKeySet,
    *,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
) -> bytes:
    """The certificate PDF in one call, from the signed document or its stored
    :class:`~surety_core.storage.CertificateRecord` (``IssuedGuarantee.certificate``).

    The signature is checked against ``trusted`` first (``SigningKeyRing.trusted_keys()``):
    a PDF is only made for a document the surety signed
    (:class:`~surety_core.VerificationError` otherwise)."""
    if not isinstance(trusted, TrustedKeySet):
        raise InvalidInputError("trusted", "must be a TrustedKeySet")
    if isinstance(certificate, CertificateRecord):
        document = certificate.document
    elif isinstance(certificate, bytes):
        document = certificate
    else:
        raise InvalidInputError(
            "certificate",
            f"must be a CertificateRecord or the signed document (bytes), "
            f"not {type(certificate).__name__}",
        )
    content = verify_certificate(document, trusted)
    return build_signed_certificate_pdf(content, document, product_names=product_names)


class KeyNoticeLike(Protocol):
    """The fields of the workflow's key notice data (``surety_core.services.KeyNotice``)."""

    @property
    def contract(self) -> GuaranteeContract: ...
    @property
    def product_name(self) -> str: ...
    @property
    def key(self) -> AuthKey: ...
    @property
    def generation(self) -> int: ...
    @property
    def key_issued_at(self) -> datetime: ...


def key_notice_data_from_notice(
    notice: KeyNoticeLike,
    *,
    issued_on: date | None = None,
    viewing_instructions: tuple[str, ...] | None = None,
    profile: KeyNoticeProfile | None = None,
) -> KeyNoticeData:
    """The key notice for the workflow's key notice data (its product name as given). It is
    dated the later of the day its key was issued (in JST) and the date of the contract's
    current version, unless ``issued_on`` says otherwise, so a notice fetched again after an
    amendment carries the amendment's date with the amended terms; a re-issued key (generation
    above 1) is said to be one. ``profile`` as for :func:`key_notice_data_from_contract`."""
    try:
        contract = notice.contract
        product_name = notice.product_name
        key = notice.key
        generation = notice.generation
        key_day = notice.key_issued_at.astimezone(JST).date()
    except AttributeError as exc:
        raise InvalidInputError("notice", f"is not key notice data ({exc.name})") from None
    if not isinstance(contract, GuaranteeContract):
        raise InvalidInputError("notice.contract", "must be a GuaranteeContract")
    day = max(key_day, _version_day(contract)) if issued_on is None else issued_on
    return key_notice_data_from_contract(
        contract,
        key,
        issued_on=day,
        product_names={contract.product: product_name},
        viewing_instructions=viewing_instructions,
        profile=profile,
        key_generation=generation,
    )
