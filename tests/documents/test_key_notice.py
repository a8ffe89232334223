"""The key notice as a letter to the obligee: head, 記 … 以上, one date style, labels by works
kind, the viewing address and its QR code, the version it serves; golden files of its variants."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import date
from io import BytesIO
from pathlib import Path

import attrs
import pytest
import segno
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from surety_core import (
    Amendment,
    GuaranteeContract,
    GuaranteeVersion,
    InvalidInputError,
    Obligee,
    Period,
    Surety,
    WorksKind,
)
from surety_core._japanese import honorific_for, works_labels
from surety_core.documents import (
    DateStyle,
    KeyNoticeData,
    KeyNoticeProfile,
    build_key_notice_pdf,
    key_notice_data_from_contract,
)
from surety_core.documents._data import KEY_NOTICE_CHANGEABLE
from surety_core.documents._notice import draw_key_notice, qr_modules
from surety_core.documents._pdf import A4_HEIGHT, A4_WIDTH, Face, PageWriter, aligned_x

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SURETY_UPDATE_GOLDEN") == "1"
URL = "https://denshi-hosho.example.jp/view?number={number}"
KEY = "7KQM-3XTA-9PLW-R2DH-5C8N"
SURETY = Surety(
    name="東日本建設業保証株式会社",
    code="ejcs",
    representative="代表取締役社長 山田太郎",
    branch="神奈川支店",
    address="〒231-0023 神奈川県横浜市中区山下町1番地",
    telephone="045-000-0000",
)
ERA_DATE = re.compile(r"(令和|平成|昭和)(元|\d+)年\d+月\d+日")
WESTERN_DATE = re.compile(r"(?<![0-9])\d{4}年\d+月\d+日")


def text_of(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def lines_of(pdf: bytes) -> list[str]:
    return text_of(pdf).splitlines()


@pytest.fixture(scope="module")
def profile() -> KeyNoticeProfile:
    return KeyNoticeProfile(viewing_url=URL)


@pytest.fixture(scope="module")
def electronic(contract: GuaranteeContract) -> GuaranteeContract:
    """The sample contract with the surety's printed details."""
    return attrs.evolve(contract, surety=SURETY)


def amended(contract: GuaranteeContract) -> GuaranteeContract:
    """``contract`` with a second version: a larger amount, a longer period (on 1 July)."""
    current = contract.current
    version = GuaranteeVersion(
        number=2,
        amount=1_200_000_000,
        period=Period(current.period.start, date(2026, 6, 30)),
        works=current.works,
        effective_on=date(2025, 7, 1),
        reason="工期延長及び請負代金額の増額",
    )
    return attrs.evolve(contract, versions=(*contract.versions, version))


def consulting(contract: GuaranteeContract) -> GuaranteeContract:
    works = attrs.evolve(
        contract.works,
        name="市道0002号線道路詳細設計業務委託",
        number="R7-C03",
        kind=WorksKind.CONSULTING,
        obligee=Obligee(name="国土交通省関東地方整備局", code="ktr"),
    )
    version = attrs.evolve(contract.current, works=works, amount=6_000_000)
    return attrs.evolve(contract, versions=(version,))


# -- the letter --------------------------------------------------------------------------------


def test_a_first_notice_reads_as_a_letter_to_the_obligee(
    electronic: GuaranteeContract, profile: KeyNoticeProfile
) -> None:
    lines = lines_of(
        build_key_notice_pdf(key_notice_data_from_contract(electronic, KEY, profile=profile))
    )
    # the head: document number and date, addressee, the sender block
    assert lines[:3] == ["電保第0000000042-1-1号", "令和7年4月1日", "横浜市 御中"]
    i = lines.index("東日本建設業保証株式会社")
    assert lines[i : i + 4] == [
        "東日本建設業保証株式会社",
        "神奈川支店",
        "〒231-0023 神奈川県横浜市中区山下町1番地",
        "電話 045-000-0000",
    ]
    # polite lead addressed to the city, then 記 … 以上 around the particulars
    text = "".join(lines)
    assert "電子証書を発行いたしました。" in text
    assert "貴市におかれましては" in text
    assert lines.index("記") < lines.index(f"認証キー {KEY}") < lines.index("以上")
    assert lines[-2] == "以上"
    assert lines.index("以上") > lines.index(
        "アドレス https://denshi-hosho.example.jp/view?number=0000000042"
    )
    assert "工事名 市道第1号線道路改良工事" in lines
    assert "変更" not in lines


def test_one_date_style_everywhere(
    electronic: GuaranteeContract, profile: KeyNoticeProfile
) -> None:
    for contract in (electronic, amended(electronic)):
        era = text_of(key_notice_pdf_of(contract, profile))
        assert ERA_DATE.search(era)
        assert not WESTERN_DATE.search(era), era
        western = text_of(
            key_notice_pdf_of(contract, attrs.evolve(profile, date_style=DateStyle.WESTERN))
        )
        assert WESTERN_DATE.search(western)
        assert not ERA_DATE.search(western), western
        assert len(ERA_DATE.findall(era)) == len(WESTERN_DATE.findall(western)) >= 4


def key_notice_pdf_of(contract: GuaranteeContract, profile: KeyNoticeProfile) -> bytes:
    return build_key_notice_pdf(key_notice_data_from_contract(contract, KEY, profile=profile))


@pytest.mark.parametrize("kind", list(WorksKind))
def test_labels_follow_the_works_kind(
    electronic: GuaranteeContract, profile: KeyNoticeProfile, kind: WorksKind
) -> None:
    works = attrs.evolve(electronic.works, kind=kind)
    contract = attrs.evolve(electronic, versions=(attrs.evolve(electronic.current, works=works),))
    lines = lines_of(key_notice_pdf_of(contract, profile))
    name_label, number_label = works_labels(kind)
    assert f"{name_label} {works.name}" in lines
    assert f"{number_label} {works.number}" in lines
    if kind is not WorksKind.CONSTRUCTION:
        assert not any(line.startswith(("工事名", "工事番号")) for line in lines)
    assert (name_label == "業務名") is kind.is_service


@pytest.mark.parametrize(
    ("name", "honorific"),
    [
        ("柏市", "貴市"),
        ("横浜市水道局", "貴局"),
        ("葉山町", "貴町"),
        ("神奈川県", "貴県"),
        ("東京都", "貴都"),
        ("独立行政法人都市再生機構", "貴機構"),
        ("株式会社首都高速道路", "貴社"),
        ("国土交通省関東地方整備局横浜国道事務所", "貴事務所"),
        ("Kashiwa", "貴職"),
        ("市", "貴職"),
    ],
)
def test_the_obligee_is_addressed_by_its_kind(name: str, honorific: str) -> None:
    assert honorific_for(name) == honorific


def test_a_consulting_notice_to_a_bureau(
    electronic: GuaranteeContract, profile: KeyNoticeProfile
) -> None:
    text = "".join(lines_of(key_notice_pdf_of(consulting(electronic), profile)))
    assert "貴局におかれましては" in text
    assert "業務名市道0002号線道路詳細設計業務委託" in text.replace(" ", "")


def test_the_title_and_texts_are_the_surety_s(electronic: GuaranteeContract) -> None:
    profile = KeyNoticeProfile(
        title="電子保証の認証キーについて（通知）",
        lead=("{obligee}が発注した工事の{product}について、電子証書を発行いたしました。",),
        footnote="本通知は再発行いたしませんので大切に保管してください。",
        document_number="東保第{number}号",
    )
    lines = lines_of(key_notice_pdf_of(electronic, profile))
    assert "電子保証の認証キーについて（通知）" in lines
    assert "東保第0000000042号" in lines
    assert "横浜市が発注した工事の前払金保証について、電子証書を発行いたしました。" in lines
    assert lines[-1] == "本通知は再発行いたしませんので大切に保管してください。"
    metadata = PdfReader(BytesIO(key_notice_pdf_of(electronic, profile))).metadata
    assert metadata is not None
    assert metadata.title == "電子保証の認証キーについて（通知）"


@pytest.mark.parametrize(
    "changes",
    [
        {"lead": ("{key}を印刷します。",)},
        {"lead": ("{obligee!r}",)},
        {"lead": ("{obligee:>10}",)},
        {"lead": ("{",)},
        {"document_number": "第{key}号"},
        {"viewing_url": "https://example.jp/view?key={key}"},
        {"viewing_url": "javascript:alert(1)"},
        {"viewing_url": "https://例え.jp/"},
        {"lead": ()},
    ],
)
def test_a_profile_cannot_print_what_it_should_not(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        KeyNoticeProfile(**changes)  # type: ignore[arg-type]


def test_without_an_address_there_is_no_qr_code(electronic: GuaranteeContract) -> None:
    pdf = key_notice_pdf_of(electronic, KeyNoticeProfile())
    assert b" re f Q" not in PdfReader(BytesIO(pdf)).pages[0].get_contents().get_data()  # type: ignore[union-attr]
    assert not any(line.startswith("アドレス") for line in lines_of(pdf))


# -- the version it serves ------------------------------------------------------------------------


def test_the_notice_of_an_amendment_says_which_version_and_marks_the_changes(
    electronic: GuaranteeContract, profile: KeyNoticeProfile
) -> None:
    contract = amended(electronic)
    data = key_notice_data_from_contract(contract, KEY, profile=profile)
    assert (data.version, data.version_on, data.issued_on) == (
        2,
        date(2025, 7, 1),
        date(2025, 7, 1),
    )
    assert data.changed == {"amount", "period"}
    lines = lines_of(build_key_notice_pdf(data))
    assert "【変更（第2版）】" in lines
    assert "電保第0000000042-2-1号" in lines
    assert "令和7年7月1日" in lines[:3]  # dated the version, not the original issue
    assert "保証金額 1,200,000,000円 変更" in lines
    assert "保証期間 令和7年4月1日から令和8年6月30日まで 変更" in lines
    assert "工事名 市道第1号線道路改良工事" in lines  # unchanged: no mark
    assert "当初の発行日 令和7年4月1日" in lines
    assert "変更日 令和7年7月1日（第2版）" in lines
    assert not any(line.startswith("発行日") for line in lines)
    assert "変更後の内容（第2版）" in "".join(lines)


def test_a_change_of_works_name_is_marked_and_nothing_else(
    electronic: GuaranteeContract, profile: KeyNoticeProfile
) -> None:
    works = attrs.evolve(electronic.works, name="市道第1号線道路改良工事（変更）")
    contract = attrs.evolve(
        electronic,
        versions=(
            *electronic.versions,
            attrs.evolve(electronic.current, number=2, works=works, effective_on=date(2025, 5, 1)),
        ),
    )
    data = key_notice_data_from_contract(contract, KEY, profile=profile)
    assert data.changed == {"works_name"}
    lines = lines_of(build_key_notice_pdf(data))
    assert sum(line.endswith(" 変更") for line in lines) == 1
    assert "工事名 市道第1号線道路改良工事（変更） 変更" in lines


def test_a_later_version_needs_its_date() -> None:
    with pytest.raises(InvalidInputError, match="version_on"):
        KeyNoticeData(
            product_name="前払金保証",
            contract_number="0000000001",
            key=KEY,
            works_name="工事",
            works_number="1",
            obligee_name="柏市",
            principal_name="株式会社東葛建設",
            amount=1,
            period=Period(date(2025, 4, 1), date(2025, 4, 2)),
            surety_name="保証会社",
            issued_on=date(2025, 4, 1),
            version=2,
        )
    with pytest.raises(InvalidInputError, match="changed"):
        attrs.evolve(notice_data(), changed=frozenset({"key"}))


def notice_data() -> KeyNoticeData:
    return KeyNoticeData(
        product_name="前払金保証",
        contract_number="0000000001",
        key=KEY,
        works_name="工事",
        works_number="1",
        obligee_name="柏市",
        principal_name="株式会社東葛建設",
        amount=1,
        period=Period(date(2025, 4, 1), date(2025, 4, 2)),
        surety_name="保証会社",
        issued_on=date(2025, 4, 1),
    )


def test_an_amendment_record_drives_the_same_marks(electronic: GuaranteeContract) -> None:
    """The domain's own amend gives the versions that the notice compares."""
    from surety_core import ObligeePolicy, amend

    change = Amendment(
        amount=800_000_000,
        period=electronic.period,
        works=electronic.works,
        effective_on=date(2025, 6, 1),
        reason="減額",
    )
    contract = amend(
        electronic, change, ObligeePolicy("yokohama", electronic_from=date(2025, 1, 1))
    )
    data = key_notice_data_from_contract(contract, KEY)
    assert data.changed == {"amount"}
    assert data.issued_on == date(2025, 6, 1)


# -- the QR code ---------------------------------------------------------------------------


def _drawn_modules(pdf: bytes) -> set[tuple[int, int]]:
    """The (row, column) of every module the page fills, read back from the content stream."""
    content = PdfReader(BytesIO(pdf)).pages[0].get_contents().get_data().decode()  # type: ignore[union-attr]
    fill = next(
        line for line in content.splitlines() if line.startswith("q 0 g ") and line.endswith(" f Q")
    )
    numbers = [
        float(x)
        for x in re.findall(r"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re", fill)
        for x in x
    ]
    boxes = [tuple(numbers[i : i + 4]) for i in range(0, len(numbers), 4)]
    unit = min(h for _, _, _, h in boxes)
    x0 = min(x for x, _, _, _ in boxes)
    top = max(y + h for _, y, _, h in boxes)
    cells: set[tuple[int, int]] = set()
    for x, y, w, h in boxes:
        row = round((top - y - h) / unit)
        for c in range(round((x - x0) / unit), round((x - x0 + w) / unit)):
            cells.add((row, c))
    return cells


def test_the_qr_code_is_segno_s_symbol_of_the_address(
    electronic: GuaranteeContract, profile: KeyNoticeProfile
) -> None:
    pdf = key_notice_pdf_of(electronic, profile)
    address = "https://denshi-hosho.example.jp/view?number=0000000042"
    symbol = segno.make_qr(address, error="m", boost_error=False)
    expected = {(r, c) for r, row in enumerate(symbol.matrix) for c, v in enumerate(row) if v}
    assert _drawn_modules(pdf) == expected
    assert qr_modules(address) == tuple(tuple(bool(v) for v in row) for row in symbol.matrix)
    # the key is in no address and no symbol
    assert KEY not in address
    assert qr_modules(address) != qr_modules(f"{address}&key={KEY}")


# -- golden files ----------------------------------------------------------------------------------


def _golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(data)
    assert path.exists(), f"missing golden file {name}; run with SURETY_UPDATE_GOLDEN=1"
    assert data == path.read_bytes(), f"{name} changed; review and regenerate if intended"


def golden_variants(contract: GuaranteeContract) -> dict[str, bytes]:
    """The key notice's variants kept as golden files (and rendered for the documentation)."""
    era = KeyNoticeProfile(viewing_url=URL)
    western = attrs.evolve(era, date_style=DateStyle.WESTERN)
    later = amended(contract)
    return {
        "key_notice_construction": key_notice_pdf_of(contract, era),
        "key_notice_consulting_western": key_notice_pdf_of(consulting(contract), western),
        "key_notice_amended": key_notice_pdf_of(later, era),
        "key_notice_amended_reissued_western": build_key_notice_pdf(
            key_notice_data_from_contract(later, KEY, profile=western, key_generation=2)
        ),
    }


def test_golden_key_notices(electronic: GuaranteeContract) -> None:
    for name, pdf in golden_variants(electronic).items():
        assert pdf == golden_variants(electronic)[name]  # deterministic
        _golden(f"{name}.txt", text_of(pdf).encode())
        _golden(f"{name}.pdf", pdf)


# -- any notice fits, and nothing overlaps --------------------------------------------------------


class Recorder:
    """A :class:`~surety_core.documents._pdf.Canvas` that keeps the box of every text and fill."""

    def __init__(self) -> None:
        self.texts: list[tuple[float, float, float, float, str]] = []
        self.fills: list[tuple[float, float, float, float]] = []

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10.5,
        face: Face = Face.GOTHIC,
        align: str = "left",
        field: str = "text",
    ) -> float:
        width = PageWriter.text_width(text, size, face)
        x = aligned_x(x, width, align)
        # glyphs reach from a little below the baseline to about 0.88 em above it
        self.texts.append((x, y - 0.12 * size, x + width, y + 0.88 * size, text))
        return width

    def line(self, x1: float, y1: float, x2: float, y2: float, *, width: float = 0.5) -> None:
        pass

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        width: float = 0.5,
        fill_gray: float | None = None,
    ) -> None:
        pass

    def fill_rects(self, rects: Sequence[tuple[float, float, float, float]]) -> None:
        self.fills.extend(rects)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] - 0.01 and b[0] < a[2] - 0.01 and a[1] < b[3] - 0.01 and b[1] < a[3] - 0.01


CHARS = st.sampled_from("市道第号線改良工事業務委託株式会社建設東西南北ＡＢ（）・ー123ABCxyz")


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    version=st.integers(1, 12),
    generation=st.integers(1, 9),
    kind=st.sampled_from(list(WorksKind)),
    style=st.sampled_from(list(DateStyle)),
    with_url=st.booleans(),
)
def test_any_notice_fits_its_page_without_overlaps(
    data: st.DataObject,
    version: int,
    generation: int,
    kind: WorksKind,
    style: DateStyle,
    with_url: bool,
) -> None:
    def text(n: int) -> str:
        size = data.draw(st.sampled_from([1, n // 4 or 1, n // 2 or 1, n]))
        return data.draw(st.text(CHARS, min_size=size, max_size=size))

    def maybe(n: int) -> str | None:
        return data.draw(st.none() | st.just(n).map(text))

    notice = attrs.evolve(
        notice_data(),
        product_name=text(40),
        works_name=text(120),
        works_number=text(64),
        obligee_name=text(60),
        principal_name=text(60),
        surety_name=text(60),
        surety_branch=maybe(80),
        surety_address=maybe(200),
        surety_telephone=maybe(40),
        document_number=maybe(40),
        viewing_instructions=tuple(text(120) for _ in range(data.draw(st.integers(1, 8)))),
        works_kind=kind,
        version=version,
        version_on=date(2025, 7, 1) if version > 1 else None,
        changed=data.draw(st.frozensets(st.sampled_from(sorted(KEY_NOTICE_CHANGEABLE)))),
        key_generation=generation,
        profile=KeyNoticeProfile(
            date_style=style,
            viewing_url="https://denshi-hosho.example.jp/view?number={number}"
            if with_url
            else None,
        ),
    )
    canvas = Recorder()
    try:
        draw_key_notice(notice, canvas)
    except InvalidInputError as error:
        refused: InvalidInputError | None = error
    else:
        refused = None
    event("refused" if refused else "drawn")
    if refused is not None:
        assert (refused.field, refused.reason) == ("data", "too much text to fit on one A4 page")
        return
    for x0, y0, x1, y1, _ in canvas.texts:
        assert x0 >= 56 - 0.01
        assert x1 <= A4_WIDTH - 56 + 0.01
        assert y0 >= 50
        assert y1 <= A4_HEIGHT - 30
    for i, a in enumerate(canvas.texts):
        for b in canvas.texts[i + 1 :]:
            assert not _overlap(a[:4], b[:4]), (a[4], b[4])
    if with_url:
        xs = [x for x, _, w, _ in canvas.fills] + [x + w for x, _, w, _ in canvas.fills]
        ys = [y for _, y, _, h in canvas.fills] + [y + h for _, y, _, h in canvas.fills]
        unit = min(h for *_, h in canvas.fills)
        quiet = (min(xs) - 4 * unit, min(ys) - 4 * unit, max(xs) + 4 * unit, max(ys) + 4 * unit)
        for box in canvas.texts:
            assert not _overlap(box[:4], quiet), box[4]
    else:
        assert canvas.fills == []


def test_a_line_never_starts_with_a_closing_mark() -> None:
    from surety_core.documents._notice import _wrap

    # ten characters fit; the eleventh is 。, so the tenth moves down with it
    lines = _wrap("あいうえおかきくけこ。さしすせそ", 10 * 10.5, 10.5)
    assert lines == ["あいうえおかきくけ", "こ。さしすせそ"]
    assert "".join(_wrap("。" * 30, 100, 10.5)) == "。" * 30  # nothing to carry: still wraps
