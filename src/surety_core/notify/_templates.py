"""Japanese message templates (private; see :mod:`surety_core.notify`). Pure: no mail library.

The completion notice tells the principal that an electronic guarantee was issued and where to
fetch the key notice; the amendment notice that an amendment is complete and what it changed.
They are built from the contract alone: no function here accepts an authentication key, so no
e-mail can carry one.
"""

from __future__ import annotations

from collections.abc import Mapping

from surety_core._errors import InvalidInputError
from surety_core._japanese import format_date, format_period, format_yen, works_labels
from surety_core.domain._model import GuaranteeContract, GuaranteeVersion, Medium
from surety_core.domain._products import PRODUCT_NAMES_JA
from surety_core.domain._standard import default_products
from surety_core.notify._message import Notification

__all__ = [
    "AMENDMENT_NOTICE_KIND",
    "AMENDMENT_NOTICE_TITLE",
    "COMPLETION_NOTICE_KIND",
    "COMPLETION_NOTICE_TITLE",
    "PRODUCT_NAMES",
    "amendment_notice",
    "amendment_notice_key",
    "completion_notice",
    "completion_notice_key",
    "format_yen",
    "product_display_name",
    "version_changes",
]

COMPLETION_NOTICE_KIND = "completion_notice"
"""The outbox ``kind`` of a completion notice."""

COMPLETION_NOTICE_TITLE = "電子保証発行完了のお知らせ"

AMENDMENT_NOTICE_KIND = "amendment_notice"
"""The outbox ``kind`` of an amendment notice."""

AMENDMENT_NOTICE_TITLE = "電子保証変更手続き完了のお知らせ"

PRODUCT_NAMES: Mapping[str, str] = PRODUCT_NAMES_JA
"""Japanese display names of the built-in products; other product codes are shown as they are."""

DEFAULT_PORTAL = "受注者向けポータル"


_BUILT_IN = default_products()


def product_display_name(product: str, names: Mapping[str, str] | None = None) -> str:
    """The Japanese name of ``product``: from ``names`` when it has one, else the built-in
    products' :meth:`~surety_core.ProductRegistry.name_of` (the code for an unknown product)."""
    if names is not None and isinstance(product, str) and product in names:
        return names[product]
    return _BUILT_IN.name_of(product)


def completion_notice_key(contract: GuaranteeContract) -> str:
    """The idempotency key of the completion notice of ``contract``'s current version."""
    return f"{COMPLETION_NOTICE_KIND}:{contract.number}:v{contract.version}"


def _one_line(field: str, value: str | None, max_length: int = 200) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(field, "must be non-empty text")
    if len(value) > max_length or any(ord(c) < 0x20 for c in value):
        raise InvalidInputError(field, f"must be one line of at most {max_length} characters")
    return value.strip()


def completion_notice(
    contract: GuaranteeContract,
    *,
    recipient: str,
    surety_contact: str | None = None,
    portal_name: str = DEFAULT_PORTAL,
    portal_url: str | None = None,
    product_names: Mapping[str, str] | None = None,
    english: bool = True,
) -> Notification:
    """The completion notice (電子保証発行完了のお知らせ) for an issued electronic guarantee.

    Lists the guarantee contract number, product, works, obligee, amount, period and surety of
    the contract's current version, and tells the principal to log in to ``portal_name`` to
    download the key notice (「電子保証にかかる「認証キー」のお知らせ」). It never contains the
    authentication key: this function has no parameter that could carry one.

    ``surety_contact`` (one line, e.g. a desk and telephone number) is added as the enquiry
    point; ``product_names`` adds or overrides product display names; ``english`` appends a
    short English summary. The idempotency key is :func:`completion_notice_key`. Raises
    :class:`~surety_core.InvalidInputError` for a paper contract (it has no key notice) or a bad
    argument.
    """
    if not isinstance(contract, GuaranteeContract):
        raise InvalidInputError(
            "contract", f"must be a GuaranteeContract, not {type(contract).__name__}"
        )
    if contract.medium is not Medium.ELECTRONIC:
        raise InvalidInputError(
            "contract.medium", "a completion notice is for electronic guarantees"
        )
    contact = _one_line("surety_contact", surety_contact)
    portal = _one_line("portal_name", portal_name, 100)
    url = _one_line("portal_url", portal_url, 500)
    if product_names is not None and not isinstance(product_names, Mapping):
        raise InvalidInputError("product_names", "must be a mapping of code to name")

    product = product_display_name(contract.product, product_names)
    works = contract.works
    works_label = works_labels(works.kind)[0]
    obligee = contract.obligee.name
    where = f"{portal}（{url}）" if url else portal
    honorific = "様" if contract.principal.is_sole_proprietor else "御中"  # a person: 様

    lines = [
        f"{contract.principal.display_name} {honorific}",
        "",
        f"{contract.surety.name}です。",
        "下記の電子保証の発行手続きが完了しましたので、お知らせいたします。",
        "",
        "■ 保証契約の内容",
        f"保証契約番号：{contract.number}",
        f"保証の種類：{product}",
        f"{works_label}：{works.name}",
        f"発注者：{obligee}",
        f"保証金額：{format_yen(contract.amount)}",
        f"保証期間：{contract.period}",
        f"保証会社：{contract.surety.name}",
        "",
        "■ 認証キーの取得方法",
        f"{where}にログインし、「電子保証履歴一覧」画面から本保証の「詳細」を開いて、",
        "「電子保証にかかる「認証キー」のお知らせ」をダウンロードしてください。",
        f"ダウンロードしたお知らせを、紙の保証証書に代えて{obligee}へご提出ください。",
        "",
        "※このメールには認証キーを記載していません。当社が認証キーをメールでお送りすることは",
        "　ありません。認証キーを記載したメールが届いた場合は、開かずに当社へご連絡ください。",
        "※電子保証の内容は、発注者が保証契約番号と認証キーにより確認します。",
    ]
    if contact:
        lines += ["", f"お問い合わせ先：{contact}"]
    if english:
        lines += [
            "",
            "----",
            f"Electronic guarantee No. {contract.number} has been issued. Log in to the "
            "contractor portal to download the authentication key notice and submit it to "
            "the obligee. This e-mail never contains the authentication key.",
        ]
    return Notification(
        idempotency_key=completion_notice_key(contract),
        recipient=recipient,
        subject=f"{COMPLETION_NOTICE_TITLE}（保証契約番号：{contract.number}）",
        body="\n".join(lines) + "\n",
    )


def version_changes(
    before: GuaranteeVersion, after: GuaranteeVersion
) -> list[tuple[str, str, str]]:
    """What ``after`` changed from ``before``, as (label, before, after) texts in Japanese: the
    guaranteed amount and period, and the works' name, number, obligee, contract price, period
    and site (labels by works kind: 工事名 or 業務名)."""
    old, new = before.works, after.works
    name_label, number_label = works_labels(new.kind)
    pairs = [
        ("保証金額", format_yen(before.amount), format_yen(after.amount)),
        (
            "保証期間",
            format_period(before.period.start, before.period.end),
            format_period(after.period.start, after.period.end),
        ),
        (name_label, old.name, new.name),
        (number_label, old.number, new.number),
        ("発注者", old.obligee.name, new.obligee.name),
        ("請負代金額", format_yen(old.contract_price), format_yen(new.contract_price)),
        (
            "工期" if name_label == "工事名" else "履行期間",
            format_period(old.period.start, old.period.end),
            format_period(new.period.start, new.period.end),
        ),
        ("工事場所" if name_label == "工事名" else "履行場所", old.site or "—", new.site or "—"),
    ]
    return [(label, a, b) for label, a, b in pairs if a != b]


def amendment_notice_key(contract: GuaranteeContract) -> str:
    """The idempotency key of the amendment notice of ``contract``'s current version."""
    return f"{AMENDMENT_NOTICE_KIND}:{contract.number}:v{contract.version}"


def amendment_notice(
    contract: GuaranteeContract,
    *,
    recipient: str,
    surety_contact: str | None = None,
    portal_name: str = DEFAULT_PORTAL,
    portal_url: str | None = None,
    product_names: Mapping[str, str] | None = None,
    english: bool = True,
) -> Notification:
    """The amendment notice (電子保証変更手続き完了のお知らせ) of an amended electronic guarantee:
    that the amendment is complete, its version, date and reason, what changed (before → after,
    :func:`version_changes` of the last two versions) and the terms now in force, and where the
    principal downloads the key notice of the new version (the key itself is unchanged). Like
    :func:`completion_notice`, it never contains the authentication key; same arguments.
    Raises :class:`~surety_core.InvalidInputError` for a paper contract or one with a single
    version."""
    if not isinstance(contract, GuaranteeContract):
        raise InvalidInputError(
            "contract", f"must be a GuaranteeContract, not {type(contract).__name__}"
        )
    if contract.medium is not Medium.ELECTRONIC:
        raise InvalidInputError(
            "contract.medium", "an amendment notice is for electronic guarantees"
        )
    if contract.version < 2:
        raise InvalidInputError(
            "contract.versions", "an amendment notice needs an amended contract"
        )
    contact = _one_line("surety_contact", surety_contact)
    portal = _one_line("portal_name", portal_name, 100)
    url = _one_line("portal_url", portal_url, 500)
    if product_names is not None and not isinstance(product_names, Mapping):
        raise InvalidInputError("product_names", "must be a mapping of code to name")

    product = product_display_name(contract.product, product_names)
    before, after = contract.versions[-2], contract.versions[-1]
    works = contract.works
    obligee = contract.obligee.name
    where = f"{portal}（{url}）" if url else portal
    changes = version_changes(before, after)

    lines = [
        f"{contract.principal.name} 御中",
        "",
        f"{contract.surety.name}です。",
        "下記の電子保証の変更手続きが完了しましたので、お知らせいたします。",
        "",
        f"■ 変更の内容（第{after.number}版）",
        f"変更日：{format_date(after.effective_on)}",
        f"変更理由：{after.reason}",
    ]
    lines += [f"{label}：{old} → {new}" for label, old, new in changes] or [
        "（保証の内容に変わりはありません）"
    ]
    lines += [
        "",
        "■ 変更後の保証契約の内容",
        f"保証契約番号：{contract.number}",
        f"保証の種類：{product}",
        f"{works_labels(works.kind)[0]}：{works.name}",
        f"発注者：{obligee}",
        f"保証金額：{format_yen(contract.amount)}",
        f"保証期間：{format_period(contract.period.start, contract.period.end)}",
        f"保証会社：{contract.surety.name}",
        "",
        "■ 変更後の認証キーのお知らせ",
        f"{where}にログインし、「電子保証履歴一覧」画面から本保証の「詳細」を開いて、",
        f"変更後（第{after.number}版）の「電子保証にかかる「認証キー」のお知らせ」を"
        "ダウンロードしてください。",
        f"認証キーは変わりません。変更後のお知らせを{obligee}へご提出ください。",
        "",
        "※このメールには認証キーを記載していません。当社が認証キーをメールでお送りすることは",
        "　ありません。認証キーを記載したメールが届いた場合は、開かずに当社へご連絡ください。",
    ]
    if contact:
        lines += ["", f"お問い合わせ先：{contact}"]
    if english:
        lines += [
            "",
            "----",
            f"The amendment of electronic guarantee No. {contract.number} is complete "
            f"(version {after.number}). Log in to the contractor portal to download the key "
            "notice of the new version and submit it to the obligee. This e-mail never contains "
            "the authentication key.",
        ]
    return Notification(
        idempotency_key=amendment_notice_key(contract),
        recipient=recipient,
        subject=f"{AMENDMENT_NOTICE_TITLE}（保証契約番号：{contract.number}）",
        body="\n".join(lines) + "\n",
    )
