"""``python -m playground``: the desktop app (or ``python -m playground train ...`` headless)."""

import sys

from playground.app import main

sys.exit(main())
