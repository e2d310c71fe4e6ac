"""Gateway-style authentication: SDK-HMAC-SHA256 signatures, IAM tokens, project checks.

The canonical request is rebuilt from what was received (method, raw path, query, the headers
named in ``SignedHeaders`` and the body), as described in the API reference, section 6.1.
"""

import calendar
import datetime
import hashlib
import hmac
import re
import secrets
import threading
import time
from urllib.parse import parse_qsl, quote, unquote

from .clock import iso_timestamp
from .errors import gateway_error, keystone_error

ALGORITHM = "SDK-HMAC-SHA256"
MAX_SKEW = 900
TOKEN_LIFETIME = 24 * 3600
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
SDK_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")
AUTH_RE = re.compile(r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$")


def _encode(text):
    return quote(text, safe="~")


def canonical_uri(raw_path):
    """Percent-decode, re-encode each segment, and end with ``/``."""
    segments = [_encode(unquote(segment)) for segment in raw_path.split("/")]
    uri = "/".join(segments)
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(raw_query):
    pairs = sorted(parse_qsl(raw_query or "", keep_blank_values=True))
    return "&".join("%s=%s" % (_encode(k), _encode(v)) for k, v in pairs)


def canonical_request(method, raw_path, raw_query, headers, signed_headers, body):
    """The canonical request string; ``headers`` is a case-insensitive mapping."""
    lines = []
    for name in signed_headers:
        value = headers.get(name)
        lines.append("%s:%s\n" % (name, "" if value is None else value.strip()))
    payload_hash = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
    if body and headers.get("X-Sdk-Content-Sha256"):
        payload_hash = headers.get("X-Sdk-Content-Sha256")
    return "\n".join([
        method.upper(), canonical_uri(raw_path), canonical_query(raw_query), "".join(lines),
        ";".join(signed_headers), payload_hash,
    ])


def string_to_sign(canonical, sdk_date):
    return "%s\n%s\n%s" % (ALGORITHM, sdk_date, hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def signature(secret_key, canonical, sdk_date):
    return hmac.new(secret_key.encode("utf-8"), string_to_sign(canonical, sdk_date).encode("utf-8"), hashlib.sha256).hexdigest()


def parse_sdk_date(value):
    """Epoch seconds of ``YYYYMMDDTHHMMSSZ`` (None when malformed)."""
    if not SDK_DATE_RE.match(value or ""):
        return None
    try:
        fields = (int(value[0:4]), int(value[4:6]), int(value[6:8]), int(value[9:11]), int(value[11:13]), int(value[13:15]))
        return calendar.timegm(datetime.datetime(*fields).timetuple())
    except ValueError:
        return None


def format_sdk_date(epoch):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch))


def _redact_line(line):
    name = line.split(":", 1)[0]
    if ":" in line and name in ("x-security-token", "x-auth-token", "authorization"):
        return name + ":******"
    return line


class Authenticator:
    """Checks API requests like the gateway and issues IAM tokens."""

    def __init__(self, scenario):
        creds = scenario["credentials"]
        self.project_id = scenario["project_id"]
        self.region = scenario["region"]
        self.username = creds["username"]
        self.password = creds["password"]
        self.domain_name = creds["domain_name"]
        self.keys = {creds["access_key"]: (creds["secret_key"], None)}
        for temp in creds.get("temporary") or []:
            self.keys[temp["access_key"]] = (temp["secret_key"], temp.get("security_token"))
        self._tokens = {}
        self._lock = threading.Lock()
        # Seconds the gateway's clock runs ahead of this machine's (tests of clock skew).
        self.gateway_offset = 0.0

    # -- tokens -------------------------------------------------------------------------------
    def issue_token(self, body, nocatalog=False):
        """``POST /v3/auth/tokens`` (password method): returns (token, response body)."""
        try:
            identity = body["auth"]["identity"]
            user = identity["password"]["user"]
            methods = identity.get("methods") or []
        except (KeyError, TypeError) as exc:
            raise keystone_error(400, "The request body is invalid: missing %s." % exc, "Bad Request") from exc
        if "password" not in methods:
            raise keystone_error(400, "Only the password method is supported here.", "Bad Request")
        domain = (user.get("domain") or {}).get("name")
        if user.get("name") != self.username or user.get("password") != self.password:
            raise keystone_error(401, "The username or password is wrong.", "Unauthorized")
        if domain != self.domain_name:
            raise keystone_error(401, "The userInfo is wrong.", "Unauthorized")
        scope = (body["auth"].get("scope") or {})
        project = scope.get("project") or {}
        if project.get("name") not in (None, self.region) or project.get("id") not in (None, self.project_id):
            raise keystone_error(400, "The project information cannot be found.", "Bad Request")
        issued = time.time()
        token = "MIIsim" + secrets.token_hex(48)
        with self._lock:
            self._tokens[token] = issued + TOKEN_LIFETIME
        domain_info = {"id": "d" + self.project_id[1:], "name": self.domain_name}
        token_body = {
            "expires_at": iso_timestamp(issued + TOKEN_LIFETIME),
            "issued_at": iso_timestamp(issued),
            "methods": ["password"],
            "project": {"id": self.project_id, "name": self.region, "domain": domain_info},
            "roles": [{"id": "0", "name": "op_service"}, {"id": "1", "name": "te_admin"}],
            "user": {"id": "u" + self.project_id[1:], "name": self.username, "domain": domain_info,
                     "password_expires_at": ""},
        }
        if not nocatalog:
            token_body["catalog"] = []
        if scope.get("domain") and not project:
            token_body.pop("project")
            token_body["domain"] = domain_info
        return token, {"token": token_body}

    def expire_tokens(self):
        with self._lock:
            count = len(self._tokens)
            for token in self._tokens:
                self._tokens[token] = 0
        return count

    def clear(self):
        with self._lock:
            self._tokens.clear()
        self.gateway_offset = 0.0

    # -- request checks -----------------------------------------------------------------------
    def authenticate(self, method, raw_path, raw_query, headers, body):
        """Raise the gateway's ApiError unless the request is authenticated."""
        token = headers.get("X-Auth-Token")
        if token:
            with self._lock:
                expires = self._tokens.get(token)
            if expires is None:
                raise gateway_error("APIGW.0301", "decrypt token fail")
            if expires <= time.time():
                raise gateway_error("APIGW.0307")
            return
        authorization = headers.get("Authorization")
        if not authorization:
            raise gateway_error("APIGW.0301", "x-auth-token not found")
        match = AUTH_RE.match(authorization.strip())
        if not match:
            raise gateway_error("APIGW.0301", "verify aksk signature fail, the authorization header is malformed")
        access_key, signed, received = match.groups()
        sdk_date = (headers.get("X-Sdk-Date") or "").strip()
        signed_time = parse_sdk_date(sdk_date)
        now = time.time() + self.gateway_offset
        if signed_time is None:
            raise gateway_error("APIGW.0301", "verify aksk signature fail, x-sdk-date is missing or malformed")
        if abs(now - signed_time) > MAX_SKEW:
            raise gateway_error("APIGW.0303", "signature expired, signature time:%s,server time:%s" % (sdk_date, format_sdk_date(now)))
        if access_key not in self.keys:
            raise gateway_error("APIGW.0301", "Get secretKey failed,ak:******,err:ak not exist")
        secret_key, security_token = self.keys[access_key]
        if security_token is not None and (headers.get("X-Security-Token") or "").strip() != security_token:
            raise gateway_error("APIGW.0301", "verify aksk signature fail, security token is invalid")
        signed_headers = signed.lower().split(";")
        canonical = canonical_request(method, raw_path, raw_query, headers, signed_headers, body)
        expected = signature(secret_key, canonical, sdk_date)
        if not hmac.compare_digest(expected, received.lower()):
            shown = "|".join(_redact_line(line) for line in canonical.split("\n"))
            raise gateway_error("APIGW.0301", "verify aksk signature fail, canonicalRequest:%s" % shown)

    def check_project(self, project_id):
        if project_id != self.project_id:
            raise gateway_error("APIGW.0310")
