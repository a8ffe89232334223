"""Business rules as named data (private; see :mod:`surety_core`).

A :class:`Rule` has a stable code, a Japanese and an English message and its source. Checks
return :class:`Violation` values; validation collects *all* of them and
:class:`~surety_core.RuleViolationError` carries them together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Any

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import ConfigurationError, InvalidInputError, SuretyError

__all__ = [
    "RULES",
    "Rule",
    "RuleCatalogue",
    "RuleSource",
    "RuleViolationError",
    "Violation",
    "raise_if_any",
]


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


_RULE_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,63}")


def _rule_code(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or not _RULE_CODE.fullmatch(value):
        raise InvalidInputError(v.field_name(instance, attribute), "must be UPPER_SNAKE_CASE")


def _short_text(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or len(value) > 500:
        raise InvalidInputError(v.field_name(instance, attribute), "must be text of at most 500")


@frozen
class Rule:
    """A business rule: stable ``code``, messages in Japanese and English, and its ``source``."""

    code: str = field(validator=_rule_code)
    message_ja: str = field(validator=v.text(300))
    message_en: str = field(validator=v.text(300))
    source: RuleSource = field(validator=v.enum_of(RuleSource))

    def violation(self, path: str = "", detail: str = "") -> Violation:
        """A violation of this rule at ``path`` (e.g. ``requests[1].amount``)."""
        return Violation(rule=self, path=path, detail=detail)


@frozen
class Violation:
    """One broken rule: which rule, where (``path``) and a short English ``detail``."""

    rule: Rule = field(validator=v.instance_of(Rule))
    path: str = field(default="", validator=_short_text)
    detail: str = field(default="", validator=_short_text)

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


RULES = RuleCatalogue()
"""The core rule catalogue: every rule the library checks, listable by code (see docs/rules)."""


def _rule(code: str, ja: str, en: str, source: RuleSource) -> Rule:
    return RULES.add(Rule(code=code, message_ja=ja, message_en=en, source=source))


_B, _L, _P, _R, _D = (
    RuleSource.BRIEFING,
    RuleSource.LAW,
    RuleSource.OBLIGEE_POLICY,
    RuleSource.PRODUCT,
    RuleSource.DATA,
)

# --- application-level rules -------------------------------------------------------------
POLICY_OBLIGEE_MISMATCH = _rule(
    "POLICY_OBLIGEE_MISMATCH",
    "発注者の運用方針が工事の発注者と一致しません。",
    "the obligee policy belongs to another obligee than the works",
    _D,
)
ELECTRONIC_REQUIRES_EMAIL = _rule(
    "ELECTRONIC_REQUIRES_EMAIL",
    "電子保証を選択する場合は、発行完了通知用の有効なメールアドレスが必要です。",
    "an electronic guarantee needs a valid e-mail address for the completion notice",
    _B,
)
DUPLICATE_PRODUCT = _rule(
    "DUPLICATE_PRODUCT",
    "同じ申込に同じ保証商品が重複しています。",
    "the same product is requested more than once in one application",
    _D,
)
UNKNOWN_PRODUCT = _rule(
    "UNKNOWN_PRODUCT",
    "取り扱いのない保証商品です。",
    "the product is not in the product set",
    _R,
)
# --- per-request rules ---------------------------------------------------------------------
ELECTRONIC_NOT_ACCEPTED = _rule(
    "ELECTRONIC_NOT_ACCEPTED",
    "発注者がこの工事について電子保証を受け付けていません(導入日前に公告された工事とその変更を含む)。",
    "the obligee does not accept electronic guarantees for this works (works announced before"
    " its start date, and their amendments, are excluded)",
    _P,
)
AMOUNT_EXCEEDS_CONTRACT_PRICE = _rule(
    "AMOUNT_EXCEEDS_CONTRACT_PRICE",
    "保証金額が請負代金額を超えています。",
    "the guarantee amount exceeds the contract price of the works",
    _D,
)
PERIOD_OUTSIDE_WORKS = _rule(
    "PERIOD_OUTSIDE_WORKS",
    "保証期間が工期の範囲外です。",
    "the guarantee period does not lie within the works period",
    _R,
)
PERIOD_NOT_ENDING_AT_COMPLETION = _rule(
    "PERIOD_NOT_ENDING_AT_COMPLETION",
    "保証期間の終期は工期の完成期限と一致する必要があります。",
    "the guarantee period must end at the completion date of the works",
    _R,
)
ADVANCE_CAP_EXCEEDED = _rule(
    "ADVANCE_CAP_EXCEEDED",
    "前払金の額が発注者の定める上限(工事は請負代金額の10分の4、業務は10分の3等)を超えています。",
    "the advance exceeds the obligee's cap share of the contract price (usually 4/10 for"
    " construction, 3/10 for consulting)",
    _P,
)
INTERMEDIATE_CAP_EXCEEDED = _rule(
    "INTERMEDIATE_CAP_EXCEEDED",
    "中間前払金の額が上限(通常は請負代金額の10分の2)を超えています。",
    "the intermediate advance exceeds the obligee's cap (usually 2/10 of the contract price)",
    _P,
)
COMBINED_CAP_EXCEEDED = _rule(
    "COMBINED_CAP_EXCEEDED",
    "前払金と中間前払金の合計が上限(通常は請負代金額の10分の6)を超えています。",
    "advance plus intermediate advance exceed the obligee's cap (usually 6/10 of the price)",
    _P,
)
INTERMEDIATE_REQUIRES_ADVANCE = _rule(
    "INTERMEDIATE_REQUIRES_ADVANCE",
    "中間前払金保証は、同じ工事に前払金保証がある場合に限り申し込めます。",
    "an intermediate advance guarantee needs an advance payment guarantee on the same works",
    _L,
)
INTERMEDIATE_PROGRESS_MISSING = _rule(
    "INTERMEDIATE_PROGRESS_MISSING",
    "中間前払金の申込には工事の進捗(出来高)の情報が必要です。",
    "an intermediate advance request needs progress data",
    _L,
)
INTERMEDIATE_HALF_PERIOD_NOT_ELAPSED = _rule(
    "INTERMEDIATE_HALF_PERIOD_NOT_ELAPSED",
    "工期の2分の1を経過していません。",
    "more than half of the works period must have elapsed",
    _L,
)
INTERMEDIATE_SCHEDULED_WORK_NOT_DONE = _rule(
    "INTERMEDIATE_SCHEDULED_WORK_NOT_DONE",
    "工程表により工期の2分の1を経過するまでに実施すべき作業が行われていません。",
    "the work scheduled for the elapsed time has not been done",
    _L,
)
INTERMEDIATE_PROGRESS_BELOW_HALF = _rule(
    "INTERMEDIATE_PROGRESS_BELOW_HALF",
    "出来高が請負代金額の2分の1に達していません。",
    "the value of the work completed is less than half the contract price",
    _L,
)
CONTRACT_GUARANTEE_BELOW_MINIMUM = _rule(
    "CONTRACT_GUARANTEE_BELOW_MINIMUM",
    "契約保証の金額が発注者の定める割合(通常は請負代金額の10分の1以上)に足りません。",
    "the contract guarantee is below the obligee's minimum share (usually 1/10 of the price)",
    _P,
)
CONTRACT_GUARANTEE_REQUIRES_ADVANCE = _rule(
    "CONTRACT_GUARANTEE_REQUIRES_ADVANCE",
    "契約保証は、同じ工事に前払金保証がある場合に限り取り扱います。",
    "a contract guarantee is only sold for works that also have an advance payment guarantee",
    _R,
)
# --- amendments ----------------------------------------------------------------------------
MEDIUM_FIXED = _rule(
    "MEDIUM_FIXED",
    "同一の保証契約では、変更後も当初と同じ媒体(電子または書面)を用います。",
    "one guarantee contract keeps one medium (electronic or paper) across all its amendments",
    _B,
)
AMENDMENT_AFTER_FINAL = _rule(
    "AMENDMENT_AFTER_FINAL",
    "解約・返還、保証事故または期間満了の後は変更できません。",
    "a guarantee cannot be amended after release, claim or expiry",
    _B,
)
AMENDMENT_VERSION_NOT_INCREASING = _rule(
    "AMENDMENT_VERSION_NOT_INCREASING",
    "変更の版番号は現在の版の次の番号でなければなりません。",
    "an amendment must become the next version number (versions strictly increase)",
    _D,
)
AMENDMENT_EFFECTIVE_DATE_BACKWARDS = _rule(
    "AMENDMENT_EFFECTIVE_DATE_BACKWARDS",
    "変更の効力発生日が現在の版より前です。",
    "an amendment's effective date must not be before the current version's",
    _D,
)
AMENDMENT_OTHER_WORKS = _rule(
    "AMENDMENT_OTHER_WORKS",
    "変更は同じ工事(発注者・工事番号・公告日・種別)についてのものでなければなりません。",
    "an amendment must refer to the same works (obligee, works number, announcement date and"
    " kind; the price, period and name may change)",
    _D,
)
# --- life cycle, claims and fees -----------------------------------------------------------
STATUS_TRANSITION_NOT_ALLOWED = _rule(
    "STATUS_TRANSITION_NOT_ALLOWED",
    "この状態からは変更できません(解約・返還、保証事故、期間満了は最終状態です)。",
    "this status change is not allowed (released, claimed and expired are final)",
    _D,
)
STATUS_DATE_BEFORE_LAST_CHANGE = _rule(
    "STATUS_DATE_BEFORE_LAST_CHANGE",
    "日付が発行日または最新の変更の効力発生日より前です。",
    "the date is before the issue date or the current version's effective date",
    _D,
)
EXPIRY_BEFORE_PERIOD_END = _rule(
    "EXPIRY_BEFORE_PERIOD_END",
    "保証期間の終了前に期間満了とすることはできません。",
    "a guarantee expires only after its period has ended",
    _D,
)
CLAIM_NOT_ALLOWED_FOR_PRODUCT = _rule(
    "CLAIM_NOT_ALLOWED_FOR_PRODUCT",
    "この保証商品では保証事故の支払(前払金の返還)を扱いません。",
    "claims (advance paid minus work completed) apply only to advance-payment-type products",
    _R,
)
REFUND_NOT_ALLOWED = _rule(
    "REFUND_NOT_ALLOWED",
    "保証料率表により、この商品の保証料は返還されません。",
    "the rate table allows no fee refund for this product",
    _R,
)
RELEASE_AFTER_PERIOD_END = _rule(
    "RELEASE_AFTER_PERIOD_END",
    "保証期間の終了後は解約できません(期間満了として扱います)。",
    "a guarantee cannot be released after its period ended (it expires instead)",
    _D,
)


class RuleViolationError(SuretyError):
    """One or more business rules refused the request.

    ``violations`` holds *every* violation found, not only the first; each names its rule code.
    """

    def __init__(self, violations: Sequence[Violation]) -> None:
        if not violations:
            raise ValueError("RuleViolationError needs at least one violation")
        self.violations: tuple[Violation, ...] = tuple(violations)
        lines = [f"{len(self.violations)} rule violation(s):"]
        lines.extend(f"  [{v.code}] {v.message_en}" for v in self.violations)
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type[RuleViolationError], tuple[tuple[Violation, ...]]]:
        return type(self), (self.violations,)

    @property
    def codes(self) -> tuple[str, ...]:
        """The rule codes of the violations, in the order found."""
        return tuple(v.code for v in self.violations)
