"""Classes: the teacher's dashboard and controls, joining, the class page, exports.

Every view looks the class up through `class_for`, which checks on the
server that the viewer belongs to it (or teaches it), whatever the page shows.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from forum.csv_export import csv_response, results_csv_response
from forum.forms import ClassForm, JoinForm, PromptForm, PupilAccountsForm, RemovePromptForm
from forum.models import Classroom, FaqEntry, Topic, User
from forum.pagecache import private_no_store
from forum.qr import qr_svg
from forum.selectors.classes import (
    ROSTER_SORTS,
    class_by_code,
    class_comments,
    class_feed,
    class_flagged_comments,
    class_voter_ids,
    classes_of,
    prompts_with_counts,
    roster,
)
from forum.selectors.content import published_articles
from forum.selectors.voting import ballot_results, class_comparison, opinion_change, results_visible
from forum.services.accounts import can_moderate
from forum.services.classes import (
    SWITCHES,
    add_prompt,
    create_class,
    create_pupil_accounts,
    join_class,
    leave_class,
    readmit_student,
    regenerate_join_code,
    remove_prompt,
    remove_student,
    reset_pupil_password,
    set_phase,
    unlock_pupil,
    update_class,
)
from forum.services.permissions import can_see_class, is_teacher

ROSTER_COLUMNS = [
    ("name", gettext_lazy("Student")),
    ("comments", gettext_lazy("Comments")),
    ("replies", gettext_lazy("Replies")),
    ("words", gettext_lazy("Words")),
    ("helpful", gettext_lazy("Helpful marks")),
    ("ballot", gettext_lazy("Ballot")),
    ("active", gettext_lazy("Last active")),
]


def class_for(request, pk, *, teacher=False) -> Classroom:
    """The class, if the viewer may see it (or, with `teacher`, teaches it); else 404.

    A 404 rather than a 403: a stranger learns nothing, not even that the class exists.
    """
    # With its course on a learning platform, if any (LTI), so the teacher's link to it costs no query.
    classroom = get_object_or_404(Classroom.objects.select_related("article", "teacher", "lti_course"), pk=pk)
    allowed = (
        (is_teacher(request.user, classroom) or request.user.is_superuser)
        if teacher
        else can_see_class(request.user, classroom)
    )
    if not allowed:
        raise Http404("No such class.")
    return classroom


@require_GET
@login_required
def class_list(request):
    classes = list(classes_of(request.user))
    return render(
        request,
        "forum/classes/list.html",
        {
            "teaching": [c for c in classes if c.teacher_id == request.user.pk],
            "member_of": [c for c in classes if c.teacher_id != request.user.pk],
            "join_form": JoinForm(initial={"code": request.GET.get("code", "")}),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def class_create(request):
    form = ClassForm(request.POST or None, articles=published_articles())
    if request.method == "POST" and form.is_valid():
        try:
            classroom = create_class(teacher=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("“%(name)s” is ready. Share the join code %(code)s.")
                % {"name": classroom.name, "code": classroom.join_code},
            )
            return redirect(classroom)
    return render(request, "forum/classes/create.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def class_join(request, code=""):
    """Join with a code typed in, or from a join link (which asks first: GET never writes)."""
    form = JoinForm(request.POST or None, initial={"code": code})
    invited_to = class_by_code(code) if code else None
    if request.method == "POST" and form.is_valid():
        try:
            membership = join_class(member=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("You are in “%(name)s”.") % {"name": membership.classroom.name})
            return redirect(membership.classroom)
    return render(request, "forum/classes/join.html", {"form": form, "code": code, "invited_to": invited_to})


@require_GET
@login_required
def class_detail(request, pk):
    classroom = class_for(request, pk)
    teacher = is_teacher(request.user, classroom) or request.user.is_superuser
    topics = list(Topic.objects.filter(article=classroom.article_id).only("id", "title", "slug", "article_id"))
    for topic in topics:
        topic.article = classroom.article
    context = {
        "classroom": classroom,
        "article": classroom.article,  # the header's links to the article's factors and FAQ
        "is_class_teacher": teacher,
        "topics": topics,
        "prompts": prompts_with_counts(classroom),
    }
    if results_visible(viewer=request.user, article=classroom.article, classroom=classroom):
        context.update(class_comparison(classroom))
    if teacher:
        sort = request.GET.get("sort") if request.GET.get("sort") in ROSTER_SORTS else "name"
        faqs = FaqEntry.objects.filter(article=classroom.article_id)
        context.update(
            roster=roster(classroom, sort),
            sort=sort,
            roster_columns=ROSTER_COLUMNS,
            removed=classroom.memberships.filter(removed_at__isnull=False).select_related("member"),
            change=opinion_change(
                article=classroom.article,
                voter_ids=class_voter_ids(classroom),
                label=f"class-{classroom.pk}",
                since=classroom.phase_one_ended_at,
            ),
            flagged=class_flagged_comments(classroom),
            phases=Classroom.Phase.choices,
            prompt_form=PromptForm(faqs=faqs, topics=Topic.objects.filter(article=classroom.article_id)),
            accounts_form=PupilAccountsForm(),
            join_url=request.build_absolute_uri(f"/classes/join/{classroom.join_code}/"),
        )
    return render(request, "forum/classes/detail.html", context)


@require_POST
@login_required
def class_settings(request, pk):
    classroom = class_for(request, pk, teacher=True)
    if "regenerate" in request.POST:
        regenerate_join_code(teacher=request.user, classroom=classroom)
        messages.success(
            request, _("New join code: %(code)s. The old one no longer works.") % {"code": classroom.join_code}
        )
    elif "phase" in request.POST:
        try:
            set_phase(teacher=request.user, classroom=classroom, phase=request.POST["phase"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Now: %(phase)s.") % {"phase": classroom.get_phase_display().lower()})
    else:
        switches = {name: name in request.POST for name in SWITCHES}
        update_class(teacher=request.user, classroom=classroom, **switches)
        messages.success(request, _("The class's settings are saved."))
    return redirect(classroom)


@require_http_methods(["GET", "POST"])
@login_required
def class_student(request, pk, member):
    """Remove a student from the class (after asking: GET shows the question), or take them back."""
    classroom = class_for(request, pk, teacher=True)
    student = get_object_or_404(User, pk=member, memberships__classroom=classroom)
    if request.method == "GET":
        return render(request, "forum/classes/remove_student.html", {"classroom": classroom, "student": student})
    if "readmit" in request.POST:
        readmit_student(teacher=request.user, classroom=classroom, student=student)
        messages.success(request, _("%(name)s is back in the class.") % {"name": student.public_name})
    else:
        remove_student(teacher=request.user, classroom=classroom, student=student)
        messages.success(
            request, _("%(name)s was removed from the class; their comments are kept.") % {"name": student.public_name}
        )
    return redirect(classroom)


@require_POST
@login_required
def class_leave(request, pk):
    classroom = class_for(request, pk)
    leave_class(member=request.user, classroom=classroom)
    messages.success(request, _("You left “%(name)s”.") % {"name": classroom.name})
    return redirect("forum:classes")


@require_POST
@login_required
def class_prompt(request, pk):
    classroom = class_for(request, pk, teacher=True)
    if request.POST.get("remove"):
        removal = RemovePromptForm(request.POST, prompts=classroom.prompts.all())
        if not removal.is_valid():
            raise Http404("No such prompt.")
        remove_prompt(teacher=request.user, prompt=removal.cleaned_data["remove"])
        messages.success(request, _("The prompt is removed."))
        return redirect(classroom)
    topics = Topic.objects.filter(article=classroom.article_id)
    form = PromptForm(request.POST, faqs=FaqEntry.objects.filter(article=classroom.article_id), topics=topics)
    if form.is_valid():
        try:
            add_prompt(teacher=request.user, classroom=classroom, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The prompt is at the top of the class's space."))
    else:
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
    return redirect(classroom)


SHEET_MINUTES = 30


def sheet_key(classroom: Classroom) -> str:
    return f"pupil-sheet:{classroom.pk}"


def keep_sheet(request, classroom: Classroom, accounts: list[tuple[User, str]], *, already=(), reset=False):
    """Keep the sheet in the teacher's session for a while, so a reload shows it again and never
    creates accounts: the passwords live nowhere else, and are gone when the teacher says so."""
    request.session[sheet_key(classroom)] = {
        "accounts": [[pupil.full_name, pupil.username, password] for pupil, password in accounts],
        "already": list(already),
        "reset": reset,
        "until": (timezone.now() + timedelta(minutes=SHEET_MINUTES)).timestamp(),
    }
    return redirect("forum:class_sheet", classroom.pk)


@require_POST
@login_required
def class_accounts(request, pk):
    """Pupil accounts from a list of names; then the sheet of one-time passwords (POST-redirect-GET)."""
    classroom = class_for(request, pk, teacher=True)
    form = PupilAccountsForm(request.POST)
    if form.is_valid():
        try:
            made = create_pupil_accounts(teacher=request.user, classroom=classroom, names=form.cleaned_data["names"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else ValidationError(str(error)))
        else:
            if not made.created:
                messages.info(request, _("Everyone on the list is already in the class: no account was created."))
                return redirect(classroom)
            return keep_sheet(request, classroom, made.created, already=made.already_in_class)
    return render(request, "forum/classes/accounts.html", {"classroom": classroom, "form": form})


@private_no_store
@require_http_methods(["GET", "POST"])
@login_required
def class_sheet(request, pk):
    """The printable sheet, from the session; POST forgets it."""
    classroom = class_for(request, pk, teacher=True)
    sheet = request.session.get(sheet_key(classroom))
    if request.method == "POST" or (sheet and sheet["until"] < timezone.now().timestamp()):
        request.session.pop(sheet_key(classroom), None)
        if request.method == "POST":
            messages.success(request, _("The passwords are forgotten. You can give a pupil a new one from this page."))
            return redirect(classroom)
        sheet = None
    return render(
        request, "forum/classes/password_sheet.html", {"classroom": classroom, "sheet": sheet, "minutes": SHEET_MINUTES}
    )


@require_POST
@login_required
def class_reset_password(request, pk, member):
    classroom = class_for(request, pk, teacher=True)
    pupil = get_object_or_404(User, pk=member, memberships__classroom=classroom)
    try:
        password = reset_pupil_password(teacher=request.user, classroom=classroom, pupil=pupil)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect(classroom)
    return keep_sheet(request, classroom, [(pupil, password)], reset=True)


@private_no_store
@require_GET
@login_required
def class_export(request, pk, kind):
    classroom = class_for(request, pk, teacher=True)
    stem = f"class-{classroom.pk}-{classroom.name}"
    if kind == "roster":
        header = [
            "student",
            "username",
            "comments",
            "replies",
            "words",
            "helpful_marks_received",
            "ballot_submitted",
            "ballot_changed",
            "last_active",
        ]
        rows = (
            [
                m.member.full_name,
                m.member.username,
                m.comment_total,
                m.reply_total,
                m.words,
                m.helpful,
                "yes" if m.ballot_version else "no",
                "yes" if m.ballot_version > 1 else "no",
                m.last_active.isoformat(timespec="minutes") if m.last_active else "",
            ]
            for m in roster(classroom)
        )
        return csv_response(f"{stem}-roster.csv", header, rows)
    if kind == "comments":
        header = ["topic", "author", "time", "status", "in_reply_to_comment", "in_reply_to_author", "text"]
        rows = (
            [
                c.topic.title,
                c.author.full_name,
                c.created_at.isoformat(timespec="minutes"),
                c.get_status_display(),
                c.parent_id or "",
                c.parent.author.full_name if c.parent else "",
                c.body,
            ]
            for c in class_comments(classroom)
        )
        return csv_response(f"{stem}-comments.csv", header, rows)
    if kind == "results":
        results = class_comparison(classroom)["class_results"]
        return results_csv_response(f"{stem}-results.csv", results)
    raise Http404("No such export.")


@require_POST
@login_required
def class_unlock(request, pk, member):
    """Unlock a student locked out after too many wrong passwords."""
    classroom = class_for(request, pk, teacher=True)
    pupil = get_object_or_404(User, pk=member, memberships__classroom=classroom)
    try:
        unlock_pupil(teacher=request.user, classroom=classroom, pupil=pupil)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is unlocked and can log in again now.") % {"name": pupil.public_name})
    return redirect(classroom)


# A live lesson: the teacher's feed and the projector page

FEED_PAGE_SIZE = 30
# How often the teacher's feed and the projector page ask for news (a browser test shortens them).
FEED_POLL_SECONDS = 10
PROJECTOR_POLL_SECONDS = 5


@require_GET
@login_required
@vary_on_headers("HX-Request")  # the same address answers a page or, to htmx, the list alone
def class_feed_page(request, pk):
    """Every comment of the class, newest first; the teacher's first page refreshes itself."""
    classroom = class_for(request, pk)
    teacher = is_teacher(request.user, classroom) or request.user.is_superuser
    comments = class_feed(classroom, request.user, moderator=teacher or can_moderate(request.user))
    page = Paginator(comments, FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "classroom": classroom,
        "article": classroom.article,
        "page": page,
        "full_names": teacher,  # the teacher knows the pupils by the names they typed in
        "poll_seconds": FEED_POLL_SECONDS if teacher and page.number == 1 else None,
    }
    template = "_feed_items.html" if request.htmx else "feed.html"
    return render(request, f"forum/classes/{template}", context)


def spaced(code: str) -> str:
    """The code in two groups, "K7DP3QX" as "K7D P3QX": easier to read from the back of a room."""
    middle = len(code) // 2
    return f"{code[:middle]} {code[middle:]}"


@require_GET
@login_required
@vary_on_headers("HX-Request")  # the same address answers a page or, to htmx, the live part alone
def class_projector(request, pk):
    """The join code, link and QR code in big type, how many have joined and, if allowed, the results."""
    classroom = class_for(request, pk, teacher=True)
    context = {
        "classroom": classroom,
        "joined": classroom.memberships.active().count(),
        "poll_seconds": PROJECTOR_POLL_SECONDS,
    }
    if classroom.projector_results:
        results = ballot_results(
            article=classroom.article, voter_ids=class_voter_ids(classroom), label=f"class-{classroom.pk}"
        )
        context.update(results=results, rows=results.sorted_by("score"))
    if request.htmx:
        return render(request, "forum/classes/_projector_live.html", context)
    # The address the teacher opened this page with: pupils' phones reach the site the same way.
    join_url = request.build_absolute_uri(reverse("forum:class_join_link", args=[classroom.join_code]))
    context.update(
        join_url=join_url,
        spaced_code=spaced(classroom.join_code),
        qr=qr_svg(join_url, title=_("QR code of the join link for %(name)s") % {"name": classroom.name}),
    )
    return render(request, "forum/classes/projector.html", context)
