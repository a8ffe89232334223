"""Japanese message templates (private; see :mod:`surety_core.notify`). Pure: no mail library.

The completion notice tells the principal that an electronic guarantee was issued and where to
fetch the key notice. It is built from the contract alone: no function here accepts an
authentication key, so no e-mail can carry one.
"""

from __future__ import annotations

from collections.abc import Mapping

from surety_core._errors import InvalidInputError
from surety_core._japanese import format_yen
from surety_core.domain._model import GuaranteeContract, Medium, WorksKind
from surety_core.domain._products import PRODUCT_NAMES_JA
from surety_core.domain._standard import default_products
from surety_core.notify._message import Notification

__all__ = [
    "COMPLETION_NOTICE_KIND",
    "COMPLETION_NOTICE_TITLE",
    "PRODUCT_NAMES",
    "completion_notice",
    "completion_notice_key",
    "format_yen",
    "product_display_name",
]

COMPLETION_NOTICE_KIND = "completion_notice"
"""The outbox ``kind`` of a completion notice."""

COMPLETION_NOTICE_TITLE = "電子保証発行完了のお知らせ"

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
    works_label = "工事名" if works.kind is WorksKind.CONSTRUCTION else "業務名"
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
