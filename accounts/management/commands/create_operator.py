"""Create an operator: a staff user in one or more operator groups.

    manage.py create_operator --email cs1@shop.example --name 김상담 --group cs
    manage.py create_operator --email ops@shop.example --name 박물류 --group fulfilment --group cs --password ...

Without --password the account has no usable password: the operator sets one through the
"forgot your password" mail, so no password travels through a shell history.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.exceptions import AccountError
from accounts.roles import OPERATOR_GROUPS
from accounts.services import create_operator


class Command(BaseCommand):
    help = "Create an operator (staff user) in the given operator group(s)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--group", action="append", required=True, choices=sorted(OPERATOR_GROUPS), dest="groups",
            help="An operator group; repeat for several.",
        )
        parser.add_argument("--password", default=None, help="Optional; otherwise set it by password reset.")

    def handle(self, *args, email, name, groups, password, **options):
        try:
            user = create_operator(email=email, name=name, groups=groups, password=password)
        except AccountError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Operator {user.email} created in: {', '.join(groups)}"))
        if not password:
            self.stdout.write("No password set: use “Forgot your password?” on the login page to set one.")
