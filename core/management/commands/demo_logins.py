"""Print the demo logins and where to use them (``make run`` shows this before the server starts).

The accounts are made by ``python manage.py seed_demo``.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

DEMO_PASSWORD = "demo1234!"

# (role, email, what to try): the people seed_demo creates, in the order they are printed.
DEMO_ACCOUNTS = (
    ("Shopper", "shopper@example.com", "browse, cart, order, my page"),
    ("Operator", "operator@example.com", "order console, every operator group"),
    ("Superuser", "admin@example.com", "Django admin"),
    ("Seller: fashion, sports", "seller1@example.com", "partner portal of 스타일온"),
    ("Seller: beauty", "seller2@example.com", "partner portal of 뷰티랩"),
    ("Seller: food", "seller3@example.com", "partner portal of 산지직송마켓"),
    ("Seller: digital, living, kids", "seller4@example.com", "partner portal of 리빙앤테크"),
)


def _partner_path() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("partner:home")
    except NoReverseMatch:
        return ""


def _existing_emails() -> set[str] | None:
    """The demo emails present in the database, or None when it cannot be asked (not migrated)."""
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError

    try:
        return set(
            get_user_model().objects.filter(email__in=[email for _r, email, _w in DEMO_ACCOUNTS])
            .values_list("email", flat=True)
        )
    except DatabaseError:
        return None


def print_logins(stdout, *, base_url: str | None = None) -> None:
    """Write the demo logins table to ``stdout`` (a management command's OutputWrapper or a file).

    The URLs are the server's own (``settings.SITE_URL``, derived from HOST and PORT) unless given.
    """
    base_url = (base_url or settings.SITE_URL).rstrip("/")
    existing = _existing_emails()
    lines = [
        "",
        "Demo logins (password for all: " + DEMO_PASSWORD + ")",
        "-" * 78,
    ]
    for role, email, purpose in DEMO_ACCOUNTS:
        missing = existing is not None and email not in existing
        lines.append(f"  {role:<30} {email:<24} {purpose}{'  (not created yet)' if missing else ''}")
    lines += [
        "-" * 78,
        f"  Storefront     {base_url}/",
        f"  Order console  {base_url}/console/",
        f"  Django admin   {base_url}/{settings.ADMIN_URL.lstrip('/')}",
    ]
    partner = _partner_path()
    if partner:
        lines.append(f"  Partner portal {base_url}{partner}")
    if existing is not None and not existing:
        lines.append("  No demo account yet: run `python manage.py seed_demo` (make run does).")
    lines.append("")
    for line in lines:
        stdout.write(line)


class Command(BaseCommand):
    help = "Print the demo logins (made by seed_demo), their password and the URLs to try them on."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=None,
                            help="where the server listens (default: SITE_URL, from HOST and PORT)")

    def handle(self, *args, **options):
        print_logins(self.stdout, base_url=options["base_url"])
