"""Public Hypothesis strategies for surety_core models (needs ``surety-core[testing]``).

The implementation lives in :mod:`surety_core.testing._strategies`; this module is its public face.
"""

from surety_core.testing._strategies import (
    AMENDMENT_RULE_CODES,
    APPLICATION_RULE_CODES,
    AmendmentCase,
    ApplicationCase,
    amendment_cases,
    application_cases,
    applications,
    codes,
    contract_numbers,
    corporate_numbers,
    customer_numbers,
    emails,
    guarantee_contracts,
    invalid_amendments,
    invalid_applications,
    obligee_policies,
    obligees,
    periods,
    principals,
    rate_tables,
    sureties,
    works,
)

__all__ = [
    "AMENDMENT_RULE_CODES",
    "APPLICATION_RULE_CODES",
    "AmendmentCase",
    "ApplicationCase",
    "amendment_cases",
    "application_cases",
    "applications",
    "codes",
    "contract_numbers",
    "corporate_numbers",
    "customer_numbers",
    "emails",
    "guarantee_contracts",
    "invalid_amendments",
    "invalid_applications",
    "obligee_policies",
    "obligees",
    "periods",
    "principals",
    "rate_tables",
    "sureties",
    "works",
]
