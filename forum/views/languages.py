"""The language switch in every page's footer: Django's set_language, and where its CSRF check comes from."""

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

_csrf = CsrfViewMiddleware(lambda request: None)


def sent_from_this_site(request) -> bool:
    """The browser says the form was on one of our pages: Sec-Fetch-Site, else Origin (as Django's own
    CSRF check compares it). A page cannot set either header, so another site's form is refused."""
    if "Sec-Fetch-Site" in request.headers:
        return request.headers["Sec-Fetch-Site"] == "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and (
        origin == f"{request.scheme}://{request.get_host()}" or origin in settings.CSRF_TRUSTED_ORIGINS
    )


@csrf_exempt  # checked below, by the token or by the browser's headers
@require_POST
def choose_language(request):
    """Remember the chosen language in the language cookie and go back to the page (`next`).

    Members' pages carry a CSRF token and it is checked as on every other form. Readers' pages carry
    none: one cached rendering serves every reader (forum/pagecache.py), so a reader's switch is
    accepted when the browser says it was sent from this site, which is what the token proves.
    """
    needs_token = request.user.is_authenticated or not sent_from_this_site(request)
    if needs_token and (refused := _csrf.process_view(request, set_language, (), {})) is not None:
        return refused
    return set_language(request)
