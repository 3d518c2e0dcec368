"""Reads for LTI: who may frame the forum, and each pupil's participation as the course's gradebook gets it."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery
from lti_tool.models import LtiRegistration, LtiUser

from forum.models import Ballot, LtiCourse, User
from forum.selectors.classes import roster

PLATFORM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/tool_platform"
PRESENTATION_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
DEEP_LINKING_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def origin(url) -> str:
    """ "https://school.example:8443" of any URL; "" for anything that is not http(s)."""
    parts = urlsplit(url if isinstance(url, str) else "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def frame_origins(registration: LtiRegistration, *, launch_data: dict) -> list[str]:
    """Who may frame the pages of a session this launch began: the registered platform's issuer and auth URL,
    and the platform's own pages as its signed claims name them (its URL, return URL, deep linking return URL),
    plus DJANGO_LTI_FRAME_ORIGINS."""
    urls = [
        registration.issuer,
        registration.auth_url,
        (launch_data.get(PLATFORM_CLAIM) or {}).get("url"),
        (launch_data.get(PRESENTATION_CLAIM) or {}).get("return_url"),
        (launch_data.get(DEEP_LINKING_CLAIM) or {}).get("deep_link_return_url"),
        *settings.LTI_FRAME_ORIGINS,
    ]
    return sorted({origin(url) for url in urls} - {""})


def registered_frame_origins() -> list[str]:
    """Every active registration's origins: who may frame a refused launch's page, which carries no action."""
    urls = [url for reg in LtiRegistration.objects.active() for url in (reg.issuer, reg.auth_url)]
    return sorted({origin(url) for url in [*urls, *settings.LTI_FRAME_ORIGINS]} - {""})


@dataclass
class Participation:
    member: User
    sub: str  # the pupil's id on the platform ("" for an account made in the forum)
    comments: int
    replies: int
    ranked_before: bool
    ranked_after: bool
    score: int
    maximum: int
    parts: list[tuple[str, bool]]  # what counts, and whether the pupil did it


def course_participation(course: LtiCourse) -> list[Participation]:
    """Each pupil of the course's class: what they did and their score, in one query whatever the class's size.

    With phases, "before" is a ranking made before the class moved on to discuss, "after" one made since;
    without phases, any ranking is "before" and a changed one "after". Only taking part counts, never what
    a pupil wrote or how they ranked.
    """
    classroom = course.classroom
    ballots = Ballot.objects.filter(member=OuterRef("member"), article=classroom.article_id)
    if classroom.phase_one_ended_at is not None:
        before = ballots.filter(created_at__lt=classroom.phase_one_ended_at)
        after = ballots.filter(created_at__gte=classroom.phase_one_ended_at)
    else:
        before, after = ballots, ballots.filter(version__gte=2)
    subs = LtiUser.objects.filter(
        auth_user=OuterRef("member"), registration=course.context.deployment.registration_id
    ).values("sub")[:1]
    rows = roster(classroom).annotate(ranked_before=Exists(before), ranked_after=Exists(after), sub=Subquery(subs))
    result = []
    for row in rows:
        parts = []
        if course.count_ranked_before:
            parts.append(("ranked_before", row.ranked_before))
        if course.count_ranked_after:
            parts.append(("ranked_after", row.ranked_after))
        if course.min_comments:
            parts.append(("comments", row.comment_total >= course.min_comments))
        if course.min_replies:
            parts.append(("replies", row.reply_total >= course.min_replies))
        result.append(
            Participation(
                member=row.member,
                sub=row.sub or "",
                comments=row.comment_total,
                replies=row.reply_total,
                ranked_before=row.ranked_before,
                ranked_after=row.ranked_after,
                score=sum(done for _, done in parts),
                maximum=len(parts),
                parts=parts,
            )
        )
    return result


def course_for_class(classroom_id: int) -> LtiCourse | None:
    return (
        LtiCourse.objects.select_related("context__deployment__registration", "classroom__article")
        .filter(classroom_id=classroom_id)
        .first()
    )
