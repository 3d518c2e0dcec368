"""A class's exports download under the class's own name, in any script."""

import pytest

from tests.browser.helpers import log_in
from tests.factories import ClassroomFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", ["Café 5", "Класс 5"])
def test_the_teacher_saves_the_roster_under_the_class_name(page, db, name):
    classroom = ClassroomFactory(name=name)
    log_in(page, classroom.teacher)
    page.goto(classroom.get_absolute_url())
    with page.expect_download() as download:
        page.get_by_role("link", name="roster", exact=True).click()
    assert download.value.suggested_filename == f"class-{classroom.pk}-{name}-roster.csv"
