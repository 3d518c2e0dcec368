from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from forum.admin.common import ReadOnlyInline, reason_action
from forum.models import ModerationLog, Restriction, User
from forum.services.accounts import can_moderate
from forum.services.moderation import set_teacher_trust


class RestrictionInline(ReadOnlyInline):
    model = Restriction
    fk_name = "member"
    fields = ["kind", "starts_at", "ends_at", "lifted_at", "reason", "created_by"]
    verbose_name_plural = "mutes and suspensions (add one from “Restrictions”)"


class MemberLogInline(ReadOnlyInline):
    model = ModerationLog
    fk_name = "member"
    fields = ["created_at", "actor", "action", "comment", "reason"]
    verbose_name_plural = "moderation log"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "display_name",
        "email",
        "is_staff",
        "is_active",
        "trusted_teacher",
        "date_joined",
        "last_login",
        "restrict_link",
    ]
    list_filter = [*DjangoUserAdmin.list_filter, "trusted_teacher"]
    search_fields = ["username", "display_name", "email"]
    inlines = [RestrictionInline, MemberLogInline]
    fieldsets = [
        *DjangoUserAdmin.fieldsets[:1],
        (_("Personal info"), {"fields": ["display_name", "first_name", "last_name", "email"]}),
        (
            _("Classes"),
            {
                "fields": ["trusted_teacher", "created_by"],
                "description": _("Trust a teacher with the actions on the members' list, so it is logged."),
            },
        ),
        *DjangoUserAdmin.fieldsets[2:],
    ]
    readonly_fields = ["trusted_teacher", "created_by"]
    actions = [
        reason_action(
            description=_("Trust as a teacher: their pupils' ballots count in everyone's results"),
            apply_name="trust_teacher",
        ),
        reason_action(description=_("Stop trusting as a teacher"), apply_name="distrust_teacher"),
    ]

    def has_moderate_permission(self, request):
        return can_moderate(request.user)

    def trust_teacher(self, request, member, reason):
        set_teacher_trust(moderator=request.user, teacher=member, trusted=True, reason=reason)

    def distrust_teacher(self, request, member, reason):
        set_teacher_trust(moderator=request.user, teacher=member, trusted=False, reason=reason)

    @admin.display(description=_("Mute or suspend"))
    def restrict_link(self, obj):
        return format_html(
            '<a href="{}?member={}">Mute or suspend…</a>', reverse("admin:forum_restriction_add"), obj.pk
        )
