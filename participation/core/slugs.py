"""Web addresses (slugs) made from titles, so staff never have to invent one.

A slug is 3 to 80 lower-case Latin letters, digits and dashes. Thai titles are cut into words
and each word is written in Latin letters (the Royal Institute system, pythainlp's rule-based
``royin`` engine, no model to download): "คลองสะอาด" becomes ``khlong-saat``. The English title
is used when there is one. A slug already taken gets ``-2``, ``-3``... added.
"""

import re

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,78}[a-z0-9]")
BASE_MAX = 60  # room left for "-2"... and still under 80
THAI = re.compile(r"[\u0e00-\u0e7f]")


def _latin(text):
    """``text`` in lower-case Latin letters, digits and dashes (Thai words romanised)."""
    text = (text or "").strip()
    if THAI.search(text):
        from pythainlp.tokenize import word_tokenize
        from pythainlp.transliterate import romanize

        words = word_tokenize(text, keep_whitespace=False)
        text = " ".join(romanize(word, engine="royin") if THAI.search(word) else word
                        for word in words)  # fmt: skip
    text = re.sub(r"[^a-z0-9]+", "-", text.lower())
    return text.strip("-")


def slug_base(*titles, fallback="item"):
    """A slug from the first title that gives one (English first, as callers pass them)."""
    for title in titles:
        base = _latin(title)[:BASE_MAX].strip("-")
        if len(base) >= 3:
            return base
        if base:  # too short ("a1"): keep it, but make it long enough
            return f"{fallback}-{base}"
    return fallback


def unique_slug(base, is_taken):
    """``base``, or ``base-2``, ``base-3``... the first that ``is_taken(slug)`` says is free."""
    candidate, number = base, 1
    while is_taken(candidate):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def make_slug(titles, is_taken, fallback="item"):
    """A valid, unused slug for something titled ``titles`` (English title first)."""
    slug = unique_slug(slug_base(*titles, fallback=fallback), is_taken)
    return slug if SLUG.fullmatch(slug) else unique_slug(fallback, is_taken)
