"""Gateway authentication: signatures, clock skew, tokens, project checks."""

import datetime
import re

import requests
from cce_simulator import auth

# Case 1 of the SDK's signing test vectors (reference/signing-test-vectors.txt).
VECTOR_PATH = "/api/v3/projects/0123456789abcdef0123456789abcdef/clusters/b4b9e60f-8aa2-11ee-af09-0255ac10004f/operation/upgradeworkflows"
VECTOR_BODY = b'{"kind": "WorkFlowTask", "apiVersion": "v3", "spec": {"targetVersion": "v1.23"}}'
VECTOR_HEADERS = {"content-type": "application/json", "host": "cce.cn-north-4.myhuaweicloud.com",
                  "x-project-id": "0123456789abcdef0123456789abcdef", "x-sdk-date": "20240101T000000Z"}
VECTOR_SK = "exampleSecretKey0123456789abcdefghijklmn"


def test_signature_matches_sdk_vectors():
    names = sorted(VECTOR_HEADERS)
    canonical = auth.canonical_request("POST", VECTOR_PATH, "", VECTOR_HEADERS, names, VECTOR_BODY)
    assert auth.signature(VECTOR_SK, canonical, "20240101T000000Z") == "85503771559bbef3b7f0a5ed8f893e197f16d6925091e2d1260945538a775de4"
    query_path = "/api/v3/projects/0123456789abcdef0123456789abcdef/clusters"
    canonical = auth.canonical_request("GET", query_path, "version=v1.28&detail=true&status=Available", VECTOR_HEADERS, names, b"")
    assert canonical.split("\n")[1:3] == [query_path + "/", "detail=true&status=Available&version=v1.28"]
    assert auth.signature(VECTOR_SK, canonical, "20240101T000000Z") == "a28a399b2ce439af7c27bea5a022c030d92273e6b59b05d2745e00588de0932e"


def test_signed_request_accepted_with_request_id(api):
    resp = api.get(api.prefix() + "/clusters")
    assert resp.status_code == 200
    assert re.match(r"^[0-9a-f]{32}$", resp.headers["X-Request-Id"])
    assert {c["metadata"]["name"] for c in resp.json()["items"]} >= {"prod-a", "legacy-a", "risky-a", "flaky-a"}


def test_clock_skew_rejected(api):
    old = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)).strftime("%Y%m%dT%H%M%SZ")
    resp = api.get(api.prefix() + "/clusters", sdk_date=old)
    assert resp.status_code == 401
    body = resp.json()
    assert body["error_code"] == "APIGW.0303"
    assert body["error_msg"].startswith("Incorrect app authentication information: signature expired, signature time:%s,server time:" % old)
    assert body["request_id"] == resp.headers["X-Request-Id"]


def test_unknown_access_key(client_factory):
    client = client_factory(access_key="UNKNOWNAK00000000000", secret_key="whatever-secret")
    resp = client.get(client.prefix() + "/clusters")
    assert resp.status_code == 401
    assert resp.json()["error_code"] == "APIGW.0301"
    assert resp.json()["error_msg"].endswith("Get secretKey failed,ak:******,err:ak not exist")
    assert "UNKNOWNAK" not in resp.text and "whatever-secret" not in resp.text


def test_tampered_body_rejected(api, signer):
    cid = api.sim.cluster("prod-a")["id"]
    headers = {"X-Sdk-Date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")}
    url = api.url + api.cluster_path(cid) + "/operation/upgradeworkflows"
    signed = signer("POST", url, dict(headers, **{"Content-Type": "application/json"}), b'{"a": 1}', api.access_key, api.secret_key)
    resp = requests.post(url, data=b'{"a": 2}', headers=signed, timeout=10)
    assert resp.status_code == 401
    assert resp.json()["error_msg"].startswith("Incorrect IAM authentication information: verify aksk signature fail")
    assert api.secret_key not in resp.text


def test_no_credentials(api):
    resp = api.get(api.prefix() + "/clusters", sign_request=False)
    assert resp.status_code == 401
    assert resp.json() == {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: x-auth-token not found",
                           "request_id": resp.headers["X-Request-Id"]}


def test_temporary_credentials_need_security_token(sim, client_factory):
    creds = sim.credentials
    good = client_factory(creds["temporary_access_key"], creds["temporary_secret_key"],
                          extra_headers={"X-Security-Token": creds["security_token"]})
    assert good.get(good.prefix() + "/clusters").status_code == 200
    bad = client_factory(creds["temporary_access_key"], creds["temporary_secret_key"])
    resp = bad.get(bad.prefix() + "/clusters")
    assert resp.status_code == 401 and resp.json()["error_code"] == "APIGW.0301"
    assert creds["security_token"] not in resp.text


def _token_body(creds, password=None):
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": creds["username"], "password": password or creds["password"], "domain": {"name": creds["domain_name"]}}}},
        "scope": {"project": {"name": creds["region"]}}}}


def test_token_flow_and_expiry(sim):
    creds = sim.credentials
    resp = requests.post(sim.url + "/v3/auth/tokens", json=_token_body(creds), timeout=10)
    assert resp.status_code == 201
    token = resp.headers["X-Subject-Token"]
    body = resp.json()["token"]
    assert body["project"]["id"] == creds["project_id"] and body["project"]["name"] == creds["region"]
    assert body["expires_at"].endswith("Z")
    url = "%s/api/v3/projects/%s/clusters" % (sim.url, creds["project_id"])
    assert requests.get(url, headers={"X-Auth-Token": token}, timeout=10).status_code == 200
    sim.expire_tokens()
    resp = requests.get(url, headers={"X-Auth-Token": token}, timeout=10)
    assert resp.status_code == 401
    assert resp.json()["error_code"] == "APIGW.0307"
    assert resp.json()["error_msg"] == "The token must be updated."


def test_wrong_password_gets_keystone_error(sim):
    resp = requests.post(sim.url + "/v3/auth/tokens", json=_token_body(sim.credentials, password="wrong"), timeout=10)
    assert resp.status_code == 401
    assert resp.json() == {"error": {"message": "The username or password is wrong.", "code": 401, "title": "Unauthorized"}}
    assert "X-Subject-Token" not in resp.headers


def test_unknown_token(sim):
    url = "%s/api/v3/projects/%s/clusters" % (sim.url, sim.credentials["project_id"])
    resp = requests.get(url, headers={"X-Auth-Token": "MIIforged"}, timeout=10)
    assert resp.status_code == 401 and resp.json()["error_code"] == "APIGW.0301"


def test_wrong_project(api):
    resp = api.get("/api/v3/projects/ffffffffffffffffffffffffffffffff/clusters")
    assert resp.status_code == 403
    assert resp.json()["error_code"] == "APIGW.0310"
    assert resp.json()["error_msg"] == "The project is unavailable."


def test_unknown_path_and_wrong_method(api):
    resp = api.get(api.prefix() + "/nothing-here")
    assert resp.status_code == 404 and resp.json()["error_code"] == "APIGW.0101"
    cid = api.sim.cluster("prod-a")["id"]
    resp = api.get(api.cluster_path(cid) + "/operation/postcheck")
    assert resp.status_code == 404 and resp.json()["error_msg"] == "The API does not exist."


def test_gateway_clock_offset_expires_fresh_signatures(sim, api):
    """A gateway clock 20 minutes ahead refuses a freshly signed request; reset clears the offset."""
    sim.control("POST", "clock", {"gateway_offset": 1200})
    resp = api.get(api.prefix() + "/clusters")
    assert resp.status_code == 401
    assert resp.json()["error_code"] == "APIGW.0303"
    sim.reset()
    assert api.get(api.prefix() + "/clusters").status_code == 200
