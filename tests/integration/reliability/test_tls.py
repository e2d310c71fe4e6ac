"""TLS: certificates are verified by default.

A simulator serving HTTPS with a self-signed certificate (made here with the ``openssl`` CLI) is
refused with a clear message (no request reaches it), accepted when ``ca_path`` names the
certificate, and accepted with ``validate_certs: false``, which warns.
"""

import subprocess

import pytest

from reliability_helpers import api_requests_over_tls, make_self_signed


@pytest.fixture
def tls_sim(simulator_factory, tmp_path):
    cert, key = make_self_signed(tmp_path)
    return simulator_factory(["--tls-cert", str(cert), "--tls-key", str(key)]), cert


def _env(sim):
    return {"HW_CCE_ENDPOINT": sim.url, "HW_IAM_ENDPOINT": sim.url}


def test_self_signed_refused_by_default(rel, tls_sim):
    sim, _cert = tls_sim
    assert sim.url.startswith("https://")
    rc, result, output = rel.module("cce_cluster_info", {"api_retries": 0}, env=_env(sim))
    assert rc != 0, output
    msg = result["msg"]
    assert result["error_kind"] == "tls", msg
    assert "certificate" in msg.lower() and "verify" in msg.lower(), msg
    assert "ca_path" in msg, msg  # tells the user how to fix it
    assert api_requests_over_tls(sim, tls_sim[1]) == []


def test_self_signed_refused_for_password_auth_too(rel, tls_sim):
    """The IAM token request is verified as well: no password goes to an unverified endpoint."""
    sim, _cert = tls_sim
    creds = rel.credentials
    env = dict(_env(sim), HW_ACCESS_KEY=None, HW_SECRET_KEY=None, HW_USER_NAME=creds["username"],
               HW_PASSWORD=creds["password"], HW_DOMAIN_NAME=creds["domain_name"])
    rc, result, output = rel.module("cce_cluster_info", {"api_retries": 0}, env=env)
    assert rc != 0, output
    assert result["error_kind"] == "tls", output
    assert api_requests_over_tls(sim, tls_sim[1]) == []


def test_accepted_with_ca_path(rel, tls_sim):
    sim, cert = tls_sim
    rc, result, output = rel.module("cce_cluster_info", {"ca_path": str(cert), "name": "prod-a"}, env=_env(sim))
    assert rc == 0, output
    assert [c["name"] for c in result["clusters"]] == ["prod-a"]
    assert "validate_certs is false" not in output  # no insecure warning
    assert len(api_requests_over_tls(sim, cert)) >= 1


def test_ca_path_wins_over_requests_ca_bundle(rel, tls_sim, tmp_path):
    """REQUESTS_CA_BUNDLE (set by many CI images) must not override ca_path."""
    sim, cert = tls_sim
    other, _key = make_self_signed(tmp_path / "other")
    env = dict(_env(sim), REQUESTS_CA_BUNDLE=str(other))
    rc, _result, output = rel.module("cce_cluster_info", {"ca_path": str(cert), "name": "prod-a"}, env=env)
    assert rc == 0, output


def test_validate_certs_false_warns(rel, tls_sim):
    sim, _cert = tls_sim
    rc, result, output = rel.module("cce_cluster_info", {"validate_certs": False, "name": "prod-a"}, env=_env(sim))
    assert rc == 0, output
    assert [c["name"] for c in result["clusters"]] == ["prod-a"]
    assert "[WARNING]" in output and "validate_certs is false" in output, output


def test_wrong_ca_is_refused(rel, tls_sim, tmp_path):
    sim, _cert = tls_sim
    other, _key = make_self_signed(tmp_path / "other")
    rc, result, output = rel.module("cce_cluster_info", {"ca_path": str(other), "api_retries": 0}, env=_env(sim))
    assert rc != 0, output
    assert result["error_kind"] == "tls", output


def test_openssl_is_available():
    """The TLS tests generate their certificates with the openssl CLI (bindep)."""
    assert subprocess.run(["openssl", "version"], capture_output=True, check=False).returncode == 0
