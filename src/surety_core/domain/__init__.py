"""The pure domain: guarantee contracts, products, rules, validation, life cycle, fees, claims.

What lives here: the immutable model (data in, data out), the rule catalogue with codes and
Japanese/English messages, the product registry with the built-in products and their checks,
validation of applications and amendments, the status life cycle, fees and claim payouts.

What this package must not know: storage, JSON, cryptography, mail, PDFs, the clock or any I/O.
It imports nothing of the library but :mod:`surety_core._errors` and
:mod:`surety_core._validation`; everything else imports it (a test keeps it so).
"""

from surety_core.domain._checks import (
    check_amendment,
    check_application,
    validate_amendment,
    validate_application,
)
from surety_core.domain._claims import ClaimSettlement, claim_payout
from surety_core.domain._fees import (
    DayCount,
    FeeLine,
    FeeStatement,
    ProductRate,
    RateBand,
    RateTable,
    RefundStatement,
    Rounding,
    compute_fee,
    fee_for_contract,
    fee_for_request,
    refund_on_release,
    sample_rate_table,
)
from surety_core.domain._lifecycle import (
    STATUS_TRANSITIONS,
    amend,
    can_transition,
    claim,
    expire,
    release,
)
from surety_core.domain._model import (
    Amendment,
    Application,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    Medium,
    Obligee,
    ObligeePolicy,
    Period,
    Principal,
    ProductRequest,
    Progress,
    Surety,
    Works,
    WorksKind,
)
from surety_core.domain._products import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    INTERMEDIATE_ADVANCE_PAYMENT,
    Check,
    PeriodRule,
    Product,
    ProductRegistry,
    RequestContext,
    Stage,
)
from surety_core.domain._rules import (
    RULES,
    Rule,
    RuleCatalogue,
    RuleSource,
    RuleViolationError,
    Violation,
)
from surety_core.domain._standard import default_products

__all__ = [
    "ADVANCE_PAYMENT",
    "CONTRACT_GUARANTEE",
    "INTERMEDIATE_ADVANCE_PAYMENT",
    "RULES",
    "STATUS_TRANSITIONS",
    "Amendment",
    "Application",
    "Check",
    "ClaimSettlement",
    "DayCount",
    "FeeLine",
    "FeeStatement",
    "GuaranteeContract",
    "GuaranteeStatus",
    "GuaranteeVersion",
    "Medium",
    "Obligee",
    "ObligeePolicy",
    "Period",
    "PeriodRule",
    "Principal",
    "Product",
    "ProductRate",
    "ProductRegistry",
    "ProductRequest",
    "Progress",
    "RateBand",
    "RateTable",
    "RefundStatement",
    "RequestContext",
    "Rounding",
    "Rule",
    "RuleCatalogue",
    "RuleSource",
    "RuleViolationError",
    "Stage",
    "Surety",
    "Violation",
    "Works",
    "WorksKind",
    "amend",
    "can_transition",
    "check_amendment",
    "check_application",
    "claim",
    "claim_payout",
    "compute_fee",
    "default_products",
    "expire",
    "fee_for_contract",
    "fee_for_request",
    "refund_on_release",
    "release",
    "sample_rate_table",
    "validate_amendment",
    "validate_application",
]
