"""The HTML page behind the signed link in a contact request's email: people without an
account answer and set the request's status there. A GET only shows it (mail scanners open
every link); changes happen on POST."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from catalogue import contact_requests
from catalogue.forms import AnswerForm
from catalogue.models import ContactRequest, ContactRequestRecipient
from smartplatform.core.errors import DomainError

TEMPLATE = "catalogue/answer.html"


def _private(response: HttpResponse) -> HttpResponse:
    # The address is a key: no search engine, no Referer header carrying it elsewhere.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@transaction.atomic
def _answer(
    contact_request: ContactRequest, recipient: ContactRequestRecipient, data: dict[str, Any]
) -> None:
    """A reply and a status in one go. Reopening a closed request comes before the reply it
    carries; closing comes after it."""
    status = data.get("status") or ""

    def set_status() -> None:
        contact_request.refresh_from_db()
        if status and status != contact_request.status:
            contact_requests.change_status(
                request=contact_request, status=status, recipient=recipient
            )

    if contact_request.status == ContactRequest.Status.CLOSED:
        set_status()
    if data["message"]:
        contact_requests.write_message(
            request=contact_request, body=data["message"], recipient=recipient
        )
    set_status()


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        recipient = contact_requests.recipient_for_token(token)
    except contact_requests.InvalidAnswerLink as exc:
        return _private(
            render(request, "catalogue/answer_invalid.html", {"error": exc.message}, status=404)
        )
    contact_request: ContactRequest = recipient.request
    form = AnswerForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            _answer(contact_request, recipient, form.cleaned_data)
        except DomainError as exc:
            error = exc.get_message()
        else:
            return HttpResponseRedirect(f"{request.path}?done=1")
    context = {
        "recipient": recipient,
        "contact_request": contact_request,
        "conversation": contact_request.messages.all(),
        "form": form,
        "error": error,
        "done": request.GET.get("done") == "1" and request.method == "GET",
        "status_label": contact_request.get_status_display(),
    }
    return _private(render(request, TEMPLATE, context, status=409 if error else 200))
