"""The OpenAPI document of the registry's JSON API (private)."""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_BATCH", "openapi_document"]

MAX_BATCH = 20
"""The most (number, key) pairs in one batch."""

_PERIOD = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {
        "start": {"type": "string", "format": "date"},
        "end": {"type": "string", "format": "date"},
    },
}

_PAIR = {
    "type": "object",
    "required": ["number", "key"],
    "properties": {
        "number": {
            "type": "string",
            "maxLength": 200,
            "description": "保証契約番号: 10 digits; full-width digits and separators allowed.",
            "example": "2025000001",
        },
        "key": {
            "type": "string",
            "maxLength": 200,
            "description": "認証キー as printed on the key notice (separators, full-width and "
            "lower case allowed). Sent only in the body, never in a URL.",
            "example": "ABCD-EFGH-JKLM-NPQR-STUV",
        },
    },
}

_CERTIFICATE = {
    "type": "object",
    "required": [
        "number",
        "product",
        "product_name",
        "status",
        "current_version",
        "amount",
        "period",
        "works",
        "obligee",
        "principal",
        "surety",
        "medium",
        "signature",
        "versions",
        "viewed_at",
    ],
    "properties": {
        "number": {"type": "string"},
        "product": {"type": "string"},
        "product_name": {"type": "string"},
        "status": {"type": "string", "enum": ["issued", "released", "claimed", "expired"]},
        "current_version": {"type": "integer"},
        "amount": {"type": "integer", "description": "yen"},
        "period": _PERIOD,
        "works": {
            "type": "object",
            "required": ["name", "number", "contract_price"],
            "properties": {
                "name": {"type": "string"},
                "number": {"type": "string"},
                "contract_price": {"type": "integer"},
            },
        },
        "obligee": {"type": "string"},
        "principal": {
            "type": "object",
            "required": ["name", "kind", "corporate_number"],
            "properties": {
                "name": {
                    "type": "string",
                    "description": "as printed (a sole proprietor's as 屋号 代表 氏名)",
                },
                "kind": {"type": "string", "enum": ["corporation", "sole_proprietor"]},
                "corporate_number": {
                    "type": "string",
                    "nullable": True,
                    "description": "null for a sole proprietor (no corporate number)",
                },
            },
        },
        "surety": {"type": "string"},
        "medium": {"type": "string", "enum": ["electronic", "paper"]},
        "signature": {
            "type": "string",
            "enum": ["valid", "invalid", "unchecked"],
            "description": "the signed certificate chain checked with the surety's public keys",
        },
        "versions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["version", "amount", "period", "effective_on", "reason"],
                "properties": {
                    "version": {"type": "integer"},
                    "amount": {"type": "integer"},
                    "period": _PERIOD,
                    "effective_on": {"type": "string", "format": "date"},
                    "reason": {"type": "string"},
                },
            },
        },
        "viewed_at": {"type": "string", "format": "date-time"},
    },
}

_OUTCOME = {
    "type": "object",
    "required": ["outcome"],
    "properties": {
        "outcome": {
            "type": "string",
            "enum": ["verified", "rejected", "replaced", "refused", "invalid", "rate_limited"],
            "description": "verified: the certificate follows; rejected: a wrong key or an "
            "unknown number (one opaque answer); replaced: the key that a re-issue replaced "
            "(ask the contractor for the new key notice); refused: too many failures for this "
            "number; "
            "invalid: a typo or malformed input, caught before any look-up; rate_limited: too "
            "many attempts from this address.",
        },
        "certificate": {"$ref": "#/components/schemas/Certificate"},
        "message": {"type": "string"},
        "field": {"type": "string", "enum": ["number", "key"]},
        "problem": {"type": "string", "enum": ["typo", "bad_key", "bad_number"]},
        "retry_after": {"type": "integer", "minimum": 1},
    },
}

_ERROR = {
    "type": "object",
    "required": ["outcome", "error", "message"],
    "properties": {
        "outcome": {"type": "string", "enum": ["error"]},
        "error": {"type": "string"},
        "message": {"type": "string"},
    },
}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def _retry(description: str) -> dict[str, Any]:
    answer = _json("Outcome", description)
    answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return answer


_COMMON = {
    "400": _json("Error", "the body is not JSON"),
    "413": _json("Error", "the body is too large"),
    "415": _json("Error", "the body is not application/json"),
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.0 document of ``/api/v1``."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "surety_core registry API",
            "version": "1",
            "description": "Verify electronic surety certificates (電子保証) with the guarantee "
            "contract number and the authentication key, as the registry's viewing page does: "
            "the same answers and the same limits (per number and per client address).",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/verify": {
                "post": {
                    "operationId": "verify",
                    "summary": "View one guarantee with its number and key",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Pair"}}
                        },
                    },
                    "responses": {
                        "200": _json("Outcome", "verified: the certificate"),
                        "403": _json(
                            "Outcome",
                            "rejected: wrong key or unknown number; replaced: a replaced key",
                        ),
                        "422": {
                            "description": "invalid: a typo or malformed input",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "oneOf": [
                                            {"$ref": "#/components/schemas/Outcome"},
                                            {"$ref": "#/components/schemas/Error"},
                                        ]
                                    }
                                }
                            },
                        },
                        "429": _retry("refused or rate_limited: retry after Retry-After"),
                        **_COMMON,
                    },
                }
            },
            "/api/v1/verify/batch": {
                "post": {
                    "operationId": "verifyBatch",
                    "summary": f"View up to {MAX_BATCH} guarantees, each answered on its own",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Batch"}}
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "one outcome per item, in order",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["results"],
                                        "properties": {
                                            "results": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Outcome"},
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        "422": _json("Error", "not a batch of 1 to 20 pairs"),
                        "429": _retry("rate_limited: the whole batch exceeds the address limit"),
                        **_COMMON,
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Pair": _PAIR,
                "Batch": {
                    "type": "object",
                    "required": ["items"],
                    "properties": {
                        "items": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": MAX_BATCH,
                            "items": {"$ref": "#/components/schemas/Pair"},
                        }
                    },
                },
                "Certificate": _CERTIFICATE,
                "Outcome": _OUTCOME,
                "Error": _ERROR,
            }
        },
    }
