"""``python -m benchmarks``: see :func:`benchmarks.cli.main`."""

from __future__ import annotations

import sys

from benchmarks.cli import main

sys.exit(main())
