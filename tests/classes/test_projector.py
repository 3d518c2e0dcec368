"""The projector page: the join code, link and QR code in big type, who has joined, the live results.

It is the teacher's tool for the room's screen: it shows the join code, which students do not see
either, so site moderators get a 404 like any other outsider.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.services.voting import cast_ballot
from tests.classes.conftest import outcome
from tests.factories import (
    ClassroomFactory,
    FactorFactory,
    MembershipFactory,
)


@pytest.fixture
def classroom(db):
    return ClassroomFactory(name="10B", join_code="K7DP3QX")


def projector_url(classroom):
    return reverse("forum:class_projector", args=[classroom.pk])


@pytest.mark.parametrize(
    "role, expected",
    [
        ("teacher", 200),
        ("student", 404),
        ("other_student", 404),
        ("member", 404),
        ("anonymous", "login"),
        ("moderator", 404),
        ("admin", 200),
    ],
)
def test_only_the_teacher_opens_the_projector_page(act_as, classroom, role, expected):
    assert outcome(act_as(role).get(projector_url(classroom))) == expected


def test_projector_shows_the_code_spaced_for_reading(act_as, classroom):
    html = act_as("teacher").get(projector_url(classroom)).content.decode()
    assert '<p class="projector-code" id="projector-code">K7D P3QX</p>' in html


def test_join_link_uses_the_address_the_teacher_opened_the_page_with(act_as, classroom, settings):
    settings.ALLOWED_HOSTS = ["192.168.1.20"]

    html = act_as("teacher").get(projector_url(classroom), HTTP_HOST="192.168.1.20:8000").content.decode()

    assert "http://192.168.1.20:8000/classes/join/K7DP3QX/" in html


def test_projector_draws_the_qr_code_as_inline_svg(act_as, classroom):
    html = act_as("teacher").get(projector_url(classroom)).content.decode()
    assert '<svg viewBox="0 0 ' in html and 'class="qr-code"' in html
    assert "<title>QR code of the join link for 10B</title>" in html


def test_projector_counts_the_students_who_joined(act_as, classroom, student):
    MembershipFactory(classroom=classroom)
    MembershipFactory(classroom=classroom, removed_at=timezone.now())  # removed: not counted

    html = act_as("teacher").get(projector_url(classroom)).content.decode()

    assert '<span class="projector-count" id="projector-count">2</span> students joined' in html


def test_closed_class_says_so_instead_of_showing_the_code(act_as, classroom):
    classroom.is_open = False
    classroom.save()

    html = act_as("teacher").get(projector_url(classroom)).content.decode()

    assert "This class is closed to joining" in html
    assert "K7D P3QX" not in html and "/classes/join/K7DP3QX/" not in html and "<svg" not in html


@pytest.fixture
def voted(classroom, student):
    factors = [FactorFactory(article=classroom.article, name=name) for name in ("Trust", "Sanctions")]
    cast_ballot(member=student, article=classroom.article, ranking=factors)
    return factors


def test_results_stay_off_the_projector_until_the_teacher_allows_them(act_as, classroom, voted):
    html = act_as("teacher").get(projector_url(classroom)).content.decode()
    assert "How the class ranks the factors" not in html and "Trust" not in html


def test_projector_shows_the_class_results_when_allowed(act_as, classroom, voted):
    classroom.projector_results = True
    classroom.save()

    html = act_as("teacher").get(projector_url(classroom)).content.decode()

    assert "How the class ranks the factors" in html and "1 of 1 voted" in html
    assert html.index("Trust") < html.index("Sanctions")  # best first
    assert '<span class="bar bar-w-100"></span></span><span class="bar-label">100%</span>' in html


def test_htmx_gets_the_count_and_results_alone(act_as, classroom, student):
    response = act_as("teacher").get(projector_url(classroom), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "students joined" not in html and "student joined" in html
    assert "K7D P3QX" not in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_projector_polls_every_5_seconds_and_has_a_refresh_link(act_as, classroom):
    html = act_as("teacher").get(projector_url(classroom)).content.decode()
    assert f'hx-get="{projector_url(classroom)}" hx-trigger="every 5s"' in html
    assert f'<a href="{projector_url(classroom)}">Refresh</a>' in html
    assert 'http-equiv="refresh"' not in html


def test_teacher_allows_projector_results_in_the_settings(act_as, classroom):
    client = act_as("teacher")

    client.post(reverse("forum:class_settings", args=[classroom.pk]), {"is_open": "on", "projector_results": "on"})
    classroom.refresh_from_db()
    assert classroom.projector_results and classroom.is_open

    client.post(reverse("forum:class_settings", args=[classroom.pk]), {"is_open": "on"})
    classroom.refresh_from_db()
    assert not classroom.projector_results


def test_class_page_links_the_teacher_to_the_projector(act_as, classroom):
    html = act_as("teacher").get(classroom.get_absolute_url()).content.decode()
    assert f'<a href="{projector_url(classroom)}">Open the projector page</a>' in html
    assert 'name="projector_results"' in html
