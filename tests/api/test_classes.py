"""A teacher's token reads their class's results and roster, for a school's own tools; nobody else's does."""

import pytest
from django.test import Client
from django.urls import reverse

from forum.services.voting import cast_ballot
from tests.api.conftest import token_client
from tests.factories import AdminFactory, ClassroomFactory, CommentFactory, MembershipFactory

# The class's teacher alone (and a site admin); a stranger, a pupil and a moderator learn nothing (404).
TEACHER_ONLY = [("anonymous", 401), ("member", 404), ("pupil", 404), ("teacher", 200), ("moderator", 404)]


@pytest.mark.parametrize(("role", "expected"), TEACHER_ONLY)
@pytest.mark.parametrize("endpoint", ["api:class_results", "api:class_roster"])
def test_only_the_classs_teacher_reads_its_results_and_roster(as_role, classroom, role, expected, endpoint):
    assert as_role(role).get(reverse(endpoint, args=[classroom.pk])).status_code == expected


def test_a_site_admin_reads_any_classs_roster(classroom, pupil):
    assert token_client(AdminFactory()).get(reverse("api:class_roster", args=[classroom.pk])).status_code == 200


def test_a_teachers_token_never_reads_another_teachers_class(as_role, classroom):
    other = ClassroomFactory(article=classroom.article)
    teacher = as_role("teacher")
    assert teacher.get(reverse("api:class_roster", args=[other.pk])).status_code == 404
    assert teacher.get(reverse("api:class_results", args=[other.pk])).status_code == 404


def test_the_roster_has_what_the_teachers_roster_shows(as_role, classroom, pupil, topic):
    CommentFactory(topic=topic, author=pupil, classroom=classroom, body="One two three", word_count=3)
    cast_ballot(member=pupil, article=topic.article, ranking=list(topic.article.factors.all()[:2]))
    (row,) = as_role("teacher").get(reverse("api:class_roster", args=[classroom.pk])).json()
    assert row["full_name"] == "Pauline Pupilova"
    assert (row["comments"], row["replies"], row["words"], row["ballot"]) == (1, 0, 3, "yes")
    assert row["last_active"] is not None
    assert row["locked_out"] is False


def test_the_class_results_stand_beside_everyones(as_role, classroom, pupil, topic):
    first, second, _ = topic.article.factors.order_by("pk")
    cast_ballot(member=pupil, article=topic.article, ranking=[first, second])
    data = as_role("teacher").get(reverse("api:class_results", args=[classroom.pk])).json()
    assert data["class_name"] == classroom.name
    assert data["class_results"]["voters"] == 1
    # A teacher's untrusted class accounts do not count in everyone's results (forum/selectors/voting.py).
    assert data["everyone"]["voters"] == 0
    assert data["comparison"][0]["factor"]["id"] == first.pk
    assert data["comparison"][0]["class_share"] > 0


@pytest.mark.parametrize("pupils", [1, 20])  # the same cost for a small class or a big one
def test_the_roster_costs_the_same_whatever_the_classs_size(classroom, django_assert_num_queries, pupils):
    MembershipFactory.create_batch(pupils, classroom=classroom)
    client = token_client(classroom.teacher)
    # the token and its member, the class, the roster
    with django_assert_num_queries(3):
        response = client.get(reverse("api:class_roster", args=[classroom.pk]))
    assert len(response.json()) == pupils


def test_a_pupils_session_is_refused_the_roster_of_their_own_class(classroom, pupil):
    client = Client()
    client.force_login(pupil)
    assert client.get(reverse("api:class_roster", args=[classroom.pk])).status_code == 404
