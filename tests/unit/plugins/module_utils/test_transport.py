"""transport.py: signing (SDK vectors), error mapping, redaction, retries against a local stub."""

import email.utils
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils import transport
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import (
    CceApiError,
    CceClient,
    ConnectionConfig,
    canonical_query_string,
    canonical_request,
    classify_error,
    error_from_response,
    parse_retry_after,
    redact,
    sign_request,
    string_to_sign,
)

VECTORS = json.loads((Path(__file__).parent / "fixtures" / "signing_vectors.json").read_text())
SECRET = "SK-very-secret-0123456789"


# --------------------------------------------------------------------------------------------
# Signing


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_signer_reproduces_sdk_vector(case):
    canonical = canonical_request(case["method"], case["url"], case["headers"], case["body"])
    assert canonical == "\n".join(case["canonical_lines"])
    assert string_to_sign(canonical, case["headers"]["X-Sdk-Date"]) == case["string_to_sign"]
    signed = sign_request(case["method"], case["url"], case["headers"], case["body"],
                          VECTORS["access_key"], VECTORS["secret_key"])
    assert signed["Authorization"] == case["authorization"]
    assert signed["X-Sdk-Date"] == case["headers"]["X-Sdk-Date"]


def test_signer_adds_date_and_host_with_port():
    signed = sign_request("GET", "http://127.0.0.1:8780/api/v3/clusterupgradepaths",
                          {"Content-Type": "application/json"}, None, "AK", "SK")
    assert signed["Host"] == "127.0.0.1:8780"
    assert len(signed["X-Sdk-Date"]) == 16 and signed["X-Sdk-Date"].endswith("Z")
    assert "SignedHeaders=content-type;host;x-sdk-date," in signed["Authorization"]


def test_canonical_request_rules():
    headers = {"Host": "h", "X-Sdk-Date": "20240101T000000Z", "X_Custom": "skipped",
               "User-Agent": "  padded value  "}
    url = "https://h/a b/c%2Fd?z=1&a=x y&a=%2A&k=:/"
    lines = canonical_request("get", url, headers, b"").split("\n")
    assert lines[0] == "GET"
    assert lines[1] == "/a%20b/c/d/"  # decoded, split on '/', re-encoded, trailing slash
    assert lines[2] == "a=%2A&a=x%20y&k=%3A%2F&z=1"
    assert "user-agent:padded value" in lines
    assert "x_custom" not in "\n".join(lines)
    assert lines[-2] == "host;user-agent;x-sdk-date"
    assert lines[-1] == transport.EMPTY_BODY_SHA256


def test_canonical_query_expands_lists_and_booleans():
    assert canonical_query_string({"detail": True, "v": ["b", "a"], "none": None}) == "detail=true&v=a&v=b"
    assert canonical_query_string(None) == ""


def test_sign_request_needs_keys():
    with pytest.raises(CceApiError) as info:
        sign_request("GET", "https://h/", {}, None, "AK", "")
    assert info.value.kind == "config"


# --------------------------------------------------------------------------------------------
# Configuration


def test_endpoints_from_region():
    cfg = ConnectionConfig(region="cn-north-4")
    assert cfg.endpoint == "https://cce.cn-north-4.myhuaweicloud.com"
    assert cfg.iam_endpoint == "https://iam.cn-north-4.myhuaweicloud.com"
    eu = ConnectionConfig(region="eu-west-101")
    assert eu.endpoint == "https://cce.eu-west-101.myhuaweicloud.eu"
    assert eu.iam_endpoint == "https://iam.eu-west-101.myhuaweicloud.eu"


def test_endpoint_overrides():
    cfg = ConnectionConfig.from_params({"region": "cn-north-4", "cce_endpoint": "http://127.0.0.1:9/",
                                        "iam_endpoint": "iam.example.test", "api_timeout": None})
    assert cfg.endpoint == "http://127.0.0.1:9"
    assert cfg.iam_endpoint == "https://iam.example.test"
    assert cfg.api_timeout == 60 and cfg.api_retries == 5 and cfg.validate_certs is True


def test_config_repr_has_no_secret():
    cfg = ConnectionConfig(region="r", project_id="p", access_key="AK", secret_key=SECRET, password="pw-123456")
    assert SECRET not in repr(cfg)
    assert cfg.auth_method == "aksk"


# --------------------------------------------------------------------------------------------
# Error mapping (all body shapes)


@pytest.mark.parametrize("status,headers,body,code,kind,message_part,request_id", [
    (404, {"X-Request-Id": "rid-1"},
     {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404, "errorCode": "CCE.01404001",
      "errorMessage": "Resource not found.", "error_code": "CCE_CM.0004", "error_msg": "Request is invalid",
      "message": "cluster abc not found", "reason": "NotFound"},
     "CCE.01404001", "not_found", "Resource not found: cluster abc not found", "rid-1"),
    (400, {"x-request-id": "rid-2"},
     {"errorCode": "CCE.01400001", "errorMessage": "Invalid request.",
      "message": "not supported to upgrade from v1.29 to v1.31"},
     "CCE.01400001", "invalid", "not supported to upgrade from v1.29 to v1.31", "rid-2"),
    (401, {}, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: "
               "verify aksk signature fail", "request_id": "body-rid"},
     "APIGW.0301", "auth", "verify aksk signature fail", "body-rid"),
    (403, {"X-Request-Id": "rid-3"}, {"code": "APIGW.0302", "message": "denied"},
     "APIGW.0302", "forbidden", "denied", "rid-3"),
    (401, {}, {"error": {"message": "The username or password is wrong.", "code": 401, "title": "Unauthorized"}},
     "401", "auth", "The username or password is wrong.", None),
    (500, {}, {"errorCode": "CCE.01500001", "errorMessage": "internal", "message": "internal"},
     "CCE.01500001", "transient", "internal", None),
    (409, {}, {"errorCode": "CCE.01409001", "errorMessage": "The resource already exists."},
     "CCE.01409001", "conflict", "already exists", None),
    (429, {}, {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached."},
     "APIGW.0308", "throttled", "throttling threshold", None),
    (400, {}, {"errorCode": "CCE.01400075", "errorMessage": "precheck expired"},
     "CCE.01400075", "upgrade_state", "precheck expired", None),
])
def test_error_shapes(status, headers, body, code, kind, message_part, request_id):
    err = error_from_response(status, headers, json.dumps(body).encode(), method="GET", path="/p")
    assert err.error_code == code
    assert err.kind == kind
    assert message_part in err.message
    assert err.request_id == request_id
    assert err.status == status
    assert err.to_dict() == {"status_code": status, "error_code": code, "request_id": request_id, "kind": kind}


def test_html_body_is_stripped_and_cut():
    html = ("<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head><body>"
            "<h1>Bad&nbsp;Gateway</h1><p>" + "x" * 500 + "</p></body></html>")
    err = error_from_response(502, {}, html.encode(), method="GET", path="/p", reason="Bad Gateway")
    assert "<" not in err.message and "color:red" not in err.message
    assert "non-JSON reply: 502 Bad Gateway Bad Gateway xxx" in err.message
    assert err.message.endswith("...") and len(err.message) < 320
    assert err.kind == "transient" and err.error_code is None


def test_empty_and_non_object_bodies():
    assert "empty reply body" in error_from_response(503, {}, b"", method="GET", path="/p").message
    assert "unexpected JSON" in error_from_response(400, {}, b"[1, 2]").message
    assert "not json" in error_from_response(400, {}, b"not json at all").message


@pytest.mark.parametrize("code,message,hint_part", [
    ("APIGW.0303", "Incorrect app authentication information: signature expired", "sync it (NTP)"),
    ("APIG.0307", "The token must be updated.", "give a new auth_token or use username/password"),
    ("APIGW.0301", "Incorrect IAM authentication information: token expires, expires_at: x", "new auth_token"),
    ("APIGW.0310", "The project is unavailable.", "check project_id matches region"),
    ("APIGW.0301", "Incorrect IAM authentication information: verify aksk signature fail", "check access_key/secret_key"),
    ("APIGW.0301", "AK access failed to reach the limit,forbidden.", "locked for 5 minutes"),
    ("APIGW.0308", "The throttling threshold has been reached.", "retry later or raise api_retries"),
    ("APIGW.0101", "The API does not exist.", "cce_endpoint"),
])
def test_hints(code, message, hint_part):
    status = {"0303": 401, "0307": 401, "0301": 401, "0310": 403, "0308": 429, "0101": 404}[code.split(".")[1]]
    _kind, hint = classify_error(status, code, message)
    assert hint_part in hint


# --------------------------------------------------------------------------------------------
# Redaction


def test_redact_masks_plain_json_and_url_forms():
    secret = 'pa"ss/wörd'
    text = 'a %s b %s c %s' % (secret, json.dumps(secret)[1:-1], "pa%22ss%2Fw%C3%B6rd")
    masked = redact(text, [secret, None, ""])
    assert "ss/w" not in masked and "ss%2F" not in masked and 'pa\\"' not in masked
    assert masked.count(transport.REDACTED) == 3


def test_error_never_shows_secrets():
    body = {"error_code": "APIGW.0301", "error_msg": "canonicalRequest:x-security-token:TOKEN-XYZ-123|%s" % SECRET}
    err = error_from_response(401, {}, json.dumps(body), secrets=[SECRET, "TOKEN-XYZ-123"])
    for text in (str(err), repr(err), err.message):
        assert SECRET not in text and "TOKEN-XYZ-123" not in text


# --------------------------------------------------------------------------------------------
# Retry-After parsing


@pytest.mark.parametrize("value,expected", [("2", 2.0), ("0.25", 0.25), (" 56.818 ", 56.818), ("-3", 0.0),
                                            ("junk", None), (None, None), ("100000", 60.0)])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


# --------------------------------------------------------------------------------------------
# A local HTTP stub: scripted replies, every request recorded


class Stub:
    def __init__(self):
        self.script = []
        self.requests = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.requests.append({"method": self.command, "path": self.path,
                                      "headers": dict(self.headers), "body": body})
                action = stub.script.pop(0) if stub.script else ("reply", 200, {}, b"{}")
                if action[0] == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if action[0] == "sleep":
                    time.sleep(action[1])
                    action = ("reply", 200, {}, b"{}")
                _kind, status, headers, payload = action
                if not isinstance(payload, bytes):
                    payload = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def reply(self, status, body=b"{}", headers=None, times=1):
        for _unused in range(times):
            self.script.append(("reply", status, headers or {}, body))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    server = Stub()
    yield server
    server.close()


def make_client(url, **overrides):
    params = dict(cce_endpoint=url, project_id="proj", access_key="AK", secret_key=SECRET,
                  api_retries=3, api_timeout=10)  # generous: a loaded CI machine must not time out a stub reply
    params.update(overrides)
    return CceClient(ConnectionConfig(**params))


def test_signed_request_headers_and_json_body(stub, sleeps):
    stub.reply(201, {"metadata": {"uid": "w1"}})
    client = make_client(stub.url, security_token="STS-TOKEN")
    result = client.request("POST", "/api/v3/projects/proj/clusters/c/operation/upgradeworkflows",
                            body={"kind": "WorkFlowTask", "apiVersion": "v3", "spec": {"targetVersion": "v1.30"}},
                            query={"b": "2", "a": "1"})
    assert result == {"metadata": {"uid": "w1"}}
    sent = stub.requests[0]
    assert sent["path"].endswith("/upgradeworkflows?a=1&b=2")
    assert sent["body"] == b'{"kind": "WorkFlowTask", "apiVersion": "v3", "spec": {"targetVersion": "v1.30"}}'
    headers = sent["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Project-Id"] == "proj" and headers["X-Security-Token"] == "STS-TOKEN"
    assert headers["User-Agent"].startswith("hwcloud.cce/")
    assert headers["Host"] == stub.url.split("://")[1]
    assert ("SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date;x-security-token"
            in headers["Authorization"])
    expected = sign_request("POST", stub.url + sent["path"],
                            {k: headers[k] for k in ("Content-Type", "Host", "User-Agent", "X-Project-Id",
                                                     "X-Sdk-Date", "X-Security-Token")},
                            sent["body"], "AK", SECRET)
    assert headers["Authorization"] == expected["Authorization"]


def test_empty_2xx_body_is_empty_dict(stub, sleeps):
    stub.reply(200, b"")
    assert make_client(stub.url).request("POST", "/x/retry") == {}


def test_auth_token_is_sent_unsigned(stub, sleeps):
    make_client(stub.url, access_key=None, secret_key=None, auth_token="TOKEN-1").request("GET", "/x")
    headers = stub.requests[0]["headers"]
    assert headers["X-Auth-Token"] == "TOKEN-1" and "Authorization" not in headers


def test_fractional_retry_after_is_honoured(stub, sleeps):
    stub.reply(429, {"error_code": "APIGW.0308", "error_msg": "throttled"}, {"Retry-After": "0.25"}, times=2)
    stub.reply(200, {"ok": True})
    assert make_client(stub.url).request("GET", "/x") == {"ok": True}
    assert len(stub.requests) == 3
    assert sleeps == [0.25, 0.25]


def test_429_on_post_is_retried_and_budget_is_retries_plus_one(stub, sleeps):
    stub.reply(429, {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached."},
               {"X-Request-Id": "rid-429"}, times=10)
    with pytest.raises(CceApiError) as info:
        make_client(stub.url, api_retries=2).request("POST", "/x", body={})
    assert len(stub.requests) == 3
    err = info.value
    assert (err.kind, err.status, err.error_code, err.request_id) == ("throttled", 429, "APIGW.0308", "rid-429")
    assert "after 2 retries" in err.message and "api_retries" in err.hint
    assert len(sleeps) == 2 and all(0 < s <= 0.05 for s in sleeps)


def test_503_get_retried_post_not(stub, sleeps):
    stub.reply(503, b"", times=2)
    stub.reply(200, {"ok": 1})
    assert make_client(stub.url).request("GET", "/x") == {"ok": 1}
    assert len(stub.requests) == 3
    stub.requests.clear()
    stub.reply(503, {"error_code": "APIGW.0613", "error_msg": "The IAM service is currently unavailable."})
    with pytest.raises(CceApiError) as info:
        make_client(stub.url).request("POST", "/x", body={"a": 1})
    assert len(stub.requests) == 1
    assert info.value.kind == "transient" and info.value.outcome_unknown is False


def test_backoff_grows_and_is_capped(stub, sleeps):
    stub.reply(502, b"<html>bad gateway</html>", times=6)
    with pytest.raises(CceApiError) as info:
        make_client(stub.url, api_retries=5).request("GET", "/x")
    assert len(stub.requests) == 6
    assert "bad gateway" in info.value.message and "after 5 retries" in info.value.message
    assert len(sleeps) == 5
    assert 0.005 <= sleeps[0] <= 0.01 and all(s <= 0.05 for s in sleeps)
    assert sleeps[-1] >= 0.025  # capped delay, jittered in [cap/2, cap]


def test_dropped_reply_on_post_is_outcome_unknown(stub, sleeps):
    stub.script.append(("drop",))
    with pytest.raises(CceApiError) as info:
        make_client(stub.url).request("POST", "/x", body={"a": 1})
    assert len(stub.requests) == 1
    assert info.value.kind == "connection" and info.value.outcome_unknown is True
    assert "re-read" in info.value.hint


def test_dropped_reply_on_get_is_retried(stub, sleeps):
    stub.script.append(("drop",))
    stub.reply(200, {"ok": 1})
    assert make_client(stub.url).request("GET", "/x") == {"ok": 1}
    assert len(stub.requests) == 2


def test_read_timeout(stub, sleeps):
    stub.script.append(("sleep", 1.5))
    with pytest.raises(CceApiError) as info:
        make_client(stub.url, api_timeout=0.5).request("PATCH", "/x", body={})
    assert info.value.kind == "timeout" and info.value.outcome_unknown is True
    assert len(stub.requests) == 1


def test_connection_refused_is_retried_and_not_outcome_unknown(sleeps):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(CceApiError) as info:
        make_client("http://127.0.0.1:%d" % port, api_retries=2).request("POST", "/x", body={})
    assert info.value.kind == "connection" and info.value.outcome_unknown is False
    assert len(sleeps) == 2
    assert SECRET not in repr(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__ or info.value.__context__ is None


def test_malformed_json_in_2xx(stub, sleeps):
    stub.reply(200, b'{"truncated": ')
    with pytest.raises(CceApiError) as info:
        make_client(stub.url, api_retries=0).request("GET", "/x")
    assert info.value.kind == "transient" and info.value.status == 200
    assert "malformed JSON" in info.value.message and info.value.outcome_unknown is False
    stub.reply(201, b"<html>oops</html>")
    with pytest.raises(CceApiError) as info:
        make_client(stub.url).request("POST", "/x", body={})
    assert info.value.outcome_unknown is True


def test_password_token_obtained_once_and_redacted(stub, sleeps):
    token = "MIIobtained-token-value-0123456789"
    stub.reply(201, {"token": {"project": {"id": "proj-from-token", "name": "cn-north-4"}}},
               {"X-Subject-Token": token})
    stub.reply(200, {"items": []})
    stub.reply(404, {"errorCode": "CCE.01404001", "errorMessage": "Resource not found.",
                     "message": "echo %s and pw-secret-1" % token})
    client = CceClient(ConnectionConfig(region="cn-north-4", cce_endpoint=stub.url, iam_endpoint=stub.url,
                                        username="user", password="pw-secret-1", domain_name="acct"))
    assert client.project_id == "proj-from-token"
    client.request("GET", "/api/v3/projects/%s/clusters" % client.project_id)
    with pytest.raises(CceApiError) as info:
        client.request("GET", "/y")
    iam = stub.requests[0]
    assert iam["method"] == "POST" and iam["path"] == "/v3/auth/tokens"
    sent = json.loads(iam["body"])
    assert sent["auth"]["identity"]["methods"] == ["password"]
    assert sent["auth"]["identity"]["password"]["user"] == {
        "name": "user", "password": "pw-secret-1", "domain": {"name": "acct"}}
    assert sent["auth"]["scope"] == {"project": {"name": "cn-north-4"}}
    assert [r["path"] for r in stub.requests].count("/v3/auth/tokens") == 1
    assert stub.requests[1]["headers"]["X-Auth-Token"] == token
    assert stub.requests[1]["headers"]["X-Project-Id"] == "proj-from-token"
    text = str(info.value) + repr(info.value)
    assert token not in text and "pw-secret-1" not in text


def test_expired_iam_token_is_refreshed_once(stub, sleeps):
    stub.reply(201, {"token": {"project": {"id": "p"}}}, {"X-Subject-Token": "T1"})
    stub.reply(401, {"error_code": "APIGW.0307", "error_msg": "The token must be updated."})
    stub.reply(201, {"token": {"project": {"id": "p"}}}, {"X-Subject-Token": "T2"})
    stub.reply(200, {"ok": 1})
    client = CceClient(ConnectionConfig(project_id="p", cce_endpoint=stub.url, iam_endpoint=stub.url,
                                        username="u", password="pw", domain_name="d"))
    assert client.request("GET", "/x") == {"ok": 1}
    assert [r["headers"].get("X-Auth-Token") for r in stub.requests] == [None, "T1", None, "T2"]
    assert json.loads(stub.requests[0]["body"])["auth"]["scope"] == {"project": {"id": "p"}}


def test_wrong_password_maps_keystone_error(stub, sleeps):
    stub.reply(401, {"error": {"message": "The username or password is wrong.", "code": 401,
                               "title": "Unauthorized"}})
    client = CceClient(ConnectionConfig(region="r", project_id="p", cce_endpoint=stub.url, iam_endpoint=stub.url,
                                        username="u", password="pw-wrong-77", domain_name="d"))
    with pytest.raises(CceApiError) as info:
        client.request("GET", "/x")
    err = info.value
    assert err.kind == "auth" and err.status == 401 and "username or password" in err.message
    assert "username, password and domain_name" in err.hint
    assert "pw-wrong-77" not in repr(err)


# --------------------------------------------------------------------------------------------
# Reliability suite additions: unexpected exceptions and repr forms never leak secrets


def test_redact_masks_repr_forms_and_stripped_values():
    secret = 'pw"with\\back'
    body = json.dumps({"password": secret}).encode()
    text = "body=%r value=%r" % (body, secret)
    masked = redact(text, [secret])
    assert "with" not in masked
    token = "MIItoken-from-a-file-0123456789\n"
    assert "MIItoken" not in redact("header value %s! and %r" % (token.strip(), token), [token])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unexpected_exception_is_mapped_and_redacted(stub, sleeps, monkeypatch, method):
    """An exception of an unexpected type that carries the request (headers, body) becomes a
    redacted CceApiError; a write is reported with an unknown outcome."""
    def explode(self, method, url, body=None, headers=None, **kwargs):
        raise RuntimeError("boom headers=%r body=%r" % (headers, body))

    monkeypatch.setattr(transport.http.client.HTTPConnection, "request", explode)
    client = make_client(stub.url, access_key=None, secret_key=None, auth_token="TOKEN-SECRET-0123456789")
    with pytest.raises(CceApiError) as info:
        client.request(method, "/x", body={"password": "TOKEN-SECRET-0123456789"} if method == "POST" else None)
    err = info.value
    assert "boom" in err.message and "unexpected error" in err.message
    assert "TOKEN-SECRET" not in str(err) + repr(err)
    assert err.kind == "connection"
    assert err.outcome_unknown is (method == "POST")
    assert err.__context__ is None and err.__cause__ is None


def test_malformed_json_on_get_is_read_again_within_budget(stub, sleeps):
    stub.reply(200, b'{"truncated": ', times=2)
    stub.reply(200, {"items": [1]})
    assert make_client(stub.url).request("GET", "/x") == {"items": [1]}
    assert len(stub.requests) == 3 and len(sleeps) == 2
    stub.reply(200, b"\x00garbage", times=4)
    with pytest.raises(CceApiError) as info:
        make_client(stub.url, api_retries=3).request("GET", "/x")
    assert info.value.kind == "transient" and "after 3 retries" in info.value.message
    assert len(stub.requests) == 3 + 4


def test_malformed_json_on_post_is_never_repeated(stub, sleeps):
    stub.reply(201, b'{"metadata": ')
    with pytest.raises(CceApiError) as info:
        make_client(stub.url).request("POST", "/x", body={})
    assert info.value.outcome_unknown is True
    assert len(stub.requests) == 1


# --------------------------------------------------------------------------------------------
# The server's clock, from the HTTP Date header

# A Date header has whole seconds, and a loaded machine may take seconds between sending a reply and reading
# it; the offsets told apart here are ten minutes or more.
CLOCK_SLACK = 30


def test_server_time_follows_the_date_header(stub, sleeps, monkeypatch):
    # The stub's own Date header (BaseHTTPRequestHandler) is what the server's clock says.
    server_now = [time.time() + 7200]
    monkeypatch.setattr(BaseHTTPRequestHandler, "date_time_string",
                        lambda self, timestamp=None: email.utils.formatdate(server_now[0], usegmt=True))
    client = make_client(stub.url)
    before = time.time()
    assert before - 1 <= client.server_time() <= time.time() + 1  # no reply yet: the local clock
    client.request("GET", "/x")
    assert abs(client.server_time() - (time.time() + 7200)) <= CLOCK_SLACK
    server_now[0] = time.time() - 600  # the last reply wins
    client.request("GET", "/x")
    assert abs(client.server_time() - (time.time() - 600)) <= CLOCK_SLACK


@pytest.mark.parametrize("value", [None, "", "not a date", "Mon, 99 Foo 2024 99:99:99 GMT"])
def test_missing_or_bad_date_keeps_the_last_known_offset(stub, sleeps, monkeypatch, value):
    # the good Date is made when the reply is sent: a slow first request must not count as clock skew
    dates = [lambda: email.utils.formatdate(time.time() + 3600, usegmt=True), value]
    monkeypatch.setattr(BaseHTTPRequestHandler, "send_header", _send_header_with_dates(dates))
    client = make_client(stub.url)
    client.request("GET", "/x")
    offset = client.server_time() - time.time()
    assert abs(offset - 3600) <= CLOCK_SLACK
    client.request("GET", "/x")  # Date missing or unparsable: ignored, the request still succeeds
    assert abs((client.server_time() - time.time()) - offset) <= 0.5


def test_bad_date_before_any_good_one_leaves_the_local_clock(stub, sleeps, monkeypatch):
    monkeypatch.setattr(BaseHTTPRequestHandler, "send_header", _send_header_with_dates(["garbage"]))
    client = make_client(stub.url)
    assert client.request("GET", "/x") == {}
    assert abs(client.server_time() - time.time()) <= 1


def test_server_time_is_read_from_error_replies_too(stub, sleeps, monkeypatch):
    monkeypatch.setattr(BaseHTTPRequestHandler, "date_time_string",
                        lambda self, timestamp=None: email.utils.formatdate(time.time() - 86400, usegmt=True))
    stub.reply(404, {"errorCode": "CCE.01404001", "errorMessage": "not found"})
    client = make_client(stub.url)
    with pytest.raises(CceApiError):
        client.request("GET", "/x")
    assert abs(client.server_time() - (time.time() - 86400)) <= CLOCK_SLACK


_ORIGINAL_SEND_HEADER = BaseHTTPRequestHandler.send_header


def _send_header_with_dates(dates):
    """A send_header that replaces the Date of successive replies with ``dates`` (None: no Date; a callable:
    its value when the reply is sent); the last value also serves any further reply (a retried request)."""
    def send_header(self, keyword, value):
        if keyword == "Date":
            value = dates.pop(0) if len(dates) > 1 else dates[0]
            value = value() if callable(value) else value
            if value is None:
                return None
        return _ORIGINAL_SEND_HEADER(self, keyword, value)
    return send_header


# --------------------------------------------------------------------------- issue 10, point 10

UPGRADE_DENIED = (b'{"errorCode": "CCE.01403001", "errorMessage": "Forbidden.", "message": "the cluster upgrade APIs '
                  b'are available only upon request and are not enabled for this account"}')


@pytest.mark.parametrize("path", [
    "/api/v3/projects/p/clusters/c/operation/upgrade",
    "/api/v3/projects/p/clusters/c/operation/upgradeworkflows",
    "/api/v3/projects/p/clusters/c/operation/precheck/tasks/t",
    "/api/v3.1/projects/p/clusters/c/operation/snapshot",
    "/autopilot/v3/projects/p/clusters/c/upgradeinfo",
    "/api/v3/clusterupgradepaths",
])
def test_point10_a_permission_error_on_an_upgrade_api_says_the_account_needs_them_enabled(path):
    err = error_from_response(403, {}, UPGRADE_DENIED, method="POST", path=path)
    assert err.kind == "forbidden"
    assert "needs the CCE cluster-upgrade APIs enabled" in err.hint and "on request" in err.hint


def test_point10_a_permission_error_elsewhere_keeps_the_iam_hint():
    err = error_from_response(403, {}, UPGRADE_DENIED, method="GET", path="/api/v3/projects/p/clusters")
    assert "cluster-upgrade" not in err.hint and "IAM permissions" in err.hint
