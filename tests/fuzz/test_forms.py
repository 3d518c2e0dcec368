"""Every form class of forum/forms.py, fuzzed: validating never raises, and what a valid form lets
through fits the database: no control characters, no text longer than its box allows; a model form's
valid data saves (on PostgreSQL too)."""

import inspect

import pytest
from django import forms
from django.db import transaction
from django.http import QueryDict
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from forum import forms as forum_forms
from forum.models import Classroom, FaqEntry, Topic
from forum.validators import CONTROL_CHARACTERS
from tests.fuzz.strategies import payload

PASSWORD = "correct horse battery staple"  # tests.factories.MemberFactory's


def login_request(w):
    request = RequestFactory().post("/accounts/login/")
    request.user = w.member
    return request


def ranks(w):
    return {f"rank_{factor.pk}": str(rank) for rank, factor in enumerate(w.factors, start=1)}


# form class: (its constructor's arguments, a valid form's data), both from the world.
FORMS = {
    forum_forms.LoginForm: (
        lambda w: {"request": login_request(w)},
        lambda w: {"username": w.member.username, "password": PASSWORD},
    ),
    forum_forms.AdminLoginForm: (
        lambda w: {"request": login_request(w)},
        lambda w: {"username": w.moderator.username, "password": PASSWORD},
    ),
    forum_forms.SignupForm: (
        lambda w: {},
        lambda w: {
            "username": "newcomer",
            "email": "new@example.org",
            "display_name": "New Comer",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
        },
    ),
    forum_forms.AccountSettingsForm: (
        lambda w: {"instance": w.member},
        lambda w: {"display_name": "Renamed", "email": "r@example.org"},
    ),
    forum_forms.CommentForm: (
        lambda w: {"subsections": [w.subsection], "prompts": [w.prompt]},
        lambda w: {"body": "A fair point.", "anchor": str(w.subsection.pk), "prompt": str(w.prompt.pk)},
    ),
    forum_forms.ReplyForm: (lambda w: {}, lambda w: {"body": "I agree."}),
    forum_forms.EditForm: (lambda w: {}, lambda w: {"body": "Edited."}),
    forum_forms.FlagForm: (lambda w: {}, lambda w: {"reason": "other", "note": "An advert."}),
    forum_forms.BallotForm: (
        lambda w: {"factors": [(factor, None) for factor in w.factors]},
        lambda w: {**ranks(w), "reason": "It decides the rest."},
    ),
    forum_forms.ProposeFactorForm: (lambda w: {}, lambda w: {"name": "Energy markets", "description": "Gas."}),
    forum_forms.ClassForm: (
        lambda w: {"articles": type(w.article).objects.all()},
        lambda w: {"name": "10B", "article": str(w.article.pk)},
    ),
    forum_forms.JoinForm: (lambda w: {}, lambda w: {"code": w.other_class.join_code}),
    forum_forms.PromptForm: (
        lambda w: {
            "faqs": FaqEntry.objects.filter(article=w.article),
            "topics": Topic.objects.filter(article=w.article),
        },
        lambda w: {"text": "What changed?", "faq": str(w.faq.pk), "topic": str(w.topic.pk)},
    ),
    forum_forms.RemovePromptForm: (
        lambda w: {"prompts": Classroom.objects.get(pk=w.classroom.pk).prompts.all()},
        lambda w: {"remove": str(w.prompt.pk)},
    ),
    forum_forms.PupilAccountsForm: (lambda w: {}, lambda w: {"names": "Ann Lee\nBo Chan"}),
    forum_forms.GradingRuleForm: (
        lambda w: {},
        lambda w: {"count_ranked_before": "on", "min_comments": "2", "min_replies": "1", "send_at_phase_end": "on"},
    ),
    forum_forms.DeepLinkForm: (
        lambda w: {"targets": [("class", "The class's page"), (f"topic:{w.topic.slug}", w.topic.title)]},
        lambda w: {"target": f"topic:{w.topic.slug}"},
    ),
    forum_forms.ChoosePasswordForm: (
        lambda w: {"user": w.pupil},
        lambda w: {
            "old_password": PASSWORD,
            "new_password1": "a new pass phrase 42",
            "new_password2": "a new pass phrase 42",
        },
    ),
    forum_forms.ApiTokenForm: (lambda w: {}, lambda w: {"name": "class tools"}),
    forum_forms.SearchForm: (
        lambda w: {},
        lambda w: {
            "q": "peace talks",
            "topic": str(w.topic.pk),
            "author": w.author.public_name,
            "date_from": "2026-01-01",
            "date_to": "2026-12-31",
        },
    ),
}


def form_classes() -> set[type]:
    return {
        value
        for value in vars(forum_forms).values()
        if inspect.isclass(value) and issubclass(value, forms.BaseForm) and value.__module__ == forum_forms.__name__
    }


def test_every_form_class_is_fuzzed():
    assert form_classes() == set(FORMS)


def querydict(body: dict) -> QueryDict:
    """The body as a browser sends it: a field given several values keeps them all."""
    query = QueryDict(mutable=True)
    for key, value in body.items():
        query.setlist(key, [str(item) for item in value] if isinstance(value, list) else [str(value)])
    return query


def build(form_class, world, data):
    arguments, _ = FORMS[form_class]
    return form_class(data=data, **arguments(world))


@pytest.mark.parametrize("form_class", sorted(FORMS, key=lambda cls: cls.__name__), ids=lambda cls: cls.__name__)
def test_each_forms_example_is_valid(world, form_class):
    form = build(form_class, world, FORMS[form_class][1](world))
    assert form.is_valid(), form.errors


def texts(value):
    """The strings in a cleaned value (lists of names, for one)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from texts(item)


@pytest.mark.parametrize("form_class", sorted(FORMS, key=lambda cls: cls.__name__), ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_valid_form_data_fits_the_database(world, form_class, data):
    fields = FORMS[form_class][1](world)
    body = data.draw(payload(fields, {}, world.ids()), label="data")
    with transaction.atomic():
        form = build(form_class, world, querydict(body))
        if form.is_valid():
            for name, value in form.cleaned_data.items():
                field = form.fields.get(name)
                if field is None or isinstance(field.widget, forms.PasswordInput):
                    continue  # passwords are hashed, never shown
                for text in texts(value):
                    assert not CONTROL_CHARACTERS.search(text), f"{name} let {text!r} through"
                    if getattr(field, "max_length", None):
                        assert len(text) <= field.max_length, f"{name} let {len(text)} characters through"
            if hasattr(form, "save"):
                form.save()  # the database takes what the form let through
        transaction.set_rollback(True)
