"""Control API, request log and fault injection."""

import time

import pytest
import requests


def test_control_endpoints(sim):
    health = sim.control("GET", "health")
    assert health["status"] == "ok"
    assert health["time_scale"] == sim.control("GET", "clock")["time_scale"] > 0
    creds = sim.credentials
    assert set(creds) >= {"access_key", "secret_key", "project_id", "region", "username", "password", "domain_name",
                          "temporary_access_key", "temporary_secret_key", "security_token"}
    clusters = {c["name"]: c for c in sim.clusters()}
    current = ("v1.29.4-r0", "cce.4.0", "Available")
    assert {n: (c["flavor"], c["version"], c["platform_version"], c["status"]) for n, c in clusters.items()} == {
        "prod-a": ("cce",) + current, "prod-b": ("cce",) + current, "prod-c": ("cce",) + current,
        "legacy-a": ("cce", "v1.25.16-r10", "cce.13.0", "Available"), "risky-a": ("cce",) + current,
        "flaky-a": ("cce",) + current, "stale-a": ("cce", "v1.29.2-r0", "cce.2.0", "Available"),
        "ancient-a": ("cce", "v1.23.8-r0", "cce.9.0", "Available"),
        "ap-a": ("autopilot",) + current, "ap-b": ("autopilot",) + current,
        "ap-c": ("autopilot",) + current, "ap-risky": ("autopilot",) + current,
    }
    from cce_simulator import cluster_id_for  # pylint: disable=import-outside-toplevel
    assert clusters["prod-a"]["id"] == cluster_id_for("prod-a")


def test_request_log(sim, api):
    cid = sim.cluster("prod-a")["id"]
    api.get(api.cluster_path(cid) + "?detail=true")
    api.get(api.prefix() + "/clusters/unknown-id")
    sim.control("GET", "health")
    log = sim.control("GET", "requests")
    assert [(e["method"], e["status"]) for e in log] == [("GET", 200), ("GET", 404)]
    first = log[0]
    assert set(first) >= {"method", "path", "query", "status", "cluster_id", "time", "fault"}
    assert (first["cluster_id"], first["query"], first["fault"]) == (cid, "detail=true", None)
    assert first["path"] == api.cluster_path(cid)
    assert abs(first["time"] - time.time()) < 60
    assert first["body"] is None
    sim.reset()
    assert sim.control("GET", "requests") == []


def test_request_log_keeps_the_json_body_of_api_requests_but_not_of_iam(sim, api):
    cid = sim.cluster("prod-a")["id"]
    body = {"metadata": {"apiVersion": "v3", "kind": "UpgradeTask"},
            "spec": {"clusterUpgradeAction": {"targetVersion": "v1.30", "addons": [{"addonTemplateName": "coredns"}],
                                              "strategy": {"type": "inPlaceRollingUpdate",
                                                           "inPlaceRollingUpdate": {"userDefinedStep": 20}}}}}
    api.post(api.cluster_path(cid) + "/operation/upgrade", body)
    requests.post(sim.url + "/v3/auth/tokens", json={"auth": {"identity": {"password": {"user": {"password": "x"}}}}},
                  timeout=10)
    log = sim.control("GET", "requests")
    assert log[0]["body"] == body
    assert log[1]["path"] == "/v3/auth/tokens" and log[1]["body"] is None


def test_add_cluster_and_reset(sim, api):
    added = sim.add_cluster(name="extra-a", flavor="autopilot", version="v1.30", fail_upgrade_once_at=50)
    assert added["flavor"] == "autopilot" and added["version"] == "v1.30.14-r10"  # a minor names its latest patch
    shown = api.get(api.cluster_path(added["id"], "autopilot")).json()
    assert shown["metadata"]["name"] == "extra-a" and shown["spec"]["version"] == "v1.30"
    assert shown["spec"]["platformVersion"] == added["platform_version"] == "cce.6.0"
    with pytest.raises(Exception):
        sim.add_cluster(name="extra-b", flavor="cce", version="v1.29.3-r0")  # not a release of the scenario
    with pytest.raises(Exception):
        sim.add_cluster(name="extra-a", flavor="cce", version="v1.29")
    with pytest.raises(Exception):
        sim.add_cluster(name="Bad Name", flavor="cce", version="v1.29")
    sim.reset()
    assert "extra-a" not in {c["name"] for c in sim.clusters()}


def test_reset_restores_versions(sim, api):
    cid = sim.cluster("prod-a")["id"]
    api.post(api.cluster_path(cid) + "/operation/upgrade", {"metadata": {"apiVersion": "v3", "kind": "UpgradeTask"}, "spec": {
        "clusterUpgradeAction": {"targetVersion": "v1.30", "isOnlyUpgrade": True,
                                 "strategy": {"type": "inPlaceRollingUpdate", "inPlaceRollingUpdate": {"userDefinedStep": 5}}}}})
    sim.advance(700)
    assert sim.cluster("prod-a")["version"] == "v1.30.14-r10"
    sim.reset()
    assert sim.cluster("prod-a")["version"] == "v1.29.4-r0"


def _clusters_url(api):
    return api.prefix() + "/clusters"


def test_throttle_fault(sim, api):
    sim.set_faults({"rules": [{"fault": "throttle", "method": "GET", "path": "/clusters$", "count": 2}]})
    first = api.get(_clusters_url(api))
    assert first.status_code == 429
    assert first.json()["error_code"] == "APIGW.0308"
    assert first.headers["Retry-After"] == "1"
    assert api.get(_clusters_url(api)).status_code == 429
    assert api.get(_clusters_url(api)).status_code == 200
    rules = sim.faults()["rules"]
    assert rules[0]["remaining"] == 0
    assert [e["fault"] for e in sim.control("GET", "requests")] == ["throttle", "throttle", None]


def test_throttle_fractional_retry_after_and_skip(sim, api):
    sim.set_faults({"rules": [{"fault": "throttle", "retry_after": "0.5", "skip": 1, "count": 1}]})
    assert api.get(_clusters_url(api)).status_code == 200
    resp = api.get(_clusters_url(api))
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "0.5"
    assert api.get(_clusters_url(api)).status_code == 200


@pytest.mark.parametrize("status,code,shape", [(500, "CCE.01500001", "cce"), (503, "APIGW.0613", "gateway"), (502, "APIGW.0201", "gateway")])
def test_error_fault(sim, api, status, code, shape):
    sim.set_faults({"rules": [{"fault": "error", "status": status, "count": 1}]})
    resp = api.get(_clusters_url(api))
    assert resp.status_code == status
    body = resp.json()
    if shape == "cce":
        assert body["errorCode"] == code and body["code"] == status
    else:
        assert body["error_code"] == code and body["request_id"] == resp.headers["X-Request-Id"]


def test_reset_before_does_not_process(sim, api):
    cid = sim.cluster("prod-a")["id"]
    sim.set_faults({"rules": [{"fault": "reset_before", "method": "POST", "count": 1}]})
    with pytest.raises(requests.ConnectionError):
        api.post(api.cluster_path(cid) + "/operation/upgradeworkflows", {"kind": "WorkFlowTask", "apiVersion": "v3", "spec": {"targetVersion": "v1.30"}})
    assert api.get(api.cluster_path(cid) + "/operation/upgradeworkflows").json()["items"] == []


def test_reset_after_processes(sim, api):
    cid = sim.cluster("prod-a")["id"]
    sim.set_faults({"rules": [{"fault": "reset_after", "method": "POST", "count": 1}]})
    with pytest.raises(requests.ConnectionError):
        api.post(api.cluster_path(cid) + "/operation/upgradeworkflows", {"kind": "WorkFlowTask", "apiVersion": "v3", "spec": {"targetVersion": "v1.30"}})
    items = api.get(api.cluster_path(cid) + "/operation/upgradeworkflows").json()["items"]
    assert len(items) == 1 and items[0]["status"]["phase"] == "Init"


def test_delay_fault(sim, api):
    sim.set_faults({"rules": [{"fault": "delay", "seconds": 0.4, "count": 1}]})
    started = time.monotonic()
    assert api.get(_clusters_url(api)).status_code == 200
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    api.get(_clusters_url(api))
    assert time.monotonic() - started < 0.4


def test_malformed_fault(sim, api):
    sim.set_faults({"rules": [{"fault": "malformed", "count": 1}]})
    resp = api.get(_clusters_url(api))
    assert resp.status_code == 200
    with pytest.raises(ValueError):
        resp.json()


def test_html_fault(sim, api):
    sim.set_faults({"rules": [{"fault": "html", "path": "^/v3/auth/tokens$"}]})
    resp = requests.post(sim.url + "/v3/auth/tokens", json={}, timeout=10)
    assert resp.status_code == 502
    assert resp.headers["Content-Type"].startswith("text/html") and "<html>" in resp.text
    assert api.get(_clusters_url(api)).status_code == 200  # path did not match


def test_probability_is_seeded(sim, api):
    outcomes = []
    for _unused in range(2):
        sim.set_faults({"seed": 7, "rules": [{"fault": "error", "probability": 0.5}]})
        outcomes.append([api.get(_clusters_url(api)).status_code for _unused in range(12)])
    assert outcomes[0] == outcomes[1]
    assert set(outcomes[0]) == {200, 500}


def test_faults_never_touch_control_api(sim):
    sim.set_faults({"rules": [{"fault": "error"}]})
    assert sim.control("GET", "health")["status"] == "ok"
    assert sim.faults()["rules"][0]["fault"] == "error"


def test_invalid_fault_spec(sim):
    with pytest.raises(Exception):
        sim.set_faults({"rules": [{"fault": "explode"}]})


def test_clock_control(sim):
    before = sim.control("GET", "clock")["sim_time"]
    after = sim.advance(3600)["sim_time"]
    assert after - before >= 3600


def test_date_header_is_on_the_simulated_clock(sim, api):
    """Clients read the server's time from the HTTP Date header: it follows the simulated clock."""
    import email.utils  # pylint: disable=import-outside-toplevel

    def date_of(response):
        return email.utils.parsedate_to_datetime(response.headers["Date"]).timestamp()

    cid = sim.cluster("prod-a")["id"]
    sim.advance(3700)
    before = sim.control("GET", "clock")["sim_time"]
    response = api.get(api.cluster_path(cid))
    after = sim.control("GET", "clock")["sim_time"]
    assert response.status_code == 200
    assert date_of(response) >= time.time() + 3600  # far ahead of this machine's clock
    assert before - 1 <= date_of(response) <= after  # whole seconds, never ahead of the simulated clock
    missing = api.get(api.prefix() + "/clusters/unknown-id")
    assert missing.status_code == 404 and date_of(missing) >= time.time() + 3600


def test_request_delayed_across_a_reset_leaves_the_new_state_alone(sim, api):
    """A delayed request still in flight when the simulator is reset is dropped, not logged."""
    import threading as _threading
    import time as _time

    sim.set_faults({"rules": [{"fault": "delay", "seconds": 1, "method": "POST", "path": "/upgradeworkflows$"}]})
    cid = sim.cluster("prod-a")["id"]
    worker = _threading.Thread(target=lambda: _swallow(api.post, api.cluster_path(cid) + "/operation/upgradeworkflows",
                                                       {"kind": "WorkFlowTask", "apiVersion": "v3", "spec": {"targetVersion": "v1.30"}}))
    worker.start()
    _time.sleep(0.3)
    sim.reset()
    worker.join(10)
    assert sim.requests() == []
    assert api.get(api.cluster_path(cid) + "/operation/upgradeworkflows").json()["items"] == []


def _swallow(call, *args):
    """Call, ignoring the dropped connection (requests' errors are OSErrors)."""
    try:
        call(*args)
    except OSError:
        pass
