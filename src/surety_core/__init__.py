"""surety_core: electronic surety certificates for Japanese public works.

The public surface is listed in ``__all__``; everything in a module whose name starts with an
underscore is private. See the documentation for the guides and the full API reference.
"""

import logging
import typing

from surety_core._errors import (
    AttemptsExceededError,
    ConcurrencyConflictError,
    ConfigurationError,
    CorruptRecordError,
    DevelopmentSecretWarning,
    DocumentError,
    DuplicateError,
    InvalidInputError,
    KeyFormatError,
    NotFoundError,
    SchemaVersionError,
    StorageError,
    SuretyError,
    VerificationError,
)
from surety_core._serialization import (
    SCHEMA_VERSION,
    converter,
    from_json,
    from_json_data,
    structure,
    to_json,
    to_json_data,
    unstructure,
)
from surety_core._validation import (
    MAX_YEN,
    corporate_number_check_digit,
    is_valid_corporate_number,
    is_valid_email,
)
from surety_core.domain import (
    ADVANCE_PAYMENT,
    CLAIM_STEPS,
    CONTRACT_GUARANTEE,
    INTERMEDIATE_ADVANCE_PAYMENT,
    RULES,
    STATUS_TRANSITIONS,
    Amendment,
    Application,
    Check,
    ClaimBasis,
    ClaimCase,
    ClaimSettlement,
    ClaimState,
    DateBasis,
    DayCount,
    ElectronicAcceptance,
    FeeLine,
    FeeStatement,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    JointVentureMember,
    KindShare,
    Medium,
    Obligee,
    ObligeePolicy,
    Period,
    PeriodRule,
    Principal,
    Product,
    ProductRate,
    ProductRegistry,
    ProductRequest,
    Progress,
    RateBand,
    RateTable,
    RefundStatement,
    RequestContext,
    Rounding,
    Rule,
    RuleCatalogue,
    RuleSource,
    RuleViolationError,
    Stage,
    Surety,
    Violation,
    Works,
    WorksKind,
    amend,
    assess_claim,
    can_transition,
    check_amendment,
    check_application,
    claim,
    claim_payout,
    complete,
    compute_fee,
    default_products,
    expire,
    fee_for_contract,
    fee_for_request,
    joint_advance_payouts,
    pay_claim,
    penalty_payout,
    receive_claim,
    refund_on_release,
    reject_claim,
    release,
    sample_rate_table,
    validate_amendment,
    validate_application,
)

if typing.TYPE_CHECKING:
    from surety_core._development import development_service
    from surety_core.services import SuretyService


_LAZY = ("SuretyService", "development_service")
"""Names of ``__all__`` that are imported on first use (see :func:`__getattr__`)."""


def __getattr__(name: str) -> typing.Any:
    """The front door, imported on first use: ``SuretyService`` and ``development_service``
    pull in the services, the SMTP notifier and the SQL store, which ``import surety_core``
    alone (the domain, the JSON helpers) does not need."""
    if name == "SuretyService":
        from surety_core.services import SuretyService

        return SuretyService
    if name == "development_service":
        from surety_core._development import development_service

        return development_service
    raise AttributeError(f"module 'surety_core' has no attribute {name!r}")


__version__ = "0.1.0"

# A library logs, the host configures: without this, Python's last-resort handler would print
# the library's warnings a second time beside ``warnings.warn``.
logging.getLogger("surety_core").addHandler(logging.NullHandler())

# Tracebacks and reprs name the public path (``surety_core.RuleViolationError``), not the
# private module the class happens to be defined in.
for _error in (
    AttemptsExceededError,
    ConcurrencyConflictError,
    ConfigurationError,
    CorruptRecordError,
    DevelopmentSecretWarning,
    DocumentError,
    DuplicateError,
    InvalidInputError,
    KeyFormatError,
    NotFoundError,
    RuleViolationError,
    SchemaVersionError,
    StorageError,
    SuretyError,
    VerificationError,
):
    _error.__module__ = "surety_core"
del _error

__all__ = [
    "ADVANCE_PAYMENT",
    "CLAIM_STEPS",
    "CONTRACT_GUARANTEE",
    "INTERMEDIATE_ADVANCE_PAYMENT",
    "MAX_YEN",
    "RULES",
    "SCHEMA_VERSION",
    "STATUS_TRANSITIONS",
    "Amendment",
    "Application",
    "AttemptsExceededError",
    "Check",
    "ClaimBasis",
    "ClaimCase",
    "ClaimSettlement",
    "ClaimState",
    "ConcurrencyConflictError",
    "ConfigurationError",
    "CorruptRecordError",
    "DateBasis",
    "DayCount",
    "DevelopmentSecretWarning",
    "DocumentError",
    "DuplicateError",
    "ElectronicAcceptance",
    "FeeLine",
    "FeeStatement",
    "GuaranteeContract",
    "GuaranteeStatus",
    "GuaranteeVersion",
    "InvalidInputError",
    "JointVentureMember",
    "KeyFormatError",
    "KindShare",
    "Medium",
    "NotFoundError",
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
    "SchemaVersionError",
    "Stage",
    "StorageError",
    "Surety",
    "SuretyError",
    "SuretyService",
    "VerificationError",
    "Violation",
    "Works",
    "WorksKind",
    "__version__",
    "amend",
    "assess_claim",
    "can_transition",
    "check_amendment",
    "check_application",
    "claim",
    "claim_payout",
    "complete",
    "compute_fee",
    "converter",
    "corporate_number_check_digit",
    "default_products",
    "development_service",
    "expire",
    "fee_for_contract",
    "fee_for_request",
    "from_json",
    "from_json_data",
    "is_valid_corporate_number",
    "is_valid_email",
    "joint_advance_payouts",
    "pay_claim",
    "penalty_payout",
    "receive_claim",
    "refund_on_release",
    "reject_claim",
    "release",
    "sample_rate_table",
    "structure",
    "to_json",
    "to_json_data",
    "unstructure",
    "validate_amendment",
    "validate_application",
]
