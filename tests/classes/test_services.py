import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forum.models import Ballot, Classroom, Comment, Flag, Membership, ModerationLog, Notification, Restriction, User
from forum.models.classes import JOIN_CODE_ALPHABET
from forum.services.classes import (
    add_prompt,
    create_class,
    create_pupil_accounts,
    join_class,
    regenerate_join_code,
    remove_student,
    reset_pupil_password,
    set_phase,
    teacher_of_comment,
    update_class,
)
from forum.services.discussion import delete_comment, edit_comment, flag_comment, post_comment, toggle_helpful
from forum.services.moderation import moderate_comment
from forum.services.voting import cast_ballot, propose_factor
from tests.factories import (
    ArticleFactory,
    ClassroomFactory,
    CommentFactory,
    FactorFactory,
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


@pytest.mark.parametrize(
    "code, message", [("", "not a join code"), ("0OIL1", "not a join code"), ("ZZZZZZZ", "No class has this code")]
)
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


def test_removing_a_student_keeps_their_comments_and_tells_them(
    classroom, student, topic, django_capture_on_commit_callbacks
):
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
    moderate_comment(
        moderator=classroom.teacher,
        comment=comment,
        action="hide",
        reason="Be kind.",
        allowed=teacher_of_comment(comment),
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
    assert ModerationLog.objects.get().actor == classroom.teacher


def test_teacher_has_no_power_outside_their_class(classroom, topic):
    public = CommentFactory(topic=topic)
    other = CommentFactory(topic=topic, classroom=ClassroomFactory(article=classroom.article))
    for comment in (public, other):
        with pytest.raises(PermissionDenied):
            moderate_comment(
                moderator=classroom.teacher,
                comment=comment,
                action="hide",
                reason="x",
                allowed=teacher_of_comment(comment),
            )


# Prompts and pupil accounts


def test_prompt_from_the_faq_takes_its_question(classroom):
    from forum.models import FaqEntry

    faq = FaqEntry.objects.create(article=classroom.article, question="Why?", anchor="why", answer="Because.")
    assert add_prompt(teacher=classroom.teacher, classroom=classroom, faq=faq).text == "Why?"
    with pytest.raises(ValidationError):
        add_prompt(teacher=classroom.teacher, classroom=classroom, text="  ")


def test_pupil_accounts_join_the_class_and_must_choose_a_password(classroom):
    created = create_pupil_accounts(
        teacher=classroom.teacher, classroom=classroom, names=["Ana Lima", "Ana Lima", "  ", "Bo"]
    ).created
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
    ((pupil, old),) = create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["Cy"]).created
    pupil.must_change_password = False
    pupil.save()
    new = reset_pupil_password(teacher=classroom.teacher, classroom=classroom, pupil=pupil)
    pupil.refresh_from_db()
    assert pupil.check_password(new) and not pupil.check_password(old) and pupil.must_change_password
    with pytest.raises(PermissionDenied):
        reset_pupil_password(
            teacher=classroom.teacher, classroom=classroom, pupil=MembershipFactory(classroom=classroom).member
        )
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


@pytest.mark.parametrize(
    "name, username",
    [
        ("Łukasz Nowak", "lukasz.nowak"),
        ("Ayşe Yılmaz", "ayse.yilmaz"),
        ("Δημήτρης Παππάς", "dimitris.pappas"),
        ("Иван Петров", "ivan.petrov"),
        ("Zoë  Martin-Dubois", "zoe.martin.dubois"),
    ],
)
def test_pupil_usernames_keep_every_letter_in_ascii(classroom, name, username):
    ((pupil, _),) = create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=[name]).created
    assert pupil.username == username


def test_pupils_are_shown_by_first_name_and_initial_and_the_teacher_keeps_the_full_name(classroom):
    ((pupil, _),) = create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["Zoë Martin"]).created
    assert pupil.public_name == "Zoë M." and str(pupil) == "Zoë M."
    assert pupil.full_name == "Zoë Martin"
    assert pupil.is_class_account


def test_names_already_in_the_class_are_reported_not_created_again(classroom):
    create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["Ana Lima", "Bo"])
    made = create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["ana  LIMA", "Cy"])
    assert made.already_in_class == ["ana LIMA"]
    assert [pupil.full_name for pupil, _ in made.created] == ["Cy"]
    assert classroom.memberships.count() == 3


def test_a_teacher_creates_at_most_120_pupil_accounts_a_day(classroom):
    for batch in range(3):
        create_pupil_accounts(
            teacher=classroom.teacher, classroom=classroom, names=[f"Pupil {batch}-{n}" for n in range(40)]
        )
    with pytest.raises(ValidationError, match="120 pupil accounts a day: 0 more today"):
        create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["One More"])
    assert User.objects.filter(created_by=classroom.teacher).count() == 120


def test_a_muted_teacher_cannot_create_pupil_accounts(classroom):
    Restriction.objects.create(member=classroom.teacher, kind="mute", reason="Spam.")
    with pytest.raises(PermissionDenied):
        create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["X"])
    assert not classroom.memberships.exists()


# Class accounts write only in their classes


@pytest.fixture
def pupil(classroom):
    return create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["Pia Pupil"]).created[0][0]


def test_a_class_account_cannot_post_in_public(pupil, topic):
    with pytest.raises(PermissionDenied, match="class account"):
        post_comment(author=pupil, topic=topic, body="Hello world")
    assert not Comment.objects.exists()


def test_a_class_account_posts_in_its_class(pupil, topic, classroom):
    assert post_comment(author=pupil, topic=topic, body="Hello class", classroom=classroom).classroom == classroom


def test_a_class_account_cannot_flag_or_mark_public_comments(pupil, topic):
    public = CommentFactory(topic=topic)
    with pytest.raises(PermissionDenied):
        flag_comment(member=pupil, comment=public, reason="spam")
    with pytest.raises(PermissionDenied):
        toggle_helpful(member=pupil, comment=public)
    assert not public.flags.exists() and not public.helpful_marks.exists()


def test_a_class_account_cannot_propose_a_factor(pupil, classroom):
    with pytest.raises(PermissionDenied):
        propose_factor(member=pupil, article=classroom.article, name="Weather", description="Rain.")
    assert not classroom.article.factors.exists()


# Lock and archive stop every write in the class


@pytest.fixture
def class_comment(classroom, topic, student):
    return CommentFactory(topic=topic, classroom=classroom, author=student)


@pytest.mark.parametrize("switch", ["is_locked", "is_archived"])
def test_a_read_only_class_takes_no_edit_delete_mark_or_flag(classroom, class_comment, student, switch):
    classmate = MembershipFactory(classroom=classroom).member
    update_class(teacher=classroom.teacher, classroom=classroom, **{switch: True})
    writes = [
        lambda: edit_comment(editor=student, comment=class_comment, body="Changed"),
        lambda: delete_comment(member=student, comment=class_comment),
        lambda: toggle_helpful(member=classmate, comment=class_comment),
        lambda: flag_comment(member=classmate, comment=class_comment, reason="spam"),
        lambda: post_comment(author=classmate, topic=class_comment.topic, parent=class_comment, body="Re"),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied):
            write()
    class_comment.refresh_from_db()
    assert class_comment.body != "Changed" and class_comment.status == Comment.Status.PUBLISHED
    assert not class_comment.flags.exists() and not class_comment.helpful_marks.exists()


def test_locking_with_rankings_stops_the_students_ranking_too(classroom, student):
    factor = FactorFactory(article=classroom.article)
    update_class(teacher=classroom.teacher, classroom=classroom, is_locked=True)
    cast_ballot(member=student, article=classroom.article, ranking=[factor])  # rankings stay open by default
    update_class(teacher=classroom.teacher, classroom=classroom, is_locked=True, lock_rankings=True)
    with pytest.raises(PermissionDenied, match="locked the ranking"):
        cast_ballot(member=student, article=classroom.article, ranking=[factor], reason="Changed my mind")
    assert Ballot.objects.filter(member=student).count() == 1


# Flags in a class go to the teacher


def test_classmates_flags_do_not_hide_a_class_comment_and_the_teacher_is_told(
    classroom, class_comment, django_capture_on_commit_callbacks
):
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            flag_comment(member=MembershipFactory(classroom=classroom).member, comment=class_comment, reason="abuse")
    class_comment.refresh_from_db()
    assert class_comment.status == Comment.Status.PUBLISHED
    told = Notification.objects.filter(recipient=classroom.teacher, comment=class_comment)
    assert told.count() == 5 and "was flagged" in told.first().text


def test_the_teacher_keeps_a_flagged_class_comment_and_the_flags_are_dismissed(classroom, class_comment):
    flag_comment(member=MembershipFactory(classroom=classroom).member, comment=class_comment, reason="abuse")
    moderate_comment(
        moderator=classroom.teacher, comment=class_comment, action="approve", allowed=teacher_of_comment(class_comment)
    )
    assert class_comment.flags.get().status == Flag.Status.DISMISSED


# Phases


def test_leaving_the_first_phase_records_the_moment_and_starting_again_clears_it(classroom):
    set_phase(teacher=classroom.teacher, classroom=classroom, phase="rank_before")
    assert classroom.phase_one_ended_at is None
    set_phase(teacher=classroom.teacher, classroom=classroom, phase="discuss")
    ended = classroom.phase_one_ended_at
    assert ended is not None
    set_phase(teacher=classroom.teacher, classroom=classroom, phase="rank_again")
    assert classroom.phase_one_ended_at == ended
    set_phase(teacher=classroom.teacher, classroom=classroom, phase="rank_before")
    assert classroom.phase_one_ended_at is None


def test_only_the_teacher_moves_the_phases(classroom, student):
    with pytest.raises(PermissionDenied):
        set_phase(teacher=student, classroom=classroom, phase="discuss")
    with pytest.raises(ValidationError):
        set_phase(teacher=classroom.teacher, classroom=classroom, phase="party")
