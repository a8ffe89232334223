"""Notices to the obligee of changes to a guarantee it holds (private; see
:mod:`surety_core.notify`). Pure: no mail library.

Amended, released, claimed, key re-issued (:class:`~surety_core.ObligeeEvent`), sent to the
address in the obligee's policy for the events it chose. Built from the contract alone: no
function here accepts an authentication key, so no notice can carry one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from surety_core._errors import InvalidInputError
from surety_core._japanese import (
    format_date,
    format_period,
    format_yen,
    honorific_for,
    works_labels,
)
from surety_core.domain._model import GuaranteeContract, Medium, ObligeeEvent
from surety_core.notify._message import Notification
from surety_core.notify._templates import product_display_name, version_changes

__all__ = ["OBLIGEE_NOTICE_KIND", "OBLIGEE_NOTICE_TITLES", "obligee_notice", "obligee_notice_key"]

OBLIGEE_NOTICE_KIND = "obligee_notice"
"""The outbox ``kind`` of a notice to the obligee."""

OBLIGEE_NOTICE_TITLES: Mapping[ObligeeEvent, str] = {
    ObligeeEvent.AMENDED: "保証契約の変更のお知らせ",
    ObligeeEvent.RELEASED: "保証契約の解約・返還のお知らせ",
    ObligeeEvent.CLAIMED: "保証事故の受付のお知らせ",
    ObligeeEvent.KEY_REISSUED: "認証キー再発行のお知らせ",
}
"""The subject of each notice (followed by the contract number)."""


def obligee_notice_key(
    contract: GuaranteeContract, event: ObligeeEvent, *, generation: int | None = None
) -> str:
    """The idempotency key of the notice of ``event``: one per version for an amendment, one per
    key generation for a re-issue, one per contract for a release or a claim."""
    base = f"{OBLIGEE_NOTICE_KIND}:{ObligeeEvent(event).value}:{contract.number}"
    if event is ObligeeEvent.AMENDED:
        return f"{base}:v{contract.version}"
    if event is ObligeeEvent.KEY_REISSUED:
        return f"{base}:g{generation}"
    return base


def _what_happened(
    contract: GuaranteeContract, event: ObligeeEvent, on: date, honorific: str
) -> list[str]:
    day = format_date(on)
    if event is ObligeeEvent.AMENDED:
        current = contract.current
        return [
            f"{honorific}が発注者である下記の保証について、変更の手続きが完了いたしました"
            f"（第{current.number}版、変更日 {format_date(current.effective_on)}）。"
        ]
    if event is ObligeeEvent.RELEASED:
        return [
            f"{honorific}が発注者である下記の保証について、{day}をもって解約・返還の手続きが"
            "完了いたしました。"
        ]
    if event is ObligeeEvent.CLAIMED:
        return [
            f"{honorific}が発注者である下記の保証について、{day}付けで保証事故として"
            "受け付けいたしました。今後の手続きは担当者からご連絡いたします。"
        ]
    return [
        f"{honorific}が発注者である下記の電子保証について、受注者の求めにより{day}に"
        "認証キーを再発行いたしました。",
        "これまでの認証キーは使用できません。新しい認証キーは、受注者から",
        "「電子保証にかかる「認証キー」のお知らせ」によりお届けします。",
    ]


def obligee_notice(
    contract: GuaranteeContract,
    event: ObligeeEvent,
    *,
    recipient: str,
    on: date,
    generation: int | None = None,
    service_name: str = "電子保証閲覧サービス",
    surety_contact: str | None = None,
    product_names: Mapping[str, str] | None = None,
    english: bool = True,
) -> Notification:
    """The notice to the obligee of ``contract`` that ``event`` happened on ``on``.

    Lists the contract number, product, works, principal, amount and period as they are now;
    an amendment adds what changed (before → after); a key re-issue (``generation``: the new
    key's) says the old key no longer works and that the principal brings the new key notice.
    It never contains an authentication key: this function has no parameter that could carry
    one. Raises :class:`~surety_core.InvalidInputError` for a bad argument (a key re-issue of a
    paper guarantee, an amendment notice of a first version, no generation for a re-issue).
    """
    if not isinstance(contract, GuaranteeContract):
        raise InvalidInputError(
            "contract", f"must be a GuaranteeContract, not {type(contract).__name__}"
        )
    try:
        event = ObligeeEvent(event)
    except ValueError:
        raise InvalidInputError("event", "must be an ObligeeEvent") from None
    if isinstance(on, datetime) or not isinstance(on, date):
        raise InvalidInputError("on", "must be a date")
    electronic = contract.medium is Medium.ELECTRONIC
    if event is ObligeeEvent.KEY_REISSUED:
        if not electronic:
            raise InvalidInputError("contract.medium", "only electronic guarantees have keys")
        if isinstance(generation, bool) or not isinstance(generation, int) or generation < 2:
            raise InvalidInputError("generation", "a re-issued key's generation (2 or more)")
    if event is ObligeeEvent.AMENDED and contract.version < 2:
        raise InvalidInputError(
            "contract.versions", "an amendment notice needs an amended contract"
        )
    if surety_contact is not None and (
        not isinstance(surety_contact, str) or not surety_contact.strip() or "\n" in surety_contact
    ):
        raise InvalidInputError("surety_contact", "must be one line of text")

    obligee = contract.obligee.name
    honorific = honorific_for(obligee)
    works = contract.works
    lines = [
        f"{obligee} 御中",
        "",
        f"{contract.surety.name}です。",
        *_what_happened(contract, event, on, honorific),
        "",
        "■ 保証契約の内容",
        f"保証契約番号：{contract.number}",
        f"保証の種類：{product_display_name(contract.product, product_names)}",
        f"{works_labels(works.kind)[0]}：{works.name}",
        f"受注者：{contract.principal.name}",
        f"保証金額：{format_yen(contract.amount)}",
        f"保証期間：{format_period(contract.period.start, contract.period.end)}",
    ]
    if event is ObligeeEvent.AMENDED:
        before, after = contract.versions[-2], contract.versions[-1]
        lines += ["", f"■ 変更の内容（第{after.number}版）", f"変更理由：{after.reason}"]
        lines += [f"{label}：{old} → {new}" for label, old, new in version_changes(before, after)]
    lines.append("")
    if electronic:
        lines += [
            f"内容は、{service_name}で保証契約番号と認証キーによりご確認いただけます。",
            "※このメールには認証キーを記載していません。当社が認証キーをメールでお送りすることは",
            "　ありません。認証キーを記載したメールが届いた場合は、開かずに当社へご連絡ください。",
        ]
    if surety_contact:
        lines += ["", f"お問い合わせ先：{surety_contact.strip()}"]
    if english:
        lines += [
            "",
            "----",
            f"Guarantee No. {contract.number}: {event.value.replace('_', ' ')} on "
            f"{on.isoformat()}. This e-mail never contains an authentication key.",
        ]
    return Notification(
        idempotency_key=obligee_notice_key(contract, event, generation=generation),
        recipient=recipient,
        subject=f"{OBLIGEE_NOTICE_TITLES[event]}（保証契約番号：{contract.number}）",
        body="\n".join(lines) + "\n",
    )
