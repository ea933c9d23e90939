import numpy as np
import pandas as pd

from matching.compare import FIELDS
from matching.em import train_em


def test_em_recovers_known_m_and_u():
    rng = np.random.default_rng(0)
    n, share = 60_000, 0.3
    is_match = rng.random(n) < share
    true_m = {f: np.r_[0.9, np.full(len(v) - 1, 0.1 / (len(v) - 1))] for f, v in FIELDS.items()}
    true_u = {f: np.r_[np.full(len(v) - 1, 0.1 / (len(v) - 1)), 0.9] for f, v in FIELDS.items()}
    cols = {}
    for f, v in FIELDS.items():
        k = len(v)
        cols[f] = np.where(is_match, rng.choice(k, n, p=true_m[f]), rng.choice(k, n, p=true_u[f]))
    levels = pd.DataFrame(cols).astype(np.int8)
    start = {f: np.full(len(v), 1 / len(v)).tolist() for f, v in FIELDS.items()}
    m, u, prior, _ = train_em(levels, start, iterations=200)
    assert abs(prior - share) < 0.01
    for f in FIELDS:
        assert np.abs(np.asarray(m[f]) - true_m[f]).max() < 0.02
        assert np.abs(np.asarray(u[f]) - true_u[f]).max() < 0.02
