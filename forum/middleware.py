from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class ChoosePasswordMiddleware:
    """A pupil whose account a teacher created chooses their own password before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.must_change_password:
            allowed = (reverse("password_change"), reverse("password_change_done"), reverse("logout"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Every answer says which browser features the site may use: settings.PERMISSIONS_POLICY."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


LTI_FRAME_SESSION_KEY = "lti_frame_origins"


class LtiFrameMiddleware:
    """Pages of a session that began with an LTI launch may be framed by that launch's platform, and only by it.

    The site forbids framing (X-Frame-Options: DENY, CSP frame-ancestors 'none'); a launch stores the platform's
    origins, taken from its signed claims, in the session (forum/services/lti.py), and a view may name origins
    for one answer in `request.lti_frame_origins` (the refusal page of a launch). The session is read only when
    the view has loaded it already, so a page that never touches the session costs no query here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origins = getattr(request, "lti_frame_origins", None)
        session = getattr(request, "session", None)
        if origins is None and session is not None and hasattr(session, "_session_cache"):
            origins = session.get(LTI_FRAME_SESSION_KEY)
        if origins:
            response.xframe_options_exempt = True
            response._csp_replace = {**getattr(response, "_csp_replace", {}), "frame-ancestors": ["'self'", *origins]}
        return response
