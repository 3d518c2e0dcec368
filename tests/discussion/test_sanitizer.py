from html.parser import HTMLParser

import pytest

from forum.markdown import render_markdown
from forum.services.discussion import post_comment
from tests.factories import MemberFactory, TopicFactory

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<div onmouseover="alert(1)">hover',
    "<iframe src=https://evil.example></iframe>",
    "![img](https://evil.example/x.png)",
    "<style>body{display:none}</style>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<b><i>unclosed",
    '"><script>alert(1)</script>',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
]


class Elements(HTMLParser):
    """Every element and attribute in a piece of HTML, as a browser would see them."""

    def __init__(self, html):
        super().__init__()
        self.tags, self.attributes = set(), []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend(attrs)


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_input_renders_inert(body):
    elements = Elements(render_markdown(body))
    assert elements.tags <= {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre", "br"}
    for name, value in elements.attributes:
        assert name in {"href", "title", "rel", "start"}, (name, value)
        if name == "href":
            assert value.split(":")[0].lower() in {"http", "https", "mailto"}, value


def test_raw_html_is_shown_as_text_not_dropped():
    assert render_markdown("<b>bold?</b>") == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>\n"


def test_links_get_nofollow_ugc_noopener():
    html = render_markdown("[site](https://example.org/a?b=1)")
    assert html == '<p><a href="https://example.org/a?b=1" rel="nofollow ugc noopener">site</a></p>\n'


def test_the_markdown_subset_is_kept():
    html = render_markdown("*em* **strong** `code`\n\n- one\n- two\n\n1. first\n\n> quoted")
    for tag in ("<em>em</em>", "<strong>strong</strong>", "<code>code</code>", "<ul>", "<ol>", "<blockquote>"):
        assert tag in html


def test_headings_and_images_are_not_part_of_the_subset():
    html = render_markdown("# Big\n\n![alt](https://example.org/i.png)")
    assert "<h1" not in html and "<img" not in html


def test_ten_thousand_character_line_renders_without_error():
    html = render_markdown("a" * 10_000)
    assert html.count("a") >= 10_000


def test_rtl_and_emoji_text_survive():
    text = "مرحبا بالعالم 🕊️ שלום"
    assert render_markdown(text) == f"<p>{text}</p>\n"


def test_nul_bytes_are_replaced():
    assert "\x00" not in render_markdown("a\x00b")


def test_stored_comment_html_is_sanitized(db):
    comment = post_comment(author=MemberFactory(), topic=TopicFactory(), body="<script>x</script>[a](javascript:x)")
    elements = Elements(comment.body_html)
    assert elements.tags == {"p"}
    assert comment.body_html == "<p>&lt;script&gt;x&lt;/script&gt;[a](javascript:x)</p>\n"
