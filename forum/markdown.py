"""The one Markdown renderer: a small subset, then sanitized.

markdown-it-py with raw HTML off escapes any tag a person types (it shows as
text instead of vanishing); nh3 then allows only the tags the subset makes,
as a second wall should a rule change. Links get rel="nofollow ugc noopener".
"""

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "heading", "lheading", "html_block", "html_inline", "hr", "code"]
)


def render_markdown(text: str) -> str:
    """HTML for `text`: paragraphs, emphasis, links, lists, quotes and code only."""
    text = text.replace("\x00", "\ufffd")
    html = _parser.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
    )
