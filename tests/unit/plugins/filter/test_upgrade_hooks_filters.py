"""Unit tests for the lifecycle hooks and per-hop options of the cluster_upgrade role (plugins/filter/upgrade_hooks.py)."""

import os
from pathlib import Path

import pytest

from ansible_collections.hwcloud.cce.plugins.filter.input_errors import input_errors
from ansible_collections.hwcloud.cce.plugins.filter.upgrade_hooks import (
    FilterModule,
    hook_errors,
    hook_event,
    hook_failure,
    hook_files,
    hook_payload,
    hop_addons,
    option_errors,
)

ROLE_PATH = str(Path(__file__).resolve().parents[4] / "roles" / "cluster_upgrade")
ROUTE = {"count": 2, "hops": [
    {"index": 1, "from": "v1.29.2-r0", "to": "v1.29.4-r0", "kind": "patch", "state": "planned", "step": None},
    {"index": 2, "from": "v1.29.4-r0", "to": "v1.30.14-r10", "kind": "minor", "state": "planned", "step": None}]}
IDS = {"workflow_id": "wf-1", "precheck_task_id": "pc-1", "snapshot_task_id": None, "task_id": "t-1"}
CLUSTER = {"cluster_id": "c-1", "cluster_name": "stale-a", "flavor": "cce", "target": "v1.30"}


def event(point, hop_index=1, **extra):
    args = dict(CLUSTER, hop=ROUTE["hops"][hop_index - 1] if hop_index else None, ids=IDS)
    args.update(extra)
    return hook_event(ROUTE, point, **args)


# --------------------------------------------------------------------------- hook files and their check

def test_no_hooks_is_fine():
    assert hook_errors(None) == [] and hook_errors({}) == []
    assert hook_files({}) == {} and hook_files(None) == {}


def test_hook_files_resolve_relative_shipped_and_absolute_paths(tmp_path):
    hooks = {"before_hop": "hooks/mine.yml", "after_hop": "notify_webhook", "on_failure": str(tmp_path / "x.yml"),
             "after_run": None}
    files = hook_files(hooks, playbook_dir=str(tmp_path), role_path=ROLE_PATH)
    assert files == {"before_hop": str(tmp_path / "hooks" / "mine.yml"),
                     "after_hop": os.path.join(ROLE_PATH, "tasks", "hooks", "notify_webhook.yml"),
                     "on_failure": str(tmp_path / "x.yml")}
    assert os.path.isfile(files["after_hop"])


def test_existing_files_and_null_points_pass(tmp_path):
    (tmp_path / "mine.yml").write_text("- ansible.builtin.meta: noop\n")
    hooks = {"before_hop": "mine.yml", "after_run": "notify_webhook", "on_failure": None}
    assert hook_errors(hooks, playbook_dir=str(tmp_path), role_path=ROLE_PATH) == []


def test_hook_errors_name_the_point_and_what_is_accepted(tmp_path):
    errors = hook_errors({"before_run": "x.yml", "after_hop": 3, "on_failure": "gone.yml", "after_run": "notify_pager"},
                         playbook_dir=str(tmp_path), role_path=ROLE_PATH)
    assert errors == [
        "cce_upgrade_hooks.after_hop must be the path of a task file (or the name of a hook shipped with the role: "
        "notify_webhook), got 3.",
        'cce_upgrade_hooks.after_run: "notify_pager" is not a hook shipped with the role (shipped: notify_webhook); give '
        "the path of a task file instead.",
        "cce_upgrade_hooks.before_run is not a hook point; the points are before_hop, after_hop, on_failure, after_run.",
        "cce_upgrade_hooks.on_failure: no task file at %s (a relative path is looked for in the playbook's directory, then in the current directory)."
        % (tmp_path / "gone.yml")]
    assert hook_errors(["notify_webhook"]) == [
        'cce_upgrade_hooks must be a dict of hook point (before_hop, after_hop, on_failure, after_run) to the path of a '
        'task file, got ["notify_webhook"].']


def test_input_errors_check_hooks_and_options_with_the_other_variables(tmp_path):
    values = {"cce_upgrade_cluster_id": "6b2e6b4c-5a0e-11ee-8d8e-0255ac100b04", "cce_upgrade_target_version": "v1.30",
              "cce_upgrade_hooks": {"after_hop": "missing.yml"}, "cce_upgrade_addons": "coredns",
              "cce_upgrade_node_pool_order": {"DefaultPool": "first"}, "cce_upgrade_node_order": {}}
    text = input_errors(values, playbook_dir=str(tmp_path), role_path=ROLE_PATH)
    assert "cce_upgrade_hooks.after_hop: no task file at %s" % (tmp_path / "missing.yml") in text
    assert "cce_upgrade_addons must be a list of add-ons ({name, version, values}) for every hop, or a mapping" in text
    assert "cce_upgrade_node_pool_order[DefaultPool] must be a non-negative integer, got 'first'." in text
    assert "cce_upgrade_node_order" not in text


# --------------------------------------------------------------------------- add-ons and node order

def test_option_errors_name_the_role_variables():
    assert option_errors([], {}, {}) == [] and option_errors(None, None, None) == []
    assert option_errors([{"name": "coredns", "version": "1.30.3", "values": {"basic": {}}}], {"DefaultPool": 1},
                         {"DefaultPool": [{"node_selector": {"key": "name", "operator": "=", "value": ["n1"]}, "priority": 2}]}) == []
    assert option_errors({"v1.29": [{"name": "coredns", "version": "1.29.5"}], "v1.30.14-r10": []}) == []
    assert option_errors([{"name": "coredns"}]) == [
        "cce_upgrade_addons[0] needs name and version (each add-on: name, version, and optionally values, a dict)."]
    assert option_errors([{"name": "coredns", "version": "1", "values": "x"}]) == [
        "cce_upgrade_addons[0].values must be a dict (each add-on: name, version, and optionally values, a dict)."]
    assert option_errors({"soon": [], "v1.30": {"name": "coredns"}}) == [
        'cce_upgrade_addons[soon]: a key of cce_upgrade_addons must be a target version (vX.Y, vX.Y.Z or vX.Y.Z-rN), got "soon".',
        'cce_upgrade_addons[v1.30] must be a list of add-ons ({name, version, values}), got {"name": "coredns"}.']
    assert option_errors(None, ["DefaultPool"], "first") == [
        "cce_upgrade_node_pool_order must be a dict of node pool id to a priority.",
        "cce_upgrade_node_order must be a dict of node pool id to a list of {node_selector, priority}."]
    assert option_errors(None, None, {"DefaultPool": [{"node_selector": {"key": "zone", "operator": "like"}}]}) == [
        "cce_upgrade_node_order[DefaultPool]: node_selector.operator must be one of in, notin, exists, !, gt, lt, =, got 'like'."]


def test_hop_addons_a_list_for_every_hop_or_the_most_precise_matching_key():
    coredns = [{"name": "coredns", "version": "1.30.3"}]
    assert hop_addons(coredns, "v1.29.4-r0") == coredns
    mapping = {"v1.29": [{"name": "coredns", "version": "1.29.5"}], "v1.30": coredns,
               "v1.30.14-r10": [{"name": "coredns", "version": "1.30.4"}]}
    assert hop_addons(mapping, "v1.29.4-r0") == mapping["v1.29"]
    assert hop_addons(mapping, "v1.30.14-r10") == mapping["v1.30.14-r10"]
    assert hop_addons(mapping, "v1.30.2-r0") == coredns
    assert hop_addons(mapping, "v1.31.10-r0") == []
    assert hop_addons({}, "v1.30.2-r0") == [] and hop_addons(None, "v1.30") == []


# --------------------------------------------------------------------------- the hook's facts

def test_before_hop_of_the_first_hop_carries_the_ids_the_guard_found():
    first = event("before_hop")
    assert first == {
        "event": "before_hop", "cluster": {"id": "c-1", "name": "stale-a", "flavor": "cce"}, "target_version": "v1.30",
        "index": 1, "total": 2, "from": "v1.29.2-r0", "to": "v1.29.4-r0", "kind": "patch", "step": "workflow",
        "outcome": "starting", "ids": IDS, "run": None,
        "message": "stale-a: starting hop 1 of 2 (v1.29.2-r0 -> v1.29.4-r0)"}
    second = event("before_hop", 2)
    assert second["ids"] == {"workflow_id": None, "precheck_task_id": None, "snapshot_task_id": None, "task_id": None}
    assert second["message"] == "stale-a: starting hop 2 of 2 (v1.29.4-r0 -> v1.30.14-r10)"


def test_before_hop_of_a_hop_under_way_starts_at_its_step():
    hop = dict(ROUTE["hops"][0], state="under_way", step="wait")
    assert hook_event(ROUTE, "before_hop", hop=hop)["step"] == "wait"


def test_after_hop_takes_outcome_and_ids_from_the_hop_record():
    records = [{"index": 1, "outcome": "upgraded", "workflow_id": "wf-1", "precheck_task_id": "pc-1", "snapshot_task_id": None,
                "task_id": "t-1"},
               {"index": 2, "outcome": "paused", "workflow_id": "wf-2", "precheck_task_id": "pc-2", "snapshot_task_id": "s-2",
                "task_id": "t-2"}]
    first = event("after_hop", 1, results=records, ids={"task_id": "t-2"})
    assert (first["outcome"], first["step"], first["ids"]["task_id"]) == ("upgraded", "verify", "t-1")
    assert first["message"] == "stale-a: hop 1 of 2 (v1.29.2-r0 -> v1.29.4-r0) upgraded"
    second = event("after_hop", 2, results=records)
    assert (second["outcome"], second["step"], second["ids"]["snapshot_task_id"]) == ("paused", "wait", "s-2")


def test_a_one_hop_route_reads_without_hop_numbers():
    route = {"count": 1, "hops": [ROUTE["hops"][1]]}
    assert hook_event(route, "before_hop", hop=route["hops"][0], cluster_name="prod-a")["message"] == (
        "prod-a: starting the upgrade v1.29.4-r0 -> v1.30.14-r10")
    assert hook_event(route, "after_hop", hop=route["hops"][0], cluster_name="prod-a",
                      results=[{"index": 1, "outcome": "upgraded"}])["message"] == "prod-a: upgrade v1.29.4-r0 -> v1.30.14-r10 upgraded"


def test_run_events_carry_the_run():
    run = {"outcome": "failed", "message": "Upgrade of stale-a to v1.30 failed in step precheck:\n  fatal risk", "failed_step": "precheck",
           "from_version": "v1.29.2-r0", "to_version": "v1.30", "final_version": "v1.30.14-r10", "task_id": None,
           "workflow_id": "wf-2", "precheck_task_id": "pc-2", "next_action": "Fix it.", "duration": 12.5,
           "hops": [{"index": 1, "from": "v1.29.2-r0", "to": "v1.29.4-r0", "kind": "patch", "outcome": "upgraded",
                     "durations": {"wait": 3}, "task_id": "t-1"}], "step_times": []}
    failure = event("on_failure", 2, run=run)
    assert (failure["outcome"], failure["step"], failure["index"]) == ("failed", "precheck", 2)
    assert failure["ids"] == {"workflow_id": "wf-2", "precheck_task_id": "pc-2", "snapshot_task_id": None, "task_id": None}
    assert failure["run"]["message"] == run["message"] and failure["run"]["next_action"] == "Fix it."
    assert failure["run"]["hops"] == [{"index": 1, "from": "v1.29.2-r0", "to": "v1.29.4-r0", "kind": "patch", "outcome": "upgraded",
                                       "failed_step": None, "workflow_id": None, "precheck_task_id": None,
                                       "snapshot_task_id": None, "task_id": "t-1"}]
    assert "step_times" not in failure["run"]
    assert failure["message"] == ("stale-a: the upgrade run failed (failed): Upgrade of stale-a to v1.30 failed in step precheck: "
                                  "fatal risk")
    nothing = event("after_run", None, run={"outcome": "already_upgraded", "message": "Cluster stale-a is already at v1.30."})
    assert (nothing["index"], nothing["from"], nothing["total"], nothing["step"]) == (None, None, 2, None)
    assert nothing["message"] == "stale-a: the upgrade run ended, outcome already_upgraded: Cluster stale-a is already at v1.30."
    with pytest.raises(ValueError, match="point must be one of"):
        hook_event(ROUTE, "before_run")


# --------------------------------------------------------------------------- a failed hook

def test_a_failed_before_hop_hook_fails_the_run_and_says_nothing_was_done():
    result = hook_failure({"msg": "ticket system down."}, event("before_hop", 2), "/h/open_ticket.yml", target="v1.30")
    assert result == {
        "outcome": "failed", "failed_step": "before_hop hook", "errors": [],
        "message": "Upgrade of stale-a to v1.30 stopped: the before_hop hook (/h/open_ticket.yml) failed before hop 2 of 2 "
                   "(v1.29.4-r0 -> v1.30.14-r10): ticket system down. The role did nothing in this hop; the cluster stays at "
                   "v1.29.4-r0 (an upgrade task CCE already runs goes on), and the next run continues from there."}


def test_a_failed_after_hop_hook_says_the_hop_finished_and_what_comes_next():
    records = [{"index": 1, "outcome": "upgraded"}, {"index": 2, "outcome": "upgraded"}]
    middle = hook_failure({"msg": "status 500"}, event("after_hop", 1, results=records), "/h/n.yml", target="v1.30")
    assert middle["outcome"] == "failed" and middle["failed_step"] == "after_hop hook"
    assert middle["message"].endswith("failed after hop 1 of 2 (v1.29.2-r0 -> v1.29.4-r0): status 500. The hop itself "
                                      "finished: the cluster is at v1.29.4-r0; the next run continues with hop 2.")
    last = hook_failure({"msg": "status 500"}, event("after_hop", 2, results=records), "/h/n.yml")
    assert last["message"].endswith("The upgrade itself finished: the cluster is at v1.30.14-r10.")
    paused = hook_failure({}, event("after_hop", 1, results=[{"index": 1, "outcome": "paused"}]), "/h/n.yml")
    assert "unknown error. The hop's upgrade task is paused; the next run inside a window resumes it." in paused["message"]


def test_a_failed_run_end_hook_keeps_the_runs_outcome_and_message():
    run = {"outcome": "failed", "message": "Upgrade failed in step precheck."}
    result = hook_failure({"msg": "boom"}, event("after_run", 1, run=run), "/h/end.yml", outcome="failed",
                          message="Upgrade failed in step precheck.", failed_step="precheck", task="Tell the CMDB")
    assert result == {"outcome": "failed", "message": "Upgrade failed in step precheck.", "failed_step": "precheck",
                      "errors": ["Also, the after_run hook (/h/end.yml) failed in task Tell the CMDB: boom"]}
    fine = hook_failure({"msg": "boom"}, event("on_failure", 1, run=run), "/h/end.yml", outcome="upgraded", message="ok")
    assert (fine["outcome"], fine["message"], fine["errors"]) == ("upgraded", "ok", ["Also, the on_failure hook (/h/end.yml) failed: boom"])


# --------------------------------------------------------------------------- webhook bodies

def test_webhook_bodies_for_json_slack_teams_and_awx():
    first = event("before_hop")
    assert hook_payload(first) == dict(first, text=first["message"])
    assert hook_payload(first, "slack") == {"text": "stale-a: starting hop 1 of 2 (v1.29.2-r0 -> v1.29.4-r0)"}
    assert hook_payload(first, "awx") == {"extra_vars": {"cce_upgrade_event": first}}
    teams = hook_payload(first, "teams")
    assert teams["type"] == "message"
    attachment = teams["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["body"][0]["text"] == first["message"]
    assert {"title": "Hop", "value": "1 of 2: v1.29.2-r0 -> v1.29.4-r0"} in card["body"][1]["facts"]
    assert {"title": "task_id", "value": "t-1"} in card["body"][1]["facts"]
    assert not any(fact["title"] == "snapshot_task_id" for fact in card["body"][1]["facts"])
    with pytest.raises(ValueError, match="cce_notify_webhook_format must be one of json, slack, teams, awx"):
        hook_payload(first, "pagerduty")


def test_filter_names():
    assert set(FilterModule().filters()) == {"cce_upgrade_hook_files", "cce_upgrade_hook_event", "cce_upgrade_hook_failure",
                                             "cce_upgrade_hook_payload", "cce_upgrade_hop_addons"}


def test_a_relative_hook_is_looked_for_in_the_playbook_directory_then_the_current_one(tmp_path, monkeypatch):
    playbooks, cwd = tmp_path / "playbooks", tmp_path / "project"
    (playbooks / "hooks").mkdir(parents=True)
    (cwd / "hooks").mkdir(parents=True)
    (cwd / "hooks" / "only_here.yml").write_text("- ansible.builtin.meta: noop\n")
    (cwd / "hooks" / "both.yml").write_text("- ansible.builtin.meta: noop\n")
    (playbooks / "hooks" / "both.yml").write_text("- ansible.builtin.meta: noop\n")
    monkeypatch.chdir(cwd)
    files = hook_files({"before_hop": "hooks/only_here.yml", "after_hop": "hooks/both.yml"}, playbook_dir=str(playbooks))
    assert files == {"before_hop": str(cwd / "hooks" / "only_here.yml"), "after_hop": str(playbooks / "hooks" / "both.yml")}
    assert hook_errors({"before_hop": "hooks/only_here.yml"}, playbook_dir=str(playbooks)) == []
