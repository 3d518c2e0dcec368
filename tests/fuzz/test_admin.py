"""The admin's moderation desk, fuzzed as a moderator uses it: every action that asks for the "moderate"
permission (found from the admin's registry), the queue's decide buttons and the mute/suspend form."""

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from hypothesis import given
from hypothesis import strategies as st

from forum.models import Comment, Factor, Flag, ModerationQueueItem, Restriction, User
from tests.fuzz.harness import post_and_check, refused
from tests.fuzz.strategies import payload, url_value


def moderator_actions() -> list[tuple[type, str]]:
    """(model, action name) of every admin action a moderator may run."""
    return sorted(
        (
            (model, name)
            for model, model_admin in admin.site._registry.items()
            for action, name, _ in model_admin._get_base_actions()
            if "moderate" in getattr(action, "allowed_permissions", ())
        ),
        key=lambda pair: (pair[0]._meta.label, pair[1]),
    )


# What each model's actions may select: the world's objects of that model.
TARGETS = {
    Comment: lambda w: [w.comment, w.reply, w.hidden, w.pending, w.class_comment],
    ModerationQueueItem: lambda w: [w.comment, w.hidden, w.pending],
    Flag: lambda w: [w.flag],
    Restriction: lambda w: [w.restriction],
    Factor: lambda w: [w.pending_factor, *w.factors],
    User: lambda w: [w.teacher, w.member],
}


def action_body(world, model, action) -> dict:
    selected = [str(obj.pk) for obj in TARGETS[model](world)]
    return {"action": action, "_selected_action": selected, "apply": "Go", "reason": "Checked twice."}


def test_every_moderator_action_has_targets():
    assert {model for model, _ in moderator_actions()} <= set(TARGETS)


@pytest.mark.parametrize(
    "model, action", moderator_actions(), ids=lambda value: value if isinstance(value, str) else value._meta.label
)
@given(data=st.data())
def test_moderator_action_never_answers_5xx_and_refusals_change_nothing(client, world, model, action, data):
    body = data.draw(
        payload(action_body(world, model, action), {"select_across": "1", "index": "0"}, world.ids()), label="POST"
    )
    post_and_check(client, world.moderator, changelist(model), body)


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize(
    "model, action", moderator_actions(), ids=lambda value: value if isinstance(value, str) else value._meta.label
)
def test_each_actions_example_is_accepted(client, world, model, action):
    """The valid POST each fuzz test starts from is one the action carries out."""
    response = post_and_check(client, world.moderator, changelist(model), action_body(world, model, action))
    assert response.status_code == 302 and not refused(response)


STANDARD_ADMIN_VIEWS = ("_changelist", "_add", "_change", "_delete", "_history", "_autocomplete")


def custom_admin_views() -> set[str]:
    """The admin's own views beyond Django's standard ones per model, such as the queue's decide button."""
    admin_urls = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "admin")
    return {
        f"admin:{p.name}"
        for p in admin_urls.url_patterns
        if not isinstance(p, URLResolver) and p.name and p.name.startswith("forum_")
    } | {
        f"admin:{p.name}"
        for resolver in admin_urls.url_patterns
        if isinstance(resolver, URLResolver)
        for p in resolver.url_patterns
        if p.name and p.name.startswith("forum_") and not p.name.endswith(STANDARD_ADMIN_VIEWS)
    }


ADMIN_POSTS = {
    "admin:forum_moderationqueueitem_decide": (
        lambda w: {"pk": w.pending.pk},
        lambda w: {"decision": "approve", f"reason-{w.pending.pk}": "Fine."},
    ),
    "admin:forum_restriction_add": (
        lambda w: {},
        lambda w: {
            "member": str(w.member.pk),
            "kind": "mute",
            "reason": "Insults.",
            "ends_at_0": "2999-01-01",
            "ends_at_1": "10:00",
            "_save": "Save",
        },
    ),
}


def test_every_custom_admin_view_is_fuzzed():
    assert custom_admin_views() <= set(ADMIN_POSTS)


@pytest.mark.parametrize("name", sorted(ADMIN_POSTS))
def test_each_desk_forms_example_is_accepted(client, world, name):
    kwargs, fields = ADMIN_POSTS[name]
    response = post_and_check(client, world.moderator, reverse(name, kwargs=kwargs(world)), fields(world))
    assert response.status_code == 302 and not refused(response)


@pytest.mark.parametrize("name", sorted(ADMIN_POSTS))
@given(data=st.data())
def test_moderation_desk_form_never_answers_5xx_and_refusals_change_nothing(client, world, name, data):
    kwargs, fields = ADMIN_POSTS[name]
    pattern_kwargs = {
        key: data.draw(url_value(IntConverter(), valid), label=key) for key, valid in kwargs(world).items()
    }
    body = data.draw(payload(fields(world), {}, world.ids()), label="POST")
    post_and_check(client, world.moderator, reverse(name, kwargs=pattern_kwargs), body)
