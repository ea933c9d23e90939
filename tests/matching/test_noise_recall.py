"""Recall per noise kind: the pairs a kind touches, found or missed."""

from __future__ import annotations

import numpy as np

from matching.noise_recall import noise_table, recall_by_noise


def test_recall_per_kind_counts_the_pairs_the_kind_touches():
    # Person A: three records, one with a lunar birthday, split off; person B: two clean
    # records joined; C alone with an RRN slip (no pair).
    truth = np.array(["A", "A", "A", "B", "B", "C"])
    predicted = np.array([1, 1, 2, 3, 3, 4])
    noise = np.array(["", "moved", "lunar;masked_rrn", "", "", "rrn_slip"])
    rows = recall_by_noise(predicted, truth, noise)
    assert rows["lunar"]["true_pairs"] == 2 and rows["lunar"]["recall"] == 0.0
    assert rows["moved"]["true_pairs"] == 2 and rows["moved"]["recall"] == 0.5
    assert rows["none"]["true_pairs"] == 1 and rows["none"]["recall"] == 1.0
    assert rows["rrn_slip"]["true_pairs"] == 0
    assert "repeated_row" not in recall_by_noise(predicted, truth, noise + ";repeated_row")
    assert "lunar" in noise_table(rows)
