import pytest
from django.urls import reverse

from forum.models import Comment, CommentRevision, Flag, HelpfulMark, Notification, Restriction
from forum.services.discussion import edit_comment
from tests.factories import CommentFactory, MemberFactory, ModeratorFactory, SubsectionFactory

ROLES = ["anonymous", "member", "author", "muted", "moderator"]


@pytest.fixture
def comment(db):
    subsection = SubsectionFactory()
    return CommentFactory(topic=subsection.topic, body="The original text.")


@pytest.fixture
def act_as(client, comment):
    def login(role):
        member = {
            "anonymous": None,
            "member": MemberFactory,
            "author": lambda: comment.author,
            "muted": MemberFactory,
            "moderator": ModeratorFactory,
        }[role]
        if member is not None:
            member = member()
            client.force_login(member)
        if role == "muted":
            Restriction.objects.create(member=member, kind="mute", reason="Cooling off.")
        return client

    return login


def topic_url(comment):
    return comment.topic.get_absolute_url()


def login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


# Reading


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_the_published_discussion(act_as, comment, role):
    response = act_as(role).get(topic_url(comment))
    assert response.status_code == 200
    assert "The original text." in response.content.decode()


def test_anonymous_reader_sees_how_to_join_and_no_comment_form(client, comment):
    html = client.get(topic_url(comment)).content.decode()
    assert "Join the discussion." in html
    assert 'id="comment-form"' not in html


def test_muted_member_sees_why_instead_of_the_form(act_as, comment):
    html = act_as("muted").get(topic_url(comment)).content.decode()
    assert "Your account is muted until further notice: Cooling off." in html
    assert 'id="comment-form"' not in html


# Posting


@pytest.mark.parametrize(
    "role, allowed", [("anonymous", False), ("member", True), ("author", True), ("muted", False), ("moderator", True)]
)
def test_who_may_post_a_comment(act_as, comment, role, allowed):
    url = reverse("forum:comment_create", args=[comment.topic.article.slug, comment.topic.slug])
    response = act_as(role).post(url, {"body": "A new thought."})
    assert Comment.objects.filter(body="A new thought.").exists() is allowed
    if role == "anonymous":
        assert login_redirect(response)
    elif role == "muted":
        assert response.status_code == 403
        assert "Cooling off." in response.content.decode()


def test_posting_without_javascript_redirects_to_the_new_comment(act_as, comment):
    url = reverse("forum:comment_create", args=[comment.topic.article.slug, comment.topic.slug])
    response = act_as("member").post(url, {"body": "Plain form post."})
    new = Comment.objects.get(body="Plain form post.")
    assert response["Location"] == new.get_absolute_url()
    assert act_as("member").get(new.get_absolute_url())["Location"] == f"{topic_url(comment)}#comment-{new.pk}"


def test_posting_with_htmx_returns_the_fresh_form_and_the_new_comment(act_as, comment):
    url = reverse("forum:comment_create", args=[comment.topic.article.slug, comment.topic.slug])
    response = act_as("member").post(url, {"body": "Via **htmx**."}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'hx-swap-oob="afterbegin:#comment-list"' in html
    assert "<strong>htmx</strong>" in html
    assert 'id="comment-form"' in html
    assert '<span class="comment-total" id="thread-count" hx-swap-oob="true">(2 threads)</span>' in html
    assert "<html" not in html


def test_empty_comment_shows_an_error_on_the_form(act_as, comment):
    url = reverse("forum:comment_create", args=[comment.topic.article.slug, comment.topic.slug])
    response = act_as("member").post(url, {"body": "   "})
    assert response.status_code == 200
    assert "Write something before posting." in response.content.decode()


def test_too_long_comment_keeps_what_was_typed(act_as, comment):
    url = reverse("forum:comment_create", args=[comment.topic.article.slug, comment.topic.slug])
    body = "word " * 1001
    response = act_as("member").post(url, {"body": body})
    html = response.content.decode()
    assert "Keep it under 5,000 characters" in html
    assert body.strip()[:100] in html


def test_rate_limited_comment_keeps_the_text_and_says_why(act_as, comment):
    client = act_as("member")
    url = reverse("forum:comment_create", args=[comment.topic.article.slug, comment.topic.slug])
    for n in range(5):
        client.post(url, {"body": f"quick {n}"})
    response = client.post(url, {"body": "sixth in a minute"})
    html = response.content.decode()
    assert "limit of 5 comments a minute" in html
    assert "sixth in a minute" in html
    assert not Comment.objects.filter(body="sixth in a minute").exists()


def test_preview_shows_rendered_text_and_saves_nothing(act_as, comment):
    url = reverse("forum:comment_create", args=[comment.topic.article.slug, comment.topic.slug])
    response = act_as("member").post(url, {"body": "*Preview* me", "preview": "1"})
    html = response.content.decode()
    assert "<em>Preview</em> me" in html
    assert "*Preview* me</textarea>" in html
    assert not Comment.objects.filter(body="*Preview* me").exists()


def test_comment_about_a_subsection_links_to_it_and_is_counted(act_as, comment):
    subsection = comment.topic.subsections.get()
    url = reverse("forum:comment_create", args=[comment.topic.article.slug, comment.topic.slug])
    act_as("member").post(url, {"body": "About that part.", "anchor": subsection.pk})
    assert Comment.objects.get(body="About that part.").anchor == subsection
    html = act_as("member").get(topic_url(comment)).content.decode()
    assert f'href="#{subsection.anchor}">About: {subsection.title}</a>' in html
    assert f'href="?about={subsection.anchor}#discussion">1 comment about this part</a>' in html


def test_unknown_anchor_is_refused_on_the_form(act_as, comment):
    url = reverse("forum:comment_create", args=[comment.topic.article.slug, comment.topic.slug])
    response = act_as("member").post(url, {"body": "Hi", "anchor": SubsectionFactory().pk})
    assert "Select a valid choice" in response.content.decode()
    assert not Comment.objects.filter(body="Hi").exists()


# Replying


@pytest.mark.parametrize(
    "role, allowed", [("anonymous", False), ("member", True), ("author", True), ("muted", False), ("moderator", True)]
)
def test_who_may_reply(act_as, comment, role, allowed):
    response = act_as(role).post(reverse("forum:comment_reply", args=[comment.pk]), {"body": "A reply."})
    assert Comment.objects.filter(body="A reply.", parent=comment).exists() is allowed
    if role == "anonymous":
        assert login_redirect(response)


def test_reply_form_can_start_with_the_quoted_comment(act_as, comment):
    response = act_as("member").get(reverse("forum:comment_reply", args=[comment.pk]) + "?quote=1")
    assert "&gt; The original text." in response.content.decode()


def test_reply_to_a_hidden_comment_is_not_found(act_as, comment):
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)
    response = act_as("member").post(reverse("forum:comment_reply", args=[comment.pk]), {"body": "psst"})
    assert response.status_code == 404
    assert not Comment.objects.filter(body="psst").exists()


def test_deep_replies_stay_under_the_third_level_and_say_whom_they_answer(act_as, comment):
    level2 = CommentFactory(topic=comment.topic, parent=comment)
    level3 = CommentFactory(topic=comment.topic, parent=level2, author=MemberFactory(display_name="Third Level"))
    level4 = CommentFactory(topic=comment.topic, parent=level3, body="Fourth level reply.")
    html = act_as("anonymous").get(topic_url(comment)).content.decode()
    replies_of_level2 = html[html.index(f'id="replies-{level2.pk}"') :]
    assert replies_of_level2.index(f'id="comment-{level3.pk}"') < replies_of_level2.index(f'id="comment-{level4.pk}"')
    assert f'id="replies-{level3.pk}"' not in html  # a reader's page has no empty list under level 3
    assert "in reply to Third Level" in html
    assert 'class="comment-item depth-2"' in html and "depth-3" not in html


# Editing, history, deleting


@pytest.mark.parametrize(
    "role, status", [("anonymous", 302), ("member", 403), ("author", 200), ("muted", 403), ("moderator", 403)]
)
def test_only_the_author_edits(act_as, comment, role, status):
    client = act_as(role)
    url = reverse("forum:comment_edit", args=[comment.pk])
    assert client.get(url).status_code == status
    client.post(url, {"body": "Changed."})
    comment.refresh_from_db()
    assert (comment.body == "Changed.") is (role == "author")


def test_edited_comment_says_so_and_the_history_keeps_earlier_versions(act_as, comment):
    client = act_as("author")
    client.post(reverse("forum:comment_edit", args=[comment.pk]), {"body": "Second thoughts."})
    html = client.get(topic_url(comment)).content.decode()
    assert "Second thoughts." in html and "edited" in html
    history = client.get(reverse("forum:comment_history", args=[comment.pk])).content.decode()
    assert "The original text." in history and "Second thoughts." in history
    assert CommentRevision.objects.filter(comment=comment).count() == 1


@pytest.mark.parametrize(
    "role, status", [("anonymous", 302), ("member", 403), ("author", 200), ("muted", 403), ("moderator", 200)]
)
def test_history_is_for_the_author_and_moderators(act_as, comment, role, status):
    edit_comment(editor=comment.author, comment=comment, body="v2")
    assert act_as(role).get(reverse("forum:comment_history", args=[comment.pk])).status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_only_the_author_deletes(act_as, comment, role):
    act_as(role).post(reverse("forum:comment_delete", args=[comment.pk]))
    comment.refresh_from_db()
    assert (comment.status == Comment.Status.REMOVED) is (role == "author")


def test_deleted_comment_with_replies_leaves_a_placeholder(act_as, comment):
    CommentFactory(topic=comment.topic, parent=comment, body="A reply that stays.")
    act_as("author").post(reverse("forum:comment_delete", args=[comment.pk]))
    html = act_as("anonymous").get(topic_url(comment)).content.decode()
    assert "Comment deleted by its author." in html
    assert "A reply that stays." in html
    assert "The original text." not in html


def test_deleted_comment_without_replies_disappears(act_as, comment):
    act_as("author").post(reverse("forum:comment_delete", args=[comment.pk]))
    html = act_as("anonymous").get(topic_url(comment)).content.decode()
    assert "The original text." not in html
    assert "Comment deleted" not in html
    assert Comment.objects.filter(pk=comment.pk).exists()


# Flags and helpful marks


@pytest.mark.parametrize(
    "role, allowed", [("anonymous", False), ("member", True), ("author", False), ("muted", False), ("moderator", True)]
)
def test_who_may_flag(act_as, comment, role, allowed):
    act_as(role).post(reverse("forum:comment_flag", args=[comment.pk]), {"reason": "spam"})
    assert Flag.objects.filter(comment=comment).exists() is allowed


def test_flag_form_errors_are_shown(act_as, comment):
    response = act_as("member").post(reverse("forum:comment_flag", args=[comment.pk]), {"reason": "other"})
    assert "Say what is wrong with it." in response.content.decode()
    response = act_as("member").post(reverse("forum:comment_flag", args=[comment.pk]), {"reason": "bogus"})
    assert "Select a valid choice" in response.content.decode()


def test_flagging_twice_says_so(act_as, comment):
    client = act_as("member")
    url = reverse("forum:comment_flag", args=[comment.pk])
    client.post(url, {"reason": "spam"})
    assert "already flagged" in client.post(url, {"reason": "abuse"}).content.decode()


@pytest.mark.parametrize(
    "role, allowed", [("anonymous", False), ("member", True), ("author", False), ("muted", False), ("moderator", True)]
)
def test_who_may_mark_helpful(act_as, comment, role, allowed):
    act_as(role).post(reverse("forum:comment_helpful", args=[comment.pk]))
    assert HelpfulMark.objects.filter(comment=comment).exists() is allowed


def test_helpful_with_htmx_returns_the_pressed_button(act_as, comment):
    response = act_as("member").post(reverse("forum:comment_helpful", args=[comment.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'aria-pressed="true"' in html
    assert '<span class="helpful-count">1</span>' in html


def test_get_never_writes(act_as, comment):
    client = act_as("member")
    for name in ("comment_helpful", "comment_delete", "comment_flag"):
        client.get(reverse(f"forum:{name}", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert not HelpfulMark.objects.exists() and not Flag.objects.exists()


# Sorting, pages and permalinks


def test_threads_sort_by_newest_oldest_and_most_helpful(client, comment):
    newer = CommentFactory(topic=comment.topic, body="Newer comment.")
    helpful = CommentFactory(topic=comment.topic, body="Helpful comment.", helpful_count=5)
    url = topic_url(comment)

    def order(sort):
        html = client.get(url, {"sort": sort}).content.decode()
        return sorted([comment.body, newer.body, helpful.body], key=html.index)

    assert order("oldest") == ["The original text.", "Newer comment.", "Helpful comment."]
    assert order("newest") == ["Helpful comment.", "Newer comment.", "The original text."]
    assert order("helpful")[0] == "Helpful comment."
    assert 'href="?sort=newest#discussion"' in client.get(url).content.decode()


def test_threads_are_paginated_by_top_level_comment_with_their_replies(client, comment):
    for _ in range(20):
        CommentFactory(topic=comment.topic)
    reply = CommentFactory(topic=comment.topic, parent=comment, body="Reply on page one.")
    page1 = client.get(topic_url(comment)).content.decode()
    page2 = client.get(topic_url(comment), {"page": 2}).content.decode()
    assert "Reply on page one." in page1 and f"comment-{reply.pk}" not in page2
    assert page1.count('class="comment-item depth-0"') == 20
    assert page2.count('class="comment-item depth-0"') == 1


def test_permalink_opens_the_right_page(client, comment):
    later = [CommentFactory(topic=comment.topic) for _ in range(31)]
    reply = CommentFactory(topic=comment.topic, parent=later[-1])
    assert client.get(reply.get_absolute_url())["Location"] == f"{topic_url(comment)}?page=2#comment-{reply.pk}"
    assert client.get(comment.get_absolute_url())["Location"] == f"{topic_url(comment)}#comment-{comment.pk}"


def test_permalink_of_a_hidden_comment_is_not_found_for_others(act_as, comment):
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN, status_reason="Flagged.")
    assert act_as("member").get(comment.get_absolute_url()).status_code == 404


def test_author_sees_their_hidden_comment_with_the_reason(act_as, comment):
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN, status_reason="Flagged by members.")
    html = act_as("author").get(topic_url(comment)).content.decode()
    assert "The original text." in html
    assert "Hidden from others: Flagged by members." in html


# Notifications and profile


def test_notifications_page_lists_and_marks_read(act_as, comment):
    Notification.objects.create(recipient=comment.author, kind="reply", comment=comment, text="Someone replied.")
    client = act_as("author")
    assert 'id="unread-count">1<' in client.get(topic_url(comment)).content.decode()
    html = client.get(reverse("forum:notifications")).content.decode()
    assert "Someone replied." in html and "New" in html
    assert 'id="unread-count"' not in client.get(topic_url(comment)).content.decode()


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("member", 200), ("muted", 200), ("moderator", 200)])
def test_notifications_page_needs_login(act_as, role, status):
    assert act_as(role).get(reverse("forum:notifications")).status_code == status


def test_profile_lists_the_members_comments_with_links(client, comment):
    CommentFactory(author=comment.author, status=Comment.Status.HIDDEN, body="Hidden one.")
    html = client.get(comment.author.get_absolute_url()).content.decode()
    assert "The original text." in html
    assert f'href="{comment.get_absolute_url()}"' in html
    assert "Hidden one." not in html


def test_email_on_reply_is_a_setting(act_as, comment):
    client = act_as("author")
    client.post(
        reverse("forum:account_settings"), {"display_name": "A", "email": "a@example.org", "email_on_reply": "on"}
    )
    comment.author.refresh_from_db()
    assert comment.author.email_on_reply is True
