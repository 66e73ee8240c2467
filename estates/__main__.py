"""``python -m estates``: the command line (see estates.cli)."""

import sys

from estates.cli import main

sys.exit(main())
