"""The honest floors: what an audited verification and a full issuance must do, at the least.

Both run on **the library's own SQLite schema** (the tables are created by the library's store,
then the floor writes and reads them with raw ``sqlite3``: WAL, ``synchronous=NORMAL``, no
SQLAlchemy, no cattrs, no attrs) and store the same JSON documents the library stores, so that a
ratio to them measures the library's overhead and nothing else:

* :func:`verify_audited_case` (``floor_verify_audited``): per verification, one write
  transaction (``BEGIN IMMEDIATE``): the indexed read of the active key record and its JSON,
  HMAC-SHA256 of the key and ``hmac.compare_digest``, the audit head read (its JSON holds the
  previous hash), the keyed link (HMAC-SHA256 under the audit secret) over the event's
  canonical encoding, the audit insert, the limiter row's upsert, ``COMMIT``.
* :func:`issue_full_case` (``floor_issue_full``): per batch, one transaction writing every row
  issuance writes. Per guarantee: the application read (and its JSON), the works read (guarantees
  on the same works), the contract document, the Ed25519-signed certificate, the fee statement,
  a generated key (HMAC digest and AES-GCM seal), the completion e-mail in the outbox and the
  chained audit event (keyed link); one counter update and one audit-head read per batch, one
  ``executemany`` per table.

The documents are the library's own: one guarantee is applied for and issued through the library
on a scratch file once, and its stored rows are the templates the floors fill in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from benchmarks import _data, floors, library

__all__ = ["Templates", "issue_full_case", "load_templates", "verify_audited_case"]

HMAC_SECRET = floors.HMAC_SECRET
AUDIT_CONTEXT = "surety_core.audit.v2"
GENESIS = bytes(32)
KEY_ALPHABET = _data.KEY_ALPHABET
TEMPLATE_NUMBER = "0000000001"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class Templates:
    """The library's stored documents of one issued guarantee, parsed (table → document)."""

    application: dict[str, Any]
    contract: dict[str, Any]
    contract_columns: tuple[Any, ...]
    statement: dict[str, Any]
    statement_inner: dict[str, Any]
    outbox: dict[str, Any]


def load_templates(workdir: Path) -> Templates:
    """Apply for and issue one guarantee through the library on a scratch file; its rows."""
    path = workdir / "floor-templates.db"
    library.sample_issuance(path)
    conn = sqlite3.connect(path)
    try:

        def one(sql: str) -> Any:
            row = conn.execute(sql).fetchone()
            if row is None:
                raise RuntimeError(f"the library wrote no row for {sql!r}")
            return row

        application = json.loads(one("SELECT document FROM surety_applications")[0])
        contract_row = one(
            "SELECT version, status, medium, product, principal_id, obligee_code,"
            " works_number, issued_on, document FROM surety_contracts"
        )
        statement = json.loads(one("SELECT document FROM surety_statements")[0])
        outbox = json.loads(one("SELECT document FROM surety_outbox")[0])
    finally:
        conn.close()
    return Templates(
        application=application,
        contract=json.loads(contract_row[-1]),
        contract_columns=tuple(contract_row[:-1]),
        statement=statement,
        statement_inner=json.loads(statement["data"]["document"]),
        outbox=outbox,
    )


def create_schema(path: Path) -> sqlite3.Connection:
    """The library's schema on a new file (made by the library's store), opened raw."""
    library.create_sqlite_schema(path)
    return floors.open_sqlite(path)


def _head(conn: sqlite3.Connection) -> tuple[int, bytes]:
    row = conn.execute(
        "SELECT sequence, document FROM surety_audit ORDER BY sequence DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return 0, GENESIS
    return int(row[0]), base64.b64decode(json.loads(row[1])["data"]["hash"])


def _audit_row(
    sequence: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    details: list[list[str]],
    previous: bytes,
    audit_key: tuple[str, bytes],
) -> tuple[tuple[int, int, str], bytes]:
    """The audit row (sequence, at_us, document) and its hash: the library's keyed link,
    HMAC-SHA256 under the HMAC secret ``audit_key`` (id, secret) over the canonical encoding."""
    key_id, secret = audit_key
    at_text = at.isoformat(timespec="microseconds")
    canonical = json.dumps(
        [AUDIT_CONTEXT, key_id, sequence, at_text, actor, action, subject, details, previous.hex()],
        ensure_ascii=True,
        separators=(",", ":"),
    ).encode("ascii")
    digest = hmac.digest(secret, canonical, "sha256")
    document = _dumps(
        {
            "data": {
                "action": action,
                "actor": actor,
                "at": at_text,
                "details": details,
                "hash": _b64(digest),
                "key_id": key_id,
                "previous_hash": _b64(previous),
                "sequence": sequence,
                "subject": subject,
            },
            "schema_version": 1,
            "type": "AuditEvent",
        }
    )
    at_us = int(at.timestamp() * 1_000_000)
    return (sequence, at_us, document), digest


def _key_text() -> str:
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def _key_document(number: str, digest: bytes, sealed: bytes, at_text: str) -> str:
    return _dumps(
        {
            "data": {
                "ciphertext": _b64(sealed),
                "contract_number": number,
                "created_at": at_text,
                "digest": _b64(digest),
                "encryption_key_id": "e1",
                "generation": 1,
                "hmac_key_id": "h1",
                "revoked_at": None,
                "status": "active",
            },
            "schema_version": 1,
            "type": "KeyRecord",
        }
    )


def _key_digest(number: str, key: str) -> bytes:
    return hmac.digest(HMAC_SECRET, f"{number}:{key}".encode("ascii"), "sha256")


@dataclass
class VerifyFloor:
    """The populated file and the (number, key) pairs the verifications use."""

    run: Callable[[], None]
    samples: list[tuple[str, str]]
    close: Callable[[], None]


def verify_audited_case(path: Path, rows: int, samples: int, batch: int) -> VerifyFloor:
    """``batch`` audited verifications per call on ``rows`` key records (the library's schema)."""
    conn = create_schema(path)
    audit_key = library.audit_secret()
    sealer = AESGCM(os.urandom(32))
    now_text = datetime.now(UTC).isoformat(timespec="microseconds")
    pairs: list[tuple[str, str]] = []
    every = max(1, rows // max(1, samples))
    records = []
    for i in range(1, rows + 1):
        number = _data.contract_number(i)
        key = _key_text()
        if i % every == 0 and len(pairs) < samples:
            pairs.append((number, key))
        nonce = os.urandom(12)
        sealed = nonce + sealer.encrypt(nonce, key.replace("-", "").encode(), number.encode())
        records.append((number, _key_document(number, _key_digest(number, key), sealed, now_text)))
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO surety_keys (contract_number, generation, status, document)"
        " VALUES (?, 1, 'active', ?)",
        records,
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    position = 0
    key_sql = "SELECT document FROM surety_keys WHERE contract_number = ? AND status = 'active'"
    audit_sql = "INSERT INTO surety_audit (sequence, at_us, document) VALUES (?, ?, ?)"
    limiter_sql = (
        "INSERT INTO surety_attempts (contract_number, document) VALUES (?, ?)"
        " ON CONFLICT (contract_number) DO UPDATE SET document = excluded.document"
    )

    def run() -> None:
        nonlocal position
        for _ in range(batch):
            number, key = pairs[position]
            position = (position + 1) % len(pairs)
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute(key_sql, (number,)).fetchone()
            stored = base64.b64decode(json.loads(row[0])["data"]["digest"])
            if not hmac.compare_digest(stored, _key_digest(number, key)):
                conn.execute("ROLLBACK")
                raise AssertionError(f"floor verification failed for {number}")
            sequence, previous = _head(conn)
            at = datetime.now(UTC)
            audit, _ = _audit_row(
                sequence + 1,
                at,
                "obligee",
                "verify_succeeded",
                number,
                [["generation", "1"], ["version", "1"]],
                previous,
                audit_key,
            )
            conn.execute(audit_sql, audit)
            limiter = _dumps({"failures": 0, "locked_until": None, "updated_at": at.isoformat()})
            conn.execute(limiter_sql, (number, limiter))
            conn.execute("COMMIT")

    return VerifyFloor(run=run, samples=pairs, close=conn.close)


def issue_full_case(
    path: Path, templates: Templates, batch: int, batches: int
) -> tuple[Callable[[], None], Callable[[], None]]:
    """``batch`` full issuances per call, one transaction; ``batches`` calls' applications filed.

    Returns the case and a close function.
    """
    conn = create_schema(path)
    audit_key = library.audit_secret()
    signer = Ed25519PrivateKey.generate()
    aead = AESGCM(os.urandom(32))
    app_data = templates.application["data"]
    filed = []
    for i in range(1, batch * batches + 1):
        reference = f"FLOOR-{i:010d}"
        works = {**app_data["works"], "number": f"F-{i:09d}"}
        document = {
            **templates.application,
            "data": {**app_data, "reference": reference, "works": works},
        }
        filed.append(
            (
                reference,
                app_data["principal"]["corporate_number"],
                app_data["applied_on"],
                _dumps(document),
            )
        )
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO surety_applications (reference, principal_id, applied_on, document)"
        " VALUES (?, ?, ?, ?)",
        filed,
    )
    conn.execute("COMMIT")
    references = [row[0] for row in reversed(filed)]
    # Schema 2 (the concurrency work) adds surety_contracts.application_reference, unique with
    # the product: written when the column exists, as the library does.
    names = {row[1] for row in conn.execute("PRAGMA table_info(surety_contracts)")}
    with_reference = "application_reference" in names
    contract_sql = (
        "INSERT INTO surety_contracts (number, version, status, medium, product,"
        " principal_id, obligee_code, works_number, issued_on, document"
        + (", application_reference" if with_reference else "")
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
        + (", ?" if with_reference else "")
        + ")"
    )
    contract = templates.contract
    contract_data = contract["data"]
    columns = templates.contract_columns  # version, status, medium, product, corp, obligee, works
    statement = templates.statement
    inner = templates.statement_inner
    outbox = templates.outbox
    body = outbox["data"]["body"]
    subject = outbox["data"]["subject"]

    def run() -> None:
        at = datetime.now(UTC)
        at_text = at.isoformat(timespec="microseconds")
        at_us = int(at.timestamp() * 1_000_000)
        batch_refs = [references.pop() for _ in range(batch)]
        conn.execute("BEGIN IMMEDIATE")
        applications = []
        for reference in batch_refs:
            row = conn.execute(
                "SELECT document FROM surety_applications WHERE reference = ?", (reference,)
            ).fetchone()
            data = json.loads(row[0])["data"]
            works = data["works"]
            conn.execute(
                "SELECT number FROM surety_contracts WHERE obligee_code = ? AND works_number = ?",
                (works["obligee"]["code"], works["number"]),
            ).fetchall()
            applications.append(data)
        (last,) = conn.execute(
            "UPDATE surety_counters SET value = value + ? WHERE name = 'contract_number'"
            " RETURNING value",
            (batch,),
        ).fetchone()
        sequence, previous = _head(conn)
        contracts, certificates, statements, keys, messages, audits = [], [], [], [], [], []
        for offset, data in enumerate(applications):
            number = f"{last - batch + offset + 1:010d}"
            works = data["works"]
            document = _dumps(
                {
                    **contract,
                    "data": {
                        **contract_data,
                        "number": number,
                        "application_reference": data["reference"],
                    },
                }
            )
            row = (number, *columns[:5], works["obligee"]["code"], works["number"], columns[7])
            contracts.append(
                (*row, document, data["reference"]) if with_reference else (*row, document)
            )
            payload = document.encode()
            envelope = _dumps(
                {
                    "alg": "EdDSA",
                    "kid": "floor-1",
                    "payload": _b64(payload),
                    "signature": _b64(signer.sign(payload)),
                    "type": "surety_core.signed-certificate",
                }
            ).encode()
            certificates.append(
                (
                    number,
                    at_us,
                    _dumps(
                        {
                            "data": {
                                "contract_number": number,
                                "created_at": at_text,
                                "digest": _b64(hashlib.sha256(envelope).digest()),
                                "document": _b64(envelope),
                                "version": 1,
                            },
                            "schema_version": 1,
                            "type": "CertificateRecord",
                        }
                    ),
                )
            )
            fee = _dumps({**inner, "data": {**inner["data"], "reference": number}})
            statements.append(
                (
                    number,
                    _dumps(
                        {
                            **statement,
                            "data": {
                                **statement["data"],
                                "contract_number": number,
                                "created_at": at_text,
                                "document": fee,
                            },
                        }
                    ),
                )
            )
            key = _key_text()
            nonce = os.urandom(12)
            sealed = nonce + aead.encrypt(nonce, key.replace("-", "").encode(), number.encode())
            keys.append((number, _key_document(number, _key_digest(number, key), sealed, at_text)))
            idempotency = f"completion_notice:{number}:v1"
            messages.append(
                (
                    idempotency,
                    at_us,
                    _dumps(
                        {
                            **outbox,
                            "data": {
                                **outbox["data"],
                                "body": body.replace(TEMPLATE_NUMBER, number),
                                "subject": subject.replace(TEMPLATE_NUMBER, number),
                                "created_at": at_text,
                                "idempotency_key": idempotency,
                            },
                        }
                    ),
                )
            )
            sequence += 1
            audit, previous = _audit_row(
                sequence,
                at,
                "surety",
                "issued",
                number,
                [
                    ["application", data["reference"]],
                    ["medium", "electronic"],
                    ["product", columns[3]],
                    ["version", "1"],
                ],
                previous,
                audit_key,
            )
            audits.append(audit)
        conn.executemany(contract_sql, contracts)
        conn.executemany(
            "INSERT INTO surety_certificates (contract_number, version, created_at_us, document)"
            " VALUES (?, 1, ?, ?)",
            certificates,
        )
        conn.executemany(
            "INSERT INTO surety_statements (contract_number, sequence, kind, document)"
            " VALUES (?, 1, 'fee', ?)",
            statements,
        )
        conn.executemany(
            "INSERT INTO surety_keys (contract_number, generation, status, document)"
            " VALUES (?, 1, 'active', ?)",
            keys,
        )
        conn.executemany(
            "INSERT INTO surety_outbox (idempotency_key, status, created_at_us,"
            " next_attempt_at_us, document) VALUES (?, 'pending', ?, NULL, ?)",
            messages,
        )
        conn.executemany(
            "INSERT INTO surety_audit (sequence, at_us, document) VALUES (?, ?, ?)", audits
        )
        conn.execute("COMMIT")

    return run, conn.close
