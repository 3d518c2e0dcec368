"""LTI 1.3: launches from a learning platform, the course's class, its roster (NRPS) and its gradebook (AGS).

django-lti (`lti_tool`) keeps the platform's registrations and validates launches with pylti1p3: the
id_token's signature against the platform's key set, its state, nonce, audience and deployment. Here we add
what a school needs: a launch from a course lands in one class, instructors teach it, learners are its pupils
(class accounts with no password and no email), and every refused launch says why, in the log and on a page.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt
import requests
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task
from lti_tool.lti_core.constants import ContextRole
from lti_tool.lti_core.utils import normalize_role
from lti_tool.models import Key, LtiLaunch, LtiMembership, LtiRegistration, LtiUser
from lti_tool.services.nrps import fetch_member_data
from lti_tool.utils import DjangoToolConfig, sync_data_from_launch
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.contrib.django import DjangoCacheDataStorage, DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, LtiServiceException, OIDCException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from forum.client_ip import client_ip
from forum.models import Classroom, LtiCourse, LtiLaunchNonce, Membership, User
from forum.ratelimit import RateLimited, count_action
from forum.selectors.content import published_articles
from forum.selectors.lti import Participation, course_participation, frame_origins
from forum.services.classes import create_class, free_username, split_name
from forum.services.permissions import ensure_teacher

logger = logging.getLogger("forum.lti")

LINE_ITEM_TAG = "forum-participation"
NONCES_KEPT = timedelta(days=1)  # as long as pylti1p3 keeps a login's nonce in the cache
AGS_SCOPES = {
    "can_query_lineitems": "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "can_manage_lineitems": "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "can_publish_scores": "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "can_access_results": "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
}
LOOKED_UP_PARAMETERS = ("iss", "client_id", "login_hint", "lti_message_hint", "lti_deployment_id")
# Deep linking: what a course's activity opens, sent back in the link's custom parameters.
TARGET_PARAMETER = "forum_target"


class LaunchRefused(Exception):
    """A launch or login we refuse: `reason` goes to the log (for the administrator), `message` to the page."""

    def __init__(self, reason: str, message: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.message = message or _("The learning platform's request could not be checked, so it was refused.")


def refuse(reason: str, message: str | None = None, **context) -> LaunchRefused:
    logger.warning("LTI launch refused: %s %s", reason, " ".join(f"{k}={v!r}" for k, v in context.items()))
    return LaunchRefused(reason, message)


# The tool's key and the platforms' registrations


def ensure_tool_key() -> Key:
    """The key the tool signs with (its public half is at the JWKS URL); made once, when the first platform is
    registered. `manage.py rotate_keys` (django-lti) makes a new one."""
    key = Key.objects.active().order_by("-datetime_created").first()
    return key or Key.objects.generate()


@transaction.atomic
def register_platform(
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_url: str,
    token_url: str,
    keyset_url: str,
    deployment_ids: list[str],
    audience: str = "",
) -> LtiRegistration:
    """What the admin page does: a platform's registration with its deployments, active, and the tool's key."""
    registration = LtiRegistration(
        name=name,
        issuer=issuer,
        client_id=client_id,
        auth_url=auth_url,
        token_url=token_url,
        keyset_url=keyset_url,
        audience=audience,
    )
    registration.full_clean()
    registration.save()
    for deployment_id in deployment_ids:
        registration.deployments.create(deployment_id=deployment_id, is_active=True)
    ensure_tool_key()
    return registration


# OIDC login initiation and the launch


def launch_storage() -> DjangoCacheDataStorage:
    # The state and nonce of a login wait in the shared cache (Redis with REDIS_URL) until its launch comes back.
    return DjangoCacheDataStorage()


def start_login(request, *, launch_url: str, registration_uuid=None):
    """The platform's login initiation: a redirect to its auth URL with a fresh state (cookie) and nonce.

    No "are cookies allowed" page (pylti1p3's is inline JavaScript, which our CSP forbids): a browser that
    withholds the state cookie gets the refusal page, which says to open the activity in a new window.
    """
    try:
        count_action("lti_login", client_ip(request))
    except RateLimited as error:
        raise refuse("too many logins from one address", " ".join(error.messages)) from error
    if any("\x00" in request.POST.get(name, request.GET.get(name, "")) for name in LOOKED_UP_PARAMETERS):
        raise refuse("a NUL character in the login parameters")  # no database stores it, and no issuer has it
    if not Key.objects.active().exists():
        raise refuse("no tool key: register a platform in the admin first")
    login = DjangoOIDCLogin(request, DjangoToolConfig(registration_uuid), launch_data_storage=launch_storage())
    try:
        return login.redirect(launch_url)
    except OIDCException as error:
        raise refuse(
            f"login initiation: {error}",
            iss=request.POST.get("iss") or request.GET.get("iss"),
            client_id=request.POST.get("client_id") or request.GET.get("client_id"),
        ) from error


def validate_launch(request) -> LtiLaunch:
    """The platform's signed launch, checked by pylti1p3, plus what it leaves out: exp and iat are required, a
    nonce is spent once (a replayed launch is refused), several audiences need `azp`, the deployment is active.
    """
    if has_nul(unverified_claims(request)):
        # pylti1p3 looks the registration up by the token's issuer before it checks the signature, and the
        # claims become rows: PostgreSQL refuses NUL in text, and no platform has a reason to send one.
        raise refuse("a NUL character in the token's claims")
    message_launch = DjangoMessageLaunch(request, DjangoToolConfig(), launch_data_storage=launch_storage())
    message_launch.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat", "nonce"]})
    try:
        message_launch.validate()
    except LtiException as error:
        raise refuse(str(error), issuer=unverified_issuer(request)) from error
    lti_launch = LtiLaunch(message_launch)
    audience, client_id = lti_launch.get_claim("aud"), lti_launch.registration.client_id
    if isinstance(audience, list) and len(audience) > 1 and lti_launch.get_claim("azp") != client_id:
        raise refuse("several audiences and no azp naming this tool", audience=audience)
    if not lti_launch.deployment.is_active:
        raise refuse(
            "deployment not active",
            _(
                "This deployment of the forum is not activated yet: ask the site's administrator to add its "
                "deployment id to the platform's registration."
            ),
            deployment_id=lti_launch.deployment.deployment_id,
        )
    LtiLaunchNonce.objects.filter(used_at__lt=timezone.now() - NONCES_KEPT).delete()
    try:
        with transaction.atomic():
            LtiLaunchNonce.objects.create(nonce=lti_launch.get_claim("nonce"))
    except IntegrityError:
        raise refuse("replayed launch: nonce already used", issuer=lti_launch.get_claim("iss")) from None
    return lti_launch


def has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


def unverified_claims(request) -> dict:
    """What the token says before it is checked: for the log and for refusing what no lookup can take."""
    try:
        claims = jwt.decode(request.POST.get("id_token", ""), options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return claims if isinstance(claims, dict) else {}


def unverified_issuer(request) -> str:
    """For the log only: who a refused token claims to come from."""
    return str(unverified_claims(request).get("iss", ""))


@dataclass
class Landing:
    user: User
    classroom: Classroom
    is_teacher: bool
    frame_origins: list[str] = field(default_factory=list)


def roles_of(lti_launch_or_roles) -> set[str]:
    roles = lti_launch_or_roles if isinstance(lti_launch_or_roles, list) else lti_launch_or_roles.roles_claim or []
    return {normalize_role(role) for role in roles}


def is_instructor(roles: set[str]) -> bool:
    return bool(roles & {ContextRole.INSTRUCTOR, ContextRole.ADMINISTRATOR})


def is_learner(roles: set[str]) -> bool:
    return ContextRole.LEARNER in roles


@transaction.atomic
def land(*, lti_launch: LtiLaunch) -> Landing:
    """Map a checked launch to our side: the course's class (made at its first instructor launch), the
    instructor as its teacher, a learner as its pupil. Returns who to log in and where."""
    sync_data_from_launch(lti_launch)
    forget_contact_details(registration=lti_launch.registration)
    roles = roles_of(lti_launch)
    if lti_launch.context_claim is None:
        raise refuse("no context claim", _("Add the forum to a course: a launch from outside a course has no class."))
    context = lti_launch.context
    course = LtiCourse.objects.select_related("classroom__teacher").filter(context=context).first()
    lti_user = lti_launch.user
    if is_instructor(roles):
        if course is None:
            teacher = lti_user.auth_user or platform_teacher(lti_user)
            article = published_articles().order_by("-pk").first()
            if article is None:
                raise refuse("no published article", _("The forum has no published article to discuss yet."))
            classroom = create_class(
                teacher=teacher, name=(context.title or context.label or _("Course"))[:80], article=article
            )
            course = LtiCourse.objects.create(context=context, classroom=classroom)
        elif lti_user.auth_user_id != course.classroom.teacher_id:
            raise refuse(
                "a second instructor",
                _(
                    "This course's class in the forum is run by the instructor who first opened it. Ask them to "
                    "share it, or add the forum to a course of your own."
                ),
                sub=lti_user.sub,
            )
        user = course.classroom.teacher
    elif is_learner(roles):
        if course is None:
            raise refuse(
                "learner before any instructor",
                _("Your teacher has not opened the forum in this course yet. Try again after they have."),
            )
        user = admit_learner(lti_user=lti_user, classroom=course.classroom)
    else:
        raise refuse("no instructor or learner role", _("The forum is for a course's teachers and learners."))
    return Landing(
        user=user,
        classroom=course.classroom,
        is_teacher=user.pk == course.classroom.teacher_id,
        frame_origins=frame_origins(lti_launch.registration, launch_data=lti_launch.get_launch_data()),
    )


def forget_contact_details(*, registration: LtiRegistration) -> None:
    """django-lti keeps what the platform sends; pupils are minors, and the forum needs no email or photo."""
    LtiUser.objects.filter(registration=registration).exclude(email="", picture_url="").update(email="", picture_url="")


def platform_teacher(lti_user: LtiUser) -> User:
    """An account for an instructor, with no password and no email: they come in through their platform."""
    name = " ".join(lti_user.name.split()) or " ".join(f"{lti_user.given_name} {lti_user.family_name}".split())
    user = User(username=free_username(name or "teacher", set()), display_name=(name or _("Teacher"))[:60])
    user.set_unusable_password()
    user.save()
    lti_user.auth_user = user
    lti_user.save(update_fields=["auth_user"])
    return user


def admit_learner(*, lti_user: LtiUser, classroom: Classroom) -> User:
    """A learner's class account (made by the class's teacher, in law: issue 8's rules) and their place in the
    class. A pupil the teacher removed in the forum stays removed."""
    user = lti_user.auth_user
    if user is None:
        name = " ".join(lti_user.name.split()) or " ".join(f"{lti_user.given_name} {lti_user.family_name}".split())
        name = name or f"{_('Pupil')} {secrets.token_hex(2)}"
        first_name, last_name, public_name = split_name(name)
        user = User(
            username=free_username(name, set()),
            first_name=first_name[:150],
            last_name=last_name[:150],
            display_name=public_name[:60],
            created_by=classroom.teacher,
        )
        user.set_unusable_password()
        user.save()
        lti_user.auth_user = user
        lti_user.save(update_fields=["auth_user"])
    membership, _created = Membership.objects.get_or_create(classroom=classroom, member=user)
    if membership.removed_at is not None:
        raise refuse(
            "learner removed from the class",
            _("Your teacher removed you from this class in the forum; ask them to add you back."),
            sub=lti_user.sub,
        )
    return user


def course_of(*, teacher: User, classroom: Classroom) -> LtiCourse:
    ensure_teacher(teacher, classroom)
    course = LtiCourse.objects.select_related("context__deployment__registration").filter(classroom=classroom).first()
    if course is None:
        raise ValidationError(_("This class does not come from a learning platform's course."), code="no_course")
    return course


# Names and Roles: the roster


@dataclass
class RosterSync:
    added: list[User] = field(default_factory=list)
    removed: list[User] = field(default_factory=list)
    kept: int = 0


def sync_roster(*, teacher: User, classroom: Classroom) -> RosterSync:
    """Fetch the course's members (NRPS) and bring the class in line: new learners get their class accounts,
    those who left the course leave the class. Instructors are the platform's business, not the roster's."""
    course = course_of(teacher=teacher, classroom=classroom)
    count_action("lti_sync", teacher.pk)
    if not course.context.memberships_url:
        raise ValidationError(_("The course did not offer its roster (Names and Roles) to the forum."), code="no_nrps")
    try:
        members = fetch_member_data(course.context)  # over the network: before the transaction, not inside it
    except (LtiException, requests.RequestException) as error:
        logger.warning("LTI roster sync failed for class %s: %s", classroom.pk, error)
        raise ValidationError(
            _("The platform did not answer with the roster; try again later."), code="nrps"
        ) from error
    return apply_roster(course=course, members=members)


@transaction.atomic
def apply_roster(*, course: LtiCourse, members: list[dict]) -> RosterSync:
    classroom = course.classroom
    course.context.update_memberships(members)
    forget_contact_details(registration=course.context.deployment.registration)
    result = RosterSync()
    learners = LtiMembership.objects.filter(
        context=course.context, is_learner=True, is_instructor=False
    ).select_related("user__auth_user")
    for membership in learners:
        if membership.is_active:
            had = (
                membership.user.auth_user_id is not None
                and classroom.memberships.active().filter(member_id=membership.user.auth_user_id).exists()
            )
            removed_in_forum = classroom.memberships.filter(
                member_id=membership.user.auth_user_id, removed_at__isnull=False
            ).exists()
            if had or removed_in_forum:
                result.kept += 1
                continue
            result.added.append(admit_learner(lti_user=membership.user, classroom=classroom))
        elif membership.user.auth_user_id is not None:
            left = classroom.memberships.active().filter(member_id=membership.user.auth_user_id)
            if left.update(removed_at=timezone.now()):
                result.removed.append(membership.user.auth_user)
    course.roster_synced_at = timezone.now()
    course.save(update_fields=["roster_synced_at"])
    return result


# Assignment and Grades: participation scores


@transaction.atomic
def set_grading_rule(
    *,
    teacher: User,
    classroom: Classroom,
    count_ranked_before: bool,
    count_ranked_after: bool,
    min_comments: int,
    min_replies: int,
    send_at_phase_end: bool,
) -> LtiCourse:
    course = course_of(teacher=teacher, classroom=classroom)
    if not (count_ranked_before or count_ranked_after or min_comments or min_replies):
        raise ValidationError(_("Choose at least one thing that counts as taking part."), code="empty_rule")
    course.count_ranked_before = count_ranked_before
    course.count_ranked_after = count_ranked_after
    course.min_comments = min_comments
    course.min_replies = min_replies
    course.send_at_phase_end = send_at_phase_end
    course.full_clean()
    course.save()
    return course


@dataclass
class GradesSent:
    sent: int
    maximum: int
    skipped: list[str] = field(default_factory=list)  # pupils with no platform account (made in the forum)


def send_grades(*, teacher: User, classroom: Classroom) -> GradesSent:
    """Send each pupil's participation score to the course's gradebook: how many of the chosen parts they did
    (ranked before, ranked after, enough comments, enough replies), never a mark for what they wrote."""
    course = course_of(teacher=teacher, classroom=classroom)
    count_action("lti_grades", teacher.pk)
    return post_scores(course=course)


def post_scores(*, course: LtiCourse) -> GradesSent:
    context = course.context
    if not (context.lineitems_url and context.can_publish_scores):
        raise ValidationError(_("The course did not let the forum write to its gradebook."), code="no_ags")
    rows: list[Participation] = course_participation(course)
    maximum = rows[0].maximum if rows else course_maximum(course)
    scopes = [scope for name, scope in AGS_SCOPES.items() if getattr(context, name)]
    service = AssignmentsGradesService(
        ServiceConnector(context.deployment.registration.to_registration()),
        {"scope": scopes, "lineitems": context.lineitems_url},
    )
    column = (
        LineItem()
        .set_label(_("Forum participation"))
        .set_tag(LINE_ITEM_TAG)
        .set_score_maximum(maximum)
        .set_resource_id(f"forum-class-{course.classroom_id}")
    )
    result = GradesSent(sent=0, maximum=maximum)
    timestamp = datetime.now(UTC).isoformat()
    try:
        line_item = service.find_or_create_lineitem(column)
        for row in rows:
            if not row.sub:
                result.skipped.append(row.member.public_name)
                continue
            grade = (
                Grade()
                .set_score_given(row.score)
                .set_score_maximum(maximum)
                .set_user_id(row.sub)
                .set_timestamp(timestamp)
                .set_activity_progress("Completed" if row.score == maximum else "InProgress")
                .set_grading_progress("FullyGraded")
            )
            service.put_grade(grade, line_item)
            result.sent += 1
    except (LtiException, LtiServiceException, requests.RequestException) as error:
        logger.warning("LTI scores for class %s stopped after %s: %s", course.classroom_id, result.sent, error)
        raise ValidationError(
            ngettext(
                "The platform's gradebook refused the scores after %(sent)s pupil; try again later.",
                "The platform's gradebook refused the scores after %(sent)s pupils; try again later.",
                result.sent,
            )
            % {"sent": result.sent},
            code="ags",
        ) from error
    LtiCourse.objects.filter(pk=course.pk).update(line_item_url=line_item.get_id() or "", grades_sent_at=timezone.now())
    return result


def course_maximum(course: LtiCourse) -> int:
    return sum([course.count_ranked_before, course.count_ranked_after, course.min_comments > 0, course.min_replies > 0])


def scores_after_phase(sender, *, classroom_id: int, **kwargs) -> None:
    """A lesson moved to its next phase: queue the scores if its course's teacher asked for them then."""
    if LtiCourse.objects.filter(classroom_id=classroom_id, send_at_phase_end=True).exists():
        send_scores_after_phase.enqueue(classroom_id=classroom_id)


@task()
def send_scores_after_phase(classroom_id: int) -> None:
    """The background task (django-tasks): the platform's gradebook is called outside the teacher's request."""
    phase_changed(classroom_id=classroom_id)


def phase_changed(*, classroom_id: int) -> None:
    """Send the scores if the teacher asked for that at the end of each phase.

    A platform that does not answer is logged, never an error on the teacher's page.
    """
    course = (
        LtiCourse.objects.select_related("context__deployment__registration", "classroom")
        .filter(classroom_id=classroom_id, send_at_phase_end=True)
        .first()
    )
    if course is None:
        return
    try:
        post_scores(course=course)
    except ValidationError as error:
        logger.warning("LTI scores at the end of a phase not sent for class %s: %s", classroom_id, error)


# Deep linking: the instructor picks what the course's activity opens


def deep_link_targets(classroom: Classroom) -> list[tuple[str, str]]:
    """(value, label) of what an activity can open: the class's page, each topic, the ranking, the class feed."""
    topics = classroom.article.topics.order_by("position", "pk").values_list("slug", "title")
    return [
        ("class", _("The class's page")),
        *[(f"topic:{slug}", _("Topic: %(title)s") % {"title": title}) for slug, title in topics],
        ("ranking", _("Rank the factors")),
        ("feed", _("The class feed")),
    ]


@dataclass
class DeepLinkAnswer:
    return_url: str
    jwt: str


def answer_deep_link(*, teacher: User, request, launch_id: str, target: str, launch_url: str) -> DeepLinkAnswer:
    """The signed answer to an instructor's deep linking request: one link to `target`, for the browser to
    post back to the platform."""
    try:
        message_launch = DjangoMessageLaunch.from_cache(
            launch_id, request, DjangoToolConfig(), launch_data_storage=launch_storage()
        )
        course = LtiCourse.objects.select_related("classroom").get(
            context__id_on_platform=message_launch.get_launch_data()
            .get("https://purl.imsglobal.org/spec/lti/claim/context", {})
            .get("id", ""),
            context__deployment__deployment_id=message_launch.get_launch_data().get(
                "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
            ),
        )
    except (LtiException, LtiCourse.DoesNotExist) as error:
        raise ValidationError(
            _("The platform's request has expired: start again from the course."), code="expired"
        ) from error
    ensure_teacher(teacher, course.classroom)
    labels = dict(deep_link_targets(course.classroom))
    if target not in labels:
        raise ValidationError(_("Pick one of the activities offered."), code="bad_target")
    resource = (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(str(labels[target]))
        .set_custom_params({TARGET_PARAMETER: target})
    )
    deep_link = message_launch.get_deep_link()
    settings_claim = message_launch.get_launch_data()[
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    ]
    return DeepLinkAnswer(return_url=settings_claim["deep_link_return_url"], jwt=deep_link.get_response_jwt([resource]))
