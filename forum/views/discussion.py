"""The discussion under each topic: HTTP glue around services.discussion.

Every view works as a plain form and redirect; with htmx (request.htmx) the
same view answers with the fragment to swap in place.
"""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from forum.forms import CommentForm, EditForm, FlagForm, ReplyForm
from forum.models import Classroom, Comment
from forum.models.discussion import MAX_DISPLAY_DEPTH
from forum.pagecache import attach_comment_cards, cached_for_readers, private_no_store, thread_comments
from forum.ratelimit import RateLimited, count_action
from forum.selectors.classes import class_spaces, prompts_with_counts
from forum.selectors.content import sibling_topics, topic_detail, topic_with_article
from forum.selectors.discussion import (
    REPLIES_SHOWN,
    THREAD_PAGE_REPLIES,
    comment_page_number,
    reply_place,
    single_thread,
    thread_roots,
    topic_thread,
)
from forum.selectors.mentions import mention_suggestions
from forum.selectors.voting import topic_factors
from forum.services.accounts import can_moderate
from forum.services.classes import teacher_of_comment
from forum.services.discussion import (
    delete_comment,
    edit_comment,
    ensure_author,
    flag_comment,
    post_comment,
    toggle_helpful,
)
from forum.services.mentions import render_comment
from forum.services.moderation import ensure_moderator, moderate_comment
from forum.services.notifications import mark_notifications_read
from forum.services.permissions import can_see_class, is_teacher, write_refusal


def render_fragment(request, fragment: str, context: dict, *, title: str, status: int = 200):
    """The fragment alone for htmx; for a plain request, a page around it."""
    if request.htmx:
        return render(request, fragment, context, status=status)
    shown = context.get("parent") or context.get("comment")  # the comment being answered or changed
    topic = context.get("topic") or shown.topic
    context = {**context, "fragment": fragment, "page_title": title, "shown": shown, "topic": topic}
    return render(request, "forum/discussion/page.html", context, status=status)


def resolve_space(request, article, value) -> Classroom | None:
    """The class whose private space `value` names (None: the public discussion).

    Only the class's teacher and students, and site moderators, may open it;
    anyone else gets a 404, which does not even confirm that the class exists.
    """
    if not value:
        return None
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    classroom = Classroom.objects.filter(pk=value if str(value).isdecimal() else 0, article=article).first()
    if classroom is None or not can_see_class(request.user, classroom):
        raise Http404("No such class.")
    return classroom


def moderates_here(user, classroom: Classroom | None) -> bool:
    """Site moderators everywhere; a teacher in their own class's space."""
    return can_moderate(user) or (classroom is not None and is_teacher(user, classroom))


def render_slot_form(request, *, kind: str, target: Comment, form, submit: str, title: str, **context):
    """The reply, edit or flag form of `target`, loaded into its slot (or as a page without htmx)."""
    action = reverse(f"forum:comment_{kind}", args=[target.pk])
    context = {**context, "kind": kind, "target": target, "form": form, "submit": submit, "action": action}
    return render_fragment(request, "forum/discussion/_slot_form.html", context, title=title)


PUBLIC_SPACE = "everyone"  # ?space=everyone: the public tab, for members of a class


def discussion_context(request, topic) -> dict:
    """What the topic page needs for its discussion: a constant number of queries, see tests/discussion.

    A member of a class on this article opens on their class's tab: in a lesson,
    a pupil's comment goes to the class unless they choose the public tab.
    """
    about = None
    if about_anchor := request.GET.get("about"):
        about = next((sub for sub in topic.subsections.all() if sub.anchor == about_anchor), None)
    spaces = class_spaces(request.user, topic.article) if request.user.is_authenticated else []
    wanted = request.GET.get("space")
    if wanted == PUBLIC_SPACE:
        space = None
    elif wanted:
        space = next((c for c in spaces if str(c.pk) == wanted), None) or resolve_space(request, topic.article, wanted)
    else:
        space = spaces[0] if spaces else None
    moderator = moderates_here(request.user, space)
    thread = topic_thread(
        topic=topic,
        viewer=request.user,
        sort=request.GET.get("sort", ""),
        page_number=request.GET.get("page"),
        about=about,
        moderator=moderator,
        classroom=space,
    )
    refusal = write_refusal(request.user, space) if request.user.is_authenticated else None
    prompts = list(prompts_with_counts(space, topic)) if space else []
    viewer = {
        **viewer_context(request, can_write=request.user.is_authenticated and refusal is None),
        "moderator": moderator,
    }
    attach_comment_cards(thread_comments(thread.page.object_list), {**viewer, "user": request.user})
    return {
        "thread": thread,
        "sort_choices": [("oldest", _("Oldest")), ("newest", _("Newest")), ("helpful", _("Most helpful"))],
        "form": CommentForm(subsections=topic.subsections.all(), prompts=prompts),
        "refusal": refusal,
        "spaces": spaces,
        "space": space,
        "public_space": PUBLIC_SPACE,
        "prompts": prompts,
        **viewer,
    }


@cached_for_readers
def topic(request, article, topic):
    topic = topic_detail(article, topic)
    topics = sibling_topics(topic)
    index = next(i for i, sibling in enumerate(topics) if sibling.pk == topic.pk)
    for sibling in topics:
        sibling.article = topic.article  # for get_absolute_url without a query each
    context = {
        "article": topic.article,
        "topic": topic,
        "topics": topics,
        "previous": topics[index - 1] if index > 0 else None,
        "next": topics[index + 1] if index + 1 < len(topics) else None,
    }
    context.update(discussion_context(request, topic))
    context.update(topic_factors(viewer=request.user, topic=topic))
    return render(request, "forum/content/topic.html", context)


def viewer_context(request, *, can_write: bool) -> dict:
    """Plain values the comment templates test for every comment (cheaper than the lazy user).

    `comment_base` ("/comments/") builds each comment's links: reverse() for every link of every
    comment was a good part of a page's cost.
    """
    return {
        "viewer_id": request.user.pk,
        "can_write": can_write,
        "comment_base": reverse("forum:comment", args=[0]).removesuffix("0/"),
    }


def visible_comment(request, pk, queryset=None) -> Comment:
    """The comment if the viewer may see it (its author always may); else 404."""
    queryset = Comment.objects.all() if queryset is None else queryset  # never `or`: that runs the query
    comment = get_object_or_404(queryset.select_related("topic__article", "author", "classroom"), pk=pk)
    if comment.classroom_id and not can_see_class(request.user, comment.classroom):
        raise Http404("No such comment.")
    if not comment.shown_to(request.user, moderator=moderates_here(request.user, comment.classroom)):
        raise Http404("No such comment.")
    return comment


def comment_context(request, comment: Comment, **extra) -> dict:
    """Context for one comment rendered on its own, after an htmx action."""
    comment.children, comment.has_visible_descendant, comment.more_replies = [], False, 0
    moderator = moderates_here(request.user, comment.classroom)  # a class's teacher, in its space, too
    comment.shown = comment.shown_to(request.user, moderator=moderator)
    comment.marked_helpful = comment.helpful_marks.filter(member=request.user).exists()
    comment.flagged = comment.flags.filter(member=request.user).exists()
    comment.author_teaches = comment.author.classes_taught.exists()
    # Where the thread shows it: deeper than three levels, under the second-level ancestor.
    holder = comment.parent
    while holder is not None and holder.depth >= MAX_DISPLAY_DEPTH:
        holder = holder.parent
    comment.in_reply_to = comment.parent.author if comment.depth > MAX_DISPLAY_DEPTH else None
    return {
        "comment": comment,
        "topic": comment.topic,
        "holder_id": holder.pk if holder else None,
        "moderator": moderator,
        **viewer_context(request, can_write=True),
        **extra,
    }


def preview_or_post(request, form, post, *, classroom: Classroom | None) -> tuple[Comment | None, str | None]:
    """Validate `form`; with the Preview button render its text (mentions as `classroom`'s space
    links them), else call `post(cleaned_data)`.

    Returns (the saved comment, the preview). A service's ValidationError goes
    back on the form, so nothing typed is lost.
    """
    if not form.is_valid():
        return None, None
    if "preview" in request.POST:
        return None, render_comment(body=form.cleaned_data["body"], classroom=classroom)[0]
    try:
        return post(form.cleaned_data), None
    except ValidationError as error:
        form.add_error(None, error)
        return None, None


@require_POST
@login_required
def comment_create(request, article, topic):
    topic = topic_detail(article, topic)
    space = resolve_space(request, topic.article, request.POST.get("space"))
    prompts = list(space.prompts.all()) if space else []
    form = CommentForm(request.POST, subsections=topic.subsections.all(), prompts=prompts)
    comment, preview = preview_or_post(
        request,
        form,
        lambda data: post_comment(
            author=request.user,
            topic=topic,
            body=data["body"],
            anchor=data.get("anchor"),
            classroom=space,
            prompt=data.get("prompt"),
        ),
        classroom=space,
    )
    if comment is not None:
        if request.htmx:
            fresh = CommentForm(subsections=topic.subsections.all(), prompts=prompts)
            thread_count = thread_roots(
                topic=topic, viewer=request.user, classroom=space, moderator=moderates_here(request.user, space)
            ).count()
            context = {**comment_context(request, comment), "form": fresh, "space": space, "thread_count": thread_count}
            return render(request, "forum/discussion/_comment_posted.html", context)
        return redirect(comment)
    context = {"form": form, "topic": topic, "preview": preview, "space": space}
    return render_fragment(request, "forum/discussion/_comment_form.html", context, title=_("Post a comment"))


@require_http_methods(["GET", "POST"])
@login_required
def comment_reply(request, pk):
    parent = visible_comment(request, pk, Comment.objects.published())
    quote = ""
    if request.GET.get("quote"):
        quote = "\n".join(f"> {line}" for line in parent.body.splitlines()) + "\n\n"
    # Its own ids: the form sits in the page beside the main comment form.
    form = ReplyForm(request.POST or None, initial={"body": quote}, auto_id=f"reply-{parent.pk}-%s")
    reply, preview = None, None
    if request.method == "POST":
        reply, preview = preview_or_post(
            request,
            form,
            lambda data: post_comment(author=request.user, topic=parent.topic, parent=parent, body=data["body"]),
            classroom=parent.classroom,
        )
    if reply is not None:
        if request.htmx:
            return render(request, "forum/discussion/_reply_posted.html", comment_context(request, reply))
        return redirect(reply)
    return render_slot_form(
        request,
        kind="reply",
        target=parent,
        form=form,
        submit=_("Post reply"),
        title=_("Reply"),
        parent=parent,
        topic=parent.topic,
        preview=preview,
    )


@require_http_methods(["GET", "POST"])
@login_required
def comment_edit(request, pk):
    comment = visible_comment(request, pk)
    ensure_author(request.user, comment)
    form = EditForm(request.POST or None, initial={"body": comment.body}, auto_id=f"edit-{comment.pk}-%s")
    edited, preview = None, None
    if request.method == "POST":
        edited, preview = preview_or_post(
            request,
            form,
            lambda data: edit_comment(editor=request.user, comment=comment, body=data["body"]),
            classroom=comment.classroom,
        )
    if edited is not None:
        if request.htmx:
            context = comment_context(request, edited, message=_("Your changes are saved."))
            return render(request, "forum/discussion/_comment_updated.html", context)
        return redirect(edited)
    return render_slot_form(
        request,
        kind="edit",
        target=comment,
        form=form,
        submit=_("Save changes"),
        title=_("Edit your comment"),
        comment=comment,
        preview=preview,
    )


@require_http_methods(["GET", "POST"])
@login_required
def comment_delete(request, pk):
    comment = visible_comment(request, pk)
    ensure_author(request.user, comment)
    if request.method == "POST":
        delete_comment(member=request.user, comment=comment)
        if request.htmx:
            return render(request, "forum/discussion/_comment_card.html", comment_context(request, comment))
        return redirect(comment.topic.get_absolute_url())
    return render_fragment(
        request, "forum/discussion/_delete_form.html", {"comment": comment}, title=_("Delete your comment")
    )


@require_http_methods(["GET", "POST"])
@login_required
def comment_flag(request, pk):
    comment = visible_comment(request, pk, Comment.objects.published())
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag_comment(member=request.user, comment=comment, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = _("Thank you. The moderators will look at this comment.")
            if request.htmx:
                context = comment_context(request, comment, message=message)
                return render(request, "forum/discussion/_flagged.html", context)
            messages.success(request, message)
            return redirect(comment.topic.get_absolute_url())
    return render_slot_form(
        request,
        kind="flag",
        target=comment,
        form=form,
        submit=_("Flag comment"),
        title=_("Flag a comment"),
        comment=comment,
    )


@require_http_methods(["GET", "POST"])
@login_required
def comment_helpful(request, pk):
    """Mark a comment helpful or take the mark back; without JavaScript a GET asks first."""
    comment = visible_comment(request, pk, Comment.objects.published())
    if request.method == "GET":
        comment.marked_helpful = comment.helpful_marks.filter(member=request.user).exists()
        return render_fragment(
            request, "forum/discussion/_helpful_form.html", {"comment": comment}, title=_("Helpful?")
        )
    try:
        comment.marked_helpful = toggle_helpful(member=request.user, comment=comment)
    except ValidationError as error:
        raise PermissionDenied(error.messages[0]) from None
    if request.htmx:
        return render(
            request, "forum/discussion/_helpful.html", {"comment": comment, **viewer_context(request, can_write=True)}
        )
    return redirect(comment)


@require_GET
def comment_permalink(request, pk):
    """Where a comment is shown: its topic page, or, past a thread's first replies, the thread's own page."""
    comment = visible_comment(request, pk)
    moderator = moderates_here(request.user, comment.classroom)
    if comment.root_id is not None:
        place = reply_place(comment, request.user, moderator)
        if place > REPLIES_SHOWN:
            page = (place - 1) // THREAD_PAGE_REPLIES + 1
            query = f"?page={page}" if page > 1 else ""
            return redirect(f"{reverse('forum:comment_thread', args=[comment.root_id])}{query}#comment-{comment.pk}")
    page = comment_page_number(comment, request.user)
    params = {}
    if comment.classroom_id:
        params["space"] = comment.classroom_id
    elif request.user.is_authenticated and class_spaces(request.user, comment.topic.article):
        params["space"] = PUBLIC_SPACE  # a class's member opens topics on the class's tab
    if page > 1:
        params["page"] = page
    query = f"?{urlencode(params)}" if params else ""
    return redirect(f"{comment.topic.get_absolute_url()}{query}#comment-{comment.pk}")


@require_GET
@cached_for_readers
def comment_thread(request, pk):
    """A thread on a page of its own: its first comment and every reply, a page at a time.

    htmx's "Show N more replies" asks for the replies alone, to put in place.
    """
    root = visible_comment(request, pk, Comment.objects.with_author_roles())
    if root.root_id is not None:
        return redirect("forum:comment_thread", root.root_id)
    moderator = moderates_here(request.user, root.classroom)
    root.marked_helpful = request.user.is_authenticated and root.helpful_marks.filter(member=request.user).exists()
    root.flagged = request.user.is_authenticated and root.flags.filter(member=request.user).exists()
    page = single_thread(root=root, viewer=request.user, moderator=moderator, page_number=request.GET.get("page"))
    refusal = write_refusal(request.user, root.classroom) if request.user.is_authenticated else None
    viewer = {
        **viewer_context(request, can_write=request.user.is_authenticated and refusal is None),
        "moderator": moderator,
    }
    attach_comment_cards(thread_comments([root]), {**viewer, "user": request.user})
    context = {"comment": root, "topic": root.topic, "article": root.topic.article, "replies": page, **viewer}
    if request.htmx:
        return render(request, "forum/discussion/_thread_replies.html", context)
    return render(request, "forum/discussion/thread.html", context)


@require_GET
@login_required
def comment_history(request, pk):
    comment = visible_comment(request, pk)
    if comment.author_id != request.user.pk and not can_moderate(request.user):
        raise PermissionDenied(_("Only the author and the moderators can see earlier versions."))
    return render(request, "forum/discussion/history.html", {"comment": comment, "revisions": comment.revisions.all()})


@private_no_store
@require_GET
@login_required
def notifications(request):
    # Opening the page is what marks them read (as the issue asks), so the
    # list is read before they are marked.
    items = list(request.user.notifications.select_related("comment")[:100])
    mark_notifications_read(member=request.user)
    return render(request, "forum/discussion/notifications.html", {"notifications": items})


@require_POST
@login_required
def comment_moderate(request, pk):
    """A moderator's hide, restore or approve, from the topic page."""
    comment = get_object_or_404(Comment.objects.select_related("topic__article", "author", "classroom"), pk=pk)
    # A teacher decides in their class's space; site moderators anywhere.
    allowed = (
        ensure_moderator if can_moderate(request.user) or not comment.classroom_id else teacher_of_comment(comment)
    )
    try:
        moderate_comment(
            moderator=request.user,
            comment=comment,
            action=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            allowed=allowed,
        )
    except ValidationError as error:
        notice, level = " ".join(error.messages), messages.ERROR
    else:
        comment.refresh_from_db()
        notice = _("Done: the comment is %(status)s.") % {"status": comment.get_status_display().lower()}
        level = messages.INFO
    if request.htmx:
        return render(
            request, "forum/discussion/_comment_card.html", comment_context(request, comment, notice=notice, focus=True)
        )
    messages.add_message(request, level, notice)
    return redirect(comment)


MENTION_PREFIX = re.compile(r"[\w.+-]{0,150}")  # what may follow "@" in a username


@private_no_store
@require_GET
@login_required
def mention_lookup(request, article, topic):
    """Members to offer as the member types "@name" in a comment box on `topic` (JSON, for static/js/mentions.js).

    ?space= names a class's space (404 unless the viewer sees that class); ?q= the letters typed so far.
    Only usernames and public names: a pupil's full name or anyone's email never leaves the site here.
    """
    topic = topic_with_article(article, topic)
    space = resolve_space(request, topic.article, request.GET.get("space"))
    try:
        count_action("mention_lookup", request.user.pk)
    except RateLimited as error:
        return JsonResponse({"error": error.message, "members": []}, status=429)
    prefix = request.GET.get("q", "").strip().removeprefix("@")
    members = []
    if MENTION_PREFIX.fullmatch(prefix):
        members = mention_suggestions(viewer=request.user, topic=topic, classroom=space, prefix=prefix)
    return JsonResponse({"members": [{"username": m.username, "name": m.public_name} for m in members]})
