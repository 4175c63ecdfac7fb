"""Entry point of `python -m bench.compare`."""

from bench.compare.run import main

raise SystemExit(main())
