"""Schemathesis against the API's OpenAPI document: generated requests (valid and not) never
get a server error, and every answer matches the document."""

from __future__ import annotations

import atexit
import shutil
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from tests.web.conftest import make_demo

from surety_core.web import AddressLimiter, app_from_database


def _app() -> object:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="surety-web-schemathesis-"))
    demo = make_demo(folder / "demo")
    app, close = app_from_database(
        demo.db,
        secure_cookies=False,
        address_limiter=AddressLimiter(max_requests=1_000_000, window=60),
    )
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    atexit.register(close)
    return app


schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _app())
# Invalid input is refused with a client error: 400 (not JSON), 413 (too large, checked before
# anything is parsed), 415 (not JSON by its type) or 422 (not the schema).
schema.config.checks.negative_data_rejection.expected_statuses = ["400", "413", "415", "422"]


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_keeps_to_its_document(case: Any) -> None:
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
        ]
    )
