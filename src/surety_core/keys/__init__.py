"""Authentication keys (認証キー): generation, parsing, protection at rest and verification.

See the security model page of the documentation for the format, the arithmetic and rotation.
"""

from surety_core.keys._format import (
    ALPHABET,
    ENTROPY_BITS,
    GROUP_SIZE,
    KEY_LENGTH,
    AuthKey,
    check_character,
    contains_key_like,
    generate_key,
    normalize_key_text,
    parse_key,
    parse_key_quietly,
)
from surety_core.keys._limiter import (
    AttemptLimiter,
    KeyCheck,
    KeyCheckOutcome,
    KeyStores,
    LimiterPolicy,
    WindowAttemptLimiter,
    after_failure,
    check_key,
    issue_key,
    normalize_contract_number,
    refusal,
    reissue_key,
    verify_key,
)
from surety_core.keys._secrets import (
    DEVELOPMENT_SECRET_ENV,
    DevelopmentSecretProvider,
    KeyProtector,
    SecretProvider,
    StaticSecretProvider,
    new_secret,
)

__all__ = [
    "ALPHABET",
    "DEVELOPMENT_SECRET_ENV",
    "ENTROPY_BITS",
    "GROUP_SIZE",
    "KEY_LENGTH",
    "AttemptLimiter",
    "AuthKey",
    "DevelopmentSecretProvider",
    "KeyCheck",
    "KeyCheckOutcome",
    "KeyProtector",
    "KeyStores",
    "LimiterPolicy",
    "SecretProvider",
    "StaticSecretProvider",
    "WindowAttemptLimiter",
    "after_failure",
    "check_character",
    "check_key",
    "contains_key_like",
    "generate_key",
    "issue_key",
    "new_secret",
    "normalize_contract_number",
    "normalize_key_text",
    "parse_key",
    "parse_key_quietly",
    "refusal",
    "reissue_key",
    "verify_key",
]
