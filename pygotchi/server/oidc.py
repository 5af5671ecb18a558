"""Sign-in with an OpenID Connect provider (Keycloak, Authentik, Authelia, Google...).

Authlib does the protocol: the authorization code flow with PKCE (S256), a
``state`` bound to the browser (kept in a short-lived signed cookie scoped to
``/auth/oidc``) and a ``nonce``; the ID token's signature is checked against the
provider's JWKS, its issuer against the discovery document, its audience against
our client id and its expiry against the clock. This module adds what is ours:

* An account is the provider's (issuer, subject) pair, created at the first
  sign-in under the ``preferred_username`` (made unique), never matched by name:
  a provider user called "admin" does not become the local "admin".
* The role comes from a claim named by a dotted path (Keycloak's
  ``realm_access.roles``, or ``groups``) and is set again at every sign-in, so
  taking the role away at the provider takes it away here.
* Every failure is turned into ``SignInFailed`` with a sentence a person can act
  on; the route shows it as a page, never a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.base_client.errors import MismatchingStateError
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from starlette.requests import Request

from pygotchi.server.settings import Settings
from pygotchi.store.models import ROLE_ADMIN, ROLE_PLAYER

with warnings.catch_warnings():
    # Authlib 1.6+ warns at import that its httpx integration will move to "httpx2";
    # it works as documented, and a warning on every start would only alarm operators.
    warnings.filterwarnings("ignore", message=r".*httpx module is deprecated.*")
    from authlib.integrations.starlette_client import OAuth

STATE_COOKIE = "pygotchi_oidc"
STATE_PATH = "/auth/oidc"
STATE_SECONDS = 600  # a sign-in at the provider must finish within ten minutes
NO_PASSWORD = "!oidc"  # not an argon2 hash: a password can never match it
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


class SignInFailed(Exception):
    """A sign-in that cannot finish: ``status`` for the page, ``message`` for the person."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, with what we need of their claims."""

    issuer: str
    subject: str
    username: str
    is_admin: bool
    id_token: str


def state_secret(secret: bytes) -> str:
    """The key of the state cookie, derived so it differs from every other use of the secret."""
    return hmac.new(secret, b"oidc-state-cookie", hashlib.sha256).hexdigest()


def claim_at(claims: dict[str, Any], path: str) -> Any:
    """``claims["realm_access"]["roles"]`` for ``"realm_access.roles"``; None if absent."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def has_role(claims: dict[str, Any], path: str, role: str) -> bool:
    """True when the claim at ``path`` lists ``role`` (a group path "/role" counts too)."""
    value = claim_at(claims, path)
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list):
        return False
    return any(isinstance(v, str) and v.strip("/") == role.strip("/") for v in value)


def wanted_username(claims: dict[str, Any]) -> str:
    """A local name from ``preferred_username`` (or the e-mail's user part, or the subject)."""
    for candidate in (claims.get("preferred_username"),
                      str(claims.get("email") or "").partition("@")[0],
                      claims.get("name"), claims.get("sub")):
        if isinstance(candidate, str):
            name = _NAME_CHARS.sub("", candidate.replace(" ", "."))[:32].strip(".-")
            if name:
                return name
    return "user"


class OidcClient:
    """The app's one relying-party client, set up from settings."""

    def __init__(self, settings: Settings) -> None:
        assert settings.oidc_issuer and settings.public_url
        self.settings = settings
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.redirect_uri = f"{settings.public_url}{STATE_PATH}/callback"
        self.after_logout_uri = f"{settings.public_url}/"
        oauth = OAuth()
        self.app = oauth.register(
            "provider",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=(settings.oidc_discovery_url
                                 or f"{self.issuer}/.well-known/openid-configuration"),
            client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256",
                           "timeout": settings.oidc_timeout},
        )

    async def _metadata(self) -> dict[str, Any]:
        try:
            metadata = await self.app.load_server_metadata()
        except httpx.HTTPStatusError as exc:
            self.app.server_metadata = {}
            raise SignInFailed(502, "provider_error",
                               f"the sign-in provider answered HTTP {exc.response.status_code} "
                               "for its discovery document: check PYGOTCHI_OIDC_ISSUER"
                               ) from None
        except httpx.HTTPError as exc:
            self.app.server_metadata = {}
            raise _unreachable(exc) from None
        except ValueError:
            self.app.server_metadata = {}
            raise SignInFailed(502, "provider_error",
                               "the sign-in provider's discovery document is not valid JSON: "
                               "check PYGOTCHI_OIDC_ISSUER") from None
        if not isinstance(metadata, dict) or "authorization_endpoint" not in metadata:
            self.app.server_metadata = {}
            raise SignInFailed(502, "provider_error",
                               "the sign-in provider's discovery document has no authorization "
                               "endpoint: check PYGOTCHI_OIDC_ISSUER")
        if str(metadata.get("issuer", "")).rstrip("/") != self.issuer:
            self.app.server_metadata = {}  # OpenID Connect Discovery 1.0, section 4.3
            raise SignInFailed(502, "provider_error",
                               f"the provider at {self.issuer} calls itself "
                               f"{str(metadata.get('issuer'))[:100]!r}: PYGOTCHI_OIDC_ISSUER must "
                               "be exactly its issuer")
        return metadata

    async def login_redirect(self, request: Request):
        """The redirect to the provider; state, nonce and PKCE verifier go into the cookie."""
        await self._metadata()
        try:
            return await self.app.authorize_redirect(request, self.redirect_uri)
        except httpx.HTTPError as exc:
            raise _unreachable(exc) from None

    async def finish(self, request: Request) -> Identity:
        """Check the provider's answer and return who signed in, or raise SignInFailed."""
        query = request.query_params
        if query.get("error"):
            described = query.get("error_description") or query["error"]
            raise SignInFailed(400, "provider_refused",
                               f"the sign-in provider did not sign you in: {described[:200]}")
        if not query.get("state"):
            raise SignInFailed(400, "bad_state", "this sign-in link has no 'state': start the "
                                                 "sign-in again from the sign-in page")
        if not query.get("code"):
            raise SignInFailed(400, "bad_request", "the provider's answer has no code: start "
                                                   "the sign-in again")
        metadata = await self._metadata()
        # Authlib checks the nonce, and 'azp', but the audience only when told to.
        issuers = [metadata["issuer"]]
        if metadata["issuer"] == "https://accounts.google.com":
            issuers.append("accounts.google.com")  # Google documents both forms of its 'iss'
        must = {"iss": {"essential": True, "values": issuers},
                "aud": {"essential": True, "values": [self.settings.oidc_client_id]}}
        try:
            token = await self.app.authorize_access_token(request, claims_options=must)
        except MismatchingStateError:
            raise SignInFailed(400, "bad_state",
                               "this sign-in did not start in this browser, or took longer than "
                               "ten minutes ('state' does not match): start it again") from None
        except OAuthError as exc:
            if exc.error == "invalid_grant":
                raise SignInFailed(400, "code_rejected",
                                   "the provider refused the sign-in code: it was already used "
                                   "or has expired. Start the sign-in again") from None
            raise SignInFailed(502, "provider_error",
                               f"the sign-in provider refused the request: {exc.error}"
                               f"{': ' + exc.description if exc.description else ''}"[:300]
                               ) from None
        except httpx.HTTPError as exc:
            raise _unreachable(exc) from None
        except ExpiredTokenError:
            raise SignInFailed(401, "token_expired",
                               "the provider's ID token has expired (is this server's clock "
                               "right?): start the sign-in again") from None
        except ClaimError as exc:
            raise SignInFailed(401, "token_invalid", _claim_problem(exc.claim)) from None
        except (BadSignatureError, InvalidKeyIdError):
            raise SignInFailed(401, "token_invalid",
                               "the ID token is not signed by the sign-in provider's keys: "
                               "sign-in refused") from None
        except JoseError as exc:
            raise SignInFailed(401, "token_invalid",
                               f"the provider's ID token is not valid ({exc.error}): "
                               "sign-in refused") from None
        claims = token.get("userinfo")
        if not claims or not token.get("id_token"):
            raise SignInFailed(502, "provider_error",
                               "the provider sent no ID token: is the 'openid' scope allowed "
                               "for this client?")
        return Identity(
            issuer=str(claims["iss"]), subject=str(claims["sub"]),
            username=wanted_username(claims),
            is_admin=has_role(claims, self.settings.oidc_roles_claim,
                              self.settings.oidc_admin_role),
            id_token=token["id_token"])

    async def logout_url(self, id_token: str | None) -> str:
        """Where the browser goes to end its provider session (RP-initiated logout).

        Without an end_session_endpoint (Google has none) it comes straight back.
        """
        try:
            metadata = await self._metadata()
        except SignInFailed:
            return self.after_logout_uri  # signed out here; the provider is not reachable
        if not metadata.get("end_session_endpoint"):
            return self.after_logout_uri
        result = await self.app.create_logout_url(
            post_logout_redirect_uri=self.after_logout_uri, id_token_hint=id_token,
            client_id=self.settings.oidc_client_id)
        return result["url"]


def role_of(identity: Identity) -> str:
    return ROLE_ADMIN if identity.is_admin else ROLE_PLAYER


def _unreachable(exc: Exception) -> SignInFailed:
    return SignInFailed(502, "provider_unreachable",
                        "the sign-in provider cannot be reached right now "
                        f"({type(exc).__name__}): try again in a moment")


_CLAIM_PROBLEMS = {
    "iss": "the ID token was issued by another provider than the one this server trusts",
    "aud": "the ID token was issued for another application",
    "nonce": "the ID token does not belong to this sign-in (wrong nonce)",
    "exp": "the ID token has expired",
    "iat": "the ID token's issue time is not valid",
    "sub": "the ID token names no user",
}


def _claim_problem(claim: str) -> str:
    what = _CLAIM_PROBLEMS.get(claim, f"the ID token's '{claim}' claim is not valid")
    return f"{what}: sign-in refused. Start again, or ask the operator to check the settings"
