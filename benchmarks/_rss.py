"""Child process of ``issue_stream_rss``: issue a stream of guarantees, report peak RSS as JSON.

``python -m benchmarks._rss {library,floor} --count N --batch B --db PATH``. Prints one JSON object
(``peak_mb``, ``baseline_mb``, ``count``, ``seconds``) or ``{"skipped": reason}`` when the library
is not available. Peak RSS is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (MiB).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path


def _max_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._rss")
    parser.add_argument("kind", choices=["library", "floor"])
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args(argv)

    from benchmarks import floors, library

    if args.kind == "floor":
        run, close = floors.issue_case(args.db, args.batch)
    else:
        try:
            store = library.open_sqlite_store(args.db)
            issuer = library.make_issuer()
        except ImportError as exc:
            print(json.dumps({"skipped": str(exc)}))
            return 0

        def run() -> None:
            library.issue_batch(store, issuer, args.batch, collect=False)

        close = store.close

    baseline = _max_rss_mb()
    start = time.perf_counter_ns()
    done = 0
    while done < args.count:
        run()
        done += args.batch
    seconds = (time.perf_counter_ns() - start) / 1e9
    close()
    print(
        json.dumps(
            {
                "peak_mb": round(_max_rss_mb(), 1),
                "baseline_mb": round(baseline, 1),
                "count": done,
                "seconds": round(seconds, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
