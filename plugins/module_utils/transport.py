# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""HTTP transport for the CCE API: endpoints, SDK-HMAC-SHA256 signing, tokens, retries, errors.

This is the only place in the collection that speaks HTTP. Everything a caller sees from a
failed request is a :class:`CceApiError` whose text never contains a secret.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib
import hmac
import json
import math
import random
import re
import time
import traceback

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

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    import requests.adapters
    import urllib3
    from urllib3.util.retry import Retry as _UrllibRetry
    from urllib3.exceptions import (
        ConnectTimeoutError as _ConnectTimeoutError,
        NewConnectionError as _NewConnectionError,
        ReadTimeoutError as _ReadTimeoutError,
        SSLError as _UrllibSSLError,
    )
    HAS_REQUESTS = True
except ImportError:  # pragma: no cover - exercised by ansible-test's import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    _UrllibRetry = object
    _ConnectTimeoutError = _NewConnectionError = _ReadTimeoutError = _UrllibSSLError = ()

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
# Retry policy


class CceRetry(_UrllibRetry):
    """urllib3 Retry with the collection's policy.

    - connect errors (nothing was sent): retried for every method;
    - read errors (request sent, reply lost): retried for idempotent methods only;
    - 500/502/503/504: retried for GET/HEAD/OPTIONS only;
    - 429: retried for every method (the gateway refused it before the service saw it);
    - sleeps: ``Retry-After`` (float seconds, capped at RETRY_AFTER_MAX) when the reply has
      one, otherwise jittered exponential backoff (BACKOFF_BASE doubling, capped at BACKOFF_MAX).
    - TLS errors are never retried.

    urllib3 must not parse Retry-After itself: it raises InvalidHeader on fractional values,
    hence ``respect_retry_after_header=False``.
    """

    @classmethod
    def for_budget(cls, retries):
        return cls(
            total=retries, connect=None, read=None, status=None, other=0, redirect=0,
            allowed_methods=None, status_forcelist=None, raise_on_status=False,
            raise_on_redirect=False, respect_retry_after_header=False,
        )

    def _is_method_retryable(self, method):
        return (method or "").upper() in IDEMPOTENT_METHODS

    def is_retry(self, method, status_code, has_retry_after=False):
        if not self.total and self.total is not None:
            return False
        if status_code == 429:
            return True
        return status_code in RETRY_STATUS_IDEMPOTENT and self._is_method_retryable(method)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if error is not None and isinstance(error, _UrllibSSLError):
            raise error
        return super(CceRetry, self).increment(
            method=method, url=url, response=response, error=error, _pool=_pool, _stacktrace=_stacktrace)

    def get_backoff_time(self):
        attempts = len(self.history)
        if attempts < 1:
            return 0.0
        delay = min(BACKOFF_MAX, BACKOFF_BASE * (2 ** (attempts - 1)))
        return random.uniform(delay / 2.0, delay)

    def sleep(self, response=None):
        if response is not None:
            seconds = parse_retry_after(response.headers.get("Retry-After"))
            if seconds is not None:
                _sleep(seconds)
                return
        backoff = self.get_backoff_time()
        if backoff > 0:
            _sleep(backoff)


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
    version = getattr(requests, "__version__", "unknown") if HAS_REQUESTS else "unknown"
    return "hwcloud.cce/%s python-requests/%s" % (COLLECTION_VERSION, version)


def _chain_has(exc, types):
    """True when ``exc`` or anything it wraps (reason, cause, context, args) is one of ``types``."""
    seen = set()
    stack = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, types):
            return True
        stack.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
        stack.extend(arg for arg in getattr(item, "args", ()) if isinstance(arg, BaseException))
    return False


def _not_sent(exc):
    """True when a requests ConnectionError happened before the request went out."""
    return _chain_has(exc, (_NewConnectionError, _ConnectTimeoutError))


class CceClient:
    """A signed / token-authenticated JSON client for one CCE endpoint.

    One ``requests.Session`` with the retry adapter mounted once; a password-derived token is
    obtained from IAM at most once per client (and refreshed once if the gateway says it expired).
    """

    def __init__(self, config, session=None):
        if not HAS_REQUESTS:
            raise CceApiError("the python 'requests' library is required", kind="config")
        if not config.endpoint:
            raise CceApiError("give region or cce_endpoint", kind="config")
        self.config = config
        self._project_id = config.project_id
        self._token = config.auth_token
        self._token_from_iam = False
        self.user_agent = user_agent()
        self.session = session or requests.Session()
        adapter = requests.adapters.HTTPAdapter(max_retries=CceRetry.for_budget(config.api_retries))
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        # Passed on every request: a session attribute would lose to REQUESTS_CA_BUNDLE.
        self.verify = True
        if not config.validate_certs:
            self.verify = False
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        elif config.ca_path:
            self.verify = config.ca_path
        self.timeout = (config.api_timeout, config.api_timeout)
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
        secrets = self.secrets
        try:
            response = self.session.request(method, url, headers=headers, data=payload, verify=self.verify,
                                            timeout=self.timeout, allow_redirects=False)
            self._note_server_time(response)
            return response
        except Exception as exc:  # mapped below; anything else is re-raised
            error = self._exception(exc, method, url, path, secrets)
        raise error

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
        if isinstance(exc, requests.exceptions.SSLError):
            return CceApiError(
                "TLS error talking to %s (%s): %s" % (host, where, detail), kind="tls", method=method, path=path,
                hint="give the CA bundle that signs the endpoint's certificate with ca_path, "
                     "or set validate_certs=false (insecure)")
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return CceApiError(
                "timed out connecting to %s (%s) after %ss: %s" % (host, where, self.config.api_timeout, detail),
                kind="timeout", method=method, path=path,
                hint="check the endpoint and the network, or raise api_timeout")
        if isinstance(exc, requests.exceptions.ReadTimeout) or (
                isinstance(exc, requests.exceptions.ConnectionError) and _chain_has(exc, _ReadTimeoutError)):
            return CceApiError(
                "no reply from %s within api_timeout=%ss (%s)%s" % (
                    host, self.config.api_timeout, where,
                    "; the request was sent, its outcome is unknown" if write else ""),
                kind="timeout", outcome_unknown=write, method=method, path=path,
                hint=("re-read the state before retrying" if write else "retry later or raise api_timeout"))
        if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
            if _not_sent(exc):
                return CceApiError(
                    "could not connect to %s (%s): %s" % (host, where, detail), kind="connection",
                    method=method, path=path, hint="check region / cce_endpoint and the network")
            return CceApiError(
                "the connection to %s dropped after %s was sent%s: %s" % (
                    host, where, "; its outcome is unknown" if write else "", detail),
                kind="connection", outcome_unknown=write, method=method, path=path,
                hint="re-read the state before retrying" if write else "retry later")
        if isinstance(exc, requests.exceptions.RequestException):
            return CceApiError("request %s to %s failed: %s" % (where, host, detail), kind="connection",
                               outcome_unknown=write, method=method, path=path)
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
        retries = getattr(getattr(response.raw, "retries", None), "history", ())
        if retries and error.kind in ("throttled", "transient"):
            error.message = "%s (after %d retries)" % (error.message, len(retries))
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
