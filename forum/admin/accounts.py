from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html

from forum.admin.common import ReadOnlyInline
from forum.models import ModerationLog, Restriction, User


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
    list_display = ["username", "display_name", "email", "is_staff", "is_active", "date_joined", "last_login",
                    "restrict_link"]
    search_fields = ["username", "display_name", "email"]
    inlines = [RestrictionInline, MemberLogInline]
    fieldsets = [
        *DjangoUserAdmin.fieldsets[:1],
        ("Personal info", {"fields": ["display_name", "first_name", "last_name", "email"]}),
        *DjangoUserAdmin.fieldsets[2:],
    ]

    @admin.display(description="Mute or suspend")
    def restrict_link(self, obj):
        return format_html('<a href="{}?member={}">Mute or suspend…</a>', reverse("admin:forum_restriction_add"),
                           obj.pk)


