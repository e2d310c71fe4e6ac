"""transport.py + api.py against the real cce_simulator: auth, retries, backoff and error mapping
under injected faults, counted through the simulator's request log."""

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils.api import CceApi
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError, CceClient, ConnectionConfig

LIST = r"/clusters$"
WORKFLOWS = r"/operation/upgradeworkflows$"


def make_api(sim, flavor="cce", creds=None, **overrides):
    creds = creds or sim.credentials
    params = dict(cce_endpoint=sim.url, region=creds["region"], project_id=creds["project_id"],
                  access_key=creds["access_key"], secret_key=creds["secret_key"], api_retries=3, api_timeout=5)
    params.update(overrides)
    return CceApi(CceClient(ConnectionConfig(**params)), flavor)


def logged(sim, method, pattern):
    import re
    return [r for r in sim.requests() if r["method"] == method and re.search(pattern, r["path"])]


def test_aksk_signed_calls_are_accepted_on_both_flavors(sim, sleeps):
    for flavor, name in (("cce", "prod-a"), ("autopilot", "ap-a")):
        api = make_api(sim, flavor)
        cluster_id = sim.cluster(name)["id"]
        assert api.get_cluster(cluster_id)["metadata"]["uid"] == cluster_id
        created = api.create_workflow(cluster_id, "v1.30")
        assert created["metadata"]["uid"]
    assert sleeps == []


def test_wrong_secret_key_is_auth_error_without_secret(sim, sleeps):
    api = make_api(sim, secret_key="wrong-secret-key-0123456789")
    with pytest.raises(CceApiError) as info:
        api.list_clusters()
    err = info.value
    assert (err.kind, err.status, err.error_code) == ("auth", 401, "APIGW.0301")
    assert "access_key/secret_key" in err.hint and err.request_id
    assert "wrong-secret-key-0123456789" not in str(err) + repr(err)


def test_password_token_from_simulator_iam(sim, sleeps):
    creds = sim.credentials
    api = make_api(sim, access_key=None, secret_key=None, project_id=None, iam_endpoint=sim.url,
                   username=creds["username"], password=creds["password"], domain_name=creds["domain_name"])
    assert api.client.project_id == creds["project_id"]
    api.list_clusters()
    api.list_upgrade_paths()
    assert len(logged(sim, "POST", r"^/v3/auth/tokens$")) == 1


def test_429_integer_retry_after_honoured(sim, sleeps):
    sim.set_faults({"rules": [{"fault": "throttle", "method": "GET", "path": LIST, "count": 2, "retry_after": "1"}]})
    assert "items" in make_api(sim).list_clusters()
    assert [r["status"] for r in logged(sim, "GET", LIST)] == [429, 429, 200]
    assert sleeps == [1.0, 1.0]


def test_429_fractional_retry_after_honoured(sim, sleeps):
    sim.set_faults({"rules": [{"fault": "throttle", "path": LIST, "count": 2, "retry_after": "0.25"}]})
    make_api(sim).list_clusters()
    assert len(logged(sim, "GET", LIST)) == 3
    assert sleeps == [0.25, 0.25]


def test_429_that_never_clears_uses_retries_plus_one_requests(sim, sleeps):
    sim.set_faults({"rules": [{"fault": "throttle", "path": LIST, "retry_after": "0.5"}]})
    with pytest.raises(CceApiError) as info:
        make_api(sim, api_retries=4).list_clusters()
    assert len(logged(sim, "GET", LIST)) == 5
    err = info.value
    assert (err.kind, err.status, err.error_code) == ("throttled", 429, "APIGW.0308")
    assert err.request_id and "after 4 retries" in err.message
    assert err.hint == "the API is throttling requests: retry later or raise api_retries"
    assert sleeps == [0.5] * 4


def test_429_on_post_is_retried(sim, sleeps):
    cluster_id = sim.cluster("prod-b")["id"]
    sim.set_faults({"rules": [{"fault": "throttle", "method": "POST", "path": WORKFLOWS, "count": 1,
                               "retry_after": None}]})
    assert make_api(sim).create_workflow(cluster_id, "v1.30")["metadata"]["uid"]
    assert [r["status"] for r in logged(sim, "POST", WORKFLOWS)] == [429, 201]
    assert len(sleeps) == 1 and 0.005 <= sleeps[0] <= 0.01  # backoff, no Retry-After


def test_503_on_get_retried(sim, sleeps):
    sim.set_faults({"rules": [{"fault": "error", "method": "GET", "path": LIST, "status": 503, "count": 2}]})
    make_api(sim).list_clusters()
    assert [r["status"] for r in logged(sim, "GET", LIST)] == [503, 503, 200]
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] / 2


def test_503_on_post_not_retried(sim, sleeps):
    cluster_id = sim.cluster("prod-a")["id"]
    sim.set_faults({"rules": [{"fault": "error", "method": "POST", "path": WORKFLOWS, "status": 503}]})
    with pytest.raises(CceApiError) as info:
        make_api(sim).create_workflow(cluster_id, "v1.30")
    assert len(logged(sim, "POST", WORKFLOWS)) == 1
    assert (info.value.kind, info.value.status, info.value.outcome_unknown) == ("transient", 503, False)
    assert sleeps == []


def test_reset_before_retried_on_get(sim, sleeps):
    sim.set_faults({"rules": [{"fault": "reset_before", "method": "GET", "path": LIST, "count": 1}]})
    make_api(sim).list_clusters()
    assert [r["status"] for r in logged(sim, "GET", LIST)] == [None, 200]


def test_reset_after_on_post_is_outcome_unknown(sim, sleeps):
    cluster_id = sim.cluster("prod-c")["id"]
    sim.set_faults({"rules": [{"fault": "reset_after", "method": "POST", "path": WORKFLOWS}]})
    with pytest.raises(CceApiError) as info:
        make_api(sim).create_workflow(cluster_id, "v1.30")
    assert len(logged(sim, "POST", WORKFLOWS)) == 1
    err = info.value
    assert err.kind == "connection" and err.outcome_unknown is True
    assert "outcome is unknown" in err.message
    sim.set_faults({"rules": []})
    workflows = make_api(sim).list_workflows(cluster_id)
    assert len(workflows["items"]) == 1  # the server did apply it: the caller must re-read


def test_delay_beyond_api_timeout(sim, sleeps):
    sim.set_faults({"rules": [{"fault": "delay", "method": "GET", "path": LIST, "seconds": 2.5}]})
    with pytest.raises(CceApiError) as info:
        make_api(sim, api_timeout=1, api_retries=1).list_clusters()
    assert info.value.kind == "timeout" and info.value.outcome_unknown is False
    assert "api_timeout=1" in info.value.message
    assert len(sleeps) == 1  # one read retry for a GET


def test_delay_beyond_api_timeout_on_post(sim, sleeps):
    cluster_id = sim.cluster("prod-a")["id"]
    sim.set_faults({"rules": [{"fault": "delay", "method": "POST", "path": WORKFLOWS, "seconds": 2}]})
    with pytest.raises(CceApiError) as info:
        make_api(sim, api_timeout=1).create_workflow(cluster_id, "v1.30")
    assert info.value.kind == "timeout" and info.value.outcome_unknown is True
    assert len(logged(sim, "POST", WORKFLOWS)) <= 1 and sleeps == []


def test_malformed_json(sim, sleeps):
    sim.set_faults({"rules": [{"fault": "malformed", "method": "GET", "path": LIST, "count": 1}]})
    assert "items" in make_api(sim).list_clusters()  # read again within the retry budget
    assert len(logged(sim, "GET", LIST)) == 2
    sim.set_faults({"rules": [{"fault": "malformed", "method": "GET", "path": LIST}]})
    with pytest.raises(CceApiError) as info:
        make_api(sim, api_retries=1).list_clusters()
    assert (info.value.kind, info.value.status) == ("transient", 200)
    assert "malformed JSON" in info.value.message and "after 1 retries" in info.value.message
    assert len(logged(sim, "GET", LIST)) == 4


def test_html_proxy_page_budget_exhausted(sim, sleeps):
    sim.set_faults({"rules": [{"fault": "html", "path": LIST, "status": 502}]})
    with pytest.raises(CceApiError) as info:
        make_api(sim, api_retries=2).list_clusters()
    assert len(logged(sim, "GET", LIST)) == 3
    err = info.value
    assert err.kind == "transient" and err.status == 502 and err.error_code is None
    assert "non-JSON reply: 502 Bad Gateway 502 Bad Gateway nginx" in err.message
    assert "<" not in err.message and "after 2 retries" in err.message and err.request_id


def test_not_found_maps_cce_error(sim, sleeps):
    with pytest.raises(CceApiError) as info:
        make_api(sim).get_cluster("00000000-0000-0000-0000-000000000000")
    err = info.value
    assert (err.kind, err.status, err.error_code) == ("not_found", 404, "CCE.01404001")
    assert err.request_id


@pytest.fixture(scope="module")
def tls_simulator(tmp_path_factory):
    import importlib.util
    import subprocess
    from pathlib import Path

    # tests/conftest.py (the shared harness); loaded by path because every conftest is named "conftest"
    spec = importlib.util.spec_from_file_location("cce_test_harness", Path(__file__).parents[3] / "conftest.py")
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = harness.start_simulator(["--tls-cert", str(cert), "--tls-key", str(key)])
    server.ca = str(cert)
    yield server
    harness.stop_simulator(server)


def test_tls_untrusted_certificate_is_tls_error(tls_simulator, simulator, sleeps):
    with pytest.raises(CceApiError) as info:
        make_api(tls_simulator, creds=simulator.credentials).list_upgrade_paths()
    assert info.value.kind == "tls"
    assert "ca_path" in info.value.hint and "validate_certs=false" in info.value.hint
    assert sleeps == []  # never retried


def test_tls_with_ca_path_and_without_validation(tls_simulator, simulator, sleeps):
    creds = simulator.credentials  # same default scenario in both processes
    assert "upgradePaths" in make_api(tls_simulator, creds=creds, ca_path=tls_simulator.ca).list_upgrade_paths()
    assert "upgradePaths" in make_api(tls_simulator, creds=creds, validate_certs=False).list_upgrade_paths()
