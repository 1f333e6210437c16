"""Themes: the words and phrases that characterise what residents wrote.

Each issue and proposal is already segmented for search (``search_text``: its Thai words, the
dictionary words inside compounds, and its other words; see ``participation.search.thai``). A
contribution is a document and a term counts once per document (binary term frequency), so one
long text cannot dominate. The rule:

1. drop stop-words (pythainlp's Thai list and common English words), numbers and one-letter
   terms, and terms found in fewer than :data:`MIN_DOCUMENTS` contributions;
2. score each term by TF-IDF summed over the documents: ``df * (ln((1 + N) / (1 + df)) + 1)``
   (the smoothed inverse document frequency), where ``df`` is the number of contributions with
   the term and ``N`` the number of contributions;
3. drop a term that lies inside a longer term found in at least 80% as many contributions
   (``โรง`` and ``เรียน`` beside ``โรงเรียน``): the longer one says it better;
4. keep the best :data:`limit` terms, each with the ids of the contributions that contain it.
"""

import math
from collections import Counter
from functools import cache

MIN_DOCUMENTS = 2
REDUNDANT_SHARE = 0.8
LINKED_IDS = 100  # ids kept per theme, for links to the contributions

ENGLISH_STOPWORDS = frozenset(
    """
    a about after all also an and any are as at be because been but by can could do does for
    from had has have he her his how i if in into is it its just more most my no not of on or
    our out over please should so some such than that the their them then there these they this
    to too up us very was we were what when where which who will with would you your
    """.split()
)


@cache
def stopwords():
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords()) | ENGLISH_STOPWORDS


def _is_candidate(term, stop):
    return (
        len(term) > 1 and not term.isdigit() and term not in stop and any(c.isalpha() for c in term)
    )


def characteristic_terms(documents, limit=20):
    """Return the ``limit`` most characteristic terms of ``documents``.

    ``documents`` is a list of ``(id, kind, terms)``; the answer is a list of dicts with the
    term, its score, how many issues and proposals contain it, and (some of) their ids.
    """
    stop = stopwords()
    frequency = Counter()
    for _id, _kind, terms in documents:
        frequency.update(set(terms))
    frequency = Counter({t: n for t, n in frequency.items() if _is_candidate(t, stop)})
    total = len(documents)
    scored = {
        term: df * (math.log((1 + total) / (1 + df)) + 1)
        for term, df in frequency.items()
        if df >= MIN_DOCUMENTS
    }
    ranked = sorted(scored, key=lambda term: (-scored[term], term))
    kept = []
    for term in ranked:
        if not _redundant(term, scored, frequency):
            kept.append(term)
            if len(kept) == limit:
                break
    wanted = set(kept)
    found = {term: {"issue": 0, "proposal": 0, "ids": []} for term in kept}
    for document_id, kind, terms in documents:
        for term in wanted.intersection(terms):
            entry = found[term]
            entry[kind] += 1
            if len(entry["ids"]) < LINKED_IDS:
                entry["ids"].append(document_id)
    return [
        {
            "term": term,
            "score": round(scored[term], 2),
            "documents": frequency[term],
            "issues": found[term]["issue"],
            "proposals": found[term]["proposal"],
            "ids": sorted(found[term]["ids"]),
        }
        for term in kept
    ]


def _redundant(term, scored, frequency):
    """True when a longer candidate contains ``term`` and is found nearly as often."""
    least = REDUNDANT_SHARE * frequency[term]
    return any(
        len(other) > len(term) and term in other and frequency[other] >= least for other in scored
    )
