"""The contractor's portal (private; see :mod:`surety_core.services`).

Owns what a principal (受注者) reads about its own guarantees: the history list (電子保証履歴一覧),
the details of one guarantee (詳細) and the data of its key notice, decrypted from the sealed key
record whenever asked. Every read checks ownership: "absent" and "someone else's" look the same.

Must not know: signing keys, rate tables, policies or the approval hook (it never issues,
signs or changes anything; a key notice download is audited, without the key), nor SQL, SMTP
or PDF.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, tzinfo

from surety_core import _validation as v
from surety_core._errors import InvalidInputError, NotFoundError
from surety_core._serialization import from_json
from surety_core.audit._chain import AuditAction
from surety_core.domain._model import GuaranteeContract, Medium
from surety_core.domain._products import ProductRegistry
from surety_core.domain._standard import default_products
from surety_core.keys._limiter import normalize_contract_number
from surety_core.keys._secrets import KeyProtector, SecretProvider
from surety_core.services._fingerprint import fingerprint_check
from surety_core.services._results import (
    GuaranteeDetails,
    GuaranteeSummary,
    KeyNotice,
    VersionView,
)
from surety_core.services._runtime import (
    BUSINESS_ZONE,
    Clock,
    Runtime,
    Step,
    check_secrets,
    owned_contract,
    utc_now,
)
from surety_core.storage._protocols import MAX_PAGE, ContractQuery, Page, Store

__all__ = ["HISTORY_CSV_HEADER", "ContractorPortal", "history_csv"]


class ContractorPortal:
    """The contractor's side of the workflow, on any store.

    * ``store``: a :class:`~surety_core.storage.Store`.
    * ``secrets``: the secret provider that decrypts the sealed keys for the key notice.
    * ``products``: the product set, for the product names (default: the built-in three).
    * ``clock``, ``today``, ``zone``, ``retries``: see :class:`~surety_core.services.SuretyService`.
    """

    def __init__(
        self,
        store: Store,
        secrets: SecretProvider,
        *,
        products: ProductRegistry | None = None,
        clock: Clock = utc_now,
        today: Callable[[], date] | None = None,
        zone: tzinfo | str = BUSINESS_ZONE,
        retries: int = 5,
    ) -> None:
        products = default_products() if products is None else products
        v.require(products, ProductRegistry, "products")
        self._runtime = Runtime(
            store,
            secrets=secrets,
            clock=clock,
            today=today,
            retries=retries,
            zone=zone,
            first_use=fingerprint_check(KeyProtector(check_secrets(secrets)), write=False),
        )
        self._protector = KeyProtector(check_secrets(secrets))
        self._products = products

    def __repr__(self) -> str:
        return f"ContractorPortal(products={len(self._products)})"

    @property
    def products(self) -> ProductRegistry:
        return self._products

    def history(self, query: ContractQuery) -> Page[GuaranteeSummary]:
        """A principal's guarantees (電子保証履歴一覧), filtered and paged."""
        v.require(query, ContractQuery, "query")

        def work(step: Step) -> Page[GuaranteeSummary]:
            page = step.uow.contracts.query(query)
            return Page(
                items=tuple(GuaranteeSummary.of(c, self._products) for c in page.items),
                total=page.total,
                offset=page.offset,
                limit=page.limit,
            )

        return self._runtime.run(work, actor="principal")

    def history_list(
        self,
        principal_id: str,
        *,
        include_paper: bool = False,
        search: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[GuaranteeSummary]:
        """The history list (電子保証履歴一覧) as the contractor portal shows it: the electronic
        guarantees of the principal whose identifier is ``principal_id`` (paper ones too only
        when ``include_paper``), newest first (issue date, then number), each row with its
        surety; ``search`` keeps the rows whose works name or works number contains it
        (full-width and case folded). Export with :func:`history_csv`."""
        v.require(include_paper, bool, "include_paper")
        needle = None
        if search is not None:
            v.require(search, str, "search")
            if len(search) > 200:
                raise InvalidInputError("search", "must be at most 200 characters")
            needle = _fold(search)
        first = ContractQuery(
            principal_id=principal_id,
            medium=None if include_paper else Medium.ELECTRONIC,
            limit=MAX_PAGE,
        )
        window = ContractQuery(principal_id=principal_id, offset=offset, limit=limit)

        def work(step: Step) -> Page[GuaranteeSummary]:
            found: list[GuaranteeContract] = []
            query = first
            while True:
                page = step.uow.contracts.query(query)
                found.extend(page.items)
                if not page.items or len(found) >= page.total:
                    break
                query = ContractQuery(
                    principal_id=first.principal_id,
                    medium=first.medium,
                    offset=len(found),
                    limit=MAX_PAGE,
                )
            if needle:
                found = [
                    c
                    for c in found
                    if needle in _fold(c.works.name) or needle in _fold(c.works.number)
                ]
            found.sort(key=lambda c: (c.issued_on, c.number), reverse=True)
            rows = found[window.offset : window.offset + window.limit]
            return Page(
                items=tuple(GuaranteeSummary.of(c, self._products) for c in rows),
                total=len(found),
                offset=window.offset,
                limit=window.limit,
            )

        return self._runtime.run(work, actor="principal")

    def details(self, number: str, *, principal_id: str) -> GuaranteeDetails:
        """One guarantee of the principal whose :attr:`~surety_core.Principal.identifier` is
        ``principal_id`` (a corporate number, or a sole proprietor's customer number) (詳細).

        Raises :class:`~surety_core.NotFoundError` when it does not exist or is another's.
        """
        compact = normalize_contract_number(number)

        def work(step: Step) -> GuaranteeDetails:
            uow = step.uow
            contract = owned_contract(uow, compact, principal_id)
            statements = tuple(from_json(s.document) for s in uow.statements.for_contract(compact))
            return GuaranteeDetails(
                summary=GuaranteeSummary.of(contract, self._products),
                contract=contract,
                versions=tuple(VersionView.of(x) for x in contract.versions),
                statements=statements,
                certificates=tuple(uow.certificates.history(compact)),
                has_key=uow.keys.active(compact) is not None,
            )

        return self._runtime.run(work, actor="principal")

    def key_notice(self, number: str, *, principal_id: str, actor: str = "principal") -> KeyNotice:
        """The data of the key notice of one electronic guarantee, obtainable again at any time
        (the key is decrypted from its sealed record). Audited, without the key."""
        compact = normalize_contract_number(number)

        def work(step: Step) -> KeyNotice:
            contract = owned_contract(step.uow, compact, principal_id)
            record = step.uow.keys.active(compact)
            if record is None:
                raise NotFoundError(f"guarantee contract {compact} has no authentication key")
            step.audit(
                AuditAction.KEY_NOTICE_DOWNLOADED,
                compact,
                {"generation": str(record.generation)},
            )
            return KeyNotice(
                contract=contract,
                product_name=self._products.name_of(contract.product),
                key=self._protector.unseal(record),
                generation=record.generation,
                key_issued_at=record.created_at,
            )

        return self._runtime.run(work, actor=actor)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


HISTORY_CSV_HEADER = (
    "保証契約番号",
    "保証の種類",
    "保証契約内容",
    "工事番号",
    "保証金額",
    "保証期間",
    "保証会社",
    "発注者",
    "媒体",
    "状態",
    "版",
    "発行日",
)
"""The columns of :func:`history_csv`, as the history list shows them."""

_MEDIUM_JA = {Medium.ELECTRONIC: "電子", Medium.PAPER: "書面"}


def _cell(value: str) -> str:
    # a cell a spreadsheet would run as a formula is kept as text
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def history_csv(rows: Iterable[GuaranteeSummary]) -> str:
    """The history list rows as CSV text (UTF-8 with the columns of
    :data:`HISTORY_CSV_HEADER`; cells that a spreadsheet would run as formulas are prefixed
    with ``'``). Write it with ``encoding="utf-8-sig"`` for spreadsheet programs."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HISTORY_CSV_HEADER)
    for row in rows:
        v.require(row, GuaranteeSummary, "rows[]")
        writer.writerow(
            [
                _cell(str(x))
                for x in (
                    row.number,
                    row.product_name,
                    row.content,
                    row.works_number,
                    row.amount,
                    str(row.period),
                    row.surety,
                    row.obligee,
                    _MEDIUM_JA.get(row.medium, row.medium.value),
                    row.status.value,
                    row.version,
                    f"{row.issued_on:%Y/%m/%d}",
                )
            ]
        )
    return out.getvalue()
