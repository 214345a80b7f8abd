"""Security headers on every answer: what the browser may load, run and frame.

No inline script, handler or style anywhere in our pages (htmx's own indicator style is
turned off in base.html's htmx-config), so the policy needs no 'unsafe-inline'. A page
that sets its own policy keeps it (attachment downloads send "sandbox").
"""
from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
))


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")  # for browsers before CSP level 2
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        return response
