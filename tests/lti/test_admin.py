"""The registration page in the admin: what an administrator types for a platform."""

from django.conf import settings
from django.urls import reverse
from lti_tool.models import Key, LtiRegistration

from tests.factories import AdminFactory, ModeratorFactory

ADD = reverse("admin:lti_tool_ltiregistration_add")


def form(**changes):
    data = {
        "name": "School Moodle",
        "uuid": "0c4b6b38-6f55-4d55-9d1c-4f3c2f0a1b2c",
        "issuer": "https://moodle.school.test",
        "client_id": "abc123",
        "audience": "",
        "auth_url": "https://moodle.school.test/mod/lti/auth.php",
        "token_url": "https://moodle.school.test/mod/lti/token.php",
        "keyset_url": "https://moodle.school.test/mod/lti/certs.php",
        "is_active": "on",
        "public_key": "",
        "private_key": "",
        "deployments-TOTAL_FORMS": "1",
        "deployments-INITIAL_FORMS": "0",
        "deployments-MIN_NUM_FORMS": "0",
        "deployments-MAX_NUM_FORMS": "1000",
        "deployments-0-deployment_id": "1",
        "deployments-0-is_active": "on",
    }
    data.update(changes)
    return data


def test_an_administrator_registers_a_platform_with_its_deployment_and_the_tool_gets_a_key(client, db):
    client.force_login(AdminFactory())
    page = client.get(ADD).content.decode()
    assert "/lti/login/" in page and "/lti/launch/" in page and "/lti/jwks.json" in page
    response = client.post(ADD, form())
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    registration = LtiRegistration.objects.get()
    assert (registration.issuer, registration.client_id) == ("https://moodle.school.test", "abc123")
    assert list(registration.deployments.values_list("deployment_id", "is_active")) == [("1", True)]
    assert Key.objects.active().count() == 1
    assert client.get(reverse("lti:jwks")).json()["keys"]


def test_a_registration_with_a_bad_url_is_a_message_on_the_form(client, db):
    client.force_login(AdminFactory())
    response = client.post(ADD, form(keyset_url="not a url"))
    assert response.status_code == 200 and not LtiRegistration.objects.exists()
    assert "Enter a valid URL." in response.content.decode()


def test_moderators_cannot_register_platforms(client, db):
    client.force_login(ModeratorFactory())
    assert client.get(ADD).status_code == 403


def test_the_registration_page_speaks_russian_down_to_the_librarys_own_labels(client, db):
    client.force_login(AdminFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(ADD).content.decode()
    for russian in ["Что ввести на платформе", "Постоянные ключи", "Адрес авторизации", "ID развёртывания"]:
        assert russian in page
    for english in ["Static keys", "Auth URL", "Deployment ID", "LTI registration"]:
        assert english.lower() not in page.lower()
