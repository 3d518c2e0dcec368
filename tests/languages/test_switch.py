"""The footer's language switch, the remembered choice, and cached pages kept apart per language."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from forum.models import Comment, Restriction
from forum.ratelimit import in_words
from tests.factories import CommentFactory, MemberFactory, ModeratorFactory

SETLANG = "/i18n/setlang/"
THIS_SITE = {"origin": "http://testserver"}


@pytest.fixture
def comment(db):
    comment = CommentFactory(body="The first word.")
    Comment.objects.filter(pk=comment.pk).update(created_at=datetime(2026, 3, 5, 9, 30, tzinfo=UTC))
    return comment


def in_language(language, client=None):
    """A client whose browser sent the language cookie (as the footer's switch sets it)."""
    client = client or Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def switch(client, language, next_url="/", headers=THIS_SITE):
    return client.post(SETLANG, {"language": language, "next": next_url}, headers=headers)


def test_the_footer_offers_each_language_in_its_own_name(client, comment):
    html = client.get(comment.topic.get_absolute_url()).content.decode()
    assert f'action="{SETLANG}"' in html
    for code, name in (("en", "English"), ("ru", "Русский"), ("es", "Español")):
        assert f'name="language" value="{code}" lang="{code}"' in html and name in html


def test_a_reader_switches_to_russian_and_the_choice_is_remembered(client, comment):
    url = comment.topic.get_absolute_url()
    response = switch(client, "ru", next_url=url)
    assert response.status_code == 302 and response["Location"] == url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == settings.LANGUAGE_COOKIE_AGE
    html = client.get(url).content.decode()
    assert '<html lang="ru">' in html and "Войти" in html and ">Log in<" not in html
    assert '<html lang="es">' in in_language("es").get(reverse("forum:home")).content.decode()


def test_a_reader_is_served_spanish_when_the_browser_asks_for_it(client, comment):
    html = client.get(comment.topic.get_absolute_url(), headers={"accept-language": "es-ES,es;q=0.9"}).content.decode()
    assert '<html lang="es">' in html and "Iniciar sesión" in html


def test_another_sites_form_cannot_switch_a_readers_language(comment):
    client = Client(enforce_csrf_checks=True)
    response = switch(client, "ru", headers={"origin": "https://elsewhere.example"})
    assert response.status_code == 403 and settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert switch(client, "ru", headers={"sec-fetch-site": "cross-site"}).status_code == 403
    assert switch(client, "ru", headers={}).status_code == 403  # no header at all: the token is needed
    assert switch(client, "ru", headers={"sec-fetch-site": "same-origin"}).status_code == 302


@pytest.mark.parametrize("role", [MemberFactory, ModeratorFactory])
def test_a_member_switches_with_the_pages_csrf_token_and_never_without_it(comment, role):
    client = Client(enforce_csrf_checks=True)
    client.force_login(role())
    html = client.get(comment.topic.get_absolute_url()).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert switch(client, "es").status_code == 403  # the site's own origin is not enough for a member
    response = client.post(SETLANG, {"language": "es", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "Cerrar sesión" in client.get(comment.topic.get_absolute_url()).content.decode()


def test_switching_is_a_post_only(client, comment):
    assert client.get(SETLANG, {"language": "ru"}).status_code == 405


def test_an_unknown_language_changes_nothing(client, comment):
    response = switch(client, "xx")
    assert response.status_code == 302 and settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_switch_never_leads_to_another_site(client, comment):
    assert switch(client, "ru", next_url="https://elsewhere.example/")["Location"] == "/"


def test_a_russian_reader_is_never_served_the_english_readers_cached_page(client, comment):
    url = comment.topic.get_absolute_url()
    english = client.get(url)
    reader = in_language("ru")
    russian = reader.get(url)
    assert "Войти" in russian.content.decode() and ">Log in<" not in russian.content.decode()
    assert russian["ETag"] != english["ETag"]
    # The English ETag is no 304 for the Russian reader; each language is served from its own cache entry.
    assert reader.get(url, headers={"if-none-match": english["ETag"]}).status_code == 200
    assert reader.get(url, headers={"if-none-match": russian["ETag"]}).status_code == 304
    assert ">Log in<" in client.get(url).content.decode()
    assert "Accept-Language" in russian["Vary"] and "Cookie" in russian["Vary"]


def test_a_spanish_member_gets_spanish_comment_cards_after_an_english_member_filled_the_card_cache(comment):
    english, spanish = Client(), in_language("es")
    english.force_login(MemberFactory())
    spanish.force_login(MemberFactory())
    assert ">Reply</a>" in english.get(comment.topic.get_absolute_url()).content.decode()
    html = spanish.get(comment.topic.get_absolute_url()).content.decode()
    assert ">Responder</a>" in html and ">Reply</a>" not in html


def test_dates_are_written_in_the_readers_language(client, comment):
    assert "5 Mar 2026" in client.get(comment.topic.get_absolute_url()).content.decode()
    russian = in_language("ru").get(comment.topic.get_absolute_url()).content.decode()
    spanish = in_language("es").get(comment.topic.get_absolute_url()).content.decode()
    assert "5 Мар 2026" in russian and "5 Mar 2026" in spanish  # Spanish abbreviates March as "Mar" too
    assert "5 Mar 2026" not in russian


def test_a_restriction_is_explained_in_the_readers_language_with_its_date(db):
    member = MemberFactory()
    restriction = Restriction.objects.create(
        member=member,
        kind=Restriction.Kind.MUTE,
        reason="Spam.",
        ends_at=datetime(2026, 3, 5, 9, 30, tzinfo=UTC),
    )
    with translation.override("ru"):
        assert restriction.explanation == "Вам запрещено писать до 5 марта 2026 г. 9:30 UTC: Spam."
    with translation.override("es"):
        assert restriction.explanation == "Tu cuenta está silenciada hasta el 5 de marzo de 2026 a las 09:30 UTC: Spam."
    with translation.override("en"):
        assert restriction.explanation == "Your account is muted until March 5, 2026, 9:30 a.m. UTC: Spam."


def test_a_wait_is_counted_with_the_languages_plurals():
    with translation.override("ru"):
        assert [in_words(seconds) for seconds in (1, 3, 5, 21, 120, 660)] == [
            "1 секунду",
            "3 секунды",
            "5 секунд",
            "21 секунду",
            "2 минуты",
            "11 минут",
        ]
