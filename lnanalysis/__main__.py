"""Command-line entry point: ``python -m lnanalysis COMMAND``."""

import os
import sys

from lnanalysis.cli import main

try:
    code = main()
    sys.stdout.flush()
except BrokenPipeError:  # output piped into `head` and closed early: not an error
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 0
raise SystemExit(code)
