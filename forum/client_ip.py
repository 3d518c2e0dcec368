"""The client's address: the one place the app works it out.

django-axes (AXES_CLIENT_IP_CALLABLE) and every rate limit keyed by address
call `client_ip`, so they all agree on who is asking.
"""

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_ip(request: HttpRequest) -> str:
    """The address of whoever sent `request`, as settings.TRUSTED_PROXIES says to find it.

    With no trusted proxy, the socket's REMOTE_ADDR, whatever headers the client
    sends. Behind N proxies, each appends the address it was reached from to
    X-Forwarded-For and the last one's own address is REMOTE_ADDR, so the client
    is the N-th address from the end of the header: the left part of the header
    was written by the client and is never believed.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies == 0:
        address, _ = get_client_ip(request, request_header_order=["REMOTE_ADDR"])
        return address or remote
    # ipware counts the proxies listed in the header, after the client: all but the last one.
    address, _ = get_client_ip(
        request, proxy_count=proxies - 1, request_header_order=["HTTP_X_FORWARDED_FOR"], strict=False
    )
    # No header from the proxy (someone reached the app directly): the socket's address.
    return address or remote
