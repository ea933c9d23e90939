import numpy as np

from matching.cluster import cluster


def test_two_full_rrns_never_end_in_one_resident_weakest_link_cut():
    # 0—1 strong, 1—2 weak; 0 and 2 carry different numbers: the weak edge goes.
    labels = cluster(
        3, np.array([0, 1]), np.array([1, 2]), np.array([20.0, 5.0]), np.array([0, -1, 1])
    )
    assert labels[0] == labels[1] != labels[2]


def test_a_human_different_is_respected():
    labels = cluster(
        3,
        np.array([0, 1]),
        np.array([1, 2]),
        np.array([20.0, 25.0]),
        np.array([-1, -1, -1]),
        cannot=(np.array([0]), np.array([2])),
    )
    assert labels[0] != labels[2]
    assert labels[1] == labels[2]  # the stronger link survives


def test_a_human_same_joins_unlinked_records():
    labels = cluster(
        2,
        np.array([], dtype=int),
        np.array([], dtype=int),
        np.array([]),
        np.array([-1, -1]),
        must=(np.array([0]), np.array([1])),
    )
    assert labels[0] == labels[1]
