"""Role hwcloud.cce.cluster_upgrade, issue 13 points 1 and 3, through playbooks/upgrade.yml against the simulator:
lifecycle hooks (cce_upgrade_hooks) posting to a local HTTP receiver with the shipped notify_webhook hook, and
add-ons and node order (cce_upgrade_addons, cce_upgrade_node_pool_order, cce_upgrade_node_order) reaching each
hop's upgrade request (the simulator's request log keeps the bodies).

stale-a is on v1.29.2-r0, not the latest patch of v1.29: to v1.30 it takes two hops (v1.29.4-r0, then v1.30).
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from test_cluster_upgrade import PLAYBOOK, output, upgrade_posts

TOKEN = "hook-token-5f1c9e0d7a"
ALL_POINTS = ("before_hop", "after_hop", "on_failure", "after_run")


class Receiver:
    """A webhook receiver on 127.0.0.1: keeps every POST (path, headers, JSON body); answers ``status``."""

    def __init__(self):
        self.messages = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.messages.append({"path": self.path, "headers": dict(self.headers),
                                          "body": json.loads(body.decode("utf-8"))})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hooks/cce" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self):
        return [m["body"]["event"] for m in self.messages]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    started = Receiver()
    yield started
    started.close()


def hook_vars(cluster_id, target, receiver, hooks, **extra):
    data = {"cce_upgrade_cluster_id": cluster_id, "cce_upgrade_target_version": target, "cce_upgrade_poll_interval": 1,
            "cce_upgrade_progress_interval": 600, "cce_upgrade_snapshot": False, "cce_upgrade_hooks": hooks,
            "cce_notify_webhook_url": receiver.url, "cce_notify_webhook_token": TOKEN}
    data.update(extra)
    return data


def run(ansible, variables, tmp_path):
    report = tmp_path / "report.json"
    proc = ansible.run_playbook(PLAYBOOK, dict(variables, cce_upgrade_report_path=str(report)),
                                env={"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    text = output(proc)
    return proc, text, json.loads(report.read_text()) if report.exists() else None


def test_hooks_in_order_across_two_hops_and_addons_and_node_order_reach_each_upgrade_request(ansible, sim, receiver, tmp_path):
    cid = sim.cluster("stale-a")["id"]
    addons = {"v1.29": [{"name": "coredns", "version": "1.29.5"}],
              "v1.30": [{"name": "coredns", "version": "1.30.3", "values": {"basic": {"swr_addr": "swr.example"}}},
                        {"name": "everest", "version": "2.4.1"}]}
    node_pool_order = {"DefaultPool": 2, "pool-gpu": 1}
    node_order = {"DefaultPool": [{"node_selector": {"key": "name", "operator": "=", "value": ["node-1"]}, "priority": 3}]}
    proc, text, result = run(ansible, hook_vars(
        cid, "v1.30", receiver, dict((point, "notify_webhook") for point in ALL_POINTS), cce_upgrade_addons=addons,
        cce_upgrade_node_pool_order=node_pool_order, cce_upgrade_node_order=node_order), tmp_path)
    assert proc.returncode == 0, text[-4000:]
    assert sim.cluster("stale-a")["version"] == "v1.30.14-r10"

    # the messages, in order: before_hop and after_hop per hop, then after_run (no on_failure)
    assert receiver.events() == ["before_hop", "after_hop", "before_hop", "after_hop", "after_run"], receiver.events()
    bodies = [m["body"] for m in receiver.messages]
    assert [(b["index"], b["total"], b["from"], b["to"]) for b in bodies[:4]] == [
        (1, 2, "v1.29.2-r0", "v1.29.4-r0"), (1, 2, "v1.29.2-r0", "v1.29.4-r0"),
        (2, 2, "v1.29.4-r0", "v1.30.14-r10"), (2, 2, "v1.29.4-r0", "v1.30.14-r10")]
    assert [b["outcome"] for b in bodies] == ["starting", "upgraded", "starting", "upgraded", "upgraded"]
    assert all(b["cluster"] == {"id": cid, "name": "stale-a", "flavor": "cce"} for b in bodies)
    hops = result["hops"]
    for body, hop in ((bodies[1], hops[0]), (bodies[3], hops[1])):
        assert body["ids"] == {key: hop[key] for key in ("workflow_id", "precheck_task_id", "snapshot_task_id", "task_id")}
        assert body["ids"]["task_id"] and body["step"] == "verify"
    assert bodies[2]["ids"]["task_id"] is None   # hop 2 has not started when before_hop runs
    last = bodies[4]
    assert last["run"]["outcome"] == "upgraded" and last["ids"]["task_id"] == hops[1]["task_id"]
    assert "Cluster stale-a upgraded from v1.29.2-r0 to v1.30.14-r10 in 2 hops" in last["run"]["message"]
    assert [h["outcome"] for h in last["run"]["hops"]] == ["upgraded", "upgraded"]
    assert bodies[0]["text"] == "stale-a: starting hop 1 of 2 (v1.29.2-r0 -> v1.29.4-r0)"
    # the token is sent, and printed nowhere
    assert all(m["headers"].get("Authorization") == "Bearer " + TOKEN for m in receiver.messages)
    assert TOKEN not in text and receiver.url not in text

    # each hop's upgrade request carries its own add-ons, and the node order
    actions = [post["body"]["spec"]["clusterUpgradeAction"] for post in upgrade_posts(sim, cid)]
    assert [a["targetVersion"] for a in actions] == ["v1.29.4-r0", "v1.30.14-r10"]
    assert actions[0]["addons"] == [{"addonTemplateName": "coredns", "operation": "patch", "version": "1.29.5"}]
    assert actions[1]["addons"] == [
        {"addonTemplateName": "coredns", "operation": "patch", "version": "1.30.3", "values": {"basic": {"swr_addr": "swr.example"}}},
        {"addonTemplateName": "everest", "operation": "patch", "version": "2.4.1"}]
    for action in actions:
        assert action["nodePoolOrder"] == node_pool_order
        assert action["nodeOrder"] == {"DefaultPool": [
            {"nodeSelector": {"key": "name", "operator": "=", "value": ["node-1"]}, "priority": 3}]}


def test_failing_cluster_gets_on_failure_and_a_failed_after_run_hook_does_not_hide_the_failure(ansible, sim, receiver, tmp_path):
    # after_run: a task file of the user's that posts with the shipped hook, then fails
    own_hook = tmp_path / "post_then_fail.yml"
    own_hook.write_text(
        "- name: Post with the shipped hook\n"
        "  ansible.builtin.include_tasks: \"{{ role_path }}/tasks/hooks/notify_webhook.yml\"\n"
        "- name: A check of the user's that fails\n"
        "  ansible.builtin.fail:\n"
        "    msg: the inventory could not be updated\n")
    cid = sim.cluster("risky-a")["id"]
    proc, text, result = run(ansible, hook_vars(cid, "v1.30", receiver, {
        "before_hop": "notify_webhook", "after_hop": "notify_webhook", "on_failure": "notify_webhook",
        "after_run": str(own_hook)}), tmp_path)
    assert proc.returncode != 0
    assert receiver.events() == ["before_hop", "on_failure", "after_run"], receiver.events()
    failure = receiver.messages[1]["body"]
    assert failure["outcome"] == "failed" and failure["step"] == "precheck"
    assert "Upgrade of risky-a to v1.30 failed in step precheck" in failure["run"]["message"]
    assert failure["ids"]["precheck_task_id"] == result["precheck_task_id"] and failure["ids"]["precheck_task_id"]
    assert (failure["index"], failure["total"], failure["to"]) == (1, 1, "v1.30.14-r10")
    assert receiver.messages[2]["body"]["run"]["outcome"] == "failed"
    # the run's own failure stays the outcome and comes first; the hook's failure is added after it
    assert result["outcome"] == "failed" and result["failed_step"] == "precheck"
    final = " ".join(text[text.index("TASK [hwcloud.cce.cluster_upgrade : Fail with the reason]"):].split())
    assert "Upgrade of risky-a to v1.30 failed in step precheck" in final
    assert ("Also, the after_run hook (%s) failed in task A check of the user's that fails: the inventory could not be "
            "updated" % own_hook) in final, final[-3000:]
    assert final.index("failed in step precheck") < final.index("Also, the after_run hook")
    assert TOKEN not in text and upgrade_posts(sim, cid) == []


def test_a_failing_after_hop_hook_stops_after_the_hop_and_the_hop_stays_upgraded(ansible, sim, receiver, tmp_path):
    receiver.status = 500
    cid = sim.cluster("stale-a")["id"]
    proc, text, result = run(ansible, hook_vars(cid, "v1.30", receiver, {"after_hop": "notify_webhook"}), tmp_path)
    assert proc.returncode != 0
    assert receiver.events() == ["after_hop"]
    assert sim.cluster("stale-a")["version"] == "v1.29.4-r0"
    assert len(upgrade_posts(sim, cid)) == 1           # hop 2 did not start
    message = result["message"]
    assert message.startswith("Upgrade of stale-a to v1.30 stopped: the after_hop hook (")
    assert "notify_webhook.yml) failed after hop 1 of 2 (v1.29.2-r0 -> v1.29.4-r0)" in message
    assert "The webhook (cce_notify_webhook_url) did not take the after_hop event: status 500" in message
    assert "The hop itself finished: the cluster is at v1.29.4-r0; the next run continues with hop 2." in message
    assert result["outcome"] == "failed" and result["failed_step"] == "after_hop hook"
    assert [(h["to"], h["outcome"]) for h in result["hops"]] == [("v1.29.4-r0", "upgraded"), ("v1.30.14-r10", "not_started")]
    assert TOKEN not in text and receiver.url not in text


def test_bad_hooks_addons_and_node_order_fail_before_any_request_naming_each_variable(ansible, sim, tmp_path):
    proc = ansible.run_playbook(PLAYBOOK, {
        "cce_upgrade_cluster_id": sim.cluster("prod-a")["id"], "cce_upgrade_target_version": "v1.30",
        "cce_upgrade_hooks": {"before_hop": str(tmp_path / "missing.yml"), "on_success": "notify_webhook",
                              "after_run": "notify_slack"},
        "cce_upgrade_addons": {"current": [{"name": "coredns", "version": "1.29.5"}], "v1.30": [{"name": "coredns"}]},
        "cce_upgrade_node_pool_order": {"DefaultPool": -1},
        "cce_upgrade_node_order": {"DefaultPool": [{"node_selector": {"key": "zone", "operator": "like"}}]}})
    text = " ".join(output(proc).split())
    assert proc.returncode != 0
    for expected in (
            "cce_upgrade_hooks.before_hop: no task file at %s" % (tmp_path / "missing.yml"),
            "cce_upgrade_hooks.on_success is not a hook point; the points are before_hop, after_hop, on_failure, after_run.",
            'cce_upgrade_hooks.after_run: "notify_slack" is not a hook shipped with the role (shipped: notify_webhook)',
            'cce_upgrade_addons[current]: a key of cce_upgrade_addons must be a target version',
            "cce_upgrade_addons[v1.30][0] needs name and version",
            "cce_upgrade_node_pool_order[DefaultPool] must be a non-negative integer, got -1",
            "cce_upgrade_node_order[DefaultPool]: node_selector.operator must be one of"):
        assert expected in text, (expected, text[-6000:])
    assert sim.requests() == []
