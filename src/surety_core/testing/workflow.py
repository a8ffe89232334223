"""The workflow contract test suite: prove the whole story right on a host's store.

A host subclasses :class:`WorkflowContract` and overrides the ``store`` fixture, exactly as for
:class:`~surety_core.testing.contract.StoreContract`; plain pytest then runs apply → issue →
completion e-mail → view (right key, wrong key, typo) → amend → release → claim → history,
details and key notice on that store, with a :class:`~surety_core.testing.FixedClock` and a
:class:`~surety_core.testing.RecordingNotifier`, and checks the outcomes and the audit chain.
Only pytest is needed. The implementation lives in :mod:`surety_core.testing._workflow`; this
module is its public face.
"""

from surety_core.testing._workflow import Story, WorkflowContract, WorkflowContractBase

__all__ = ["Story", "WorkflowContract", "WorkflowContractBase"]
