"""Run the command line: ``python -m compare``."""

import sys

from compare.cli import main

sys.exit(main())
