"""The catalogues are complete and compiled (README: "Languages").

Every string marked in the code is translated, and not fuzzy, in each catalogue as `make messages`
would leave it; and the committed .mo files hold what their .po files compile to, so a fresh machine
serves the translations without gettext. gettext's tools (xgettext, msgattrib, msgfmt) run here.
"""

import os
import shutil
import subprocess
import sys
from gettext import GNUTranslations

import pytest
from django.conf import settings

from forum.management.commands.update_messages import TRANSLATED

# What makemessages reads (the code and templates, with the settings it runs under) and the catalogues.
SOURCES = ["manage.py", "diplomacy", "forum", "templates", "locale"]


def catalogue(root, language: str, kind: str = "po"):
    return root / language / "LC_MESSAGES" / f"django.{kind}"


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install GNU gettext (apt-get install gettext)."
    return path


def gather(copy, add=None):
    """Copy the project to `copy` (with `add`: {path: text} more files), gather its strings as
    `make messages` does, and return the copy's catalogues."""
    for name in SOURCES:
        source = settings.BASE_DIR / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    for path, text in (add or {}).items():
        (copy / path).write_text(text)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "diplomacy.settings", "DJANGO_SECRET_KEY": "catalogue-check"}
    subprocess.run(
        [sys.executable, "manage.py", "update_messages", "--no-compile", "--verbosity", "0"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    return copy / "locale"


@pytest.fixture(scope="module")
def gathered(tmp_path_factory):
    """The catalogues after `make messages` gathers the strings again, in a copy of the project."""
    return gather(tmp_path_factory.mktemp("project"))


def entries(po, option: str) -> str:
    """The entries msgattrib keeps with `option` (--untranslated, --only-fuzzy): empty when there are none."""
    return subprocess.run(
        [tool("msgattrib"), option, "--no-obsolete", str(po)], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_string_is_translated(gathered, language):
    missing = entries(catalogue(gathered, language), "--untranslated")
    assert not missing, f"Untranslated in {language} (run `make messages`, then translate):\n{missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_translation_is_left_fuzzy(gathered, language):
    fuzzy = entries(catalogue(gathered, language), "--only-fuzzy")
    assert not fuzzy, f"Fuzzy in {language} (check each, then remove its fuzzy flag):\n{fuzzy}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_compiled_catalogue_is_the_current_one(tmp_path, language):
    locale = settings.BASE_DIR / "locale"
    fresh = tmp_path / "django.mo"
    subprocess.run([tool("msgfmt"), "--check", "-o", str(fresh), str(catalogue(locale, language))], check=True)
    with open(catalogue(locale, language, "mo"), "rb") as committed, open(fresh, "rb") as compiled:
        # Compared as catalogues, not bytes: another version of msgfmt may lay the same file out differently.
        assert GNUTranslations(committed)._catalog == GNUTranslations(compiled)._catalog, (
            f"locale/{language}/LC_MESSAGES/django.mo is stale: run `make messages`."
        )


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_translation_brings_a_double_quote_its_english_lacks(language):
    """Templates put translations in attributes (aria-label="…"), and {% translate %} does not escape them."""
    locale = settings.BASE_DIR / "locale"
    with open(catalogue(locale, language, "mo"), "rb") as compiled:
        translations = GNUTranslations(compiled)._catalog
    quoted = [
        text
        for key, text in translations.items()
        if '"' in text and '"' not in (key[0] if isinstance(key, tuple) else key)
    ]
    assert quoted == [], "Use « » or “ ” in translations, not straight double quotes."


def test_the_check_finds_a_string_marked_since_the_last_translation(tmp_path):
    probe = {"templates/forum/_probe.html": '{% load i18n %}{% translate "A sentence nobody has translated" %}'}
    locale = gather(tmp_path, add=probe)
    for language in TRANSLATED:
        assert '"A sentence nobody has translated"' in entries(catalogue(locale, language), "--untranslated")


def test_the_site_is_offered_in_english_russian_and_spanish():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "ru", "es"]
    assert TRANSLATED == ["ru", "es"]
