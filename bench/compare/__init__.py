"""`python -m bench.compare`: this gateway against LiteLLM and Portkey on the same workload (see README.md)."""
