"""The workflow services: apply, issue, history, key notice, obligee view, amend, release, claim.

See the flow guide in the documentation. Every service validates its input, raises the library's
errors, and runs in one unit of work so that a failure leaves nothing half-done.
"""

from surety_core.services._service import (
    ORIGINAL_REASON,
    AmendmentResult,
    ApplicationReceipt,
    ApprovalHook,
    ClaimResult,
    GuaranteeDetails,
    GuaranteeSummary,
    IssuanceResult,
    IssuedGuarantee,
    KeyNotice,
    ObligeeView,
    PolicyBook,
    PolicySource,
    ReleaseResult,
    SuretyService,
    VersionView,
    utc_now,
)

__all__ = [
    "ORIGINAL_REASON",
    "AmendmentResult",
    "ApplicationReceipt",
    "ApprovalHook",
    "ClaimResult",
    "GuaranteeDetails",
    "GuaranteeSummary",
    "IssuanceResult",
    "IssuedGuarantee",
    "KeyNotice",
    "ObligeeView",
    "PolicyBook",
    "PolicySource",
    "ReleaseResult",
    "SuretyService",
    "VersionView",
    "utc_now",
]
