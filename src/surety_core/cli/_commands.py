"""The ``surety`` command (also ``python -m surety_core``).

Commands: ``demo``, ``verify``, ``notice``, ``check-pdf``, ``serve``, ``keys
generate|rotate|export``, ``audit verify`` and ``db init|upgrade``; ``surety COMMAND --help``
describes each. Exit status:

* 0: done (``verify``: the certificate is shown; ``check-pdf``: the certificate is genuine);
* 1: rejected (``verify``: wrong key, unknown number or too many attempts, one opaque answer;
  ``check-pdf``: not a genuine, untampered certificate);
* 2: bad input (arguments, a missing file, a key with a typo: nothing was looked up);
* 3: the environment failed (database, secrets, configuration, file system).

Errors are one line on stderr; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import shutil
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from surety_core._errors import (
    DocumentError,
    DuplicateError,
    InvalidInputError,
    KeyFormatError,
    NotFoundError,
    SuretyError,
    VerificationError,
)
from surety_core._japanese import medium_label, status_label
from surety_core.domain._rules import RuleViolationError

if TYPE_CHECKING:
    from surety_core.keys._format import AuthKey

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "EXIT_REJECTED", "main"]

EXIT_OK = 0
"""Done; the certificate is shown or genuine."""
EXIT_REJECTED = 1
"""Rejected: the opaque verification failure, a refusal by the attempt limiter, or a
certificate PDF that is not genuine."""
EXIT_BAD_INPUT = 2
"""Bad input: wrong arguments, a missing file, a malformed number or a key with a typo."""
EXIT_FAILED = 3
"""The environment failed: database, secrets, configuration or file system."""

_PDF_SIGNATURE = {
    "absent": "none",
    "trusted": "valid, by the given CA",
    "untrusted": "valid, but not by the given CA (pass --pdf-ca to name it)",
    "unchecked": "present but not checked (install surety-core[pades])",
}
_JST = timezone(timedelta(hours=9), "JST")
_JSON_HELP = "print what was done as one JSON object (see docs/cli.md)"


def _version() -> str:
    from surety_core import __version__

    return __version__


def _out(text: str = "") -> None:
    print(text, flush=True)


def _width() -> int | None:
    """The terminal's width for tables; ``None`` (no limit) when the output is not a terminal."""
    if not sys.stdout.isatty():
        return None
    return max(60, shutil.get_terminal_size((100, 24)).columns)


def _number(text: str) -> str:
    from surety_core.keys._limiter import normalize_contract_number

    try:
        return normalize_contract_number(text)
    except InvalidInputError as exc:
        raise InvalidInputError("--number", f"{exc.reason}; nothing was looked up") from None


def _out_file(name: str, *, force: bool = False) -> Path:
    """The file ``--out`` names, in an existing folder; an existing file is refused unless
    ``--force`` (the same rule for every command that writes a file)."""
    out = Path(name)
    if out.is_dir():
        raise InvalidInputError("--out", f"{out} is a folder; name the file to write")
    if out.exists() and not out.is_file():
        raise InvalidInputError("--out", f"{out} is not a regular file; name the file to write")
    if not out.parent.is_dir():
        raise InvalidInputError("--out", f"no folder {out.parent} for {out.name}")
    if out.exists() and not force:
        raise InvalidInputError("--out", f"{out} exists; pass --force to replace it")
    return out


# -- demo ----------------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> int:
    from surety_core.cli._demo import run_demo

    done = run_demo(Path(args.out), write=_out, width=_width())
    if not args.serve:
        return done
    from surety_core.web import serve

    _out("")
    return serve(str(Path(args.out) / "surety.db"), port=args.port, dev_sign_in=True, write=_out)


def _serve(args: argparse.Namespace) -> int:
    from surety_core.web import serve

    return serve(
        args.db,
        host=args.host,
        port=args.port,
        secrets=args.secrets,
        trust=args.trust,
        dev_sign_in=args.dev_sign_in,
        write=_out,
    )


# -- verify --------------------------------------------------------------------------------


def _typed_key(args: argparse.Namespace) -> AuthKey:
    """The key from ``--key`` (then dropped from ``args``), else from a prompt on a terminal,
    else from the first line of standard input; no typed text stays in any frame."""
    from surety_core.keys._format import parse_key_quietly

    if args.key is not None:
        parsed = parse_key_quietly(args.key)
        args.key = None
    elif sys.stdin is not None and sys.stdin.isatty():
        import getpass

        parsed = parse_key_quietly(getpass.getpass("認証キー (authentication key): "))
    else:
        parsed = parse_key_quietly(sys.stdin.readline(200) if sys.stdin is not None else "")
    if isinstance(parsed, KeyFormatError):
        if "check character" in parsed.reason:
            reason = "the check character does not match, so the key has a typo"
        else:
            reason = f"the key {parsed.reason}"
        raise KeyFormatError(
            None, f"{reason}; nothing was looked up. Compare it with the key notice."
        )
    return parsed


def _period_json(period: Any) -> dict[str, str]:
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def _view_json(view: Any, chained: int | None) -> dict[str, Any]:
    """``surety verify --json``: the shape documented in docs/cli.md (version 1)."""
    contract = view.contract
    return {
        "format": "surety.verify/1",
        "number": view.number,
        "product": view.product,
        "product_name": view.product_name,
        "status": str(view.status.value),
        "current_version": view.current_version,
        "amount": contract.amount,
        "period": _period_json(contract.period),
        "works": {"name": contract.works.name, "number": contract.works.number},
        "obligee": contract.obligee.name,
        "principal": {
            "name": contract.principal.display_name,
            "kind": contract.principal.kind.value,
            "corporate_number": contract.principal.corporate_number,
        },
        "surety": contract.surety.name,
        "medium": str(contract.medium.value),
        "signature": {"checked": chained is not None, "chained_versions": chained},
        "viewed_at": view.viewed_at.astimezone(_JST).isoformat(timespec="seconds"),
        "versions": [
            {
                "version": x.version,
                "amount": x.amount,
                "period": _period_json(x.period),
                "effective_on": x.effective_on.isoformat(),
                "reason": x.reason,
            }
            for x in view.versions
        ],
    }


def _verify(args: argparse.Namespace) -> int:
    from surety_core.certificates import verify_chain
    from surety_core.cli._support import find_trusted_keys, open_store, secret_provider
    from surety_core.cli._text import fields, table
    from surety_core.services import ObligeeRegistry

    # Both checked before anything is opened or looked up.
    number = _number(args.number)
    key = _typed_key(args)
    trusted = find_trusted_keys(args.trust, args.db)
    store = open_store(args.db)
    try:
        secrets = secret_provider(db=args.db, secrets=args.secrets)
        view = ObligeeRegistry(store, secrets).view(number, key, actor=args.actor)
    finally:
        store.close()
    contract = view.contract
    chained: int | None = None
    if trusted is None:
        signature = "not checked (no trusted key set: pass --trust FILE)"
    else:
        keyset, path = trusted
        problem = VerificationError(
            f"the registry opened, but its signed certificate does not verify with {path}"
        )
        try:
            chain = verify_chain([c.document for c in view.history], keyset)
        except VerificationError:
            raise problem from None
        if chain[-1].number != view.number or chain[-1].version != view.current_version:
            raise problem
        signature = f"valid, {len(chain)} signed version(s) chained ({path.name})"
        chained = len(chain)
    if args.json:
        _out(json.dumps(_view_json(view, chained), ensure_ascii=False, indent=2))
        return EXIT_OK
    _out(
        fields(
            [
                ("保証契約番号 number", view.number),
                ("商品 product", f"{view.product_name} ({view.product})"),
                ("状態 status", status_label(view.status, english=True)),
                ("版 version", f"{view.current_version} of {len(view.versions)}"),
                ("保証金額 amount", f"{contract.amount:,}円"),
                ("保証期間 period", f"{contract.period.start} - {contract.period.end}"),
                ("工事 works", f"{contract.works.name} ({contract.works.number})"),
                ("発注者 obligee", contract.obligee.name),
                (
                    "受注者 principal",
                    f"{contract.principal.display_name} ({contract.principal.identifier})",
                ),
                ("保証会社 surety", contract.surety.name),
                ("媒体 medium", medium_label(contract.medium, english=True)),
                ("署名 signature", signature),
                ("閲覧 viewed at", view.viewed_at.astimezone(_JST).isoformat(timespec="seconds")),
            ]
        )
    )
    _out("")
    _out("versions:")
    _out(
        table(
            ["version", "保証金額 amount", "保証期間 period", "effective", "reason"],
            [
                [
                    str(x.version),
                    f"{x.amount:,}円",
                    f"{x.period.start} - {x.period.end}",
                    str(x.effective_on),
                    x.reason,
                ]
                for x in view.versions
            ],
            right=(0, 1),
            max_width=_width(),
        )
    )
    return EXIT_OK


# -- notice --------------------------------------------------------------------------------


def _notice(args: argparse.Namespace) -> int:
    from surety_core.cli._support import open_store, secret_provider, write_private
    from surety_core.documents import (
        DateStyle,
        KeyNoticeProfile,
        build_key_notice_pdf,
        key_notice_data_from_notice,
    )
    from surety_core.services import ContractorPortal

    number = _number(args.number)
    out = _out_file(args.out, force=args.force)
    store = open_store(args.db)
    try:
        secrets = secret_provider(db=args.db, secrets=args.secrets)
        with store.unit_of_work() as uow:
            found = uow.contracts.find(number)
        if found is None:
            raise NotFoundError(f"no guarantee contract {number} in this database")
        notice = ContractorPortal(store, secrets).key_notice(
            number, principal_id=found.principal.identifier, actor=args.actor
        )
    finally:
        store.close()
    profile = KeyNoticeProfile(
        viewing_url=args.viewing_url,
        date_style=DateStyle.WESTERN if args.western_dates else DateStyle.ERA,
    )
    pdf = build_key_notice_pdf(key_notice_data_from_notice(notice, profile=profile))
    write_private(out, pdf)
    _out(
        f"wrote {out}: the key notice of {number} ({notice.product_name}, "
        f"version {notice.contract.version}, key generation {notice.generation}); "
        "it holds the key: hand it only to the contractor"
    )
    return EXIT_OK


# -- check-pdf -----------------------------------------------------------------------------


_CHECK_REASONS = {
    "payload_rejected": "the signed document was altered or is not signed by a trusted key",
    "text_mismatch": "the signature is genuine but the page was altered",
    "altered": "the signature is genuine but the file was altered",
    "no_payload": "the PDF carries no signed document, so it cannot be verified",
}


def _check_pdf(args: argparse.Namespace) -> int:
    """One or more files; exit 0 only when every one is genuine, else 1 (2: a file unreadable)."""
    from surety_core.cli._support import load_trusted_keys
    from surety_core.documents import certificate_verifier, load_ca_certificates, read_pdf_file

    trusted = certificate_verifier(load_trusted_keys(Path(args.trust)))
    roots: tuple[Any, ...] = ()
    if args.pdf_ca is not None:
        roots = load_ca_certificates(read_pdf_file(args.pdf_ca, option="--pdf-ca"))
    # every file is read first: an unreadable one is bad input and nothing is reported
    files = [(name, read_pdf_file(name, option="FILE")) for name in args.file]
    results = [_check_one(name, data, trusted, roots) for name, data in files]
    if args.json:
        _out(json.dumps({"format": "surety.check-pdf/1", "results": results}, ensure_ascii=False))
    else:
        for result in results:
            _say_check(result, named=len(results) > 1)
    return EXIT_OK if all(r["genuine"] for r in results) else EXIT_REJECTED


def _check_one(name: str, data: bytes, trusted: Any, roots: tuple[Any, ...]) -> dict[str, Any]:
    """The check of one file as a JSON-ready dict (the shape ``--json`` prints)."""
    from surety_core.documents import CheckStatus, verify_certificate_pdf

    try:
        check = verify_certificate_pdf(data, trusted, pdf_signature_roots=roots)
    except DocumentError as exc:
        return {
            "file": name,
            "genuine": False,
            "status": "unreadable",
            "reason": f"not a readable certificate PDF ({exc})",
            "certificate": None,
            "pdf_signature": None,
            "differs": [],
        }
    content = check.content
    genuine = check.status is CheckStatus.VALID and content is not None
    return {
        "file": name,
        "genuine": genuine,
        "status": check.status.value,
        "reason": check.reason or _CHECK_REASONS.get(check.status.value, ""),
        "certificate": None
        if content is None or not genuine
        else {
            "number": content.contract_number,
            "version": content.version,
            "product": content.product_name,
            "amount": content.amount,
            "title": content.title,
            "issued_on": content.issued_on.isoformat(),
        },
        "pdf_signature": check.pdf_signature.value,
        "differs": list(check.mismatched_lines[:10]),
    }


def _say_check(result: dict[str, Any], *, named: bool) -> None:
    where = f"{result['file']}: " if named else ""
    cert = result["certificate"]
    if result["genuine"] and cert is not None:
        _out(
            f"{where}genuine: certificate {cert['number']} version {cert['version']} "
            f"({cert['title']}, {cert['amount']:,}円), signed by a trusted "
            f"key; {result['reason']}"
        )
        _out(
            f"{where}this is version {cert['version']} as issued on {cert['issued_on']}; "
            "a certificate states no status: the registry states it (and may hold a newer "
            "version, an amendment) and stays the authority; view it there with the number and "
            "the key"
        )
        _out(f"{where}PDF signature: {_PDF_SIGNATURE[result['pdf_signature']]}")
        return
    if result["status"] == "unreadable":
        _err(f"not genuine: {result['file']} is {result['reason']}")
        return
    headline = _CHECK_REASONS.get(result["status"], result["status"])
    _err(f"{where}not genuine: {headline}")
    if result["reason"] and result["reason"] != headline:
        _err(f"  why: {result['reason']}")
    for line in result["differs"]:
        _err(f"  differs: {line}")


def _report(args: argparse.Namespace, data: dict[str, Any], *lines: str) -> None:
    """What a command did: ``lines`` for a person, or with ``--json`` one JSON object
    ``{"format": "surety.COMMAND[.ACTION]/1", ...data}`` (documented in docs/cli.md)."""
    if getattr(args, "json", False):
        action = getattr(args, "action", None)
        kind = f"{args.command}.{action}" if action else args.command
        _out(json.dumps({"format": f"surety.{kind}/1", **data}, ensure_ascii=False))
        return
    for line in lines:
        _out(line)


# -- keys ----------------------------------------------------------------------------------


def _keys_generate(args: argparse.Namespace) -> int:
    from surety_core.certificates._signing import SigningKeyRing
    from surety_core.cli._support import write_private

    out = _out_file(args.out, force=args.force)
    ring = SigningKeyRing.generate(args.kid)
    write_private(out, ring.to_json())
    _report(
        args,
        {"written": str(out), "current_kid": ring.current_kid, "kids": list(ring.kids)},
        f"wrote {out} (private, 0600): signing key ring with key {ring.current_kid}",
        f"publish its public keys with: surety keys export --ring {out} --out trusted-keys.json",
    )
    return EXIT_OK


def _keys_rotate(args: argparse.Namespace) -> int:
    from surety_core.cli._support import load_ring, write_private

    path = Path(args.ring)
    ring = load_ring(path, "--ring")
    rotated = ring.rotate(args.kid)
    write_private(path, rotated.to_json())
    _report(
        args,
        {"written": str(path), "current_kid": rotated.current_kid, "kids": list(rotated.kids)},
        f"rotated {path}: new current key {rotated.current_kid}; "
        f"the ring keeps {', '.join(k for k in rotated.kids if k != rotated.current_kid)}",
        "export the public key set again so older and newer certificates both verify",
    )
    return EXIT_OK


def _keys_export(args: argparse.Namespace) -> int:
    from surety_core.cli._support import load_ring, write_public

    ring = load_ring(Path(args.ring), "--ring")
    data = ring.trusted_keys().to_json()
    if args.out is None:
        _out(data.decode("utf-8"))
        return EXIT_OK
    write_public(_out_file(args.out, force=args.force), data)
    _report(
        args,
        {"written": str(args.out), "kids": list(ring.kids)},
        f"wrote {args.out}: public key set with {', '.join(ring.kids)}",
    )
    return EXIT_OK


def _keys_pdf_ca(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from surety_core.cli._support import write_private, write_public
    from surety_core.documents import create_pdf_signing_keys

    out, ca_out = (
        _out_file(args.out, force=True),
        _out_file(args.ca_out, force=True),
    )  # existing files: checked below, per option
    for path, option in ((out, "--out"), (ca_out, "--ca-out")):
        if path.exists() and not args.force:
            raise InvalidInputError(option, f"{path} exists; pass --force to replace it")
    keys = create_pdf_signing_keys(args.name, now=datetime.now(UTC))
    write_private(out, keys.to_json())
    write_public(ca_out, keys.ca_certificate_pem())
    _report(
        args,
        {"written": str(out), "ca_certificate": str(ca_out)},
        f"wrote {out} (private, 0600): the PDF signing CA and a signing certificate it issued",
        f"wrote {ca_out}: the CA certificate; obligees trust it in their PDF reader",
    )
    return EXIT_OK


def _keys_pdf_ca_export(args: argparse.Namespace) -> int:
    from surety_core.cli._support import read_file, write_public
    from surety_core.documents import PdfSigningKeys

    path = Path(args.keys)
    try:
        keys = PdfSigningKeys.from_json(read_file(path, "--keys", limit=1 << 20))
    except SuretyError as exc:
        if isinstance(exc, InvalidInputError) and exc.field == "--keys":
            raise
        raise InvalidInputError(
            "--keys", f"{path} is not a usable PDF signing key file ({exc})"
        ) from None
    if args.out is None:
        _out(keys.ca_certificate_pem().decode("ascii").rstrip("\n"))
        return EXIT_OK
    write_public(_out_file(args.out, force=args.force), keys.ca_certificate_pem())
    _report(args, {"written": str(args.out)}, f"wrote {args.out}: the PDF signing CA certificate")
    return EXIT_OK


# -- audit ---------------------------------------------------------------------------------


def _audit_verify(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from surety_core.audit import AuditCheckpoint, sign_checkpoint, verify_audit_log
    from surety_core.cli._support import (
        SECRETS_DIR,
        SIGNING_KEYS_FILE,
        db_folder,
        find_trusted_keys,
        load_ring,
        open_store,
        read_file,
        secret_provider,
        write_public,
    )

    checkpoint = None
    if args.checkpoint is not None:
        data = read_file(Path(args.checkpoint), "--checkpoint", limit=4096)
        try:
            checkpoint = AuditCheckpoint.from_json(data)
        except InvalidInputError as exc:
            raise InvalidInputError(
                "--checkpoint", f"{args.checkpoint} is not a checkpoint file ({exc.reason})"
            ) from None
    found = find_trusted_keys(args.trust, args.db)
    if checkpoint is not None and found is None:
        raise InvalidInputError("--trust", "a checkpoint is checked against the surety's key set")
    ring, out = None, None
    if args.write_checkpoint is not None:
        out = _out_file(args.write_checkpoint)
        near = db_folder(args.db)
        default = None if near is None else near / SECRETS_DIR / SIGNING_KEYS_FILE
        ring_path = Path(args.ring) if args.ring is not None else default
        if ring_path is None:
            raise InvalidInputError("--ring", "name the signing key ring to sign the checkpoint")
        ring = load_ring(ring_path, "--ring")
    store = open_store(args.db)
    try:
        secrets = secret_provider(db=args.db, secrets=args.secrets)
        with store.unit_of_work() as uow:
            report = verify_audit_log(
                uow.audit,
                secrets=secrets,
                checkpoint=checkpoint,
                trusted=None if found is None else found[0],
            )
    finally:
        store.close()
    against = "" if checkpoint is None else f" against the checkpoint at {checkpoint.sequence}"
    if not report.ok:
        where = "?" if report.broken_sequence is None else str(report.broken_sequence)
        _err(
            f"audit log broken{against}: first bad event is sequence {where} "
            f"(position {report.broken_index}): {report.problem}"
        )
        return EXIT_REJECTED
    head = 0 if report.last is None else report.last.sequence
    _out(f"audit log intact{against}: {report.checked} event(s), head at sequence {head}")
    if ring is not None and out is not None:
        signed = sign_checkpoint(report.last, ring, at=datetime.now(UTC))
        write_public(out, signed.to_json())
        _out(f"wrote {out}: checkpoint of sequence {head} signed by {signed.kid}")
    return EXIT_OK


# -- db ------------------------------------------------------------------------------------


def _db(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from surety_core._errors import StorageError
    from surety_core.cli._support import schema_engine
    from surety_core.storage.sql import (
        SCHEMA_VERSION,
        create_schema,
        read_schema_version,
        upgrade_schema,
    )

    engine, name = schema_engine(args.url)
    try:
        try:
            with engine.connect() as connection:
                before = read_schema_version(connection)
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
            raise StorageError(f"cannot open {name}: {reason}") from None
        if args.action == "init":
            create_schema(engine)
        else:
            upgrade_schema(engine)
    finally:
        engine.dispose()
    if before is None:
        done, line = "created", f"created the schema (version {SCHEMA_VERSION}) in {name}"
    elif before == SCHEMA_VERSION:
        done, line = (
            "unchanged",
            f"{name} already has schema version {SCHEMA_VERSION}; nothing to do",
        )
    else:
        done, line = "upgraded", f"upgraded {name} from schema version {before} to {SCHEMA_VERSION}"
    _report(
        args,
        {"database": name, "result": done, "version_before": before, "version": SCHEMA_VERSION},
        line,
    )
    return EXIT_OK


def _unlock(args: argparse.Namespace) -> int:
    from surety_core.cli._support import open_store, secret_provider
    from surety_core.services import ObligeeRegistry

    number = _number(args.number)
    store = open_store(args.db)
    try:
        secrets = secret_provider(db=args.db, secrets=args.secrets)
        had = ObligeeRegistry(store, secrets).unlock(number, actor=args.actor)
    finally:
        store.close()
    _report(
        args,
        {"number": number, "cleared": had, "actor": args.actor},
        f"{number}: attempts cleared (audited as attempts_cleared by {args.actor})"
        if had
        else f"{number}: no failed attempts recorded; nothing to clear (audited)",
    )
    return EXIT_OK


def _completion(args: argparse.Namespace) -> int:
    _out(_bash_completion(_parser()))
    return EXIT_OK


def _words(parser: argparse.ArgumentParser) -> tuple[list[str], dict[str, argparse.ArgumentParser]]:
    """The options of ``parser`` and its subcommands by name."""
    options = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    subs: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            subs.update(action.choices)
    return options, subs


def _bash_completion(parser: argparse.ArgumentParser) -> str:
    """A bash completion script for every command, subcommand and option of ``parser``."""
    cases, keys = [], []
    top_options, commands = _words(parser)
    for name, command in commands.items():
        options, actions = _words(command)
        keys.append(name)
        cases.append(f'        "{name}") words="{" ".join([*actions, *options])}" ;;')
        for action, sub in actions.items():
            sub_options, _ = _words(sub)
            keys.append(f"{name} {action}")
            cases.append(f'        "{name} {action}") words="{" ".join(sub_options)}" ;;')
    return "\n".join(
        [
            '# bash completion for surety: eval "$(surety completion bash)"',
            "_surety() {",
            '    local cur="${COMP_WORDS[COMP_CWORD]}" key="" words="" next i',
            f'    local known="|{"|".join(keys)}|"',
            "    for ((i = 1; i < COMP_CWORD; i++)); do  # the command words, not option values",
            '        next="${key:+$key }${COMP_WORDS[i]}"',
            '        [[ "$known" == *"|$next|"* ]] && key="$next"',
            "    done",
            '    case "$key" in',
            f'        "") words="{" ".join([*commands, *top_options])}" ;;',
            *cases,
            "    esac",
            '    COMPREPLY=($(compgen -W "$words" -- "$cur"))',
            '    [[ ${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))',
            "}",
            "complete -o filenames -F _surety surety",
        ]
    )


# -- the parser and main ---------------------------------------------------------------------


_EXIT_HELP = """exit status: 0 done; 1 rejected (verification failed, or not genuine);
2 bad input (arguments, missing file, a key with a typo); 3 the environment failed
(database, secrets, configuration). --debug shows tracebacks."""

_SECRETS_HELP = (
    "the development secret file used at issuance (default: secrets/dev-secret beside the "
    "SQLite file; or set SURETY_CORE_DEV_SECRET to its 64 hex digits)"
)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    parser = argparse.ArgumentParser(
        prog="surety",
        description="Electronic surety certificates (電子保証) for Japanese public works.",
        epilog=_EXIT_HELP,
    )
    parser.add_argument("--debug", action="store_true", default=False, help="show tracebacks")
    parser.add_argument("--version", action="version", version=f"surety {_version()}")
    sub = parser.add_subparsers(dest="command", required=False, metavar="COMMAND")

    def command(
        name: str, func: Callable[[argparse.Namespace], int], help: str, description: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name, parents=[common], help=help, description=description, epilog=_EXIT_HELP
        )
        p.set_defaults(func=func)
        return p

    demo = command(
        "demo",
        _demo,
        "tell the whole story on the embedded SQLite store",
        "Run the whole story of an electronic guarantee (apply, issue, e-mails, history, key "
        "notices, certificates, fee statements, the obligee's view, an amendment, a wrong key, "
        "a typo) into DIR: surety.db, trusted-keys.json, summary.json, notices/, certificates/, "
        "statements/, mail/ and secrets/ (private). Safe to run again: each run starts a fresh "
        "database.",
    )
    demo.add_argument("--out", default="surety-demo", metavar="DIR", help="default ./surety-demo")
    demo.add_argument(
        "--serve", action="store_true", help="then serve it on 127.0.0.1 (needs the 'web' extra)"
    )
    demo.add_argument("--port", type=int, default=8000, help="with --serve; default 8000")

    serve = command(
        "serve",
        _serve,
        "serve the registry and the portal on the web",
        "Serve the obligee's registry (/registry, the API under /api/v1) and the contractor's "
        "portal (/portal) on a database with uvicorn until Ctrl+C. Needs the 'web' extra.",
    )
    serve.add_argument("--db", required=True, metavar="PATH", help="SQLite file or database URL")
    serve.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="default 8000")
    serve.add_argument("--secrets", metavar="FILE", help=_SECRETS_HELP)
    serve.add_argument("--trust", metavar="KEYSET", help="the surety's public key set")
    serve.add_argument(
        "--dev-sign-in",
        action="store_true",
        help="the portal's development sign-in (a principal's identifier alone; loopback only)",
    )

    verify = command(
        "verify",
        _verify,
        "the obligee's view: number + key",
        "Show the certificate for a guarantee contract number and its authentication key, with "
        "its status and versions (exit 0). A wrong key or unknown number gets one opaque "
        "rejection (exit 1); a key with a typo is caught by its check character before anything "
        "is looked up (exit 2).",
    )
    verify.add_argument("--db", required=True, metavar="PATH", help="SQLite file or database URL")
    verify.add_argument("--number", required=True, help="保証契約番号, 10 digits")
    verify.add_argument(
        "--key",
        help="認証キー as printed on the key notice; better left out: it is then asked for "
        "(hidden) or read from standard input, and stays out of the process list and history",
    )
    verify.add_argument("--secrets", metavar="FILE", help=_SECRETS_HELP)
    verify.add_argument(
        "--trust",
        metavar="KEYSET",
        help="the surety's public key set to check the signature (default: trusted-keys.json "
        "beside the SQLite file, if present)",
    )
    verify.add_argument("--actor", default="obligee", help="who views, for the audit log")
    verify.add_argument(
        "--json", action="store_true", help="print the view as JSON (see docs/cli.md)"
    )

    notice = command(
        "notice",
        _notice,
        "write a key notice PDF again",
        "Write the key notice 「電子保証にかかる「認証キー」のお知らせ」 of an electronic "
        "guarantee again, from its sealed key (the file is private, 0600).",
    )
    notice.add_argument("--db", required=True, metavar="PATH", help="SQLite file or database URL")
    notice.add_argument("--number", required=True, help="保証契約番号, 10 digits")
    notice.add_argument("--out", required=True, metavar="FILE", help="the PDF to write")
    notice.add_argument("--force", action="store_true", help="replace an existing file")
    notice.add_argument("--secrets", metavar="FILE", help=_SECRETS_HELP)
    notice.add_argument("--actor", default="surety", help="who downloads, for the audit log")
    notice.add_argument(
        "--viewing-url",
        metavar="URL",
        help="the viewing service's address, printed with its QR code ({number}: the number)",
    )
    notice.add_argument(
        "--western-dates", action="store_true", help="write every date as 2025年4月1日 (not 和暦)"
    )

    check = command(
        "check-pdf",
        _check_pdf,
        "check a certificate PDF offline",
        "Exit 0 only for a genuine, untampered certificate PDF: its attached signed document "
        "verifies with a trusted key and the file is byte for byte the certificate built from "
        "it (optionally followed by one invisible PDF signature). Otherwise exit 1 with the "
        "reason.",
    )
    check.add_argument("file", metavar="FILE", nargs="+", help="the certificate PDF (one or more)")
    check.add_argument(
        "--json", action="store_true", help="print the results as JSON (surety.check-pdf/1)"
    )
    check.add_argument(
        "--trust", required=True, metavar="KEYSET", help="the surety's public key set (JSON)"
    )
    check.add_argument(
        "--pdf-ca",
        metavar="PEM",
        help="the surety's PDF signing CA certificate (from 'surety keys pdf-ca'), to say "
        "whether a PDF signature is by it",
    )

    keys = command(
        "keys",
        _missing_action,
        "signing keys: generate, rotate, export, pdf-ca, pdf-ca-export",
        "Manage the surety's Ed25519 signing key ring (a JSON file, private 0600) and the CA "
        "of its standard PDF signatures.",
    )
    keys_sub = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    generate = keys_sub.add_parser(
        "generate",
        parents=[common],
        epilog=_EXIT_HELP,
        help="a new signing key ring",
        description="Write a new signing key ring with one key.",
    )
    generate.add_argument("--out", required=True, metavar="FILE", help="the ring file to write")
    generate.add_argument("--kid", help="the key id (default: derived from the public key)")
    generate.add_argument("--force", action="store_true", help="replace an existing file")
    generate.add_argument("--json", action="store_true", help=_JSON_HELP)
    generate.set_defaults(func=_keys_generate)
    rotate = keys_sub.add_parser(
        "rotate",
        parents=[common],
        epilog=_EXIT_HELP,
        help="add a new current key",
        description="Add a new current key to the ring; the older keys stay for verification.",
    )
    rotate.add_argument("--ring", required=True, metavar="FILE", help="the ring file (rewritten)")
    rotate.add_argument("--kid", help="the new key id (default: derived from the public key)")
    rotate.add_argument("--json", action="store_true", help=_JSON_HELP)
    rotate.set_defaults(func=_keys_rotate)
    export = keys_sub.add_parser(
        "export",
        parents=[common],
        epilog=_EXIT_HELP,
        help="the public key set",
        description="Write the ring's public key set (for check-pdf and verify --trust).",
    )
    export.add_argument("--ring", required=True, metavar="FILE", help="the ring file")
    export.add_argument("--out", metavar="FILE", help="the file to write (default: stdout)")
    export.add_argument("--force", action="store_true", help="replace an existing file")
    export.add_argument("--json", action="store_true", help=_JSON_HELP)
    export.set_defaults(func=_keys_export)
    pdf_ca = keys_sub.add_parser(
        "pdf-ca",
        parents=[common],
        epilog=_EXIT_HELP,
        help="a CA and a certificate for PDF signatures",
        description="Create the surety's own CA (RSA-3072, SHA-256) and a signing certificate "
        "issued by it, for the standard PDF signature (PAdES) of certificate PDFs; write both "
        "with their private keys (private, 0600) and the CA certificate (PEM) to publish.",
    )
    pdf_ca.add_argument("--name", required=True, help="the surety's name, as in the certificates")
    pdf_ca.add_argument("--out", required=True, metavar="FILE", help="the private key file")
    pdf_ca.add_argument("--ca-out", required=True, metavar="PEM", help="the CA certificate")
    pdf_ca.add_argument("--force", action="store_true", help="replace existing files")
    pdf_ca.add_argument("--json", action="store_true", help=_JSON_HELP)
    pdf_ca.set_defaults(func=_keys_pdf_ca)
    pdf_export = keys_sub.add_parser(
        "pdf-ca-export",
        parents=[common],
        epilog=_EXIT_HELP,
        help="the PDF signing CA certificate",
        description="Write the CA certificate (PEM) of a PDF signing key file again.",
    )
    pdf_export.add_argument("--keys", required=True, metavar="FILE", help="the private key file")
    pdf_export.add_argument("--out", metavar="PEM", help="the file to write (default: stdout)")
    pdf_export.add_argument("--force", action="store_true", help="replace an existing file")
    pdf_export.add_argument("--json", action="store_true", help=_JSON_HELP)
    pdf_export.set_defaults(func=_keys_pdf_ca_export)

    audit = command(
        "audit",
        _missing_action,
        "check the audit log",
        "Check the keyed audit log of a database, optionally against a signed checkpoint.",
    )
    audit_sub = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    audit_verify = audit_sub.add_parser(
        "verify",
        parents=[common],
        epilog=_EXIT_HELP,
        help="verify every event, name the first bad one",
        description="Recompute every event's keyed link (exit 0 when intact; exit 1 naming the "
        "first bad event). With --checkpoint, the log must also reach the signed head unchanged; "
        "--write-checkpoint signs the verified head for next time.",
    )
    audit_verify.add_argument("--db", required=True, metavar="URL", help="SQLite file or URL")
    audit_verify.add_argument("--secrets", metavar="FILE", help=_SECRETS_HELP)
    audit_verify.add_argument("--checkpoint", metavar="FILE", help="the last signed checkpoint")
    audit_verify.add_argument(
        "--trust", metavar="KEYSET", help="the surety's public key set (default: beside the db)"
    )
    audit_verify.add_argument(
        "--write-checkpoint", metavar="FILE", help="sign the verified head into FILE"
    )
    audit_verify.add_argument(
        "--ring", metavar="FILE", help="the signing key ring (default: secrets/ beside the db)"
    )
    audit_verify.set_defaults(func=_audit_verify)

    unlock = command(
        "unlock",
        _unlock,
        "clear the attempt lock on a number (operators)",
        "Clear the attempt limiter's state for a guarantee contract number, so that the "
        "obligee can try again at once; the clearing is recorded in the audit log.",
    )
    unlock.add_argument("--db", required=True, metavar="PATH", help="SQLite file or database URL")
    unlock.add_argument("--number", required=True, help="保証契約番号, 10 digits")
    unlock.add_argument("--secrets", metavar="FILE", help=_SECRETS_HELP)
    unlock.add_argument("--actor", default="operator", help="who clears, for the audit log")
    unlock.add_argument("--json", action="store_true", help=_JSON_HELP)

    completion = command(
        "completion",
        _completion,
        "print a shell completion script",
        'Print a bash completion script; load it with: eval "$(surety completion bash)" '
        "(for example in ~/.bashrc).",
    )
    completion.add_argument("shell", choices=["bash"], help="the shell (bash)")

    db = command(
        "db",
        _missing_action,
        "create or upgrade the database schema",
        "Create (init) or upgrade the schema of a SQLite file or a database URL.",
    )
    db_sub = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    for action, text in (
        ("init", "create the schema (nothing to do if current)"),
        ("upgrade", "upgrade the schema to this version"),
    ):
        p = db_sub.add_parser(
            action, parents=[common], epilog=_EXIT_HELP, help=text, description=text + "."
        )
        p.add_argument(
            "--db",
            "--url",
            dest="url",
            required=True,
            metavar="PATH",
            help="a SQLite file path or a SQLAlchemy URL "
            "(sqlite:///path, postgresql+psycopg://user@host/db, mariadb+pymysql://user@host/db)",
        )
        p.add_argument("--json", action="store_true", help=_JSON_HELP)
        p.set_defaults(func=_db)
    return parser


def _missing_action(args: argparse.Namespace) -> int:  # pragma: no cover - argparse requires one
    raise InvalidInputError(None, "name an action")


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _exit_code(exc: BaseException) -> int:
    if isinstance(exc, VerificationError):
        return EXIT_REJECTED
    if isinstance(exc, InvalidInputError | NotFoundError | RuleViolationError | DuplicateError):
        return EXIT_BAD_INPUT
    return EXIT_FAILED


_FLAG_OF_FIELD = {"actor": "--actor", "kid": "--kid", "key": "--key", "number": "--number"}
"""The library's argument names that the command line takes as these flags."""


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, InvalidInputError) and exc.field in _FLAG_OF_FIELD:
        exc = type(exc)(_FLAG_OF_FIELD[exc.field], exc.reason)  # name the flag, not the field
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, KeyFormatError):
        return f"bad key: {text}"
    if isinstance(exc, VerificationError):
        return f"rejected: {text}"
    if isinstance(exc, OSError) and not isinstance(exc, SuretyError):
        return f"error: {exc.strerror or text}" + (f": {exc.filename}" if exc.filename else "")
    return f"error: {text}"


@contextlib.contextmanager
def _warnings_to_stderr() -> Any:
    """The library's warnings (e.g. the development secret) as one readable line each."""
    from surety_core.cli._support import OnceFilter

    logger = logging.getLogger("surety_core")
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("warning: %(message)s"))
    handler.addFilter(OnceFilter())
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    if args.command is None:  # bare ``surety``: the help, and the usage-error status
        parser.print_help()
        return EXIT_BAD_INPUT
    for name, value in sorted(vars(args).items()):
        if isinstance(value, str) and "\x00" in value:
            # No path or name holds a NUL byte; say so before anything is opened.
            option = "FILE" if name == "file" else "--" + name.replace("_", "-")
            _err(f"error: {option}: contains a NUL byte; nothing was opened")
            return EXIT_BAD_INPUT
    try:
        with _warnings_to_stderr():
            code: int = args.func(args)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except (SuretyError, OSError) as exc:
        if args.debug:  # the traceback as well; the exit status stays the same
            traceback.print_exc()
        _err(_one_line(exc))
        return _exit_code(exc)
    except ImportError as exc:
        if args.debug:
            traceback.print_exc()
        _err(f"error: a dependency is missing ({exc.name or exc}); install surety-core[sql]")
        return EXIT_FAILED
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
