"""The case workspace answers "not found" to a signed-in user who has no place in the staff admin (a partner):
Wagtail would send them to the sign-in page, which for someone already signed in reveals that the address
exists and loops. Anonymous visitors still go to the sign-in page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse

PREFIX = "/admin/casework/"


class CaseworkNotFoundForOutsiders:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (request.path.startswith(PREFIX) and user is not None and user.is_authenticated
                and not user.has_perm("wagtailadmin.access_admin")):
            raise Http404
        return self.get_response(request)
