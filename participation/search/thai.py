"""Index terms for Thai text: recall for words inside compounds, precision against fragments.

Thai is written without spaces, and one dictionary segmentation loses words: pythainlp's default
engine gives ``ติด / ตั้งไฟ / ส่องสว่าง`` (so ``ไฟ`` is no token) and keeps ``เด็กเล็ก`` whole
(so ``เด็ก`` is none). Matching substrings instead finds ``ยา`` inside ``พยาบาล``.

The rule used here: a dictionary word is an index term where it lies on **some complete
segmentation** of its run of Thai text into dictionary words (or the default engine's own
tokens, so names the dictionary does not know still segment), cutting only at Thai character
cluster boundaries. ``ไฟ`` in ``ติดตั้งไฟส่องสว่าง`` qualifies (ติดตั้ง + ไฟ + ส่อง + สว่าง);
``ยา`` in ``พยาบาล`` does not, because ``พ`` is no word. Short dictionary words count only when
they are common (fragments such as ``อย`` in ``บ่อย`` do not), and a few words whose parts are
words by accident (``ตาราง`` is not ``ตา`` + ``ราง``) are listed in :data:`OPAQUE_WORDS` and
never split.

Queries are segmented with the default engine only; every query term must match (AND).
"""

import re
import unicodedata
from functools import cache

from pythainlp.corpus import thai_words, ttc
from pythainlp.tokenize import subword_tokenize, word_tokenize

THAI_RUN = re.compile(r"[\u0e00-\u0e7f]+")
OTHER_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Longest dictionary word considered inside a run, in character clusters.
MAX_WORD_CLUSTERS = 12
# Shorter dictionary entries are too often fragments (a lone consonant or vowel).
MIN_WORD_LENGTH = 2
# Short dictionary entries (under SHORT_WORD characters) count only when they are common in
# the Thai Textbook Corpus: this keeps ไฟ, ยา, ชน and drops fragments such as อย or หรับ.
SHORT_WORD = 4
MIN_SHORT_WORD_FREQUENCY = 20

# Words that split into dictionary words with unrelated meanings (ตา + ราง, สำ + หรับ), and
# common civic words whose parts would make searches for the parts noisy (ชน in ชุมชน).
OPAQUE_WORDS = frozenset(
    """
    ตาราง นาที นาฬิกา กระดาษ มะนาว สะพาน ตลาด ขนาด ปลาย ทะเล กระทรวง นาย ยาง ตาม มาก นาน
    ดาว หมาย ความ สำหรับ ชุมชน ประจำ สาธารณะ ประชาชน ประชุม ประเทศ ประมาณ ประกาศ ประโยชน์
    ปัญหา สามารถ สนับสนุน เทศบาล ตำบล จังหวัด อำเภอ ประชาคม สมาชิก ผู้ใหญ่ กรรมการ
    เรียบร้อย ปลอดภัย สะอาด สะดวก ธรรมชาติ วัฒนธรรม ทำไม อย่างไร เพราะ เนื่องจาก ระหว่าง
    """.split()
)


@cache
def _dictionary():
    frequency = dict(ttc.word_freqs())
    return frozenset(
        word
        for word in thai_words()
        if len(word) >= SHORT_WORD
        or (len(word) >= MIN_WORD_LENGTH and frequency.get(word, 0) >= MIN_SHORT_WORD_FREQUENCY)
    )


def _clusters(run):
    """Split a Thai run at character cluster boundaries (never inside a syllable's marks)."""
    return subword_tokenize(run, engine="tcc")


def _run_terms(run):
    """Return every word on some complete segmentation of one run of Thai text."""
    words = _dictionary()
    tokens = [token for token in word_tokenize(run, engine="newmm", keep_whitespace=False)]
    clusters = _clusters(run)
    bounds = [0]
    for cluster in clusters:
        bounds.append(bounds[-1] + len(cluster))
    index_of = {offset: i for i, offset in enumerate(bounds)}
    n = len(clusters)

    # Edges between cluster boundaries: dictionary words and the default engine's tokens.
    edges = {}
    for i in range(n):
        for j in range(i + 1, min(n, i + MAX_WORD_CLUSTERS) + 1):
            piece = run[bounds[i] : bounds[j]]
            if piece in words:
                edges.setdefault(i, set()).add(j)
    offset = 0
    token_spans = []
    for token in tokens:
        start, end = offset, offset + len(token)
        offset = end
        if start in index_of and end in index_of:
            edges.setdefault(index_of[start], set()).add(index_of[end])
            token_spans.append((index_of[start], index_of[end]))

    # An opaque word is never split: nothing may start or end strictly inside it.
    blocked = set()
    for i, targets in edges.items():
        for j in targets:
            if run[bounds[i] : bounds[j]] in OPAQUE_WORDS:
                blocked.update(range(i + 1, j))

    reach_from_start = [False] * (n + 1)
    reach_from_start[0] = True
    for i in range(n):
        if reach_from_start[i] and i not in blocked:
            for j in edges.get(i, ()):
                if j not in blocked:
                    reach_from_start[j] = True
    reach_to_end = [False] * (n + 1)
    reach_to_end[n] = True
    for i in range(n - 1, -1, -1):
        if i in blocked:
            continue
        reach_to_end[i] = any(reach_to_end[j] and j not in blocked for j in edges.get(i, ()))

    terms = [run[bounds[i] : bounds[j]] for i, j in token_spans]
    for i, targets in edges.items():
        if not (reach_from_start[i] and i not in blocked):
            continue
        for j in targets:
            if reach_to_end[j] and j not in blocked:
                terms.append(run[bounds[i] : bounds[j]])
    return terms


def _normalise(text):
    return unicodedata.normalize("NFC", text or "").lower()


def index_terms(text):
    """Return the distinct search terms of ``text`` (Thai words and other words)."""
    text = _normalise(text)
    terms = []
    for run in THAI_RUN.findall(text):
        terms.extend(_run_terms(run))
    terms.extend(OTHER_WORD.findall(THAI_RUN.sub(" ", text)))
    return list(dict.fromkeys(term for term in terms if term.strip()))


def query_terms(text):
    """Return the terms a search for ``text`` must all find."""
    text = _normalise(text)[:200]
    terms = []
    for run in THAI_RUN.findall(text):
        terms.extend(t for t in word_tokenize(run, engine="newmm", keep_whitespace=False) if t)
    terms.extend(OTHER_WORD.findall(THAI_RUN.sub(" ", text)))
    return list(dict.fromkeys(terms))[:12]
