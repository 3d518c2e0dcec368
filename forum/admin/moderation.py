"""The moderation desk: the queue, comments, flags, restrictions, the log, the settings.

Every decision goes through forum.services.moderation, which checks the
actor and writes the log; nothing here deletes what a member wrote.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from forum.admin.common import ReadOnlyInline, SafeAutocompleteMixin, reason_action
from forum.models import (
    Ballot,
    Comment,
    CommentRevision,
    Flag,
    ModerationLog,
    ModerationQueueItem,
    ModerationSettings,
    Restriction,
)
from forum.services.accounts import can_moderate
from forum.services.moderation import (
    decisions_for,
    lift_restriction,
    moderate_comment,
    resolve_flags,
    restrict_member,
    update_moderation_settings,
)

Action = ModerationLog.Action
DECISION_REASON = Comment._meta.get_field("status_reason")


class NoDeleteMixin:
    """Nothing a member wrote, nor the record of what was done about it, is deleted from the admin."""

    def has_delete_permission(self, request, obj=None):
        return False


class ModerateMixin(NoDeleteMixin):
    def has_moderate_permission(self, request):
        return can_moderate(request.user)

    def decide(self, request, comment, reason, action):
        moderate_comment(moderator=request.user, comment=comment, action=action, reason=reason)

    def approve_comment(self, request, comment, reason):
        self.decide(request, comment, reason, Action.APPROVE)

    def hide_comment(self, request, comment, reason):
        self.decide(request, comment, reason, Action.HIDE)

    def restore_comment(self, request, comment, reason):
        self.decide(request, comment, reason, Action.RESTORE)

    # A decision's reason is kept with the comment (services.moderation.moderate_comment).
    approve = reason_action(description=_("Approve"), apply_name="approve_comment", column=DECISION_REASON)
    hide = reason_action(description=_("Hide"), apply_name="hide_comment", required=True, column=DECISION_REASON)
    restore = reason_action(description=_("Restore"), apply_name="restore_comment", column=DECISION_REASON)


def excerpt(comment, length=40):
    return Truncator(comment.body).words(length)


def open_flags_prefetch():
    return Prefetch(
        "flags", queryset=Flag.objects.filter(status=Flag.Status.OPEN).select_related("member"), to_attr="open_flags"
    )


class HasOpenFlagsFilter(admin.SimpleListFilter):
    title = _("open flags")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Has open flags")), ("no", _("No open flags"))]

    def queryset(self, request, queryset):
        has_open = Exists(Flag.objects.filter(comment=OuterRef("pk"), status=Flag.Status.OPEN))
        if self.value() == "yes":
            return queryset.filter(has_open)
        if self.value() == "no":
            return queryset.filter(~Q(has_open))
        return queryset


class RevisionInline(ReadOnlyInline):
    model = CommentRevision
    fields = ["written_at", "replaced_at", "body"]


class LogInline(ReadOnlyInline):
    model = ModerationLog
    fk_name = "comment"
    fields = ["created_at", "actor", "action", "status_before", "status_after", "reason"]
    verbose_name_plural = "moderation log"


@admin.register(ModerationQueueItem)
class ModerationQueueAdmin(ModerateMixin, admin.ModelAdmin):
    """Pending comments and comments with open flags, oldest first, with one-click decisions."""

    list_display = ["comment_text", "author_history", "topic_link", "flag_summary", "created_at", "decide_buttons"]
    list_display_links = None
    search_fields = ["body", "author__username", "author__display_name"]
    actions = ["approve", "hide", "restore"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        author_comments = Comment.objects.filter(author=OuterRef("author")).order_by().values("author")
        flags_received = Flag.objects.filter(comment__author=OuterRef("author")).order_by().values("comment__author")
        return (
            ModerationQueueItem.objects.needing_attention()
            .select_related("author", "topic__article")
            .prefetch_related(open_flags_prefetch())
            .annotate(
                author_total=Subquery(author_comments.annotate(n=Count("pk")).values("n")),
                author_hidden=Subquery(
                    author_comments.filter(status=Comment.Status.HIDDEN).annotate(n=Count("pk")).values("n")
                ),
                author_flags=Subquery(flags_received.annotate(n=Count("pk")).values("n")),
            )
            .order_by("created_at", "pk")
        )

    @admin.display(description=_("Comment"))
    def comment_text(self, obj):
        status = "" if obj.status == Comment.Status.PUBLISHED else f"[{obj.get_status_display()}] "
        return format_html("<strong>{}</strong>{}<br><small>{}</small>", status, excerpt(obj, 60), obj.status_reason)

    @admin.display(description=_("Author"))
    def author_history(self, obj):
        return format_html(
            '<a href="{}">{}</a><br><small>{} comment{}, {} hidden, {} flag{} received</small>',
            reverse("admin:forum_user_change", args=[obj.author_id]),
            obj.author.public_name,
            obj.author_total or 0,
            pluralize(obj.author_total or 0),
            obj.author_hidden or 0,
            obj.author_flags or 0,
            pluralize(obj.author_flags or 0),
        )

    @admin.display(description=_("Topic"))
    def topic_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), obj.topic.title
        )

    @admin.display(description=_("Open flags"))
    def flag_summary(self, obj):
        if not obj.open_flags:
            return "–"
        reasons = format_html_join(
            "",
            "<li>{} ({}){}</li>",
            (
                (flag.get_reason_display(), flag.member.public_name, f": {flag.note}" if flag.note else "")
                for flag in obj.open_flags
            ),
        )
        return format_html("<strong>{}</strong><ul>{}</ul>", len(obj.open_flags), reasons)

    @admin.display(description=_("Decide"))
    def decide_buttons(self, obj):
        # The changelist is already one <form> (a form in a form is dropped by browsers): each button
        # sends it to this comment's decide URL instead, and the reason box is named after the comment.
        url = reverse("admin:forum_moderationqueueitem_decide", args=[obj.pk])
        buttons = format_html_join(
            " ",
            '<button type="submit" formaction="{}" name="decision" value="{}" class="button">{}</button>',
            [(url, action, label) for action, label in decisions_for(obj.status)],
        )
        # aria-label, not a visually hidden <label>: that one is positioned absolutely, escapes the
        # table's scrolling box and made the whole page scroll sideways on a phone.
        return format_html(
            '<input type="text" name="reason-{}" id="reason-{}" aria-label="{}" placeholder="{}" '
            'size="22" maxlength="{}"> {}',
            obj.pk,
            obj.pk,
            gettext("Reason"),
            gettext("Reason (required to hide)"),
            DECISION_REASON.max_length,
            buttons,
        )

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("Needs attention"), **(extra_context or {})})

    def get_urls(self):
        decide = self.admin_site.admin_view(require_POST(self.decide_view))
        return [path("<int:pk>/decide/", decide, name="forum_moderationqueueitem_decide"), *super().get_urls()]

    def decide_view(self, request, pk):
        if not can_moderate(request.user):
            raise PermissionDenied
        comment = get_object_or_404(Comment, pk=pk)
        action = request.POST.get("decision", "")
        try:
            moderate_comment(
                moderator=request.user, comment=comment, action=action, reason=request.POST.get(f"reason-{pk}", "")
            )
        except ValidationError as error:
            self.message_user(
                request,
                gettext("Comment %(pk)s: %(problem)s") % {"pk": pk, "problem": " ".join(error.messages)},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                gettext("Comment %(pk)s: %(done)s.") % {"pk": pk, "done": Action(action).label.lower()},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:forum_moderationqueueitem_changelist"))


@admin.register(Comment)
class CommentAdmin(ModerateMixin, admin.ModelAdmin):
    list_display = ["short_body", "status", "topic", "author", "created_at", "open_flag_count", "helpful_count"]
    list_filter = ["status", HasOpenFlagsFilter, "topic", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["topic", "author"]
    search_fields = ["body", "author__username", "author__display_name"]
    date_hierarchy = "created_at"
    actions = ["approve", "hide", "restore"]
    inlines = [RevisionInline, LogInline]
    fields = [
        "topic",
        "author",
        "parent",
        "anchor",
        "status",
        "status_reason",
        "hidden_by_flags",
        "body",
        "created_at",
        "edited_at",
        "helpful_count",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # text belongs to its author; status changes go through the actions

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(open_flags=Count("flags", filter=Q(flags__status=Flag.Status.OPEN)))
        )

    @admin.display(description=_("Comment"))
    def short_body(self, obj):
        return excerpt(obj, 15)

    @admin.display(description=_("Open flags"), ordering="open_flags")
    def open_flag_count(self, obj):
        return obj.open_flags


@admin.register(Flag)
class FlagAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["comment_excerpt", "reason", "note", "member", "status", "created_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["comment", "member"]
    search_fields = ["note", "comment__body", "member__username"]
    actions = ["action_taken", "dismiss"]
    fields = ["comment", "member", "reason", "note", "status", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return can_moderate(request.user)

    @admin.display(description=_("Comment"))
    def comment_excerpt(self, obj):
        return excerpt(obj.comment, 12)

    def resolve(self, request, flag, reason, outcome):
        resolve_flags(moderator=request.user, comment=flag.comment, outcome=outcome, reason=reason)

    def resolve_taken(self, request, flag, reason):
        self.resolve(request, flag, reason, Flag.Status.ACTION_TAKEN)

    def resolve_dismissed(self, request, flag, reason):
        self.resolve(request, flag, reason, Flag.Status.DISMISSED)

    action_taken = reason_action(description=_("Resolve: action taken"), apply_name="resolve_taken")
    dismiss = reason_action(
        description=_("Resolve: dismiss (restores a comment hidden only by flags)"), apply_name="resolve_dismissed"
    )


@admin.register(Restriction)
class RestrictionAdmin(SafeAutocompleteMixin, NoDeleteMixin, admin.ModelAdmin):
    list_display = ["member", "kind", "starts_at", "ends_at", "lifted_at", "reason", "created_by"]
    list_filter = ["kind", ("lifted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["member", "created_by"]
    search_fields = ["member__username", "member__display_name", "reason"]
    autocomplete_fields = ["member"]
    fields = ["member", "kind", "ends_at", "reason"]
    actions = ["lift"]

    def has_change_permission(self, request, obj=None):
        return False  # a restriction is lifted (an action), never rewritten

    def has_add_permission(self, request):
        return can_moderate(request.user)

    def has_moderate_permission(self, request):
        return can_moderate(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["member", "kind", "ends_at", "reason", "created_by", "lifted_at"] if obj else []

    def save_model(self, request, obj, form, change):
        try:
            restriction = restrict_member(
                moderator=request.user, member=obj.member, kind=obj.kind, reason=obj.reason, ends_at=obj.ends_at
            )
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from error
        obj.pk = restriction.pk

    def lift_one(self, request, restriction, reason):
        lift_restriction(moderator=request.user, restriction=restriction, reason=reason)

    lift = reason_action(description=_("Lift early"), apply_name="lift_one")


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor",
        "action",
        "comment",
        "member",
        "factor",
        "status_before",
        "status_after",
        "reason",
    ]
    list_filter = ["action", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["actor", "comment", "member", "factor"]
    search_fields = ["reason", "actor__username", "member__username", "comment__body"]
    date_hierarchy = "created_at"

    # Append-only, for everyone: entries are written by the services alone.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    fields = ["pre_moderation", "new_member_comments", "held_words", "flag_threshold", "members_can_propose_factors"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ModerationSettings.load()  # the one row exists from here on
        return HttpResponseRedirect(reverse("admin:forum_moderationsettings_change", args=[1]))

    def save_model(self, request, obj, form, change):
        update_moderation_settings(admin=request.user, settings=obj, changed=form.changed_data)


@admin.register(Ballot)
class BallotAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["member", "article", "version", "is_current", "created_at"]
    list_filter = ["is_current", "article"]
    search_fields = ["member__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
