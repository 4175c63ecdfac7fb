"""The collector set-up at start-up: start-up garbage is collected rather than frozen, survivors are frozen, and
the youngest generation's threshold is the configured one (the older generations' are left as they were)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from gateway.collector import tune_collector


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_start_up_garbage_is_collected_and_survivors_are_frozen(restored_collector: None) -> None:
    gc.unfreeze()
    cycle = _Node()
    gone = weakref.ref(cycle)
    kept = [_Node()]
    del cycle

    tune_collector(50_000)

    assert gone() is None  # collected, not frozen for the life of the process
    assert gc.get_freeze_count() > 0
    assert kept[0] not in gc.get_objects()  # frozen objects leave every generation the collector scans


def test_young_threshold_is_set_and_older_ones_kept(restored_collector: None) -> None:
    _, middle, old = gc.get_threshold()

    tune_collector(12_345)

    assert gc.get_threshold() == (12_345, middle, old)


def test_settings_reject_a_threshold_below_pythons_default() -> None:
    from pydantic import ValidationError

    from gateway.settings import Settings

    assert Settings(gc_young_threshold=700).gc_young_threshold == 700
    with pytest.raises(ValidationError):
        Settings(gc_young_threshold=10)
