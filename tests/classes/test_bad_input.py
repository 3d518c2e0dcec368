"""Bad input to the class pages and services: a refusal or a 404, never a 500."""

import pytest
from django.core.exceptions import ValidationError

from forum.models import Classroom, Prompt
from forum.services.classes import add_prompt, create_class
from tests.factories import ArticleFactory, ClassroomFactory, MemberFactory


@pytest.fixture
def classroom(db):
    return ClassroomFactory(name="10B")


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
