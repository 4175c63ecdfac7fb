"""Labelled German/Austrian/Swiss PII benchmark: dataset, generator and evaluation.

See docs/pii_benchmark.md for the labelling conventions and how to run it.
"""
