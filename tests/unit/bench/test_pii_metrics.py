"""Unit tests for the PII benchmark metrics, harness and labelled data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.pii.check import all_problems
from bench.pii.dataset import (
    ALL_TYPES,
    GENERATED_PATH,
    HANDWRITTEN_PATH,
    Record,
    label_problems,
    load_jsonl,
)
from bench.pii.evaluate import evaluate_set
from bench.pii.generate import generate
from bench.pii.markup import load_source, parse_block
from bench.pii.metrics import Counts, Span, count_matches, leaked_chars, micro, percentile

GOLD = [Span("PERSON", 0, 12), Span("PHONE", 20, 32)]


def test_exact_match_requires_identical_offsets() -> None:
    counts = count_matches(GOLD, [Span("PERSON", 0, 11)], "exact")
    assert (counts["PERSON"].pred_correct, counts["PERSON"].gold_found) == (0, 0)


def test_overlap_match_accepts_partial_span() -> None:
    counts = count_matches(GOLD, [Span("PERSON", 5, 15)], "overlap")
    assert (counts["PERSON"].pred_correct, counts["PERSON"].gold_found) == (1, 1)


def test_overlap_match_ignores_spans_of_other_type() -> None:
    counts = count_matches(GOLD, [Span("IBAN", 20, 32)], "overlap")
    assert counts["IBAN"].precision == 0.0 and counts["PHONE"].recall == 0.0


def test_adjacent_spans_do_not_overlap() -> None:
    counts = count_matches(GOLD, [Span("PERSON", 12, 15)], "overlap")
    assert counts["PERSON"].pred_correct == 0


def test_one_prediction_covering_two_gold_spans_finds_both() -> None:
    gold = [Span("ADDRESS", 0, 10), Span("ADDRESS", 12, 22)]
    counts = count_matches(gold, [Span("ADDRESS", 0, 22)], "overlap")
    assert counts["ADDRESS"].gold_found == 2 and counts["ADDRESS"].precision == 1.0


def test_counts_compute_precision_recall_f1() -> None:
    counts = Counts(pred_correct=3, pred_total=4, gold_found=3, gold_total=6)
    assert (counts.precision, counts.recall, round(counts.f1, 4)) == (0.75, 0.5, 0.6)


def test_empty_counts_are_perfect_not_undefined() -> None:
    assert (Counts().precision, Counts().recall) == (1.0, 1.0)


def test_micro_sums_only_requested_types() -> None:
    counts = {"PERSON": Counts(1, 2, 1, 1), "IBAN": Counts(0, 5, 0, 0)}
    assert micro(counts, ["PERSON"]).precision == 0.5


def test_leak_counts_uncovered_labelled_characters_of_any_detected_type() -> None:
    leaked, total = leaked_chars(GOLD, [Span("EMAIL", 0, 6), Span("PHONE", 20, 32)])
    assert (leaked, total) == (6, 24)


def test_percentile_uses_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99)) == (50.0, 99.0)


def test_percentile_rejects_empty_input() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)


def test_label_problems_flags_mismatched_and_overlapping_spans() -> None:
    record: Record = {
        "id": "x",
        "kind": "t",
        "text": "Herr Max Muster ",
        "entities": [{"type": "PERSON", "start": 5, "end": 16}, {"type": "PERSON", "start": 9, "end": 15}],
    }
    assert len(label_problems(record)) == 2


def test_markup_block_yields_offsets_of_marked_text() -> None:
    record = parse_block("x", "chat", "Hallo [[PERSON|Anna]], ruf [[PHONE|030 1234567]] an")
    spans = [record["text"][e["start"] : e["end"]] for e in record["entities"]]
    assert spans == ["Anna", "030 1234567"]


@pytest.mark.parametrize("path", [GENERATED_PATH, HANDWRITTEN_PATH], ids=["generated", "handwritten"])
def test_every_label_in_data_file_is_valid(path: Path) -> None:
    records = load_jsonl(path)
    assert all_problems(records) == []
    assert {e["type"] for r in records for e in r["entities"]} <= set(ALL_TYPES)


def test_handwritten_jsonl_matches_its_markup_source() -> None:
    assert load_jsonl(HANDWRITTEN_PATH) == load_source()


def test_handwritten_set_has_enough_texts_and_clean_ones() -> None:
    records = load_jsonl(HANDWRITTEN_PATH)
    assert len(records) >= 60 and sum(not r["entities"] for r in records) >= 10


def test_generator_is_deterministic_for_a_seed() -> None:
    assert generate(seed=11, count=40) == generate(seed=11, count=40)


def test_generated_set_is_a_quarter_pii_free() -> None:
    records = load_jsonl(GENERATED_PATH)
    assert sum(not r["entities"] for r in records) == len(records) // 4


def test_evaluate_set_scores_an_oracle_detector_perfectly() -> None:
    records = load_jsonl(HANDWRITTEN_PATH)
    by_text = {r["text"]: r["entities"] for r in records}
    result = evaluate_set("handwritten", records, lambda text: by_text[text], rounds=0)
    core = result.summary["overlap"]["micro_core"]
    assert (core["precision"], core["recall"], result.summary["leak_all"]["rate"]) == (1.0, 1.0, 0.0)


def test_evaluate_set_counts_false_alarms_on_pii_free_texts() -> None:
    records = load_jsonl(HANDWRITTEN_PATH)
    result = evaluate_set("handwritten", records, lambda text: [Span("PERSON", 0, 1)], rounds=0)
    alarms = result.summary["false_alarms"]
    assert alarms["share"] == 1.0 and alarms["detections"] == alarms["clean_texts"]
