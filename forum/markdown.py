"""The one Markdown renderer: a small subset, then sanitized.

markdown-it-py with raw HTML off escapes any tag a person types (it shows as
text instead of vanishing); nh3 then allows only the tags the subset makes,
as a second wall should a rule change. Links get rel="nofollow ugc noopener".

@mentions are found in the parsed text, never in code or inside a link, and
become links only for the names the caller's resolver knows (one call per
rendering, so one query per comment saved).
"""

import re
from collections.abc import Callable, Mapping

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_CLASSES = {"a": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_MENTIONS = 10  # names looked up per comment: a list of fifty @names notifies ten people, not fifty

# "@" not preceded by a name character (so not an email address), then the name: letters, digits, . _ - +
MENTION = re.compile(r"(?<![\w.+@-])@([\w.+-]+)")
TRAILING = ".-+"  # "Thanks @sam." names sam unless a member is called "sam."

Resolver = Callable[[list[str]], Mapping[str, str]]

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "heading", "lheading", "html_block", "html_inline", "hr", "code"]
)


def _text_tokens(tokens: list[Token]):
    """The plain-text tokens of the inline content, outside links and code."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        in_link = 0
        for child in block.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            elif child.type == "text" and not in_link:
                yield block, child


def _variants(name: str) -> list[str]:
    """The names "@name" may mean, longest first: as typed, then without trailing punctuation."""
    short = name.rstrip(TRAILING)
    return [name] if short in ("", name) else [name, short]


def mention_candidates(tokens: list[Token]) -> list[str]:
    """The names (lower case) the text may mention, at most MAX_MENTIONS "@name"s, in order."""
    found: dict[str, list[str]] = {}
    for _, token in _text_tokens(tokens):
        for match in MENTION.finditer(token.content):
            variants = _variants(match.group(1).lower())
            if variants[0] not in found and len(found) < MAX_MENTIONS:
                found[variants[0]] = variants
    return list(dict.fromkeys(name for variants in found.values() for name in variants))


def _link_mentions(tokens: list[Token], links: Mapping[str, str]) -> set[str]:
    """Replace each known "@name" in the text tokens by a link to `links[name]`; return the names linked."""
    linked = set()
    for block, token in list(_text_tokens(tokens)):
        pieces, last = [], 0
        for match in MENTION.finditer(token.content):
            name = next((v for v in _variants(match.group(1)) if v.lower() in links), None)
            if name is None:
                continue
            linked.add(name.lower())
            start, end = match.start(), match.start() + 1 + len(name)
            if start > last:
                pieces.append(Token("text", "", 0, content=token.content[last:start]))
            pieces += [
                Token("link_open", "a", 1, attrs={"href": links[name.lower()], "class": "mention"}),
                Token("text", "", 0, content=token.content[start:end]),
                Token("link_close", "a", -1),
            ]
            last = end
        if pieces:
            if last < len(token.content):
                pieces.append(Token("text", "", 0, content=token.content[last:]))
            index = block.children.index(token)
            block.children[index : index + 1] = pieces
    return linked


def render_with_mentions(text: str, mentions: Resolver | None) -> tuple[str, set[str]]:
    """HTML for `text` (see render_markdown) and the lower-case names it links as mentions.

    `mentions(names)`, if given, is called once with the lower-case names the
    text may mention and returns {name: profile address} for those that may be
    linked; any other "@name" stays plain text, exactly as typed.
    """
    text = text.replace("\x00", "\ufffd")
    env: dict = {}
    tokens = _parser.parse(text, env)
    linked: set[str] = set()
    if mentions is not None and (names := mention_candidates(tokens)) and (links := mentions(names)):
        linked = _link_mentions(tokens, links)
    html = _parser.renderer.render(tokens, _parser.options, env)
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
    )
    return html, linked


def render_markdown(text: str) -> str:
    """HTML for `text`: paragraphs, emphasis, links, lists, quotes and code only."""
    return render_with_mentions(text, None)[0]
