"""Message providers: mail through Django's email backend, 알림톡 through a provider chosen by
``settings.ALIMTALK_PROVIDER``.

- ``dev``: sends nothing out; the outbox row itself, marked sent, is the record,
  marked sent, which the console's message log shows; nothing leaves the machine.
- ``solapi``: the Solapi (https://api.solapi.com) Kakao 알림톡 API: POST /messages/v4/send with
  HMAC-SHA256 authentication (``Authorization: HMAC-SHA256 apiKey=…, date=…, salt=…,
  signature=…``), the message ``{"to", "from", "kakaoOptions": {"pfId", "templateId",
  "variables"}}``.
"""

import hashlib
import hmac
import json
import secrets
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


@dataclass
class SendResult:
    provider_message_id: str = ""


class ProviderError(Exception):
    """The provider refused or could not be reached; the dispatcher retries later."""


class AlimtalkProvider:
    def send(self, *, to: str, template_code: str, body: str) -> SendResult:  # pragma: no cover - interface
        raise NotImplementedError


class DevAlimtalkProvider(AlimtalkProvider):
    """Accepts every message; the outbox row (marked sent) is the record the shop shows."""

    def send(self, *, to: str, template_code: str, body: str) -> SendResult:
        return SendResult(provider_message_id=f"dev-{secrets.token_hex(6)}")


class SolapiAlimtalkProvider(AlimtalkProvider):
    def __init__(self, *, api_key: str | None = None, api_secret: str | None = None, sender: str | None = None,
                 pf_id: str | None = None, base_url: str | None = None, timeout: float = 5.0):
        self.api_key = api_key or settings.SOLAPI_API_KEY
        self.api_secret = api_secret or settings.SOLAPI_API_SECRET
        self.sender = sender or settings.SOLAPI_SENDER
        self.pf_id = pf_id or settings.SOLAPI_PF_ID
        self.base_url = (base_url or settings.SOLAPI_BASE_URL).rstrip("/")
        self.timeout = timeout

    def authorization(self, *, date: str, salt: str) -> str:
        signature = hmac.new(self.api_secret.encode(), (date + salt).encode(), hashlib.sha256).hexdigest()
        return f"HMAC-SHA256 apiKey={self.api_key}, date={date}, salt={salt}, signature={signature}"

    def send(self, *, to: str, template_code: str, body: str) -> SendResult:
        date = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        salt = secrets.token_hex(16)
        payload = {
            "message": {
                "to": to.replace("-", ""),
                "from": self.sender,
                "text": body,
                "kakaoOptions": {"pfId": self.pf_id, "templateId": template_code, "disableSms": False},
            }
        }
        request = urllib.request.Request(
            f"{self.base_url}/messages/v4/send",
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Authorization": self.authorization(date=date, salt=salt),
                     "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except Exception as exc:  # network or HTTP error: retry later
            raise ProviderError(str(exc)) from exc
        return SendResult(provider_message_id=str(answer.get("messageId") or answer.get("groupId") or ""))


def alimtalk_provider() -> AlimtalkProvider:
    return import_string(settings.ALIMTALK_PROVIDER)()


def send_email_message(*, to: str, subject: str, body: str) -> SendResult:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    except Exception as exc:
        raise ProviderError(str(exc)) from exc
    return SendResult()
