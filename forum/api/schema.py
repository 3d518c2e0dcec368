from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


FIELD_ERRORS = {
    "type": "object",
    "description": "Messages by field name; `non_field_errors` for the request as a whole.",
    "additionalProperties": {},
}


class ForumAutoSchema(AutoSchema):
    """Every operation documents the errors it can answer, so a client (and the schema fuzzing in
    tests/api) knows every status code: a bad or revoked token (401), a refusal (403), nothing there
    (404), and for writes bad input (400) and a rate limit (429)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {"401": ErrorSerializer, "403": ErrorSerializer, "404": ErrorSerializer}
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors.update({"400": FIELD_ERRORS, "429": ErrorSerializer})
        for code, serializer in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(serializer, code, direction=direction)
        return responses
