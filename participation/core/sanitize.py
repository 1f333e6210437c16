"""The one sanitiser: every piece of user text that becomes HTML passes through here.

Markdown is rendered first, then ``bleach.clean`` keeps only the allow-listed tags,
attributes and URL schemes; links are marked ``rel="nofollow ugc noopener"``. Templates
show user HTML only through the ``markdown`` filter, which calls :func:`render_markdown`.
"""

from functools import lru_cache

import bleach
import markdown as markdown_lib
from bleach.linkifier import Linker
from flask_babel import lazy_gettext as _l
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
    md = markdown_lib.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
    return Markup(clean_html(md.convert(text)))  # noqa: S704 - cleaned by the allow-list


_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def strip_control_characters(value):
    """Remove NUL and the other C0 control characters; tabs and line breaks stay."""
    return value.translate(_CONTROL) if isinstance(value, str) else value


def body_text(text):
    """Normalise a long text (Markdown body): no control characters but tabs and line breaks,
    no space around it."""
    return strip_control_characters(text or "").strip()


def plain_text(text):
    """Normalise a short plain field (name, title): no control characters, single spaces.

    Plain fields are stored as typed and escaped by the templates when shown.
    """
    return " ".join((text or "").translate(_CONTROL).split())
