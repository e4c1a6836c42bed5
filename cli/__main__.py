"""``python -m naspred.cli``: the ``naspred`` command."""

import sys

from naspred.cli import main

if __name__ == "__main__":
    sys.exit(main())
