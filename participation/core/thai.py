"""Thai word segmentation weighed by how often words occur.

Thai is written without spaces between words. pythainlp's default engine (maximal matching)
picks one segmentation and sometimes a poor one (``ติด / ตั้งไฟ`` for ``ติดตั้ง / ไฟ``). Here a run
of Thai text is cut at character-cluster boundaries into dictionary words, each scored by its
frequency in the Thai National Corpus (a unigram language model); the segmentation with the
highest score is the most plausible one (:func:`best_words`).

Every other word of the run is scored by the best complete segmentation that contains it
(:func:`plausible_words`): ``ไฟ`` in ``ติดตั้งไฟส่องสว่าง`` lies on the best one, ``เด็ก`` in
``เด็กเล็ก`` on one almost as good, while ``ราย`` in ``ขยะอันตราย`` needs ``อันต``, a word the
corpus has seen 36 times in 33 million, and ``บาย`` in ``ท่อระบายน้ำ`` needs ``ระ``: those
segmentations are far less likely than the best, so their words are not plausible there.

Names the dictionary does not know (``เหียะ``) still segment: the default engine's own tokens are
candidate words too, scored as rare words.
"""

import math
import re
from functools import cache, lru_cache

THAI_RUN = re.compile(r"[\u0e00-\u0e7f]+")
# Thai marks written above or below a consonant: they take no width of their own.
MARK = re.compile(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
# Longest word considered inside a run, in character clusters.
MAX_WORD_CLUSTERS = 14
# Shorter dictionary entries are mostly fragments (a lone consonant or vowel).
MIN_WORD_LENGTH = 2
# A word with no frequency (a name) counts as this rare.
UNKNOWN_COUNT = 0.2
# A dictionary compound the corpus never saw whole scores this much better than its parts.
COMPOUND_BONUS = 1.0
# Score of a single character cluster standing alone (so that every run has a segmentation).
CLUSTER_LOGP = -40.0


@cache
def _model():
    """Return (log-probability of each word the corpus saw, the dictionary's other words)."""
    from pythainlp.corpus import thai_words, tnc

    counts = dict(tnc.word_freqs())
    words = {word for word in thai_words() if len(word) >= MIN_WORD_LENGTH}
    total = sum(counts.get(word, 0) for word in words) or 1
    logp = {word: math.log(counts[word] / total) for word in words if counts.get(word)}
    return logp, frozenset(words - set(logp)), math.log(UNKNOWN_COUNT / total)


def _clusters(run):
    """Split a Thai run at character cluster boundaries (never inside a syllable's marks)."""
    from pythainlp.tokenize import subword_tokenize

    return subword_tokenize(run, engine="tcc")


def _span_score(edges, start, end, unknown):
    """Best score of a segmentation of clusters start..end into words the corpus saw, plus
    COMPOUND_BONUS; or ``unknown`` when that is no better."""
    best = {start: 0.0}
    for i in range(start, end):
        if i not in best:
            continue
        for j, score in edges.get(i, {}).items():
            if j <= end and score > CLUSTER_LOGP and best[i] + score > best.get(j, -math.inf):
                best[j] = best[i] + score
    return max(unknown, best.get(end, -math.inf) + COMPOUND_BONUS)


class Lattice:
    """Every way to cut one run of Thai text into words, with forward and backward best scores."""

    def __init__(self, run, names=(), bonus=0.0):
        from pythainlp.tokenize import word_tokenize

        logp, unseen, unknown = _model()
        self.run = run
        clusters = _clusters(run)
        self.bounds = bounds = [0]
        for cluster in clusters:
            bounds.append(bounds[-1] + len(cluster))
        index_of = {offset: i for i, offset in enumerate(bounds)}
        self.n = n = len(clusters)

        edges = {}  # start -> {end: score}
        others = []  # words the corpus never saw: dictionary compounds, the engine's tokens
        for i in range(n):
            edges.setdefault(i, {})[i + 1] = CLUSTER_LOGP
            for j in range(i + 1, min(n, i + MAX_WORD_CLUSTERS) + 1):
                piece = run[bounds[i] : bounds[j]]
                score = logp.get(piece)
                if score is not None:
                    edges[i][j] = score + bonus
                elif piece in unseen:
                    others.append((i, j))
        offset = 0
        for token in word_tokenize(run, engine="newmm", keep_whitespace=False):
            start, end = offset, offset + len(token)
            offset = end
            if start in index_of and end in index_of and token not in logp:
                others.append((index_of[start], index_of[end]))
        name_spans = []
        for name in names:
            for match in re.finditer(re.escape(name), run):
                if match.start() in index_of and match.end() in index_of:
                    name_spans.append((index_of[match.start()], index_of[match.end()]))
        # A word the corpus never saw scores as its best split into words it saw (the corpus
        # splits compounds such as เด็กเล็ก), a little better, so that both are plausible; a
        # word with no such split (a name) scores as a rare word.
        for i, j in others + name_spans:
            score = _span_score(edges, i, j, unknown + bonus)
            edges[i][j] = max(edges[i].get(j, -math.inf), score)
        # Names are kept whole: nothing may start or end strictly inside one.
        blocked = set()
        for i, j in name_spans:
            blocked.update(range(i + 1, j))
        self.edges = {
            i: {j: s for j, s in targets.items() if j not in blocked}
            for i, targets in edges.items()
            if i not in blocked
        }

        # Best score of a segmentation of run[:i] (forward) and of run[i:] (backward).
        self.forward = forward = [-math.inf] * (n + 1)
        self.back_pointer = [0] * (n + 1)
        forward[0] = 0.0
        for i in range(n):
            if forward[i] == -math.inf:
                continue
            for j, score in self.edges.get(i, {}).items():
                if forward[i] + score > forward[j]:
                    forward[j] = forward[i] + score
                    self.back_pointer[j] = i
        self.backward = backward = [-math.inf] * (n + 1)
        backward[n] = 0.0
        for i in range(n - 1, -1, -1):
            for j, score in self.edges.get(i, {}).items():
                backward[i] = max(backward[i], score + backward[j])

    def piece(self, i, j):
        return self.run[self.bounds[i] : self.bounds[j]]

    def best(self):
        """Return the most plausible segmentation, as a list of words."""
        cuts, j = [self.n], self.n
        while j > 0:
            j = self.back_pointer[j]
            cuts.append(j)
        cuts.reverse()
        return [self.piece(i, j) for i, j in zip(cuts, cuts[1:], strict=False)]

    def plausible(self, margin):
        """Return the words on a segmentation scoring within ``margin`` (natural log) of the
        best one."""
        floor = self.backward[0] - margin
        words = []
        for i, targets in self.edges.items():
            for j, score in targets.items():
                if score > CLUSTER_LOGP and self.forward[i] + score + self.backward[j] >= floor:
                    words.append(self.piece(i, j))
        return words


@lru_cache(maxsize=8192)
def best_words(run, names=()):
    """Return the most plausible words of one run of Thai text (``names`` kept whole)."""
    return tuple(Lattice(run, names).best())


def plausible_words(run, margin, bonus=0.0):
    """Return every word on a segmentation of ``run`` within ``margin`` of the best one, each
    word of a segmentation adding ``bonus`` to its score (so that splitting a compound into its
    words costs less than each word's rarity)."""
    return Lattice(run, bonus=bonus).plausible(margin)


# Words that lean on the word before them and should not start a line (แล้ว in เผยแพร่แล้ว).
TRAILING_WORDS = frozenset("แล้ว อยู่ ได้ ด้วย กัน ไหม นะ ๆ ฯ".split())
# The platform's own compound terms (the glossary's), kept on one line wherever they appear.
KEY_TERMS = frozenset(
    """
    สภาเทศบาล สมาชิกสภาเทศบาล คณะผู้บริหาร เวทีประชาคม ผู้ดำเนินเวที ประเด็นปัญหา
    เสียงสนับสนุน ความคิดเห็น แผนที่ความคิดเห็น กลุ่มความคิดเห็น ผู้ดูแลเนื้อหา ผู้ดูแลระบบ
    หน้าความโปร่งใส บันทึกการดำเนินการ ไฟส่องสว่าง
    ทางม้าลาย ท่อระบายน้ำ อยากรู้ด้วย ตอบแล้ว กำลังตอบ กำลังจัดอยู่
    """.split()
)
# Longest group of words kept on one line, in characters (a phone line holds about 16).
MAX_GROUP_LENGTH = 14
# Longest run of words tried as one compound (รับ + สมัคร, เป็น + ทางการ).
MAX_COMPOUND_WORDS = 3


def _length(text):
    """Visible length: combining marks (above and below the line) take no width."""
    return sum(1 for char in text if not MARK.match(char))


def line_groups(run, names=()):
    """Return the pieces of a Thai run that a line break should never split.

    Words of the most plausible segmentation, joined again where several make one dictionary
    compound (``อาสา`` + ``สมัคร``), names kept whole, and trailing words (``แล้ว``) kept with the
    word before them, as long as a group stays short enough to fit on a phone's line.
    """
    logp, unseen, _unknown = _model()
    words = list(best_words(run, tuple(names)))
    groups = []
    i = 0
    while i < len(words):
        size = 1
        for take in range(min(MAX_COMPOUND_WORDS, len(words) - i), 1, -1):
            joined = "".join(words[i : i + take])
            if (joined in logp or joined in unseen) and _length(joined) <= MAX_GROUP_LENGTH:
                size = take
                break
        group = "".join(words[i : i + size])
        i += size
        if groups and group in TRAILING_WORDS and _length(groups[-1] + group) <= MAX_GROUP_LENGTH:
            groups[-1] += group
        else:
            groups.append(group)
    return groups


@lru_cache(maxsize=4096)
def _keep_words_html(text, names):
    from markupsafe import escape

    out = []
    position = 0
    for match in THAI_RUN.finditer(text):
        out.append(str(escape(text[position : match.start()])))
        groups = line_groups(match.group(), names)
        for number, group in enumerate(groups):
            if number:
                out.append("<wbr>")
            if len(group) > 1:
                out.append(f'<span class="tw">{escape(group)}</span>')
            else:
                out.append(str(escape(group)))
        position = match.end()
    out.append(str(escape(text[position:])))
    return "".join(out)


def keep_words(text, names=()):
    """Return ``text`` as HTML in which a line may break only between words (see
    :func:`line_groups`): each group in a ``nowrap`` span, a ``<wbr>`` between groups."""
    from markupsafe import Markup, escape

    if not text:
        return escape(text or "")
    if isinstance(text, Markup):
        if "<" in text:
            return text  # markup of its own: left as it is
        text = text.unescape()  # a translated message: plain text with escaped variables
    text = str(text)
    if not THAI_RUN.search(text):
        return escape(text)
    return Markup(_keep_words_html(text, tuple(names)))  # noqa: S704 (escaped piece by piece)
