"""The fuzz tests' settings and the small world they post into.

HYPOTHESIS_PROFILE=thorough runs ten times the examples, for a search by hand.
"""

import os
from dataclasses import dataclass

import pytest
import responses
from hypothesis import HealthCheck, settings
from lti_tool.models import LtiContext

from forum.models import (
    Comment,
    Factor,
    FaqEntry,
    Flag,
    LtiCourse,
    ModerationSettings,
    Prompt,
    Restriction,
    User,
)
from tests.factories import (
    AdminFactory,
    ArticleFactory,
    ClassroomFactory,
    CommentFactory,
    FactorFactory,
    MemberFactory,
    MembershipFactory,
    ModeratorFactory,
    SubsectionFactory,
    TopicFactory,
)
from tests.lti.platform import FakePlatform

# Each example runs in a savepoint rolled back after it (tests/fuzz/harness.py), so the
# function-scoped database is the same for every example; no deadline, as the first
# request of a test pays for the templates.
COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("fuzz", max_examples=25, **COMMON)
settings.register_profile("thorough", max_examples=250, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fuzz"))


@dataclass
class World:
    """One of everything a POST can name, and a member in each role."""

    article: object
    topic: object
    subsection: object
    faq: object
    factors: list
    pending_factor: object
    member: User
    author: User
    moderator: User
    admin: User
    teacher: User
    student: User
    pupil: User
    muted: User
    classroom: object
    other_class: object
    prompt: Prompt
    comment: Comment
    reply: Comment
    hidden: Comment
    pending: Comment
    class_comment: Comment
    flag: Flag
    restriction: Restriction
    platform: FakePlatform  # a learning platform the class's course is on (LTI), answering through `responses`

    def ids(self) -> set[str]:
        """Every object's id, as text: a valid id of the wrong thing is an input too."""
        objects = [value for value in vars(self).values() if hasattr(value, "pk")]
        objects += self.factors
        return {str(obj.pk) for obj in objects}


def lti_course(classroom) -> FakePlatform:
    """The class as a course of a registered platform, whose roster and gradebook calls are answered."""
    platform = FakePlatform()
    platform.registration = platform.register()
    context = LtiContext.objects.create(
        deployment=platform.registration.deployments.get(),
        id_on_platform=platform.context_id,
        title=platform.context_title,
        memberships_url=platform.memberships_url,
        lineitems_url=platform.lineitems_url,
        can_manage_lineitems=True,
        can_publish_scores=True,
    )
    LtiCourse.objects.create(context=context, classroom=classroom)
    return platform


@pytest.fixture
def world(db):
    ModerationSettings.load()
    article = ArticleFactory(is_published=True)
    topic = TopicFactory(article=article)
    subsection = SubsectionFactory(topic=topic)
    faq = FaqEntry.objects.create(article=article, question="Why now?", anchor="why-now", answer="Because.")
    factors = FactorFactory.create_batch(3, article=article, status=Factor.Status.APPROVED)
    member, author = MemberFactory(), MemberFactory()
    teacher = MemberFactory()
    classroom = ClassroomFactory(teacher=teacher, article=article)
    student = MembershipFactory(classroom=classroom).member
    pupil = MemberFactory(created_by=teacher, must_change_password=False)
    MembershipFactory(classroom=classroom, member=pupil)
    muted = MemberFactory()
    moderator = ModeratorFactory()
    comment = CommentFactory(topic=topic, author=author)
    platform = lti_course(classroom)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        platform.serve(rsps)
        yield World(
            platform=platform,
            article=article,
            topic=topic,
            subsection=subsection,
            faq=faq,
            factors=factors,
            pending_factor=FactorFactory(article=article, status=Factor.Status.PENDING, proposed_by=member),
            member=member,
            author=author,
            moderator=moderator,
            admin=AdminFactory(),
            teacher=teacher,
            student=student,
            pupil=pupil,
            muted=muted,
            classroom=classroom,
            other_class=ClassroomFactory(article=article),
            prompt=Prompt.objects.create(classroom=classroom, text="Why?"),
            comment=comment,
            reply=CommentFactory(topic=topic, author=member, parent=comment),
            hidden=CommentFactory(topic=topic, status=Comment.Status.HIDDEN, status_reason="Rude."),
            pending=CommentFactory(topic=topic, status=Comment.Status.PENDING),
            class_comment=CommentFactory(topic=topic, author=student, classroom=classroom),
            flag=Flag.objects.create(comment=comment, member=member, reason=Flag.Reason.SPAM),
            restriction=Restriction.objects.create(
                member=muted, kind=Restriction.Kind.MUTE, reason="Insults.", created_by=moderator
            ),
        )
