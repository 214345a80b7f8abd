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
