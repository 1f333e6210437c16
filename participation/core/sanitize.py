"""The one sanitiser: every piece of user text that becomes HTML passes through here, and
every piece of text that arrives passes through :func:`clean_input` first.

Markdown is rendered first (images become links), then ``bleach.clean`` keeps only the
allow-listed tags, attributes and URL schemes; links are marked ``rel="nofollow ugc
noopener"``. Templates show user HTML only through the ``markdown`` filter, which calls
:func:`render_markdown`.
"""

import re
import unicodedata
from functools import lru_cache

import bleach
import markdown as markdown_lib
from bleach.linkifier import Linker
from flask_babel import lazy_gettext as _l
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "em", "b", "i", "u", "s", "blockquote", "code", "pre",
        "ul", "ol", "li", "a", "h3", "h4", "hr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
MARKDOWN_EXTENSIONS = ("nl2br", "sane_lists")
# What a writer can do, said without the word "Markdown" (a field's description).
FORMATTING_HINT = _l("You can format: **bold**, lists, links.")


class _ImagesAsLinks(Treeprocessor):
    """Markdown's image syntax (``![map](https://...)``) becomes a link to the image, named by
    its description: residents' text shows no images from other sites (they would learn who
    reads), and an <img> outside the allow-list would otherwise show as markup text. An image
    inside a link becomes its description."""

    def run(self, root):
        self._walk(root, in_link=False)

    def _walk(self, parent, in_link):
        for child in list(parent):
            if child.tag != "img":
                self._walk(child, in_link or child.tag == "a")
                continue
            source, name = child.get("src", ""), child.get("alt", "")
            if in_link:
                _replace_with_text(parent, child, name)
                continue
            title = child.get("title")
            child.tag, child.text = "a", name or source
            child.attrib.clear()
            child.set("href", source)
            if title:
                child.set("title", title)


def _replace_with_text(parent, child, text):
    text += child.tail or ""
    position = list(parent).index(child)
    if position == 0:
        parent.text = (parent.text or "") + text
    else:
        before = parent[position - 1]
        before.tail = (before.tail or "") + text
    parent.remove(child)


class _SafeImages(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_ImagesAsLinks(md), "images_as_links", 15)


def _set_link_rel(attrs, new=False):
    attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


_linker = Linker(callbacks=[_set_link_rel], skip_tags={"pre", "code"})


def clean_html(html):
    """Return ``html`` with everything outside the allow-list escaped, so it shows as text."""
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=False,
        strip_comments=True,
    )
    return _linker.linkify(cleaned)


@lru_cache(maxsize=512)
def render_markdown(text):
    """Render user Markdown to safe HTML; tags outside the allow-list show as plain text.

    Cached: descriptions shown on every page view are rendered once per process.
    """
    if not text:
        return Markup("")
    md = markdown_lib.Markdown(
        extensions=[*MARKDOWN_EXTENSIONS, _SafeImages()], output_format="html"
    )
    return Markup(clean_html(md.convert(text)))  # noqa: S704 - cleaned by the allow-list


_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def strip_control_characters(value):
    """Remove NUL and the other C0 control characters; tabs and line breaks stay."""
    return value.translate(_CONTROL) if isinstance(value, str) else value


# Characters that show nothing or change how the text around them is shown: the Unicode
# format characters (general category Cf: zero-width space and joiners, soft hyphen, the
# right-to-left marks, embeddings, overrides and isolates, the byte-order mark, ...) and the
# fillers that draw as blanks. A text made only of them looks empty; a right-to-left override
# makes a link or a name read differently from what it is. Thai needs none of them (its vowel
# and tone marks are ordinary combining letters, kept as they are).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
    "\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164"
    "\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001]"
    # The joiner and tag letters stay inside an emoji sequence (family, flag of a region).
    "|\u200d|[\U000e0020-\U000e007f]+"
)
_SURROGATES = re.compile("[\ud800-\udfff]")
_FLAG = "\U0001f3f4"


def _emoji_part(char):
    return unicodedata.category(char) in ("So", "Sk") or char == "\ufe0f"


def _invisible(match):
    text, start, end = match.string, match.start(), match.end()
    found = match.group()
    before = text[start - 1] if start else ""
    if found == "\u200d":
        after = text[end] if end < len(text) else ""
        keep = bool(before and after) and _emoji_part(before) and _emoji_part(after)
        return found if keep else ""
    if found[0] >= "\U000e0020":
        return found if before == _FLAG else ""
    return ""


# Deeper lists and objects than any form, API body or live event has are refused.
MAX_NESTING = 32


class NestingError(ValueError):
    """Lists and objects nested deeper than :data:`MAX_NESTING`."""


def clean_input(value, _depth=0):
    """Make text that arrives fit to store and show: the one cleaning of forms, query strings,
    JSON bodies and live events alike (strings inside lists and objects too).

    Removes unpaired UTF-16 surrogates (no database stores them), C0 control characters but
    tabs and line breaks, and invisible and direction-changing characters; then normalises to
    NFC, so one text has one form. Emptiness and length are checked after this, so a text of
    zero-width spaces is empty. Raises :class:`NestingError` for absurdly nested data.
    """
    if isinstance(value, str):
        if value.isascii():
            return value.translate(_CONTROL)
        text = _SURROGATES.sub("", value).translate(_CONTROL)
        return unicodedata.normalize("NFC", _INVISIBLE.sub(_invisible, text))
    if isinstance(value, dict | list) and _depth >= MAX_NESTING:
        raise NestingError("nested too deeply")
    if isinstance(value, dict):
        return {clean_input(key): clean_input(item, _depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_input(item, _depth + 1) for item in value]
    return value


def body_text(text):
    """Normalise a long text (Markdown body): no control characters but tabs and line breaks,
    no space around it."""
    return strip_control_characters(text or "").strip()


def plain_text(text):
    """Normalise a short plain field (name, title): no control characters, single spaces.

    Plain fields are stored as typed and escaped by the templates when shown.
    """
    return " ".join((text or "").translate(_CONTROL).split())
