"""The contractor's portal (private; see :mod:`surety_core.services`).

Owns what a principal (受注者) reads about its own guarantees: the history list (電子保証履歴一覧),
the details of one guarantee (詳細) and the data of its key notice, decrypted from the sealed key
record whenever asked. Every read checks ownership: "absent" and "someone else's" look the same.

Must not know: signing keys, rate tables, policies or the approval hook (it never issues,
signs or changes anything; a key notice download is audited, without the key), nor SQL, SMTP
or PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from surety_core import _validation as v
from surety_core._errors import NotFoundError
from surety_core._serialization import from_json
from surety_core.audit._chain import AuditAction
from surety_core.domain._products import ProductRegistry
from surety_core.domain._standard import default_products
from surety_core.keys._limiter import normalize_contract_number
from surety_core.keys._secrets import KeyProtector, SecretProvider
from surety_core.services._results import (
    GuaranteeDetails,
    GuaranteeSummary,
    KeyNotice,
    VersionView,
)
from surety_core.services._runtime import (
    Clock,
    Runtime,
    Step,
    check_secrets,
    owned_contract,
    utc_now,
)
from surety_core.storage._protocols import ContractQuery, Page, Store

__all__ = ["ContractorPortal"]


class ContractorPortal:
    """The contractor's side of the workflow, on any store.

    * ``store``: a :class:`~surety_core.storage.Store`.
    * ``secrets``: the secret provider that decrypts the sealed keys for the key notice.
    * ``products``: the product set, for the product names (default: the built-in three).
    * ``clock``, ``today``, ``retries``: see :class:`~surety_core.services.SuretyService`.
    """

    def __init__(
        self,
        store: Store,
        secrets: SecretProvider,
        *,
        products: ProductRegistry | None = None,
        clock: Clock = utc_now,
        today: Callable[[], date] | None = None,
        retries: int = 5,
    ) -> None:
        products = default_products() if products is None else products
        v.require(products, ProductRegistry, "products")
        self._runtime = Runtime(store, clock=clock, today=today, retries=retries)
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

    def details(self, number: str, *, corporate_number: str) -> GuaranteeDetails:
        """One guarantee of the principal with ``corporate_number`` (詳細).

        Raises :class:`~surety_core.NotFoundError` when it does not exist or is another's.
        """
        compact = normalize_contract_number(number)

        def work(step: Step) -> GuaranteeDetails:
            uow = step.uow
            contract = owned_contract(uow, compact, corporate_number)
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

    def key_notice(
        self, number: str, *, corporate_number: str, actor: str = "principal"
    ) -> KeyNotice:
        """The data of the key notice of one electronic guarantee, obtainable again at any time
        (the key is decrypted from its sealed record). Audited, without the key."""
        compact = normalize_contract_number(number)

        def work(step: Step) -> KeyNotice:
            contract = owned_contract(step.uow, compact, corporate_number)
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
