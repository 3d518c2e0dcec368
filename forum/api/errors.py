from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from forum.ratelimit import RateLimited


class RateLimitReached(exceptions.Throttled):
    def __init__(self, message: str):
        super().__init__()
        self.detail = exceptions.ErrorDetail(message, code="rate_limited")


def exception_handler(exc, context):
    """The services' errors, as the site shows them: a ValidationError is a 400 with the messages by field
    ("non_field_errors" for the rest), a rate limit a 429, PermissionDenied a 403 (DRF's own)."""
    if isinstance(exc, RateLimited):
        exc = RateLimitReached(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
