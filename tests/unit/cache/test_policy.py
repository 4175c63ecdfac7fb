from __future__ import annotations

from gateway.cache.policy import decide
from tests.unit.cache.fakes import ask


def test_temperature_at_threshold_is_cached() -> None:
    assert decide(ask("Q", temperature=0.3), "exact", 0.3).read


def test_temperature_above_threshold_is_bypassed() -> None:
    assert not decide(ask("Q", temperature=0.31), "exact", 0.3).write


def test_unset_temperature_is_bypassed() -> None:
    assert not decide(ask("Q", temperature=None), "exact", 0.3).write


def test_seed_makes_a_warm_request_cacheable() -> None:
    assert decide(ask("Q", temperature=1.0, seed=7), "exact", 0.3).read


def test_no_cache_header_skips_the_lookup_but_stores() -> None:
    decision = decide(ask("Q"), "exact+semantic", 0.3, "no-cache")
    assert (decision.read, decision.write, decision.semantic) == (False, True, False)


def test_no_store_header_bypasses() -> None:
    assert not decide(ask("Q"), "exact", 0.3, "max-age=0, no-store").write


def test_body_opt_out_bypasses() -> None:
    assert not decide(ask("Q", cache=False), "exact", 0.3).write


def test_mode_off_bypasses() -> None:
    assert not decide(ask("Q"), "off", 0.3).write


def test_semantic_only_in_semantic_mode() -> None:
    assert not decide(ask("Q"), "exact", 0.3).semantic and decide(ask("Q"), "exact+semantic", 0.3).semantic
