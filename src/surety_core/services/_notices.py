"""Which notices a change to a guarantee queues, and for whom (private; see
:mod:`surety_core.services`).

Owns the choice between the contractor's completion and amendment notices, and the obligee's
notice of an amendment, release, claim or key re-issue (sent to the address in the obligee's
policy, for the events it chose). Queued in the outbox of the step's unit of work, so a notice
is sent only when the change is committed. No function here takes an authentication key.

Must not know: SMTP, how the outbox is dispatched, fees or signing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from surety_core._errors import ConfigurationError
from surety_core.domain._model import (
    GuaranteeContract,
    GuaranteeStatus,
    Medium,
    ObligeeEvent,
    ObligeePolicy,
)
from surety_core.notify import (
    AMENDMENT_NOTICE_KIND,
    COMPLETION_NOTICE_KIND,
    OBLIGEE_NOTICE_KIND,
    amendment_notice,
    completion_notice,
    obligee_notice,
    to_outbox,
)
from surety_core.services._runtime import Step

__all__ = ["change_event", "queue_contractor_notice", "queue_obligee_notice"]

log = logging.getLogger("surety_core.services")

_STATUS_EVENTS: Mapping[GuaranteeStatus, ObligeeEvent] = {
    GuaranteeStatus.RELEASED: ObligeeEvent.RELEASED,
    GuaranteeStatus.CLAIMED: ObligeeEvent.CLAIMED,
}


class _Policies(Protocol):
    """What is needed of a :class:`~._issuer.PolicySource`."""

    def policy_for(self, obligee_code: str) -> ObligeePolicy: ...


def queue_contractor_notice(
    step: Step,
    contract: GuaranteeContract,
    recipient: str | None,
    *,
    portal_name: str,
    product_names: Mapping[str, str],
) -> None:
    """Queue the contractor's notice of an electronic guarantee: the completion notice for the
    first version, the amendment notice (変更手続き完了, what changed) for a later one."""
    if contract.medium is not Medium.ELECTRONIC or recipient is None:
        return
    if contract.version > 1:
        message = amendment_notice(
            contract, recipient=recipient, portal_name=portal_name, product_names=product_names
        )
        kind = AMENDMENT_NOTICE_KIND
    else:
        message = completion_notice(
            contract, recipient=recipient, portal_name=portal_name, product_names=product_names
        )
        kind = COMPLETION_NOTICE_KIND
    step.uow.outbox.add(to_outbox(message, kind=kind, created_at=step.now))


def change_event(old: GuaranteeContract, new: GuaranteeContract) -> ObligeeEvent | None:
    """The obligee's event of a change from ``old`` to ``new``: released or claimed when the
    status became so, amended when a version was added; ``None`` for anything else (expiry,
    completion)."""
    if new.status is not old.status:
        return _STATUS_EVENTS.get(new.status)
    if new.version > old.version:
        return ObligeeEvent.AMENDED
    return None


def queue_obligee_notice(
    step: Step,
    policies: _Policies,
    contract: GuaranteeContract,
    event: ObligeeEvent | None,
    *,
    product_names: Mapping[str, str],
    generation: int | None = None,
) -> bool:
    """Queue the obligee's notice of ``event`` for ``contract`` (as it is after the event) when
    the obligee's policy names an address for it; ``True`` when one was queued. An obligee that
    the policy source does not know gets none (logged: the change itself must not fail for it).
    """
    if event is None:
        return False
    try:
        policy = policies.policy_for(contract.obligee.code)
    except ConfigurationError:
        log.warning("no policy for obligee %s: no notice of %s", contract.obligee.code, event)
        return False
    recipient = policy.notice_recipient(event)
    if recipient is None:
        return False
    if event is ObligeeEvent.AMENDED:
        on = contract.current.effective_on
    elif event is ObligeeEvent.KEY_REISSUED or contract.status_on is None:
        on = step.today
    else:
        on = contract.status_on
    message = obligee_notice(
        contract,
        event,
        recipient=recipient,
        on=on,
        generation=generation,
        product_names=product_names,
    )
    step.uow.outbox.add(to_outbox(message, kind=OBLIGEE_NOTICE_KIND, created_at=step.now))
    return True
