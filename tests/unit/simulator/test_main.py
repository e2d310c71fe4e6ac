"""The command line: --time-scale, --scenario, --faults, TLS; capacity with 200 clusters."""

import http.client
import json
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from cce_simulator.scenario import DEFAULT_SCENARIO, ScenarioError, load_scenario, normalize

PACKAGE = Path(__file__).resolve().parents[2] / "simulator" / "cce_simulator"


def _signed_client(sim):
    from huaweicloudsdkcce.v3 import CceClient  # pylint: disable=import-outside-toplevel
    from huaweicloudsdkcore.auth.credentials import BasicCredentials  # pylint: disable=import-outside-toplevel
    creds = sim.credentials
    return CceClient.new_builder().with_credentials(BasicCredentials(creds["access_key"], creds["secret_key"], creds["project_id"])) \
        .with_endpoint(sim.url).build()


def test_shipped_default_scenario_matches_builtin():
    shipped = json.loads((PACKAGE / "scenarios" / "default.json").read_text())
    assert shipped == DEFAULT_SCENARIO
    assert load_scenario(str(PACKAGE / "scenarios" / "default.json")) == load_scenario()


def test_scenario_validation():
    with pytest.raises(ScenarioError):
        normalize({"clusters": [{"name": "x1", "flavor": "gke"}]})
    with pytest.raises(ScenarioError):
        normalize({"clusters": [{"name": "dup"}, {"name": "dup"}]})
    with pytest.raises(ScenarioError):
        normalize({"clusters": [{"name": "bad-risk", "precheck_risk": "maybe"}]})


def test_time_scale_is_honoured(simulator_factory):
    sim = simulator_factory(time_scale=0.0005)  # 600 s upgrade -> 0.3 s, 60 s pre-check -> 0.03 s
    from huaweicloudsdkcce.v3 import ShowClusterRequest  # pylint: disable=import-outside-toplevel
    cid = sim.cluster("prod-b")["id"]
    from huaweicloudsdkcce.v3 import (  # pylint: disable=import-outside-toplevel
        ClusterUpgradeAction, InPlaceRollingUpdate, UpgradeClusterRequest, UpgradeClusterRequestBody,
        UpgradeClusterRequestMetadata, UpgradeSpec, UpgradeStrategy)
    client = _signed_client(sim)
    strategy = UpgradeStrategy(type="inPlaceRollingUpdate", in_place_rolling_update=InPlaceRollingUpdate(user_defined_step=3))
    body = UpgradeClusterRequestBody(metadata=UpgradeClusterRequestMetadata(api_version="v3", kind="UpgradeTask"), spec=UpgradeSpec(
        cluster_upgrade_action=ClusterUpgradeAction(target_version="v1.30", strategy=strategy, is_only_upgrade=True)))
    started = time.monotonic()
    client.upgrade_cluster(UpgradeClusterRequest(cluster_id=cid, body=body))
    assert client.show_cluster(ShowClusterRequest(cluster_id=cid)).status.phase == "Upgrading"
    while client.show_cluster(ShowClusterRequest(cluster_id=cid)).spec.version != "v1.30":
        assert time.monotonic() - started < 5
        time.sleep(0.02)
    elapsed = time.monotonic() - started
    assert 0.25 <= elapsed < 5


def _requests_per_second(sim, path, signer, connections=4, window=1.0):
    creds = sim.credentials
    host = sim.url.split("//", 1)[1]
    counts = []

    def worker():
        conn = http.client.HTTPConnection(host, timeout=10)
        done = 0
        deadline = time.monotonic() + window
        while time.monotonic() < deadline:
            headers = signer("GET", sim.url + path, {"Content-Type": "application/json"}, b"", creds["access_key"], creds["secret_key"])
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200
            done += 1
        conn.close()
        counts.append(done)

    threads = [threading.Thread(target=worker) for _unused in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / window


def test_scenario_and_faults_flags_with_capacity(tmp_path, simulator_factory, signer):
    scenario = {"region": "eu-west-101", "project_id": "aaaabbbbccccddddeeeeffff00001111",
                "clusters": [{"name": "solo", "flavor": "cce", "version": "v1.30", "precheck_risk": "warning"}],
                "cluster_sets": [{"prefix": "fleet-", "count": 199, "flavor": "autopilot", "version": "v1.28"}]}
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario))
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps({"rules": [{"fault": "error", "status": 503, "path": "/clusterupgradepaths", "count": 1}]}))
    sim = simulator_factory(["--scenario", str(path), "--faults", "@" + str(faults)])
    assert sim.credentials["region"] == "eu-west-101"
    clusters = sim.clusters()
    assert len(clusters) == 200
    from huaweicloudsdkcce.v3 import ListAutopilotClustersRequest  # pylint: disable=import-outside-toplevel
    client = _signed_client(sim)
    assert len(client.list_autopilot_clusters(ListAutopilotClustersRequest()).items) == 199
    assert sim.faults()["rules"][0]["remaining"] == 1
    cid = sim.cluster("solo")["id"]
    # capacity: signed keep-alive requests from 4 connections; best of three one-second windows
    path = "/api/v3/projects/%s/clusters/%s" % (sim.credentials["project_id"], cid)
    rates = [_requests_per_second(sim, path, signer) for _unused in range(3)]
    assert max(rates) >= 300, rates


def test_tls(tmp_path, simulator_factory):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    sim = simulator_factory(["--tls-cert", str(cert), "--tls-key", str(key)])
    assert sim.url.startswith("https://127.0.0.1:")
    resp = requests.get(sim.url + "/_simulator/health", verify=str(cert), timeout=10)
    assert resp.status_code == 200 and resp.json()["status"] == "ok"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(sim.url + "/_simulator/health", timeout=10)
    creds = requests.get(sim.url + "/_simulator/credentials", verify=str(cert), timeout=10).json()
    url = "%s/api/v3/projects/%s/clusters" % (sim.url, creds["project_id"])
    assert requests.get(url, verify=str(cert), timeout=10).json()["error_code"] == "APIGW.0301"
