import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forum.models import Classroom, Comment, Membership, ModerationLog, Notification, User
from forum.models.classes import JOIN_CODE_ALPHABET
from forum.services.classes import (
    add_prompt,
    create_class,
    create_pupil_accounts,
    join_class,
    regenerate_join_code,
    remove_student,
    reset_pupil_password,
    teacher_of_comment,
    update_class,
)
from forum.services.discussion import post_comment
from forum.services.moderation import moderate_comment
from tests.factories import (
    ArticleFactory,
    ClassroomFactory,
    CommentFactory,
    MemberFactory,
    MembershipFactory,
    TopicFactory,
)


@pytest.fixture
def classroom(db):
    return ClassroomFactory()


def test_any_member_can_create_a_class_with_an_unambiguous_code(db):
    classroom = create_class(teacher=MemberFactory(), name=" 10B ", article=ArticleFactory())
    assert classroom.name == "10B"
    assert re.fullmatch(r"[A-Z2-9]{6,8}", classroom.join_code)
    assert not set(classroom.join_code) & set("01OIL")


def test_join_code_alphabet_has_no_look_alikes():
    assert not set(JOIN_CODE_ALPHABET) & set("0O1lIL")


def test_code_collisions_are_retried(db, monkeypatch):
    taken = ClassroomFactory(join_code="AAAAAAA")
    codes = iter(["AAAAAAA", "AAAAAAA", "BBBBBBB"])
    monkeypatch.setattr("forum.services.classes.new_join_code", lambda: next(codes))
    classroom = create_class(teacher=MemberFactory(), name="X", article=taken.article)
    assert classroom.join_code == "BBBBBBB"


def test_regenerated_code_replaces_the_old_one(classroom):
    old = classroom.join_code
    regenerate_join_code(teacher=classroom.teacher, classroom=classroom)
    assert classroom.join_code != old
    with pytest.raises(ValidationError, match="No class has this code"):
        join_class(member=MemberFactory(), code=old)


def test_join_with_a_code_in_any_case_and_spacing(classroom):
    member = MemberFactory()
    code = classroom.join_code
    join_class(member=member, code=f" {code[:3].lower()} {code[3:]} ")
    assert Membership.objects.filter(classroom=classroom, member=member).exists()


def test_joining_twice_does_nothing(classroom):
    member = MemberFactory()
    first = join_class(member=member, code=classroom.join_code)
    assert join_class(member=member, code=classroom.join_code) == first
    assert Membership.objects.count() == 1


@pytest.mark.parametrize("code, message", [("", "not a join code"), ("0OIL1", "not a join code"),
                                           ("ZZZZZZZ", "No class has this code")])
def test_wrong_codes_get_a_clear_message(classroom, code, message):
    with pytest.raises(ValidationError, match=message):
        join_class(member=MemberFactory(), code=code)


def test_closed_class_refuses_new_members_with_a_clear_message(classroom):
    update_class(teacher=classroom.teacher, classroom=classroom, is_open=False)
    with pytest.raises(ValidationError, match="closed to new members"):
        join_class(member=MemberFactory(), code=classroom.join_code)


def test_only_the_teacher_changes_the_class(classroom):
    with pytest.raises(PermissionDenied):
        update_class(teacher=MemberFactory(), classroom=classroom, is_locked=True)
    with pytest.raises(PermissionDenied):
        regenerate_join_code(teacher=MembershipFactory(classroom=classroom).member, classroom=classroom)


def test_archiving_closes_joining(classroom):
    update_class(teacher=classroom.teacher, classroom=classroom, is_open=True, is_archived=True)
    classroom.refresh_from_db()
    assert classroom.is_archived and not classroom.is_open


# Posting in the class space


@pytest.fixture
def student(classroom):
    return MembershipFactory(classroom=classroom).member


@pytest.fixture
def topic(classroom):
    return TopicFactory(article=classroom.article)


def test_students_post_in_their_class_space(classroom, student, topic):
    comment = post_comment(author=student, topic=topic, body="Class thought.", classroom=classroom)
    assert comment.classroom == classroom


def test_replies_stay_in_their_parents_space(classroom, student, topic):
    parent = post_comment(author=student, topic=topic, body="In class.", classroom=classroom)
    reply = post_comment(author=classroom.teacher, topic=topic, body="Re.", parent=parent)
    assert reply.classroom == classroom
    public = CommentFactory(topic=topic)
    assert post_comment(author=student, topic=topic, body="Re.", parent=public, classroom=classroom).classroom is None


@pytest.mark.parametrize("who", ["member", "other_student", "removed"])
def test_outsiders_cannot_post_in_a_class_space(classroom, student, topic, who):
    author = {
        "member": MemberFactory,
        "other_student": lambda: MembershipFactory(classroom=ClassroomFactory(article=classroom.article)).member,
        "removed": lambda: student,
    }[who]()
    if who == "removed":
        remove_student(teacher=classroom.teacher, classroom=classroom, student=student)
    with pytest.raises(PermissionDenied):
        post_comment(author=author, topic=topic, body="Sneaking in.", classroom=classroom)


def test_locked_class_is_read_only_for_students_not_the_teacher(classroom, student, topic):
    update_class(teacher=classroom.teacher, classroom=classroom, is_locked=True)
    with pytest.raises(PermissionDenied, match="locked"):
        post_comment(author=student, topic=topic, body="Hi", classroom=classroom)
    assert post_comment(author=classroom.teacher, topic=topic, body="Notes", classroom=classroom)


def test_archived_class_is_read_only_for_everyone(classroom, student, topic):
    update_class(teacher=classroom.teacher, classroom=classroom, is_archived=True)
    for author in (student, classroom.teacher):
        with pytest.raises(PermissionDenied, match="archived"):
            post_comment(author=author, topic=topic, body="Hi", classroom=classroom)


def test_class_space_is_for_its_own_article(classroom, student):
    with pytest.raises(ValidationError, match="another article"):
        post_comment(author=student, topic=TopicFactory(), body="Hi", classroom=classroom)


def test_removing_a_student_keeps_their_comments_and_tells_them(classroom, student, topic,
                                                                django_capture_on_commit_callbacks):
    comment = post_comment(author=student, topic=topic, body="Mine.", classroom=classroom)
    with django_capture_on_commit_callbacks(execute=True):
        remove_student(teacher=classroom.teacher, classroom=classroom, student=student)
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert "removed you" in Notification.objects.get(recipient=student).text
    with pytest.raises(ValidationError, match="removed you"):
        join_class(member=student, code=classroom.join_code)


# The teacher moderates the class space


def test_teacher_hides_a_class_comment_and_it_is_logged(classroom, student, topic):
    comment = post_comment(author=student, topic=topic, body="Rude.", classroom=classroom)
    moderate_comment(moderator=classroom.teacher, comment=comment, action="hide", reason="Be kind.",
                     allowed=teacher_of_comment(comment))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert ModerationLog.objects.get().actor == classroom.teacher


def test_teacher_has_no_power_outside_their_class(classroom, topic):
    public = CommentFactory(topic=topic)
    other = CommentFactory(topic=topic, classroom=ClassroomFactory(article=classroom.article))
    for comment in (public, other):
        with pytest.raises(PermissionDenied):
            moderate_comment(moderator=classroom.teacher, comment=comment, action="hide", reason="x",
                             allowed=teacher_of_comment(comment))


# Prompts and pupil accounts


def test_prompt_from_the_faq_takes_its_question(classroom):
    from forum.models import FaqEntry

    faq = FaqEntry.objects.create(article=classroom.article, question="Why?", anchor="why", answer="Because.")
    assert add_prompt(teacher=classroom.teacher, classroom=classroom, faq=faq).text == "Why?"
    with pytest.raises(ValidationError):
        add_prompt(teacher=classroom.teacher, classroom=classroom, text="  ")


def test_pupil_accounts_join_the_class_and_must_choose_a_password(classroom):
    created = create_pupil_accounts(teacher=classroom.teacher, classroom=classroom,
                                    names=["Ana Lima", "Ana Lima", "  ", "Bo"])
    assert [pupil.username for pupil, _ in created] == ["ana.lima", "ana.lima2", "bo"]
    for pupil, password in created:
        assert pupil.check_password(password)
        assert pupil.must_change_password and pupil.email == ""
        assert Membership.objects.filter(classroom=classroom, member=pupil).exists()


def test_at_most_40_pupil_accounts_at_a_time(classroom):
    with pytest.raises(ValidationError, match="At most 40"):
        create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=[f"P{n}" for n in range(41)])
    assert not User.objects.filter(must_change_password=True).exists()


def test_teacher_resets_only_their_own_pupils_passwords(classroom):
    (pupil, old), = create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["Cy"])
    pupil.must_change_password = False
    pupil.save()
    new = reset_pupil_password(teacher=classroom.teacher, classroom=classroom, pupil=pupil)
    pupil.refresh_from_db()
    assert pupil.check_password(new) and not pupil.check_password(old) and pupil.must_change_password
    with pytest.raises(PermissionDenied):
        reset_pupil_password(teacher=classroom.teacher, classroom=classroom,
                             pupil=MembershipFactory(classroom=classroom).member)
    with pytest.raises(PermissionDenied):
        reset_pupil_password(teacher=MemberFactory(), classroom=classroom, pupil=pupil)


def test_only_the_teacher_creates_pupil_accounts(classroom, student):
    with pytest.raises(PermissionDenied):
        create_pupil_accounts(teacher=student, classroom=classroom, names=["X"])
    assert not Classroom.objects.exclude(pk=classroom.pk).exists()


def test_guessing_join_codes_is_slowed_down(classroom):
    from forum.ratelimit import RateLimited

    member = MemberFactory()
    for _ in range(10):
        with pytest.raises(ValidationError):
            join_class(member=member, code="ZZZZZZZ")
    with pytest.raises(RateLimited, match="10 join attempts"):
        join_class(member=member, code=classroom.join_code)
