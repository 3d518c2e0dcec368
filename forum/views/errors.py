"""The server-error page, and the one for a database that is away (a restart): 503, not 500."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader


def server_error(request):
    """handler500: rendered with no context processor and no query, as the database may be the problem.

    Django calls it while handling the exception, so the exception is at hand: a database that cannot
    be reached answers 503 with Retry-After (the app reconnects by itself on a later request).
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
