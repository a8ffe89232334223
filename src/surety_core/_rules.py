"""Business rules as named data (private; see :mod:`surety_core`).

A :class:`Rule` has a stable code, a Japanese and an English message and its source. Checks
return :class:`Violation` values; validation collects *all* of them and
:class:`~surety_core.RuleViolationError` carries them together.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum

from attrs import field, frozen

from surety_core._errors import ConfigurationError, RuleViolationError

__all__ = ["Rule", "RuleCatalogue", "RuleSource", "Violation", "raise_if_any"]


class RuleSource(StrEnum):
    """Where a rule comes from."""

    BRIEFING = "briefing"
    """The surety's briefing to contractors (the electronic-guarantee scheme)."""
    LAW = "law"
    """Law or the standard public-works contract terms (公共工事標準請負契約約款 等)."""
    OBLIGEE_POLICY = "obligee_policy"
    """The obligee's own policy (caps, minimums, acceptance of electronic guarantees)."""
    PRODUCT = "product"
    """The product definition (a product set can switch it off or replace it)."""
    DATA = "data"
    """Sanity of the data itself (bounds, formats)."""


@frozen
class Rule:
    """A business rule: stable ``code``, messages in Japanese and English, and its ``source``."""

    code: str
    message_ja: str
    message_en: str
    source: RuleSource

    def violation(self, path: str = "", detail: str = "") -> Violation:
        """A violation of this rule at ``path`` (e.g. ``requests[1].amount``)."""
        return Violation(rule=self, path=path, detail=detail)


@frozen
class Violation:
    """One broken rule: which rule, where (``path``) and a short English ``detail``."""

    rule: Rule
    path: str = ""
    detail: str = ""

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def message_ja(self) -> str:
        return self.rule.message_ja

    @property
    def message_en(self) -> str:
        suffix = f" ({self.detail})" if self.detail else ""
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.rule.message_en}{suffix}"


@frozen
class RuleCatalogue:
    """A listable set of rules, by code. Hosts may add their own (e.g. for new products)."""

    _rules: dict[str, Rule] = field(factory=dict, alias="_rules")

    def add(self, rule: Rule) -> Rule:
        """Add ``rule``; a different rule under an existing code is a configuration error."""
        existing = self._rules.get(rule.code)
        if existing is not None and existing != rule:
            raise ConfigurationError(f"rule code {rule.code!r} is already taken")
        self._rules[rule.code] = rule
        return rule

    def __getitem__(self, code: str) -> Rule:
        try:
            return self._rules[code]
        except KeyError:
            raise ConfigurationError(f"unknown rule code {code!r}") from None

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.code))

    def __len__(self) -> int:
        return len(self._rules)


def raise_if_any(violations: tuple[Violation, ...] | list[Violation]) -> None:
    """Raise :class:`RuleViolationError` carrying every violation, if there are any."""
    if violations:
        raise RuleViolationError(violations)
