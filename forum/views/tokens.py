"""A member's keys on their settings page: API tokens (made, shown once, revoked) and the secret address
of their notifications feed. The settings page lists them (views/accounts.py); these views only write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forum.forms import ApiTokenForm
from forum.models import ApiToken
from forum.pagecache import private_no_store
from forum.services.api import create_api_token, regenerate_feed_key, revoke_api_token


@private_no_store
@require_POST
@login_required
def api_token_create(request):
    """Make a token and show its secret this once, on a page no cache keeps: only its hash is stored."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = create_api_token(member=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error(None, ValidationError(str(error), code="forbidden"))
        else:
            return render(request, "forum/accounts/token_created.html", {"token": token, "secret": secret})
    return render(request, "forum/accounts/token_form.html", {"form": form}, status=400)


@require_POST
@login_required
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, member=request.user)
    revoke_api_token(member=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
    return redirect("forum:account_settings")


@require_POST
@login_required
def feed_key_regenerate(request):
    try:
        regenerate_feed_key(member=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Your notifications feed has a new address; the old one no longer works."))
    return redirect("forum:account_settings")
