"""The workflow services, by actor: the surety's issuer, the contractor's portal, the obligee's
registry, and the :class:`SuretyService` façade that holds all three.

* :class:`SuretyIssuer`: apply, issue, amend, release, claim, expire, key reissue. The only
  service that holds signing keys, rate tables, policies and the approval hook.
* :class:`ContractorPortal`: history, details and the key notice (needs the secrets to decrypt
  the sealed keys).
* :class:`ObligeeRegistry`: the obligee's view (needs only a store and the secrets).

See the flow guide in the documentation. Every service validates its input, raises the library's
errors, and runs in one unit of work so that a failure leaves nothing half-done.
"""

from surety_core.domain._lifecycle import ORIGINAL_REASON
from surety_core.services._issuer import (
    ApprovalHook,
    ArrangementSource,
    PolicyBook,
    PolicySource,
    SuretyIssuer,
)
from surety_core.services._portal import HISTORY_CSV_HEADER, ContractorPortal, history_csv
from surety_core.services._registry import ObligeeRegistry
from surety_core.services._results import (
    AmendmentResult,
    ApplicationReceipt,
    CertificateStanding,
    ClaimResult,
    GuaranteeDetails,
    GuaranteeSummary,
    IssuanceResult,
    IssuedGuarantee,
    KeyNotice,
    ObligeeView,
    PaymentResult,
    ReleaseResult,
    VersionView,
)
from surety_core.services._runtime import BUSINESS_ZONE, business_date, utc_now
from surety_core.services._service import SuretyService

__all__ = [
    "BUSINESS_ZONE",
    "HISTORY_CSV_HEADER",
    "ORIGINAL_REASON",
    "AmendmentResult",
    "ApplicationReceipt",
    "ApprovalHook",
    "ArrangementSource",
    "CertificateStanding",
    "ClaimResult",
    "ContractorPortal",
    "GuaranteeDetails",
    "GuaranteeSummary",
    "IssuanceResult",
    "IssuedGuarantee",
    "KeyNotice",
    "ObligeeRegistry",
    "ObligeeView",
    "PaymentResult",
    "PolicyBook",
    "PolicySource",
    "ReleaseResult",
    "SuretyIssuer",
    "SuretyService",
    "VersionView",
    "business_date",
    "history_csv",
    "utc_now",
]
