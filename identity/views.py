"""Sign-in, callback and sign-out views (вход и выход через единый вход Keycloak).

Thin: the protocol work is in `identity.web`, accounts in `identity.accounts`. Every failure is a
clear page in the user's language with a 4xx/5xx status, never a 500 traceback.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import login as django_login
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from keycloak.exceptions import KeycloakConnectionError, KeycloakError
from keycloak.pkce_utils import generate_code_challenge, generate_code_verifier

from identity import web
from identity.keycloak import TokenRejected, verify_access_token
from portal.core.viewer import Role
from portal.partners.models import Organisation

logger = logging.getLogger("identity")
security_log = logging.getLogger("identity.security")

def role_labels(roles: Any) -> list[str]:
    labels = {Role.PARTNER: _("partner organisation"), Role.OFFICER: _("district social officer"),
              Role.OPERATOR: _("signal intake operator"),
              Role.COORDINATOR: _("social support specialist"), Role.SUPERVISOR: _("regional supervisor"),
              Role.EDITOR: _("site editor"), Role.ADMIN: _("administrator")}
    return [str(labels[role]) for role in Role if role in roles]


def error_page(request: HttpRequest, *, title: str, message: str, status: int, retry: bool = True) -> HttpResponse:
    return render(request, "identity/error.html",
                  {"title": title, "message": message, "retry": retry, "local_login": "/admin/login/"},
                  status=status)


def _unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.error("single sign-on server unavailable: %s", error)
    return error_page(request, title=_("Sign-in service unavailable"),
                      message=_("The single sign-on service does not answer. Please try again in a few minutes."),
                      status=503)


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict[str, Any] | None = None) -> HttpResponse:
    """django-axes' answer to a locked-out local sign-in (AXES_LOCKOUT_CALLABLE): 429 with Retry-After."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    response = error_page(request, title=_("Too many failed sign-in attempts"),
                          message=_("Sign-in with this account from your address is paused for %(minutes)d minutes "
                                    "after too many wrong passwords. Please try again later.") % {"minutes": minutes},
                          status=429, retry=False)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


@never_cache
@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """Start the authorization code flow with PKCE S256, state and nonce."""
    next_url = web.safe_next(request, request.GET.get("next"))
    prompt = "login" if request.GET.get("prompt") == "login" else None
    if request.user.is_authenticated and prompt is None:
        # Signed in already (e.g. sent here by a page needing other rights): no redirect loop.
        viewer = web.viewer_for_request(request)
        return render(request, "identity/signed_in.html",
                      {"viewer": viewer, "roles": role_labels(viewer.roles), "next": next_url})
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = generate_code_verifier(96)
    challenge, _method = generate_code_challenge(verifier, "S256")
    client = web.openid_client()
    try:
        url = web.authorization_url(client, redirect_uri=web.callback_url(request), state=state, nonce=nonce,
                                    code_challenge=challenge, prompt=prompt)
    except KeycloakError as error:
        return _unavailable(request, error)
    url = web.browser_url(request, url)
    now = time.time()
    pending = {key: value for key, value in (request.session.get(web.SESSION_PENDING) or {}).items()
               if now - float(value.get("at", 0)) < web.PENDING_TTL_SECONDS}
    while len(pending) >= web.MAX_PENDING:
        pending.pop(min(pending, key=lambda key: pending[key]["at"]))
    pending[state] = {"nonce": nonce, "verifier": verifier, "next": next_url, "at": now}
    request.session[web.SESSION_PENDING] = pending
    return HttpResponseRedirect(url)


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """Keycloak sends the browser back here with `code` and `state` (or `error`)."""
    state = request.GET.get("state", "")
    pending_all = dict(request.session.get(web.SESSION_PENDING) or {})
    pending = pending_all.pop(state, None) if state else None
    request.session[web.SESSION_PENDING] = pending_all
    if pending is None or time.time() - float(pending.get("at", 0)) > web.PENDING_TTL_SECONDS:
        security_log.warning("sign-in callback with unknown or expired state from %s", request.META.get("REMOTE_ADDR"))
        return error_page(request, title=_("Sign-in link is not valid"),
                          message=_("This sign-in link has expired or was already used. Please sign in again."),
                          status=400)
    if request.GET.get("error"):
        security_log.info("sign-in refused by the identity provider: %s", request.GET.get("error"))
        return error_page(request, title=_("Sign-in was not completed"),
                          message=_("The single sign-on service did not sign you in. Please try again."),
                          status=400)
    code = request.GET.get("code", "")
    if not code:
        return error_page(request, title=_("Sign-in was not completed"),
                          message=_("The answer of the single sign-on service has no authorization code."),
                          status=400)
    client = web.openid_client()
    try:
        tokens = client.token(grant_type="authorization_code", code=code, redirect_uri=web.callback_url(request),
                              code_verifier=pending["verifier"])
    except KeycloakConnectionError as error:
        return _unavailable(request, error)
    except KeycloakError as error:
        security_log.warning("authorization code refused (%s)", getattr(error, "response_code", "-"))
        return error_page(request, title=_("Sign-in was not completed"),
                          message=_("The single sign-on service did not accept the sign-in. Please sign in again."),
                          status=400)
    try:
        id_claims = web.verify_id_token(client, tokens.get("id_token", ""), nonce=pending["nonce"])
    except KeycloakConnectionError as error:
        return _unavailable(request, error)
    except (web.IdTokenInvalid, KeycloakError) as error:
        security_log.warning("id token refused: %s", error)
        return error_page(request, title=_("Sign-in was not completed"),
                          message=_("The identity confirmation is not valid. Please sign in again."), status=400)
    try:
        viewer = verify_access_token(tokens["access_token"])
    except TokenRejected as error:
        security_log.warning("access token of %s refused at sign-in: %s", id_claims.get("preferred_username"), error)
        return error_page(request, title=_("Access denied"),
                          message=_("Your account has no access to the portal: %(reason)s") % {"reason": error},
                          status=403, retry=False)
    claims = {**client.decode_token(tokens["access_token"], validate=False), **id_claims}
    if viewer.subject != claims.get("sub"):
        return error_page(request, title=_("Sign-in was not completed"),
                          message=_("The identity confirmation is not valid. Please sign in again."), status=400)
    user = authenticate(request, viewer=viewer, claims=claims)
    if user is None:
        return error_page(request, title=_("Access denied"), message=_("Your account is disabled in the portal."),
                          status=403, retry=False)
    django_login(request, user, backend="identity.backends.KeycloakBackend")
    web.store_tokens(request, tokens)
    return HttpResponseRedirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)


@never_cache
@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """POST: end the portal session and the Keycloak session (RP-initiated logout). GET: a confirm form."""
    if request.method != "POST":
        user = request.user
        name = (user.get_full_name() or user.get_username()) if user.is_authenticated else ""
        return render(request, "identity/logout.html", {"signed_in": user.is_authenticated, "name": name})
    tokens = web.session_tokens(request) or {}
    id_token = str(tokens.get("id_token") or "")
    client = web.openid_client()
    web.sign_out_locally(request)
    if not id_token:
        return HttpResponseRedirect(web.logged_out_url(request))
    try:
        end_session = client.well_known().get("end_session_endpoint")
    except KeycloakError as error:
        end_session = None
        logger.warning("single sign-on logout endpoint unknown: %s", error)
    if not end_session:
        try:
            client.logout(str(tokens.get("refresh_token") or ""))
        except KeycloakError as error:
            logger.warning("back-channel logout failed: %s", error)
        return HttpResponseRedirect(web.logged_out_url(request))
    query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": web.logged_out_url(request),
                       "client_id": client.client_id})
    end_session = web.browser_url(request, end_session)
    return HttpResponseRedirect(f"{end_session}{'&' if '?' in end_session else '?'}{query}")


@require_GET
def logged_out(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/logged_out.html", {})


@never_cache
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    """Who am I: name, roles, organisation (a quick check after signing in)."""
    viewer = web.viewer_for_request(request)
    if viewer.is_anonymous:
        return redirect_to_login(request.get_full_path())
    organisation = None
    organisation_id = viewer.organisation_id or viewer.institution_id
    if organisation_id is not None:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
    return render(request, "identity/profile.html", {
        "viewer": viewer, "roles": role_labels(viewer.roles), "organisation": organisation,
        "single_sign_on": web.session_tokens(request) is not None,
        "admin_access": request.user.has_perm("wagtailadmin.access_admin"),
        "workspace": viewer.is_partner,
    })
