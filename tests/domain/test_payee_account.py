"""The surety's payee account (振込先) printed on fee statements: validated, with a sample."""

from __future__ import annotations

import pytest
from attrs import evolve

from surety_core import (
    AccountType,
    InvalidInputError,
    PayeeAccount,
    from_json,
    sample_payee_account,
    to_json,
)


def test_sample_reads_as_printed() -> None:
    account = sample_payee_account()
    assert account.describe() == "サンプル銀行 本店営業部 普通預金 1234567 サンプルホショウ（カ"
    coded = evolve(account, bank_code="0001", branch_code="001", account_type=AccountType.CURRENT)
    assert (
        coded.describe()
        == "サンプル銀行（0001） 本店営業部（001） 当座預金 1234567 サンプルホショウ（カ"
    )
    assert from_json(to_json(coded), PayeeAccount) == coded


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "123456"),
        ("number", "12345678"),
        ("number", "１２３４５６７"),
        ("number", 1234567),
        ("bank_code", "001"),
        ("branch_code", "0001"),
        ("holder", "さんぷる"),  # hiragana is not how a bank holds the name
        ("holder", "Sample"),  # lower case neither
        ("holder", ""),
        ("bank_name", ""),
        ("branch_name", "x" * 41),
        ("account_type", "普通"),
    ],
)
def test_refuses_what_a_bank_would_not_take(field: str, value: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        evolve(sample_payee_account(), **{field: value})  # type: ignore[arg-type]
    assert field in str(info.value)


def test_accepts_the_usual_holder_names() -> None:
    for holder in ["ヒガシニホンケンセツギョウホショウ（カ", "カ）サンプル", "ABC ホショウ（カ"]:
        assert evolve(sample_payee_account(), holder=holder).holder == holder
