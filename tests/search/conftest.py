"""What the search tests share: a topic with a section, a class on its article, and reading results."""

import pytest

from forum.models import ModerationSettings
from forum.selectors.search import parse_query, search_entries
from tests.factories import (
    AdminFactory,
    ArticleFactory,
    ClassroomFactory,
    MemberFactory,
    MembershipFactory,
    ModeratorFactory,
    SubsectionFactory,
    TopicFactory,
)


@pytest.fixture
def topic(db):
    ModerationSettings.load()
    topic = TopicFactory(article=ArticleFactory(is_published=True), title="Trust between the powers")
    SubsectionFactory(topic=topic, title="Back channels", anchor="back-channels", body="Quiet diplomacy works.")
    return topic


@pytest.fixture
def classroom(topic):
    return ClassroomFactory(article=topic.article, name="10B")


@pytest.fixture
def student(classroom):
    return MembershipFactory(classroom=classroom, member=MemberFactory(display_name="Sam Student")).member


@pytest.fixture
def pupil(classroom):
    """A class account: made by the teacher, shown as first name and initial."""
    pupil = MemberFactory(created_by=classroom.teacher, display_name="Zoë M.", must_change_password=False)
    MembershipFactory(classroom=classroom, member=pupil)
    return pupil


@pytest.fixture
def viewer_in(classroom, student):
    """`viewer_in(role)`: a member in that role towards the class (None: anonymous)."""

    def make(role):
        return {
            "teacher": lambda: classroom.teacher,
            "student": lambda: student,
            "other_student": lambda: MembershipFactory(classroom=ClassroomFactory(article=classroom.article)).member,
            "member": MemberFactory,
            "moderator": ModeratorFactory,
            "admin": AdminFactory,
            "anonymous": lambda: None,
        }[role]()

    return make


def found(viewer, text, **filters):
    """(kind, object id) of what `viewer` (None: anonymous) finds for `text`, best first."""
    from django.contrib.auth.models import AnonymousUser

    entries = search_entries(viewer=viewer or AnonymousUser(), terms=parse_query(text), **filters)
    return [(entry.kind, entry.object_id) for entry in entries]


def comment_hit(comment):
    return ("comment", comment.pk)


def set_rules(**values):
    """Change the moderation settings as the admin does (save: the cached copy goes stale with it)."""
    rules = ModerationSettings.load()
    for name, value in values.items():
        setattr(rules, name, value)
    rules.save()
