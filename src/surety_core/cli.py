"""The ``surety`` command (also ``python -m surety_core``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date

from surety_core import (
    Application,
    Medium,
    Obligee,
    Period,
    Principal,
    ProductRequest,
    SuretyError,
    Works,
    WorksKind,
    to_json,
)

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    city = Obligee(name="柏市", code="kashiwa")
    works = Works(
        obligee=city,
        name="市道0001号線道路改良工事",
        number="R7-001",
        kind=WorksKind.CONSTRUCTION,
        contract_price=100_000_000,
        period=Period(date(2025, 4, 1), date(2026, 3, 31)),
        announced_on=date(2025, 3, 1),
    )
    application = Application(
        reference="APP-0001",
        principal=Principal("株式会社東葛建設", "7000012050002", "千葉県柏市柏1-1-1"),
        works=works,
        requests=(ProductRequest("advance_payment", Medium.ELECTRONIC, 40_000_000, works.period),),
        applied_on=date(2025, 4, 1),
        notification_email="keiyaku@example.co.jp",
    )
    print(to_json(application))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="surety", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the demo")
    demo.set_defaults(func=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except SuretyError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return result
