"""Signed electronic certificates (電子証書) (private; see :mod:`surety_core.certificates`).

The content has a canonical serialization: compact UTF-8 JSON with sorted keys,
``{"content": {...}, "schema": "surety_core.certificate", "schema_version": 2}``. A signed
document is itself canonical JSON::

    {"alg": "EdDSA", "kid": "...", "payload": "<base64>", "signature": "<base64>",
     "type": "surety_core.signed-certificate"}

The Ed25519 signature covers ``context ‖ kid ‖ 0x00 ‖ payload``. A verifier accepts a document
only if it is byte-for-byte the canonical encoding of what it parsed, so no byte can change
without failing, not even an unused base64 bit or a JSON escape.

Format 2 states the terms, the approved terms (約款) and, for an amendment, what changed; it
states no status (the registry shows the status, which changes after signing). Format 1 (earlier
releases: a status, no terms, no change) still verifies, read as format 2 without those.

Owns: the certificate content taken from a contract, its canonical form, the signing key ring
(private keys), the trusted key set (public keys), signing, and verifying a document or a chain.
Must not know: stores, units of work, the services, keys of the obligee's view (認証キー), the
clock (times are arguments) or how a certificate is rendered (PDFs are in ``documents``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NoReturn, SupportsIndex

from attrs import field, frozen
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from surety_core import _validation as v
from surety_core._errors import (
    ConfigurationError,
    InvalidInputError,
    SuretyError,
    VerificationError,
)
from surety_core.domain._model import (
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    Medium,
    Obligee,
    Period,
    Principal,
    Surety,
    Works,
)
from surety_core.domain._products import Terms
from surety_core.storage._records import CertificateRecord

__all__ = [
    "CERTIFICATE_SCHEMA",
    "CERTIFICATE_SCHEMA_VERSION",
    "CertificateChange",
    "CertificateContent",
    "SigningKeyRing",
    "TrustedKeySet",
    "canonical_content",
    "certificate_digest",
    "certificate_record",
    "content_from_contract",
    "payload_format",
    "sign_certificate",
    "stated_terms",
    "verify_certificate",
    "verify_chain",
]

log = logging.getLogger("surety_core.certificates")

CERTIFICATE_SCHEMA = "surety_core.certificate"
CERTIFICATE_SCHEMA_VERSION = 2
"""The payload format this release signs (1 still verifies: see the module docstring)."""
_READABLE_VERSIONS = frozenset({1, 2})
_DOCUMENT_TYPE = "surety_core.signed-certificate"
_ALG = "EdDSA"
_CONTEXT = b"surety_core.certificate.signature.v1\x00"
_MAX_DOCUMENT = 1 << 20
_MAX_KEYSET = 1 << 20


def _digest_or_none(instance: object, attribute: Any, value: Any) -> None:
    if value is not None and (not isinstance(value, bytes) or len(value) != 32):
        raise InvalidInputError(v.field_name(instance, attribute), "must be 32 bytes or None")


@frozen
class CertificateChange:
    """What an amendment (変更) changed, as its certificate states it: the terms of the version
    before (``before``, the whole previous :class:`~surety_core.GuaranteeVersion`), and the
    amendment's effective date and reason."""

    before: GuaranteeVersion = field(validator=v.instance_of(GuaranteeVersion))
    effective_on: date = field(validator=v.a_date)
    reason: str = field(converter=v.strip_text, validator=v.text(500))


def _change_fits(instance: CertificateContent, attribute: Any, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, CertificateChange):
        raise InvalidInputError("CertificateContent.change", "must be a CertificateChange or None")
    if value.before.number != instance.version - 1:
        raise InvalidInputError(
            "CertificateContent.change", "must state the version just before this one"
        )


@frozen
class CertificateContent:
    """What a certificate states, for one version of a guarantee contract.

    ``previous_digest`` is the SHA-256 of the previous signed version (``None`` for the first),
    so a version history is a hash chain. ``terms`` are the approved terms (約款) the product is
    sold under; ``change`` is what an amendment changed (``None`` for version 1, and for
    content of format 1). No status: the registry states it.
    """

    number: str = field(validator=v.contract_number)
    product: str = field(validator=v.code)
    principal: Principal = field(validator=v.instance_of(Principal))
    obligee: Obligee = field(validator=v.instance_of(Obligee))
    works: Works = field(validator=v.instance_of(Works))
    amount: int = field(validator=v.yen)
    period: Period = field(validator=v.instance_of(Period))
    medium: Medium = field(validator=v.enum_of(Medium))
    version: int = field(validator=v.positive_int)
    issued_at: datetime = field(validator=v.aware)
    surety: Surety = field(validator=v.instance_of(Surety))
    previous_digest: bytes | None = field(default=None, validator=_digest_or_none)
    terms: Terms | None = field(default=None, validator=v.optional(v.instance_of(Terms)))
    change: CertificateChange | None = field(default=None, validator=_change_fits)


def content_from_contract(
    contract: GuaranteeContract,
    *,
    issued_at: datetime,
    previous_digest: bytes | None,
    terms: Terms | None = None,
) -> CertificateContent:
    """The certificate content for ``contract``'s current version, under ``terms`` (the
    product's approved terms, :meth:`~surety_core.ProductRegistry.terms_of`). A later version
    states what changed from the version before it (:class:`CertificateChange`)."""
    if not isinstance(contract, GuaranteeContract):
        raise InvalidInputError("contract", "must be a GuaranteeContract")
    current = contract.current
    change = None
    if len(contract.versions) > 1:
        change = CertificateChange(
            before=contract.versions[-2], effective_on=current.effective_on, reason=current.reason
        )
    return CertificateContent(
        number=contract.number,
        product=contract.product,
        principal=contract.principal,
        obligee=contract.obligee,
        works=contract.works,
        amount=contract.amount,
        period=contract.period,
        medium=contract.medium,
        version=contract.version,
        issued_at=issued_at,
        surety=contract.surety,
        previous_digest=previous_digest,
        terms=terms,
        change=change,
    )


def _dumps(data: Any) -> bytes:
    """``json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`` as
    UTF-8, byte for byte (what is signed), written by orjson where it writes the same bytes."""
    from surety_core._serialization import dumps_compact_bytes

    return dumps_compact_bytes(data)


def _content_data(content: CertificateContent) -> dict[str, Any]:
    from surety_core._serialization import unstructure

    data: dict[str, Any] = unstructure(content)
    data["previous_digest"] = (
        None if content.previous_digest is None else content.previous_digest.hex()
    )
    return data


def canonical_content(content: CertificateContent) -> bytes:
    """The canonical, versioned bytes of ``content`` (what is signed)."""
    if not isinstance(content, CertificateContent):
        raise InvalidInputError("content", "must be a CertificateContent")
    return _dumps(
        {
            "content": _content_data(content),
            "schema": CERTIFICATE_SCHEMA,
            "schema_version": CERTIFICATE_SCHEMA_VERSION,
        }
    )


def _without_added_fields(built: Any, signed: Any) -> Any:
    """``built`` without the keys that ``signed`` lacks: the fields added to the model after a
    format-1 document was signed (``Works.site``, say), which it reads as their defaults."""
    if isinstance(built, dict) and isinstance(signed, dict):
        return {
            key: _without_added_fields(value, signed[key])
            for key, value in built.items()
            if key in signed
        }
    if isinstance(built, list) and isinstance(signed, list) and len(built) == len(signed):
        return [_without_added_fields(b, s) for b, s in zip(built, signed, strict=True)]
    return built


def _parse_content(payload: bytes) -> CertificateContent:
    from surety_core._serialization import structure

    data = json.loads(payload)
    if not isinstance(data, dict) or set(data) != {"content", "schema", "schema_version"}:
        raise VerificationError()
    version = data["schema_version"]
    if data["schema"] != CERTIFICATE_SCHEMA or type(version) is not int:
        raise VerificationError()
    if version not in _READABLE_VERSIONS:
        raise VerificationError()
    body = data["content"]
    if not isinstance(body, dict):
        raise VerificationError()
    body = dict(body)
    status: Any = None
    if version == 1:
        # Format 1 stated a status and neither terms nor a change.
        if "terms" in body or "change" in body or "status" not in body:
            raise VerificationError()
        status = GuaranteeStatus(body.pop("status"))
    digest_hex = body.get("previous_digest")
    body["previous_digest"] = None
    content = structure(body, CertificateContent)
    if digest_hex is not None:
        if not isinstance(digest_hex, str):
            raise VerificationError()
        from attrs import evolve

        content = evolve(content, previous_digest=bytes.fromhex(digest_hex))
    if version == 1:
        rebuilt = _content_data(content)
        del rebuilt["terms"], rebuilt["change"]
        rebuilt["status"] = status.value
        signed = data["content"]
        canonical = _dumps(
            {
                "content": _without_added_fields(rebuilt, signed),
                "schema": CERTIFICATE_SCHEMA,
                "schema_version": 1,
            }
        )
    else:
        canonical = canonical_content(content)
    if canonical != payload:
        raise VerificationError()
    return content


def payload_format(document: bytes) -> int | None:
    """The payload format (``schema_version``) a signed document *claims*, without verifying
    anything (``None`` if it cannot be read): for messages about a document that did verify."""
    try:
        envelope = json.loads(document)
        data = json.loads(_unb64(envelope["payload"]))
        version = data["schema_version"]
    except (ValueError, TypeError, KeyError, RecursionError, VerificationError, binascii.Error):
        return None
    return version if type(version) is int else None


def stated_terms(document: bytes) -> Terms | None:
    """The terms a signed document of this surety's own store states, read without verifying
    (the issuer keeps an amended guarantee under the terms its earlier version named)."""
    from surety_core._serialization import structure

    try:
        envelope = json.loads(document)
        data = json.loads(_unb64(envelope["payload"]))
        terms = data["content"].get("terms")
        return None if terms is None else structure(terms, Terms)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, SuretyError):
        return None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise VerificationError()
    return base64.b64decode(text, validate=True)


def _kid_for(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519-" + hashlib.sha256(raw).hexdigest()[:16]


def _check_kid(kid: Any, error: type[SuretyError]) -> str:
    if not isinstance(kid, str) or not v._CODE_RE.fullmatch(kid):
        if error is InvalidInputError:
            raise InvalidInputError("kid", "must be 1-32 ASCII letters, digits, '_', '.' or '-'")
        raise ConfigurationError("a key id must be 1-32 ASCII letters, digits, '_', '.' or '-'")
    return kid


class TrustedKeySet:
    """Public Ed25519 keys an obligee (or anyone) trusts, by key id.

    Exports and imports a JSON Web Key Set (``{"keys": [{"kty": "OKP", "crv": "Ed25519",
    "alg": "EdDSA", "kid": ..., "x": ...}]}``); a malformed set raises
    :class:`~surety_core.ConfigurationError`.
    """

    __slots__ = ("_keys",)

    def __init__(self, keys: Mapping[str, Ed25519PublicKey]) -> None:
        checked: dict[str, Ed25519PublicKey] = {}
        for kid, public in keys.items():
            _check_kid(kid, ConfigurationError)
            if not isinstance(public, Ed25519PublicKey):
                raise ConfigurationError(f"key {kid!r} is not an Ed25519 public key")
            checked[kid] = public
        self._keys = checked

    @property
    def kids(self) -> tuple[str, ...]:
        """The trusted key ids, sorted."""
        return tuple(sorted(self._keys))

    def get(self, kid: str) -> Ed25519PublicKey | None:
        return self._keys.get(kid)

    def union(self, other: TrustedKeySet) -> TrustedKeySet:
        """Both sets together; the same kid must carry the same key."""
        merged = dict(self._keys)
        for kid, public in other._keys.items():
            if kid in merged and _raw(merged[kid]) != _raw(public):
                raise ConfigurationError(f"key id {kid!r} names two different keys")
            merged[kid] = public
        return TrustedKeySet(merged)

    def to_json(self) -> bytes:
        """The key set as canonical JSON (a JWKS)."""
        keys = [
            {
                "alg": _ALG,
                "crv": "Ed25519",
                "kid": kid,
                "kty": "OKP",
                "use": "sig",
                "x": base64.urlsafe_b64encode(_raw(self._keys[kid])).decode().rstrip("="),
            }
            for kid in self.kids
        ]
        return _dumps({"keys": keys})

    @classmethod
    def from_json(cls, data: str | bytes) -> TrustedKeySet:
        """Load a key set written by :meth:`to_json` (or any JWKS of Ed25519 keys)."""
        if not isinstance(data, str | bytes) or len(data) > _MAX_KEYSET:
            raise ConfigurationError("a key set must be JSON text of at most 1 MiB")
        try:
            parsed = json.loads(data)
        except (ValueError, RecursionError):
            raise ConfigurationError("a key set must be valid JSON") from None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("keys"), list):
            raise ConfigurationError('a key set is an object with a "keys" list')
        keys: dict[str, Ed25519PublicKey] = {}
        for i, entry in enumerate(parsed["keys"]):
            if not isinstance(entry, dict):
                raise ConfigurationError(f"key set entry {i} is not an object")
            if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519":
                raise ConfigurationError(f"key set entry {i} is not an Ed25519 key")
            if entry.get("alg", _ALG) != _ALG:
                raise ConfigurationError(f"key set entry {i} has an unsupported alg")
            if "d" in entry:
                raise ConfigurationError(f"key set entry {i} holds a private key; refuse it")
            kid = _check_kid(entry.get("kid"), ConfigurationError)
            x = entry.get("x")
            try:
                if not isinstance(x, str) or len(x) != 43:
                    raise ValueError
                raw = base64.urlsafe_b64decode(x + "=")
                public = Ed25519PublicKey.from_public_bytes(raw)
            except (ValueError, binascii.Error):
                raise ConfigurationError(f"key set entry {i} has a malformed key") from None
            if kid in keys:
                raise ConfigurationError(f"key id {kid!r} appears twice in the key set")
            keys[kid] = public
        return cls(keys)

    def __repr__(self) -> str:
        return f"TrustedKeySet(kids={list(self.kids)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TrustedKeySet):
            return NotImplemented
        return self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class SigningKeyRing:
    """The surety's Ed25519 signing keys by key id, one of them current.

    Immutable: :meth:`rotate` returns a new ring whose current key is new and which keeps the
    older keys, so :meth:`trusted_keys` still lists them and older certificates still verify.
    Private keys leave only through :meth:`to_json` / :meth:`private_pem`, for the host to
    store in its vault.
    """

    __slots__ = ("_current", "_keys")

    def __init__(self, keys: Mapping[str, Ed25519PrivateKey], current: str) -> None:
        if not keys:
            raise ConfigurationError("a signing key ring needs at least one key")
        checked: dict[str, Ed25519PrivateKey] = {}
        for kid, private in keys.items():
            _check_kid(kid, ConfigurationError)
            if not isinstance(private, Ed25519PrivateKey):
                raise ConfigurationError(f"key {kid!r} is not an Ed25519 private key")
            checked[kid] = private
        if current not in checked:
            raise ConfigurationError(f"the current key id {str(current)[:40]!r} is not in the ring")
        self._keys = checked
        self._current = current

    @classmethod
    def generate(cls, kid: str | None = None) -> SigningKeyRing:
        """A ring with one new key (its id derived from the public key unless given)."""
        private = Ed25519PrivateKey.generate()
        kid = _kid_for(private.public_key()) if kid is None else _check_kid(kid, InvalidInputError)
        return cls({kid: private}, kid)

    def rotate(self, kid: str | None = None) -> SigningKeyRing:
        """A ring with a new current key; the older keys stay (for their public halves)."""
        private = Ed25519PrivateKey.generate()
        kid = _kid_for(private.public_key()) if kid is None else _check_kid(kid, InvalidInputError)
        if kid in self._keys:
            raise InvalidInputError("kid", "the ring already holds a key with this id")
        return SigningKeyRing({**self._keys, kid: private}, kid)

    def retire(self, kid: str) -> SigningKeyRing:
        """A ring without the private key ``kid`` (not the current one). Keep publishing its
        public key (from an earlier :meth:`trusted_keys`) while its certificates matter."""
        if kid == self._current:
            raise InvalidInputError("kid", "the current signing key cannot be retired")
        if kid not in self._keys:
            raise InvalidInputError("kid", "no such key in the ring")
        return SigningKeyRing({k: p for k, p in self._keys.items() if k != kid}, self._current)

    @property
    def current_kid(self) -> str:
        return self._current

    @property
    def kids(self) -> tuple[str, ...]:
        return tuple(sorted(self._keys))

    def _signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        return self._current, self._keys[self._current]

    def trusted_keys(self) -> TrustedKeySet:
        """The public keys of every key in the ring."""
        return TrustedKeySet({kid: p.public_key() for kid, p in self._keys.items()})

    def private_pem(self, kid: str) -> bytes:
        """One private key as unencrypted PKCS#8 PEM (store it in a vault)."""
        if kid not in self._keys:
            raise InvalidInputError("kid", "no such key in the ring")
        return self._keys[kid].private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def to_json(self) -> bytes:
        """The whole ring with its private keys as JSON (store it in a vault)."""
        return _dumps(
            {
                "current": self._current,
                "keys": [{"kid": kid, "pem": self.private_pem(kid).decode()} for kid in self.kids],
                "type": "surety_core.signing-key-ring",
            }
        )

    @classmethod
    def from_pem(cls, keys: Mapping[str, bytes | str], current: str) -> SigningKeyRing:
        """A ring from PKCS#8 PEM private keys by key id."""
        loaded: dict[str, Ed25519PrivateKey] = {}
        for kid, pem in keys.items():
            _check_kid(kid, ConfigurationError)
            try:
                data = pem.encode() if isinstance(pem, str) else pem
                private = serialization.load_pem_private_key(data, password=None)
            except (ValueError, TypeError, AttributeError):
                raise ConfigurationError(f"key {kid!r} is not a readable PEM private key") from None
            if not isinstance(private, Ed25519PrivateKey):
                raise ConfigurationError(f"key {kid!r} is not an Ed25519 private key")
            loaded[kid] = private
        return cls(loaded, current)

    @classmethod
    def from_json(cls, data: str | bytes) -> SigningKeyRing:
        """Load a ring written by :meth:`to_json`."""
        try:
            parsed = json.loads(data)
        except (ValueError, TypeError, RecursionError):
            raise ConfigurationError("a signing key ring must be valid JSON") from None
        if (
            not isinstance(parsed, dict)
            or parsed.get("type") != "surety_core.signing-key-ring"
            or not isinstance(parsed.get("keys"), list)
            or not all(isinstance(e, dict) for e in parsed["keys"])
        ):
            raise ConfigurationError("not a signing key ring")
        keys: dict[str, bytes | str] = {}
        for entry in parsed["keys"]:
            kid, pem = entry.get("kid"), entry.get("pem")
            if not isinstance(kid, str) or not isinstance(pem, str) or kid in keys:
                raise ConfigurationError("a signing key ring entry is malformed")
            keys[kid] = pem
        current = parsed.get("current")
        if not isinstance(current, str):
            raise ConfigurationError("a signing key ring names its current key")
        return cls.from_pem(keys, current)

    def __repr__(self) -> str:
        return f"SigningKeyRing(current={self._current!r}, kids={list(self.kids)!r})"

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        raise InvalidInputError(None, "a signing key ring cannot be pickled; use to_json()")


def sign_certificate(content: CertificateContent, ring: SigningKeyRing) -> bytes:
    """The signed document (canonical JSON bytes) for ``content`` under the ring's current key."""
    if not isinstance(ring, SigningKeyRing):
        raise InvalidInputError("ring", "must be a SigningKeyRing")
    if isinstance(content, CertificateContent) and content.medium is not Medium.ELECTRONIC:
        # A paper guarantee's certificate is the paper one: nothing electronic may state it.
        raise InvalidInputError("content.medium", "only electronic guarantees are signed")
    document = _sign_payload(canonical_content(content), ring)
    log.debug("signed certificate %s version %d", content.number, content.version)
    return document


def _sign_payload(payload: bytes, ring: SigningKeyRing) -> bytes:
    """The signed envelope of ``payload`` (no check of what it states: tests use it to model a
    paper payload signed by a release that still signed paper content)."""
    kid, private = ring._signing_key()
    signature = private.sign(_CONTEXT + kid.encode() + b"\x00" + payload)
    return _dumps(
        {
            "alg": _ALG,
            "kid": kid,
            "payload": _b64(payload),
            "signature": _b64(signature),
            "type": _DOCUMENT_TYPE,
        }
    )


def _verify(document: bytes, trusted: TrustedKeySet) -> CertificateContent:
    if not isinstance(document, bytes) or len(document) > _MAX_DOCUMENT:
        raise VerificationError()
    envelope = json.loads(document)
    if not isinstance(envelope, dict) or set(envelope) != {
        "alg",
        "kid",
        "payload",
        "signature",
        "type",
    }:
        raise VerificationError()
    if envelope["type"] != _DOCUMENT_TYPE or envelope["alg"] != _ALG:
        raise VerificationError()
    kid = envelope["kid"]
    if not isinstance(kid, str):
        raise VerificationError()
    public = trusted.get(kid)
    if public is None:
        raise VerificationError()
    payload = _unb64(envelope["payload"])
    signature = _unb64(envelope["signature"])
    if (
        _dumps(
            {
                "alg": _ALG,
                "kid": kid,
                "payload": _b64(payload),
                "signature": _b64(signature),
                "type": _DOCUMENT_TYPE,
            }
        )
        != document
    ):
        raise VerificationError()
    public.verify(signature, _CONTEXT + kid.encode() + b"\x00" + payload)
    return _parse_content(payload)


def verify_certificate(document: bytes, trusted: TrustedKeySet) -> CertificateContent:
    """The content of a signed document, after checking it against ``trusted``.

    Raises the one opaque :class:`~surety_core.VerificationError` for any change to any byte, an
    unknown key id, an unknown schema or version, or a malformed document.
    """
    if not isinstance(trusted, TrustedKeySet):
        raise InvalidInputError("trusted", "must be a TrustedKeySet")
    try:
        return _verify(document, trusted)
    except VerificationError:
        raise
    except (
        SuretyError,
        ValueError,
        TypeError,
        KeyError,
        RecursionError,
        InvalidSignature,
        binascii.Error,
    ):
        raise VerificationError() from None


def certificate_digest(document: bytes) -> bytes:
    """The SHA-256 of a signed document: what the next version's ``previous_digest`` holds."""
    if not isinstance(document, bytes):
        raise InvalidInputError("document", "must be bytes")
    return hashlib.sha256(document).digest()


def certificate_record(
    content: CertificateContent,
    document: bytes,
    *,
    created_at: datetime,
    sequence: int | None = None,
) -> CertificateRecord:
    """The :class:`CertificateRecord` that stores ``document`` (signed from ``content``).

    ``sequence`` is the record's place in the contract's certificate history (1, 2, …): every
    amendment is a new signed version (histories signed in format 1 also hold a version for
    each status change, so several records may state the same contract ``version``). Default:
    ``content.version``.
    """
    return CertificateRecord(
        contract_number=content.number,
        version=content.version if sequence is None else sequence,
        document=document,
        digest=certificate_digest(document),
        created_at=created_at,
    )


def verify_chain(
    documents: Iterable[bytes], trusted: TrustedKeySet
) -> tuple[CertificateContent, ...]:
    """Verify a version history, oldest first; return the contents.

    Every document must verify; the first carries no ``previous_digest``; each later one
    carries the digest of the one before it, the same contract number, and a version no lower.
    Raises :class:`~surety_core.VerificationError` naming the first bad position.
    """
    docs: Sequence[bytes] = list(documents)
    if not docs:
        raise VerificationError("an empty certificate chain proves nothing")
    contents: list[CertificateContent] = []
    previous: bytes | None = None
    for i, document in enumerate(docs):
        try:
            content = verify_certificate(document, trusted)
        except VerificationError:
            raise VerificationError(f"certificate chain broken at position {i}") from None
        if i == 0:
            linked = content.previous_digest is None
        else:
            before = contents[-1]
            linked = (
                previous is not None
                and content.previous_digest == certificate_digest(previous)
                and content.number == before.number
                and content.version >= before.version
            )
        if not linked:
            raise VerificationError(f"certificate chain broken at position {i}")
        contents.append(content)
        previous = document
    return tuple(contents)
