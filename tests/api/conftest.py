"""What the API tests share: a published article with a topic and factors, a class with a teacher and a pupil's
class account, and a client for each role: with a token, or (for a pupil, who gets none) a session."""

import pytest
from django.test import Client

from forum.services.api import create_api_token
from tests.factories import (
    ClassroomFactory,
    FactorFactory,
    MemberFactory,
    MembershipFactory,
    ModeratorFactory,
    SubsectionFactory,
)


@pytest.fixture
def topic(db):
    subsection = SubsectionFactory(anchor="trust")
    for factor in FactorFactory.create_batch(3, article=subsection.topic.article):
        factor.topics.add(subsection.topic)
    return subsection.topic


@pytest.fixture
def classroom(topic):
    return ClassroomFactory(article=topic.article, teacher=MemberFactory(display_name="Ms Teacher"))


@pytest.fixture
def pupil(classroom):
    """A class account, as a teacher makes one: a full name for the class, first name and initial in public."""
    member = MemberFactory(
        first_name="Pauline", last_name="Pupilova", display_name="Pauline P.", created_by=classroom.teacher
    )
    MembershipFactory(classroom=classroom, member=member)
    return member


def token_client(user) -> Client:
    _, secret = create_api_token(member=user, name="tests")
    client = Client(headers={"authorization": f"Bearer {secret}"})
    client.user, client.secret = user, secret
    return client


@pytest.fixture
def as_role(classroom, pupil):
    """`as_role(role)`: a client for anonymous, member, pupil (a session: class accounts get no token),
    teacher (of `classroom`) or moderator; `client.user` is who."""

    def make(role):
        if role == "anonymous":
            client = Client()
            client.user = None
            return client
        if role == "pupil":
            client = Client()
            client.force_login(pupil)
            client.user = pupil
            return client
        user = {"member": MemberFactory, "teacher": lambda: classroom.teacher, "moderator": ModeratorFactory}[role]()
        return token_client(user)

    return make


ROLES = ["anonymous", "member", "pupil", "teacher", "moderator"]
