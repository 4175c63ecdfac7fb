"""Mock provider servers speaking each provider's real wire format, for tests and `gateway serve --demo`."""
