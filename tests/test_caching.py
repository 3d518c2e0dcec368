"""Readers' pages come from the cache, and every change shows at once: in this process and in any other.

Each test warms the cache with an anonymous reader's page, changes something the
way the site does (a service, the admin), and reads the page again.
"""

import gzip
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from forum import shared
from forum.caching import content_version
from forum.models import Comment, Flag, ModerationSettings
from forum.ratelimit import RateLimited, count_action
from forum.services.discussion import delete_comment, edit_comment, flag_comment, post_comment, toggle_helpful
from forum.services.moderation import moderate_comment
from forum.services.voting import cast_ballot
from tests.factories import AdminFactory, CommentFactory, FactorFactory, MemberFactory, ModeratorFactory


@pytest.fixture
def comment(db):
    return CommentFactory(body="The first word.")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the site runs when a transaction commits (the test's own transaction never does)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def page(client, comment):
    return client.get(comment.topic.get_absolute_url()).content.decode()


def test_a_readers_page_is_rendered_once_then_served_from_the_cache(client, comment, django_assert_num_queries):
    first = client.get(comment.topic.get_absolute_url())
    with django_assert_num_queries(0):
        again = client.get(comment.topic.get_absolute_url())
    assert again.content == first.content and again["ETag"] == first["ETag"]


def test_an_unchanged_page_answers_304_to_its_etag(client, comment):
    etag = client.get(comment.topic.get_absolute_url())["ETag"]
    assert client.get(comment.topic.get_absolute_url(), headers={"if-none-match": etag}).status_code == 304
    assert client.get(comment.topic.get_absolute_url(), headers={"if-none-match": f"W/{etag}"}).status_code == 304


def test_a_change_gives_the_page_a_new_etag(client, comment, committed):
    etag = client.get(comment.topic.get_absolute_url())["ETag"]
    with committed():
        post_comment(author=MemberFactory(), topic=comment.topic, body="Something new.")
    response = client.get(comment.topic.get_absolute_url(), headers={"if-none-match": etag})
    assert response.status_code == 200 and "Something new." in response.content.decode()


def test_readers_pages_carry_no_csrf_token_and_members_pages_do(client, comment):
    assert "csrf" not in page(client, comment).lower()
    client.force_login(MemberFactory())
    assert "X-CSRFToken" in page(client, comment)


def test_members_pages_are_never_served_from_the_readers_cache(client, comment):
    page(client, comment)
    member = MemberFactory(display_name="Mira Member")
    client.force_login(member)
    assert "Mira Member" in page(client, comment)


def test_pages_go_out_compressed(client, comment):
    response = client.get(comment.topic.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "The first word." in gzip.decompress(response.content).decode()


# Every change, against a warm cache


def test_a_new_comment_shows_at_once(client, comment, committed):
    page(client, comment)
    with committed():
        post_comment(author=MemberFactory(), topic=comment.topic, body="A brand new comment.")
    assert "A brand new comment." in page(client, comment)


def test_an_edit_shows_at_once(client, comment, committed):
    page(client, comment)
    with committed():
        edit_comment(editor=comment.author, comment=comment, body="The corrected word.")
    html = page(client, comment)
    assert "The corrected word." in html and "The first word." not in html


def test_a_deleted_comment_leaves_at_once(client, comment, committed):
    page(client, comment)
    with committed():
        delete_comment(member=comment.author, comment=comment)
    assert "The first word." not in page(client, comment)


def test_a_helpful_mark_shows_at_once(client, comment, committed):
    page(client, comment)
    with committed():
        toggle_helpful(member=MemberFactory(), comment=comment)
    assert "1 found this helpful" in page(client, comment)


def test_a_moderators_hide_shows_at_once(client, comment, committed):
    page(client, comment)
    with committed():
        moderate_comment(moderator=ModeratorFactory(), comment=comment, action="hide", reason="Off-topic.")
    assert "The first word." not in page(client, comment)


def test_flags_that_hide_a_comment_show_at_once(client, comment, committed):
    page(client, comment)
    with committed():
        for _ in range(ModerationSettings.load().flag_threshold):
            flag_comment(member=MemberFactory(), comment=comment, reason=Flag.Reason.SPAM)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.HIDDEN
    assert "The first word." not in page(client, comment)


def test_a_ballot_shows_at_once_on_the_results_page(client, comment, committed):
    factor = FactorFactory(article=comment.topic.article, name="Trust")
    results = reverse("forum:results", args=[comment.topic.article.slug])
    assert "No votes yet" in client.get(results).content.decode()
    with committed():
        cast_ballot(member=MemberFactory(), article=factor.article, ranking=[factor])
    assert "No votes yet" not in client.get(results).content.decode()


def test_an_admins_edit_of_the_topic_shows_at_once(client, comment, committed):
    page(client, comment)
    admin = AdminFactory()
    client.force_login(admin)
    topic = comment.topic
    change = reverse("admin:forum_topic_change", args=[topic.pk])
    form = client.get(change).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"title": "A retitled topic", "article": topic.article_id, "position": topic.position})
    for prefix in ("subsections",):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    with committed():
        client.post(change, data)
    client.logout()
    assert "A retitled topic" in page(client, comment)


def test_an_admins_edit_of_a_factor_shows_at_once(client, comment, committed):
    factor = FactorFactory(article=comment.topic.article, name="Trust")
    results = reverse("forum:results", args=[factor.article.slug])
    client.get(results)
    with committed():
        factor.name = "Mutual trust"
        factor.save()
    assert "Mutual trust" in client.get(results).content.decode()


# Another process


def run_elsewhere(code: str) -> None:
    """Run `code` in another Python process with this one's settings: another app server."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "diplomacy.settings",
        "DJANGO_SHARED_STATE_PATH": str(getattr(shared.counters, "path", "")),
    }
    script = "import django; django.setup()\n" + textwrap.dedent(code)
    subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, check=True, timeout=60)


def test_a_change_in_another_process_makes_this_ones_pages_fresh(client, comment):
    page(client, comment)
    before = content_version()
    # The other server's edit, as it is in the database:
    Comment.objects.filter(pk=comment.pk).update(body_html="<p>Changed elsewhere.</p>", edited_at=timezone.now())
    run_elsewhere("from forum.caching import bump_content_version; bump_content_version()")
    assert content_version() != before
    assert "Changed elsewhere." in page(client, comment)


def test_rate_limits_count_what_other_processes_counted(db):
    member = MemberFactory()
    run_elsewhere(f"""
        from forum.ratelimit import count_action
        for _ in range(5):
            count_action("comment", {member.pk})
    """)
    with pytest.raises(RateLimited, match="5 comments a minute"):
        count_action("comment", member.pk)


def test_moderation_settings_reach_other_processes_at_once(db):
    settings_row = ModerationSettings.load()
    assert settings_row.flag_threshold == 3
    ModerationSettings.objects.filter(pk=1).update(flag_threshold=7)  # as the other server saved them
    run_elsewhere("from forum.caching import bump_content_version; bump_content_version()")
    assert ModerationSettings.load().flag_threshold == 7
