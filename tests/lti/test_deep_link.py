"""Deep linking: the instructor picks what the course's activity opens (a topic, the ranking, the class feed);
the signed answer goes back to the platform, and launches of that activity open it."""

import jwt
import pytest
from django.urls import reverse
from jwcrypto.jwk import JWK
from lti_tool.models import Key

from tests.lti.platform import INSTRUCTOR, LEARNER, LTI, deep_linking_claims

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def deep_link_launch(client, platform, sub="teacher-1", roles=(INSTRUCTOR,)):
    return platform.launch(client, sub=sub, roles=roles, **{k: v for k, v in deep_linking_claims().items()})


def test_an_instructors_deep_linking_request_offers_the_class_topics_ranking_and_feed(client, platform, article):
    response = deep_link_launch(client, platform)
    assert response.status_code == 302 and response["Location"] == reverse("lti:deep_link")
    page = client.get(reverse("lti:deep_link"))
    values = [value for value, _ in page.context["form"].fields["target"].choices]
    assert values[0] == "class" and values[-2:] == ["ranking", "feed"]
    assert [v.removeprefix("topic:") for v in values[1:-2]] == list(article.topics.values_list("slug", flat=True))


def test_the_answer_is_signed_by_the_tool_and_names_the_chosen_topic(client, platform, article):
    deep_link_launch(client, platform)
    topic = article.topics.first()
    response = client.post(reverse("lti:deep_link"), {"target": f"topic:{topic.slug}"})
    assert response.status_code == 200
    answer = response.context["answer"]
    assert answer.return_url == "https://moodle.school.test/mod/lti/contentitem_return.php"
    public = JWK.from_pem(Key.objects.get().public_key.encode()).export_to_pem()
    claims = jwt.decode(answer.jwt, public, algorithms=["RS256"], audience=platform.issuer)
    assert claims["iss"] == platform.client_id
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "deployment_id"] == platform.deployment_id
    assert claims[DL + "data"] == "opaque-platform-data"
    [item] = claims[DL + "content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"] == "http://testserver/lti/launch/"
    assert item["title"] == f"Topic: {topic.title}" and item["custom"] == {"forum_target": f"topic:{topic.slug}"}
    # The one form that leaves the site may post to the platform; the page posts it by a static script.
    assert (
        "form-action 'self' https://moodle.school.test/mod/lti/contentitem_return.php"
        in response["Content-Security-Policy"]
    )
    assert 'name="JWT"' in response.content.decode() and "js/lti-deep-link.js" in response.content.decode()


def test_a_target_not_offered_is_a_message_on_the_form(client, platform, article):
    deep_link_launch(client, platform)
    response = client.post(reverse("lti:deep_link"), {"target": "admin"})
    assert response.status_code == 200 and "answer" not in response.context
    assert response.context["form"].errors


@pytest.mark.parametrize(
    ("target", "where"),
    [
        ("ranking", lambda course, article: reverse("forum:ballot", args=[article.slug])),
        ("feed", lambda course, article: reverse("forum:class_feed", args=[course.classroom.pk])),
        ("class", lambda course, article: course.classroom.get_absolute_url()),
        (
            "topic:{slug}",
            lambda course, article: f"{article.topics.first().get_absolute_url()}?space={course.classroom.pk}",
        ),
        ("topic:no-such-topic", lambda course, article: course.classroom.get_absolute_url()),
    ],
)
def test_a_launch_of_a_linked_activity_opens_what_the_instructor_chose(
    client, platform, course, article, target, where
):
    target = target.format(slug=article.topics.first().slug)
    response = platform.launch(client, sub="learner-1", roles=[LEARNER], **{LTI + "custom": {"forum_target": target}})
    assert response["Location"] == where(course, article)


def test_a_learners_deep_linking_request_is_refused(client, platform, course):
    response = deep_link_launch(client, platform, sub="learner-1", roles=[LEARNER])
    assert response.status_code == 403 and "Only the teacher picks activities" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ["anonymous", "member", "pupil", "moderator", "teacher without a request"])
def test_the_deep_link_page_needs_an_instructors_request_in_this_session(client, course, role):
    from tests.factories import MemberFactory, MembershipFactory, ModeratorFactory

    user = {
        "anonymous": lambda: None,
        "member": MemberFactory,
        "pupil": lambda: MembershipFactory(classroom=course.classroom).member,
        "moderator": ModeratorFactory,
        "teacher without a request": lambda: course.classroom.teacher,
    }[role]()
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("lti:deep_link"))
    assert response.status_code == (302 if role == "anonymous" else 404)


def test_a_pupil_with_the_teachers_deep_linking_session_cookie_gets_nothing(client, platform, article):
    """The deep linking page checks the teacher on the server, not only the session's launch."""
    from tests.factories import MembershipFactory

    deep_link_launch(client, platform)
    from forum.models import Classroom

    client.force_login(MembershipFactory(classroom=Classroom.objects.get()).member)
    assert client.post(reverse("lti:deep_link"), {"target": "ranking"}).status_code in (302, 404)
