"""The local issuer's OpenID Connect side: the authorization code flow with PKCE, as the app signs in.

The app signs in the same way locally and deployed (Cognito): it reads ``/app/config.json``,
discovers the endpoints at ``<authority>/.well-known/openid-configuration``, sends the browser to
the authorization endpoint and exchanges the code it gets back, with its PKCE verifier, for tokens.
Only the sign-in page differs: here it lists the demo accounts (演示环境, no password).

* ``flow``: ``CodeFlow``, the protocol (codes, sessions, refresh tokens; pure, on a clock);
* ``endpoints``: ``SignInEndpoints``, the protocol on HTTP under ``/_local``;
* ``pages``: the sign-in pages, plain HTML with no script at all, under the app's CSP.
"""

from infra.local.oidc.endpoints import SignInEndpoints
from infra.local.oidc.flow import (
    CLIENT_ID,
    DEFAULT_APP_TOKEN_TTL_SECONDS,
    AuthorizationRequest,
    CodeFlow,
    InvalidAuthorization,
    OAuthError,
    s256,
)
from infra.local.oidc.pages import DemoAccount

__all__ = [
    "CLIENT_ID",
    "DEFAULT_APP_TOKEN_TTL_SECONDS",
    "AuthorizationRequest",
    "CodeFlow",
    "DemoAccount",
    "InvalidAuthorization",
    "OAuthError",
    "SignInEndpoints",
    "s256",
]
