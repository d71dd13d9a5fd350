from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from catalogue import pages as catalogue_pages
from exchange.booking_views import calendar_feed
from notifications.pages import unsubscribe_page
from smartplatform.accounts import views as accounts_views
from smartplatform.accounts.forms_admin import AdminLoginForm
from smartplatform.core import views as core_views

api_v1 = [
    path("", include("smartplatform.accounts.urls")),
    path("", include("smartplatform.organisations.urls")),
    path("", include("smartplatform.assistance.urls")),
    path("", include("catalogue.urls")),
    path("", include("matching.urls")),
    path("", include("exchange.urls")),
    path("", include("notifications.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    # Sign-up, email verification, login, password reset, sessions: django-allauth headless,
    # for browsers (session + CSRF) and apps (X-Session-Token); its own OpenAPI spec at
    # /_allauth/openapi.html.
    path("_allauth/openapi.json", accounts_views.auth_api_schema_json),
    path("_allauth/openapi.yaml", accounts_views.auth_api_schema_yaml),
    path("_allauth/", include("allauth.headless.urls")),
    # Only what identity providers call back to (with HEADLESS_ONLY, allauth's pages are off).
    path("accounts/", include("allauth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Anything else under /api/ is a JSON 404, whatever DEBUG says.
    # (?s): a line break in the address, which ``.`` alone does not match, is no exception.
    re_path(r"^api/(?P<path>(?s:.*))$", core_views.api_not_found),
    path("admin/", admin.site.urls),
    # Private calendar feeds (iCalendar) phone calendars subscribe to; the token is the key.
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
    # One-click unsubscribe from notification emails (signed token, no login; POST acts).
    path(
        "notifications/unsubscribe/<str:token>/",
        unsubscribe_page,
        name="notifications-unsubscribe",
    ),
    # The page behind the signed link a catalogue contact request's email carries.
    path(
        "catalogue/contact-requests/answer/<str:token>/",
        catalogue_pages.answer,
        name="catalogue-contact-request-answer",
    ),
]

handler400 = "smartplatform.core.errors.bad_request"
handler500 = "smartplatform.core.errors.server_error"

admin.site.site_header = "Smart samhälle"
admin.site.login_form = AdminLoginForm
admin.site.site_title = "Smart samhälle"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
