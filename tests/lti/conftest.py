import pytest
import responses

from tests.lti.platform import FakePlatform


@pytest.fixture
def platform(db, article):
    """A registered platform, answering the tool's calls; the shipped article is what classes discuss."""
    platform = FakePlatform()
    platform.registration = platform.register()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        platform.serve(rsps)
        yield platform


@pytest.fixture
def course(client, platform):
    """The course's class, made by its instructor's first launch."""
    response = platform.launch(
        client, sub="teacher-1", roles=[platform_roles.INSTRUCTOR], given_name="Ada", family_name="Lovelace"
    )
    assert response.status_code == 302, response.content
    client.logout()
    from forum.models import LtiCourse

    return LtiCourse.objects.select_related("classroom__teacher").get()


class platform_roles:  # noqa: N801  (a namespace)
    from tests.lti.platform import INSTRUCTOR, LEARNER, MENTOR
