"""Writes and rules for classes: creating, joining, the teacher's controls, pupil accounts."""

import re
import secrets
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from forum.models import Article, Classroom, Comment, FaqEntry, Membership, Notification, Prompt, Topic, User
from forum.models.classes import JOIN_CODE_ALPHABET, new_join_code
from forum.ratelimit import count_action
from forum.services.accounts import can_moderate, ensure_can_write
from forum.services.voting import invalidate_results

MAX_PUPIL_ACCOUNTS = 40
CODE_ATTEMPTS = 20


# Who may do what


def is_teacher(member: User, classroom: Classroom) -> bool:
    return member.is_authenticated and classroom.teacher_id == member.pk


def is_student(member: User, classroom: Classroom) -> bool:
    return member.is_authenticated and classroom.memberships.active().filter(member=member).exists()


def can_see_class(member: User, classroom: Classroom) -> bool:
    """The class's teacher and students, and site moderators and admins."""
    return is_teacher(member, classroom) or can_moderate(member) or is_student(member, classroom)


def ensure_can_see_class(member: User, classroom: Classroom) -> None:
    if not can_see_class(member, classroom):
        raise PermissionDenied("Only the members of this class can see it.")


def ensure_teacher(member: User, classroom: Classroom) -> None:
    """The class's own teacher (or a site admin): no power over other classes."""
    if not (is_teacher(member, classroom) or member.is_superuser):
        raise PermissionDenied("Only the teacher of this class can do this.")


def ensure_can_write_in_class(member: User, classroom: Classroom, topic: Topic) -> None:
    ensure_can_see_class(member, classroom)
    if topic.article_id != classroom.article_id:
        raise ValidationError("This class discusses another article.", code="wrong_article")
    if classroom.is_archived:
        raise PermissionDenied("This class is archived: its discussion is read-only.")
    if classroom.is_locked and not is_teacher(member, classroom):
        raise PermissionDenied("The teacher has locked this class's discussion for now.")


# The teacher's class


def unique_join_code() -> str:
    for _ in range(CODE_ATTEMPTS):
        code = new_join_code()
        if not Classroom.objects.filter(join_code=code).exists():
            return code
    raise RuntimeError("Could not find a free join code.")  # 31^7 codes: only a broken generator gets here


@transaction.atomic
def create_class(*, teacher: User, name: str, article: Article) -> Classroom:
    """Any member becomes a teacher by creating a class."""
    ensure_can_write(teacher)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the class a name, e.g. “10B”."})
    for _ in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Classroom.objects.create(name=name, teacher=teacher, article=article,
                                                join_code=unique_join_code())
        except IntegrityError:  # another class took the same code at the same moment
            continue
    raise RuntimeError("Could not find a free join code.")


@transaction.atomic
def regenerate_join_code(*, teacher: User, classroom: Classroom) -> Classroom:
    """A new code; the old one stops working at once."""
    ensure_teacher(teacher, classroom)
    classroom.join_code = unique_join_code()
    classroom.save(update_fields=["join_code"])
    return classroom


SWITCHES = {"is_open", "is_locked", "is_archived", "results_after_voting", "projector_results"}


@transaction.atomic
def update_class(*, teacher: User, classroom: Classroom, **switches: bool) -> Classroom:
    """Open or close joining, lock or unlock the discussion, archive, hide results until voted."""
    ensure_teacher(teacher, classroom)
    if unknown := set(switches) - SWITCHES:
        raise ValidationError(f"Unknown setting: {', '.join(sorted(unknown))}.")
    for name, value in switches.items():
        setattr(classroom, name, bool(value))
    if classroom.is_archived:
        classroom.is_open = False  # an archived class takes no one new
    classroom.save(update_fields=list(SWITCHES))
    return classroom


# Students


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


@transaction.atomic
def join_class(*, member: User, code: str) -> Membership:
    """Join with a code. Joining twice does nothing; a removed student cannot rejoin by code."""
    ensure_can_write(member)
    count_action("join", member.pk)
    code = normalise_code(code)
    if not code or any(char not in JOIN_CODE_ALPHABET for char in code):
        raise ValidationError({"code": "That is not a join code: codes are 6 to 8 letters and digits."})
    classroom = Classroom.objects.filter(join_code=code).first()
    if classroom is None:
        raise ValidationError({"code": "No class has this code. Check it with your teacher: it may have changed."})
    if classroom.teacher_id == member.pk:
        raise ValidationError({"code": "You teach this class."})
    membership = Membership.objects.filter(classroom=classroom, member=member).first()
    if membership is not None:
        if membership.removed_at is not None:
            raise ValidationError({"code": "Your teacher removed you from this class; ask them to add you back."})
        return membership
    if not classroom.is_open or classroom.is_archived:
        raise ValidationError({"code": "This class is closed to new members. Ask your teacher to open it."})
    transaction.on_commit(partial(invalidate_results, classroom.article_id))  # the class's voters changed
    return Membership.objects.create(classroom=classroom, member=member)


@transaction.atomic
def leave_class(*, member: User, classroom: Classroom) -> None:
    Membership.objects.filter(classroom=classroom, member=member, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    transaction.on_commit(partial(invalidate_results, classroom.article_id))


@transaction.atomic
def remove_student(*, teacher: User, classroom: Classroom, student: User) -> Membership:
    """The student leaves the class; their comments stay, out of the class's view. They are told."""
    ensure_teacher(teacher, classroom)
    membership = Membership.objects.active().get(classroom=classroom, member=student)
    membership.removed_at = timezone.now()
    membership.save(update_fields=["removed_at"])
    transaction.on_commit(partial(invalidate_results, classroom.article_id))
    transaction.on_commit(partial(
        Notification.objects.create, recipient=student, kind=Notification.Kind.CLASS,
        text=f"Your teacher removed you from the class “{classroom.name}”.",
    ))
    return membership


@transaction.atomic
def readmit_student(*, teacher: User, classroom: Classroom, student: User) -> Membership:
    ensure_teacher(teacher, classroom)
    membership = Membership.objects.get(classroom=classroom, member=student)
    membership.removed_at = None
    membership.save(update_fields=["removed_at"])
    transaction.on_commit(partial(invalidate_results, classroom.article_id))
    return membership


# Prompts


@transaction.atomic
def add_prompt(*, teacher: User, classroom: Classroom, text: str = "", faq: FaqEntry | None = None,
               topic: Topic | None = None) -> Prompt:
    ensure_teacher(teacher, classroom)
    text = " ".join((text or "").split()) or (faq.question if faq else "")
    if not text:
        raise ValidationError({"text": "Write a prompt or pick a question from the FAQ."})
    if faq is not None and faq.article_id != classroom.article_id:
        raise ValidationError({"faq": "Pick a question of the class's article."})
    if topic is not None and topic.article_id != classroom.article_id:
        raise ValidationError({"topic": "Pick a topic of the class's article."})
    return Prompt.objects.create(classroom=classroom, text=text[:300], faq=faq, topic=topic)


@transaction.atomic
def remove_prompt(*, teacher: User, prompt: Prompt) -> None:
    ensure_teacher(teacher, prompt.classroom)
    prompt.delete()  # the teacher's own text, not a member's


# Pupil accounts


def one_time_password() -> str:
    return "-".join("".join(secrets.choice(JOIN_CODE_ALPHABET.lower()) for _ in range(4)) for _ in range(3))


def free_username(name: str, taken: set[str]) -> str:
    base = slugify(name).replace("-", ".")[:20] or "pupil"
    candidate, n = base, 1
    while candidate in taken or User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


@transaction.atomic
def create_pupil_accounts(*, teacher: User, classroom: Classroom, names: list[str]) -> list[tuple[User, str]]:
    """Accounts without email for up to 40 pupils, in the class at once; their one-time passwords.

    The passwords are returned once, for the printable sheet, and never stored
    in clear; each pupil chooses a new one at first login.
    """
    ensure_teacher(teacher, classroom)
    names = [" ".join(name.split()) for name in names if name.strip()]
    if not names:
        raise ValidationError({"names": "Paste one name per line."})
    if len(names) > MAX_PUPIL_ACCOUNTS:
        raise ValidationError({"names": f"At most {MAX_PUPIL_ACCOUNTS} names at a time ({len(names)} given)."})
    if too_long := [name for name in names if len(name) > 60]:
        raise ValidationError({"names": f"Keep names under 60 characters: {too_long[0][:30]}…"})
    created, taken = [], set()
    for name in names:
        password = one_time_password()
        pupil = User.objects.create_user(username=free_username(name, taken), password=password, display_name=name,
                                         must_change_password=True, created_by=teacher)
        Membership.objects.create(classroom=classroom, member=pupil)
        created.append((pupil, password))
    transaction.on_commit(partial(invalidate_results, classroom.article_id))
    return created


@transaction.atomic
def reset_pupil_password(*, teacher: User, classroom: Classroom, pupil: User) -> str:
    """A new one-time password for a pupil of the teacher's class (accounts the teacher created)."""
    ensure_teacher(teacher, classroom)
    if pupil.created_by_id != classroom.teacher_id or not classroom.memberships.filter(member=pupil).exists():
        raise PermissionDenied("You can reset the passwords of the pupil accounts you created for this class.")
    password = one_time_password()
    pupil.set_password(password)
    pupil.must_change_password = True
    pupil.save(update_fields=["password", "must_change_password"])
    return password


# The teacher moderates the class space


def teacher_of_comment(comment: Comment):
    """The `allowed` check for moderate_comment when a teacher acts on their class's comments."""

    def allowed(actor: User) -> None:
        if comment.classroom_id is None:
            raise PermissionDenied("Teachers moderate their own class's discussion only.")
        ensure_teacher(actor, comment.classroom)

    return allowed
