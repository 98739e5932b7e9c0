"""Logging filters."""

import logging


class QuietPermissionDenied(logging.Filter):
    """A 403 is an expected answer (a shopper on a console URL), not an error: Django logs it with
    the PermissionDenied traceback attached; keep the one-line warning and drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
