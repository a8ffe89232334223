"""Public sample data: the city, the surety, the contractor, their works and applications.

Every factory is keyword-only and every part replaceable, for example
``electronic_application(works=road_works(contract_price=90_000_000), contract=None)``.
Only the standard dependencies are needed (no pytest, no Hypothesis). The implementation lives
in :mod:`surety_core.testing._samples`; this module is its public face.
"""

from surety_core.testing._samples import (
    CONTRACTOR_EMAIL,
    SAMPLE_DAY,
    SAMPLE_NOW,
    arrangement_book,
    attempt_state,
    audit_event,
    certificate_record,
    city,
    city_policy,
    consulting_works,
    contract_number,
    contractor,
    corporate_number,
    electronic_application,
    guarantee_contract,
    key_record,
    outbox_message,
    paper_application,
    policy_book,
    rate_table,
    road_works,
    school_works,
    secret_provider,
    signing_ring,
    statement_record,
    surety,
    surety_service,
    term,
)

__all__ = [
    "CONTRACTOR_EMAIL",
    "SAMPLE_DAY",
    "SAMPLE_NOW",
    "arrangement_book",
    "attempt_state",
    "audit_event",
    "certificate_record",
    "city",
    "city_policy",
    "consulting_works",
    "contract_number",
    "contractor",
    "corporate_number",
    "electronic_application",
    "guarantee_contract",
    "key_record",
    "outbox_message",
    "paper_application",
    "policy_book",
    "rate_table",
    "road_works",
    "school_works",
    "secret_provider",
    "signing_ring",
    "statement_record",
    "surety",
    "surety_service",
    "term",
]
