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
    SURETY_TERMS = "surety_terms"
    """The surety's terms of business (保証約款・特約) for a product it sells."""
    PRODUCT = "product"
    """The product set the host configured (which products exist and how they behave)."""
    DATA = "data"
    """Sanity of the data itself and the library's own life-cycle model (bounds, formats,
    version order, final states)."""


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


_B, _L, _P, _T, _R, _D = (
    RuleSource.BRIEFING,
    RuleSource.LAW,
    RuleSource.OBLIGEE_POLICY,
    RuleSource.SURETY_TERMS,
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
JOINT_VENTURE_TOO_FEW_MEMBERS = _rule(
    "JOINT_VENTURE_TOO_FEW_MEMBERS",
    "共同企業体の構成員は2者以上でなければなりません。",
    "a joint venture has at least two members",
    _P,
)
JOINT_VENTURE_SHARES_NOT_WHOLE = _rule(
    "JOINT_VENTURE_SHARES_NOT_WHOLE",
    "共同企業体の構成員の出資比率の合計が1(100%)になりません。",
    "the members' shares of a joint venture must add up to exactly 1",
    _P,
)
JOINT_VENTURE_REPRESENTATIVE = _rule(
    "JOINT_VENTURE_REPRESENTATIVE",
    "共同企業体には代表者がちょうど1者必要で、申込者の法人番号(個人事業主は取引先番号)は代表者のものでなければなりません。",
    "a joint venture has exactly one representative, whose corporate number (or a sole"
    " proprietor's customer number) the principal carries",
    _P,
)
# --- who the principal is (checked when a Principal or JointVentureMember is built) -------
CORPORATION_WITHOUT_CORPORATE_NUMBER = _rule(
    "CORPORATION_WITHOUT_CORPORATE_NUMBER",
    "法人の申込者には法人番号(13桁)が必要です。",
    "a corporation needs its 13-digit corporate number",
    _L,
)
SOLE_PROPRIETOR_WITH_CORPORATE_NUMBER = _rule(
    "SOLE_PROPRIETOR_WITH_CORPORATE_NUMBER",
    "個人事業主には法人番号がありません(法人番号は法人に指定されます)。",
    "a sole proprietor has no corporate number (corporate numbers are given to corporations)",
    _L,
)
SOLE_PROPRIETOR_WITHOUT_CUSTOMER_NUMBER = _rule(
    "SOLE_PROPRIETOR_WITHOUT_CUSTOMER_NUMBER",
    "個人事業主の申込者には保証会社が付番した取引先番号が必要です。",
    "a sole proprietor needs the customer number the surety assigned",
    _D,
)
TRADE_NAME_ONLY_FOR_SOLE_PROPRIETOR = _rule(
    "TRADE_NAME_ONLY_FOR_SOLE_PROPRIETOR",
    "屋号は個人事業主についてのみ記載します(法人は商号を名称とします)。",
    "a trade name (屋号) belongs to a sole proprietor (a corporation's name is its trade name)",
    _D,
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
    _T,
)
PERIOD_NOT_ENDING_AT_COMPLETION = _rule(
    "PERIOD_NOT_ENDING_AT_COMPLETION",
    "保証期間の終期は工期の完成期限と一致する必要があります。",
    "the guarantee period must end at the completion date of the works",
    _T,
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
ADVANCE_PRICE_BELOW_MINIMUM = _rule(
    "ADVANCE_PRICE_BELOW_MINIMUM",
    "請負代金額が発注者の定める前払金の対象となる額に達しません。",
    "the contract price is below the obligee's minimum for advances",
    _P,
)
ADVANCE_NOT_IN_UNITS = _rule(
    "ADVANCE_NOT_IN_UNITS",
    "前払金の額は発注者の定める単位未満を切り捨てた額でなければなりません(例: 10万円単位)。",
    "the advance must be a whole multiple of the obligee's unit (e.g. 100,000 yen)",
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
INTERMEDIATE_ADVANCE_NOT_PAID = _rule(
    "INTERMEDIATE_ADVANCE_NOT_PAID",
    "中間前払金は、前払金の支払を受けた後(支払日の記載が必要)に限り請求できます。",
    "an intermediate advance follows a paid advance (the date it was paid is needed)",
    _L,
)
INTERMEDIATE_NOT_CERTIFIED = _rule(
    "INTERMEDIATE_NOT_CERTIFIED",
    "中間前払金の申込には発注者の認定(中間前金払認定)が必要です。",
    "an intermediate advance needs the obligee's certification of the progress (認定)",
    _L,
)
INTERMEDIATE_NOT_FOR_KIND = _rule(
    "INTERMEDIATE_NOT_FOR_KIND",
    "発注者はこの種類の契約について中間前払金を支払いません。",
    "the obligee pays no intermediate advance for this kind of contract",
    _P,
)
INTERMEDIATE_PERIOD_TOO_SHORT = _rule(
    "INTERMEDIATE_PERIOD_TOO_SHORT",
    "工期が発注者の定める日数に満たないため、中間前払金の対象になりません。",
    "the works period is shorter than the obligee's minimum for intermediate advances",
    _P,
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
CONTRACT_GUARANTEE_ADVANCE_NOT_PLANNED = _rule(
    "CONTRACT_GUARANTEE_ADVANCE_NOT_PLANNED",
    "契約保証は、前払金の支出が予定されている工事に限り取り扱います。",
    "a contract guarantee is only sold for works on which an advance is planned",
    _T,
)
CONTRACT_GUARANTEE_NOT_FROM_CONTRACT = _rule(
    "CONTRACT_GUARANTEE_NOT_FROM_CONTRACT",
    "契約保証の保証期間は工事請負契約の締結時(工期の始期以前)から始まる必要があります。",
    "a contract guarantee runs from the works contract: it must start on or before the start"
    " of the works period",
    _L,
)
PRODUCT_ALREADY_ON_WORKS = _rule(
    "PRODUCT_ALREADY_ON_WORKS",
    "この工事には同じ保証商品の保証契約が既にあります(増額は変更で行います)。",
    "the works already has a guarantee of this product (an increase is an amendment)",
    _T,
)
ADVANCE_ABOVE_REPAYMENT_THRESHOLD = _rule(
    "ADVANCE_ABOVE_REPAYMENT_THRESHOLD",
    "請負代金額の減額後も、前払金が返還を要しない限度(変更後の請負代金額の10分の5等)を超えています。",
    "after the price cut the advance still exceeds the obligee's repayment threshold (usually"
    " 5/10 of the new price): the excess must be repaid and the guarantee reduced",
    _P,
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
    "this status change is not allowed (released, claimed and completed are final; expired"
    " takes only a claim for a default in the period)",
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
    "この保証商品では保証事故の支払を扱いません。",
    "the product takes no claims",
    _R,
)
CLAIM_PENALTY_MISSING = _rule(
    "CLAIM_PENALTY_MISSING",
    "契約保証の保証事故には、発注者に支払うべき違約金の額が必要です。",
    "a claim on a contract guarantee needs the penalty (違約金) owed to the obligee",
    _T,
)
CLAIM_DEFAULT_OUTSIDE_PERIOD = _rule(
    "CLAIM_DEFAULT_OUTSIDE_PERIOD",
    "保証事故の原因となった債務不履行が保証期間外に生じています。",
    "the default that caused the claim did not happen within the guarantee period",
    _T,
)
REFUND_NOT_ALLOWED = _rule(
    "REFUND_NOT_ALLOWED",
    "保証料率表により、この商品の保証料は返還されません。",
    "the rate table allows no fee refund for this product",
    _T,
)
COMPLETION_AFTER_PERIOD_END = _rule(
    "COMPLETION_AFTER_PERIOD_END",
    "完成・引渡しの日が保証期間の終了後です(工期の延長による変更が先に必要です)。",
    "completion after the guarantee period ended needs an amendment extending it first",
    _D,
)
CLAIM_STEP_NOT_ALLOWED = _rule(
    "CLAIM_STEP_NOT_ALLOWED",
    "保証事故の手続はこの順序で進められません(受付→査定→支払または不払)。",
    "a claim moves received → assessed → paid, or to rejected; not this step",
    _D,
)
CLAIM_STEP_DATE_BACKWARDS = _rule(
    "CLAIM_STEP_DATE_BACKWARDS",
    "保証事故の手続の日付が前の手続より前です。",
    "a claim step is dated before the previous step",
    _D,
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


# --- payments (保証料の収納) ----------------------------------------------------------------------

FEE_NOT_RECEIVED = _rule(
    "FEE_NOT_RECEIVED",
    "保証料の入金が確認できないため、保証契約を締結（証書を発行）できません。"
    "保証料をお振込みいただくか、保証料一括納付のお取扱いをご利用ください。",
    "The guarantee fee has not been received and no consolidated monthly payment arrangement"
    " (保証料一括納付) covers the contractor: the guarantee contract is not concluded and nothing"
    " is issued.",
    RuleSource.SURETY_TERMS,
)
