"""The raw floors: what the hardware and the raw libraries cost, measured in the same run.

Each floor does the irreducible work of its library figure with nothing in between:

* verify: a raw ``sqlite3`` look-up by contract number on an indexed file table, then
  HMAC-SHA256 of the key and a constant-time compare (the floor of ``verify_sqlite``);
* issue: Ed25519 signature of a certificate-sized payload, AES-GCM encryption of a 20-character
  key, and a raw ``sqlite3`` insert of the row, ``executemany`` in one transaction per batch
  (the floor of ``issue_sqlite``);
* notice: reportlab drawing the same A4 key notice with Japanese text (CID font
  ``HeiseiKakuGo-W5``), the denominator of ``notice_pdf``'s ``vs_reportlab``;
* the same look-up at two table sizes, on SQLite and on PostgreSQL (psycopg).

SQLite files use WAL with ``synchronous=NORMAL``, the usual setting for an embedded server store.
"""

from __future__ import annotations

import hmac
import io
import os
import random
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from benchmarks import _data

__all__ = [
    "KeyTable",
    "issue_case",
    "open_sqlite",
    "postgres_key_table",
    "reportlab_notice_builder",
    "sqlite_key_table",
    "verify_case",
]

HMAC_SECRET = b"benchmark-hmac-secret-32-bytes!!"


def open_sqlite(path: Path) -> sqlite3.Connection:
    """A raw connection to a SQLite file with the pragmas of an embedded server store."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def digest(key: str) -> bytes:
    """HMAC-SHA256 of a key's text (the stored verification digest)."""
    return hmac.digest(HMAC_SECRET, key.encode("ascii"), "sha256")


@dataclass
class KeyTable:
    """A populated key table and the (number, key) pairs the look-ups use."""

    lookup: Callable[[str], bytes | None]
    samples: list[tuple[str, str]]
    rows: int
    close: Callable[[], None]


def _sample_positions(rows: int, count: int, seed: int) -> set[int]:
    rng = random.Random(seed)
    return set(rng.sample(range(1, rows + 1), min(count, rows)))


def _rows(rows: int, sample_at: set[int], keys: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    """Rows (number, digest): real digests for the sampled numbers, random ones elsewhere."""
    for i in range(1, rows + 1):
        number = _data.contract_number(i)
        if i in sample_at:
            key = _data.random_key()
            keys[number] = key
            yield number, digest(key)
        else:
            yield number, os.urandom(32)


def sqlite_key_table(path: Path, rows: int, samples: int, seed: int = 7) -> KeyTable:
    """A SQLite file with ``rows`` key rows (number UNIQUE, digest, sealed key, status)."""
    conn = open_sqlite(path)
    conn.execute(
        "CREATE TABLE keys (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,"
        " digest BLOB NOT NULL, ciphertext BLOB NOT NULL, status TEXT NOT NULL)"
    )
    keys: dict[str, str] = {}
    sealed = os.urandom(48)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO keys (number, digest, ciphertext, status) VALUES (?, ?, ?, 'active')",
        ((n, d, sealed) for n, d in _rows(rows, _sample_positions(rows, samples, seed), keys)),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    sql = "SELECT digest FROM keys WHERE number = ? AND status = 'active'"

    def lookup(number: str) -> bytes | None:
        row = conn.execute(sql, (number,)).fetchone()
        return None if row is None else bytes(row[0])

    pairs = list(keys.items())
    random.Random(seed + 1).shuffle(pairs)
    return KeyTable(lookup=lookup, samples=pairs, rows=rows, close=conn.close)


def verify_case(
    lookup: Callable[[str], bytes | None], samples: Sequence[tuple[str, str]], batch: int
) -> Callable[[], None]:
    """``batch`` verifications: look the digest up, HMAC the key, compare in constant time."""
    position = 0

    def run() -> None:
        nonlocal position
        for _ in range(batch):
            number, key = samples[position]
            position = (position + 1) % len(samples)
            stored = lookup(number)
            if stored is None or not hmac.compare_digest(stored, digest(key)):
                raise AssertionError(f"floor verification failed for {number}")

    return run


def issue_case(path: Path, batch: int) -> tuple[Callable[[], None], Callable[[], None]]:
    """``batch`` issuances per call: sign, encrypt the key, insert, in one transaction.

    Returns the case and a close function. Numbers keep increasing across calls.
    """
    conn = open_sqlite(path)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS certificates (id INTEGER PRIMARY KEY,"
        " number TEXT NOT NULL UNIQUE, document BLOB NOT NULL, signature BLOB NOT NULL,"
        " key_nonce BLOB NOT NULL, key_ciphertext BLOB NOT NULL)"
    )
    signer = Ed25519PrivateKey.generate()
    sealer = AESGCM(os.urandom(32))
    template, placeholder = _data.payload_template()
    keys = [_data.random_key().replace("-", "").encode("ascii") for _ in range(256)]
    counter = 0

    def run() -> None:
        nonlocal counter
        rows = []
        for _ in range(batch):
            counter += 1
            number = _data.contract_number(counter).encode("ascii")
            document = template.replace(placeholder, number)
            signature = signer.sign(document)
            nonce = os.urandom(12)
            ciphertext = sealer.encrypt(nonce, keys[counter % 256], number)
            rows.append((number.decode("ascii"), document, signature, nonce, ciphertext))
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO certificates (number, document, signature, key_nonce, key_ciphertext)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")

    return run, conn.close


def reportlab_notice_builder() -> Callable[[], bytes]:
    """A function that draws the key notice with reportlab and returns the PDF bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "HeiseiKakuGo-W5"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    width, height = A4

    def build() -> bytes:
        out = io.BytesIO()
        page = canvas.Canvas(out, pagesize=A4)
        page.setTitle(_data.NOTICE_TITLE)
        page.setFont(font, 16)
        page.drawCentredString(width / 2, height - 72, _data.NOTICE_TITLE)
        y = height - 130
        for label, value in _data.NOTICE_LINES:
            page.setFont(font, 10.5)
            page.drawString(72, y, label)
            if label == "認証キー":
                page.setFont("Courier-Bold", 20)
            page.drawString(180, y, value)
            y -= 28
        page.setFont(font, 9)
        y -= 10
        for line in _data.NOTICE_HOW_TO:
            page.drawString(72, y, line)
            y -= 16
        page.showPage()
        page.save()
        return out.getvalue()

    return build


def psycopg_url(url: str) -> str:
    """A libpq URL from a SQLAlchemy one (``postgresql+psycopg://`` → ``postgresql://``)."""
    scheme, sep, rest = url.partition("://")
    return scheme.split("+", 1)[0] + sep + rest


@contextmanager
def scratch_database(url: str, label: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one measurement, dropped afterwards; yields its URL."""
    import psycopg
    from psycopg import sql

    base = psycopg_url(url)
    name = f"surety_bench_{label}_{os.getpid()}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    head, _, _ = base.rpartition("/")
    try:
        yield f"{head}/{name}"
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def postgres_key_table(url: str, rows: int, samples: int, seed: int = 7) -> KeyTable:
    """The key table on PostgreSQL at ``url``, in a scratch schema dropped on close; COPY-loaded."""
    import psycopg
    from psycopg import sql

    conn: Any = psycopg.connect(psycopg_url(url), autocommit=True)
    schema = sql.Identifier(f"surety_bench_floor_{os.getpid()}_{rows}")
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
    conn.execute(sql.SQL("SET search_path TO {}").format(schema))
    conn.execute(
        "CREATE TABLE keys (id BIGSERIAL PRIMARY KEY, number TEXT NOT NULL UNIQUE,"
        " digest BYTEA NOT NULL, ciphertext BYTEA NOT NULL, status TEXT NOT NULL)"
    )
    keys: dict[str, str] = {}
    sealed = os.urandom(48)
    copy_sql = "COPY keys (number, digest, ciphertext, status) FROM STDIN"
    with conn.transaction(), conn.cursor() as cur, cur.copy(copy_sql) as copy:
        for number, value in _rows(rows, _sample_positions(rows, samples, seed), keys):
            copy.write_row((number, value, sealed, "active"))
    conn.execute("ANALYZE keys")
    cursor = conn.cursor()
    query = "SELECT digest FROM keys WHERE number = %s AND status = 'active'"

    def lookup(number: str) -> bytes | None:
        row = cursor.execute(query, (number,), prepare=True).fetchone()
        return None if row is None else bytes(row[0])

    def close() -> None:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))
        conn.close()

    pairs = list(keys.items())
    random.Random(seed + 1).shuffle(pairs)
    return KeyTable(lookup=lookup, samples=pairs, rows=rows, close=close)
