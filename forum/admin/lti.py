"""The LTI registration page: where an administrator enters a learning platform (README: "Adding the forum to
Moodle / Canvas"). django-lti's own admin, with the deployments active as entered, the tool's URLs to copy,
and the tool's key made on the first save."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from lti_tool.admin import LtiRegistrationAdmin as LibraryRegistrationAdmin
from lti_tool.models import LtiDeployment, LtiRegistration

from forum.models import LtiCourse
from forum.services.lti import ensure_tool_key

# django-lti marks the names of its app, models and fields (gettext_lazy) but ships no catalogue: the ones our
# admin shows are listed here, so `make messages` gathers them and our catalogues translate them.
LIBRARY_NAMES = [
    gettext_noop("LTI tool"),
    gettext_noop("LTI registration"),
    gettext_noop("LTI registrations"),
    gettext_noop("LTI deployment"),
    gettext_noop("LTI deployments"),
    gettext_noop("name"),
    gettext_noop("UUID"),
    gettext_noop("issuer"),
    gettext_noop("client ID"),
    gettext_noop("audience"),
    gettext_noop("auth URL"),
    gettext_noop("access token URL"),
    gettext_noop("keyset URL"),
    gettext_noop("is active"),
    gettext_noop("public key"),
    gettext_noop("private key"),
    gettext_noop("created"),
    gettext_noop("deployment ID"),
]


class DeploymentInline(admin.TabularInline):
    model = LtiDeployment
    fields = ["deployment_id", "is_active"]
    extra = 1
    verbose_name_plural = _("deployment ids (one per row, as the platform shows them)")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["is_active"].initial = True  # a deployment an administrator types is trusted
        return formset


class RegistrationForm(forms.ModelForm):
    class Meta:
        model = LtiRegistration
        fields = [
            "name",
            "uuid",
            "issuer",
            "client_id",
            "audience",
            "auth_url",
            "token_url",
            "keyset_url",
            "is_active",
            "public_key",
            "private_key",
        ]
        help_texts = {
            "name": _("Your own name for the platform, e.g. “School Moodle”."),
            "issuer": _(
                "Moodle: the site's address, e.g. https://moodle.school.example. Canvas: https://canvas.instructure.com."
            ),
            "client_id": _("The client ID the platform gave the tool."),
            "auth_url": _("Moodle: …/mod/lti/auth.php. Canvas: https://sso.canvaslms.com/api/lti/authorize_redirect."),
            "token_url": _("Moodle: …/mod/lti/token.php. Canvas: https://sso.canvaslms.com/login/oauth2/token."),
            "keyset_url": _("Moodle: …/mod/lti/certs.php. Canvas: https://sso.canvaslms.com/api/lti/security/jwks."),
        }


admin.site.unregister(LtiRegistration)


@admin.register(LtiRegistration)
class LtiRegistrationAdmin(LibraryRegistrationAdmin):
    form = RegistrationForm
    inlines = [DeploymentInline]
    readonly_fields = ["tool_urls"]
    # The library's fieldsets, with their titles marked here: its own are translated once, at import, in English.
    fieldsets = [
        (_("What to type into the platform"), {"fields": ["tool_urls"]}),
        (None, LibraryRegistrationAdmin.fieldsets[0][1]),
        (
            _("Static keys"),
            {
                "description": _("The tool's own key pair, for platforms that cannot read its public key set (JWKS)."),
                "fields": ["public_key", "private_key"],
                "classes": ["collapse"],
            },
        ),
    ]

    @admin.display(description=_("the tool's URLs, after this site's address (https://forum.school.example)"))
    def tool_urls(self, obj):
        rows = [
            (_("Login initiation URL"), reverse("lti:login")),
            (_("Redirect URI / target link URI"), reverse("lti:launch")),
            (_("Public key set URL"), reverse("lti:jwks")),
            (_("Configuration (JSON)"), reverse("lti:configuration")),
        ]
        if obj is not None and obj.pk:
            rows.insert(
                1, (_("Login initiation URL for this platform only"), reverse("lti:login_for", args=[obj.uuid]))
            )
        return format_html(
            "<dl>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd><code>{}</code></dd>", rows),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        ensure_tool_key()  # platforms fetch the tool's public key from its JWKS URL: there must be one


@admin.register(LtiCourse)
class LtiCourseAdmin(admin.ModelAdmin):
    list_display = ["context", "classroom", "roster_synced_at", "grades_sent_at"]
    list_select_related = ["context", "classroom"]
    search_fields = ["context__title", "classroom__name"]
    readonly_fields = ["context", "classroom", "line_item_url", "roster_synced_at", "grades_sent_at"]
