"""A learning platform played by the tests: its own RSA key and key set, signed launches, and the NRPS, AGS
and token endpoints the tool calls (answered by `responses`, in this process, so also from a live server's
thread). Every call the tool makes is kept, so tests can check each claim it sends."""

import json
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import jwt
import responses
from jwcrypto.jwk import JWK

from forum.services.lti import register_platform

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"


def new_key(kid: str) -> JWK:
    return JWK.generate(kty="RSA", size=2048, kid=kid)


@dataclass
class FakePlatform:
    issuer: str = "https://moodle.school.test"
    client_id: str = "forum-tool-1"
    deployment_id: str = "1"
    context_id: str = "course-42"
    context_title: str = "History 10B"
    key: JWK = field(default_factory=lambda: new_key("platform-key-1"))
    scores: list = field(default_factory=list)  # (line item url, score dict, token claims)
    line_items: list = field(default_factory=list)
    token_requests: list = field(default_factory=list)
    members: list = field(default_factory=list)

    @property
    def auth_url(self):
        return f"{self.issuer}/mod/lti/auth.php"

    @property
    def token_url(self):
        return f"{self.issuer}/mod/lti/token.php"

    @property
    def keyset_url(self):
        return f"{self.issuer}/mod/lti/certs.php"

    @property
    def memberships_url(self):
        return f"{self.issuer}/mod/lti/services.php/{self.context_id}/bindings/1/memberships"

    @property
    def lineitems_url(self):
        return f"{self.issuer}/mod/lti/services.php/{self.context_id}/lineitems"

    def register(self, deployment_ids=None):
        return register_platform(
            name="School Moodle",
            issuer=self.issuer,
            client_id=self.client_id,
            auth_url=self.auth_url,
            token_url=self.token_url,
            keyset_url=self.keyset_url,
            deployment_ids=[self.deployment_id] if deployment_ids is None else deployment_ids,
        )

    # The HTTP side: key set, OAuth2 token, NRPS, AGS

    def serve(self, rsps: responses.RequestsMock) -> None:
        public = json.loads(self.key.export_public())
        rsps.add(responses.GET, self.keyset_url, json={"keys": [{**public, "alg": "RS256", "use": "sig"}]})
        rsps.add_callback(responses.POST, self.token_url, callback=self.answer_token)
        rsps.add_callback(responses.GET, self.memberships_url, callback=self.answer_members)
        rsps.add_callback(responses.GET, self.lineitems_url, callback=self.answer_line_items)
        rsps.add_callback(responses.POST, self.lineitems_url, callback=self.create_line_item)
        rsps.add_callback(responses.POST, f"{self.lineitems_url}/1/scores", callback=self.take_score)

    def answer_token(self, request):
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        self.token_requests.append(form)
        return 200, {}, json.dumps({"access_token": "platform-token", "token_type": "bearer", "expires_in": 3600})

    def answer_members(self, request):
        assert request.headers["Authorization"] == "Bearer platform-token"
        body = {"id": self.memberships_url, "context": {"id": self.context_id}, "members": self.members}
        return 200, {}, json.dumps(body)

    def answer_line_items(self, request):
        return 200, {}, json.dumps(self.line_items)

    def create_line_item(self, request):
        item = {**json.loads(request.body), "id": f"{self.lineitems_url}/1"}
        self.line_items.append(item)
        return 201, {}, json.dumps(item)

    def take_score(self, request):
        assert request.headers["Authorization"] == "Bearer platform-token"
        assert request.headers["Content-Type"] == "application/vnd.ims.lis.v1.score+json"
        self.scores.append(json.loads(request.body))
        return 204, {}, ""

    # The browser side: login initiation and the signed launch

    def login_params(self, sub: str, **extra) -> dict:
        return {
            "iss": self.issuer,
            "login_hint": sub,
            "target_link_uri": "http://testserver/lti/launch/",
            "lti_message_hint": "hint-1",
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
            **extra,
        }

    def claims(self, *, nonce: str, sub: str, roles: list[str], given_name="Zoë", family_name="Martin", **extra):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "given_name": given_name,
            "family_name": family_name,
            "name": f"{given_name} {family_name}",
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": "http://testserver/lti/launch/",
            LTI + "roles": roles,
            LTI + "context": {"id": self.context_id, "title": self.context_title, "label": "HIST10B"},
            LTI + "resource_link": {"id": "link-1", "title": "Peace talks"},
            LTI + "tool_platform": {"guid": "moodle-1", "url": "https://moodle.school.test/", "name": "Moodle"},
            LTI + "launch_presentation": {
                "document_target": "iframe",
                "return_url": "https://moodle.school.test/course/view.php?id=42",
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.memberships_url,
                "service_versions": ["2.0"],
            },
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitems": self.lineitems_url,
            },
        }
        claims.update(extra)
        return {name: value for name, value in claims.items() if value is not None}  # None: leave the claim out

    def sign(self, claims: dict, key: JWK | None = None) -> str:
        key = key or self.key
        return jwt.encode(claims, key.export_to_pem(private_key=True, password=None), "RS256", headers={"kid": key.kid})

    def start(self, client, sub: str) -> dict:
        """Login initiation: the tool's redirect to our auth URL, as its query parameters."""
        response = client.post("/lti/login/", self.login_params(sub))
        assert response.status_code == 302, response.content
        location = urlsplit(response["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == self.auth_url
        return {k: v[0] for k, v in parse_qs(location.query).items()}

    def launch(self, client, *, sub="learner-1", roles=(LEARNER,), tamper=None, key=None, **claims):
        """A whole launch as a browser makes it: login initiation, then the signed id_token posted back.

        `tamper(claims, token) -> token` changes the token after signing; `key` signs with another key.
        """
        auth = self.start(client, sub)
        body = self.claims(nonce=auth["nonce"], sub=sub, roles=list(roles), **claims)
        token = self.sign(body, key)
        if tamper is not None:
            token = tamper(body, token)
        response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
        response.token, response.state = token, auth["state"]
        return response


def deep_linking_claims(return_url="https://moodle.school.test/mod/lti/contentitem_return.php") -> dict:
    """What a deep linking request carries instead of a resource link."""
    return {
        LTI + "message_type": "LtiDeepLinkingRequest",
        LTI + "resource_link": None,
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
            "deep_link_return_url": return_url,
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": False,
            "data": "opaque-platform-data",
        },
    }
