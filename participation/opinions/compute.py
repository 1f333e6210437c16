"""The opinion map, computed as Pol.is does: pure functions over numpy arrays (docs/opinion-map.md).

1. A vote matrix, participants x statements: agree +1, disagree -1, pass 0, unseen. Only
   participants who voted on at least ``MIN_VOTES`` statements (or on all, when fewer exist) are
   placed on the map.
2. PCA to two components of the matrix with unseen cells replaced by the statement's mean vote
   (scikit-learn's truncated SVD of the centred matrix, which stays sparse). A participant's
   position is the projection of their own votes only (unseen cells add nothing), scaled by
   sqrt(statements / votes cast), so someone who voted on few statements is not pulled towards
   the centre.
3. k-means on the positions for k = 2..5; the k with the best silhouette score wins, but the
   groups shown change to a new k only after it has won ``K_SWITCH_AFTER`` updates in a row.
4. For each group, the statements that most set it apart: its agree (or disagree) rate against
   everyone else's, both with pseudo-counts (+1 / +2), kept when a two-proportion z-test says
   the difference is significant.
5. Group-informed consensus of a statement: the product over groups of (agrees + 1) / (votes + 2).
   Common ground: statements a majority of every group agrees with, by that product.

Nothing here touches the database; ``operations.recompute`` feeds the arrays in and stores the
result.
"""

import math
import warnings

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

AGREE, DISAGREE, PASS = 1, -1, 0
MIN_VOTES = 7  # votes before a participant is placed on the map
MIN_K, MAX_K = 2, 5  # how many opinion groups there may be
MIN_GROUPED = 6  # participants on the map before they are split into groups
K_SWITCH_AFTER = 3  # updates in a row a new k must win before the groups change to it
SILHOUETTE_SAMPLE = 2000  # participants the silhouette score is measured on (a fixed sample)
Z_90 = 1.2816  # one-sided 90%: the group's rate is above one half
Z_95 = 1.6449  # one-sided 95%: the group differs from everyone else
REPRESENTATIVE = 5  # statements listed per group
CONSENSUS = 5  # common-ground statements listed
MAP_POINTS = 2000  # points drawn on the map at most (a fixed sample of the participants)
SEED = 0


class Votes:
    """The vote matrix, participants x statements, kept sparse: only the cells voted on.

    ``rows``, ``columns`` and ``values`` (agree +1, disagree -1, pass 0) are parallel arrays;
    every other cell is unseen.
    """

    def __init__(self, rows, columns, values, shape):
        self.rows = np.asarray(rows, dtype=np.int64)
        self.columns = np.asarray(columns, dtype=np.int64)
        self.values = np.asarray(values, dtype=np.float32)
        self.shape = tuple(shape)

    @classmethod
    def from_dense(cls, matrix):
        """From a dense matrix with NaN for unseen cells (tests, small examples)."""
        matrix = np.asarray(matrix, dtype=np.float32)
        rows, columns = np.nonzero(~np.isnan(matrix))
        return cls(rows, columns, matrix[rows, columns], matrix.shape)

    def votes_per_row(self):
        return np.bincount(self.rows, minlength=self.shape[0])

    def take_rows(self, keep):
        """The votes of the rows ``keep`` (sorted indices), renumbered 0..len(keep)-1."""
        position = np.full(self.shape[0], -1, dtype=np.int64)
        position[keep] = np.arange(len(keep))
        mask = position[self.rows] >= 0
        return Votes(position[self.rows[mask]], self.columns[mask], self.values[mask],
                     (len(keep), self.shape[1]))  # fmt: skip

    def indicator(self, value=None):
        """A sparse 0/1 matrix of the cells voted (``value`` given: voted that way)."""
        mask = np.ones(len(self.values), bool) if value is None else self.values == value
        ones = np.ones(int(mask.sum()), dtype=np.float32)
        return sparse.csr_array((ones, (self.rows[mask], self.columns[mask])), shape=self.shape)


def inclusion_threshold(statement_count):
    """Votes a participant needs before being placed on the map."""
    return min(MIN_VOTES, statement_count)


def choose_k(state, best_k):
    """The number of groups to show, and the new stability state.

    ``state`` is ``{"k", "candidate", "streak"}`` from the previous update (or empty). The first
    time, the best k is taken. After that the shown k changes only when the same other k has
    been the best ``K_SWITCH_AFTER`` updates in a row, so the groups do not flicker while votes
    arrive.
    """
    current = (state or {}).get("k")
    if current is None or best_k is None:
        return best_k, {"k": best_k, "candidate": None, "streak": 0}
    if best_k == current:
        return current, {"k": current, "candidate": None, "streak": 0}
    streak = state.get("streak", 0) + 1 if state.get("candidate") == best_k else 1
    if streak >= K_SWITCH_AFTER:
        return best_k, {"k": best_k, "candidate": None, "streak": 0}
    return current, {"k": current, "candidate": best_k, "streak": streak}


def _orient(components):
    """Fix each component's sign (its largest loading positive) so the map never flips."""
    for row in components:
        if row[np.argmax(np.abs(row))] < 0:
            row *= -1
    return components


def project(votes):
    """PCA positions of the participants (rows): (positions n x 2, components 2 x statements).

    The mean-imputed matrix minus its column means is zero wherever a cell is unseen, so it is
    kept sparse (only the votes, each minus its statement's mean). Its column means are zero,
    so its truncated SVD (scikit-learn's randomized solver) is the PCA of the mean-imputed
    matrix, without ever filling the unseen cells in memory.
    """
    n, s = votes.shape
    counts = np.bincount(votes.columns, minlength=s)
    sums = np.bincount(votes.columns, weights=votes.values, minlength=s)
    means = np.divide(sums, counts, out=np.zeros(s), where=counts > 0)
    centred = sparse.csr_array(
        ((votes.values - means[votes.columns]).astype(np.float64), (votes.rows, votes.columns)),
        shape=votes.shape,
    )
    components = np.zeros((2, s))
    if min(n, s) >= 3:
        svd = TruncatedSVD(n_components=2, algorithm="randomized", random_state=SEED)
        with np.errstate(invalid="ignore", divide="ignore"):  # everyone voted alike: no variance
            components = _orient(svd.fit(centred).components_.copy())
    elif min(n, s) == 2:  # the randomized solver needs one more dimension than components
        _u, _sigma, vt = np.linalg.svd(centred.toarray(), full_matrices=False)
        components[:1] = _orient(vt[:1].copy())
    cast = np.maximum(votes.votes_per_row(), 1)
    scale = np.sqrt(s / cast)
    positions = (centred @ components.T) * scale[:, None]
    return positions, components


def _kmeans(points, k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=3, random_state=SEED).fit(points)


def cluster(points, state=None):
    """Group the positions: (labels, centres, best k by silhouette, new stability state).

    Labels follow the previous update's groups where k did not change (the nearest previous
    centre keeps its letter), else the largest group comes first.
    """
    n = len(points)
    distinct = len(np.unique(np.round(points, 9), axis=0)) if n else 0
    top = min(MAX_K, n - 1, distinct)
    if n < MIN_GROUPED or top < MIN_K:
        return np.zeros(n, dtype=int), points.mean(axis=0, keepdims=True), None, state or {}
    fits, scores = {}, {}
    sample = min(n, SILHOUETTE_SAMPLE)
    for k in range(MIN_K, top + 1):
        fit = _kmeans(points, k)
        fits[k] = fit
        if len(set(fit.labels_[:sample].tolist())) < 2 and len(set(fit.labels_.tolist())) < 2:
            scores[k] = -1.0
            continue
        scores[k] = float(
            silhouette_score(points, fit.labels_, sample_size=sample, random_state=SEED)
        )
    best_k = max(scores, key=lambda k: (scores[k], -k))
    k, new_state = choose_k(state, best_k)
    if k not in fits:  # the shown k is no longer possible (too few distinct positions)
        k, new_state = best_k, {"k": best_k, "candidate": None, "streak": 0}
    fit = fits[k]
    centres, labels = fit.cluster_centers_, fit.labels_
    order = _match(centres, labels, (state or {}).get("centres"))
    relabel = np.empty(k, dtype=int)
    relabel[order] = np.arange(k)
    labels = relabel[labels]
    centres = centres[order]
    new_state = {**new_state, "centres": centres.round(6).tolist(), "scores": scores}
    return labels, centres, best_k, new_state


def _match(centres, labels, previous):
    """Old cluster index for each new position: ``order[i]`` is the cluster shown as group i."""
    k = len(centres)
    if previous is not None and len(previous) == k:
        cost = np.linalg.norm(centres[:, None, :] - np.asarray(previous)[None, :, :], axis=2)
        rows, cols = linear_sum_assignment(cost)
        order = np.empty(k, dtype=int)
        order[cols] = rows
        return order
    sizes = np.bincount(labels, minlength=k)
    return np.argsort(-sizes, kind="stable")


def group_counts(votes, labels, k):
    """(agrees, disagrees, votes) per group and statement, each k x statements."""
    s = votes.shape[1]
    group = labels[votes.rows] * s + votes.columns

    def count(mask):
        found = group if mask is None else group[mask]
        return np.bincount(found, minlength=k * s).reshape(k, s).astype(np.float64)

    return count(votes.values == AGREE), count(votes.values == DISAGREE), count(None)


def _z_two(success_in, total_in, success_out, total_out):
    """z of a two-proportion test, group against everyone else, with pseudo-counts."""
    p_in = (success_in + 1) / (total_in + 2)
    p_out = (success_out + 1) / (total_out + 2)
    pooled = (success_in + success_out + 2) / (total_in + total_out + 4)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / (total_in + 2) + 1 / (total_out + 2)))
    return (p_in - p_out) / spread, p_in, p_out


def _z_half(success, total):
    """z of a one-proportion test that the rate is above one half, with pseudo-counts."""
    p = (success + 1) / (total + 2)
    return (p - 0.5) / np.sqrt(0.25 / (total + 2))


def representative(agrees, disagrees, votes):
    """Per group, the statements that characterise it, most telling first.

    For each statement and direction (agree, disagree): ``p`` the group's rate, ``p_out`` the
    rate of everyone else, both (count + 1) / (votes + 2). A statement is kept when the group's
    rate is above one half (z >= 1.28) and above everyone else's (z >= 1.64); it is ranked by
    (p / p_out) x p. Returns ``[[{"index", "direction", "p", "p_out", "z", "score"}...]...]``.
    """
    k = len(agrees)
    if k < 2:
        return [[] for _ in range(k)]
    totals = votes.sum(axis=0)
    found = []
    for g in range(k):
        rows = []
        for direction, counts in (("agree", agrees), ("disagree", disagrees)):
            others = counts.sum(axis=0) - counts[g]
            z, p, p_out = _z_two(counts[g], votes[g], others, totals - votes[g])
            z_half = _z_half(counts[g], votes[g])
            score = p / p_out * p
            keep = np.flatnonzero((z >= Z_95) & (z_half >= Z_90))
            rows.extend(
                {"index": int(i), "direction": direction, "p": float(p[i]),
                 "p_out": float(p_out[i]), "z": float(z[i]), "score": float(score[i])}
                for i in keep
            )  # fmt: skip
        rows.sort(key=lambda row: (-row["score"], row["index"]))
        best, seen = [], set()
        for row in rows:
            if row["index"] not in seen:
                seen.add(row["index"])
                best.append(row)
            if len(best) == REPRESENTATIVE:
                break
        found.append(best)
    return found


def consensus(agrees, votes):
    """Group-informed consensus of every statement: prod over groups of (a + 1) / (v + 2)."""
    return np.prod((agrees + 1) / (votes + 2), axis=0)


def common_ground(agrees, votes, scores):
    """Statements a majority of every group agrees with, the highest consensus first."""
    rates = (agrees + 1) / (votes + 2)
    keep = np.flatnonzero((rates > 0.5).all(axis=0) & (votes.min(axis=0) > 0))
    keep = keep[np.lexsort((keep, -scores[keep]))]
    return [int(i) for i in keep[:CONSENSUS]]


def separation(agrees, votes):
    """How far apart the groups' agree rates are on each statement (0 = alike, ~1 = opposite)."""
    if len(agrees) < 2:
        return np.zeros(agrees.shape[1])
    rates = (agrees + 1) / (votes + 2)
    return rates.max(axis=0) - rates.min(axis=0)


def map_sample(n, limit=MAP_POINTS):
    """Which participants the map draws: all, or a fixed evenly spaced sample."""
    if n <= limit:
        return np.arange(n)
    return np.linspace(0, n - 1, limit).round().astype(int)


def opinion_map(votes, state=None):
    """Everything the opinion map shows, from the :class:`Votes` of a conversation.

    Returns a dict of numbers and arrays, indices referring to the matrix rows and columns:
    ``included`` rows, ``positions`` and ``labels`` (of the included rows, in that order),
    ``k`` (0: no groups yet), ``best_k``, ``state`` (kept for the next update), per statement
    ``agrees``/``disagrees``/``passes`` (everyone), ``consensus`` and ``separation``, per group
    ``sizes``, ``representative``, ``group_agrees`` and ``group_votes``, and ``common_ground``.
    """
    n, s = votes.shape
    per_row = votes.votes_per_row()
    included = np.flatnonzero(per_row >= max(1, inclusion_threshold(s)))
    result = {
        "participants": int((per_row > 0).sum()),
        "included": included,
        "positions": np.zeros((0, 2)),
        "labels": np.zeros(0, dtype=int),
        "k": 0,
        "best_k": None,
        "state": state or {},
        "agrees": np.bincount(votes.columns[votes.values == AGREE], minlength=s),
        "disagrees": np.bincount(votes.columns[votes.values == DISAGREE], minlength=s),
        "passes": np.bincount(votes.columns[votes.values == PASS], minlength=s),
        "consensus": np.zeros(s),
        "separation": np.zeros(s),
        "sizes": [],
        "representative": [],
        "common_ground": [],
        "group_agrees": np.zeros((0, s)),
        "group_votes": np.zeros((0, s)),
    }
    if len(included) < 2 or s < 2:  # a map needs two people and two statements
        result["included"] = included[:0]
        return result
    mapped = votes.take_rows(included)
    with threadpool_limits(1):  # steadier on a shared machine; the work is small per step
        positions, _components = project(mapped)
        labels, _centres, best_k, new_state = cluster(positions, state)
    k = int(labels.max()) + 1
    agrees, disagrees, counted = group_counts(mapped, labels, k)
    scores = consensus(agrees, counted)
    result.update(
        positions=positions, labels=labels, k=k if k >= 2 else 0, best_k=best_k,
        state=new_state, consensus=scores, separation=separation(agrees, counted),
        sizes=np.bincount(labels, minlength=k).tolist(),
        representative=representative(agrees, disagrees, counted),
        common_ground=common_ground(agrees, counted, scores) if k >= 2 else [],
        group_agrees=agrees, group_votes=counted,
    )  # fmt: skip
    return result


# --- Which statement a resident sees next ------------------------------------------------------


def priority(votes, separation_value):
    """Weight of an unseen statement when choosing the next one for a resident.

    ``(1 + 2 x separation) / sqrt(1 + votes)``: statements with few votes come first, so each
    new one is quickly placed; among equally voted ones, those that split the groups (the
    groups' agree rates far apart) come first, so the map sharpens where it matters. Common
    ground still comes up: every statement keeps a weight above zero.
    """
    return (1 + 2 * separation_value) / math.sqrt(1 + votes)


def next_statement(candidates, seed):
    """Pick one of ``[(statement_id, votes, separation)]`` at random in proportion to its
    priority, with a random generator seeded by ``seed`` (the person and their progress), so a
    page reload shows the same statement and different people see different ones."""
    if not candidates:
        return None
    weights = np.array([priority(votes, sep) for _id, votes, sep in candidates])
    generator = np.random.default_rng(seed)
    choice = generator.choice(len(candidates), p=weights / weights.sum())
    return candidates[int(choice)][0]
