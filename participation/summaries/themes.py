"""Themes: the phrases that characterise what residents wrote, per language.

Single segmented words make poor themes: pythainlp's default engine cuts
``ติดตั้งไฟส่องสว่าง`` into ``ติด / ตั้งไฟ / ส่องสว่าง``, so counting words yields fragments
(``ติด``) and function words (``ทำ``, ``หน้า``). Themes are therefore **keyphrases**:

1. **Tokens** (:func:`phrase_tokens`, stored with each contribution when it is written, so a
   summary does not segment again): the default engine's words, with adjacent words glued back
   where together they make one dictionary word (``ผู้ / สูงอายุ`` → ``ผู้สูงอายุ``);
   whitespace, punctuation and numbers become breaks.
2. **Candidates**: runs of adjacent content words of one language (a stop word, a break or a
   change of script ends a run; Thai and English are never mixed), and every phrase of 1 to
   :data:`MAX_WORDS` adjacent words in a run. A phrase is keyed by its text (Thai words joined
   without spaces, English with one), so ``ติด / ตั้งไฟ / ส่องสว่าง`` and
   ``ติดตั้ง / ไฟ / ส่องสว่าง`` are the same phrase.
3. **Absorption**: an occurrence of a phrase is *inside a longer phrase* when the phrase one
   word longer on either side is found in at least :data:`ABSORB_SHARE` as many contributions.
   A phrase that is inside a longer one in most contributions (all but :data:`KEEP_SHARE`) is a
   piece of that phrase, not a theme of its own: ``ติด`` and ``ไฟส่องสว่าง`` give way to
   ``ติดตั้งไฟส่องสว่าง``.
4. **Score**: contributions where the phrase stands on its own ``f``, weighed by a smoothed
   inverse document frequency and by length: ``f * (ln((1 + N) / (1 + df)) + 1) * (1 +
   LENGTH_WEIGHT * (words - 1))``. A phrase found in fewer than :data:`MIN_DOCUMENTS`
   contributions is no theme.
5. The best :data:`limit` phrases per language, leaving out a phrase that lies inside (or holds)
   one already chosen; each with its number of contributions (issues and proposals) and two
   examples.
"""

import math
import re
import unicodedata
from collections import Counter
from functools import cache

# Part of every summary's fingerprint: a new rule recomputes the summaries made by the old one.
THEMES_VERSION = "phrases-1"
MIN_DOCUMENTS = 2
MAX_WORDS = 4  # longest phrase, in words
ABSORB_SHARE = 0.5
KEEP_SHARE = 0.5
LENGTH_WEIGHT = 0.25
MIN_THAI_CHARS = 3  # ``ชำ``, ``ไฟ`` alone are fragments or too vague to be a theme
MIN_OTHER_CHARS = 3
EXAMPLES = 2
LINKED_IDS = 100
BREAK = "|"
GLUE_WORDS = 3  # how many adjacent words may be glued back into one dictionary word

THAI = re.compile(r"[\u0e00-\u0e7f]")
THAI_WORD = re.compile(r"^[\u0e01-\u0e4e]+$")  # Thai letters and marks, no Thai digits
OTHER_WORD = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")

ENGLISH_STOPWORDS = frozenset(
    """
    a about after again all also an and any are as at be because been before being but by can
    could did do does doing done for from get gets got had has have having he her here his how
    i if in into is it its just let like lot lots make many may me more most much must my near
    need needs no not now of on once only or other our out over please really same see should
    so some such than that the their them then there these they thing things this those to too
    up us use very want wants was way we well were what when where which while who why will
    with would yes you your
    """.split()
)

# Words pythainlp's list leaves out that carry no theme in residents' writing: requests and
# politeness (อยาก ช่วย ขอ ควร ครับ ค่ะ), "do / make / front", and the platform's own words.
THAI_STOPWORDS = frozenset(
    """
    ทำ หน้า การ ความ อยาก อยากให้ ช่วย ขอ ควร ควรจะ ต้องการ ครับ ค่ะ คะ นะ นะคะ นะครับ จ้า จ้ะ
    หน่อย ด้วย มาก เยอะ เรื่อง ปัญหา ข้อเสนอ เสนอ เทศบาล แก้ไข แก้ ดี ดีมาก ทุกวัน ตอนนี้ จริง
    จริงๆ ๆ ประจำ บ่อย เสมอ กว่า เลย แล้ว ได้ ไม่ มี เป็น อยู่ ไป มา ให้ ที่ ใน และ หรือ เพราะ
    ช่วยกัน กัน เพิ่มเติม อีก ทั้ง ต้อง จะ ก็ ยัง เคย คน พวกเรา เรา ผม ฉัน ดิฉัน หนู บ้านเรา
    แถว แถวนี้ ตรง ตรงนี้ นี้ นั้น โดย เช่น ฯลฯ ชุมชน ชาวบ้าน บริเวณ จุด ใกล้ โดยเร็ว เร่งด่วน
    ร้องเรียน เดือดร้อน อยากได้ ขึ้น พื้นที่ ทำไม ได้โปรด พิจารณา ไม่ต้อง ไม่มี ไม่ได้ ไม่ค่อย
    ไม่ใช่ ไม่เคย ยังไม่ ทำให้ เพื่อให้ ทุกคน หลาย ต่าง ๆ
    """.split()
)


@cache
def stopwords():
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords()) | THAI_STOPWORDS | ENGLISH_STOPWORDS


@cache
def _dictionary():
    from pythainlp.corpus import thai_words

    return frozenset(thai_words())


@cache
def _frequency():
    from pythainlp.corpus import ttc

    return dict(ttc.word_freqs())


# A cut never falls before a vowel or tone mark that sits on the previous letter, nor after a
# vowel written before its consonant.
NO_CUT_BEFORE = frozenset("\u0e30\u0e31\u0e32\u0e33" + "".join(map(chr, range(0x0E34, 0x0E3B)))
                          + "".join(map(chr, range(0x0E47, 0x0E4F))))  # fmt: skip
NO_CUT_AFTER = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44")
RECUT_GAIN = 2  # a new cut must make the pair at least this much more likely


def _likelihood(first, second, frequency):
    return (frequency.get(first, 0) + 1) * (frequency.get(second, 0) + 1)


def _recut(tokens):
    """Move the cut between two adjacent Thai words where two commoner words result.

    The default engine cuts ``ติดตั้งไฟ`` as ``ติด / ตั้งไฟ``, ``ชำรุดหน้า`` as
    ``ชำ / รุดหน้า``, ``บอกว่า`` as ``บอ / กว่า``: every piece is a dictionary word, but the
    pieces ``ติดตั้ง / ไฟ`` are far more common (Thai National Corpus frequencies)."""
    words, frequency = _dictionary(), _frequency()
    tokens = list(tokens)
    for i in range(len(tokens) - 1):
        first, second = tokens[i], tokens[i + 1]
        if not (THAI_WORD.match(first) and THAI_WORD.match(second)):
            continue
        joined = first + second
        best, best_cut = _likelihood(first, second, frequency) * RECUT_GAIN, None
        for cut in range(1, len(joined)):
            if joined[cut] in NO_CUT_BEFORE or joined[cut - 1] in NO_CUT_AFTER:
                continue
            left, right = joined[:cut], joined[cut:]
            if left in words and right in words:
                score = _likelihood(left, right, frequency)
                if score > best:
                    best, best_cut = score, cut
        if best_cut is not None:
            tokens[i], tokens[i + 1] = joined[:best_cut], joined[best_cut:]
    return tokens


def _glue(tokens):
    """Glue adjacent Thai words back where together they make one dictionary word."""
    words = _dictionary()
    glued, i = [], 0
    while i < len(tokens):
        for size in range(min(GLUE_WORDS, len(tokens) - i), 1, -1):
            piece = "".join(tokens[i : i + size])
            if piece in words and all(THAI.search(t) for t in tokens[i : i + size]):
                glued.append(piece)
                i += size
                break
        else:
            glued.append(tokens[i])
            i += 1
    return glued


def phrase_tokens(text):
    """The words of ``text`` in order, breaks marked ``|``, as stored with a contribution."""
    from pythainlp.tokenize import word_tokenize

    text = unicodedata.normalize("NFC", text or "").lower()
    if not text.strip():
        return ""
    words, space = [], False
    for token in word_tokenize(text, engine="newmm", keep_whitespace=True):
        if token.isspace():  # a space ends a Thai phrase; English words are spaced anyway
            space = True
            continue
        latin = bool(OTHER_WORD.match(token)) and not THAI.search(token)
        word = latin or bool(THAI_WORD.match(token))
        after_latin = bool(words) and words[-1] != BREAK and not THAI.search(words[-1])
        if (not word or (space and not (latin and after_latin))) and words and words[-1] != BREAK:
            words.append(BREAK)
        space = False
        if word:
            words.append(token)
    return " ".join(_glue(_recut(words))).strip(f" {BREAK}")


def _language(token):
    return "th" if THAI.search(token) else "en"


def _runs(tokens, kinds):
    """Runs of adjacent content words of one language: [(language, [words])].

    ``kinds`` maps a token to its language, or to None for breaks and stop words."""
    runs, current, language = [], [], None
    for token in tokens:
        kind = kinds[token]
        if kind != language:
            if current:
                runs.append((language, current))
            current, language = [], kind
        if kind is not None:
            current.append(token)
    if current:
        runs.append((language, current))
    return runs


class _Kinds(dict):
    """token -> "th", "en" or None (a break or a stop word), worked out once per token."""

    def __init__(self, stop):
        super().__init__()
        self.stop = stop

    def __missing__(self, token):
        kind = None if token == BREAK or token in self.stop else _language(token)
        self[token] = kind
        return kind


def _long_enough(language, key):
    return len(key) >= (MIN_THAI_CHARS if language == "th" else MIN_OTHER_CHARS)


def characteristic_phrases(documents, limit=15):
    """The ``limit`` most characteristic phrases of ``documents``, per language.

    ``documents``: ``(id, kind, title, tokens)`` with ``tokens`` as :func:`phrase_tokens` gives.
    Answers ``{"th": [...], "en": [...]}``; each theme is a dict with the phrase, its score,
    the number of contributions with it (issues and proposals), two examples and some ids.
    """
    kinds = _Kinds(stopwords())
    parsed = [(doc_id, kind, title, _runs(tokens.split(), kinds))
              for doc_id, kind, title, tokens in documents]  # fmt: skip
    # Count level by level: the phrases of n words are built only from frequent n-1 phrases.
    frequency = Counter()
    for *_head, runs in parsed:
        frequency.update({word for _language, words in runs for word in words})
    grid = [[[list(words)] for _language, words in runs] for *_head, runs in parsed]
    for n in range(2, MAX_WORDS + 1):
        counts = Counter()
        for (*_head, runs), doc_grid in zip(parsed, grid, strict=True):
            found = set()
            for (language, words), levels in zip(runs, doc_grid, strict=True):
                if len(levels) < n - 1 or len(words) < n:
                    continue
                below, sep = levels[n - 2], "" if language == "th" else " "
                alive = [key is not None and frequency[key] >= MIN_DOCUMENTS for key in below]
                level = [
                    below[i] + sep + words[i + n - 1] if alive[i] and alive[i + 1] else None
                    for i in range(len(below) - 1)
                ]
                levels.append(level)
                found.update(level)
            found.discard(None)
            counts.update(found)
        frequency.update(counts)
    # Where a phrase stands on its own: not inside a longer phrase found nearly as often.
    shortest = {"th": MIN_THAI_CHARS, "en": MIN_OTHER_CHARS}
    count = frequency.get
    free, size, present = Counter(), {}, []
    for (*_head, runs), doc_grid in zip(parsed, grid, strict=True):
        standing, seen = set(), set()
        for (language, _words), levels in zip(runs, doc_grid, strict=True):
            least_chars = shortest[language]
            depth = len(levels)
            for n, level in enumerate(levels, start=1):
                longer = levels[n] if n < depth else ()
                reach = len(longer)
                for i, key in enumerate(level):
                    if key is None:
                        continue
                    df = count(key)
                    if df < MIN_DOCUMENTS:
                        continue
                    seen.add(key)
                    if key in standing or len(key) < least_chars:
                        continue
                    least = ABSORB_SHARE * df
                    left = longer[i - 1] if 0 < i <= reach else None
                    right = longer[i] if i < reach else None
                    if count(left, 0) < least and count(right, 0) < least:
                        standing.add(key)
                        size.setdefault(key, (language, n))
        free.update(standing)
        present.append(seen)
    total = len(parsed)
    scored = {
        key: f * (math.log((1 + total) / (1 + frequency[key])) + 1)
        * (1 + LENGTH_WEIGHT * (size[key][1] - 1))
        for key, f in free.items()
        if f >= MIN_DOCUMENTS and f >= KEEP_SHARE * frequency[key]
    }  # fmt: skip
    chosen = {"th": [], "en": []}
    for key in sorted(scored, key=lambda k: (-scored[k], k)):
        kept = chosen[size[key][0]]
        if len(kept) < limit and not any(key in other or other in key for other in kept):
            kept.append(key)
    return {language: _describe(keys, parsed, present, scored, frequency)
            for language, keys in chosen.items()}  # fmt: skip


def _describe(keys, parsed, present, scored, frequency):
    found = {key: {"issue": 0, "proposal": 0, "examples": [], "ids": []} for key in keys}
    if keys:
        for (doc_id, kind, title, _runs), seen in zip(parsed, present, strict=True):
            for key in seen.intersection(found):
                entry = found[key]
                entry[kind] = entry.get(kind, 0) + 1
                if len(entry["examples"]) < EXAMPLES:
                    entry["examples"].append({"id": doc_id, "kind": kind, "title": title})
                if len(entry["ids"]) < LINKED_IDS:
                    entry["ids"].append(doc_id)
    return [
        {
            "phrase": key,
            "score": round(scored[key], 2),
            "documents": frequency[key],
            "issues": found[key]["issue"],
            "proposals": found[key]["proposal"],
            "examples": found[key]["examples"],
            "ids": found[key]["ids"],
        }
        for key in keys
    ]
