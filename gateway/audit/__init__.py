"""The tamper-evident audit log: hash chain, group-committed writer, verification, DSGVO export and erasure."""
