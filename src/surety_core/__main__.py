"""``python -m surety_core`` runs the ``surety`` command."""

from surety_core.cli import main

raise SystemExit(main())
