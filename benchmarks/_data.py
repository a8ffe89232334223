"""The example guarantee every benchmark uses: the sample story of ``testing.samples``."""

from __future__ import annotations

import secrets

from surety_core import GuaranteeContract, to_json
from surety_core.testing import samples

__all__ = [
    "KEY_ALPHABET",
    "NOTICE_KEY",
    "NOTICE_LINES",
    "NOTICE_TITLE",
    "contract",
    "contract_number",
    "payload_template",
    "random_key",
]

KEY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""An unambiguous alphabet (no 0/O, 1/I/L) for the floors' stand-in keys."""

CITY = samples.city()
SURETY = samples.surety()
PRINCIPAL = samples.contractor()
WORKS = samples.road_works()
ISSUED_ON = samples.SAMPLE_DAY


def contract_number(i: int) -> str:
    """The ``i``-th guarantee contract number (10 digits, ``0000000001`` for 1)."""
    return f"{i:010d}"


def random_key() -> str:
    """A 20-character stand-in key from the OS CSPRNG, grouped by fives (for the floors)."""
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def contract(number: str) -> GuaranteeContract:
    """An issued electronic advance payment guarantee with ``number`` (validated by the model)."""
    return samples.guarantee_contract(number=number, application_reference=None)


_PLACEHOLDER = "9999999999"


def payload_template() -> tuple[bytes, bytes]:
    """A real certificate-sized payload (the contract's JSON) and the number to replace in it."""
    return to_json(contract(_PLACEHOLDER)).encode("utf-8"), _PLACEHOLDER.encode("ascii")


NOTICE_TITLE = "電子保証にかかる「認証キー」のお知らせ"
NOTICE_KEY = "7KQ4M-XH2RC-9TWPE-3NDFA"
NOTICE_LINES: tuple[tuple[str, str], ...] = (
    ("保証の種類", "前払金保証"),
    ("保証契約番号", "0000000001"),
    ("認証キー", NOTICE_KEY),
    ("工事名", WORKS.name),
    ("工事番号", WORKS.number),
    ("発注者", CITY.name),
    ("受注者", PRINCIPAL.name),
    ("保証金額", "40,000,000円"),
    ("保証期間", "2025年4月1日 - 2026年3月31日（令和7年4月1日 - 令和8年3月31日）"),
    ("保証会社", SURETY.name),
    ("発行日", "2025年4月1日（令和7年4月1日）"),
)
"""The key notice's content; the reportlab floor draws exactly these lines."""

NOTICE_HOW_TO = (
    "発注者の方へ：電子保証の閲覧サービスに保証契約番号と認証キーを入力し、",
    "電子証書の内容と現在の状態をご確認ください。",
    "この書面は紙の保証証書に代えて提出するものです。",
)
