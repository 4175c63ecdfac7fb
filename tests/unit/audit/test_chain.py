"""The pure chain: hashing, linking and the row-by-row checker."""

from __future__ import annotations

from typing import Any

from gateway.audit.chain import FIELDS, GENESIS, Break, ChainChecker, LinkProblem, chain_hash, classify


def _fields(number: int) -> dict[str, Any]:
    fields: dict[str, Any] = dict.fromkeys(FIELDS)
    fields.update(request_id=f"r{number}", created_at="2026-01-01T00:00:00.000000Z", key_id="k", status=200,
                  outcome="ok", pii={}, prompt_tokens=1, completion_tokens=2, cost_nano_eur=3, cache_hit=False,
                  stream=False, retained=False)
    return fields


def _chain(count: int) -> list[dict[str, Any]]:
    rows, prev = [], GENESIS
    for seq in range(1, count + 1):
        row = {**_fields(seq), "seq": seq, "prev_hash": prev}
        row["hash"] = prev = chain_hash(prev, row)
        rows.append(row)
    return rows


def _check(rows: list[dict[str, Any]]) -> Break | LinkProblem | None:
    checker = ChainChecker(1, GENESIS)
    for row in rows:
        problem = checker.feed(row)
        if problem is not None:
            return problem
    return None


def test_untouched_chain_checks() -> None:
    assert _check(_chain(5)) is None


def test_hash_depends_on_every_field() -> None:
    base = _fields(1)
    changed = [name for name in FIELDS if chain_hash(GENESIS, {**base, name: "x"}) != chain_hash(GENESIS, base)]
    assert changed == list(FIELDS)


def test_altered_row_is_located() -> None:
    rows = _chain(5)
    rows[2]["prompt_tokens"] = 999
    assert _check(rows) == Break(3, "altered", "the record's content does not match its hash")


def test_deleted_row_is_located_as_missing() -> None:
    rows = _chain(5)
    del rows[3]
    problem = _check(rows)
    assert isinstance(problem, Break) and (problem.seq, problem.reason) == (4, "missing")


def test_swapped_rows_show_as_a_link_problem_at_the_first() -> None:
    rows = _chain(5)
    rows[1]["seq"], rows[2]["seq"] = 3, 2
    rows[1], rows[2] = rows[2], rows[1]
    assert _check(rows) == LinkProblem(2, rows[1]["prev_hash"])


def test_classify_names_reordered_when_the_predecessor_exists_elsewhere() -> None:
    assert classify(LinkProblem(2, "ab" * 32), 3).reason == "reordered"


def test_classify_names_missing_when_the_predecessor_is_nowhere() -> None:
    assert classify(LinkProblem(2, "ab" * 32), None).reason == "missing"


def test_record_without_usage_fields_keeps_the_hash_it_had_before_they_existed() -> None:
    written_before = "f3188c47dccaa33134698f9ec5d374064803fe8359c1f5481b53014bb2ae2632"  # by the code of revision 0004
    read_back = {**_fields(1), "usage_id": None, "usage_detail": None}  # how such a row reads after 0005
    assert chain_hash(GENESIS, _fields(1)) == chain_hash(GENESIS, read_back) == written_before


def test_usage_fields_are_hashed_when_present() -> None:
    base = {**_fields(1), "usage_id": "u1", "usage_detail": {"cost_eur": 0.5}}
    changed = [{**base, "usage_id": "u2"}, {**base, "usage_detail": {"cost_eur": 0.6}}]
    assert all(chain_hash(GENESIS, row) != chain_hash(GENESIS, base) for row in changed)
