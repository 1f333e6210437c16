"""Index terms for Thai text: recall for words inside compounds, precision against fragments.

Thai is written without spaces, and one dictionary segmentation loses words: pythainlp's default
engine gives ``ติด / ตั้งไฟ / ส่องสว่าง`` (so ``ไฟ`` is no token) and keeps ``เด็กเล็ก`` whole
(so ``เด็ก`` is none). Matching substrings instead finds ``ยา`` inside ``พยาบาล``, and indexing
every word on *some* segmentation into dictionary words finds ``ราย`` in ``ขยะอันตราย``
(ขยะ + อันต + ราย), ``บาย`` in ``ท่อระบายน้ำ`` and ``ริม`` in ``ส่งเสริม``.

The rule used here (:mod:`participation.core.thai`): a word is an index term where it lies on a
*plausible* segmentation of its run of Thai text, one whose score under a word-frequency model
(the Thai National Corpus) is within :data:`PLAUSIBLE_MARGIN` (natural log) of the best
segmentation's. Each word of a segmentation adds :data:`WORD_BONUS`, so that cutting a compound
into real words (``ยา / สามัญ / ประจำ / บ้าน``, ``ท่อ / ระบาย / น้ำ``) stays plausible while a cut
that needs a rare piece does not: ``ราย`` in ``ขยะอันตราย`` needs ``อันต`` (36 times in 33 million
words), ``บาย`` in ``ท่อระบายน้ำ`` needs ``ระ``, ``ริม`` in ``ส่งเสริม`` needs ``เส``. No word list
is kept by hand. The two constants were chosen on the tuning half of the query set in
``tests/search/queryset.py`` and checked once on its held-out half (figures in bench/README.md).
Compounds whose parts are common words with other meanings (``ห้องสมุด``, ``ทางม้าลาย``,
``ยุงลาย``) still index their parts: word frequencies cannot tell those apart.

Queries are segmented into their most likely words; every query term must match (AND).
"""

import re
import unicodedata

from participation.core.thai import THAI_RUN, best_words, plausible_words

OTHER_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# How much lower than the best segmentation's (natural log) a segmentation's score may be for
# its words to be indexed, and what each word of a segmentation adds to its score.
PLAUSIBLE_MARGIN = 5.0
WORD_BONUS = 5.0


def _normalise(text):
    return unicodedata.normalize("NFC", text or "").lower()


def index_terms(text, margin=PLAUSIBLE_MARGIN, bonus=WORD_BONUS):
    """Return the distinct search terms of ``text`` (Thai words and other words)."""
    text = _normalise(text)
    terms = []
    for run in THAI_RUN.findall(text):
        terms.extend(best_words(run))
        terms.extend(plausible_words(run, margin, bonus))
    terms.extend(OTHER_WORD.findall(THAI_RUN.sub(" ", text)))
    return list(dict.fromkeys(term for term in terms if term.strip()))


def query_terms(text):
    """Return the terms a search for ``text`` must all find."""
    text = _normalise(text)[:200]
    terms = []
    for run in THAI_RUN.findall(text):
        terms.extend(best_words(run))
    terms.extend(OTHER_WORD.findall(THAI_RUN.sub(" ", text)))
    return list(dict.fromkeys(terms))[:12]
