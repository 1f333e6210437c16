"""Find anything executable in a rendered page, parsed as browsers parse HTML (html5lib)."""

import re

import html5lib

# URL-valued attributes a browser follows or runs.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "poster", "data",
                  "srcdoc", "lowsrc", "dynsrc", "ping", "xlink:href", "srcset"}  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
NEVER_FROM_USERS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet",
                    "style", "link", "form", "input", "button", "textarea", "select",
                    "noscript", "template", "xmp", "noembed", "listing"}  # fmt: skip
OWN_SCRIPTS = "/static/"


def _local(name):
    if isinstance(name, tuple):
        name = name[1]
    return name.split("}")[-1].lower()


def _normalised(url):
    return re.sub(r"[\x00-\x20]+", "", url).lower()


def dangers(html, allowed_elements=()):
    """Every script, event handler, dangerous URL or active element in ``html``.

    ``allowed_elements``: how many elements of a kind the page itself has (e.g. its own forms
    and buttons), so only extra ones count."""
    found = []
    seen = {}
    for element in html5lib.parse(html, namespaceHTMLElements=False).iter():
        if not isinstance(element.tag, str):
            continue  # comments
        tag = _local(element.tag)
        seen[tag] = seen.get(tag, 0) + 1
        data_block = (element.get("type") or "").lower() == "application/json"  # never runs
        if (
            tag == "script"
            and not data_block
            and not (element.get("src") or "").startswith(OWN_SCRIPTS)
        ):
            found.append(f"<script> {element.get('src') or (element.text or '')[:60]!r}")
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            found.append("<meta http-equiv=refresh>")
        for name, value in element.attrib.items():
            attribute = _local(name)
            if attribute.startswith("on"):
                found.append(f"<{tag} {attribute}=...>")
            elif attribute in URL_ATTRIBUTES and _normalised(value).startswith(DANGEROUS_SCHEMES):
                found.append(f"<{tag} {attribute}={value[:40]!r}>")
            elif attribute == "style" and re.search(r"expression|javascript|url\(", value, re.I):
                found.append(f"<{tag} style={value[:40]!r}>")
    for tag in NEVER_FROM_USERS:
        if seen.get(tag, 0) > dict(allowed_elements).get(tag, 0):
            found.append(f"{seen[tag] - dict(allowed_elements).get(tag, 0)} extra <{tag}>")
    return found


def element_counts(html):
    """How many of each kind of element a page has (to compare with and without payloads)."""
    counts = {}
    for element in html5lib.parse(html, namespaceHTMLElements=False).iter():
        if isinstance(element.tag, str):
            tag = _local(element.tag)
            counts[tag] = counts.get(tag, 0) + 1
    return counts
