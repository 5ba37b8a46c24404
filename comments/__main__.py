"""``python -m comments``."""

import sys

from comments.cli import main

sys.exit(main())
