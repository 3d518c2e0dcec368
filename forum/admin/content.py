from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from forum.admin.common import reason_action
from forum.models import Article, Classroom, Factor, FaqEntry, KeyPoint, Subsection, Topic
from forum.services.accounts import can_moderate
from forum.services.voting import decide_factor


class TopicInline(admin.TabularInline):
    model = Topic
    fields = ["position", "title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True
    extra = 0


class KeyPointInline(admin.TabularInline):
    model = KeyPoint
    fields = ["position", "icon", "label", "text"]
    extra = 0


class FaqEntryInline(admin.StackedInline):
    model = FaqEntry
    fields = ["position", "question", "anchor", "answer"]
    prepopulated_fields = {"anchor": ["question"]}
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "topic_count", "updated_at"]
    list_filter = ["is_published"]
    search_fields = ["title", "lede", "intro"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [TopicInline, KeyPointInline, FaqEntryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(topic_total=Count("topics"))

    @admin.display(description=_("Topics"), ordering="topic_total")
    def topic_count(self, obj):
        return obj.topic_total


class SubsectionInline(admin.StackedInline):
    model = Subsection
    fields = ["position", "title", "anchor", "body"]
    prepopulated_fields = {"anchor": ["title"]}
    extra = 0


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "article", "position", "slug"]
    list_filter = ["article"]
    list_select_related = ["article"]
    search_fields = ["title", "summary", "intro", "subsections__body"]
    ordering = ["article", "position"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SubsectionInline]
    view_on_site = True


@admin.register(KeyPoint)
class KeyPointAdmin(admin.ModelAdmin):
    list_display = ["label", "icon", "text", "article", "position"]
    list_filter = ["article"]
    search_fields = ["label", "text"]
    ordering = ["article", "position"]


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "article", "position"]
    list_filter = ["article"]
    search_fields = ["question", "answer"]
    ordering = ["article", "position"]
    prepopulated_fields = {"anchor": ["question"]}


@admin.register(Factor)
class FactorAdmin(admin.ModelAdmin):
    list_display = ["name", "article", "status", "proposed_by", "position", "created_at"]
    list_filter = ["status", "article"]
    list_select_related = ["article", "proposed_by"]
    search_fields = ["name", "description"]
    ordering = ["article", "status", "position", "name"]
    filter_horizontal = ["topics"]
    readonly_fields = ["proposed_by", "created_at"]
    actions = ["approve", "reject"]

    def has_moderate_permission(self, request):
        return can_moderate(request.user)

    def get_readonly_fields(self, request, obj=None):
        # Moderators decide on proposals; only admins rewrite factors. A decision is an action, for
        # everyone: it goes through decide_factor (log, notification), never through the change form.
        if request.user.is_superuser:
            return [*self.readonly_fields, "status", "decision_reason"] if obj else self.readonly_fields
        return [field.name for field in Factor._meta.fields if field.name != "id"] + ["topics"]

    def approve_factor(self, request, factor, reason):
        decide_factor(moderator=request.user, factor=factor, approve=True, reason=reason)

    def reject_factor(self, request, factor, reason):
        decide_factor(moderator=request.user, factor=factor, approve=False, reason=reason)

    approve = reason_action(
        description=_("Approve (the proposer is told)"),
        apply_name="approve_factor",
        column=Factor._meta.get_field("decision_reason"),
    )
    reject = reason_action(
        description=_("Reject (the proposer is told why)"),
        apply_name="reject_factor",
        required=True,
        column=Factor._meta.get_field("decision_reason"),
    )


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    """Classes belong to their teachers, who manage them on the site; admins can look and fix."""

    list_display = ["name", "teacher", "article", "join_code", "is_open", "is_locked", "is_archived", "created_at"]
    list_filter = ["is_open", "is_locked", "is_archived", "article"]
    list_select_related = ["teacher", "article"]
    search_fields = ["name", "teacher__username", "join_code"]
    readonly_fields = ["join_code", "created_at"]
    view_on_site = True
