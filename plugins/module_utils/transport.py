# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP transport for the CCE API: endpoints, SDK-HMAC-SHA256 signing, tokens, retries, errors.

This is the only place in the collection that speaks HTTP. Everything a caller sees from a
failed request is a :class:`CceApiError` whose text never contains a secret.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import math
import os
import random
import re
import select
import socket
import ssl
import sys
import time

try:
    from html import unescape as _html_unescape
except ImportError:  # pragma: no cover - Python 2 only
    def _html_unescape(text):
        return text

try:
    from urllib.parse import quote, unquote, urlsplit, parse_qsl
except ImportError:  # pragma: no cover - Python 2 only
    from urllib import quote, unquote  # type: ignore
    from urlparse import urlsplit, parse_qsl  # type: ignore

from urllib.request import getproxies_environment, proxy_bypass_environment

COLLECTION_VERSION = "0.1.0"

SIGNING_ALGORITHM = "SDK-HMAC-SHA256"
SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# Retry policy. Module-level so tests (and, if ever needed, callers) can tune them.
BACKOFF_BASE = 0.5          # seconds before the first retry; doubles on every retry
BACKOFF_MAX = 20.0          # cap of one backoff sleep, seconds
RETRY_AFTER_MAX = 60.0      # cap of an honoured Retry-After, seconds
RETRY_STATUS_IDEMPOTENT = frozenset([500, 502, 503, 504])
IDEMPOTENT_METHODS = frozenset(["GET", "HEAD", "OPTIONS"])
WRITE_METHODS = frozenset(["POST", "PATCH", "PUT", "DELETE"])

ERROR_KINDS = (
    "throttled", "transient", "auth", "forbidden", "not_found", "conflict", "invalid",
    "upgrade_state", "timeout", "connection", "tls", "config",
)
REDACTED = "********"
SNIPPET_LENGTH = 200


def _sleep(seconds):
    """Sleep between retries (a seam for tests)."""
    time.sleep(seconds)


# --------------------------------------------------------------------------------------------
# Redaction


def redact(text, secrets):
    """Return ``text`` with every non-empty secret (and its JSON / URL-encoded forms) masked."""
    if text is None:
        return text
    if not isinstance(text, str):
        text = str(text)
    forms = set()
    for secret in secrets or ():
        if not secret:
            continue
        secret = str(secret)
        json_form = json.dumps(secret)[1:-1]
        forms.add(secret)
        forms.add(json_form)
        forms.add(quote(secret, safe=""))
        # repr() of the value, and of a JSON body holding it (an exception that shows a request).
        forms.add(repr(secret)[1:-1])
        forms.add(repr(json_form)[1:-1])
        # A value with surrounding whitespace (a token read from a file) also appears stripped.
        if secret.strip() != secret and len(secret.strip()) >= 8:
            forms.add(secret.strip())
    for form in sorted(forms, key=len, reverse=True):
        if form:
            text = text.replace(form, REDACTED)
    return text


# --------------------------------------------------------------------------------------------
# Errors


class CceApiError(Exception):
    """A failed CCE (or IAM) call, mapped to one of :data:`ERROR_KINDS`.

    ``message`` is already redacted; ``outcome_unknown`` is true for a write whose reply was
    lost (the caller must re-read the state before trying again).
    """

    def __init__(self, message, kind="invalid", status=None, error_code=None, request_id=None,
                 outcome_unknown=False, hint=None, method=None, path=None):
        super(CceApiError, self).__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.outcome_unknown = outcome_unknown
        self.hint = hint
        self.method = method
        self.path = path

    def __str__(self):
        return self.message

    def __repr__(self):
        return "CceApiError(kind=%r, status=%r, error_code=%r, request_id=%r, message=%r)" % (
            self.kind, self.status, self.error_code, self.request_id, self.message)

    def to_dict(self):
        return {
            "status_code": self.status,
            "error_code": self.error_code,
            "request_id": self.request_id,
            "kind": self.kind,
        }


def _code_suffix(code):
    """``APIGW.0308`` / ``APIG.0308`` -> ``0308``; other codes -> None."""
    if code and (code.startswith("APIGW.") or code.startswith("APIG.")):
        return code.split(".", 1)[1]
    return None


#: CCE's cluster-upgrade APIs are available only upon request (every upgrade API page says so).
UPGRADE_API_HINT = ("the account needs the CCE cluster-upgrade APIs enabled: Huawei Cloud grants them on request "
                    "(submit a service ticket asking to enable the CCE cluster upgrade APIs for this account); "
                    "also check the IAM permissions of this user for CCE in this project")

_UPGRADE_API_PATH = re.compile(r"/operation/(upgrade|precheck|postcheck|snapshot)|/upgradeinfo\b|/clusterupgrade")


def is_upgrade_api_path(path):
    """True for the paths of CCE's cluster-upgrade APIs (workflows, checks, snapshot, upgrade, info, paths)."""
    return bool(path) and _UPGRADE_API_PATH.search(path.split("?", 1)[0]) is not None


def classify_error(status, error_code, message):
    """Map an HTTP status and error code to ``(kind, hint)`` (error-codes reference, section 5)."""
    code = error_code or ""
    suffix = _code_suffix(code)
    text = (message or "").lower()

    if status == 429 or suffix == "0308" or code in ("CCE.01429002", "CCE.01429003", "CCE.02429001"):
        return "throttled", "the API is throttling requests: retry later or raise api_retries"
    if code == "CCE.01400075":
        return "upgrade_state", "the pre-check expired: run the pre-check again, then the upgrade"
    if code == "CCE.01400074":
        return "upgrade_state", "a key upgrade step failed: read the task's status message"
    if suffix == "0303" or "signature expired" in text:
        return "auth", ("the clock of this machine differs from the gateway's by more than "
                        "15 minutes: sync it (NTP)")
    if suffix == "0307" or "token expires" in text or "token has expired" in text:
        return "auth", "the token expired: give a new auth_token or use username/password"
    if suffix == "0310":
        return "forbidden", "the project is unavailable: check project_id matches region"
    if suffix == "0301" or status == 401 or re.match(r"^CCE\.0\d401\d{3}$", code):
        if "reach the limit" in text:
            return "auth", ("the access key is locked for 5 minutes after repeated failures: "
                            "fix access_key/secret_key, then wait")
        if "x-auth-token not found" in text:
            return "auth", "no credentials reached the gateway: check the auth options"
        if "token" in text:
            return "auth", "the token was refused: give a new auth_token or use username/password"
        if "username or password" in text or code.startswith("IAM.") or "userinfo" in text:
            return "auth", "check username, password and domain_name"
        return "auth", "check access_key/secret_key (or auth_token) and project_id"
    if status == 403 or suffix in ("0302", "0304", "0306", "0401", "0402", "0801", "0802"):
        return "forbidden", "check the IAM permissions of this user for CCE in this project"
    if status == 404:
        if suffix == "0101":
            return "not_found", "the API path does not exist on this endpoint: check region / cce_endpoint"
        return "not_found", None
    if status == 409:
        return "conflict", "re-read the current state; an equal object may already exist"
    if (status is not None and status >= 500) or suffix in ("0610", "0613") or code.endswith("500001"):
        return "transient", "the service had a transient failure: retry later"
    return "invalid", None


def _strip_tags(text):
    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", text)
    text = re.sub(r"(?s)<!--.*?-->", " ", text)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    text = _html_unescape(text)
    return re.sub(r"\s+", " ", text).strip()


def _snippet(text):
    text = _strip_tags(text)
    if len(text) > SNIPPET_LENGTH:
        text = text[:SNIPPET_LENGTH].rstrip() + "..."
    return text


def _header(headers, name):
    if not headers:
        return None
    lower = name.lower()
    for key in headers:
        if key.lower() == lower:
            return headers[key]
    return None


def _as_text(body):
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    return str(body)


def _join_message(primary, detail):
    if primary and detail and detail != primary:
        return "%s: %s" % (primary.rstrip(". "), detail)
    return primary or detail


def error_from_response(status, headers, body, secrets=(), method=None, path=None, reason=None):
    """Build a :class:`CceApiError` from any error reply (CCE, Kubernetes Status, gateway,
    Keystone, HTML or empty)."""
    text = _as_text(body)
    request_id = _header(headers, "X-Request-Id")
    error_code = None
    message = None
    data = None
    if text.strip():
        try:
            data = json.loads(text)
        except ValueError:
            data = None
    if isinstance(data, dict):
        nested = data.get("error") if isinstance(data.get("error"), dict) else {}
        code_field = data.get("code")
        error_code = (data.get("errorCode") or data.get("error_code") or nested.get("code")
                      or (code_field if isinstance(code_field, str) and not code_field.isdigit() else None))
        if error_code is not None:
            error_code = str(error_code)
        primary = data.get("errorMessage") or data.get("error_msg") or nested.get("message")
        detail = data.get("message") if isinstance(data.get("message"), str) else None
        message = _join_message(primary, detail)
        if nested.get("title") and message:
            message = "%s (%s)" % (message, nested["title"])
        request_id = request_id or data.get("request_id")
        if not message:
            message = _snippet(text)
    elif data is not None:
        message = "unexpected JSON error body: %s" % _snippet(text)
    elif text.strip():
        message = "non-JSON reply: %s" % _snippet(text)
    else:
        message = "empty reply body"
    status_text = "HTTP %s" % status
    if reason:
        status_text += " %s" % reason
    kind, hint = classify_error(status, error_code, message)
    if kind == "forbidden" and is_upgrade_api_path(path):
        hint = UPGRADE_API_HINT
    where = ""
    if method and path:
        where = " (%s %s)" % (method, path)
    full = "%s%s: %s" % (status_text, where, message)
    return CceApiError(
        redact(full, secrets), kind=kind, status=status, error_code=error_code,
        request_id=request_id or None, hint=hint, method=method, path=path)


# --------------------------------------------------------------------------------------------
# Signing (SDK-HMAC-SHA256, as the official SDK signs)


def _encode_segment(value):
    return quote(value, safe="-_.~")


def _query_pairs(query):
    """Expand a query dict / pair list into sorted raw ``(key, value)`` string pairs."""
    if not query:
        return []
    items = query.items() if isinstance(query, dict) else query
    pairs = []
    for key, value in items:
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, bool):
                item = "true" if item else "false"
            pairs.append((str(key), str(item)))
    return sorted(pairs)


def canonical_query_string(query):
    """The query string both signed and sent: sorted pairs, RFC 3986 unreserved kept."""
    return "&".join("%s=%s" % (_encode_segment(k), _encode_segment(v)) for k, v in _query_pairs(query))


def _canonical_uri(path):
    segments = unquote(path or "/").split("/")
    uri = "/".join(_encode_segment(segment) for segment in segments)
    if not uri.endswith("/"):
        uri += "/"
    return uri


def _body_bytes(body):
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    return str(body).encode("utf-8")


def _signed_header_names(headers):
    return sorted(name.lower() for name in headers
                  if "_" not in name and name.lower() != "authorization")


def canonical_request(method, url, headers, body):
    """The canonical request string for ``method url`` with ``headers`` (Host and X-Sdk-Date
    must already be present) and ``body`` (bytes, str or None)."""
    parts = urlsplit(url)
    query = canonical_query_string(parse_qsl(parts.query, keep_blank_values=True))
    lowered = {}
    for name, value in headers.items():
        lowered[name.lower()] = str(value).strip()
    names = _signed_header_names(headers)
    canonical_headers = "".join("%s:%s\n" % (name, lowered[name]) for name in names)
    payload = _body_bytes(body)
    payload_hash = hashlib.sha256(payload).hexdigest() if payload else EMPTY_BODY_SHA256
    return "\n".join([
        method.upper(), _canonical_uri(parts.path), query, canonical_headers,
        ";".join(names), payload_hash,
    ])


def string_to_sign(canonical, sdk_date):
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return "%s\n%s\n%s" % (SIGNING_ALGORITHM, sdk_date, digest)


def sign_request(method, url, headers, body, access_key, secret_key, now=None):
    """Return a copy of ``headers`` with ``X-Sdk-Date`` (kept when given), ``Host`` (added from
    the URL when absent) and ``Authorization``."""
    if not access_key or not secret_key:
        raise CceApiError("signing needs access_key and secret_key", kind="config")
    signed = {}
    for name, value in headers.items():
        signed[name] = str(value).strip()
    sdk_date = _header(signed, "X-Sdk-Date")
    if not sdk_date:
        now = now or datetime.datetime.now(datetime.timezone.utc)
        sdk_date = now.strftime(SDK_DATE_FORMAT)
        signed["X-Sdk-Date"] = sdk_date
    if _header(signed, "Host") is None:
        signed["Host"] = _netloc(url)
    canonical = canonical_request(method, url, signed, body)
    to_sign = string_to_sign(canonical, sdk_date)
    signature = hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    signed["Authorization"] = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
        SIGNING_ALGORITHM, access_key, ";".join(_signed_header_names(signed)), signature)
    return signed


def _netloc(url):
    netloc = urlsplit(url).netloc
    return netloc.rsplit("@", 1)[-1]


# --------------------------------------------------------------------------------------------
# Configuration


def _regional_domain(region):
    return "myhuaweicloud.eu" if region == "eu-west-101" else "myhuaweicloud.com"


def cce_endpoint_for(region):
    return "https://cce.%s.%s" % (region, _regional_domain(region))


def iam_endpoint_for(region):
    return "https://iam.%s.%s" % (region, _regional_domain(region))


def _normalise_endpoint(url):
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    return url.rstrip("/")


class ConnectionConfig:
    """The connection options of the ``hwcloud.cce.connection`` doc fragment."""

    FIELDS = (
        "region", "project_id", "access_key", "secret_key", "security_token", "auth_token",
        "username", "password", "domain_name", "iam_endpoint", "cce_endpoint",
        "validate_certs", "ca_path", "api_timeout", "api_retries",
    )

    def __init__(self, region=None, project_id=None, access_key=None, secret_key=None,
                 security_token=None, auth_token=None, username=None, password=None,
                 domain_name=None, iam_endpoint=None, cce_endpoint=None, validate_certs=True,
                 ca_path=None, api_timeout=60, api_retries=5):
        self.region = region or None
        self.project_id = project_id or None
        self.access_key = access_key or None
        self.secret_key = secret_key or None
        self.security_token = security_token or None
        self.auth_token = auth_token or None
        self.username = username or None
        self.password = password or None
        self.domain_name = domain_name or None
        self.validate_certs = True if validate_certs is None else bool(validate_certs)
        self.ca_path = ca_path or None
        self.api_timeout = 60 if api_timeout is None else api_timeout
        self.api_retries = 5 if api_retries is None else int(api_retries)
        if cce_endpoint:
            self.endpoint = _normalise_endpoint(cce_endpoint)
        elif self.region:
            self.endpoint = cce_endpoint_for(self.region)
        else:
            self.endpoint = None
        if iam_endpoint:
            self.iam_endpoint = _normalise_endpoint(iam_endpoint)
        elif self.region:
            self.iam_endpoint = iam_endpoint_for(self.region)
        else:
            self.iam_endpoint = None

    @classmethod
    def from_params(cls, params):
        return cls(**dict((name, params.get(name)) for name in cls.FIELDS))

    @property
    def auth_method(self):
        """``aksk``, ``token``, ``password`` or None (the first one configured)."""
        if self.access_key or self.secret_key:
            return "aksk"
        if self.auth_token:
            return "token"
        if self.username or self.password:
            return "password"
        return None

    def secrets(self):
        return [s for s in (self.secret_key, self.security_token, self.auth_token, self.password) if s]

    def __repr__(self):
        return "ConnectionConfig(endpoint=%r, region=%r, project_id=%r, auth=%r)" % (
            self.endpoint, self.region, self.project_id, self.auth_method)


# --------------------------------------------------------------------------------------------
# Retry policy: one request is sent at most api_retries + 1 times. Between two sends the client
# sleeps the reply's Retry-After (capped at RETRY_AFTER_MAX) or else backoff_seconds().


def is_retried_status(method, status):
    """True when a reply with this status is sent again within the retry budget: 429 for every
    method (the gateway refused it before the service saw it), 500/502/503/504 for reads only."""
    if status == 429:
        return True
    return status in RETRY_STATUS_IDEMPOTENT and method in IDEMPOTENT_METHODS


def is_retried_failure(method, stage):
    """True when a request that failed below HTTP is sent again within the retry budget: a
    failed connect (nothing was sent) for every method, a lost reply for reads only, a TLS
    error never."""
    if stage == "connect":
        return True
    return stage == "reply" and method in IDEMPOTENT_METHODS


def backoff_seconds(retry_number):
    """Jittered exponential backoff before retry number ``retry_number`` (1, 2, ...):
    BACKOFF_BASE doubling each time, capped at BACKOFF_MAX, between half of it and all of it."""
    delay = min(BACKOFF_MAX, BACKOFF_BASE * (2 ** (max(1, retry_number) - 1)))
    return random.uniform(delay / 2.0, delay)


def parse_retry_after(value):
    """Seconds from a ``Retry-After`` header (integer or fractional seconds, or an HTTP date),
    capped at RETRY_AFTER_MAX; None when absent or unparsable."""
    if value is None:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            from email.utils import parsedate_to_datetime
            when = parsedate_to_datetime(value)
            seconds = (when - datetime.datetime.now(when.tzinfo)).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if math.isnan(seconds):
        return None
    return max(0.0, min(RETRY_AFTER_MAX, seconds))


# --------------------------------------------------------------------------------------------
# Client


def user_agent():
    return "hwcloud.cce/%s Python/%d.%d" % ((COLLECTION_VERSION,) + tuple(sys.version_info[:2]))


class SendFailure(Exception):
    """A request that failed below HTTP. ``stage`` says how far it got: ``connect`` (nothing was
    sent: refused, unresolvable, connect timeout, a proxy that refused the tunnel), ``tls`` (the
    TLS handshake or the CA bundle) or ``reply`` (the request went out, its reply was lost).
    ``cause`` is the underlying exception; ``timed_out`` is true for a socket timeout."""

    def __init__(self, stage, cause):
        super(SendFailure, self).__init__("%s: %s" % (type(cause).__name__, cause))
        self.stage = stage
        self.cause = cause
        self.timed_out = isinstance(cause, socket.timeout)


class Reply:
    """One HTTP reply, read whole: ``status_code``, ``reason``, ``headers`` (case-insensitive
    ``get``), ``content`` (bytes) and ``retries`` (how many times the request was sent again)."""

    def __init__(self, status_code, reason, headers, content, retries=0):
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.content = content
        self.retries = retries


def _proxy_url(scheme, netloc):
    """The proxy URL (urlsplit) the environment gives for this scheme and host, or None
    (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, upper or lower case, as curl and requests read them)."""
    proxies = getproxies_environment()
    proxy = proxies.get(scheme)
    if not proxy or proxy_bypass_environment(netloc, proxies):
        return None
    return urlsplit(proxy if "://" in proxy else "http://" + proxy)


def _proxy_headers(proxy):
    """Basic Proxy-Authorization from the proxy URL's user:password, if any."""
    if not proxy.username:
        return {}
    pair = "%s:%s" % (unquote(proxy.username), unquote(proxy.password or ""))
    return {"Proxy-Authorization": "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")}


def _is_dropped(sock):
    """True when an idle keep-alive connection was closed by the server (readable: EOF)."""
    try:
        readable, _writable, _errored = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def tls_context(validate_certs=True, ca_path=None):
    """The TLS context of a client. With validate_certs, the CA bundle is ca_path (a file or a
    directory), else REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the environment, else the system's
    store (SSL_CERT_FILE / SSL_CERT_DIR honoured), else certifi's bundle when the system has none."""
    if not validate_certs:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    bundle = ca_path or os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        if os.path.isdir(bundle):
            return ssl.create_default_context(capath=bundle)
        return ssl.create_default_context(cafile=bundle)
    context = ssl.create_default_context()
    paths = ssl.get_default_verify_paths()
    if not (paths.cafile or paths.capath):
        try:
            import certifi
            context.load_verify_locations(cafile=certifi.where())
        except ImportError:
            pass
    return context


class Connections:
    """Keep-alive HTTP(S) connections of one client, one per scheme://host:port, through the
    environment's proxy when it names one. ``exchange`` sends one request once and reads its
    reply whole; anything that fails below HTTP is a :class:`SendFailure`."""

    def __init__(self, timeout, validate_certs=True, ca_path=None):
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self._context = None
        self._open = {}

    def _tls(self):
        if self._context is None:
            self._context = tls_context(self.validate_certs, self.ca_path)
        return self._context

    def _connect(self, parts):
        """A new (unconnected) connection for the URL parts, and the proxy headers of a plain HTTP
        proxy (which gets absolute-form targets), else None."""
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        proxy = _proxy_url(parts.scheme, parts.netloc)
        if proxy is None:
            if https:
                return http.client.HTTPSConnection(parts.hostname, port, timeout=self.timeout, context=self._tls()), None
            return http.client.HTTPConnection(parts.hostname, port, timeout=self.timeout), None
        proxy_port = proxy.port or (443 if proxy.scheme == "https" else 80)
        if https:
            # CONNECT tunnel through the proxy; TLS (and its host name check) with the endpoint.
            conn = http.client.HTTPSConnection(proxy.hostname, proxy_port, timeout=self.timeout, context=self._tls())
            conn.set_tunnel(parts.hostname, port, headers=_proxy_headers(proxy))
            return conn, None
        return http.client.HTTPConnection(proxy.hostname, proxy_port, timeout=self.timeout), _proxy_headers(proxy)

    def exchange(self, method, url, headers, payload):
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        conn, proxy_headers = self._open.get(key, (None, None))
        if conn is not None and conn.sock is not None and _is_dropped(conn.sock):
            conn.close()
        stage = "connect"
        try:
            if conn is None:
                conn, proxy_headers = self._connect(parts)
                self._open[key] = (conn, proxy_headers)
            if conn.sock is None:
                conn.connect()
            stage = "reply"
            if proxy_headers is None:
                conn.request(method, (parts.path or "/") + ("?" + parts.query if parts.query else ""),
                             body=payload, headers=headers)
            else:
                conn.request(method, url, body=payload, headers=dict(headers, **proxy_headers))
            response = conn.getresponse()
            content = response.read()
        except (ssl.SSLError, ssl.CertificateError) as exc:
            self._drop(key)
            raise SendFailure("tls", exc)
        except FileNotFoundError as exc:  # a ca_path (or bundle variable) that names no file
            self._drop(key)
            raise SendFailure("tls", exc)
        except (OSError, http.client.HTTPException) as exc:
            self._drop(key)
            raise SendFailure(stage, exc)
        if response.will_close:
            self._drop(key)
        return Reply(response.status, response.reason, response.headers, content)

    def _drop(self, key):
        conn, _proxy_headers = self._open.pop(key, (None, None))
        if conn is not None:
            conn.close()

    def close(self):
        for key in list(self._open):
            self._drop(key)


class CceClient:
    """A signed / token-authenticated JSON client for one CCE endpoint.

    Keep-alive connections (:class:`Connections`) and the retry policy above; a password-derived
    token is obtained from IAM at most once per client (and refreshed once if the gateway says it
    expired).
    """

    def __init__(self, config, connections=None):
        if not config.endpoint:
            raise CceApiError("give region or cce_endpoint", kind="config")
        self.config = config
        self._project_id = config.project_id
        self._token = config.auth_token
        self._token_from_iam = False
        self.user_agent = user_agent()
        self.connections = connections or Connections(
            config.api_timeout, validate_certs=config.validate_certs, ca_path=config.ca_path)
        # Seconds the server's clock (HTTP Date of the last reply) runs ahead of ours; None: no Date yet.
        self._server_offset = None

    # -- identity -------------------------------------------------------------------------

    @property
    def secrets(self):
        found = self.config.secrets()
        if self._token:
            found.append(self._token)
        return found

    @property
    def project_id(self):
        if not self._project_id and self.config.auth_method == "password":
            self._obtain_token()
        if not self._project_id:
            raise CceApiError("project_id is required (option project_id or HW_PROJECT_ID)", kind="config")
        return self._project_id

    def _obtain_token(self):
        cfg = self.config
        if not cfg.iam_endpoint:
            raise CceApiError("give iam_endpoint or region to obtain a token from IAM", kind="config")
        if cfg.project_id:
            scope = {"project": {"id": cfg.project_id}}
        elif cfg.region:
            scope = {"project": {"name": cfg.region}}
        else:
            raise CceApiError("give region or project_id to scope the IAM token", kind="config")
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": cfg.username, "password": cfg.password, "domain": {"name": cfg.domain_name}}}},
            "scope": scope}}
        url = cfg.iam_endpoint + "/v3/auth/tokens"
        headers = {"Content-Type": "application/json;charset=utf8", "User-Agent": self.user_agent}
        response = self._send("POST", url, "/v3/auth/tokens", headers, json.dumps(body).encode("utf-8"))
        if response.status_code >= 300:
            raise self._error(response, "POST", "/v3/auth/tokens")
        token = response.headers.get("X-Subject-Token")
        if not token:
            raise CceApiError("IAM returned no X-Subject-Token header (POST %s)" % url, kind="auth",
                              status=response.status_code,
                              request_id=response.headers.get("X-Request-Id"),
                              hint="check iam_endpoint")
        self._token = token
        self._token_from_iam = True
        if not self._project_id:
            try:
                self._project_id = json.loads(response.content.decode("utf-8"))["token"]["project"]["id"]
            except (ValueError, KeyError, TypeError):
                raise CceApiError("the IAM token carries no project; give project_id", kind="config") from None

    # -- requests ---------------------------------------------------------------------------

    def _headers(self, method, url, payload):
        cfg = self.config
        headers = {
            "Content-Type": "application/json",
            "Host": _netloc(url),
            "User-Agent": self.user_agent,
        }
        if self._project_id:
            headers["X-Project-Id"] = self._project_id
        if cfg.auth_method == "aksk":
            if cfg.security_token:
                headers["X-Security-Token"] = cfg.security_token
            return sign_request(method, url, headers, payload, cfg.access_key, cfg.secret_key)
        if not self._token and cfg.auth_method == "password":
            self._obtain_token()
            if self._project_id:
                headers["X-Project-Id"] = self._project_id
        if not self._token:
            raise CceApiError("no credentials: give access_key/secret_key, auth_token or "
                              "username/password/domain_name", kind="config")
        headers["X-Auth-Token"] = self._token
        return headers

    def request(self, method, path, body=None, query=None):
        """Send one API call and return the parsed JSON body (``{}`` when empty)."""
        method = method.upper()
        if not path.startswith("/"):
            raise CceApiError("path must start with '/': %s" % path, kind="config")
        if self.config.auth_method == "password" and not self._token:
            self._obtain_token()
        url = self.config.endpoint + path
        query_string = canonical_query_string(query)
        if query_string:
            url += "?" + query_string
        payload = None if body is None else json.dumps(body).encode("utf-8")
        refreshed = False
        malformed = 0
        while True:
            headers = self._headers(method, url, payload)
            response = self._send(method, url, path, headers, payload)
            if response.status_code < 300:
                try:
                    return self._parse(response, method, path)
                except CceApiError as error:
                    # A garbled reply to a read is as transient as a 502: read again within the
                    # retry budget (a write is never repeated: the caller re-reads the state).
                    if method not in IDEMPOTENT_METHODS or malformed >= self.config.api_retries:
                        if malformed:
                            error.message = "%s (after %d retries)" % (error.message, malformed)
                        raise
                    malformed += 1
                    _sleep(random.uniform(0.5, 1.0) * min(BACKOFF_MAX, BACKOFF_BASE * (2 ** (malformed - 1))))
                    continue
            error = self._error(response, method, path)
            if (error.status == 401 and self._token_from_iam and not refreshed
                    and _code_suffix(error.error_code or "") == "0307"):
                refreshed = True
                self._token = None
                self._obtain_token()
                continue
            raise error

    def _send(self, method, url, path, headers, payload):
        """Send within the retry budget; the last reply (a retried status that never cleared
        included), or a mapped CceApiError for a failure below HTTP."""
        secrets = self.secrets
        try:
            reply = self._send_with_retries(method, url, headers, payload)
            self._note_server_time(reply)
            return reply
        except Exception as exc:  # mapped below; anything else is re-raised
            error = self._exception(exc, method, url, path, secrets)
        raise error

    def _send_with_retries(self, method, url, headers, payload):
        budget = self.config.api_retries
        retries = 0
        while True:
            try:
                reply = self.connections.exchange(method, url, headers, payload)
            except SendFailure as failure:
                if retries >= budget or not is_retried_failure(method, failure.stage):
                    raise
                retries += 1
                _sleep(backoff_seconds(retries))
                continue
            if retries < budget and is_retried_status(method, reply.status_code):
                retries += 1
                seconds = parse_retry_after(reply.headers.get("Retry-After"))
                _sleep(backoff_seconds(retries) if seconds is None else seconds)
                continue
            reply.retries = retries
            return reply

    # -- server clock -----------------------------------------------------------------------

    def _note_server_time(self, response):
        """Record the offset of the server's clock from the HTTP ``Date`` header (missing or bad: ignored)."""
        headers = getattr(response, "headers", None)
        value = headers.get("Date") if headers is not None else None
        if not value:
            return
        try:
            from email.utils import parsedate_to_datetime
            when = parsedate_to_datetime(value)
            if when is None:
                return
            if when.tzinfo is None:
                when = when.replace(tzinfo=datetime.timezone.utc)
            self._server_offset = when.timestamp() - time.time()
        except (AttributeError, TypeError, ValueError, IndexError, OverflowError):
            return

    def server_time(self):
        """The server's current time in epoch seconds: the local clock plus the offset seen in the
        last reply's ``Date`` header (the local clock until a reply carried one). Judge server-side
        deadlines (a pre-check's expireTimeStamp) with this, not with the local clock."""
        return time.time() + (self._server_offset or 0.0)

    def _exception(self, exc, method, url, path, secrets):
        host = _netloc(url)
        where = "%s %s" % (method, path)
        detail = redact("%s: %s" % (type(exc).__name__, exc), secrets)
        if len(detail) > 400:
            detail = detail[:400] + "..."
        write = method in WRITE_METHODS
        stage = exc.stage if isinstance(exc, SendFailure) else None
        if stage == "tls":
            return CceApiError(
                "TLS error talking to %s (%s): %s" % (host, where, detail), kind="tls", method=method, path=path,
                hint="give the CA bundle that signs the endpoint's certificate with ca_path, "
                     "or set validate_certs=false (insecure)")
        if stage == "connect" and exc.timed_out:
            return CceApiError(
                "timed out connecting to %s (%s) after %ss: %s" % (host, where, self.config.api_timeout, detail),
                kind="timeout", method=method, path=path,
                hint="check the endpoint and the network, or raise api_timeout")
        if stage == "reply" and exc.timed_out:
            return CceApiError(
                "no reply from %s within api_timeout=%ss (%s)%s" % (
                    host, self.config.api_timeout, where,
                    "; the request was sent, its outcome is unknown" if write else ""),
                kind="timeout", outcome_unknown=write, method=method, path=path,
                hint=("re-read the state before retrying" if write else "retry later or raise api_timeout"))
        if stage == "connect":
            return CceApiError(
                "could not connect to %s (%s): %s" % (host, where, detail), kind="connection",
                method=method, path=path, hint="check region / cce_endpoint and the network")
        if stage == "reply":
            return CceApiError(
                "the connection to %s dropped after %s was sent%s: %s" % (
                    host, where, "; its outcome is unknown" if write else "", detail),
                kind="connection", outcome_unknown=write, method=method, path=path,
                hint="re-read the state before retrying" if write else "retry later")
        # Anything else (a library bug, an unexpected exception type) may carry the request it
        # failed on, headers and body included: never let it escape unredacted as a traceback.
        return CceApiError(
            "unexpected error during %s to %s%s: %s" % (
                where, host, "; the request may have been sent, its outcome is unknown" if write else "", detail),
            kind="connection", outcome_unknown=write, method=method, path=path,
            hint="re-read the state before retrying" if write else "retry; report this error if it persists")

    def _error(self, response, method, path):
        error = error_from_response(response.status_code, response.headers, response.content,
                                    self.secrets, method=method, path=path, reason=response.reason)
        retries = getattr(response, "retries", 0)
        if retries and error.kind in ("throttled", "transient"):
            error.message = "%s (after %d retries)" % (error.message, retries)
        return error

    def _parse(self, response, method, path):
        content = response.content
        if not content or not content.strip():
            return {}
        try:
            return json.loads(content.decode("utf-8"))
        except ValueError:
            write = method in WRITE_METHODS
            return self._raise_malformed(response, method, path, write)

    def _raise_malformed(self, response, method, path, write):
        raise CceApiError(
            redact("HTTP %s (%s %s): malformed JSON in the reply: %s" % (
                response.status_code, method, path, _snippet(_as_text(response.content))), self.secrets),
            kind="transient", status=response.status_code,
            request_id=response.headers.get("X-Request-Id"), outcome_unknown=write,
            method=method, path=path,
            hint="re-read the state before retrying" if write else "retry later")
