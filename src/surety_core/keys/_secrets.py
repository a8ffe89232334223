"""Secrets from the host, and the key protector that keeps keys at rest (private).

A :class:`SecretProvider` hands out HMAC secrets and AES-GCM keys by key id; new records use
the *current* ids, old ids keep verifying and decrypting. :class:`KeyProtector` turns a key into
a :class:`~surety_core.storage.KeyRecord` (HMAC-SHA256 digest + AES-GCM ciphertext, both bound
to the contract number) and back.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import warnings
from collections.abc import Mapping
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import NoReturn, Protocol, SupportsIndex, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from surety_core import _validation as v
from surety_core._errors import (
    ConfigurationError,
    CorruptRecordError,
    DevelopmentSecretWarning,
    InvalidInputError,
)
from surety_core.keys._format import AuthKey, check_character, is_well_formed, key_bytes
from surety_core.storage._records import KeyRecord, KeyStatus

__all__ = [
    "DEVELOPMENT_SECRET_ENV",
    "SECRETS_FINGERPRINT_NUMBER",
    "DevelopmentSecretProvider",
    "KeyProtector",
    "SecretProvider",
    "StaticSecretProvider",
    "new_secret",
]

log = logging.getLogger("surety_core.keys")

DEVELOPMENT_SECRET_ENV = "SURETY_CORE_DEV_SECRET"  # noqa: S105 - a variable name
"""The environment variable :class:`DevelopmentSecretProvider` reads (64 hex digits)."""

_MIN_HMAC_SECRET = 32
_AES_KEY_SIZES = (16, 24, 32)
_NONCE = 12
_DIGEST_CONTEXT = b"surety_core.auth-key.hmac.v1\x00"
_SEAL_CONTEXT = b"surety_core.auth-key.aesgcm.v1\x00"


@runtime_checkable
class SecretProvider(Protocol):
    """Where the host keeps the secrets that protect keys at rest.

    Implementations return the raw secret bytes for a key id, and raise
    :class:`~surety_core.ConfigurationError` for an id they do not know. To rotate, add a new id,
    make it current, and keep the old ids for as long as any record refers to them.
    """

    @property
    def current_hmac_key_id(self) -> str:
        """The HMAC secret id for new key records."""
        ...

    @property
    def current_encryption_key_id(self) -> str:
        """The AES-GCM key id for new key records."""
        ...

    def hmac_secret(self, key_id: str) -> bytes:
        """The HMAC-SHA256 secret (at least 32 bytes) with ``key_id``."""
        ...

    def encryption_key(self, key_id: str) -> bytes:
        """The AES-GCM key (16, 24 or 32 bytes) with ``key_id``."""
        ...


def new_secret() -> bytes:
    """32 fresh random bytes from the OS CSPRNG, for a host to store as a new secret."""
    return secrets.token_bytes(32)


def _check_ids(kind: str, table: Mapping[str, bytes], current: str, sizes: tuple[int, ...]) -> None:
    if not isinstance(table, Mapping) or not table:
        raise ConfigurationError(f"{kind}: at least one secret is required")
    for key_id, secret in table.items():
        if not isinstance(key_id, str) or not v._CODE_RE.fullmatch(key_id):
            raise ConfigurationError(f"{kind}: key ids are 1-32 ASCII letters, digits, '_.-'")
        if not isinstance(secret, bytes):
            raise ConfigurationError(f"{kind} {key_id!r}: a secret must be bytes")
        if sizes and len(secret) not in sizes:
            raise ConfigurationError(f"{kind} {key_id!r}: must be {sizes} bytes long")
        if not sizes and len(secret) < _MIN_HMAC_SECRET:
            raise ConfigurationError(
                f"{kind} {key_id!r}: must be at least {_MIN_HMAC_SECRET} bytes long"
            )
    if current not in table:
        raise ConfigurationError(f"{kind}: the current id {current!r} has no secret")


class StaticSecretProvider:
    """Secrets the host supplies as bytes (from its vault, KMS or configuration).

    ``hmac_secrets`` and ``encryption_keys`` map key ids to secrets; the current ids choose the
    ones new records use. Raises :class:`~surety_core.ConfigurationError` for a bad setup.
    """

    __slots__ = ("_current_enc", "_current_hmac", "_enc", "_hmac")

    def __init__(
        self,
        hmac_secrets: Mapping[str, bytes],
        encryption_keys: Mapping[str, bytes],
        *,
        current_hmac_key_id: str,
        current_encryption_key_id: str,
    ) -> None:
        _check_ids("HMAC secret", hmac_secrets, current_hmac_key_id, ())
        _check_ids("encryption key", encryption_keys, current_encryption_key_id, _AES_KEY_SIZES)
        self._hmac = dict(hmac_secrets)
        self._enc = dict(encryption_keys)
        self._current_hmac = current_hmac_key_id
        self._current_enc = current_encryption_key_id

    @property
    def current_hmac_key_id(self) -> str:
        return self._current_hmac

    @property
    def current_encryption_key_id(self) -> str:
        return self._current_enc

    def hmac_secret(self, key_id: str) -> bytes:
        try:
            return self._hmac[key_id]
        except (KeyError, TypeError):
            raise ConfigurationError(f"no HMAC secret with id {str(key_id)[:40]!r}") from None

    def encryption_key(self, key_id: str) -> bytes:
        try:
            return self._enc[key_id]
        except (KeyError, TypeError):
            raise ConfigurationError(f"no encryption key with id {str(key_id)[:40]!r}") from None

    def __repr__(self) -> str:
        return (
            f"StaticSecretProvider(hmac_ids={sorted(self._hmac)!r}, "
            f"encryption_ids={sorted(self._enc)!r}, current=({self._current_hmac!r}, "
            f"{self._current_enc!r}))"
        )

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        raise InvalidInputError(None, "a secret provider cannot be pickled")


class DevelopmentSecretProvider(StaticSecretProvider):
    """FOR DEVELOPMENT ONLY: secrets derived from one master secret on this machine.

    The master secret is read from the environment variable :data:`DEVELOPMENT_SECRET_ENV`
    (64 hex digits) if set, else from ``path`` (created with mode 0600 and 32 random bytes if
    missing). Both ids are ``"dev"``. Emits :class:`~surety_core.DevelopmentSecretWarning` and
    logs a warning every time one is made.
    """

    __slots__ = ()

    def __init__(self, path: str | os.PathLike[str] = ".surety-dev-secret") -> None:
        message = (
            "surety_core is using DevelopmentSecretProvider: authentication keys are protected "
            "by a development secret. NEVER use this in production; supply a "
            "StaticSecretProvider (or your own SecretProvider) with secrets from your vault."
        )
        warnings.warn(message, DevelopmentSecretWarning, stacklevel=2)
        log.warning(message)
        master = self._master(Path(path))
        super().__init__(
            {"dev": self._derive(master, b"hmac")},
            {"dev": self._derive(master, b"aes-gcm")},
            current_hmac_key_id="dev",
            current_encryption_key_id="dev",
        )

    @staticmethod
    def _master(path: Path) -> bytes:
        from_env = os.environ.get(DEVELOPMENT_SECRET_ENV)
        if from_env is not None:
            return DevelopmentSecretProvider._decode(from_env, DEVELOPMENT_SECRET_ENV)
        try:
            if not path.exists():
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="ascii") as handle:
                    handle.write(secrets.token_hex(32) + "\n")
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(
                f"development secret file {str(path)[:200]!r} unusable ({type(exc).__name__})"
            ) from None
        return DevelopmentSecretProvider._decode(text, "the development secret file")

    @staticmethod
    def _decode(text: str, source: str) -> bytes:
        try:
            master = bytes.fromhex(text.strip())
        except ValueError:
            raise ConfigurationError(f"{source} must hold 64 hex digits") from None
        if len(master) != 32:
            raise ConfigurationError(f"{source} must hold 64 hex digits")
        return master

    @staticmethod
    def _derive(master: bytes, purpose: bytes) -> bytes:
        hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"surety_core dev " + purpose)
        return hkdf.derive(master)

    def __repr__(self) -> str:
        return "DevelopmentSecretProvider(NOT FOR PRODUCTION)"


class KeyProtector:
    """Seals authentication keys into :class:`KeyRecord`\\ s and checks keys against them.

    * the digest is ``HMAC-SHA256(secret[hmac_key_id], context ‖ number ‖ 0x00 ‖ key)`` of
      the normalised key, so a digest is bound to its contract number;
    * the ciphertext is ``nonce ‖ AES-GCM(key[encryption_key_id], nonce, key, aad)`` with the
      contract number and generation as associated data, so a sealed key cannot be moved to
      another contract or generation.
    """

    __slots__ = ("_aeads", "_secrets")

    def __init__(self, secrets: SecretProvider) -> None:
        if not isinstance(secrets, SecretProvider):
            raise ConfigurationError("KeyProtector needs a SecretProvider")
        self._secrets = secrets
        self._aeads: dict[str, tuple[bytes, AESGCM]] = {}
        """One AES-GCM object per encryption key id (building one costs more than a seal);
        rebuilt if the provider ever returns other bytes for the id."""

    def _aead(self, key_id: str) -> AESGCM:
        key = self._secrets.encryption_key(key_id)
        found = self._aeads.get(key_id)
        if found is not None and hmac.compare_digest(found[0], key):
            return found[1]
        aead = AESGCM(key)
        self._aeads[key_id] = (bytes(key), aead)
        return aead

    @property
    def secrets(self) -> SecretProvider:
        return self._secrets

    def digest(self, number: str, key: AuthKey, hmac_key_id: str) -> bytes:
        """The HMAC digest of ``key`` for contract ``number`` under secret ``hmac_key_id``."""
        secret = self._secrets.hmac_secret(hmac_key_id)
        message = _DIGEST_CONTEXT + number.encode("ascii") + b"\x00" + key_bytes(key)
        return hmac.digest(secret, message, "sha256")

    def seal(self, number: str, generation: int, key: AuthKey, now: datetime) -> KeyRecord:
        """An active :class:`KeyRecord` for ``key`` under the current secrets."""
        if not isinstance(number, str) or not v._CONTRACT_NUMBER_RE.fullmatch(number):
            raise InvalidInputError("number", "must be exactly 10 ASCII digits")
        hmac_id = self._secrets.current_hmac_key_id
        enc_id = self._secrets.current_encryption_key_id
        digest = self.digest(number, key, hmac_id)
        nonce = secrets.token_bytes(_NONCE)
        aead = self._aead(enc_id)
        sealed = nonce + aead.encrypt(nonce, key_bytes(key), _aad(number, generation))
        record = KeyRecord(
            contract_number=number,
            generation=generation,
            hmac_key_id=hmac_id,
            digest=digest,
            encryption_key_id=enc_id,
            ciphertext=sealed,
            created_at=now,
        )
        log.debug("sealed key record %s generation %d", number, generation)
        return record

    def matches(self, record: KeyRecord, key: AuthKey) -> bool:
        """True when ``key`` is the key of ``record`` (constant-time comparison).

        Status is not looked at: the caller decides whether a revoked record may open anything.
        """
        expected = self.digest(record.contract_number, key, record.hmac_key_id)
        return hmac.compare_digest(expected, record.digest)

    def unseal(self, record: KeyRecord) -> AuthKey:
        """The key sealed in ``record``, for the key notice.

        Raises :class:`~surety_core.CorruptRecordError` when the ciphertext was altered or
        belongs to another contract, and :class:`~surety_core.ConfigurationError` when its key
        id is unknown.
        """
        aead = self._aead(record.encryption_key_id)
        name = f"KeyRecord {record.contract_number}/{record.generation}"
        blob = record.ciphertext
        try:
            plain = aead.decrypt(
                blob[:_NONCE], blob[_NONCE:], _aad(record.contract_number, record.generation)
            )
        except (InvalidTag, ValueError):
            raise CorruptRecordError(name, "the sealed key cannot be decrypted") from None
        compact = plain.decode("ascii", errors="replace")
        if not is_well_formed(compact):
            raise CorruptRecordError(name, "the sealed key is not a well-formed key")
        log.debug("unsealed key record %s generation %d", record.contract_number, record.generation)
        return AuthKey(compact)

    def reseal(self, record: KeyRecord) -> KeyRecord:
        """``record`` re-protected under the current secret ids (after a rotation).

        Same number, generation, creation time and status; the host replaces the stored record
        with it so that the old secrets can be retired.
        """
        key = self.unseal(record)
        fresh = self.seal(record.contract_number, record.generation, key, record.created_at)
        if record.status is KeyStatus.REVOKED:
            from attrs import evolve

            fresh = evolve(fresh, status=KeyStatus.REVOKED, revoked_at=record.revoked_at)
        return fresh

    def fingerprint(self, now: datetime, generation: int = 1) -> KeyRecord:
        """The secrets fingerprint: a key record under the reserved number
        :data:`SECRETS_FINGERPRINT_NUMBER` sealing a fixed, public key with the current secrets.

        Only secrets that open it (the encryption key decrypts it and the HMAC secret gives its
        digest) are the secrets this database was written with; see :meth:`opens_fingerprint`.
        """
        return self.seal(SECRETS_FINGERPRINT_NUMBER, generation, _FINGERPRINT_KEY, now)

    def opens_fingerprint(self, record: KeyRecord) -> bool:
        """True when the secrets in use open the fingerprint ``record``; ``False`` for other
        secrets (an unknown key id, a ciphertext they cannot decrypt, another HMAC secret)."""
        try:
            return self.unseal(record) == _FINGERPRINT_KEY and self.matches(
                record, _FINGERPRINT_KEY
            )
        except (ConfigurationError, CorruptRecordError):
            return False

    def needs_reseal(self, record: KeyRecord) -> bool:
        """True when ``record`` uses a secret id that is no longer current."""
        return (
            record.hmac_key_id != self._secrets.current_hmac_key_id
            or record.encryption_key_id != self._secrets.current_encryption_key_id
        )

    def __repr__(self) -> str:
        return f"KeyProtector({self._secrets!r})"


SECRETS_FINGERPRINT_NUMBER = "0000000000"
"""The reserved contract number under which the secrets fingerprint is kept in the key store
(:meth:`KeyProtector.fingerprint`); never allocated to a guarantee contract."""

_FINGERPRINT_BODY = "SVRETYC2REF3NGERPR3"
_FINGERPRINT_KEY = AuthKey(_FINGERPRINT_BODY + check_character(_FINGERPRINT_BODY))
"""A fixed, public, well-formed key: the fingerprint proves the secrets, not a secret key."""


def _aad(number: str, generation: int) -> bytes:
    return _SEAL_CONTEXT + f"{number}\x00{generation}".encode("ascii")


_NO_MATCH = sha256(b"surety_core.no-such-record" + secrets.token_bytes(32)).digest()


def no_match_digest() -> bytes:
    """A digest no key matches, for equalising work on unknown numbers."""
    return _NO_MATCH
