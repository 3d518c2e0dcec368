"""Writes and rules for classes: creating, joining, the teacher's controls, pupil accounts."""

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from anyascii import anyascii
from axes.utils import reset as reset_login_failures
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from forum.caching import content_changed
from forum.models import Article, Classroom, Comment, FaqEntry, Membership, Notification, Prompt, Topic, User
from forum.models.classes import JOIN_CODE_ALPHABET, new_join_code, normalise_code
from forum.models.moderation import ModerationLog
from forum.ratelimit import count_action
from forum.services.accounts import ensure_can_write
from forum.services.notifications import notify
from forum.services.permissions import ensure_teacher
from forum.validators import clean_text

MAX_PUPIL_ACCOUNTS = 40
PUPIL_ACCOUNTS_PER_DAY = 120
PUPIL_NAME_MAX_LENGTH = 60
CODE_ATTEMPTS = 20

# Sent, once committed, when a lesson leaves one phase for the next (`classroom_id`): a course on a learning
# platform gets its participation scores then, if its teacher asked (forum/services/lti.py, connected in apps.py).
lesson_moved_on = Signal()


# The teacher's class


def unique_join_code() -> str:
    for _attempt in range(CODE_ATTEMPTS):
        code = new_join_code()
        if not Classroom.objects.filter(join_code=code).exists():
            return code
    raise RuntimeError("Could not find a free join code.")  # 31^7 codes: only a broken generator gets here


@transaction.atomic
def create_class(*, teacher: User, name: str, article: Article) -> Classroom:
    """Any member becomes a teacher by creating a class."""
    ensure_can_write(teacher)
    name = clean_text(
        " ".join((name or "").split()), column=Classroom._meta.get_field("name"), name="name", label=_("the name")
    )
    if not name:
        raise ValidationError({"name": _("Give the class a name, e.g. “10B”.")})
    for _attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Classroom.objects.create(
                    name=name, teacher=teacher, article=article, join_code=unique_join_code()
                )
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


SWITCHES = {"is_open", "is_locked", "is_archived", "results_after_voting", "lock_rankings", "projector_results"}


@transaction.atomic
def update_class(*, teacher: User, classroom: Classroom, **switches: bool) -> Classroom:
    """Open or close joining, lock or unlock the discussion, archive, hide results until voted."""
    ensure_teacher(teacher, classroom)
    if unknown := set(switches) - SWITCHES:
        raise ValidationError(_("Unknown setting: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    for name, value in switches.items():
        setattr(classroom, name, bool(value))
    if classroom.is_archived:
        classroom.is_open = False  # an archived class takes no one new
    classroom.save(update_fields=list(SWITCHES))
    return classroom


@transaction.atomic
def set_phase(*, teacher: User, classroom: Classroom, phase: str) -> Classroom:
    """Move the lesson on: rank before discussing, discuss, rank again (or no phases).

    Leaving the first phase records the moment, so the class's opinion change
    compares each student's ranking then with their latest.
    """
    ensure_teacher(teacher, classroom)
    if phase not in Classroom.Phase.values:
        raise ValidationError(_("Unknown phase."), code="bad_phase")
    previous = classroom.phase
    if phase == Classroom.Phase.RANK_BEFORE:
        classroom.phase_one_ended_at = None  # starting again: the "before" is not taken yet
    elif phase in (Classroom.Phase.DISCUSS, Classroom.Phase.RANK_AGAIN) and classroom.phase_one_ended_at is None:
        classroom.phase_one_ended_at = timezone.now()
    classroom.phase = phase
    classroom.save(update_fields=["phase", "phase_one_ended_at"])
    if previous and previous != phase:
        transaction.on_commit(partial(lesson_moved_on.send, sender=Classroom, classroom_id=classroom.pk))
    return classroom


# Students


@transaction.atomic
def join_class(*, member: User, code: str) -> Membership:
    """Join with a code. Joining twice does nothing; a removed student cannot rejoin by code."""
    ensure_can_write(member)
    count_action("join", member.pk)
    code = normalise_code(code)
    if not code or any(char not in JOIN_CODE_ALPHABET for char in code):
        raise ValidationError({"code": _("That is not a join code: codes are 6 to 8 letters and digits.")})
    classroom = Classroom.objects.filter(join_code=code).first()
    if classroom is None:
        raise ValidationError({"code": _("No class has this code. Check it with your teacher: it may have changed.")})
    if classroom.teacher_id == member.pk:
        raise ValidationError({"code": _("You teach this class.")})
    membership = Membership.objects.filter(classroom=classroom, member=member).first()
    if membership is not None:
        if membership.removed_at is not None:
            raise ValidationError({"code": _("Your teacher removed you from this class; ask them to add you back.")})
        return membership
    if not classroom.is_open or classroom.is_archived:
        raise ValidationError({"code": _("This class is closed to new members. Ask your teacher to open it.")})
    return Membership.objects.create(classroom=classroom, member=member)


@transaction.atomic
def leave_class(*, member: User, classroom: Classroom) -> None:
    Membership.objects.filter(classroom=classroom, member=member, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    content_changed()  # the class's voters changed (a bulk update sends no signal)


@transaction.atomic
def remove_student(*, teacher: User, classroom: Classroom, student: User) -> Membership:
    """The student leaves the class; their comments stay, out of the class's view. They are told."""
    ensure_teacher(teacher, classroom)
    membership = Membership.objects.active().get(classroom=classroom, member=student)
    membership.removed_at = timezone.now()
    membership.save(update_fields=["removed_at"])
    transaction.on_commit(
        partial(
            notify,
            recipient_id=student.pk,
            kind=Notification.Kind.CLASS,
            text=_("Your teacher removed you from the class “%(name)s”.") % {"name": classroom.name},
        )
    )
    return membership


@transaction.atomic
def readmit_student(*, teacher: User, classroom: Classroom, student: User) -> Membership:
    ensure_teacher(teacher, classroom)
    membership = Membership.objects.get(classroom=classroom, member=student)
    membership.removed_at = None
    membership.save(update_fields=["removed_at"])
    return membership


# Prompts


@transaction.atomic
def add_prompt(
    *, teacher: User, classroom: Classroom, text: str = "", faq: FaqEntry | None = None, topic: Topic | None = None
) -> Prompt:
    ensure_teacher(teacher, classroom)
    ensure_can_write(teacher)
    text = clean_text(
        " ".join((text or "").split()), column=Prompt._meta.get_field("text"), name="text", label=_("the prompt")
    ) or (faq.question if faq else "")
    if not text:
        raise ValidationError({"text": _("Write a prompt or pick a question from the FAQ.")})
    if faq is not None and faq.article_id != classroom.article_id:
        raise ValidationError({"faq": _("Pick a question of the class's article.")})
    if topic is not None and topic.article_id != classroom.article_id:
        raise ValidationError({"topic": _("Pick a topic of the class's article.")})
    return Prompt.objects.create(classroom=classroom, text=text[:300], faq=faq, topic=topic)


@transaction.atomic
def remove_prompt(*, teacher: User, prompt: Prompt) -> None:
    ensure_teacher(teacher, prompt.classroom)
    prompt.delete()  # the teacher's own text, not a member's


# Pupil accounts


def one_time_password() -> str:
    return "-".join("".join(secrets.choice(JOIN_CODE_ALPHABET.lower()) for _letter in range(4)) for _group in range(3))


def pupil_username_base(name: str) -> str:
    """The name in ASCII letters, "first.last": "Łukasz Nowak" is lukasz.nowak, "Δημήτρης Παππάς" dimitris.pappas."""
    return slugify(anyascii(name)).replace("-", ".")[:20].strip(".") or "pupil"


def free_username(name: str, taken: set[str]) -> str:
    base = pupil_username_base(name)
    candidate, n = base, 1
    while candidate in taken or User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


def split_name(name: str) -> tuple[str, str, str]:
    """First name(s), last name, and the public name: first name and initial ("Zoë M.")."""
    *first, last = name.split()
    if not first:
        return last, "", last
    return " ".join(first), last, f"{' '.join(first)} {last[0]}."


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass
class PupilAccounts:
    created: list[tuple[User, str]]  # each pupil with their one-time password
    already_in_class: list[str]  # names the class has already: not created again


@transaction.atomic
def create_pupil_accounts(*, teacher: User, classroom: Classroom, names: list[str]) -> PupilAccounts:
    """Accounts without email for up to 40 pupils, in the class at once; their one-time passwords.

    A name the class already has is reported, not created again, so sending the
    same list twice makes no twins. The passwords are returned once, for the
    printable sheet, and never stored in clear; each pupil chooses a new one at
    first login. Class accounts write only in their classes and are shown in
    public by first name and initial; the full name is for the teacher.
    """
    ensure_teacher(teacher, classroom)
    ensure_can_write(teacher)
    names = [" ".join(name.split()) for name in names if name.strip()]
    if not names:
        raise ValidationError({"names": _("Paste one name per line.")})
    if len(names) > MAX_PUPIL_ACCOUNTS:
        raise ValidationError(
            {
                "names": _("At most %(most)d names at a time (%(given)d given).")
                % {"most": MAX_PUPIL_ACCOUNTS, "given": len(names)}
            }
        )
    if too_long := [name for name in names if len(name) > PUPIL_NAME_MAX_LENGTH]:
        raise ValidationError(
            {
                "names": _("Keep names under %(most)d characters: %(name)s…")
                % {"most": PUPIL_NAME_MAX_LENGTH, "name": too_long[0][:30]}
            }
        )
    if bad := [name for name in names if any(unicodedata.category(char).startswith("C") for char in name)]:
        raise ValidationError(
            {"names": _("This name has characters that cannot be shown: %(name)s.") % {"name": repr(bad[0][:30])}}
        )
    in_class = {
        name_key(member.full_name)
        for member in User.objects.filter(memberships__classroom=classroom, memberships__removed_at=None)
    }
    already = [name for name in names if name_key(name) in in_class]
    names = [name for name in names if name_key(name) not in in_class]
    User.objects.select_for_update().filter(pk=teacher.pk).first()  # one teacher's requests count in turn
    made_today = User.objects.filter(created_by=teacher, date_joined__gte=timezone.now() - timedelta(days=1)).count()
    if made_today + len(names) > PUPIL_ACCOUNTS_PER_DAY:
        left = max(PUPIL_ACCOUNTS_PER_DAY - made_today, 0)
        raise ValidationError(
            {
                "names": _(
                    "A teacher can create %(most)d pupil accounts a day: %(left)d more today. "
                    "Send fewer names, or ask a moderator."
                )
                % {"most": PUPIL_ACCOUNTS_PER_DAY, "left": left}
            }
        )
    created, taken = [], set()
    for name in names:
        password = one_time_password()
        first_name, last_name, public_name = split_name(name)
        pupil = User.objects.create_user(
            username=free_username(name, taken),
            password=password,
            first_name=first_name,
            last_name=last_name,
            display_name=public_name[:60],
            must_change_password=True,
            created_by=teacher,
        )
        Membership.objects.create(classroom=classroom, member=pupil)
        created.append((pupil, password))
    return PupilAccounts(created=created, already_in_class=already)


@transaction.atomic
def reset_pupil_password(*, teacher: User, classroom: Classroom, pupil: User) -> str:
    """A new one-time password for a pupil of the teacher's class (accounts the teacher created)."""
    ensure_teacher(teacher, classroom)
    if pupil.created_by_id != classroom.teacher_id or not classroom.memberships.filter(member=pupil).exists():
        raise PermissionDenied(_("You can reset the passwords of the pupil accounts you created for this class."))
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
            raise PermissionDenied(_("Teachers moderate their own class's discussion only."))
        ensure_teacher(actor, comment.classroom)

    return allowed


# The teacher unlocks a pupil's login


@transaction.atomic
def unlock_pupil(*, teacher: User, classroom: Classroom, pupil: User) -> int:
    """Clear a student's failed logins at every address, so they can log in again at once; logged.

    Returns how many lockout records were cleared.
    """
    ensure_teacher(teacher, classroom)
    if not classroom.memberships.active().filter(member=pupil).exists():
        raise PermissionDenied(_("You can unlock the students of your own class."))
    cleared = reset_login_failures(username=pupil.username)
    ModerationLog.objects.create(
        actor=teacher,
        action=ModerationLog.Action.UNLOCK,
        member=pupil,
        reason=_("Unlocked from the class “%(name)s”.") % {"name": classroom.name},
    )
    return cleared
