"""The page behind the unsubscribe link of every notification email. A GET (a person, or a
mail scanner opening every link) only asks; the change happens on POST, which is also what
mail clients send for one-click unsubscribe (RFC 8058). The signed token is the authority,
so the POST needs neither a login nor a CSRF token."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications import unsubscribe
from notifications.types import TYPES

TEMPLATE = "notifications/unsubscribe.html"


def _what(scope: str) -> str:
    if scope == "digest:daily":
        return str(_("the daily digest"))
    if scope == "digest:weekly":
        return str(_("the weekly digest"))
    return str(TYPES[scope].label)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            found = unsubscribe.unsubscribe(token)
        else:
            found = unsubscribe.read(token)
    except unsubscribe.InvalidUnsubscribeLink as exc:
        response = render(request, TEMPLATE, {"error": exc.get_message()}, status=400)
    else:
        context = {"what": _what(found.scope), "done": request.method == "POST"}
        response = render(request, TEMPLATE, context)
    # The address is a key: no search engine, no Referer header carrying it elsewhere.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
