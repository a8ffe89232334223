"""``surety demo``: the story of an electronic guarantee on the embedded SQLite store (private).

A city accepts electronic guarantees; a contractor applies for an electronic contract guarantee
and an electronic advance payment guarantee on one works and a paper guarantee on another; the
surety issues them, the completion e-mails go out, the contractor lists its history, downloads
the key notices, the certificates and the fee statements; the obligee views each guarantee with
its key; the contract price is reduced and the advance guarantee amended (version 2, with the
statement of its refund or additional fee, the contractor's 変更手続き完了 e-mail and the
obligee's notice of the change, which carries no key); a wrong key is rejected and a typo is
caught by the check character before anything is looked up.

Every run starts from a fresh database in ``DIR`` (the secrets and the signing keys in
``DIR/secrets`` are kept), so the demo is safe to run again.
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import attrs

from surety_core._errors import (
    InvalidInputError,
    KeyFormatError,
    StorageError,
    VerificationError,
)
from surety_core._japanese import medium_label, status_label
from surety_core.certificates._signing import SigningKeyRing, verify_certificate
from surety_core.cli._support import (
    DB_NAME,
    SECRETS_DIR,
    SIGNING_KEYS_FILE,
    TRUSTED_KEYS_FILE,
    load_ring,
    secret_provider,
    write_private,
    write_public,
)
from surety_core.cli._text import fields, table
from surety_core.domain._fees import AdjustmentKind, FeeStatement
from surety_core.domain._model import (
    Amendment,
    Application,
    GuaranteeContract,
    Period,
)
from surety_core.domain._payments import ArrangementBook, PaymentMethod, sample_payee_account
from surety_core.keys._format import ALPHABET, AuthKey, parse_key
from surety_core.services import (
    IssuedGuarantee,
    ObligeeView,
    SuretyService,
    business_date,
    utc_now,
)
from surety_core.testing import samples

__all__ = ["DEFAULT_OUT", "MARKER", "run_demo"]

DEFAULT_OUT = "surety-demo"
"""The default output folder, ``./surety-demo``."""
MARKER = ".surety-demo"
"""The file that marks a folder as the demo's own (only such a folder is cleaned on a rerun)."""

_STEPS = 13
_CITY = samples.city()
_SURETY = samples.surety(
    representative="代表取締役社長 保証太郎",
    branch="千葉支店",
    address="千葉県千葉市中央区中央1-1-1",
    telephone="043-000-0000",
)
"""The sample surety with the details its documents print (invented, like every sample)."""
_PRINCIPAL = samples.contractor()
_OBLIGEE_EMAIL = "keiyaku@city.kashiwa.example.jp"
_POLICY = samples.city_policy(notice_email=_OBLIGEE_EMAIL)
_VIEWING_URL = "https://e-hosho.example.jp/view"
"""Where the sample surety's viewing service would be (printed with a QR code on key notices)."""
_EMAIL = samples.CONTRACTOR_EMAIL
_OUTPUTS = {
    "notices": "*.pdf",
    "certificates": "*.pdf",
    "paper": "*.pdf",
    "statements": "*.pdf",
    "mail": "*.eml",
}
_FILES = (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", "summary.json", TRUSTED_KEYS_FILE)


def _yen(amount: int) -> str:
    return f"{amount:,}円"


def _period(period: Period) -> str:
    # one date style in everything the command line prints: ISO 8601, as `surety verify` does
    return f"{period.start.isoformat()} - {period.end.isoformat()}"


def _prepare(out: Path) -> None:
    """Make ``out`` a fresh demo folder; refuse a non-empty folder that is not the demo's."""
    if out.is_symlink():
        raise InvalidInputError("--out", f"{out} is a symbolic link; name the folder itself")
    if out.exists() and not out.is_dir():
        raise InvalidInputError("--out", f"{out} exists and is not a folder")
    # The demo deletes and writes only inside ``out``: a symlinked sub-folder or file would
    # lead it outside, so it is refused, never followed.
    for name in (MARKER, SECRETS_DIR, *_FILES, *_OUTPUTS):
        if (out / name).is_symlink():
            raise InvalidInputError(
                "--out", f"{out / name} is a symbolic link; the demo never follows one"
            )
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise InvalidInputError(
            "--out", f"{out} is not empty and was not written by the demo; choose another folder"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / MARKER).write_text("written by `surety demo`; safe to delete\n", encoding="utf-8")
        for name in _FILES:
            (out / name).unlink(missing_ok=True)
        for folder, pattern in _OUTPUTS.items():
            (out / folder).mkdir(exist_ok=True)
            for old in (out / folder).glob(pattern):
                old.unlink()
    except OSError as exc:
        raise StorageError(f"cannot prepare {out}: {exc.strerror}") from None


def _signing_ring(out: Path) -> tuple[SigningKeyRing, bool]:
    path = out / SECRETS_DIR / SIGNING_KEYS_FILE
    if path.is_file():
        return load_ring(path, "signing keys"), False
    ring = SigningKeyRing.generate()
    write_private(path, ring.to_json())
    return ring, True


def _applications(today: date) -> tuple[Application, Application]:
    return (
        samples.electronic_application(works=samples.road_works(start=today)),
        samples.paper_application(works=samples.school_works(start=today)),
    )


def _typo(key: AuthKey) -> tuple[str, int]:
    """``key`` as printed with one character mistyped, and that character's position (1-based)."""
    printed = key.reveal()
    index = 5  # the first character of the second group
    wrong = next(c for c in ALPHABET if c != printed[index])
    return printed[:index] + wrong + printed[index + 1 :], index + 1


class _Story:
    def __init__(self, out: Path, write: Callable[[str], None], width: int | None) -> None:
        self.out = out
        self.write = write
        self.width = width
        self.step = 0

    def say(self, text: str = "") -> None:
        self.write(text)

    def heading(self, title: str) -> None:
        self.step += 1
        self.write("")
        self.write(f"[{self.step}/{_STEPS}] {title}")

    def table(
        self,
        headers: list[str],
        rows: list[list[str]],
        right: tuple[int, ...] = (),
        shrink: tuple[int, ...] = (),
    ) -> None:
        """A table; only the ``shrink`` columns (names) are shortened on a narrow terminal."""
        self.write(table(headers, rows, right=right, max_width=self.width, shrink=shrink))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()

    def save(self, path: Path, data: bytes, *, private: bool = False) -> str:
        (write_private if private else write_public)(path, data)
        return self.rel(path)


def run_demo(out: Path, *, write: Callable[[str], None] = print, width: int | None = None) -> int:
    """Tell the story into ``out``; returns 0. See the module docstring."""
    from surety_core.documents import (
        FeeDocumentSettings,
        KeyNoticeProfile,
        build_certificate_pdf,
        build_key_notice_pdf,
        certificate_data_from_content,
        certificate_verifier,
        fee_adjustment_pdf,
        fee_statement_pdf,
        key_notice_data_from_notice,
        paper_certificate_pdf,
        verify_certificate_pdf,
    )
    from surety_core.notify import FolderNotifier, OutboxDispatcher
    from surety_core.storage import ContractQuery
    from surety_core.storage.sql import sqlite_store

    started = time.perf_counter()
    out = out.resolve()
    _prepare(out)
    story = _Story(out, write, width)
    story.say("surety demo: electronic surety certificates (電子保証) for public works")
    story.say(f"output folder: {out}  (a fresh {DB_NAME} every run)")

    secrets = secret_provider(folder=out)
    ring, created = _signing_ring(out)
    trusted = ring.trusted_keys()
    story.save(out / TRUSTED_KEYS_FILE, trusted.to_json())
    story.say(
        f"signing key {ring.current_kid} ({'new' if created else 'kept from the last run'}); "
        f"public key set: {TRUSTED_KEYS_FILE}"
    )
    store = sqlite_store(out / DB_NAME)
    try:
        service = samples.surety_service(
            store,
            surety=_SURETY,
            secrets=secrets,
            signing_keys=ring,
            policies=samples.policy_book(policies=[_POLICY]),
            clock=utc_now,
            arrangements=ArrangementBook(),  # no 一括納付: each fee is paid before issuance
        )
        now = datetime.now(UTC)
        today = business_date(now)

        story.heading("当事者 (the parties and the obligee's policy)")
        story.say(
            fields(
                [
                    ("発注者 obligee", _CITY.name),
                    (
                        "電子保証 electronic",
                        f"accepted for works announced from {_POLICY.electronic_from}",
                    ),
                    ("書面 paper", "always accepted"),
                    (
                        "受注者 contractor",
                        f"{_PRINCIPAL.name} (法人番号 {_PRINCIPAL.corporate_number})",
                    ),
                    ("保証会社 surety", _SURETY.name),
                ],
                indent="  ",
            )
        )

        story.heading("申込 (applications by the contractor)")
        applications = _applications(today)
        story.table(
            ["申込 application", "工事 works", "商品 product", "媒体 medium", "保証金額 amount"],
            [
                [
                    app.reference,
                    app.works.name,
                    service.products.name_of(r.product),
                    medium_label(r.medium),
                    _yen(r.amount),
                ]
                for app in applications
                for r in app.requests
            ],
            right=(4,),
            shrink=(1,),
        )

        story.heading("入金 (the fee is received: the guarantee contract is concluded)")
        receipts = [service.apply(app) for app in applications]
        paid = [
            service.record_payment(
                r.reference, amount=r.due, received_on=today, method=PaymentMethod.BANK_TRANSFER
            )
            for r in receipts
        ]
        story.table(
            ["申込 application", "保証料 due", "入金 received", "方法 method", "領収証 no."],
            [
                [
                    p.payment.reference,
                    _yen(r.due),
                    _yen(p.payment.amount),
                    p.payment.method.label_ja,
                    p.receipt.number,
                ]
                for r, p in zip(receipts, paid, strict=True)
            ],
            right=(1, 2),
        )
        story.say(
            "  issuance waits for the fee (rule FEE_NOT_RECEIVED); under a consolidated monthly\n"
            "  payment arrangement (保証料一括納付) it need not, and apply_and_issue is same-day.\n"
            "  The receipt (領収証) stays on paper: the data above is what it is printed from."
        )

        story.heading("発行 (issuance: certificate signed, key sealed, fee computed)")
        issued: list[IssuedGuarantee] = []
        for r in receipts:
            issued.extend(service.issue(r.reference).guarantees)
        story.table(
            ["保証契約番号", "商品 product", "媒体", "保証金額", "保証料 fee"],
            [
                [
                    g.contract.number,
                    service.products.name_of(g.contract.product),
                    medium_label(g.contract.medium),
                    _yen(g.contract.amount),
                    _yen(g.fee.total),
                ]
                for g in issued
            ],
            right=(3, 4),
        )
        story.say("  the fee does not depend on the medium; paper guarantees get no key")
        electronic = [g for g in issued if g.key is not None]
        contract_g, advance_g = electronic
        if contract_g.key is None or advance_g.key is None:  # pragma: no cover
            raise AssertionError("an electronic guarantee was issued without a key")

        story.heading("電子保証発行完了のお知らせ (completion e-mails, without keys)")
        dispatcher = OutboxDispatcher(store, FolderNotifier(out / "mail", sender_name=_SURETY.name))
        report = dispatcher.dispatch_due()
        mails = sorted((out / "mail").glob("*.eml"))
        story.table(["e-mail (.eml, UTF-8)"], [[story.rel(m)] for m in mails])
        story.say(
            f"  {len(report.sent)} sent to {_EMAIL} (from the application), "
            f"{len(report.retrying) + len(report.failed)} not sent"
        )

        story.heading("電子保証履歴一覧 (the contractor's history)")
        page = service.history(ContractQuery(_PRINCIPAL.identifier))
        story.table(
            ["保証契約番号", "保証契約内容", "保証金額", "保証期間", "媒体", "状態"],
            [
                [
                    s.number,
                    s.content,
                    _yen(s.amount),
                    _period(s.period),
                    medium_label(s.medium),
                    status_label(s.status, english=True),
                ]
                for s in page.items
            ],
            right=(2,),
            shrink=(1,),
        )

        story.heading("認証キーのお知らせ (key notices; the only place a key is shown)")
        notices: dict[str, str] = {}
        profile = KeyNoticeProfile(viewing_url=_VIEWING_URL)
        rows = []
        for g in electronic:
            notice = service.key_notice(g.contract.number, principal_id=_PRINCIPAL.identifier)
            pdf = build_key_notice_pdf(key_notice_data_from_notice(notice, profile=profile))
            name = story.save(out / "notices" / f"{g.contract.number}.pdf", pdf, private=True)
            notices[g.contract.number] = name
            rows.append([g.contract.number, notice.product_name, notice.key.reveal(), name])
        story.table(["保証契約番号", "商品 product", "認証キー key", "file"], rows)
        story.say("  each guarantee of the same works has its own key, submitted at its own time")

        story.heading("電子証書 (certificate PDFs with the signed document attached)")
        certificates: dict[str, str] = {}
        verify_payload = certificate_verifier(trusted)

        def certificate_pdf(number: str) -> list[str]:
            with store.unit_of_work() as uow:
                record = uow.certificates.history(number)[-1]
            content = verify_certificate(record.document, trusted)
            pdf = build_certificate_pdf(certificate_data_from_content(content), record.document)
            name = story.save(out / "certificates" / f"{number}-v{record.version}.pdf", pdf)
            certificates[number] = name
            check = verify_certificate_pdf(pdf, verify_payload)
            return [number, str(record.version), name, check.status.value]

        story.table(
            ["保証契約番号", "version", "file", "offline check"],
            [certificate_pdf(g.contract.number) for g in electronic],
        )
        for g in issued:
            if g.key is not None:
                continue
            paper_pdf = paper_certificate_pdf(
                service.paper_certificate(g.contract.number), products=service.products
            )
            name = story.save(
                out / "paper" / f"{g.contract.number}-v{g.contract.version}.pdf", paper_pdf
            )
            certificates[g.contract.number] = name
            story.say(
                f"  {g.contract.number} is on paper: its certificate (正本) to print, seal and "
                f"hand over: {name}"
            )

        story.heading("保証料計算書 (fee statements)")
        # The payee account is the SAMPLE one: a host configures its own per surety.
        fee_settings = FeeDocumentSettings(payee=sample_payee_account())
        statement_rows = []

        def write_fee_statement(contract: GuaranteeContract, fee: FeeStatement, seq: int) -> None:
            pdf = fee_statement_pdf(contract, fee, issued_on=today, settings=fee_settings)
            name = story.save(out / "statements" / f"{contract.number}-{seq}.pdf", pdf)
            statement_rows.append(
                [contract.number, _yen(fee.amount), f"{fee.days}日", _yen(fee.total), name]
            )

        for g in issued:
            write_fee_statement(g.contract, g.fee, 1)
        story.table(
            ["保証契約番号", "保証金額", "日数 days", "保証料 fee", "file"],
            statement_rows,
            right=(1, 2, 3),
        )
        story.say(
            "  each shows amount × annual rate × days/365 per band, the rounding, the due date,\n"
            "  the payee account (a sample here) and that the fee is not subject to consumption tax"
        )
        story.say("  the receipt (領収証) stays on paper")

        story.heading("閲覧 (the obligee views each guarantee with number + key)")

        def view_row(view: ObligeeView) -> list[str]:
            return [
                view.number,
                view.product_name,
                status_label(view.status, english=True),
                str(view.current_version),
                _yen(view.contract.amount),
            ]

        story.table(
            ["保証契約番号", "商品 product", "状態 status", "version", "保証金額"],
            [
                view_row(service.view(g.contract.number, g.key.reveal(), actor="柏市"))
                for g in electronic
                if g.key is not None
            ],
            right=(3, 4),
        )
        paper = [g for g in issued if g.key is None]
        for g in paper:
            story.say(
                f"  {g.contract.number} is on paper: the obligee receives the printed 正本 "
                f"({certificates[g.contract.number]})"
            )

        story.heading("変更 (amendment: contract price reduced, advance guarantee reduced)")
        old_works = advance_g.contract.works
        smaller = attrs.evolve(old_works, contract_price=90_000_000)
        amended = service.amend(
            advance_g.contract.number,
            Amendment(36_000_000, advance_g.contract.period, smaller, today, "請負代金額の減額"),
        )
        story.say(
            f"  contract price {_yen(old_works.contract_price)} → {_yen(smaller.contract_price)}; "
            f"{amended.contract.number} amount {_yen(advance_g.contract.amount)} → "
            f"{_yen(amended.contract.amount)}, version {amended.contract.version}"
        )
        adjustment = amended.adjustment
        title = "返還計算書" if adjustment.kind is AdjustmentKind.REFUND else "追加保証料計算書"
        adjustment_pdf = fee_adjustment_pdf(
            amended.contract, adjustment, issued_on=today, settings=fee_settings
        )
        adjustment_file = story.save(
            out / "statements" / f"{amended.contract.number}-2.pdf", adjustment_pdf
        )
        story.say(
            f"  fee of the new terms {_yen(adjustment.fee.total)}, "
            f"charged {_yen(adjustment.charged)}: additional fee {_yen(adjustment.additional)}, "
            f"refund {_yen(adjustment.refund)}\n"
            f"  (the fall {_yen(adjustment.decrease)} × {adjustment.unused_days}/"
            f"{adjustment.previous_days} unused days, less {_yen(adjustment.deduction)} handling)"
            f"\n  {title}: {adjustment_file}"
        )
        written = certificate_pdf(amended.contract.number)[2]
        with store.unit_of_work() as uow:
            due = {m.idempotency_key: m for m in uow.outbox.all() if m.sent_at is None}
        report = dispatcher.dispatch_due()
        for sent in report.sent:
            message = due[sent]
            to = "the obligee" if message.recipient == _OBLIGEE_EMAIL else "the contractor"
            story.say(f"  e-mail to {to} <{message.recipient}>: {message.subject}")
        story.say("  (the obligee's notice never carries a key: its key notice stays valid)")
        view = service.view(advance_g.contract.number, advance_g.key.reveal(), actor="柏市")
        story.say(
            f"  {written} and the statement of the fee written; "
            f"the obligee now sees version {view.current_version} and the history:"
        )
        story.table(
            ["version", "保証金額", "保証期間", "effective", "reason"],
            [
                [str(x.version), _yen(x.amount), _period(x.period), str(x.effective_on), x.reason]
                for x in view.versions
            ],
            right=(0, 1),
            shrink=(4,),
        )

        story.heading("誤ったキー (a wrong key is rejected, opaquely)")
        try:
            service.view(advance_g.contract.number, contract_g.key.reveal(), actor="柏市")
        except VerificationError as exc:
            story.say(
                f"  {advance_g.contract.number} with the contract guarantee's key: "
                f"rejected ({exc}); the same answer as for an unknown number"
            )
        else:  # pragma: no cover - the service would be broken
            raise AssertionError("a wrong key opened the view")

        story.heading("入力ミス (a typo is caught by the check character)")
        typed, position = _typo(advance_g.key)
        try:
            parse_key(typed)
        except KeyFormatError as exc:
            story.say(
                f"  the advance guarantee's key with character {position} mistyped: {exc}; "
                "caught before any look-up, so nothing was looked up or counted"
            )
        else:  # pragma: no cover - the check character would be broken
            raise AssertionError("a mistyped key passed its check character")

        summary = {
            "guarantees": [
                {
                    "number": c.number,
                    "product": c.product,
                    "medium": c.medium.value,
                    "status": c.status.value,
                    "notice": notices.get(c.number),
                    "certificate": certificates.get(c.number),
                }
                for c in _current(service, issued)
            ]
        }
        story.save(
            out / "summary.json",
            (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        )
    finally:
        store.close()

    elapsed = time.perf_counter() - started
    story.say("")
    story.say(f"done in {elapsed:.1f} s. Written in {out}:")
    counts = {
        DB_NAME: "the SQLite store",
        TRUSTED_KEYS_FILE: "the surety's public key set",
        "summary.json": "the guarantees and their files",
        "notices/": f"{len(list((out / 'notices').glob('*.pdf')))} key notices (private)",
        "certificates/": f"{len(list((out / 'certificates').glob('*.pdf')))} certificates",
        "paper/": f"{len(list((out / 'paper').glob('*.pdf')))} paper certificate (正本) to print",
        "statements/": f"{len(list((out / 'statements').glob('*.pdf')))} fee and refund statements",
        "mail/": f"{len(list((out / 'mail').glob('*.eml')))} e-mails",
        f"{SECRETS_DIR}/": "development secret and signing keys (private; not for production)",
    }
    story.table(["path", "what"], [[k, v] for k, v in counts.items()])
    story.say("")
    story.say("try it yourself (the key is in the key notice PDF):")
    db = shlex.quote(str(out / DB_NAME))  # a folder with a space still pastes as one word
    number = advance_g.contract.number
    cert_path = shlex.quote(str(out / certificates[number]))
    trust = shlex.quote(str(out / TRUSTED_KEYS_FILE))
    story.say(f"  surety verify --db {db} --number {number} --key XXXX-XXXX-XXXX-XXXX-XXXX")
    story.say(f"  surety notice --db {db} --number {number} --out notice.pdf")
    story.say(f"  surety check-pdf {cert_path} --trust {trust}")
    return 0


def _current(service: SuretyService, issued: list[IssuedGuarantee]) -> list[GuaranteeContract]:
    return [
        service.details(g.contract.number, principal_id=_PRINCIPAL.identifier).contract
        for g in issued
    ]
