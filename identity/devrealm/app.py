"""Development realm: a Keycloak-compatible OpenID Connect provider for the `portal` realm.

Served under `/realms/<realm>/` only when `KEYCLOAK_URL` is unset (and DEBUG or DEVREALM_ALLOW_WITHOUT_DEBUG).
Users, groups, roles and clients come from the realm file a real Keycloak imports; tokens are signed with
jwcrypto (RS256, key in the data folder) and carry the claims the realm file's mappers produce; PKCE is
checked with Authlib's RFC 7636 helper. State (codes, SSO sessions, refresh tokens) lives in memory: codes
are single-use and live 60 s; refresh tokens are reusable until they expire unless the realm file sets
`revokeRefreshToken` (then single-use), as in Keycloak.

Brute force: the realm file's `bruteForceProtected` and Keycloak's related settings (`failureFactor`,
`waitIncrementSeconds`, `maxFailureWaitSeconds`, quick-login check, permanent lockout) apply to the login form
and the password grant alike (`identity.devrealm.bruteforce`). The login form's CSRF token is bound to the
browser that fetched it (a cookie, like Keycloak's authentication session) and to the client and redirect URI
of that form: a token fetched by another client is refused.

Redirect and post-logout URIs must match the client's registered patterns, or be on the very origin that
serves this realm (the portal itself on any port, when its host is in ALLOWED_HOSTS); nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from jwcrypto import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from identity.devrealm import guard
from identity.devrealm.bruteforce import PROTECTOR
from identity.devrealm.keys import public_jwks, signing_key

OIDC = "/protocol/openid-connect"
COOKIE = "DEVREALM_SESSION"
#: The browser's authentication session (login forms): a form's CSRF token is valid only with this cookie.
AUTH_COOKIE = "DEVREALM_AUTH_SESSION"
FORM_TTL = 1800
CODE_TTL = 60
ACCESS_TTL = 300
REFRESH_TTL = 1800
#: Number of requests served by the certs endpoint (tests count JWKS fetches).
CERTS_REQUESTS = [0]


@dataclass
class Session:
    sid: str
    username: str
    auth_time: int


@dataclass
class PendingCode:
    client_id: str
    redirect_uri: str
    session: Session
    nonce: str | None
    scope: str
    code_challenge: str | None
    expires: float


@dataclass(frozen=True)
class RefreshGrant:
    sid: str
    client_id: str
    scope: str
    expires: float


@dataclass(frozen=True)
class LoginForm:
    """What one rendered login form may be posted with: the same browser, client and redirect URI."""

    browser: str
    client_id: str
    redirect_uri: str
    expires: float


@dataclass
class State:
    sessions: dict[str, Session] = field(default_factory=dict)
    codes: dict[str, PendingCode] = field(default_factory=dict)
    refresh: dict[str, RefreshGrant] = field(default_factory=dict)  # by the refresh token's jti
    csrf: dict[str, LoginForm] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


STATE = State()


@cache
def _realm(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def realm() -> dict[str, Any]:
    return _realm(str(settings.KEYCLOAK_REALM_FILE))


def issuer() -> str:
    return settings.DEVREALM_ISSUER


def user(username: str) -> dict[str, Any] | None:
    return next((u for u in realm().get("users", []) if u["username"] == username and u.get("enabled", True)), None)


def client(client_id: str) -> dict[str, Any] | None:
    return next((c for c in realm().get("clients", []) if c["clientId"] == client_id and c.get("enabled", True)), None)


def service_account(client_id: str) -> dict[str, Any] | None:
    """The service-account user of a client (`serviceAccountClientId` in the export)."""
    return next((u for u in realm().get("users", [])
                 if u.get("serviceAccountClientId") == client_id and u.get("enabled", True)), None)


def _check_password(account: dict[str, Any], password: str) -> bool:
    return any(c.get("type") == "password" and secrets.compare_digest(str(c.get("value", "")), password)
               for c in account.get("credentials", []))


def password_sign_in(username: str, password: str) -> dict[str, Any] | None:
    """The account when the password is right and the user is not locked out by brute-force detection."""
    account = user(username)
    if account is None:
        return None
    settings_ = realm()
    if PROTECTOR.locked(settings_, account["id"]):
        return None  # refused like a wrong password, the right one too; not counted
    if not _check_password(account, password):
        PROTECTOR.failure(settings_, account["id"])
        return None
    PROTECTOR.success(account["id"])
    return account


def _uri_allowed(uri: str, patterns: list[str]) -> bool:
    return bool(uri) and any(uri == p or (p.endswith("*") and fnmatch(uri, p)) for p in patterns)


def own_origin(request: Request) -> str | None:
    """`scheme://host[:port]` serving this realm, when the host is one of ALLOWED_HOSTS (else None)."""
    netloc = request.url.netloc.lower()
    domain, _port = split_domain_port(netloc)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return f"{request.url.scheme}://{netloc}"


def redirect_allowed(uri: str, patterns: list[str], origin: str | None) -> bool:
    """A registered pattern, or an absolute URI on `origin` (same scheme, host and port; no fragment)."""
    if _uri_allowed(uri, patterns):
        return True
    if origin is None or not uri or any(c in uri for c in "\\#") or any(ord(c) <= 32 for c in uri):
        return False
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and f"{parts.scheme}://{parts.netloc.lower()}" == origin


def _audience(client_id: str, account: dict[str, Any] | None = None) -> list[str]:
    """Audience mappers of the client, then the clients whose roles the account holds (as Keycloak does)."""
    aud = [m["config"]["included.client.audience"] for m in (client(client_id) or {}).get("protocolMappers", [])
           if m["protocolMapper"] == "oidc-audience-mapper" and m["config"].get("access.token.claim") == "true"]
    aud += [name for name in (account or {}).get("clientRoles", {}) if name not in aud]
    return [*aud, "account"]


def _sign(claims: dict[str, Any]) -> str:
    key = signing_key()
    token = jwt.JWT(header={"alg": "RS256", "typ": "JWT", "kid": key.kid}, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


def _profile(account: dict[str, Any]) -> dict[str, Any]:
    first, last = account.get("firstName", ""), account.get("lastName", "")
    return {"sub": account["id"], "preferred_username": account["username"], "name": f"{first} {last}".strip(),
            "given_name": first, "family_name": last, "email": account.get("email", ""),
            "email_verified": account.get("emailVerified", False), "groups": list(account.get("groups", []))}


def _roles(account: dict[str, Any]) -> list[str]:
    roles = list(account.get("realmRoles", []))
    return [*roles, "offline_access", "uma_authorization"] if "default-roles-portal" in roles else roles


def issue_tokens(*, session: Session, client_id: str, scope: str, nonce: str | None = None) -> dict[str, Any]:
    """Access, ID and refresh tokens as Keycloak issues them for `client_id`."""
    account = user(session.username)
    if account is None:
        raise LookupError(session.username)
    now = int(time.time())
    scope = " ".join(dict.fromkeys(["openid", *scope.split(), "profile", "email"]))
    base = {"iss": issuer(), "iat": now, "auth_time": session.auth_time, "azp": client_id, "sid": session.sid,
            "session_state": session.sid}
    profile = _profile(account)
    access = {**base, **profile, "exp": now + ACCESS_TTL, "jti": str(uuid.uuid4()), "typ": "Bearer",
              "aud": _audience(client_id), "scope": scope, "acr": "1",
              "realm_access": {"roles": _roles(account)}}
    id_claims = {**base, **profile, "exp": now + ACCESS_TTL, "jti": str(uuid.uuid4()), "typ": "ID", "aud": client_id,
                 }
    access_token = _sign(access)
    id_claims["at_hash"] = _half_hash(access_token)
    if nonce:
        id_claims["nonce"] = nonce
    refresh_jti = str(uuid.uuid4())
    refresh = {**base, "exp": now + REFRESH_TTL, "jti": refresh_jti, "typ": "Refresh", "aud": issuer(),
               "sub": account["id"], "scope": scope}
    with STATE.lock:
        STATE.refresh = {jti: grant for jti, grant in STATE.refresh.items() if grant.expires > now}
        STATE.refresh[refresh_jti] = RefreshGrant(sid=session.sid, client_id=client_id, scope=scope,
                                                  expires=now + REFRESH_TTL)
    return {"access_token": access_token, "expires_in": ACCESS_TTL, "refresh_expires_in": REFRESH_TTL,
            "refresh_token": _sign(refresh), "token_type": "Bearer", "id_token": _sign(id_claims),
            "not-before-policy": 0, "session_state": session.sid, "scope": scope}


def issue_service_account_token(registered: dict[str, Any], account: dict[str, Any]) -> dict[str, Any]:
    """client_credentials: an access token for the client's service-account user, no refresh token."""
    now = int(time.time())
    client_id = registered["clientId"]
    claims = {"iss": issuer(), "iat": now, "exp": now + ACCESS_TTL, "jti": str(uuid.uuid4()), "typ": "Bearer",
              "sub": account["id"], "azp": client_id, "aud": _audience(client_id, account), "acr": "1",
              "scope": "profile email", "preferred_username": account["username"],
              "email_verified": bool(account.get("emailVerified", False)),
              "realm_access": {"roles": _roles(account)},
              "resource_access": {name: {"roles": list(roles)}
                                  for name, roles in account.get("clientRoles", {}).items()}}
    return {"access_token": _sign(claims), "expires_in": ACCESS_TTL, "refresh_expires_in": 0,
            "token_type": "Bearer", "not-before-policy": 0, "scope": "profile email"}


def _half_hash(token: str) -> str:
    digest = hashlib.sha256(token.encode()).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


async def _form(request: Request) -> dict[str, str]:
    """url-encoded form body (no python-multipart dependency; OIDC endpoints only take url-encoded forms)."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))


def _error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + request.scope.get("root_path", "")


async def well_known(request: Request) -> Response:
    base = _base(request) + OIDC
    return JSONResponse({
        "issuer": issuer(), "authorization_endpoint": f"{base}/auth", "token_endpoint": f"{base}/token",
        "userinfo_endpoint": f"{base}/userinfo", "end_session_endpoint": f"{base}/logout",
        "jwks_uri": f"{base}/certs", "introspection_endpoint": f"{base}/token/introspect",
        "response_types_supported": ["code"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", "password"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "profile", "email", "roles"],
        "claims_supported": ["sub", "iss", "aud", "preferred_username", "name", "given_name", "family_name",
                             "email", "groups", "realm_access"],
    })


#: The login page's style, served as a file: the Content-Security-Policy allows no inline style.
LOGIN_CSS = ("body{font-family:sans-serif;max-width:24rem;margin:4rem auto}label{display:block;margin-top:1rem}"
             "input[type=text],input[type=password]{width:100%;padding:.4rem}.error{color:#a00}"
             "button{margin-top:1rem}")


async def login_css(request: Request) -> Response:
    return Response(LOGIN_CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


async def certs(request: Request) -> Response:
    CERTS_REQUESTS[0] += 1
    return JSONResponse(public_jwks())


def _login_page(request: Request, params: dict[str, str], error: str = "", username: str = "",
                status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    browser = request.cookies.get(AUTH_COOKIE, "")
    new_browser = len(browser) < 32
    if new_browser:
        browser = secrets.token_urlsafe(32)
    with STATE.lock:
        now = time.time()
        STATE.csrf = {k: v for k, v in STATE.csrf.items() if v.expires > now}
        STATE.csrf[token] = LoginForm(browser=browser, client_id=params.get("client_id", ""),
                                      redirect_uri=params.get("redirect_uri", ""), expires=now + FORM_TTL)
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in params.items())
    alert = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    body = f"""<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Вход — портал</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/realms/{html.escape(settings.KEYCLOAK_REALM)}/resources/login.css">
</head><body><main><h1>Вход в портал социального сопровождения</h1>{alert}
<form method="post" id="kc-form-login">{hidden}<input type="hidden" name="csrf_token" value="{token}">
<label for="username">Имя пользователя</label>
<input type="text" id="username" name="username" value="{html.escape(username)}" autocomplete="username" required>
<label for="password">Пароль</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit" id="kc-login">Войти</button></form>
<p><small>Учебная среда: пароль демонстрационных пользователей — «demo».</small></p></main></body></html>"""
    response = HTMLResponse(body, status_code=status,
                            headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})
    if new_browser:
        response.set_cookie(AUTH_COOKIE, browser, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path=f"/realms/{settings.KEYCLOAK_REALM}")
    return response


def _form_valid(request: Request, token: str, params: dict[str, str]) -> bool:
    """A CSRF token this browser fetched (its cookie), for the same client and redirect URI; single-use."""
    with STATE.lock:
        form = STATE.csrf.pop(token, None)
    browser = request.cookies.get(AUTH_COOKIE, "")
    return (form is not None and form.expires > time.time() and bool(browser)
            and secrets.compare_digest(form.browser, browser)
            and form.client_id == params.get("client_id", "") and form.redirect_uri == params.get("redirect_uri", ""))


_AUTH_PARAMS = ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge",
                "code_challenge_method", "prompt")


def _check_auth_request(params: dict[str, str], origin: str | None) -> str | None:
    registered = client(params.get("client_id", ""))
    if registered is None:
        return "Неизвестный клиент."
    if not redirect_allowed(params.get("redirect_uri", ""), registered.get("redirectUris", []), origin):
        return "Недопустимый адрес возврата (redirect_uri)."
    if params.get("response_type") != "code":
        return "Поддерживается только response_type=code."
    if registered.get("attributes", {}).get("pkce.code.challenge.method") == "S256" and (
            params.get("code_challenge_method") != "S256" or not params.get("code_challenge")):
        return "Для этого клиента обязателен PKCE (S256)."
    return None


def _redirect_with_code(params: dict[str, str], session: Session) -> RedirectResponse:
    code = secrets.token_urlsafe(32)
    with STATE.lock:
        STATE.codes[code] = PendingCode(
            client_id=params["client_id"], redirect_uri=params["redirect_uri"], session=session,
            nonce=params.get("nonce") or None, scope=params.get("scope", "openid"),
            code_challenge=params.get("code_challenge") or None, expires=time.time() + CODE_TTL)
    query = {"code": code, "session_state": session.sid, "iss": issuer()}
    if params.get("state"):
        query["state"] = params["state"]
    sep = "&" if "?" in params["redirect_uri"] else "?"
    response = RedirectResponse(params["redirect_uri"] + sep + urlencode(query), status_code=302)
    response.set_cookie(COOKIE, session.sid, httponly=True, samesite="lax", path=f"/realms/{settings.KEYCLOAK_REALM}")
    return response


async def auth(request: Request) -> Response:
    if request.method == "GET":
        params = {k: request.query_params[k] for k in _AUTH_PARAMS if k in request.query_params}
        problem = _check_auth_request(params, own_origin(request))
        if problem:
            return HTMLResponse(f"<!doctype html><html lang='ru'><body><h1>Ошибка</h1><p>{html.escape(problem)}</p>"
                                "</body></html>", status_code=400)
        session = STATE.sessions.get(request.cookies.get(COOKIE, ""))
        if session is not None and params.get("prompt") != "login":
            return _redirect_with_code(params, session)
        return _login_page(request, params)
    form = await _form(request)
    params = {k: str(form[k]) for k in _AUTH_PARAMS if k in form}
    problem = _check_auth_request(params, own_origin(request))
    if problem:
        return HTMLResponse(f"<p>{html.escape(problem)}</p>", status_code=400)
    username = str(form.get("username", "")).strip()
    if not _form_valid(request, str(form.get("csrf_token", "")), params):
        return _login_page(request, params, "Срок действия формы истёк, попробуйте ещё раз.", username, status=400)
    account = password_sign_in(username, str(form.get("password", "")))
    if account is None:
        return _login_page(request, params, "Неверное имя пользователя или пароль.", username, status=401)
    session = Session(sid=str(uuid.uuid4()), username=username, auth_time=int(time.time()))
    with STATE.lock:
        STATE.sessions[session.sid] = session
    return _redirect_with_code(params, session)


def _client_auth(request: Request, form: dict[str, str]) -> dict[str, Any] | None:
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        from urllib.parse import unquote_plus
        client_id, secret = unquote_plus(client_id), unquote_plus(secret)
    registered = client(client_id)
    if registered is None:
        return None
    if registered.get("publicClient"):
        return registered
    return registered if secret and secrets.compare_digest(secret, registered.get("secret", "")) else None


def _verify(token: str, typ: str | None) -> dict[str, Any] | None:
    """Claims of a token this realm signed (signature, issuer, expiry, and `typ` when given), else None."""
    check: dict[str, Any] = {"iss": issuer(), "exp": None}
    if typ is not None:
        check["typ"] = typ
    try:
        parsed = jwt.JWT(jwt=token, key=signing_key(), algs=["RS256"], check_claims=check)
    except Exception:
        return None
    claims = json.loads(parsed.claims)
    return claims if isinstance(claims, dict) else None


def _no_store(data: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _pkce_ok(verifier: str, challenge: str) -> bool:
    return bool(verifier) and secrets.compare_digest(create_s256_code_challenge(verifier), challenge)


def _refresh(form: dict[str, str], client_id: str) -> Response:
    """refresh_token grant; single-use only when the realm file sets revokeRefreshToken."""
    claims = _verify(form.get("refresh_token", ""), "Refresh")
    revoke = bool(realm().get("revokeRefreshToken", False))
    with STATE.lock:
        jti = str(claims.get("jti", "")) if claims else ""
        grant = STATE.refresh.pop(jti, None) if revoke else STATE.refresh.get(jti)
        session = STATE.sessions.get(grant.sid) if grant is not None else None
    if grant is None or session is None or grant.client_id != client_id or grant.expires < time.time():
        return _error("invalid_grant", "Invalid refresh token")
    return _no_store(issue_tokens(session=session, client_id=client_id, scope=grant.scope))


async def token(request: Request) -> Response:
    form = await _form(request)
    registered = _client_auth(request, form)
    if registered is None:
        return _error("unauthorized_client", "Invalid client or Invalid client credentials", 401)
    client_id = registered["clientId"]
    grant = form.get("grant_type", "")
    if grant == "authorization_code":
        with STATE.lock:
            pending = STATE.codes.pop(form.get("code", ""), None)
        if pending is None or pending.expires < time.time() or pending.client_id != client_id:
            return _error("invalid_grant", "Code not valid")
        if form.get("redirect_uri") != pending.redirect_uri:
            return _error("invalid_grant", "Incorrect redirect_uri")
        if pending.code_challenge and not _pkce_ok(form.get("code_verifier", ""), pending.code_challenge):
            return _error("invalid_grant", "PKCE verification failed: Code mismatch")
        if pending.session.sid not in STATE.sessions:
            return _error("invalid_grant", "Session not active")
        return _no_store(issue_tokens(session=pending.session, client_id=client_id, scope=pending.scope,
                                      nonce=pending.nonce))
    if grant == "password":
        if not registered.get("directAccessGrantsEnabled"):
            return _error("unauthorized_client", "Client not allowed for direct access grants")
        account = password_sign_in(form.get("username", ""), form.get("password", ""))
        if account is None:
            return _error("invalid_grant", "Invalid user credentials", 401)
        session = Session(sid=str(uuid.uuid4()), username=account["username"], auth_time=int(time.time()))
        with STATE.lock:
            STATE.sessions[session.sid] = session
        return _no_store(issue_tokens(session=session, client_id=client_id, scope=form.get("scope", "openid")))
    if grant == "refresh_token":
        return _refresh(form, client_id)
    if grant == "client_credentials":
        account = service_account(client_id)
        if registered.get("publicClient") or not registered.get("serviceAccountsEnabled") or account is None:
            return _error("unauthorized_client", "Client not enabled to retrieve service account", 401)
        return _no_store(issue_service_account_token(registered, account))
    return _error("unsupported_grant_type", f"Unsupported grant_type: {grant}")


def _active(claims: dict[str, Any]) -> bool:
    """An access or refresh token whose SSO session (if any) and refresh grant (if a refresh token) live."""
    if claims.get("typ") not in ("Bearer", "Refresh"):
        return False
    with STATE.lock:
        if claims.get("sid") is not None and claims["sid"] not in STATE.sessions:
            return False
        return claims["typ"] == "Bearer" or str(claims.get("jti", "")) in STATE.refresh


async def introspect(request: Request) -> Response:
    """RFC 7662 token introspection for confidential clients: {"active": false} or the claims."""
    form = await _form(request)
    registered = _client_auth(request, form)
    if registered is None:
        return _error("invalid_client", "Authentication failed.", 401)
    if registered.get("publicClient"):
        return _error("invalid_request", "Client not allowed.", 403)
    claims = _verify(form.get("token", ""), None)
    if claims is None or not _active(claims):
        return _no_store({"active": False})
    return _no_store({**claims, "client_id": claims.get("azp"), "username": claims.get("preferred_username"),
                      "token_type": claims.get("typ"), "active": True})


async def userinfo(request: Request) -> Response:
    header = request.headers.get("authorization", "")
    claims = _verify(header[7:], "Bearer") if header.lower().startswith("bearer ") else None
    if claims is None or claims.get("sid") not in STATE.sessions:
        return JSONResponse({"error": "invalid_token", "error_description": "Token verification failed"},
                            status_code=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    account = user(claims.get("preferred_username", ""))
    return JSONResponse(_profile(account) if account else {"sub": claims["sub"]})


async def logout(request: Request) -> Response:
    data: dict[str, str] = dict(request.query_params)
    if request.method == "POST":
        data.update(await _form(request))
    sid = request.cookies.get(COOKIE)
    if data.get("refresh_token"):  # back-channel logout (python-keycloak's `logout(refresh_token)`)
        registered = _client_auth(request, data)
        claims = _verify(data["refresh_token"], "Refresh")
        if registered is None or claims is None:
            return _error("invalid_grant", "Invalid refresh token")
        sid = claims.get("sid")
    elif data.get("id_token_hint"):
        claims = _verify(data["id_token_hint"], "ID")
        if claims is None:
            return _error("invalid_request", "Invalid id_token_hint")
        sid = claims.get("sid") or sid
        data.setdefault("client_id", claims.get("azp", ""))
    with STATE.lock:
        STATE.sessions.pop(sid or "", None)
        STATE.refresh = {k: v for k, v in STATE.refresh.items() if v.sid != sid}
    target = data.get("post_logout_redirect_uri")
    if target:
        registered = client(data.get("client_id", ""))
        allowed = (registered or {}).get("attributes", {}).get("post.logout.redirect.uris", "").split("##")
        if registered is None or not redirect_allowed(target, [a for a in allowed if a], own_origin(request)):
            return HTMLResponse("<p>Недопустимый адрес возврата после выхода.</p>", status_code=400)
        if data.get("state"):
            target += ("&" if "?" in target else "?") + urlencode({"state": data["state"]})
        response: Response = RedirectResponse(target, status_code=302)
    elif request.method == "POST" and data.get("refresh_token"):
        response = Response(status_code=204)
    else:
        response = HTMLResponse("<!doctype html><html lang='ru'><body><p>Вы вышли из системы.</p></body></html>")
    response.delete_cookie(COOKIE, path=f"/realms/{settings.KEYCLOAK_REALM}")
    return response


def create_devrealm_app() -> Starlette:
    """The realm's ASGI app; ImproperlyConfigured with KEYCLOAK_URL set or DEBUG off without the override."""
    guard.require_allowed()
    signing_key()
    return Starlette(routes=[
        Route("/.well-known/openid-configuration", well_known),
        Route(f"{OIDC}/auth", auth, methods=["GET", "POST"]),
        Route(f"{OIDC}/token", token, methods=["POST"]),
        Route(f"{OIDC}/token/introspect", introspect, methods=["POST"]),
        Route(f"{OIDC}/certs", certs),
        Route("/resources/login.css", login_css),
        Route(f"{OIDC}/userinfo", userinfo, methods=["GET", "POST"]),
        Route(f"{OIDC}/logout", logout, methods=["GET", "POST"]),
    ])
