"""``python -m proofkit``: the command-line interface."""

import sys

from proofkit.cli import main

sys.exit(main())
