"""Hand-written routing evaluation cases; `build.py` turns them into `eval.jsonl`."""
