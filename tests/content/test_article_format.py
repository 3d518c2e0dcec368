import pytest

from forum.article_format import ArticleFormatError, parse_article, split_key_point
from tests.conftest import SHIPPED_ARTICLE

TOPIC_TITLES = [
    "Reasons for the reduction in peace talks",
    "Historical context of US-Russia relations",
    "Impacts on global diplomacy and alliances",
    "Expectations for future negotiations",
    "Public opinion and its influence on diplomacy",
]


@pytest.fixture(scope="module")
def shipped():
    return parse_article(SHIPPED_ARTICLE.read_text())


def test_shipped_article_has_its_five_topics_in_order(shipped):
    assert [topic.title for topic in shipped.topics] == TOPIC_TITLES


def test_repeated_heading_is_one_topic(shipped):
    assert sum(topic.title == "Impacts on global diplomacy and alliances" for topic in shipped.topics) == 1
    assert "Impacts on global diplomacy and alliances" not in "\n".join(shipped.topics[2].intro)


def test_each_topic_has_its_three_subsections(shipped):
    assert [[sub.title for sub in topic.subsections] for topic in shipped.topics] == [
        ["Political Climate and Leadership Changes", "Trust Issues", "Economic Sanctions"],
        ["Cold War Tensions", "Post-Cold War Relations", "Resurgence of Tensions"],
        ["Shifts in Alliance Dynamics", "Emerging Powers", "Regional Conflicts"],
        ["Role of International Pressure", "Key Issues on the Table", "Public Sentiment and Its Impact"],
        ["Impact on Policy Decisions", "Role of Media", "Civic Engagement and Activism"],
    ]


def test_bullets_are_kept_as_bullets(shipped):
    bullets = [block for block in shipped.topics[0].subsections[-1].body if block.startswith("- ")]
    assert bullets == [
        "- Memory of past conflicts affecting decisions",
        "- Influence of external allies and their agendas",
        "- Fear of escalation into military confrontations",
    ]


def test_key_points_split_label_from_text(shipped):
    assert [(p.icon, p.label, p.text) for p in shipped.key_points] == [
        ("🗣️", "Public Opinion", "Shapes leaders’ diplomatic actions."),
        ("📜", "Historical Context", "Important for understanding current relations."),
        ("🔮", "Future Expectations", "Negotiations depend on leadership and public support."),
        ("🌍", "International Pressure", "Influences diplomatic strategies."),
        ("⚔️", "Regional Conflicts", "Can escalate tensions and impact diplomacy."),
    ]


def test_faq_has_four_questions_with_answers(shipped):
    assert [faq.question for faq in shipped.faqs] == [
        "What factors influence US-Russia peace talks?",
        "How does public opinion affect diplomatic relations?",
        "Why is historical context important in understanding US-Russia relations?",
        "What are the expectations for future negotiations?",
    ]
    assert all(len(faq.answer) == 1 for faq in shipped.faqs)


def test_blog_chrome_is_not_content(shipped):
    everything = repr(shipped)
    for chrome in ("Read more content", "Autor", "experienced writers"):
        assert chrome not in everything


def test_lede_and_default_title_come_from_the_first_paragraph(shipped):
    assert shipped.lede.startswith("The reduction in US-Russia peace talks is influenced")
    assert shipped.default_title() == "The reduction in US-Russia peace talks"
    assert shipped.intro[0].startswith("US-Russia peace talks reduction raises questions")


def test_topic_summary_is_its_first_sentence(shipped):
    assert shipped.topics[3].summary == (
        "The expectations for future negotiations between the US and Russia hinge on various factors."
    )


MARKDOWN = """# A second article

The lede paragraph
runs over two lines.

An intro paragraph.

## First section

Section text.

### A subsection

- one
- two

## Second section

More text.

## Summary

| Icon | Label | Text |
|---|---|---|
| ⭐ | Star | A bright thing. |

## FAQ

### Is this Markdown?

Yes, it is.
"""


def test_markdown_article_is_read_with_its_headings():
    parsed = parse_article(MARKDOWN)
    assert parsed.title == "A second article"
    assert parsed.lede == "The lede paragraph runs over two lines."
    assert [t.title for t in parsed.topics] == ["First section", "Second section"]
    assert [s.title for s in parsed.topics[0].subsections] == ["A subsection"]
    assert parsed.topics[0].subsections[0].body == ["- one", "- two"]
    assert [(p.icon, p.label, p.text) for p in parsed.key_points] == [("⭐", "Star", "A bright thing.")]
    assert [(f.question, f.answer) for f in parsed.faqs] == [("Is this Markdown?", ["Yes, it is."])]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("  \n\n \x00 \n", "empty"),
        ("Just one paragraph, with no sections at all.", "no sections"),
        ("# Title only\n\nA lede.", "no sections"),
    ],
)
def test_unusable_text_is_refused_with_a_reason(text, message):
    with pytest.raises(ArticleFormatError, match=message):
        parse_article(text)


@pytest.mark.parametrize(
    "row, expected",
    [
        ("🗣️ Public Opinion Shapes leaders’ actions.", ("🗣️", "Public Opinion", "Shapes leaders’ actions.")),
        ("📜 Trust: Hard to rebuild.", ("📜", "Trust", "Hard to rebuild.")),
        ("🔮 Future – Uncertain.", ("🔮", "Future", "Uncertain.")),
        ("| ⭐ | Star | Bright |", ("⭐", "Star", "Bright")),
    ],
)
def test_key_point_rows_split_on_separators_or_capitals(row, expected):
    point = split_key_point(row)
    assert (point.icon, point.label, point.text) == expected
