"""The response headers of the app (``/app/``) and of the local sign-in pages, in one place.

``APP_CSP`` is the one Content-Security-Policy of the app: the local runtime sends it from here and
the deployed front door (CloudFront's response-headers policy in template.yaml) sends the same
string; a test compares the two.
"""

from __future__ import annotations

APP_CSP = "; ".join(
    [
        "default-src 'self'",
        # No inline script and no other origin: user text can never become code.
        "script-src 'self'",
        # 'unsafe-inline' for styles only: the UI kit (Vant) sets style attributes at run time
        # (popup stacking order, theme variables, positions), which a strict style-src would block.
        # Inline style cannot run script.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        # data: for the UI kit's icon font, which its CSS carries inline (the build drops the CDN
        # copy it also names); a data: URL is no other origin and a font cannot run script.
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

APP_SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", APP_CSP),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
)
