"""Command-line entry point: ``python -m lnanalysis COMMAND``."""

from lnanalysis.cli import main

raise SystemExit(main())
