"""Pupils' class accounts count in their class's results; in everyone's only once a moderator trusts
their teacher. A class's opinion change is the class's own, whatever outsiders or other classes do."""

from datetime import timedelta

import pytest
from django.utils import timezone

from forum.models import Ballot, ModerationLog
from forum.selectors.classes import class_voter_ids
from forum.selectors.voting import ballot_results, first_choice_reasons, opinion_change
from forum.services.classes import create_pupil_accounts, set_phase
from forum.services.moderation import set_teacher_trust
from forum.services.voting import cast_ballot
from tests.factories import ClassroomFactory, FactorFactory, MemberFactory, MembershipFactory, ModeratorFactory


@pytest.fixture
def classroom(db):
    return ClassroomFactory(name="10B")


@pytest.fixture
def factors(classroom):
    return FactorFactory.create_batch(3, article=classroom.article)


@pytest.fixture
def pupils(classroom):
    made = create_pupil_accounts(teacher=classroom.teacher, classroom=classroom, names=["Ann Ash", "Ben Birch"])
    return [pupil for pupil, _ in made.created]


def rank(member, factors, *order, reason=""):
    return cast_ballot(member=member, article=factors[0].article, ranking=[factors[i] for i in order], reason=reason)


def class_results(classroom):
    return ballot_results(article=classroom.article, voter_ids=class_voter_ids(classroom), label=f"c{classroom.pk}")


def test_untrusted_teachers_pupils_count_in_the_class_but_not_for_everyone(classroom, factors, pupils):
    for pupil in pupils:
        rank(pupil, factors, 2, reason="Because.")
    rank(MemberFactory(), factors, 0)
    assert class_results(classroom).voters == 2
    everyone = ballot_results(article=classroom.article)
    assert everyone.voters == 1
    assert max(everyone.rows, key=lambda row: row.score).factor == factors[0]
    assert not first_choice_reasons(article=classroom.article)


def test_trusting_the_teacher_counts_their_pupils_for_everyone_at_once_and_is_logged(
    classroom, factors, pupils, django_capture_on_commit_callbacks
):
    for pupil in pupils:
        rank(pupil, factors, 2, reason="Because.")
    assert ballot_results(article=classroom.article).voters == 0  # now cached
    moderator = ModeratorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        set_teacher_trust(moderator=moderator, teacher=classroom.teacher, trusted=True, reason="Known school.")
    assert ballot_results(article=classroom.article).voters == 2
    assert [entry.ballot.member.public_name for entry in first_choice_reasons(article=classroom.article)] == [
        "Ben B.",
        "Ann A.",
    ]
    log = ModerationLog.objects.get(action=ModerationLog.Action.TRUST_TEACHER)
    assert log.actor == moderator and log.member == classroom.teacher and log.reason == "Known school."


def test_only_moderators_trust_teachers(classroom):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        set_teacher_trust(moderator=MemberFactory(), teacher=classroom.teacher, trusted=True)
    classroom.teacher.refresh_from_db()
    assert not classroom.teacher.trusted_teacher


def test_class_opinion_change_ignores_outsiders_and_other_classes(classroom, factors):
    students = [MembershipFactory(classroom=classroom).member for _ in range(2)]
    other_class = ClassroomFactory(article=classroom.article)
    others = [MembershipFactory(classroom=other_class).member for _ in range(3)]
    outsiders = [MemberFactory() for _ in range(4)]
    rank(students[0], factors, 0)
    rank(students[0], factors, 1)  # changed: 0 -> 1
    rank(students[1], factors, 0)  # never changed
    for member in others + outsiders:  # everyone else changed too, towards factor 2
        rank(member, factors, 0)
        rank(member, factors, 2)
    change = opinion_change(article=classroom.article, voter_ids=class_voter_ids(classroom), label="class")
    assert change.members == 1
    rows = {factor: (before, after) for factor, before, after in change.rows}
    assert rows[factors[0]] == (100.0, 0.0)
    assert rows[factors[1]] == (0.0, 100.0)
    assert rows[factors[2]] == (0.0, 0.0)


def test_with_phases_the_before_is_the_ranking_at_the_end_of_phase_one(classroom, factors):
    student = MembershipFactory(classroom=classroom).member
    set_phase(teacher=classroom.teacher, classroom=classroom, phase="rank_before")
    rank(student, factors, 0)
    rank(student, factors, 1)  # changed their mind before the discussion: this is their "before"
    Ballot.objects.filter(member=student).update(created_at=timezone.now() - timedelta(minutes=5))
    set_phase(teacher=classroom.teacher, classroom=classroom, phase="discuss")
    rank(student, factors, 2)  # after discussing
    change = opinion_change(
        article=classroom.article,
        voter_ids=class_voter_ids(classroom),
        label="class",
        since=classroom.phase_one_ended_at,
    )
    rows = {factor: (before, after) for factor, before, after in change.rows}
    assert change.members == 1
    assert rows[factors[1]] == (100.0, 0.0) and rows[factors[2]] == (0.0, 100.0) and rows[factors[0]] == (0.0, 0.0)


def test_with_phases_students_who_only_ranked_afterwards_are_left_out(classroom, factors):
    student = MembershipFactory(classroom=classroom).member
    set_phase(teacher=classroom.teacher, classroom=classroom, phase="discuss")
    rank(student, factors, 0)
    rank(student, factors, 1)
    change = opinion_change(
        article=classroom.article,
        voter_ids=class_voter_ids(classroom),
        label="class",
        since=classroom.phase_one_ended_at - timedelta(seconds=1),
    )
    assert change.members == 0
