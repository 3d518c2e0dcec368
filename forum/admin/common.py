"""Pieces the admin classes share: actions that ask for a reason first (on an intermediate page
like Django's delete), and read-only inlines for records nobody edits."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forum.admin_site import is_id
from forum.forms import text_field
from forum.models import ModerationLog


class ReasonForm(forms.Form):
    """The reason for an admin action, as long as the column it is kept in allows."""

    def __init__(self, *args, column: Field, required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = text_field(
            column.model,
            column.name,
            required=required,
            widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
            error_messages={
                "required": _("Give a reason: it is kept in the moderation log and shown to the member concerned.")
            },
        )


def ask_for_reason(
    modeladmin, request, queryset, *, title: str, apply, required: bool = False, column: Field | None = None
):
    """Ask for a reason, then call `apply(obj, reason)` for each selected object.

    The reason must fit `column` (the moderation log's by default), or the page
    asks again with what was typed. Each object goes through the service on its
    own, so one refusal (a comment in the wrong status) is reported without
    undoing the others.
    """
    column = column or ModerationLog._meta.get_field("reason")
    form = ReasonForm(request.POST if "apply" in request.POST else None, column=column, required=required, auto_id="%s")
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        done, refused = 0, []
        for obj in queryset:
            try:
                apply(obj, reason)
                done += 1
            except (ValidationError, PermissionDenied) as problem:
                refused.append(f"{obj}: {' '.join(getattr(problem, 'messages', [str(problem)]))}")
        modeladmin.message_user(
            request, gettext("%(action)s: %(done)s done.") % {"action": title, "done": done}, messages.SUCCESS
        )
        for line in refused:
            modeladmin.message_user(request, line, messages.WARNING)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": queryset,
        "required": required,
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/forum/reason_form.html", context)


def reason_action(*, description: str, apply_name: str, required: bool = False, column: Field | None = None):
    """An admin action calling `modeladmin.<apply_name>(request, obj, reason)` after asking for a reason
    that fits `column`, the shortest the reason is kept in (the moderation log's by default)."""

    @admin.action(description=description, permissions=["moderate"])
    def action(modeladmin, request, queryset):
        apply = getattr(modeladmin, apply_name)
        return ask_for_reason(
            modeladmin,
            request,
            queryset,
            title=description,
            required=required,
            column=column,
            apply=lambda obj, reason: apply(request, obj, reason),
        )

    action.__name__ = apply_name
    return action


class AutocompleteSelect(widgets.AutocompleteSelect):
    """Django's search-as-you-type box, which looks the posted value up to show a form again with its
    errors: a value that is not an id is left out instead of crashing the page (a 500)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [choice for choice in value if is_id(choice)], attr)


class SafeAutocompleteMixin:
    """A model admin whose autocomplete_fields use the AutocompleteSelect above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyInline(admin.TabularInline):
    """A record shown beside its subject (revisions, the log, restrictions), never edited there."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
