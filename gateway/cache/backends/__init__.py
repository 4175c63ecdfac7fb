"""Where cache entries, semantic vectors and statistics live: in this process, or in Redis for many instances."""
