import numpy as np
import pandas as pd

from matching.compare import FIELDS, compare
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


def test_a_shared_household_is_capped_unless_name_birth_and_sex_agree():
    from matching.em import HOUSEHOLD_CAP, Model, explain
    from tests.matching.test_compare import BASE, frame

    twin = ("김영희", *BASE[1:])  # same birth date, phone and address, another given name
    forms = frame(BASE, BASE, twin)
    levels = compare(forms, np.array([0, 0]), np.array([1, 2]))
    m = {f: np.r_[0.9, np.full(len(v) - 1, 0.1 / (len(v) - 1))].tolist() for f, v in FIELDS.items()}
    u = {
        f: np.r_[1e-6, np.full(len(v) - 1, (1 - 1e-6) / (len(v) - 1))].tolist()
        for f, v in FIELDS.items()
    }
    w = explain(levels, Model(m=m, u=u, prior=1e-6), forms, np.array([0, 0]), np.array([1, 2]))
    house = w[["phone", "address", "dong"]].sum(axis=1)
    assert house[0] > HOUSEHOLD_CAP + 5  # one person: the shared phone counts in full
    assert house[1] == HOUSEHOLD_CAP  # twins: living together cannot outvote the given name
