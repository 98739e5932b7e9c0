"""Log records as one greppable line each, with secrets and card numbers masked.

``OneLineFormatter``: ``<time> <LEVEL> <logger> <message>``; a traceback is folded onto the same line
(`` | `` between its lines) so ``grep 20260101-000012`` finds the whole event. A 4xx that Django logs
(a refused console page, a bad request) keeps its one line and drops the traceback: it is the
visitor's mistake, not the shop's.

``RedactFilter``: masks card-number-like digit runs, and the values of ``secret``, ``password``,
``token``, ``authorization`` and similar keys, whatever the message's source.
"""

import logging
import re

# A card number (PAN): 13 to 19 digits in a row, or grouped by fours with spaces or dashes. Order
# numbers (20260101-000012: 8 and 6 digits) match neither, and they are what people grep for.
CARD_NUMBER = re.compile(r"(?<![\d.,-])(?:(?:\d{4}[ -]){3}\d{1,7}|\d{13,19})(?![\d.,-]?\d)")
SECRET_VALUE = re.compile(
    r"""(?ix)
    (?P<key>["']?(?:secret|password|passwd|token|authorization|api[_-]?key|card[_-]?number|cvc|cvv|
        deposit_secret|sessionid|csrftoken)["']?\s*[:=]\s*)
    (?P<value>"[^"]*"|'[^']*'|(?:Basic|Bearer)\s+\S+|[^\s,;&}]+)
    """
)


def redact(text: str) -> str:
    text = SECRET_VALUE.sub(lambda match: f"{match.group('key')}***", text)
    return CARD_NUMBER.sub(_mask_card_number, text)


def _mask_card_number(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return f"****{digits[-4:]}"


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record still gets written, unformatted
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        status = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status, int) and 400 <= status < 500:
            # Django attaches the PermissionDenied / Http404 traceback to its 4xx warnings.
            record.exc_info = None
            record.exc_text = None
        return True


class OneLineFormatter(logging.Formatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return redact(text.replace("\r", "").replace("\n", " | "))
