"""`python -m gateway.cli` = `gateway`."""

from gateway.cli import main

raise SystemExit(main())
