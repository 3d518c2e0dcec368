"""Bad input to the class pages and services: a refusal or a 404, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forum.models import Classroom, Prompt
from forum.services.classes import add_prompt, create_class
from tests.factories import ArticleFactory, ClassroomFactory, MemberFactory


@pytest.fixture
def classroom(db):
    return ClassroomFactory(name="10B")


@pytest.mark.parametrize("remove", ["abc", "²", "1.5", "-1", "99999999999999999999"])
def test_removing_a_prompt_with_an_id_that_is_no_prompt_is_a_404_and_keeps_the_prompts(client, classroom, remove):
    prompt = Prompt.objects.create(classroom=classroom, text="Why?")
    client.force_login(classroom.teacher)
    response = client.post(reverse("forum:class_prompt", args=[classroom.pk]), {"remove": remove})
    assert response.status_code == 404
    assert Prompt.objects.filter(pk=prompt.pk).exists()


def test_removing_another_classs_prompt_is_a_404(client, classroom):
    theirs = Prompt.objects.create(classroom=ClassroomFactory(), text="Theirs.")
    client.force_login(classroom.teacher)
    response = client.post(reverse("forum:class_prompt", args=[classroom.pk]), {"remove": theirs.pk})
    assert response.status_code == 404
    assert Prompt.objects.filter(pk=theirs.pk).exists()


def test_removing_a_prompt_by_its_id_still_works(client, classroom):
    prompt = Prompt.objects.create(classroom=classroom, text="Why?")
    client.force_login(classroom.teacher)
    client.post(reverse("forum:class_prompt", args=[classroom.pk]), {"remove": prompt.pk})
    assert not Prompt.objects.exists()


@pytest.mark.parametrize("code", ["ABC%00DEF", "%00", "AB%1BCD"])
def test_a_join_link_with_control_characters_is_a_404(client, db, code):
    client.force_login(MemberFactory())
    assert client.get(f"/classes/join/{code}/").status_code == 404


@pytest.mark.parametrize("name", ["x" * 81, "10\x00B", "10\x07B"])
def test_a_class_name_that_does_not_fit_is_refused(db, name):
    with pytest.raises(ValidationError) as error:
        create_class(teacher=MemberFactory(), name=name, article=ArticleFactory())
    assert "name" in error.value.message_dict
    assert not Classroom.objects.exists()


@pytest.mark.parametrize("text", ["x" * 301, "Why\x00?"])
def test_a_prompt_that_does_not_fit_is_refused_not_cut(classroom, text):
    with pytest.raises(ValidationError) as error:
        add_prompt(teacher=classroom.teacher, classroom=classroom, text=text)
    assert "text" in error.value.message_dict
    assert not Prompt.objects.exists()
