from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from smartplatform.core import health
from smartplatform.core.errors import error_json_response


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and so does the database."""
    database = health.check_database()
    status = 200 if database.ok else 503
    return JsonResponse({"status": "ok" if database.ok else "unavailable"}, status=status)


@never_cache
@require_safe
def healthz_dependencies(request: HttpRequest) -> JsonResponse:
    """Each dependency on its own line; 503 naming what is down."""
    ok, report = health.dependency_report()
    return JsonResponse(report, status=200 if ok else 503)


# Exempt from CSRF like every DRF view: a POST to a mistyped URL gets this 404, not Django's
# HTML "CSRF verification failed" page. It reads nothing and changes nothing.
@csrf_exempt
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown URLs under /api/ answer in the API's error shape, not an HTML page."""
    message = _("There is no such address in the API.")
    if not request.path.endswith("/"):
        try:
            # path_info: the URLconf's view of the path, without a SCRIPT_NAME prefix.
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message = _("There is no such address in the API. Did you mean %(path)s?") % {
                "path": request.path + "/"
            }
    return error_json_response(404, "not_found", message)
