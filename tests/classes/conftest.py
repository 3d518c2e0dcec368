"""What the class tests share: a class's student, logging in as each role, reading an answer as a role sees it.

Each test module makes its own `classroom` (with the topics it needs).
"""

import pytest
from django.urls import reverse

from tests.factories import AdminFactory, ClassroomFactory, MemberFactory, MembershipFactory, ModeratorFactory


@pytest.fixture
def student(classroom):
    return MembershipFactory(classroom=classroom, member=MemberFactory(display_name="Sam Student")).member


@pytest.fixture
def act_as(client, classroom, student):
    """`act_as(role)`: the test client logged in as the class's teacher, a student of it, a student of
    another class, a member, a moderator, an admin, or nobody; `client.user` is who."""

    def login(role):
        user = {
            "teacher": lambda: classroom.teacher,
            "student": lambda: student,
            "other_student": lambda: MembershipFactory(classroom=ClassroomFactory(article=classroom.article)).member,
            "member": MemberFactory,
            "moderator": ModeratorFactory,
            "admin": AdminFactory,
            "anonymous": lambda: None,
        }[role]()
        if user is not None:
            client.force_login(user)
        client.user = user
        return client

    return login


# What each role gets from a page of the class: its members and the site's moderators see it.
CLASS_ONLY = [
    ("teacher", 200),
    ("student", 200),
    ("other_student", 404),
    ("member", 404),
    ("anonymous", "login"),
    ("moderator", 200),
]

# What each role gets from a page that is the class's teacher's alone: a stranger learns nothing (404).
TEACHER_ONLY = [
    ("teacher", 200),
    ("student", 404),
    ("other_student", 404),
    ("member", 404),
    ("anonymous", "login"),
    ("moderator", 404),
]


def outcome(response):
    """The status code, or "login" for a redirect to the login page."""
    if response.status_code == 302 and reverse("login") in response["Location"]:
        return "login"
    return response.status_code
