"""Content hashes stay bit for bit what they were: a changed hash would version every person."""

from __future__ import annotations

import numpy as np
import pandas as pd

from intake.pipeline import _HASH_KEYS, _frame_hashes


def test_frame_hashes_equal_pandas_hash_pandas_object():
    frame = pd.DataFrame({
        "name": pd.Series(["김영숙", "", None, "김영숙", "LEE YOUNG-HEE"], dtype="str"),
        "birth": pd.Series(pd.to_datetime(["1950-01-01", None, "1950-01-01", "1950-01-01",
                                           None])).astype("datetime64[s]"),
        "income": pd.Series([500000, None, 3, 500000, 0], dtype="Int64"),
    }).astype("str")

    ours = _frame_hashes(frame, _HASH_KEYS)

    for key, hashes in zip(_HASH_KEYS, ours, strict=True):
        expected = pd.util.hash_pandas_object(frame, index=False, hash_key=key).to_numpy()
        np.testing.assert_array_equal(hashes, expected)
    assert ours[0][0] == ours[0][3] and ours[0][0] != ours[0][1]
