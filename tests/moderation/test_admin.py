"""The moderation desk for each kind of staff: moderator, staff outside the group, member, superuser."""

import pytest
from django.urls import reverse

from forum.models import Comment, Flag, ModerationLog, ModerationSettings, Notification, Restriction
from forum.services.discussion import flag_comment
from tests.factories import AdminFactory, CommentFactory, FactorFactory, MemberFactory, ModeratorFactory

ROLES = ["moderator", "staff", "member", "superuser"]
FACTORIES = {
    "moderator": ModeratorFactory,
    "staff": lambda: MemberFactory(is_staff=True),
    "member": MemberFactory,
    "superuser": AdminFactory,
}

MODERATION_PAGES = [
    "admin:forum_moderationqueueitem_changelist",
    "admin:forum_comment_changelist",
    "admin:forum_flag_changelist",
    "admin:forum_restriction_changelist",
    "admin:forum_restriction_add",
    "admin:forum_moderationlog_changelist",
    "admin:forum_factor_changelist",
    "admin:forum_user_changelist",
]
ADMIN_ONLY_PAGES = [
    "admin:forum_article_changelist",
    "admin:forum_topic_changelist",
    "admin:auth_group_changelist",
    "admin:axes_accessattempt_changelist",
]


@pytest.fixture
def login_as(client, db):
    def login(role):
        user = FACTORIES[role]()
        client.force_login(user)
        client.user = user
        return client

    return login


def expected(role, page_kind):
    if role == "member":
        return 302  # to the admin's login page
    if role == "superuser" or (role == "moderator" and page_kind == "moderation"):
        return 200
    return 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", MODERATION_PAGES)
def test_moderation_pages(login_as, role, page):
    assert login_as(role).get(reverse(page)).status_code == expected(role, "moderation")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ADMIN_ONLY_PAGES)
def test_admin_only_pages(login_as, role, page):
    assert login_as(role).get(reverse(page)).status_code == expected(role, "admin")


@pytest.mark.parametrize("role", ROLES)
def test_moderation_settings_are_for_superusers_only(login_as, role):
    ModerationSettings.load()
    url = reverse("admin:forum_moderationsettings_change", args=[1])
    assert login_as(role).get(url).status_code == expected(role, "admin")


def test_moderator_sees_a_member_but_cannot_change_their_password(login_as):
    member = MemberFactory()
    client = login_as("moderator")
    response = client.get(reverse("admin:forum_user_change", args=[member.pk]))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert client.get(reverse("admin:auth_user_password_change", args=[member.pk])).status_code in (403, 404)


def test_moderator_cannot_edit_an_article(login_as, article):
    response = login_as("moderator").post(
        reverse("admin:forum_article_change", args=[article.pk]), {"title": "Vandalised"}
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title != "Vandalised"


def test_admin_index_lists_needs_attention_first_for_moderators(login_as):
    CommentFactory(status=Comment.Status.PENDING)
    html = login_as("moderator").get(reverse("admin:index")).content.decode()
    assert html.index("Needs attention (1)") < html.index("Comments")
    assert "Articles" not in html


# The queue


def test_queue_lists_pending_and_flagged_comments_oldest_first(login_as):
    pending = CommentFactory(status=Comment.Status.PENDING, body="Held for review.")
    flagged = CommentFactory(body="Reported comment.")
    flag_comment(member=MemberFactory(), comment=flagged, reason=Flag.Reason.SPAM, note="Links to a shop")
    CommentFactory(body="Ordinary comment.")
    html = login_as("moderator").get(reverse("admin:forum_moderationqueueitem_changelist")).content.decode()
    assert html.index("Held for review.") < html.index("Reported comment.")
    assert "Ordinary comment." not in html
    assert "Links to a shop" in html and "Spam" in html
    assert f'href="{pending.get_absolute_url()}"' in html


def test_queue_costs_the_same_whatever_its_length(login_as, django_assert_max_num_queries):
    client = login_as("moderator")
    for _ in range(30):
        flag_comment(member=MemberFactory(), comment=CommentFactory(), reason=Flag.Reason.SPAM)
    client.get(reverse("admin:forum_moderationqueueitem_changelist"))
    with django_assert_max_num_queries(12):
        client.get(reverse("admin:forum_moderationqueueitem_changelist"))


@pytest.mark.parametrize(
    "decision, before, after",
    [
        ("approve", Comment.Status.PENDING, Comment.Status.PUBLISHED),
        ("hide", Comment.Status.PENDING, Comment.Status.HIDDEN),
        ("restore", Comment.Status.HIDDEN, Comment.Status.PUBLISHED),
    ],
)
def test_one_click_decisions_from_the_queue(login_as, decision, before, after):
    comment = CommentFactory(status=before)
    client = login_as("moderator")
    response = client.post(
        reverse("admin:forum_moderationqueueitem_decide", args=[comment.pk]),
        {"decision": decision, f"reason-{comment.pk}": "Checked."},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == after
    assert ModerationLog.objects.get(comment=comment).actor == client.user


def test_one_click_hide_without_a_reason_says_why_it_failed(login_as):
    comment = CommentFactory(status=Comment.Status.PENDING)
    client = login_as("moderator")
    response = client.post(
        reverse("admin:forum_moderationqueueitem_decide", args=[comment.pk]), {"decision": "hide"}, follow=True
    )
    assert "Say why the comment is hidden" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.parametrize("role", ["staff", "member"])
def test_one_click_decisions_are_refused_to_others(login_as, role):
    comment = CommentFactory(status=Comment.Status.PENDING)
    login_as(role).post(reverse("admin:forum_moderationqueueitem_decide", args=[comment.pk]), {"decision": "approve"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


# Bulk actions ask for a reason


def bulk(client, changelist, action, objects, *, follow=False, **extra):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    return client.post(reverse(changelist), data, follow=follow)


def test_bulk_hide_asks_for_a_reason_then_hides_all(login_as):
    comments = CommentFactory.create_batch(3)
    client = login_as("moderator")
    first = bulk(client, "admin:forum_comment_changelist", "hide", comments)
    assert first.status_code == 200 and "Reason (required)" in first.content.decode()
    assert not Comment.objects.filter(status=Comment.Status.HIDDEN).exists()
    missing = bulk(client, "admin:forum_comment_changelist", "hide", comments, apply="Hide", reason="")
    assert "Give a reason" in missing.content.decode()
    bulk(client, "admin:forum_comment_changelist", "hide", comments, apply="Hide", reason="Off-topic thread.")
    assert Comment.objects.filter(status=Comment.Status.HIDDEN, status_reason="Off-topic thread.").count() == 3
    assert ModerationLog.objects.filter(action="hide", reason="Off-topic thread.").count() == 3


def test_bulk_restore_reports_comments_it_could_not_restore(login_as):
    hidden, published = CommentFactory(status=Comment.Status.HIDDEN), CommentFactory()
    client = login_as("moderator")
    response = bulk(
        client,
        "admin:forum_comment_changelist",
        "restore",
        [hidden, published],
        apply="Restore",
        reason="",
        follow=True,
    )
    html = response.content.decode()
    assert "Restore: 1 done." in html and "cannot be restored" in html


def test_bulk_dismiss_flags_restores_comments_hidden_by_flags(login_as):
    comment = CommentFactory()
    for _ in range(3):
        flag_comment(member=MemberFactory(), comment=comment, reason=Flag.Reason.ABUSE)
    client = login_as("moderator")
    bulk(client, "admin:forum_flag_changelist", "dismiss", Flag.objects.all(), apply="Dismiss", reason="Fine.")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert not Flag.objects.filter(status=Flag.Status.OPEN).exists()


def test_staff_outside_the_group_cannot_run_actions(login_as):
    comment = CommentFactory()
    client = login_as("staff")
    response = bulk(client, "admin:forum_comment_changelist", "hide", [comment], apply="Hide", reason="x")
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


# Restrictions from the admin


def test_moderator_mutes_a_member_from_the_admin(login_as):
    member = MemberFactory()
    client = login_as("moderator")
    response = client.post(
        reverse("admin:forum_restriction_add"),
        {"member": member.pk, "kind": "mute", "reason": "Insults.", "ends_at_0": "", "ends_at_1": ""},
    )
    assert response.status_code == 302
    restriction = Restriction.objects.get(member=member)
    assert (restriction.kind, restriction.created_by, restriction.ends_at) == ("mute", client.user, None)
    assert ModerationLog.objects.get().action == "mute"


def test_moderator_lifts_a_restriction_early(login_as):
    client = login_as("moderator")
    restriction = Restriction.objects.create(member=MemberFactory(), kind="mute", reason="x")
    bulk(client, "admin:forum_restriction_changelist", "lift", [restriction], apply="Lift early", reason="Sorry.")
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None


# Nothing is deleted


@pytest.mark.parametrize("model", ["comment", "flag", "ballot", "moderationlog", "moderationqueueitem", "restriction"])
def test_nothing_can_be_deleted_even_by_a_superuser(login_as, model):
    client = login_as("superuser")
    response = client.get(reverse(f"admin:forum_{model}_changelist"))
    assert "delete_selected" not in response.content.decode()


def test_the_log_cannot_be_edited_or_deleted(login_as):
    client = login_as("superuser")
    comment = CommentFactory()
    entry = ModerationLog.objects.create(actor=client.user, action="hide", comment=comment, reason="x")
    assert client.get(reverse("admin:forum_moderationlog_delete", args=[entry.pk])).status_code == 403
    assert client.get(reverse("admin:forum_moderationlog_add")).status_code == 403
    response = client.post(reverse("admin:forum_moderationlog_change", args=[entry.pk]), {"reason": "changed"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "x"


def test_settings_changes_are_logged(login_as):
    client = login_as("superuser")
    ModerationSettings.load()
    client.post(
        reverse("admin:forum_moderationsettings_change", args=[1]),
        {
            "pre_moderation": "everything",
            "new_member_comments": 3,
            "held_words": "scam",
            "flag_threshold": 2,
            "members_can_propose_factors": "on",
        },
    )
    rules = ModerationSettings.load()
    assert (rules.pre_moderation, rules.flag_threshold, rules.held_words) == ("everything", 2, "scam")
    assert "flag_threshold" in ModerationLog.objects.get(action="settings").reason


def test_proposed_factor_rejection_is_logged(login_as, django_capture_on_commit_callbacks):
    factor = FactorFactory(status="pending", proposed_by=MemberFactory())
    client = login_as("moderator")
    bulk(client, "admin:forum_factor_changelist", "reject", [factor], apply="Reject", reason="")
    factor.refresh_from_db()
    assert factor.status == "pending"  # a rejection needs a reason
    with django_capture_on_commit_callbacks(execute=True):
        bulk(client, "admin:forum_factor_changelist", "reject", [factor], apply="Reject", reason="Already covered.")
    factor.refresh_from_db()
    assert (factor.status, factor.decision_reason) == ("rejected", "Already covered.")
    assert ModerationLog.objects.get().action == "reject_factor"
    assert "Already covered." in Notification.objects.get(recipient=factor.proposed_by).text


@pytest.mark.parametrize("role, trusted", [("moderator", True), ("superuser", True), ("staff", False)])
def test_who_trusts_a_teacher_from_the_members_list(login_as, role, trusted):
    teacher = MemberFactory()
    client = login_as(role)
    bulk(client, "admin:forum_user_changelist", "trust_teacher", [teacher], apply="Trust", reason="Known school.")
    teacher.refresh_from_db()
    assert teacher.trusted_teacher is trusted
    assert ModerationLog.objects.filter(action="trust_teacher", member=teacher).exists() is trusted


def test_a_superuser_cannot_decide_a_proposal_in_its_change_form(login_as):
    from forum.models import Factor

    factor = FactorFactory(status=Factor.Status.PENDING, proposed_by=MemberFactory())
    client = login_as("superuser")
    change = reverse("admin:forum_factor_change", args=[factor.pk])
    form = client.get(change).context["adminform"].form
    assert "status" not in form.fields
    data = {name: form.initial.get(name) or "" for name in form.fields if name != "topics"}
    client.post(change, {**data, "status": "approved", "article": factor.article_id})
    factor.refresh_from_db()
    assert factor.status == Factor.Status.PENDING  # decided only by the actions, which log and notify
