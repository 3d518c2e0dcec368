"""The teacher's course page: the roster from the platform (NRPS), what counts as taking part, and the
participation scores sent to the course's gradebook (AGS), checked as the platform receives them."""

import json

import jwt
import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import Ballot, Classroom, LtiCourse, Membership, User
from forum.services.lti import phase_changed
from tests.classes.conftest import TEACHER_ONLY
from tests.conftest import SESSION_QUERIES
from tests.factories import AdminFactory, CommentFactory, MemberFactory, MembershipFactory, ModeratorFactory
from tests.lti.platform import INSTRUCTOR, LEARNER


def member(sub, given, family, status="Active", roles=(LEARNER,)):
    return {
        "user_id": sub,
        "given_name": given,
        "family_name": family,
        "name": f"{given} {family}",
        "status": status,
        "roles": list(roles),
    }


@pytest.fixture
def teacher_client(client, course):
    client.force_login(course.classroom.teacher)
    return client


# Who may see and use the page


@pytest.fixture
def act_as(client, course):
    def login(role):
        user = {
            "teacher": lambda: course.classroom.teacher,
            "student": lambda: MembershipFactory(classroom=course.classroom).member,
            "other_student": lambda: MembershipFactory(classroom=ClassroomOf(course)).member,
            "member": MemberFactory,
            "moderator": ModeratorFactory,
            "anonymous": lambda: None,
        }[role]()
        if user is not None:
            client.force_login(user)
        return client

    return login


def ClassroomOf(course):  # noqa: N802  (another class on the same article)
    from tests.factories import ClassroomFactory

    return ClassroomFactory(article=course.classroom.article)


@pytest.mark.parametrize(("role", "expected"), TEACHER_ONLY)
def test_the_course_page_is_the_teachers_alone(act_as, course, role, expected):
    response = act_as(role).get(reverse("lti:course", args=[course.classroom.pk]))
    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("action", ["lti:course_sync", "lti:course_grades", "lti:course_rule"])
@pytest.mark.parametrize(("role", "expected"), TEACHER_ONLY[1:])
def test_only_the_teacher_may_sync_send_or_change_the_rule(act_as, course, platform, action, role, expected):
    response = act_as(role).post(reverse(action, args=[course.classroom.pk]), {"min_comments": 0, "min_replies": 0})
    assert response.status_code == 302 if expected == "login" else 404
    assert platform.scores == [] and platform.token_requests == []


def test_an_admin_may_open_any_course_page(client, course):
    client.force_login(AdminFactory())
    assert client.get(reverse("lti:course", args=[course.classroom.pk])).status_code == 200


def test_a_class_that_is_not_from_a_course_has_no_course_page(client, db):
    from tests.factories import ClassroomFactory

    classroom = ClassroomFactory()
    client.force_login(classroom.teacher)
    assert client.get(reverse("lti:course", args=[classroom.pk])).status_code == 404


@pytest.mark.parametrize("pupils", [1, 8])  # the same cost for 1 or 8 pupils
def test_the_course_page_reads_in_the_same_queries_for_one_or_many_pupils(
    teacher_client, course, django_assert_num_queries, pupils
):
    MembershipFactory.create_batch(pupils, classroom=course.classroom)
    # user, the class, the course with its context and registration, the participation rows, unread notifications
    with django_assert_num_queries(5 + SESSION_QUERIES):
        response = teacher_client.get(reverse("lti:course", args=[course.classroom.pk]))
    assert response.status_code == 200 and len(response.context["rows"]) == pupils


# Names and Roles: the roster


def check_token_request(request: dict, platform) -> None:
    """An OAuth2 client-credentials request with a JWT assertion signed by the tool's key (its JWKS's)."""
    from jwcrypto.jwk import JWK
    from lti_tool.models import Key

    assert request["grant_type"] == "client_credentials"
    assert request["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    public = JWK.from_pem(Key.objects.get().public_key.encode()).export_to_pem()
    assertion = jwt.decode(request["client_assertion"], public, algorithms=["RS256"], audience=platform.token_url)
    assert assertion["iss"] == assertion["sub"] == platform.client_id
    assert assertion["iat"] <= assertion["exp"] and assertion["jti"]


def test_syncing_the_roster_adds_learners_as_class_accounts_and_removes_those_who_left(
    teacher_client, platform, course
):
    platform.members = [
        member("learner-1", "Zoë", "Martin"),
        member("learner-2", "Ivan", "Petrov"),
        member("teacher-1", "Ada", "Lovelace", roles=[INSTRUCTOR]),
    ]
    response = teacher_client.post(reverse("lti:course_sync", args=[course.classroom.pk]), follow=True)
    assert "2 added, 0 removed" in response.content.decode()
    pupils = User.objects.filter(memberships__classroom=course.classroom, memberships__removed_at=None)
    assert sorted(p.public_name for p in pupils) == ["Ivan P.", "Zoë M."]
    assert all(p.is_class_account and not p.has_usable_password() and not p.email for p in pupils)
    assert (
        platform.token_requests[0]["scope"]
        == "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
    )
    check_token_request(platform.token_requests[0], platform)

    platform.members[1]["status"] = "Inactive"
    response = teacher_client.post(reverse("lti:course_sync", args=[course.classroom.pk]), follow=True)
    assert "0 added, 1 removed, 1 already here" in response.content.decode()
    assert (
        not Membership.objects.active().filter(classroom=course.classroom, member__lti_users__sub="learner-2").exists()
    )


def test_a_pupil_who_comes_by_launch_after_the_sync_keeps_the_same_account(client, platform, course):
    platform.members = [member("learner-1", "Zoë", "Martin")]
    client.force_login(course.classroom.teacher)
    client.post(reverse("lti:course_sync", args=[course.classroom.pk]))
    client.logout()
    platform.launch(client, sub="learner-1", roles=[LEARNER])
    assert User.objects.filter(lti_users__sub="learner-1").count() == 1


def test_a_platform_that_does_not_answer_the_roster_is_a_message_not_an_error(teacher_client, platform, course):
    course.context.memberships_url = "https://moodle.school.test/broken"
    course.context.save()
    response = teacher_client.post(reverse("lti:course_sync", args=[course.classroom.pk]), follow=True)
    assert response.status_code == 200
    assert "did not answer with the roster" in response.content.decode()


# Assignment and Grades: participation scores


def pupils(platform, client, course, *subs):
    people = []
    for sub in subs:
        platform.launch(client, sub=sub, roles=[LEARNER], given_name=sub.title(), family_name="Test")
        people.append(User.objects.get(lti_users__sub=sub))
    client.force_login(course.classroom.teacher)
    return people


def test_scores_count_taking_part_as_the_teacher_chose_it(client, platform, course, article):
    keen, quiet = pupils(platform, client, course, "learner-1", "learner-2")
    classroom = course.classroom

    Ballot.objects.create(member=keen, article=article, version=1, is_current=False)
    classroom.phase_one_ended_at = timezone.now()
    classroom.save()
    Ballot.objects.create(member=keen, article=article, version=2)
    topic = article.topics.first()
    first = CommentFactory(author=keen, topic=topic, classroom=classroom)
    CommentFactory(author=keen, topic=topic, classroom=classroom)
    CommentFactory(
        author=keen,
        topic=topic,
        classroom=classroom,
        parent=CommentFactory(author=quiet, topic=topic, classroom=classroom),
    )
    assert first

    response = client.post(reverse("lti:course_grades", args=[classroom.pk]), follow=True)
    assert "gradebook for 2 pupils." in response.content.decode()
    [column] = platform.line_items
    assert (column["label"], column["tag"], column["scoreMaximum"], column["resourceId"]) == (
        "Forum participation",
        "forum-participation",
        4,
        f"forum-class-{classroom.pk}",
    )
    check_token_request(platform.token_requests[-1], platform)
    scores = {score["userId"]: score for score in platform.scores}
    assert scores["learner-1"]["scoreGiven"] == 4 and scores["learner-1"]["activityProgress"] == "Completed"
    assert scores["learner-2"]["scoreGiven"] == 0 and scores["learner-2"]["activityProgress"] == "InProgress"
    assert all(
        s["scoreMaximum"] == 4 and s["gradingProgress"] == "FullyGraded" and s["timestamp"] for s in scores.values()
    )
    assert set(platform.token_requests[-1]["scope"].split()) == {
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    }
    course.refresh_from_db()
    assert course.line_item_url == f"{platform.lineitems_url}/1" and course.grades_sent_at is not None


def test_the_teacher_chooses_what_counts(client, platform, course):
    pupils(platform, client, course, "learner-1")
    client.post(
        reverse("lti:course_rule", args=[course.classroom.pk]),
        {"count_ranked_before": "on", "min_comments": 0, "min_replies": 0},
    )
    client.post(reverse("lti:course_grades", args=[course.classroom.pk]))
    assert [(s["scoreGiven"], s["scoreMaximum"]) for s in platform.scores] == [(0, 1)]


def test_a_rule_where_nothing_counts_is_refused_on_the_form(teacher_client, course):
    response = teacher_client.post(
        reverse("lti:course_rule", args=[course.classroom.pk]), {"min_comments": 0, "min_replies": 0}
    )
    assert response.status_code == 400
    assert "Choose at least one thing" in response.content.decode()


@pytest.mark.parametrize("value", ["-1", "51", "many", ""])
def test_a_bad_minimum_is_a_message_on_the_form(teacher_client, course, value):
    response = teacher_client.post(
        reverse("lti:course_rule", args=[course.classroom.pk]), {"min_comments": value, "min_replies": 1}
    )
    assert response.status_code == 400
    course.refresh_from_db()
    assert course.min_comments == 2


def test_a_pupil_made_in_the_forum_is_reported_not_sent(client, platform, course):
    pupils(platform, client, course, "learner-1")
    MembershipFactory(classroom=course.classroom, member=MemberFactory(display_name="Local Pupil"))
    response = client.post(reverse("lti:course_grades", args=[course.classroom.pk]), follow=True)
    assert "Not sent for pupils who did not come from the course: Local Pupil" in response.content.decode()
    assert [s["userId"] for s in platform.scores] == ["learner-1"]


def test_scores_go_at_the_end_of_a_phase_when_the_teacher_asked(client, platform, course):
    pupils(platform, client, course, "learner-1")
    phase_changed(classroom_id=course.classroom_id)
    assert platform.scores == []  # not asked
    LtiCourse.objects.filter(pk=course.pk).update(send_at_phase_end=True)
    phase_changed(classroom_id=course.classroom_id)
    assert [s["userId"] for s in platform.scores] == ["learner-1"]


def test_moving_the_lesson_on_sends_the_scores(client, platform, course, django_capture_on_commit_callbacks):
    pupils(platform, client, course, "learner-1")
    LtiCourse.objects.filter(pk=course.pk).update(send_at_phase_end=True)
    Classroom.objects.filter(pk=course.classroom_id).update(phase="rank_before")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("forum:class_settings", args=[course.classroom.pk]), {"phase": "discuss"})
    assert [s["userId"] for s in platform.scores] == ["learner-1"]
    assert Classroom.objects.get().phase == "discuss"


def test_a_gradebook_that_refuses_is_a_message_not_an_error(client, platform, course):
    pupils(platform, client, course, "learner-1")
    course.context.lineitems_url = "https://moodle.school.test/broken"
    course.context.save()
    response = client.post(reverse("lti:course_grades", args=[course.classroom.pk]), follow=True)
    assert response.status_code == 200 and "refused the scores" in response.content.decode()
    assert json.dumps(platform.scores) == "[]"


def test_the_class_page_links_its_teacher_to_the_course_page(teacher_client, course):
    page = teacher_client.get(course.classroom.get_absolute_url()).content.decode()
    assert reverse("lti:course", args=[course.classroom.pk]) in page


def test_a_class_not_from_a_course_shows_no_course_link(client, db):
    from tests.factories import ClassroomFactory

    classroom = ClassroomFactory()
    client.force_login(classroom.teacher)
    assert "lti-course-link" not in client.get(classroom.get_absolute_url()).content.decode()
