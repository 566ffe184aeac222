"""``python -m multisock``: the same as the ``multisock`` command."""

from .cli import main

raise SystemExit(main())
