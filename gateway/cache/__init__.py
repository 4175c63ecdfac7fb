"""The response cache: exact (SHA-256 of the scrubbed request) and semantic (nearest cached prompt by cosine
similarity), tenant-isolated, in process or in Redis. See docs/adr/0006-response-cache.md."""
