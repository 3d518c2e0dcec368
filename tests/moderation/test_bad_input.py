"""Moderation reasons that do not fit their column (or carry NUL) are refused with a message, on the site, in
the admin and in the services, instead of a 500 from PostgreSQL; nothing changes and nothing typed is lost."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forum.models import Comment, Factor, ModerationLog, Restriction
from forum.services.moderation import (
    lift_restriction,
    moderate_comment,
    resolve_flags,
    restrict_member,
    set_teacher_trust,
)
from forum.services.voting import decide_factor
from tests.factories import CommentFactory, FactorFactory, MemberFactory, ModeratorFactory

TOO_LONG_FOR_A_DECISION = "x" * 301  # Comment.status_reason and Factor.decision_reason keep 300
BAD_REASONS = [TOO_LONG_FOR_A_DECISION, "Spam\x00", "Bell\x07"]


@pytest.fixture
def moderator(client, db):
    moderator = ModeratorFactory()
    client.force_login(moderator)
    return moderator


@pytest.mark.parametrize("reason", BAD_REASONS)
def test_hiding_from_the_site_with_a_reason_that_does_not_fit_is_refused(client, moderator, reason):
    comment = CommentFactory()
    response = client.post(
        reverse("forum:comment_moderate", args=[comment.pk]), {"decision": "hide", "reason": reason}, follow=True
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert not ModerationLog.objects.exists()


def test_a_too_long_reason_on_the_site_is_an_error_saying_how_long_it_may_be(client, moderator):
    comment = CommentFactory()
    response = client.post(
        reverse("forum:comment_moderate", args=[comment.pk]),
        {"decision": "hide", "reason": TOO_LONG_FOR_A_DECISION},
        follow=True,
    )
    assert (
        '<div class="alert alert-danger">Keep the reason under 300 characters (this one has 301).</div>'
        in response.content.decode()
    )


def test_the_sites_reason_box_allows_as_many_characters_as_the_comment_keeps(client, moderator):
    comment = CommentFactory()
    page = client.get(comment.topic.get_absolute_url()).content.decode()
    assert re.search(rf'id="moderate-reason-{comment.pk}"[^>]* maxlength="300"', page)


def bulk(client, model, action, objects, **extra):
    return client.post(
        reverse(f"admin:forum_{model}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects], **extra},
    )


@pytest.mark.parametrize("reason", BAD_REASONS)
def test_admin_bulk_hide_with_a_reason_that_does_not_fit_asks_again_keeping_the_text(client, moderator, reason):
    comments = CommentFactory.create_batch(2)
    response = bulk(client, "comment", "hide", comments, apply="Hide", reason=reason)
    page = response.content.decode()
    assert response.status_code == 200 and 'class="errornote"' in page
    assert reason.strip("\x00\x07") in page  # what was typed is in the box again
    assert not Comment.objects.filter(status=Comment.Status.HIDDEN).exists()
    assert not ModerationLog.objects.exists()


def test_admin_reason_box_allows_as_many_characters_as_the_column_keeps(client, moderator):
    hide = bulk(client, "comment", "hide", [CommentFactory()]).content.decode()
    lift = bulk(
        client, "restriction", "lift", [Restriction.objects.create(member=MemberFactory(), kind="mute", reason="x")]
    ).content.decode()
    assert 'maxlength="300"' in hide  # Comment.status_reason
    assert 'maxlength="500"' in lift  # ModerationLog.reason


@pytest.mark.parametrize("reason", BAD_REASONS)
def test_rejecting_a_factor_with_a_reason_that_does_not_fit_asks_again(client, moderator, reason):
    factor = FactorFactory(status=Factor.Status.PENDING)
    response = bulk(client, "factor", "reject", [factor], apply="Reject", reason=reason)
    assert response.status_code == 200 and 'class="errornote"' in response.content.decode()
    factor.refresh_from_db()
    assert factor.status == Factor.Status.PENDING


DECISIONS = {
    "moderate_comment": lambda moderator, reason: moderate_comment(
        moderator=moderator, comment=CommentFactory(), action="hide", reason=reason
    ),
    "decide_factor": lambda moderator, reason: decide_factor(
        moderator=moderator, factor=FactorFactory(status=Factor.Status.PENDING), approve=False, reason=reason
    ),
    "resolve_flags": lambda moderator, reason: resolve_flags(
        moderator=moderator, comment=CommentFactory(), outcome="dismissed", reason=reason + "x" * 200
    ),
    "lift_restriction": lambda moderator, reason: lift_restriction(
        moderator=moderator,
        restriction=Restriction.objects.create(member=MemberFactory(), kind="mute", reason="x"),
        reason=reason + "x" * 200,
    ),
    "set_teacher_trust": lambda moderator, reason: set_teacher_trust(
        moderator=moderator, teacher=MemberFactory(), trusted=True, reason=reason + "x" * 200
    ),
    "restrict_member": lambda moderator, reason: restrict_member(
        moderator=moderator, member=MemberFactory(), kind="mute", reason=reason
    ),
}


@pytest.mark.parametrize("reason", BAD_REASONS)
@pytest.mark.parametrize("service", sorted(DECISIONS))
def test_moderation_services_refuse_reasons_that_do_not_fit_and_log_nothing(db, service, reason):
    with pytest.raises(ValidationError):
        DECISIONS[service](ModeratorFactory(), reason)
    assert not ModerationLog.objects.exists()


# Ids that are not ids: the admin's changelist and autocomplete looked them up as they came


@pytest.mark.parametrize("junk", ["abc", "", "²", "-1", "99999999999999999999"])
def test_an_admin_action_on_selected_ids_that_are_not_ids_selects_nothing(client, moderator, junk):
    comment = CommentFactory()
    response = client.post(
        reverse("admin:forum_comment_changelist"),
        {"action": "hide", "_selected_action": [junk], "apply": "Hide", "reason": "Spam."},
        follow=True,
    )
    assert response.status_code == 200  # the list again, as when nothing is selected
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_an_admin_action_on_ids_mixed_with_junk_acts_on_the_ids(client, moderator):
    comment = CommentFactory()
    client.post(
        reverse("admin:forum_comment_changelist"),
        {"action": "hide", "_selected_action": ["abc", comment.pk], "apply": "Hide", "reason": "Spam."},
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN


@pytest.mark.parametrize("member", [":", "abc", "99999999999999999999"])
def test_the_mute_form_with_a_member_that_is_no_id_is_shown_again_with_an_error(client, moderator, member):
    response = client.post(
        reverse("admin:forum_restriction_add"),
        {"member": member, "kind": "mute", "reason": "Insults.", "ends_at_0": "", "ends_at_1": ""},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Restriction.objects.exists()
