"""LTI 1.3: the platform's login initiation and launch, our key set and configuration, deep linking, and the
teacher's page for a course's roster and gradebook. HTTP glue only: forum/services/lti.py decides."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from lti_tool.models import Key

from forum.forms import DeepLinkForm, GradingRuleForm
from forum.middleware import LTI_FRAME_SESSION_KEY
from forum.models import Classroom
from forum.pagecache import private_no_store
from forum.selectors.lti import course_for_class, course_participation, registered_frame_origins
from forum.services.lti import (
    TARGET_PARAMETER,
    LaunchRefused,
    answer_deep_link,
    deep_link_targets,
    land,
    send_grades,
    set_grading_rule,
    start_login,
    sync_roster,
    validate_launch,
)
from forum.services.permissions import is_teacher

LAUNCH_SESSION_KEY = "lti_launch_id"
CLASS_SESSION_KEY = "lti_class"


def refused(request, error: LaunchRefused):
    """A refused launch: the reason is in the log; the page says what the person can do. Frameable by the
    registered platforms, as it shows in their iframe, and it carries no action."""
    request.lti_frame_origins = registered_frame_origins()
    return render(request, "forum/lti/refused.html", {"message": error.message}, status=403)


def launch_url(request) -> str:
    return request.build_absolute_uri(reverse("lti:launch"))


@csrf_exempt  # the platform's own request, from its site: the state cookie and signed token are the check
@require_http_methods(["GET", "POST"])
def oidc_login(request, registration_uuid=None):
    """Step 1: the platform says who is coming; we send the browser to its auth URL with a state and nonce."""
    try:
        return start_login(request, launch_url=launch_url(request), registration_uuid=registration_uuid)
    except LaunchRefused as error:
        return refused(request, error)


@csrf_exempt  # the platform posts the signed id_token from its site; the token is the check
@require_POST
def launch(request):
    """Step 2: the signed launch. Checked, mapped to a class, logged in; then to what the activity opens."""
    try:
        lti_launch = validate_launch(request)
        landing = land(lti_launch=lti_launch)
    except LaunchRefused as error:
        return refused(request, error)
    if lti_launch.is_deep_link_launch and not landing.is_teacher:
        return refused(request, LaunchRefused("deep linking by a learner", _("Only the teacher picks activities.")))
    login(request, landing.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[LTI_FRAME_SESSION_KEY] = landing.frame_origins
    request.session[LAUNCH_SESSION_KEY] = lti_launch.get_launch_id()
    classroom = landing.classroom
    request.session[CLASS_SESSION_KEY] = classroom.pk
    if lti_launch.is_deep_link_launch:
        return redirect("lti:deep_link")
    return redirect(target_url(classroom, lti_launch.get_custom_claim(TARGET_PARAMETER) or "class"))


def target_url(classroom: Classroom, target: str) -> str:
    """Where an activity (chosen by deep linking) opens: a topic in the class's space, the ranking, the feed."""
    if target.startswith("topic:"):
        topic = classroom.article.topics.filter(slug=target.removeprefix("topic:")).first()
        if topic is not None:
            return f"{topic.get_absolute_url()}?space={classroom.pk}"
    if target == "ranking":
        return reverse("forum:ballot", args=[classroom.article.slug])
    if target == "feed":
        return reverse("forum:class_feed", args=[classroom.pk])
    return classroom.get_absolute_url()


@require_GET
def jwks(request):
    """The tool's public keys, which platforms check our signed messages (deep links, service tokens) with."""
    return JsonResponse({"keys": [key.as_jwk() for key in Key.objects.active()]})


@require_GET
def configuration(request):
    """The tool's settings as one JSON document, for platforms that read one (Canvas's "Paste JSON" / "Enter
    URL"); the README lists the same URLs for the others."""
    base = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(
        {
            "title": "Peace Talks Forum",
            "description": _("Discuss the article in a class space, rank the factors, before and after."),
            "oidc_initiation_url": base + reverse("lti:login"),
            "target_link_uri": base + reverse("lti:launch"),
            "public_jwk_url": base + reverse("lti:jwks"),
            "scopes": [
                "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            ],
            "extensions": [
                {
                    "platform": "canvas.instructure.com",
                    "privacy_level": "name_only",
                    "settings": {
                        "placements": [
                            {"placement": "course_navigation", "message_type": "LtiResourceLinkRequest"},
                            {
                                "placement": "link_selection",
                                "message_type": "LtiDeepLinkingRequest",
                                "target_link_uri": base + reverse("lti:launch"),
                            },
                            {
                                "placement": "assignment_selection",
                                "message_type": "LtiDeepLinkingRequest",
                                "target_link_uri": base + reverse("lti:launch"),
                            },
                        ]
                    },
                }
            ],
            "custom_fields": {},
        }
    )


@private_no_store
@require_http_methods(["GET", "POST"])
@login_required
def deep_link(request):
    """The instructor picks what the course's activity opens; the signed answer goes back to the platform."""
    launch_id = request.session.get(LAUNCH_SESSION_KEY)
    course = course_for_class(request.session.get(CLASS_SESSION_KEY) or 0) if launch_id else None
    if course is None or not is_teacher(request.user, course.classroom):
        raise Http404("No deep linking request in this session.")
    form = DeepLinkForm(request.POST or None, targets=deep_link_targets(course.classroom))
    if request.method == "POST" and form.is_valid():
        try:
            answer = answer_deep_link(
                teacher=request.user,
                request=request,
                launch_id=launch_id,
                target=form.cleaned_data["target"],
                launch_url=launch_url(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The browser posts the signed answer to the platform: that one form may leave the site.
            response = render(request, "forum/lti/deep_link_return.html", {"answer": answer})
            response._csp_update = {"form-action": [answer.return_url]}
            return response
    return render(request, "forum/lti/deep_link.html", {"form": form, "classroom": course.classroom})


def course_for_teacher(request, pk):
    classroom = get_object_or_404(Classroom.objects.select_related("article"), pk=pk)
    if not (is_teacher(request.user, classroom) or request.user.is_superuser):
        raise Http404("No such class.")
    course = course_for_class(classroom.pk)
    if course is None:
        raise Http404("This class has no course on a learning platform.")
    return classroom, course


@private_no_store
@require_GET
@login_required
def course_page(request, pk):
    """The teacher's page for the course: what counts, each pupil's participation, roster and gradebook buttons."""
    classroom, course = course_for_teacher(request, pk)
    return render(
        request,
        "forum/lti/course.html",
        {
            "classroom": classroom,
            "course": course,
            "rows": course_participation(course),
            "form": GradingRuleForm.for_course(course),
        },
    )


@require_POST
@login_required
def course_rule(request, pk):
    classroom, course = course_for_teacher(request, pk)
    form = GradingRuleForm.for_course(course, request.POST)
    if form.is_valid():
        try:
            set_grading_rule(teacher=request.user, classroom=classroom, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved: this is what counts as taking part."))
            return redirect("lti:course", pk=classroom.pk)
    context = {"classroom": classroom, "course": course, "rows": course_participation(course), "form": form}
    return render(request, "forum/lti/course.html", context, status=400)


@require_POST
@login_required
def course_sync(request, pk):
    classroom, _course = course_for_teacher(request, pk)
    try:
        result = sync_roster(teacher=request.user, classroom=classroom)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Roster synced: %(added)s added, %(removed)s removed, %(kept)s already here.")
            % {"added": len(result.added), "removed": len(result.removed), "kept": result.kept},
        )
    return redirect("lti:course", pk=classroom.pk)


@require_POST
@login_required
def course_grades(request, pk):
    classroom, _course = course_for_teacher(request, pk)
    try:
        result = send_grades(teacher=request.user, classroom=classroom)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Scores (out of %(maximum)s) sent to the course's gradebook for %(sent)s pupil.",
                "Scores (out of %(maximum)s) sent to the course's gradebook for %(sent)s pupils.",
                result.sent,
            )
            % {"sent": result.sent, "maximum": result.maximum},
        )
        if result.skipped:
            messages.warning(
                request,
                _("Not sent for pupils who did not come from the course: %(names)s.")
                % {"names": ", ".join(result.skipped)},
            )
    return redirect("lti:course", pk=classroom.pk)
