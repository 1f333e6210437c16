"""The method (docs/opinion-map.md) on synthetic electorates, without the database."""

import numpy as np
import pytest

from participation.opinions import compute

AGREE, DISAGREE, PASS, UNSEEN = 1.0, -1.0, 0.0, np.nan


def planted(people=120, camp_statements=10, common=3, only_first=1, seen=0.7, noise=0.1, seed=7):
    """Two camps of equal size. Columns: camp statements (first camp agrees, second disagrees,
    then the reverse), common ground (both agree), statements only the first camp agrees with
    (the second passes). Each cell is seen with probability ``seen``; ``noise`` of the votes are
    flipped at random."""
    rng = np.random.default_rng(seed)
    camp = np.arange(people) % 2
    columns = []
    for j in range(camp_statements):
        sign = 1 if j % 2 == 0 else -1
        columns.append(np.where(camp == 0, sign, -sign).astype(float))
    columns += [np.ones(people)] * common
    columns += [np.where(camp == 0, AGREE, PASS)] * only_first
    matrix = np.stack(columns, axis=1)
    flip = rng.random(matrix.shape) < noise
    matrix = np.where(flip & (matrix != 0), -matrix, matrix)
    matrix[rng.random(matrix.shape) > seen] = UNSEEN
    layout = {
        "camp": list(range(camp_statements)),
        "common": list(range(camp_statements, camp_statements + common)),
        "only_first": list(range(camp_statements + common, matrix.shape[1])),
    }
    return matrix, camp, layout


def groups_of(found, camp):
    """{group: set of camps found in it} for the included participants."""
    groups = {}
    for row, label in zip(found["included"], found["labels"], strict=True):
        groups.setdefault(int(label), set()).add(int(camp[row]))
    return groups


def test_two_planted_camps_are_split_into_those_camps():
    matrix, camp, _layout = planted()
    found = compute.opinion_map(compute.Votes.from_dense(matrix))
    assert found["k"] == 2
    assert found["best_k"] == 2
    groups = groups_of(found, camp)
    assert sorted(map(sorted, groups.values())) == [[0], [1]]
    assert sum(found["sizes"]) == len(found["included"]) >= 110


def test_consensus_statements_agreed_by_both_camps_are_found():
    matrix, _camp, layout = planted()
    found = compute.opinion_map(compute.Votes.from_dense(matrix))
    assert sorted(found["common_ground"]) == layout["common"]
    # The group-informed consensus of a common statement beats every divisive one.
    assert min(found["consensus"][layout["common"]]) > max(found["consensus"][layout["camp"]])


def test_a_statement_agreed_by_only_one_camp_characterises_it():
    matrix, camp, layout = planted(camp_statements=8)
    found = compute.opinion_map(compute.Votes.from_dense(matrix))
    assert found["k"] == 2
    in_first = camp[found["included"]] == 0
    first = int(np.bincount(found["labels"][in_first]).argmax())
    second = 1 - first
    # Noise makes a few people look like the other camp; the groups are still the camps.
    assert np.mean(found["labels"][in_first] == first) > 0.9
    assert np.mean(found["labels"][~in_first] == second) > 0.9
    statement = layout["only_first"][0]
    mine = {(row["index"], row["direction"]) for row in found["representative"][first]}
    theirs = {row["index"] for row in found["representative"][second]}
    assert (statement, "agree") in mine
    assert statement not in theirs
    assert statement not in found["common_ground"]


def test_representative_statements_need_a_significant_difference():
    # Both groups agree 3 of 4 times: nothing sets either apart.
    agrees = np.array([[3.0], [3.0]])
    disagrees = np.array([[1.0], [1.0]])
    votes = np.array([[4.0], [4.0]])
    assert compute.representative(agrees, disagrees, votes) == [[], []]
    # 30 of 30 against 0 of 30: clearly characteristic, with pseudo-counts 31/32 and 1/32.
    found = compute.representative(
        np.array([[30.0], [0.0]]), np.array([[0.0], [30.0]]), np.array([[30.0], [30.0]])
    )
    assert found[0][0]["direction"] == "agree"
    assert found[0][0]["p"] == pytest.approx(31 / 32)
    assert found[0][0]["p_out"] == pytest.approx(1 / 32)
    assert found[1][0]["direction"] == "disagree"


def test_group_informed_consensus_is_the_product_of_smoothed_agree_rates():
    agrees = np.array([[8.0, 1.0], [4.0, 9.0]])
    votes = np.array([[10.0, 10.0], [5.0, 10.0]])
    expected = [(9 / 12) * (5 / 7), (2 / 12) * (10 / 12)]
    assert compute.consensus(agrees, votes) == pytest.approx(expected)


def test_participants_join_the_map_after_seven_votes():
    matrix, _camp, _layout = planted(people=40, seen=1.0, noise=0.0)
    matrix[0, 6:] = UNSEEN  # 6 votes: not yet on the map
    matrix[1, 7:] = UNSEEN  # 7 votes: on the map
    found = compute.opinion_map(compute.Votes.from_dense(matrix))
    assert 0 not in found["included"]
    assert 1 in found["included"]
    assert len(found["included"]) == 39
    assert found["participants"] == 40  # everyone who voted is counted


def test_with_fewer_than_seven_statements_everyone_must_vote_on_all():
    matrix = np.array([[AGREE, DISAGREE, AGREE, PASS, AGREE]] * 3 + [[AGREE] * 4 + [UNSEEN]])
    found = compute.opinion_map(compute.Votes.from_dense(matrix))
    assert compute.inclusion_threshold(5) == 5
    assert found["included"].tolist() == [0, 1, 2]


def test_a_sparse_voter_is_scaled_out_not_pulled_to_the_centre():
    matrix, camp, _layout = planted(people=200, camp_statements=20, seen=1.0, noise=0.0)
    few = matrix[0].copy()
    few[8:] = UNSEEN  # the same opinions, but only 8 votes
    matrix = np.vstack([matrix, few])
    found = compute.opinion_map(compute.Votes.from_dense(matrix))
    positions = found["positions"]
    full, sparse_one = positions[0], positions[-1]
    # Without the sqrt(statements / votes) scaling it would sit at 8/23 of the distance.
    assert np.linalg.norm(sparse_one) > 0.5 * np.linalg.norm(full)
    assert found["labels"][-1] == found["labels"][0]


def test_the_number_of_groups_changes_only_after_winning_three_updates_in_a_row():
    state = {}
    shown = []
    for best in (2, 3, 3, 2, 3, 3, 3, 4, 3):
        k, state = compute.choose_k(state, best)
        shown.append(k)
    assert shown == [2, 2, 2, 2, 2, 2, 3, 3, 3]


def test_groups_keep_their_letters_across_updates():
    matrix, camp, _layout = planted()
    votes = compute.Votes.from_dense(matrix)
    first = compute.opinion_map(votes)
    # The same people in reverse order: k-means numbers its clusters differently, the letters
    # follow the previous centres.
    order = np.arange(len(matrix))[::-1]
    second = compute.opinion_map(compute.Votes.from_dense(matrix[order]), first["state"])
    before = {int(camp[r]): int(g) for r, g in zip(first["included"], first["labels"], strict=True)}
    after = {
        int(camp[order[r]]): int(g)
        for r, g in zip(second["included"], second["labels"], strict=True)
    }
    assert before == after


def test_a_stable_k_is_kept_by_the_clustering_until_a_new_one_wins_three_times():
    matrix, _camp, _layout = planted()
    votes = compute.Votes.from_dense(matrix)
    state = {"k": 3, "candidate": None, "streak": 0}
    ks = []
    for _update in range(3):
        found = compute.opinion_map(votes, state)
        state = found["state"]
        ks.append(found["k"])
    assert ks == [3, 3, 2]  # 2 is the best each time, and is shown from its third win


def test_too_few_participants_make_no_groups():
    matrix = np.array([[AGREE] * 8, [DISAGREE] * 8, [AGREE] * 4 + [DISAGREE] * 4])
    found = compute.opinion_map(compute.Votes.from_dense(matrix))
    assert found["k"] == 0
    assert len(found["positions"]) == 3
    assert found["common_ground"] == []


def test_an_empty_conversation_gives_an_empty_map():
    found = compute.opinion_map(compute.Votes([], [], [], (0, 0)))
    assert found["k"] == 0
    assert found["participants"] == 0
    assert len(found["included"]) == 0


def test_the_next_statement_favours_few_votes_and_division():
    assert compute.priority(0, 0.0) > compute.priority(10, 0.0)
    assert compute.priority(10, 0.8) > compute.priority(10, 0.0)
    assert compute.priority(100, 0.0) > 0  # common ground still comes up
    candidates = [(1, 0, 0.0), (2, 400, 0.0)]
    picks = [compute.next_statement(candidates, seed) for seed in range(200)]
    assert picks.count(1) > 150
    assert compute.next_statement(candidates, 5) == compute.next_statement(candidates, 5)
    assert compute.next_statement([], 1) is None
