"""Helpers for the simulator tests: a tiny SDK-HMAC-SHA256 signer, a signed HTTP client, the SDK."""

import datetime
import hashlib
import hmac
import json
from urllib.parse import quote, urlsplit

import pytest
import requests


def _enc(text):
    return quote(str(text), safe="~")


def sign(method, url, headers, body, access_key, secret_key, sdk_date=None):
    """Return ``headers`` plus X-Sdk-Date, Host and Authorization, signed like the official SDK."""
    parts = urlsplit(url)
    headers = dict(headers)
    headers.setdefault("X-Sdk-Date", sdk_date or datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    headers.setdefault("Host", parts.netloc)
    path = "/".join(_enc(seg) for seg in parts.path.split("/"))
    if not path.endswith("/"):
        path += "/"
    pairs = sorted(tuple(item.split("=", 1)) for item in parts.query.split("&") if item)
    query = "&".join("%s=%s" % (_enc(k), _enc(v)) for k, v in pairs)
    names = sorted(name.lower() for name in headers if "_" not in name)
    lookup = {name.lower(): str(value).strip() for name, value in headers.items()}
    canonical_headers = "".join("%s:%s\n" % (name, lookup[name]) for name in names)
    canonical = "\n".join([method, path, query, canonical_headers, ";".join(names), hashlib.sha256(body or b"").hexdigest()])
    to_sign = "SDK-HMAC-SHA256\n%s\n%s" % (headers["X-Sdk-Date"], hashlib.sha256(canonical.encode()).hexdigest())
    sig = hmac.new(secret_key.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (access_key, ";".join(names), sig)
    return headers


class SignedClient:
    """A requests session that signs every call with the scenario's AK/SK."""

    def __init__(self, simulator, access_key=None, secret_key=None, extra_headers=None, verify=True):
        creds = simulator.credentials
        self.sim = simulator
        self.url = simulator.url
        self.project_id = creds["project_id"]
        self.access_key = access_key or creds["access_key"]
        self.secret_key = secret_key or creds["secret_key"]
        self.extra_headers = extra_headers or {}
        self.session = requests.Session()
        self.session.verify = verify

    def prefix(self, flavor="cce", version="v3"):
        family = "api" if flavor == "cce" else "autopilot"
        return "/%s/%s/projects/%s" % (family, version, self.project_id)

    def cluster_path(self, cluster_id, flavor="cce", version="v3"):
        return "%s/clusters/%s" % (self.prefix(flavor, version), cluster_id)

    def request(self, method, path, body=None, sdk_date=None, headers=None, sign_request=True):
        data = json.dumps(body).encode() if body is not None else b""
        url = self.url + path
        base = {"Content-Type": "application/json"}
        base.update(self.extra_headers)
        base.update(headers or {})
        if sign_request:
            base = sign(method, url, base, data, self.access_key, self.secret_key, sdk_date)
        return self.session.request(method, url, data=data or None, headers=base, timeout=30)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.request("PATCH", path, body, **kwargs)


@pytest.fixture
def api(sim):
    """A signed client for the reset session simulator."""
    return SignedClient(sim)


@pytest.fixture
def client_factory(sim):
    """Build signed clients with other keys or extra headers."""
    def build(access_key=None, secret_key=None, extra_headers=None):
        return SignedClient(sim, access_key, secret_key, extra_headers)
    return build


@pytest.fixture
def signer():
    """The test module's own SDK-HMAC-SHA256 signer."""
    return sign


@pytest.fixture
def sdk(sim):
    """A factory of official-SDK clients for the reset session simulator."""
    from huaweicloudsdkcce.v3 import CceClient  # pylint: disable=import-outside-toplevel
    from huaweicloudsdkcore.auth.credentials import BasicCredentials  # pylint: disable=import-outside-toplevel

    def build(secret_key=None):
        creds = sim.credentials
        credentials = BasicCredentials(creds["access_key"], secret_key or creds["secret_key"], creds["project_id"])
        return CceClient.new_builder().with_credentials(credentials).with_endpoint(sim.url).build()

    return build
