from io import StringIO

import pytest
from django.core.management import call_command

from forum.models import Classroom, User


@pytest.fixture
def password_file(tmp_path, monkeypatch):
    path = tmp_path / "demo.txt"
    monkeypatch.setattr("forum.management.commands.create_demo_accounts.PASSWORD_FILE", path)
    return path


def test_demo_accounts_are_created_once_and_printed_once(db, password_file):
    first, second = StringIO(), StringIO()
    call_command("create_demo_accounts", stdout=first)
    call_command("create_demo_accounts", stdout=second)
    assert User.objects.count() == 6
    assert "moderator" in first.getvalue() and "student3" in first.getvalue()
    assert "exist already" in second.getvalue()
    rows = [line.split() for line in password_file.read_text().splitlines()]
    admin_password = next(password for role, name, password in rows if name == "admin")
    assert User.objects.get(username="admin").check_password(admin_password)
    assert admin_password not in second.getvalue()


def test_demo_teacher_has_a_class_with_the_students(article, password_file):
    call_command("create_demo_accounts", stdout=StringIO())
    classroom = Classroom.objects.get(teacher__username="teacher")
    assert sorted(classroom.memberships.values_list("member__username", flat=True)) == [
        "student1",
        "student2",
        "student3",
    ]
    assert classroom.join_code in password_file.read_text()


def test_demo_roles_have_the_right_powers(db, password_file):
    call_command("create_demo_accounts", stdout=StringIO())
    assert User.objects.get(username="admin").is_superuser
    moderator = User.objects.get(username="moderator")
    assert moderator.is_staff and not moderator.is_superuser
    assert moderator.groups.filter(name="Moderators").exists()
    assert not User.objects.get(username="student1").is_staff


def test_demo_passwords_can_be_kept_in_another_file(db, password_file, tmp_path):
    other = tmp_path / "prod-demo.txt"
    call_command("create_demo_accounts", "--password-file", str(other), stdout=StringIO())
    assert "admin" in other.read_text()
    assert not password_file.exists()
