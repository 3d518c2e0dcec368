"""`make messages`: gather every marked string into the catalogues, then compile them (README: "Languages")."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Every language but English, whose strings are the msgids themselves.
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# Folders with no interface string: tests and tooling, the collected static files, the virtualenv.
IGNORED = ["tests/*", "bench/*", "deploy/*", "docs/*", "run/*", "staticfiles/*", "node_modules/*"]
# The same options every time, so a catalogue changes only where a string did: locations by file (line
# numbers would churn at every edit), no line wrapping, and strings no longer in the code dropped.
MAKEMESSAGES = {
    "locale": TRANSLATED,
    "add_location": "file",
    "no_obsolete": True,
    "no_wrap": True,
    "ignore_patterns": IGNORED,
}


class Command(BaseCommand):
    help = "Gather the marked strings into locale/<language>/LC_MESSAGES/django.po, then compile the .mo files."

    def add_arguments(self, parser):
        parser.add_argument("--no-compile", action="store_true", help="Only gather the strings.")

    def handle(self, *args, no_compile=False, verbosity=1, **options):
        call_command("makemessages", verbosity=verbosity, **MAKEMESSAGES)
        if not no_compile:
            # compilemessages walks the whole tree for locale folders: keep it out of the virtualenv's.
            call_command("compilemessages", verbosity=verbosity, locale=TRANSLATED, ignore_patterns=[".*", *IGNORED])
