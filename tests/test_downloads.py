"""CSV downloads arrive under their own names, whatever the class is called (RFC 6266)."""

import pytest
from django.urls import reverse
from django.utils.http import parse_header_parameters

from forum.csv_export import csv_response
from tests.factories import ClassroomFactory, TopicFactory


def download_name(response) -> str:
    """The file name a browser saves the download as, read as RFC 6266 says (filename* wins)."""
    disposition, parameters = parse_header_parameters(response["Content-Disposition"])
    assert disposition == "attachment"
    return parameters["filename"]


@pytest.fixture
def export(client, db):
    """`export(class name, kind)`: the teacher's download of that class's export."""

    def download(name, kind="roster"):
        classroom = ClassroomFactory(name=name)
        TopicFactory(article=classroom.article)
        client.force_login(classroom.teacher)
        response = client.get(reverse("forum:class_export", args=[classroom.pk, kind]))
        assert response.status_code == 200
        return classroom, response

    return download


@pytest.mark.parametrize("name", ["Café 5", "Класс 5", "五年级"])
def test_a_class_export_downloads_under_the_class_name_in_any_script(export, name):
    classroom, response = export(name)
    assert download_name(response) == f"class-{classroom.pk}-{name}-roster.csv"
    response["Content-Disposition"].encode("ascii")  # the header itself is plain ASCII: the name is encoded


@pytest.mark.parametrize("kind", ["roster", "comments", "results"])
def test_every_class_export_carries_the_encoded_name(export, kind):
    classroom, response = export("Класс 5", kind)
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''class-{classroom.pk}-%D0%9A%D0%BB%D0%B0%D1%81%D1%81%205-{kind}.csv"
    )


def test_an_ascii_name_keeps_the_plain_form_every_browser_reads(export):
    classroom, response = export("10B")
    assert response["Content-Disposition"] == f'attachment; filename="class-{classroom.pk}-10B-roster.csv"'


def test_quotes_in_a_class_name_cannot_end_the_file_name_early(export):
    classroom, response = export('10B"; filename="evil.exe')
    assert download_name(response) == f'class-{classroom.pk}-10B"; filename="evil.exe-roster.csv'


def test_a_line_break_in_a_class_name_cannot_add_a_header(export):
    classroom, response = export("10B\r\nSet-Cookie: sessionid=stolen")
    assert "\n" not in response["Content-Disposition"] and "\r" not in response["Content-Disposition"]
    assert download_name(response) == f"class-{classroom.pk}-10B\r\nSet-Cookie: sessionid=stolen-roster.csv"
    assert not response.cookies


def test_the_results_csv_keeps_its_plain_name(client, article):
    response = client.get(reverse("forum:results_csv", args=[article.slug]))
    assert download_name(response) == f"{article.slug}-factor-results.csv"


def test_csv_response_names_any_download_the_same_way():
    response = csv_response("Résultats 5.csv", ["a"], [["1"]])
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''R%C3%A9sultats%205.csv"
