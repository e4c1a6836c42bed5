"""``python -m naspred.cli``: the ``naspred`` command."""

import sys

from naspred.cli import main

sys.exit(main())
