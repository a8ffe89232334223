"""Products (保証商品) as an extensible registry (private; see :mod:`surety_core`).

A :class:`Product` carries its own rule checks, whether it needs an advance payment guarantee on
the same works, whether claims (保証事故) apply to it and how its period must fit the works
period. A host adds a product (a bid bond, say) with :meth:`ProductRegistry.with_product`
without editing the core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import ConfigurationError, InvalidInputError
from surety_core.domain._claims import ClaimBasis
from surety_core.domain._model import GuaranteeContract, ObligeePolicy, ProductRequest, Works
from surety_core.domain._rules import Rule, Violation

__all__ = [
    "ADVANCE_PAYMENT",
    "CONTRACT_GUARANTEE",
    "INTERMEDIATE_ADVANCE_PAYMENT",
    "PRODUCT_NAMES_JA",
    "Check",
    "PeriodRule",
    "Product",
    "ProductRegistry",
    "RequestContext",
    "Stage",
    "Terms",
]

ADVANCE_PAYMENT = "advance_payment"
"""Product code of the advance payment guarantee (前払金保証)."""
INTERMEDIATE_ADVANCE_PAYMENT = "intermediate_advance_payment"
"""Product code of the intermediate advance payment guarantee (中間前払金保証)."""
CONTRACT_GUARANTEE = "contract_guarantee"
"""Product code of the contract guarantee (契約保証)."""

PRODUCT_NAMES_JA: Mapping[str, str] = MappingProxyType(
    {
        ADVANCE_PAYMENT: "前払金保証",
        INTERMEDIATE_ADVANCE_PAYMENT: "中間前払金保証",
        CONTRACT_GUARANTEE: "契約保証",
    }
)
"""Japanese names of the built-in products by code (the names :func:`default_products` uses);
for a host's own product set use ``{p.code: p.name_ja for p in registry}``."""

Check = Callable[["RequestContext"], Iterable[Violation]]
"""A rule check: given one request in its context, yield every violation found."""


class PeriodRule(StrEnum):
    """How a product's guarantee period must fit the works period."""

    ENDS_AT_COMPLETION = "ends_at_completion"
    """Starts within the works period and ends exactly at its completion date (advance types)."""
    WITHIN_WORKS = "within_works"
    """Lies entirely within the works period."""
    CONTRACT_TO_COMPLETION = "contract_to_completion"
    """Runs from the works contract (on or before the start of the works period) to the
    completion date (contract guarantee)."""
    ANY = "any"
    """No constraint from the core (a host product checks its own period, e.g. a bid bond)."""


@frozen
class Terms:
    """The approved terms (約款) a product is sold under, as a certificate names them.

    * ``name``: the terms' title, e.g. ``公共工事前払金保証約款``.
    * ``version``: which edition, as printed, e.g. ``令和6年4月1日改定``.
    * ``covers``: what the guarantee covers under them, as printed in the certificate's
      保証する債務 line, e.g. ``受注者が受領する前払金の返還債務``.
    """

    name: str = field(converter=v.strip_text, validator=v.text(60))
    version: str = field(converter=v.strip_text, validator=v.text(40))
    covers: str = field(converter=v.strip_text, validator=v.text(120))


def _checks(instance: object, attribute: Any, value: Any) -> None:
    name = v.field_name(instance, attribute)
    if not isinstance(value, tuple) or not all(callable(c) for c in value):
        raise InvalidInputError(name, "must be a tuple of callables")


@frozen
class Product:
    """A guarantee product (保証商品) and its rules.

    * ``code``: stable identifier used in requests and contracts (e.g. ``advance_payment``).
    * ``checks``: product-specific rule checks, run for every request of this product.
    * ``requires_advance``: sold only for works on which an advance is planned
      (:attr:`Works.advance_planned`, or an advance payment guarantee in the same application or
      among the existing contracts) — rule ``CONTRACT_GUARANTEE_ADVANCE_NOT_PLANNED``; switch it
      off with :func:`attrs.evolve`.
    * ``claimable``: the product takes claims (保証事故), settled by ``claim_basis``: advance
      repayment (advance paid + partial payments − work completed) or the penalty (違約金).
    * ``one_per_works``: a works holds at most one guarantee of this product in force (rule
      ``PRODUCT_ALREADY_ON_WORKS``; an increase is an amendment).
    * ``period_rule``: how the guarantee period fits the works period.
    * ``rules``: the rules its ``checks`` may report (so a catalogue can list them).
    * ``terms``: the approved terms (約款) it is sold under, named in its certificates
      (``None``: a certificate names no terms).
    """

    code: str = field(validator=v.code)
    name_ja: str = field(converter=v.strip_text, validator=v.text(100))
    name_en: str = field(converter=v.strip_text, validator=v.text(100))
    checks: tuple[Check, ...] = field(default=(), converter=v.to_tuple, validator=_checks)
    requires_advance: bool = field(default=False, validator=v.instance_of(bool))
    claimable: bool = field(default=False, validator=v.instance_of(bool))
    claim_basis: ClaimBasis = field(
        default=ClaimBasis.ADVANCE_REPAYMENT, validator=v.enum_of(ClaimBasis)
    )
    one_per_works: bool = field(default=True, validator=v.instance_of(bool))
    period_rule: PeriodRule = field(
        default=PeriodRule.WITHIN_WORKS, validator=v.enum_of(PeriodRule)
    )
    rules: tuple[Rule, ...] = field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(Rule, max_length=100)
    )
    terms: Terms | None = field(default=None, validator=v.optional(v.instance_of(Terms)))


@frozen
class ProductRegistry:
    """A set of products by code. Iterate it in code order; extend it without touching the core.

    :meth:`with_product` and :meth:`without` return a new registry (the receiver is unchanged);
    :meth:`register` adds to this registry in place, refusing a different product under a code
    already taken.
    """

    _products: dict[str, Product] = field(factory=dict, alias="_products")

    @classmethod
    def of(cls, products: Iterable[Product]) -> ProductRegistry:
        """A registry holding ``products`` (later ones replace earlier ones of the same code)."""
        registry = cls()
        for product in products:
            if not isinstance(product, Product):
                raise InvalidInputError("products", f"not a Product: {type(product).__name__}")
            registry._products[product.code] = product
        return registry

    def register(self, product: Product) -> Product:
        """Add ``product`` in place; a different product under a taken code is refused."""
        v.require(product, Product, "product")
        existing = self._products.get(product.code)
        if existing is not None and existing != product:
            raise ConfigurationError(f"product code {product.code!r} is already taken")
        self._products[product.code] = product
        return product

    def with_product(self, product: Product) -> ProductRegistry:
        """A copy with ``product`` added, replacing any product of the same code."""
        return ProductRegistry.of([*self._products.values(), product])

    def without(self, code: str) -> ProductRegistry:
        """A copy without the product ``code``."""
        return ProductRegistry.of(p for p in self._products.values() if p.code != code)

    def get(self, code: str) -> Product:
        """The product ``code``; an unknown code raises :class:`ConfigurationError`."""
        try:
            return self._products[code]
        except (KeyError, TypeError):
            raise ConfigurationError(f"unknown product {str(code)[:40]!r}") from None

    def name_of(self, code: str) -> str:
        """The Japanese display name of product ``code`` (``Product.name_ja``); the code itself
        for a product this registry does not hold (an old contract of a withdrawn product).

        The one product-name look-up: the services, the notices and the command line use it.
        """
        product = self._products.get(code) if isinstance(code, str) else None
        return product.name_ja if product is not None else str(code)

    def terms_of(self, code: str) -> Terms | None:
        """The approved terms of product ``code`` (``None`` for a product without terms or one
        this registry does not hold)."""
        product = self._products.get(code) if isinstance(code, str) else None
        return None if product is None else product.terms

    def names(self) -> Mapping[str, str]:
        """Every product's Japanese name by code (for the notice templates and PDFs)."""
        return MappingProxyType({p.code: p.name_ja for p in self})

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._products

    def __iter__(self) -> Iterator[Product]:
        return iter(sorted(self._products.values(), key=lambda p: p.code))

    def __len__(self) -> int:
        return len(self._products)

    def rules(self) -> tuple[Rule, ...]:
        """Every rule that the products' own checks may report, by code."""
        found = {r.code: r for p in self for r in p.rules}
        return tuple(found[c] for c in sorted(found))


class Stage(StrEnum):
    """What is being validated: a new application or an amendment of a contract."""

    APPLICATION = "application"
    AMENDMENT = "amendment"


@frozen
class RequestContext:
    """What a rule check sees: one request (or an amended contract's terms) in its context.

    * ``request``: the terms checked (for an amendment: the contract's product and medium with
      the amended amount and period).
    * ``path``: where to report, e.g. ``requests[1]`` or ``amendment``.
    * ``works``: the works the terms refer to (for an amendment: the amended works).
    * ``siblings``: the other requests of the same application (empty for an amendment).
    * ``existing``: guarantee contracts in force (status issued) on the same works, excluding the
      contract being amended.
    * ``amended``: for an amendment, the contract being amended (its current terms); else
      ``None``.
    """

    request: ProductRequest
    product: Product
    path: str
    works: Works
    policy: ObligeePolicy
    siblings: tuple[ProductRequest, ...]
    existing: tuple[GuaranteeContract, ...]
    products: ProductRegistry
    stage: Stage
    amended: GuaranteeContract | None = None

    def others_of(self, code: str) -> list[int]:
        """Amounts of the product ``code`` among the siblings and existing contracts."""
        amounts = [s.amount for s in self.siblings if s.product == code]
        amounts.extend(c.amount for c in self.existing if c.product == code)
        return amounts
