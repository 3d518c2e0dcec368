from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from forum.selectors.api import api_token_for


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`, a token the member made on their settings page.

    A request with no such header is left to the session; a wrong, revoked or malformed token is a 401,
    never a silent fall back to anonymous.
    """

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        token = api_token_for(secret)
        if token is None or not token.member.is_active:
            raise exceptions.AuthenticationFailed(_("This token is not valid: it may have been revoked."))
        return token.member, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "forum.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token made on the account settings page (/accounts/settings/).",
        }
