"""Filters and globals the templates share."""
from datetime import datetime

from flask import Flask, current_app
from flask_babel import format_datetime, get_locale
from flask_login import current_user

from .domain import lifecycle, rights


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("dt")
    def format_dt(value: datetime | None, fmt: str = "short") -> str:
        """Show a UTC date in the user's timezone (empty when unset)."""
        return format_datetime(value, fmt) if value else ""

    @app.template_filter("sanitize_html")
    def sanitize(value: str):
        from .sanitize import sanitize_html
        return sanitize_html(value)

    @app.template_filter("filesize")
    def filesize(size: int) -> str:
        """Show a byte count the way people read it (Ko, Mo)."""
        from flask_babel import format_decimal
        if size < 1024:
            return f"{size} o"
        if size < 1024 * 1024:
            return f"{format_decimal(round(size / 1024, 1))} Ko"
        return f"{format_decimal(round(size / 1024 / 1024, 1))} Mo"

    @app.template_filter("status_label")
    def status_label(status: str) -> str:
        return lifecycle.label(status)

    @app.context_processor
    def globals_():
        return {
            "can": lambda right, obj=None: rights.can(current_user, right, obj),
            "rtname": current_app.config["RTSUIVI_NAME"],
            "current_locale": str(get_locale()),
            "lifecycle": lifecycle,
        }
