"""A local stand-in for Google's OAuth token endpoint and the FCM v1 send API.

It speaks just enough HTTP for the real firebase-admin (requests + google-auth) to talk to
it: the service-account JWT grant at ``/token`` (the assertion is verified against the test
key), ``POST /v1/projects/<project>/messages:send``, and the IAM Credentials
``allowedLocations`` lookup google-auth makes in the background after a token refresh. Every
send request is recorded; the test scripts answers per device token (errors, then success)
the way FCM gives them.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt

SEND_PATH = re.compile(r"^/v1/projects/(?P<project>[^/]+)/messages:send$")
# FCM v1 topic management (firebase-admin 7.x): POST …/registrations/<token>/topicSubscriptions
# ?topic_name=<topic> subscribes, DELETE …/topicSubscriptions/<topic>?allow_missing=true leaves.
TOPIC_PATH = re.compile(
    r"^/v1/projects/(?P<project>[^/]+)/registrations/(?P<token>[^/]+)/topicSubscriptions"
    r"(?:/(?P<topic>[^/?]+))?(?:\?(?P<query>.*))?$"
)
CONDITION_TOPIC = re.compile(r"'([A-Za-z0-9\-_.~%]+)' in topics")
RAB_PATH = re.compile(r"^/v1/projects/-/serviceAccounts/(?P<email>[^/]+)/allowedLocations$")


@dataclass(frozen=True)
class SendRequest:
    project: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def message(self) -> dict[str, Any]:
        return self.body["message"]


def fcm_error(status: int, code: str, message: str, *extra: dict[str, Any]) -> dict[str, Any]:
    """An error body as FCM v1 returns it (google.rpc.Status with an FcmError detail)."""
    return {
        "error": {
            "code": status,
            "message": message,
            "status": {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                       429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                       503: "UNAVAILABLE"}.get(status, "UNKNOWN"),
            "details": [
                {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                 "errorCode": code},
                *extra,
            ],
        }
    }


UNREGISTERED = (404, fcm_error(404, "UNREGISTERED", "Requested entity was not found."))
INTERNAL = (500, fcm_error(500, "INTERNAL", "Internal error encountered."))
UNAVAILABLE = (503, fcm_error(503, "UNAVAILABLE", "The service is currently unavailable."))
QUOTA_EXCEEDED = (429, fcm_error(429, "QUOTA_EXCEEDED", "Quota exceeded for this device."))
INVALID_TOKEN = (400, fcm_error(
    400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token",
))
INVALID_MESSAGE = (400, fcm_error(
    400, "INVALID_ARGUMENT", "Invalid value at 'message.data'",
    {"@type": "type.googleapis.com/google.rpc.BadRequest",
     "fieldViolations": [{"field": "message.data", "description": "Invalid data"}]},
))


NO_SUCH_PATH = (404, {"error": {"code": 404, "message": "no such path"}})


class FakeFcm:
    def __init__(self, public_key_pem: bytes) -> None:
        self.public_key_pem = public_key_pem
        self.sends: list[SendRequest] = []
        # FCM's own record of topic members: topic -> tokens; every topic call, in order.
        self.topics: dict[str, set[str]] = defaultdict(set)
        self.topic_calls: list[tuple[str, str, str]] = []  # (method, token, topic)
        self.issued_tokens: list[str] = []
        self.token_grants: list[dict[str, Any]] = []
        self.boundary_lookups: list[str] = []
        self.boundary_looked_up = threading.Event()
        # device token -> answers still to give (status, body); then 200.
        self.script: dict[str, deque[tuple[int, dict[str, Any]]]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-fcm"
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, device_token: str, *responses: tuple[int, dict[str, Any]]) -> None:
        with self._lock:
            self.script[device_token].extend(responses)

    def sends_to(self, device_token: str) -> list[SendRequest]:
        with self._lock:
            return [s for s in self.sends if s.message.get("token") == device_token]

    def reached_by(self, send: SendRequest) -> set[str]:
        """The device tokens FCM would deliver a send to: its token, or the members of its
        topic, or of any topic its ``'a' in topics || 'b' in topics`` condition names."""
        message = send.message
        with self._lock:
            if "token" in message:
                return {message["token"]}
            names = ([message["topic"]] if "topic" in message
                     else CONDITION_TOPIC.findall(message.get("condition", "")))
            return set().union(*(self.topics.get(n, set()) for n in names))

    def start(self) -> FakeFcm:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        grant_type = form.get("grant_type", [""])[0]
        assertion = form.get("assertion", [""])[0]
        if grant_type != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return 400, {"error": "unsupported_grant_type"}
        try:
            # google-auth always names Google's endpoint as the audience, whatever token_uri is.
            claims = jwt.decode(assertion, self.public_key_pem, algorithms=["RS256"],
                                audience="https://oauth2.googleapis.com/token")
        except jwt.PyJWTError as exc:
            return 400, {"error": "invalid_grant", "error_description": str(exc)}
        with self._lock:
            access_token = f"fake-access-token-{len(self.issued_tokens) + 1}"
            self.issued_tokens.append(access_token)
            self.token_grants.append(claims)
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 3600}

    def _send(self, project: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict]:
        body = json.loads(raw)
        token = body.get("message", {}).get("token", "")
        with self._lock:
            self.sends.append(SendRequest(project, headers, body))
            scheme, _, access_token = headers.get("authorization", "").partition(" ")
            if scheme != "Bearer" or access_token not in self.issued_tokens:
                return 401, fcm_error(401, "THIRD_PARTY_AUTH_ERROR", "Bad credentials.")
            queued = self.script.get(token)
            if queued:
                return queued.popleft()
            return 200, {"name": f"projects/{project}/messages/{len(self.sends)}"}

    def _topic(self, method: str, match: re.Match[str], headers: dict[str, str]
               ) -> tuple[int, dict]:
        token = unquote(match["token"])
        query = parse_qs(match["query"] or "")
        topic = unquote(match["topic"]) if match["topic"] else query.get("topic_name", [""])[0]
        with self._lock:
            self.topic_calls.append((method, token, topic))
            scheme, _, access_token = headers.get("authorization", "").partition(" ")
            if scheme != "Bearer" or access_token not in self.issued_tokens:
                return 401, fcm_error(401, "THIRD_PARTY_AUTH_ERROR", "Bad credentials.")
            queued = self.script.get(token)
            if queued:
                return queued.popleft()
            if method == "POST":
                self.topics[topic].add(token)
            else:
                self.topics[topic].discard(token)
            return 200, {}

    def _allowed_locations(self, email: str, headers: dict[str, str]) -> tuple[int, dict]:
        with self._lock:
            self.boundary_lookups.append(email)
        self.boundary_looked_up.set()
        # What IAM Credentials answers for an account without a regional access boundary.
        return 200, {"locations": [], "encodedLocations": "0x0"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.0: one request per connection, so no client keeps a socket open to a
            # server the test has already shut down.
            protocol_version = "HTTP/1.0"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                if self.path == "/token":
                    status, body = fake._token(parse_qs(raw.decode()))
                elif match := SEND_PATH.match(self.path):
                    status, body = fake._send(match["project"], headers, raw)
                elif match := TOPIC_PATH.match(self.path):
                    status, body = fake._topic("POST", match, headers)
                else:
                    status, body = 404, {"error": {"code": 404, "message": "no such path"}}
                self._reply(status, body)

            def do_DELETE(self) -> None:  # noqa: N802
                headers = {k.lower(): v for k, v in self.headers.items()}
                match = TOPIC_PATH.match(self.path)
                self._reply(*(fake._topic("DELETE", match, headers) if match else NO_SUCH_PATH))

            def do_GET(self) -> None:  # noqa: N802
                headers = {k.lower(): v for k, v in self.headers.items()}
                if match := RAB_PATH.match(self.path):
                    status, body = fake._allowed_locations(match["email"], headers)
                else:
                    status, body = 404, {"error": {"code": 404, "message": "no such path"}}
                self._reply(status, body)

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler
