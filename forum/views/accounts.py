"""Sign-up, account settings and public profiles. Login, logout and password
changes are Django's own views (diplomacy/urls.py)."""

import copy

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from forum.client_ip import client_ip
from forum.forms import AccountSettingsForm, ApiTokenForm, ChoosePasswordForm, SignupForm
from forum.models import User
from forum.pagecache import private_no_store
from forum.selectors.api import member_api_tokens, member_feed_key
from forum.selectors.classes import classes_of
from forum.selectors.discussion import member_comments
from forum.services.accounts import sign_up, update_account
from forum.services.permissions import can_see_profile


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("forum:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = sign_up(
                username=data["username"],
                email=data["email"],
                display_name=data["display_name"],
                password=data["password1"],
                address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome, %(name)s! You are signed in.") % {"name": user.public_name})
            next_url = request.POST.get("next", "")
            if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                # Not redirect(): it would take "next=home" for the name of a view and fail (a 500).
                return HttpResponseRedirect(next_url)
            return redirect("forum:home")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


@private_no_store
@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request):
    # A copy: the form writes what was typed onto its instance, and the service compares with the member.
    form = AccountSettingsForm(request.POST or None, instance=copy.copy(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_account(
                member=request.user,
                display_name=data.get("display_name", request.user.display_name),
                email=data["email"],
                email_on_reply=data["email_on_reply"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else ValidationError(str(error)))
        else:
            messages.success(request, _("Your settings are saved."))
            return redirect("forum:account_settings")
    context = {
        "form": form,
        # The API and the feeds: tokens (none for a pupil's class account) and the notifications feed's address.
        "api_tokens": [] if request.user.is_class_account else member_api_tokens(request.user),
        "token_form": None if request.user.is_class_account else ApiTokenForm(),
        "feed_key": member_feed_key(request.user),
    }
    return render(request, "forum/accounts/settings.html", context)


def profile(request, username):
    member = get_object_or_404(User.objects.filter(is_active=True), username=username)
    if not can_see_profile(request.user, member):
        raise Http404("No such member.")
    comments = Paginator(member_comments(member=member, viewer=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "forum/accounts/profile.html", {"member": member, "comments": comments})


@method_decorator(private_no_store, name="dispatch")
class ChoosePasswordView(PasswordChangeView):
    """Django's password change; a pupil who has just chosen theirs lands in their class, not on a form page."""

    form_class = ChoosePasswordForm

    def get_success_url(self):
        if self.request.user.is_class_account and (classroom := classes_of(self.request.user).first()):
            messages.success(self.request, _("Your password is set. Welcome to %(name)s!") % {"name": classroom.name})
            return classroom.get_absolute_url()
        return super().get_success_url()
