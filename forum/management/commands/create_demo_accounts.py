import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from forum.models import Article, User
from forum.services.classes import create_class, join_class

# username, display name, role
DEMO_ACCOUNTS = [
    ("admin", "Ada Admin", "admin"),
    ("moderator", "Mo Moderator", "moderator"),
    ("teacher", "Tess Teacher", "teacher"),
    ("student1", "Sam Student", "student"),
    ("student2", "Priya Student", "student"),
    ("student3", "Lee Student", "student"),
]
PASSWORD_FILE = settings.BASE_DIR / ".demo-accounts.txt"


class Command(BaseCommand):
    help = "Create demo accounts with random passwords, once; print them and keep them in .demo-accounts.txt."

    def add_arguments(self, parser):
        # `make prod-up` keeps its own file, so the passwords of `make run`'s database are never overwritten.
        parser.add_argument(
            "--password-file",
            type=Path,
            default=None,
            help="Where to keep the passwords (default: .demo-accounts.txt in the checkout).",
        )

    def handle(self, *args, password_file=None, **options):
        password_file = password_file or PASSWORD_FILE
        if User.objects.filter(username__in=[name for name, _, _ in DEMO_ACCOUNTS]).exists():
            self.stdout.write(f"Demo accounts exist already; their passwords are in {password_file.name}.")
            return
        lines = self.create_accounts()
        lines += self.create_demo_class()
        password_file.write_text("\n".join(lines) + "\n")
        password_file.chmod(0o600)
        banner = f"Demo accounts (shown once; also in {password_file.name}, which git ignores):"
        self.stdout.write("\n".join(["", banner, *lines, ""]))

    @transaction.atomic
    def create_accounts(self) -> list[str]:
        moderators, _ = Group.objects.get_or_create(name="Moderators")
        lines = []
        for username, display_name, role in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(
                username=username,
                email=f"{username}@example.org",
                password=password,
                display_name=display_name,
                is_staff=role in ("admin", "moderator"),
                is_superuser=role == "admin",
            )
            if role == "moderator":
                user.groups.add(moderators)
            lines.append(f"  {role:<10} {username:<10} {password}")
        return lines

    def create_demo_class(self) -> list[str]:
        """The demo teacher's class "10B", with the three demo students in it."""
        article = Article.objects.published().first()
        if article is None:
            return []
        teacher = User.objects.get(username="teacher")
        classroom = create_class(teacher=teacher, name="10B", article=article)
        for username in ("student1", "student2", "student3"):
            join_class(member=User.objects.get(username=username), code=classroom.join_code)
        return [f"  The teacher's class 10B has the three students; its join code is {classroom.join_code}."]
