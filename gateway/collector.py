"""Python's cyclic garbage collector, set up for a server once its start-up is done (ADR 0020).

- Start-up garbage is collected, then every surviving start-up object (catalog, lexicons, compiled patterns,
  SQLAlchemy metadata) is frozen: later collections never scan it again.
- The youngest generation is collected after `young_threshold` net allocations instead of Python's 700. A
  request's objects are freed by reference counting when it ends, but while 64 requests are in flight some
  thousands of their objects are alive at once, so with 700 the collector ran several times per request, each
  time scanning and promoting in-flight objects it could not free (ADR 0020 has the measurements). Objects in
  reference cycles are still collected, after at most this many allocations.
"""

from __future__ import annotations

import gc


def tune_collector(young_threshold: int) -> None:
    """Collect and freeze what start-up left, then set the youngest generation's threshold."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)
