"""The one rule for a client's address: ``NUM_PROXIES`` hops into ``X-Forwarded-For``, the
remote address when there are no proxies. DRF's throttles (NUM_PROXIES), allauth's rate
limits (ALLAUTH_TRUSTED_PROXY_COUNT) and the admin's lockout (django-axes, through this
function) all count the same address."""

from allauth.core.internal.httpkit import get_client_ip
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    return get_client_ip(request) or ""
