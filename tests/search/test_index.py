"""The index follows every write: a comment matches while it is published, and never otherwise."""

import pytest
from django.core.management import call_command

from forum.article_format import parse_article
from forum.models import Comment, ModerationSettings, SearchEntry
from forum.services.content import publish_article
from forum.services.discussion import delete_comment, edit_comment, flag_comment, post_comment
from forum.services.moderation import moderate_comment, resolve_flags
from tests.conftest import SHIPPED_ARTICLE, SHIPPED_TITLE
from tests.factories import CommentFactory, MemberFactory, ModeratorFactory
from tests.search.conftest import comment_hit, found, set_rules


def test_a_posted_comment_is_found_by_its_words(topic):
    comment = post_comment(author=MemberFactory(), topic=topic, body="Grain corridors matter most.")

    assert found(None, "grain corridors") == [comment_hit(comment)]


def test_a_comments_text_is_indexed_as_a_reader_sees_it(topic):
    MemberFactory(username="ana")
    comment = post_comment(author=MemberFactory(), topic=topic, body="Thanks @ana: **trust** first.\n\n- one\n- two")
    entry = SearchEntry.objects.get(kind=SearchEntry.Kind.COMMENT, object_id=comment.pk)
    assert 'class="mention"' in comment.body_html  # "@ana" is a link, ended just before the colon
    assert entry.body == "Thanks @ana: trust first. one two"


def test_a_comment_held_for_review_never_matches_not_even_for_its_author_or_a_moderator(topic):
    set_rules(pre_moderation=ModerationSettings.PreModeration.EVERYTHING)
    author = MemberFactory()
    comment = post_comment(author=author, topic=topic, body="Grain corridors matter most.")

    assert comment.status == Comment.Status.PENDING
    assert found(author, "grain") == []
    assert found(ModeratorFactory(), "grain") == []


def test_a_hidden_comment_never_matches_and_matches_again_once_restored(topic):
    moderator = ModeratorFactory()
    comment = CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>")
    moderate_comment(moderator=moderator, comment=comment, action="hide", reason="Off-topic.")

    assert found(moderator, "grain") == []

    moderate_comment(moderator=moderator, comment=comment, action="restore")
    assert found(None, "grain") == [comment_hit(comment)]


def test_a_comment_hidden_by_flags_never_matches_until_the_flags_are_dismissed(topic):
    comment = CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>")
    for member in MemberFactory.create_batch(3):
        flag_comment(member=member, comment=comment, reason="spam")

    assert found(None, "grain") == []

    resolve_flags(moderator=ModeratorFactory(), comment=comment, outcome="dismissed")
    assert found(None, "grain") == [comment_hit(comment)]


def test_a_deleted_comment_never_matches(topic):
    comment = post_comment(author=MemberFactory(), topic=topic, body="Grain corridors matter most.")

    delete_comment(member=comment.author, comment=comment)

    assert found(comment.author, "grain") == []
    assert not SearchEntry.objects.filter(kind="comment", object_id=comment.pk).exists()


def test_an_edit_changes_the_words_that_match(topic):
    comment = post_comment(author=MemberFactory(), topic=topic, body="Grain corridors matter most.")

    edit_comment(editor=comment.author, comment=comment, body="Energy prices matter most.")

    assert found(None, "grain") == []
    assert found(None, "energy prices") == [comment_hit(comment)]


def test_an_edit_held_for_a_held_word_stops_matching(topic):
    set_rules(held_words="embargo")
    comment = post_comment(author=MemberFactory(), topic=topic, body="Grain corridors matter most.")

    edit_comment(editor=comment.author, comment=comment, body="Grain corridors and the embargo.")

    assert comment.status == Comment.Status.PENDING
    assert found(None, "grain") == []


def test_the_shipped_article_is_found_passage_by_passage(article):
    topic = article.topics.get(slug="reasons-for-the-reduction-in-peace-talks")

    results = found(None, "economic sanctions")

    best = SearchEntry.objects.get(kind=results[0][0], object_id=results[0][1])
    assert best.kind == "subsection"
    assert best.get_absolute_url() == f"{topic.get_absolute_url()}#economic-sanctions"
    faq = article.faqs.first()
    faq_entry = SearchEntry.objects.get(kind="faq", object_id=faq.pk)
    assert faq_entry.get_absolute_url() == f"/articles/{article.slug}/faq/#{faq.anchor}"
    assert ("faq", faq.pk) in found(None, faq.question)
    assert ("key_point", article.key_points.first().pk) in found(None, article.key_points.first().text)


def test_importing_the_article_twice_keeps_one_entry_per_passage(article):
    before = SearchEntry.objects.count()

    publish_article(parsed=parse_article(SHIPPED_ARTICLE.read_text()), title=SHIPPED_TITLE)

    assert SearchEntry.objects.count() == before == 1 + 5 + 15 + 5 + 4


def test_an_admin_edit_of_a_section_is_found_at_once(topic):
    section = topic.subsections.get()
    section.body = "Hotlines between the capitals."
    section.save()

    assert found(None, "hotlines") == [("subsection", section.pk)]
    assert found(None, "quiet diplomacy") == []


def test_a_deleted_section_leaves_the_index(topic):
    section = topic.subsections.get()

    section.delete()

    assert found(None, "quiet diplomacy") == []


def test_an_unpublished_article_is_not_found(topic):
    CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>")

    topic.article.is_published = False
    topic.article.save()

    assert found(None, "grain") == []
    assert found(None, "quiet diplomacy") == []


def test_rebuilding_the_index_finds_comments_written_behind_its_back(topic):
    Comment.objects.bulk_create(
        [Comment(topic=topic, author=MemberFactory(), body="x", body_html="<p>Grain corridors.</p>")]
    )
    assert found(None, "grain") == []

    call_command("rebuild_search_index", stdout=None)

    assert [kind for kind, _ in found(None, "grain")] == ["comment"]
    assert found(None, "quiet diplomacy") == [("subsection", topic.subsections.get().pk)]


@pytest.mark.parametrize("status", ["pending", "hidden", "removed"])
def test_rebuilding_the_index_leaves_out_every_comment_not_published(topic, status):
    CommentFactory(topic=topic, body_html="<p>Grain corridors.</p>", status=status)

    call_command("rebuild_search_index", stdout=None)

    assert found(ModeratorFactory(), "grain") == []
