"""django-axes, for the admin's sign-in form only.

With ``AXES_ONLY_ADMIN_SITE`` axes lets every non-admin request through, but its database
handler still counts failed sign-ins made through the API and then answers the API with its
HTML lockout page. The API has allauth's own rate limits; here axes counts admin sign-ins
only.
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler


class AdminOnlyAxesHandler(AxesDatabaseHandler):
    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        if request is not None and not self.is_admin_request(request):
            return
        super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        if request is not None and not self.is_admin_request(request):
            return
        super().user_logged_in(sender, request, user, **kwargs)
