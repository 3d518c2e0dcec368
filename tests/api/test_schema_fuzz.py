"""Schemathesis fuzzes the API's OpenAPI schema against a live server, with a token so writes run too:
no answer is a 500, and every answer's status code, content type and body are those the schema states."""

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from tests.api.conftest import token_client
from tests.factories import ClassroomFactory, CommentFactory, MembershipFactory

# The schema as the server builds it (the live server serves the same; tests/browser/test_api.py fetches it).
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.specs.openapi.checks.status_code_conformance,
    schemathesis.specs.openapi.checks.content_type_conformance,
    schemathesis.specs.openapi.checks.response_schema_conformance,
]


@pytest.fixture
def world(live_server, topic):
    """What the fuzzed requests reach: the topic, a thread with replies, and a class whose teacher holds the
    token. Fuzzed slugs and ids would nearly all be 404s, so the cases' path parameters are pinned to these."""
    classroom = ClassroomFactory(article=topic.article)
    MembershipFactory(classroom=classroom)
    comment = CommentFactory(topic=topic)
    CommentFactory.create_batch(2, topic=topic, parent=comment)
    return {
        "token": token_client(classroom.teacher).secret,
        "path": {"article": topic.article.slug, "topic": topic.slug},
        "comment": comment.pk,
        "class": classroom.pk,
    }


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_schema_says(case, world, live_server):
    pinned = {name: value for name, value in world["path"].items() if name in (case.path_parameters or {})}
    if "id" in (case.path_parameters or {}):  # the schema names a path's <int:pk> "id"
        pinned["id"] = world["class"] if case.path.startswith("/api/v1/classes/") else world["comment"]
    case.path_parameters = {**(case.path_parameters or {}), **pinned}
    case.call_and_validate(
        base_url=live_server.url, headers={"Authorization": f"Bearer {world['token']}"}, checks=CHECKS
    )
