"""`python -m generator` runs the certfolio command line."""

from generator.cli import main

raise SystemExit(main())
