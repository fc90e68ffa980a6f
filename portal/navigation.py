"""Where each signed-in person's work is (their «home»): a partner's «Мои мероприятия» in the partner workspace,
staff's dashboard of the case workspace, an editor's admin. Used after sign-in (/home/) and for the link in the
header of every public page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from portal.accounts.selectors import viewer_for_user
from portal.core.viewer import Role


@dataclass(frozen=True)
class Home:
    url: str
    label: Any


def home_for(user: Any) -> Home | None:
    """The signed-in user's own home, or None (a citizen without a role: the public site is theirs)."""
    if user is None or not user.is_authenticated or user.pk is None:
        return None
    viewer = viewer_for_user(user)
    if viewer.is_partner:
        return Home("/workspace/", _("My measures"))
    if not user.has_perm("wagtailadmin.access_admin"):
        return None
    if viewer.is_staff_reader or viewer.has_role(Role.OPERATOR):
        return Home(reverse("casework:dashboard"), _("My work"))
    return Home(reverse("wagtailadmin_home"), _("Administration"))


def role_home(request: HttpRequest) -> HttpResponse:
    """After sign-in: the role's home; someone without one goes back to the page they came from."""
    home = home_for(request.user)
    if home is not None:
        return HttpResponseRedirect(home.url)
    back = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = "/"
    return HttpResponseRedirect(back)


def work_home(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `work_home` (url, label) for the header link, looked up only when a page uses it."""
    return {"work_home": SimpleLazyObject(lambda: home_for(getattr(request, "user", None)) or "")}
