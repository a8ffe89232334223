"""The ASGI application: the obligee's registry, its JSON API and the contractor's portal
(private; see :mod:`surety_core.web`)."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable
from datetime import date, timedelta, timezone
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from attrs import frozen
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from surety_core._errors import (
    AttemptsExceededError,
    InvalidInputError,
    KeyFormatError,
    KeyReplacedError,
    NotFoundError,
    VerificationError,
)
from surety_core.certificates import TrustedKeySet, verify_certificate, verify_chain
from surety_core.documents import (
    KeyNoticeProfile,
    build_key_notice_pdf,
    build_signed_certificate_pdf,
    key_notice_data_from_notice,
)
from surety_core.domain import GuaranteeStatus, Medium
from surety_core.keys import normalize_contract_number, parse_key
from surety_core.services import GuaranteeSummary, ObligeeView
from surety_core.storage import MAX_PAGE, ContractQuery
from surety_core.web._i18n import LANGUAGES, Translator
from surety_core.web._openapi import MAX_BATCH, openapi_document
from surety_core.web._protocols import Authenticator, PortalService, RegistryService
from surety_core.web._security import (
    AddressLimiter,
    Sealer,
    SecurityHeaders,
    new_csrf_token,
    tokens_match,
)

__all__ = ["create_app"]

log = logging.getLogger("surety_core.web")

_JST = timezone(timedelta(hours=9), "JST")
_CSRF_COOKIE = "surety_csrf"
_LANG_COOKIE = "surety_lang"
_SESSION_COOKIE = "surety_dev_session"
_MAX_BODY = 64 * 1024
_MAX_FIELD = 200
_PAGE_SIZE = 20
_CSV_MAX_ROWS = 10_000
_VIEW_TOKEN_TTL = 600.0
_SESSION_TTL = 8 * 3600.0
_PDF = "application/pdf"


@frozen
class _Outcome:
    """The answer to one (number, key) attempt, the same for the page and the API."""

    kind: Literal["verified", "rejected", "replaced", "refused", "invalid", "rate_limited"]
    view: ObligeeView | None = None
    signature: Literal["valid", "invalid", "unchecked"] = "unchecked"
    chained: int = 0
    retry_after: float = 0.0
    field: str = ""
    problem: str = ""
    """For ``invalid``: ``typo``, ``bad_key`` or ``bad_number``."""
    key: str = ""
    """For ``verified``: the normalised key, only to seal the download token."""


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _safe_next(value: str | None) -> str:
    """A local path to go back to (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


class _Web:
    """The routes and their shared state."""

    def __init__(
        self,
        *,
        registry: RegistryService | None,
        portal: PortalService | None,
        trusted_keys: TrustedKeySet | None,
        authenticate: Authenticator | None,
        dev_sign_in: bool,
        secret: bytes | None,
        secure_cookies: bool,
        address_limiter: AddressLimiter,
        client_address: Callable[[Request], str],
        key_notice_profile: KeyNoticeProfile | None = None,
    ) -> None:
        self.key_notice_profile = key_notice_profile
        self.registry = registry
        self.portal = portal
        self.trusted = trusted_keys
        self.authenticate = authenticate
        self.dev_sign_in = dev_sign_in
        self.sealer = Sealer(secret)
        self.secure = secure_cookies
        self.limiter = address_limiter
        self.client_address = client_address
        self.env = Environment(
            loader=PackageLoader("surety_core.web", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # -- plumbing ---------------------------------------------------------------------

    def lang(self, request: Request) -> str:
        lang = request.cookies.get(_LANG_COOKIE, LANGUAGES[0])
        return lang if lang in LANGUAGES else LANGUAGES[0]

    def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        t = Translator(self.lang(request))
        csrf = request.cookies.get(_CSRF_COOKIE) or new_csrf_token()
        html = self.env.get_template(template).render(
            t=t,
            lang=t.lang,
            csrf=csrf,
            path=request.url.path,
            has_registry=self.registry is not None,
            has_portal=self.portal is not None,
            signed_in=context.pop("signed_in", None),
            dev_sign_in=self.dev_sign_in,
            jst=_JST,
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        if request.cookies.get(_CSRF_COOKIE) != csrf:
            response.set_cookie(
                _CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=self.secure, path="/"
            )
        return response

    async def form(self, request: Request) -> FormData | None:
        """The posted form after the CSRF check, or ``None`` when it fails."""
        length = request.headers.get("content-length")
        if length is None or not length.isdigit() or int(length) > _MAX_BODY:
            return None
        origin = request.headers.get("origin")
        if origin is not None and origin != "null":
            host = request.headers.get("host", "")
            if urlsplit(origin).netloc != host:
                return None
        try:
            form = await request.form(max_files=0, max_fields=20, max_part_size=_MAX_BODY)
        except (HTTPException, ValueError, AssertionError):
            return None
        if not tokens_match(request.cookies.get(_CSRF_COOKIE), form.get("csrf")):
            return None
        return form

    def csrf_refused(self, request: Request) -> HTMLResponse:
        log.info("form refused: missing or wrong CSRF token from %s", self.client_address(request))
        return self.render(request, "message.html", 403, message="csrf", back=request.url.path)

    @staticmethod
    def text(form: FormData, name: str) -> str:
        value = form.get(name)
        return value[:_MAX_FIELD] if isinstance(value, str) else ""

    # -- the verification shared by the page and the API -----------------------------

    async def attempt(self, request: Request, number: object, key: object) -> _Outcome:
        return (await self.attempts(request, [(number, key)]))[0]

    async def attempts(
        self, request: Request, pairs: list[tuple[object, object]]
    ) -> list[_Outcome]:
        """Check every pair; typos are caught before any look-up and are not counted; the
        rest count against the client address, then the service (its limiter per number)."""
        registry = self.registry
        assert registry is not None
        address = self.client_address(request)
        outcomes: list[_Outcome | None] = []
        parsed: list[tuple[int, str, str]] = []
        for index, (number, key) in enumerate(pairs):
            problem = _typo_check(number, key)
            if problem is not None:
                outcomes.append(problem)
                continue
            assert isinstance(number, str)
            assert isinstance(key, str)
            outcomes.append(None)
            parsed.append((index, normalize_contract_number(number), parse_key(key).reveal()))
        if parsed:
            wait = self.limiter.take(address, len(parsed))
            if wait is not None:
                log.info("verification from %s refused: address limit", address)
                return [_Outcome("rate_limited", retry_after=wait) for _ in pairs]
        actor = f"web {address}"[:200]
        for index, number, key in parsed:
            outcomes[index] = await run_in_threadpool(self._view, registry, number, key, actor)
        return [o for o in outcomes if o is not None]

    def _view(self, registry: RegistryService, number: str, key: str, actor: str) -> _Outcome:
        try:
            view = registry.view(number, key, actor=actor)
        except AttemptsExceededError as exc:
            log.info("view of %s refused: too many failures", number)
            return _Outcome("refused", retry_after=exc.retry_after)
        except KeyReplacedError:
            log.info("view of %s rejected: a replaced key", number)
            return _Outcome("replaced")
        except VerificationError:
            log.info("view of %s rejected", number)
            return _Outcome("rejected")
        except KeyFormatError:  # pragma: no cover - parsed before
            return _Outcome("invalid", field="key", problem="bad_key")
        except InvalidInputError:  # pragma: no cover - normalised before
            return _Outcome("invalid", field="number", problem="bad_number")
        log.info("view of %s succeeded", number)
        signature, chained = self.check_signature(view)
        return _Outcome("verified", view=view, signature=signature, chained=chained, key=key)

    def check_signature(
        self, view: ObligeeView
    ) -> tuple[Literal["valid", "invalid", "unchecked"], int]:
        if self.trusted is None:
            return "unchecked", 0
        try:
            chain = verify_chain([c.document for c in view.history], self.trusted)
        except VerificationError:
            return "invalid", 0
        last = chain[-1]
        if last.number != view.number or last.version != view.current_version:
            return "invalid", 0
        return "valid", len(chain)

    # -- pages: home and language -----------------------------------------------------

    async def home(self, request: Request) -> Response:
        return self.render(request, "home.html")

    async def language(self, request: Request) -> Response:
        lang = request.path_params["lang"]
        if lang not in LANGUAGES:
            return self.render(request, "message.html", 404, message="not_found", back="/")
        response = RedirectResponse(_safe_next(request.query_params.get("next")), 303)
        response.set_cookie(
            _LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=self.secure, path="/"
        )
        return response

    # -- the registry (obligee) --------------------------------------------------------

    async def registry_form(self, request: Request) -> Response:
        return self.render(request, "registry.html")

    async def registry_view(self, request: Request) -> Response:
        form = await self.form(request)
        if form is None:
            return self.csrf_refused(request)
        number = self.text(form, "number")
        outcome = await self.attempt(request, number, self.text(form, "key"))
        if outcome.kind == "verified":
            assert outcome.view is not None
            token = None
            if outcome.signature == "valid":
                token = self.sealer.seal(
                    "certificate", {"n": outcome.view.number, "k": outcome.key}, _VIEW_TOKEN_TTL
                )
            return self.render(
                request, "result.html", view=outcome.view, outcome=outcome, token=token
            )
        status, message = _page_answer(outcome)
        response = self.render(
            request, "registry.html", status, message=message, number=number, field=outcome.field
        )
        if outcome.kind in ("refused", "rate_limited"):
            response.headers["retry-after"] = str(max(1, round(outcome.retry_after)))
        return response

    async def registry_certificate(self, request: Request) -> Response:
        form = await self.form(request)
        if form is None:
            return self.csrf_refused(request)
        sealed = self.sealer.open("certificate", form.get("token"))
        if sealed is None:
            return self.render(request, "registry.html", 400, message="expired_form")
        outcome = await self.attempt(request, sealed.get("n"), sealed.get("k"))
        if outcome.kind != "verified" or outcome.view is None or outcome.signature != "valid":
            status, message = _page_answer(outcome)
            return self.render(request, "registry.html", status, message=message)
        record = outcome.view.certificate
        assert self.trusted is not None
        content = verify_certificate(record.document, self.trusted)
        pdf = build_signed_certificate_pdf(content, record.document)
        name = f"certificate-{outcome.view.number}-v{record.version}.pdf"
        return _download(pdf, name, _PDF)

    # -- the JSON API -------------------------------------------------------------------

    async def api_openapi(self, request: Request) -> Response:
        return JSONResponse(openapi_document(), headers={"cache-control": "no-cache"})

    async def api_body(self, request: Request) -> tuple[Any, JSONResponse | None]:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return None, _problem(415, "unsupported_media_type", "send application/json")
        body = await request.body()
        if len(body) > _MAX_BODY:
            return None, _problem(413, "too_large", f"at most {_MAX_BODY} bytes")
        try:
            return json.loads(body), None
        except (ValueError, UnicodeDecodeError):
            return None, _problem(400, "malformed_json", "the body is not JSON")

    async def api_verify(self, request: Request) -> Response:
        body, error = await self.api_body(request)
        if error is not None:
            return error
        pair = _pair(body)
        if pair is None:
            return _problem(422, "invalid_request", 'send {"number": ..., "key": ...}')
        outcome = await self.attempt(request, *pair)
        payload = _outcome_json(outcome)
        status = {
            "verified": 200,
            "rejected": 403,
            "replaced": 403,
            "refused": 429,
            "rate_limited": 429,
            "invalid": 422,
        }[outcome.kind]
        headers = {}
        if outcome.kind in ("refused", "rate_limited"):
            headers["retry-after"] = str(max(1, round(outcome.retry_after)))
        return JSONResponse(payload, status_code=status, headers=headers)

    async def api_verify_batch(self, request: Request) -> Response:
        body, error = await self.api_body(request)
        if error is not None:
            return error
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
            return _problem(422, "invalid_request", f"send 1 to {MAX_BATCH} items")
        pairs = [_pair(item) for item in items]
        if any(p is None for p in pairs):
            return _problem(422, "invalid_request", "each item needs a number and a key")
        outcomes = await self.attempts(request, [p for p in pairs if p is not None])
        if outcomes and outcomes[0].kind == "rate_limited":
            wait = str(max(1, round(outcomes[0].retry_after)))
            return JSONResponse(
                _outcome_json(outcomes[0]), status_code=429, headers={"retry-after": wait}
            )
        return JSONResponse({"results": [_outcome_json(o) for o in outcomes]})

    # -- the portal (contractor) -----------------------------------------------------

    def who(self, request: Request) -> str | None:
        if self.authenticate is not None:
            return self.authenticate(request)
        if self.dev_sign_in:
            session = self.sealer.open("dev-session", request.cookies.get(_SESSION_COOKIE))
            corporate = None if session is None else session.get("c")
            return corporate if isinstance(corporate, str) else None
        return None

    def sign_in_needed(self, request: Request) -> Response:
        if self.dev_sign_in and self.authenticate is None:
            return RedirectResponse("/portal/sign-in", 303)
        return self.render(request, "message.html", 401, message="not_signed_in", back="/")

    async def portal_home(self, request: Request) -> Response:
        return RedirectResponse("/portal/history", 303)

    async def sign_in_form(self, request: Request) -> Response:
        if not self.dev_sign_in:
            return self.render(request, "message.html", 404, message="not_found", back="/")
        return self.render(request, "sign_in.html")

    async def sign_in(self, request: Request) -> Response:
        if not self.dev_sign_in:
            log.warning("development sign-in refused: not enabled")
            return self.render(request, "message.html", 404, message="not_found", back="/")
        form = await self.form(request)
        if form is None:
            return self.csrf_refused(request)
        corporate = self.text(form, "principal_id").strip()
        try:
            ContractQuery(corporate)
        except InvalidInputError:
            return self.render(request, "sign_in.html", 422, message="bad_request")
        log.warning("development sign-in as %s (never in production)", corporate)
        response = RedirectResponse("/portal/history", 303)
        token = self.sealer.seal("dev-session", {"c": corporate}, _SESSION_TTL)
        response.set_cookie(
            _SESSION_COOKIE, token, httponly=True, samesite="strict", secure=self.secure, path="/"
        )
        return response

    async def sign_out(self, request: Request) -> Response:
        form = await self.form(request)
        if form is None:
            return self.csrf_refused(request)
        response = RedirectResponse("/", 303)
        response.delete_cookie(_SESSION_COOKIE, path="/")
        return response

    def history_query(
        self, request: Request, corporate: str
    ) -> tuple[dict[str, str], Callable[[int, int], ContractQuery]] | None:
        params = request.query_params
        filters = {
            name: params.get(name, "").strip()[:_MAX_FIELD]
            for name in ("product", "status", "medium", "issued_from", "issued_to")
        }
        try:
            extra: dict[str, Any] = {
                "product": filters["product"] or None,
                "status": GuaranteeStatus(filters["status"]) if filters["status"] else None,
                "medium": Medium(filters["medium"]) if filters["medium"] else None,
                "issued_from": _date(filters["issued_from"]),
                "issued_to": _date(filters["issued_to"]),
            }
            ContractQuery(corporate, **extra)
        except (InvalidInputError, ValueError):
            return None
        return filters, lambda offset, limit: ContractQuery(
            corporate, offset=offset, limit=limit, **extra
        )

    async def history(self, request: Request) -> Response:
        portal, corporate = self.portal, self.who(request)
        if corporate is None:
            return self.sign_in_needed(request)
        assert portal is not None
        built = self.history_query(request, corporate)
        page_text = request.query_params.get("page", "1")
        if built is None or not page_text.isdigit() or not 1 <= int(page_text) <= 100_000:
            return self.render(
                request,
                "message.html",
                400,
                message="bad_request",
                back="/portal/history",
                signed_in=corporate,
            )
        filters, query = built
        page = int(page_text)
        total = (await run_in_threadpool(portal.history, query(0, 1))).total
        end = total - (page - 1) * _PAGE_SIZE
        start = max(0, end - _PAGE_SIZE)
        items: tuple[GuaranteeSummary, ...] = ()
        if end > 0:
            found = await run_in_threadpool(portal.history, query(start, end - start))
            items = tuple(reversed(found.items))
        link = "&".join(f"{k}={quote(v)}" for k, v in filters.items() if v)
        return self.render(
            request,
            "history.html",
            signed_in=corporate,
            items=items,
            total=total,
            page=page,
            first=(page - 1) * _PAGE_SIZE + 1,
            last=(page - 1) * _PAGE_SIZE + len(items),
            has_previous=page > 1,
            has_next=start > 0,
            filters=filters,
            link=link,
        )

    async def history_csv(self, request: Request) -> Response:
        portal, corporate = self.portal, self.who(request)
        if corporate is None:
            return self.sign_in_needed(request)
        assert portal is not None
        built = self.history_query(request, corporate)
        if built is None:
            return PlainTextResponse("bad filters", 400)
        _, query = built

        def rows() -> list[GuaranteeSummary]:
            found: list[GuaranteeSummary] = []
            while len(found) < _CSV_MAX_ROWS:
                page = portal.history(query(len(found), MAX_PAGE))
                found.extend(page.items)
                if not page.has_more or not page.items:
                    break
            return found[::-1]

        t = Translator(self.lang(request))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            [
                t("number"),
                t("product"),
                t("content"),
                t("amount"),
                t("period_start"),
                t("period_end"),
                t("obligee"),
                t("medium"),
                t("status"),
                t("version"),
                t("issued_on"),
            ]
        )
        for s in await run_in_threadpool(rows):
            writer.writerow(
                [
                    _cell(x)
                    for x in (
                        s.number,
                        s.product_name,
                        s.content,
                        str(s.amount),
                        s.period.start.isoformat(),
                        s.period.end.isoformat(),
                        s.obligee,
                        s.medium.value,
                        s.status.value,
                        str(s.version),
                        s.issued_on.isoformat(),
                    )
                ]
            )
        data = ("\ufeff" + out.getvalue()).encode("utf-8")
        return _download(data, "guarantee-history.csv", "text/csv; charset=utf-8")

    async def details(self, request: Request) -> Response:
        portal, corporate = self.portal, self.who(request)
        if corporate is None:
            return self.sign_in_needed(request)
        assert portal is not None
        number = request.path_params["number"]
        try:
            found = await run_in_threadpool(portal.details, number, principal_id=corporate)
        except (NotFoundError, InvalidInputError):
            return self.render(
                request,
                "message.html",
                404,
                message="not_yours",
                back="/portal/history",
                signed_in=corporate,
            )
        return self.render(
            request,
            "details.html",
            signed_in=corporate,
            d=found,
            can_download=self.trusted is not None,
        )

    async def key_notice(self, request: Request) -> Response:
        portal, corporate = self.portal, self.who(request)
        if corporate is None:
            return self.sign_in_needed(request)
        assert portal is not None
        form = await self.form(request)
        if form is None:
            return self.csrf_refused(request)
        number = request.path_params["number"]
        actor = f"portal {corporate}"
        try:
            notice = await run_in_threadpool(
                portal.key_notice, number, principal_id=corporate, actor=actor
            )
        except (NotFoundError, InvalidInputError):
            return self.render(
                request,
                "message.html",
                404,
                message="not_yours",
                back="/portal/history",
                signed_in=corporate,
            )
        data = key_notice_data_from_notice(notice, profile=self.key_notice_profile)
        pdf = build_key_notice_pdf(data)
        return _download(pdf, f"key-notice-{notice.number}.pdf", _PDF)

    async def portal_certificate(self, request: Request) -> Response:
        portal, corporate = self.portal, self.who(request)
        if corporate is None:
            return self.sign_in_needed(request)
        assert portal is not None
        number, version = request.path_params["number"], request.path_params["version"]
        try:
            found = await run_in_threadpool(portal.details, number, principal_id=corporate)
        except (NotFoundError, InvalidInputError):
            found = None
        record = None
        if found is not None and self.trusted is not None:
            record = next((c for c in found.certificates if c.version == version), None)
        if record is None or self.trusted is None:
            return self.render(
                request,
                "message.html",
                404,
                message="not_found",
                back="/portal/history",
                signed_in=corporate,
            )
        content = verify_certificate(record.document, self.trusted)
        pdf = build_signed_certificate_pdf(content, record.document)
        return _download(pdf, f"certificate-{record.contract_number}-v{version}.pdf", _PDF)


# -- helpers ----------------------------------------------------------------------------


def _typo_check(number: object, key: object) -> _Outcome | None:
    """The check before any look-up: the key's format and check character, the number's form."""
    if not isinstance(key, str):
        return _Outcome("invalid", field="key", problem="bad_key")
    try:
        parse_key(key)
    except KeyFormatError as exc:
        problem = "typo" if "check character" in exc.reason else "bad_key"
        return _Outcome("invalid", field="key", problem=problem)
    if not isinstance(number, str):
        return _Outcome("invalid", field="number", problem="bad_number")
    try:
        normalize_contract_number(number)
    except InvalidInputError:
        return _Outcome("invalid", field="number", problem="bad_number")
    return None


def _page_answer(outcome: _Outcome) -> tuple[int, str]:
    if outcome.kind == "invalid":
        return 422, outcome.problem
    return {
        "rejected": (403, "rejected"),
        "replaced": (403, "replaced"),
        "refused": (429, "refused"),
    }.get(outcome.kind, (429, "rate_limited"))


def _pair(item: object) -> tuple[object, object] | None:
    if not isinstance(item, dict):
        return None
    number, key = item.get("number"), item.get("key")
    if not isinstance(number, str) or not isinstance(key, str):
        return None
    if len(number) > _MAX_FIELD or len(key) > _MAX_FIELD:
        return None
    return number, key


_MESSAGES = {
    "rejected": "the guarantee contract number or the authentication key is not correct",
    "replaced": "this authentication key was replaced by a re-issued key; ask the contractor "
    "for the new key notice",
    "refused": "too many failed attempts for this number; retry later",
    "rate_limited": "too many attempts from this address; retry later",
    "typo": "the key's check character does not match: a typo; nothing was looked up",
    "bad_key": "the key is not well formed; nothing was looked up",
    "bad_number": "a guarantee contract number has 10 digits; nothing was looked up",
}


def _outcome_json(outcome: _Outcome) -> dict[str, Any]:
    if outcome.kind == "verified":
        assert outcome.view is not None
        return {"outcome": "verified", "certificate": _view_json(outcome)}
    if outcome.kind == "invalid":
        return {
            "outcome": "invalid",
            "field": outcome.field,
            "problem": outcome.problem,
            "message": _MESSAGES[outcome.problem],
        }
    answer: dict[str, Any] = {"outcome": outcome.kind, "message": _MESSAGES[outcome.kind]}
    if outcome.kind in ("refused", "rate_limited"):
        answer["retry_after"] = max(1, round(outcome.retry_after))
    return answer


def _view_json(outcome: _Outcome) -> dict[str, Any]:
    view = outcome.view
    assert view is not None
    c = view.contract
    return {
        "number": view.number,
        "product": view.product,
        "product_name": view.product_name,
        "status": view.status.value,
        "current_version": view.current_version,
        "amount": c.amount,
        "period": {"start": c.period.start.isoformat(), "end": c.period.end.isoformat()},
        "works": {
            "name": c.works.name,
            "number": c.works.number,
            "contract_price": c.works.contract_price,
        },
        "obligee": c.obligee.name,
        "principal": {
            "name": c.principal.display_name,
            "kind": c.principal.kind.value,
            "corporate_number": c.principal.corporate_number,
        },
        "surety": c.surety.name,
        "medium": c.medium.value,
        "signature": outcome.signature,
        "versions": [
            {
                "version": x.version,
                "amount": x.amount,
                "period": {"start": x.period.start.isoformat(), "end": x.period.end.isoformat()},
                "effective_on": x.effective_on.isoformat(),
                "reason": x.reason,
            }
            for x in view.versions
        ],
        "viewed_at": view.viewed_at.isoformat(),
    }


def _problem(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"outcome": "error", "error": error, "message": message}, status)


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _cell(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _download(data: bytes, name: str, media_type: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "no-store",
        },
    )


def create_app(
    *,
    registry: RegistryService | None = None,
    portal: PortalService | None = None,
    trusted_keys: TrustedKeySet | None = None,
    authenticate: Authenticator | None = None,
    dev_sign_in: bool = False,
    secret: bytes | None = None,
    secure_cookies: bool = True,
    address_limiter: AddressLimiter | None = None,
    client_address: Callable[[Request], str] = _client,
    hsts: bool = False,
    key_notice_profile: KeyNoticeProfile | None = None,
) -> Starlette:
    """The ASGI application (Starlette): the registry, its API and the portal.

    * ``registry``: what the obligee's pages need (:class:`RegistryService`); without it the
      registry pages and the API are absent.
    * ``portal``: what the contractor's pages need (:class:`PortalService`); without it the
      portal is absent.
    * ``trusted_keys``: the surety's public key set; the signature of every view is checked
      with it, and the certificate PDF is offered only when it verifies.
    * ``authenticate``: the host's authentication for the portal: a callable mapping a request
      to the signed-in contractor's :attr:`~surety_core.Principal.identifier` (corporate
      number, or a sole proprietor's customer number), or ``None``.
    * ``dev_sign_in``: the development sign-in (a principal's identifier alone signs in); refused
      unless ``True``, and never together with ``authenticate``.
    * ``secret``: seals the download tokens and the development session (random per process
      when ``None``: give one shared secret to every process behind a load balancer).
    * ``secure_cookies``: mark cookies ``Secure`` (keep it on anywhere but plain-HTTP
      development); ``hsts`` adds ``Strict-Transport-Security``.
    * ``address_limiter``: the limit per client address (default 60 attempts a minute);
      ``client_address`` finds the address (default: the peer; a host behind a proxy
      supplies its own).
    * ``key_notice_profile``: the surety's wording, date style and viewing address of the key
      notices the portal hands out (:class:`~surety_core.documents.KeyNoticeProfile`).
    """
    if key_notice_profile is not None and not isinstance(key_notice_profile, KeyNoticeProfile):
        raise InvalidInputError("key_notice_profile", "must be a KeyNoticeProfile")
    if dev_sign_in and authenticate is not None:
        raise InvalidInputError("dev_sign_in", "give either authenticate or dev_sign_in, not both")
    if dev_sign_in:
        log.warning("development sign-in enabled: anyone can sign in as any contractor")
    web = _Web(
        registry=registry,
        portal=portal,
        trusted_keys=trusted_keys,
        authenticate=authenticate,
        dev_sign_in=dev_sign_in,
        secret=secret,
        secure_cookies=secure_cookies,
        address_limiter=address_limiter if address_limiter is not None else AddressLimiter(),
        client_address=client_address,
        key_notice_profile=key_notice_profile,
    )
    routes: list[Route | Mount] = [
        Route("/", web.home, methods=["GET"]),
        Route("/lang/{lang}", web.language, methods=["GET"]),
        Mount("/static", StaticFiles(packages=[("surety_core.web", "static")]), name="static"),
    ]
    if registry is not None:
        routes += [
            Route("/registry", web.registry_form, methods=["GET"]),
            Route("/registry", web.registry_view, methods=["POST"]),
            Route("/registry/certificate", web.registry_certificate, methods=["POST"]),
            Route("/api/v1/openapi.json", web.api_openapi, methods=["GET"]),
            Route("/api/v1/verify", web.api_verify, methods=["POST"]),
            Route("/api/v1/verify/batch", web.api_verify_batch, methods=["POST"]),
        ]
    if portal is not None:
        routes += [
            Route("/portal", web.portal_home, methods=["GET"]),
            Route("/portal/sign-in", web.sign_in_form, methods=["GET"]),
            Route("/portal/sign-in", web.sign_in, methods=["POST"]),
            Route("/portal/sign-out", web.sign_out, methods=["POST"]),
            Route("/portal/history", web.history, methods=["GET"]),
            Route("/portal/history.csv", web.history_csv, methods=["GET"]),
            Route("/portal/guarantees/{number}", web.details, methods=["GET"]),
            Route("/portal/guarantees/{number}/key-notice", web.key_notice, methods=["POST"]),
            Route(
                "/portal/guarantees/{number}/certificates/{version:int}",
                web.portal_certificate,
                methods=["GET"],
            ),
        ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders, hsts=hsts)])
