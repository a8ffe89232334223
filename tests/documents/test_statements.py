"""The fee documents: 保証料計算書, 追加保証料計算書 and 返還計算書 as a public body reads them.

Their text is read back with pypdf, the arithmetic printed is redone from the text alone, and
each has a golden file (PDF and text); ``test_rendering_statements.py`` renders them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from fractions import Fraction
from io import BytesIO
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from surety_core import (
    CONTRACT_GUARANTEE,
    DayCount,
    FeeAdjustment,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    InvalidInputError,
    Period,
    RateTable,
    Rounding,
    WorksKind,
    fee_for_contract,
    fee_for_request,
    fee_on_amendment,
    refund_on_release,
    sample_payee_account,
    sample_rate_table,
)
from surety_core.documents import (
    AdditionalFeeStatementData,
    FeeDocumentSettings,
    RefundStatementData,
    additional_fee_data_from_adjustment,
    build_additional_fee_statement_pdf,
    build_fee_statement_pdf,
    build_refund_statement_pdf,
    fee_adjustment_pdf,
    fee_statement_data_from_statement,
    fee_statement_pdf,
    format_rate,
    refund_data_from_adjustment,
    refund_statement_pdf,
)
from surety_core.documents._glyphs import is_supported
from surety_core.documents._pdf import A4_HEIGHT, A4_WIDTH
from surety_core.documents._statement import statement_page
from surety_core.testing import samples
from surety_core.testing import strategies as s

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SURETY_UPDATE_GOLDEN") == "1"
ISSUED = date(2025, 4, 1)
SETTINGS = FeeDocumentSettings(payee=sample_payee_account())


def lines_of(pdf: bytes) -> list[str]:
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text().splitlines()


def _amended(contract: GuaranteeContract, amount: int, on: date) -> GuaranteeContract:
    current = contract.current
    version = GuaranteeVersion(
        current.number + 1, amount, current.period, current.works, on, "変更"
    )
    return attrs.evolve(contract, versions=(*contract.versions, version))


def _with_surety_details(contract: GuaranteeContract) -> GuaranteeContract:
    surety = attrs.evolve(
        contract.surety,
        branch="横浜支店",
        address="神奈川県横浜市中区本町1-1",
        telephone="045-000-0000",
    )
    return attrs.evolve(contract, surety=surety)


# --- the fee statement (保証料計算書) --------------------------------------------------------


def test_fee_statement_reads_as_a_public_body_needs(contract: GuaranteeContract) -> None:
    statement = fee_for_contract(sample_rate_table(), contract)
    assert statement.total == 2_055_000
    pdf = fee_statement_pdf(
        _with_surety_details(contract), statement, issued_on=ISSUED, settings=SETTINGS
    )
    lines = lines_of(pdf)
    for line in [
        "保証料計算書",
        "株式会社山田建設 御中",
        "東日本建設業保証株式会社",
        "横浜支店",
        "電話 045-000-0000",
        "保証契約番号 0000000042",
        "保証の種類 前払金保証",
        "工事名 市道第1号線道路改良工事",
        "工事番号 第2025-0042号",
        "発注者 横浜市",
        "請負代金額 2,500,000,000円",
        "保証金額 1,000,000,000円",
        "保証期間 令和7年4月1日から令和8年3月31日まで（365日）",
        "1,000万円まで 10,000,000円 × 年0.30% × 365日/365 30,000円",
        "1,000万円超1億円まで 90,000,000円 × 年0.25% × 365日/365 225,000円",
        "1億円超 900,000,000円 × 年0.20% × 365日/365 1,800,000円",
        "保証料 2,055,000円",
        "※ 端数処理：各段階ごとに1円未満切り捨て",
        "※ 保証料は消費税の非課税取引です。",
        "支払期日 令和7年4月15日",
        "振込先 サンプル銀行 本店営業部",
        "口座 普通預金 1234567",
        "口座名義 サンプルホショウ（カ",
        "記",
        "以上",
    ]:
        assert line in lines, line
    text = "\n".join(lines)
    assert "SAMPLE" not in text  # the rate table's name is internal
    assert "様" not in text
    assert "発行日 令和7年4月1日" in lines


def test_minimum_fee_and_a_service_contract(contract: GuaranteeContract) -> None:
    consulting = attrs.evolve(contract.works, kind=WorksKind.DESIGN)
    small = attrs.evolve(
        contract,
        product=CONTRACT_GUARANTEE,
        versions=(
            attrs.evolve(
                contract.versions[0],
                amount=100_000,
                period=Period(date(2025, 4, 1), date(2025, 4, 30)),
                works=consulting,
            ),
        ),
    )
    statement = fee_for_contract(sample_rate_table(), small)
    lines = lines_of(fee_statement_pdf(small, statement, issued_on=ISSUED, due_on=ISSUED))
    assert "100,000円 × 年0.10% × 30日/365 8円" in lines
    assert "最低保証料 1,000円 に満たない額 992円" in lines
    assert "保証料 1,000円" in lines
    assert "業務名 市道第1号線道路改良工事" in lines
    assert "業務番号 第2025-0042号" in lines
    assert "業務委託料 2,500,000,000円" in lines
    assert "支払期日 令和7年4月1日" in lines
    assert not any(line.startswith("振込先") for line in lines)  # no payee configured


_LINE = re.compile(
    r"^(?:\S+ )?(?P<portion>[\d,]+)円 × 年(?P<rate>[\d.]+)% × (?P<days>\d+)日/(?P<basis>\d+) "
    r"(?P<fee>[\d,]+)円$"
)
_ROUNDING = re.compile(r"^※ 端数処理：各段階ごとに(?P<unit>[\d,]+)円未満(?P<how>\S+)$")


def _yen(text: str) -> int:
    return int(text.replace(",", ""))


@settings(max_examples=30, deadline=None)
@given(
    s.guarantee_contracts(status=st.just(GuaranteeStatus.ISSUED), max_amendments=0),
    s.rate_tables(),
)
def test_a_reader_can_redo_the_arithmetic(contract: GuaranteeContract, table: RateTable) -> None:
    """From the printed text alone: each band's fee is portion × rate × days/basis rounded as
    stated, and the lines add up to the fee."""
    statement = fee_for_contract(table, contract)
    data = fee_statement_data_from_statement(statement, contract, issued_on=ISSUED)
    # The drawn names may hold characters no PDF font prints: the figures are what is tested.
    data = attrs.evolve(
        data,
        principal_name="株式会社山田建設",
        works_name="工事",
        works_number="1",
        obligee_name="横浜市",
        surety_name="保証会社",
    )
    lines = lines_of(build_fee_statement_pdf(data))
    rounding = next(m for m in map(_ROUNDING.match, lines) if m)
    unit = _yen(rounding["unit"])
    how = {"切り捨て": Rounding.DOWN, "切り上げ": Rounding.UP, "四捨五入": Rounding.HALF_UP}
    total = 0
    printed = [m for m in map(_LINE.match, lines) if m]
    assert len(printed) == len(statement.lines)
    for match in printed:
        exact = (
            _yen(match["portion"])
            * Fraction(match["rate"])
            / 100
            * int(match["days"])
            / int(match["basis"])
        )
        assert how[rounding["how"]].apply(exact, unit) == _yen(match["fee"])
        assert int(match["days"]) == statement.days
        assert int(match["basis"]) == DayCount(table.day_count).basis
        total += _yen(match["fee"])
    minimum = [line for line in lines if line.startswith("最低保証料 ")]
    if minimum:
        total += _yen(minimum[0].rsplit(" ", 1)[1].removesuffix("円"))
    assert f"保証料 {statement.total:,}円" in lines
    assert total == statement.total


def test_a_statement_before_issuance_names_the_application(contract: GuaranteeContract) -> None:
    application = samples.electronic_application(contract=None)
    receipt_fee = fee_for_request(sample_rate_table(), application, application.requests[0])
    with pytest.raises(InvalidInputError, match="surety"):
        fee_statement_data_from_statement(receipt_fee, application, issued_on=ISSUED)
    data = fee_statement_data_from_statement(
        receipt_fee, application, surety=contract.surety, issued_on=ISSUED, settings=SETTINGS
    )
    lines = lines_of(build_fee_statement_pdf(data))
    assert "申込番号 APP-0001" in lines
    assert f"{application.principal.name} 御中" in lines
    assert f"請負代金額 {application.works.contract_price:,}円" in lines
    assert "支払期日 令和7年4月15日" in lines


def test_rates_print_with_two_decimals() -> None:
    assert format_rate(Fraction(3, 1000)) == "0.30%"
    assert format_rate(Fraction(1, 400)) == "0.25%"
    assert format_rate(Fraction(1, 800)) == "0.125%"
    assert format_rate(Fraction(0)) == "0.00%"
    assert format_rate(Fraction(1)) == "100.00%"
    with pytest.raises(InvalidInputError):
        format_rate(Fraction(2))


# --- amendments: 追加保証料計算書 and 返還計算書 ------------------------------------------------


def _adjustment(
    contract: GuaranteeContract, amount: int, on: date
) -> tuple[GuaranteeContract, FeeAdjustment]:
    table = sample_rate_table()
    new = _amended(contract, amount, on)
    return new, fee_on_amendment(
        table, contract, new, charged=fee_for_contract(table, contract).total
    )


def test_additional_fee_statement(contract: GuaranteeContract) -> None:
    new, adjustment = _adjustment(contract, 1_200_000_000, date(2025, 10, 1))
    assert adjustment.additional == 400_000  # 200 M more at 0.20 % for the whole period
    pdf = fee_adjustment_pdf(new, adjustment, issued_on=date(2025, 10, 1), settings=SETTINGS)
    lines = lines_of(pdf)
    for line in [
        "追加保証料計算書",
        "株式会社山田建設 御中",
        "変更 第2版（令和7年10月1日から）",
        "変更の理由 変更",
        "変更後の保証金額 1,200,000,000円",
        "1億円超 1,100,000,000円 × 年0.20% × 365日/365 2,200,000円",
        "変更後の条件による保証料（合計） 2,455,000円",
        "お払込み済みの保証料（変更前の条件） 2,055,000円",
        "追加保証料 400,000円",
        "支払期日 令和7年10月15日",
        "振込先 サンプル銀行 本店営業部",
        "※ 保証料は消費税の非課税取引です。",
    ]:
        assert line in lines, line


def test_an_amendment_that_keeps_the_fee_owes_nothing(contract: GuaranteeContract) -> None:
    new, adjustment = _adjustment(contract, contract.amount, date(2025, 10, 1))
    lines = lines_of(fee_adjustment_pdf(new, adjustment, issued_on=ISSUED, settings=SETTINGS))
    assert "追加保証料 0円" in lines
    assert any("追加保証料はありません" in line for line in lines)
    assert not any(line.startswith(("支払期日", "振込先")) for line in lines)


def test_refund_statement_of_an_amendment(contract: GuaranteeContract) -> None:
    new, adjustment = _adjustment(contract, 400_000_000, date(2026, 1, 1))
    # 2,055,000 → 855,000 (10 M × 0.30 % + 90 M × 0.25 % + 300 M × 0.20 %)
    assert (adjustment.fee.total, adjustment.decrease, adjustment.unused_days) == (
        855_000,
        1_200_000,
        89,
    )
    assert adjustment.gross == 292_602  # 1,200,000 × 89 / 365 = 292,602.7 → rounded down
    lines = lines_of(fee_adjustment_pdf(new, adjustment, issued_on=ISSUED, settings=SETTINGS))
    for line in [
        "返還計算書",
        "株式会社山田建設 御中",
        "変更 第2版（令和8年1月1日から）",
        "変更前の保証金額 1,000,000,000円",
        "変更前の保証期間 令和7年4月1日から令和8年3月31日まで（365日）",
        "お払込み済みの保証料 2,055,000円",
        "変更後の条件による保証料 855,000円",
        "保証料の減少額 1,200,000円",
        "未経過分 1,200,000円 × 89日/365日 292,602円",
        "事務手数料 −1,000円",
        "返還額 291,602円",
        "※ 未経過日数は、変更日の翌日から保証期間の末日までの日数です。",
        "※ 端数処理：1円未満切り捨て",
        "※ 返還金は、ご指定の口座へお振込みいたします。",
        "※ 保証料は消費税の非課税取引です。",
    ]:
        assert line in lines, line
    assert not any(line.startswith(("支払期日", "振込先")) for line in lines)


def test_refund_statement_of_a_release(contract: GuaranteeContract) -> None:
    table = sample_rate_table()
    refund = refund_on_release(table, contract, fee_paid=2_055_000, released_on=date(2025, 10, 1))
    lines = lines_of(refund_statement_pdf(contract, refund, issued_on=date(2025, 10, 1)))
    for line in [
        "返還計算書",
        "保証金額 1,000,000,000円",
        "解約日 令和7年10月1日",
        "お払込み済みの保証料 2,055,000円",
        f"未経過分 2,055,000円 × 181日/365日 {refund.gross:,}円",
        "事務手数料 −1,000円",
        f"返還額 {refund.refund:,}円",
        "※ 未経過日数は、解約日の翌日から保証期間の末日までの日数です。",
    ]:
        assert line in lines, line


def test_a_product_whose_fee_is_not_refunded(contract: GuaranteeContract) -> None:
    guarantee = attrs.evolve(contract, product=CONTRACT_GUARANTEE)
    new, adjustment = _adjustment(guarantee, 100_000_000, date(2025, 10, 1))
    assert not adjustment.refundable
    lines = lines_of(fee_adjustment_pdf(new, adjustment, issued_on=ISSUED))
    assert "返還計算書" in lines
    assert "返還額 0円" in lines
    assert "※ この保証の種類の保証料は返還の対象となりません。" in lines
    assert not any(line.startswith("未経過分") for line in lines)


def test_the_data_refuses_figures_that_do_not_add_up(contract: GuaranteeContract) -> None:
    new, up = _adjustment(contract, 1_200_000_000, date(2025, 10, 1))
    data = additional_fee_data_from_adjustment(up, new, issued_on=ISSUED)
    with pytest.raises(InvalidInputError, match="additional"):
        attrs.evolve(data, additional=data.additional + 1)
    new_down, down = _adjustment(contract, 400_000_000, date(2026, 1, 1))
    refund = refund_data_from_adjustment(down, new_down, issued_on=ISSUED)
    with pytest.raises(InvalidInputError, match="refund"):
        attrs.evolve(refund, refund=refund.refund + 1)
    with pytest.raises(InvalidInputError, match="basis"):
        attrs.evolve(refund, basis=refund.basis + 1)
    with pytest.raises(InvalidInputError, match="unused_days"):
        attrs.evolve(refund, unused_days=refund.days + 1)
    with pytest.raises(InvalidInputError, match="refund one"):
        additional_fee_data_from_adjustment(down, new_down, issued_on=ISSUED)
    with pytest.raises(InvalidInputError, match="nothing is refunded"):
        refund_data_from_adjustment(up, new, issued_on=ISSUED)
    with pytest.raises(InvalidInputError, match="payment_days"):
        FeeDocumentSettings(payment_days=400)


def test_a_person_is_addressed_with_sama(contract: GuaranteeContract) -> None:
    statement = fee_for_contract(sample_rate_table(), contract)
    data = fee_statement_data_from_statement(statement, contract, issued_on=ISSUED)
    person = attrs.evolve(data, principal_name="山田太郎", addressee_suffix="様")
    assert "山田太郎 様" in lines_of(build_fee_statement_pdf(person))


printable = st.sampled_from(
    [
        chr(u)
        for u in [*range(0x21, 0x7F), *range(0x3041, 0x30F7), *range(0x4E00, 0x5200)]
        if is_supported(chr(u))
    ]
)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_statement_fits_the_page_or_is_refused(
    contract: GuaranteeContract, data: st.DataObject
) -> None:
    def text(n: int) -> str:
        return data.draw(st.text(printable, min_size=1, max_size=n))

    new, down = _adjustment(contract, 400_000_000, date(2026, 1, 1))
    refund = attrs.evolve(
        refund_data_from_adjustment(down, new, issued_on=ISSUED, settings=SETTINGS),
        principal_name=text(60),
        works_name=text(120),
        works_number=text(64),
        obligee_name=text(60),
        surety_name=text(60),
        surety_address=text(200),
        reason=text(120),
        note=text(80),
    )
    new_up, up = _adjustment(contract, 1_200_000_000, date(2025, 10, 1))
    additional = attrs.evolve(
        additional_fee_data_from_adjustment(up, new_up, issued_on=ISSUED, settings=SETTINGS),
        works_name=text(120),
        reason=text(120),
        product_name=text(40),
    )
    page_data: RefundStatementData | AdditionalFeeStatementData
    for page_data in (refund, additional):
        try:
            page = statement_page(page_data)
        except InvalidInputError as error:
            refused: InvalidInputError | None = error
        else:
            refused = None
        if refused is not None:
            assert (refused.field, refused.reason) == (
                "data",
                "too much text to fit on one A4 page",
            )
            continue
        assert page.text_bounds is not None
        x0, y0, x1, y1 = page.text_bounds
        assert x0 >= 56 - 0.01
        assert x1 <= A4_WIDTH - 56 + 0.01
        assert y0 >= 40
        assert y1 <= A4_HEIGHT


# --- golden files ---------------------------------------------------------------------------


def golden_statements(contract: GuaranteeContract) -> dict[str, bytes]:
    """The statements of the golden set (also rendered for the documentation)."""
    detailed = _with_surety_details(contract)
    table = sample_rate_table()
    fee = fee_for_contract(table, detailed)
    up_contract, up = _adjustment(detailed, 1_200_000_000, date(2025, 10, 1))
    down_contract, down = _adjustment(detailed, 400_000_000, date(2026, 1, 1))
    released = refund_on_release(table, detailed, fee_paid=fee.total, released_on=date(2025, 10, 1))
    return {
        "fee_statement": fee_statement_pdf(detailed, fee, issued_on=ISSUED, settings=SETTINGS),
        "additional_fee_statement": build_additional_fee_statement_pdf(
            additional_fee_data_from_adjustment(
                up, up_contract, issued_on=date(2025, 10, 1), settings=SETTINGS
            )
        ),
        "refund_statement": build_refund_statement_pdf(
            refund_data_from_adjustment(
                down, down_contract, issued_on=date(2026, 1, 1), settings=SETTINGS
            )
        ),
        "release_refund_statement": refund_statement_pdf(
            detailed, released, issued_on=date(2025, 10, 1), settings=SETTINGS
        ),
    }


def _golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(data)
    assert path.exists(), f"missing golden file {name}; run with SURETY_UPDATE_GOLDEN=1"
    assert data == path.read_bytes(), f"{name} changed; review and regenerate if intended"


def test_golden_files(contract: GuaranteeContract) -> None:
    for name, pdf in golden_statements(contract).items():
        _golden(f"{name}.txt", "\n".join(lines_of(pdf)).encode())
        _golden(f"{name}.pdf", pdf)


def test_builds_are_deterministic(contract: GuaranteeContract) -> None:
    assert golden_statements(contract) == golden_statements(contract)
    statement = fee_for_contract(sample_rate_table(), contract)
    later = fee_statement_pdf(contract, statement, issued_on=ISSUED + timedelta(days=1))
    assert later != fee_statement_pdf(contract, statement, issued_on=ISSUED)


# --- rendered as a person sees them -----------------------------------------------------------

_POPPLER = shutil.which("pdftoppm") is not None and shutil.which("pdftotext") is not None
_CMAPS = Path("/usr/share/poppler/cMap/Adobe-Japan1").is_dir()
DOCS_STATIC = Path(__file__).parents[2] / "docs" / "_static" / "documents"


def _require_poppler() -> None:
    if _POPPLER and _CMAPS:
        return
    if os.environ.get("CI") == "true":
        pytest.fail("poppler-utils, poppler-data and fonts-ipafont-gothic are required in CI")
    pytest.skip("poppler-utils / poppler-data not installed")


def _render(pdf: bytes, tmp: Path, dpi: int, *, png: bool = False) -> Path:
    source = tmp / "page.pdf"
    source.write_bytes(pdf)
    kind = ["-png"] if png else ["-gray"]
    subprocess.run(
        ["pdftoppm", *kind, "-r", str(dpi), "-singlefile", str(source), str(tmp / "page")],
        capture_output=True,
        check=True,
        timeout=30,
    )
    return tmp / ("page.png" if png else "page.pgm")


def _ink_rows(pgm: Path) -> list[int]:
    """Darkness per pixel row of an 8-bit gray page (top first)."""
    fields = pgm.read_bytes().split(maxsplit=4)
    width, height = int(fields[1]), int(fields[2])
    pixels = fields[4][: width * height]
    return [sum(255 - b for b in pixels[y * width : (y + 1) * width]) for y in range(height)]


@pytest.mark.parametrize(
    "name",
    ["fee_statement", "additional_fee_statement", "refund_statement", "release_refund_statement"],
)
def test_each_statement_renders_with_real_glyphs(
    contract: GuaranteeContract, name: str, tmp_path: Path
) -> None:
    _require_poppler()
    pdf = golden_statements(contract)[name]
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    ).stdout.decode("utf-8")
    title = lines_of(pdf)[1]
    assert title in text
    total = next(
        line for line in lines_of(pdf) if line.startswith(("保証料 ", "追加保証料 ", "返還額 "))
    )
    label, amount = total.split(" ")
    assert re.search(rf"{label}\s+{re.escape(amount)}", text), total
    rows = _ink_rows(_render(pdf, tmp_path, 36))
    height = len(rows)
    # Ink in the title band and all down the page to the closing 以上, none in the margins.
    assert sum(rows[int(height * 0.08) : int(height * 0.14)]) > 0
    assert sum(rows[: int(height * 0.03)]) == 0
    assert sum(rows[int(height * 0.97) :]) == 0
    inked = [y for y, row in enumerate(rows) if row]
    assert inked[-1] - inked[0] > height * 0.5
    if UPDATE:
        DOCS_STATIC.mkdir(parents=True, exist_ok=True)
        picture = _render(pdf, tmp_path, 60, png=True)
        (DOCS_STATIC / f"{name}.png").write_bytes(picture.read_bytes())
