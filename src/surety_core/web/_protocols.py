"""What the pages need from the services (private; see :mod:`surety_core.web`).

Two small protocols, one per actor, so that the registry side never holds more than the view:
:class:`RegistryService` (the obligee's registry) and :class:`PortalService` (the contractor's
portal). ``surety_core.services.SuretyService`` satisfies both, and so do the services split by
actor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from starlette.requests import Request

from surety_core.services import GuaranteeDetails, GuaranteeSummary, KeyNotice, ObligeeView
from surety_core.storage import ContractQuery, Page

__all__ = ["Authenticator", "PortalService", "RegistryService"]


class RegistryService(Protocol):
    """The obligee's registry: view a guarantee with its number and authentication key."""

    def view(self, number: str, key: str, *, actor: str = ...) -> ObligeeView:
        """The registry view; raises the library's errors (a typo before any look-up, the one
        opaque ``VerificationError`` for a wrong key or an unknown number,
        ``AttemptsExceededError`` while the number is locked)."""
        ...


class PortalService(Protocol):
    """The contractor's portal: the history list, the details and the key notice."""

    def history(self, query: ContractQuery) -> Page[GuaranteeSummary]:
        """One page of a principal's guarantees, ordered by contract number."""
        ...

    def details(self, number: str, *, principal_id: str) -> GuaranteeDetails:
        """One guarantee of the principal; ``NotFoundError`` when it is not theirs."""
        ...

    def key_notice(self, number: str, *, principal_id: str, actor: str = ...) -> KeyNotice:
        """The key notice data of one electronic guarantee of the principal (audited)."""
        ...


Authenticator = Callable[[Request], "str | None"]
"""The host's authentication for the portal: the corporate number (法人番号) of the contractor
signed in on ``request``, or ``None`` when nobody is."""
