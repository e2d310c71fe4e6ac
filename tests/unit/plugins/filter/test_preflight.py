"""Unit tests for the cce_upgrade_preflight filter (plugins/filter/preflight.py): the pre-flight verdict from
the guard's plan and the pre-check result, on the pre-check module's result shapes."""

from ansible_collections.hwcloud.cce.plugins.filter.preflight import FilterModule, preflight

PLAN = {"cluster_name": "prod-a", "plan": "full", "action": "start", "refusal": None, "failed_task": None,
        "done_message": None}


def item(name, level, phase, message="hint"):
    return {"name": name, "level": level, "phase": phase, "message": message, "kind": "Risk", "group": "LimitCheck"}


def precheck(fatal=(), warning=(), info=(), fatal_count=0):
    return {"task_id": "p1", "phase": "Success" if not fatal_count else "Failed", "fatal_count": fatal_count,
            "check_items": {"fatal": list(fatal), "warning": list(warning), "info": list(info)}}


def test_passed_precheck_is_ready():
    result = preflight(PLAN, precheck(info=[item("master-node-check", "Info", "Success")]), target="v1.30")
    assert result["verdict"] == "ready" and result["risks"] == []
    assert "pre-check (task p1) passed" in result["message"]


def test_warning_items_are_risks_although_cce_marks_them_success():
    result = preflight(PLAN, precheck(warning=[item("configuration-risk-check", "Warning", "Success", "reset")]), target="v1.30")
    assert result["verdict"] == "risks"
    assert result["risks"] == [{"name": "configuration-risk-check", "level": "Warning", "what": "reset"}]


def test_fatal_items_block_and_are_named():
    fatal = item("deprecated-api-check", "Fatal", "Failed", "migrate")
    result = preflight(PLAN, dict(precheck(fatal=[fatal], fatal_count=1), fatal_items=[fatal]), target="v1.30")
    assert result["verdict"] == "blocked" and result["blocking"] == ["deprecated-api-check"]
    assert "1 fatal risk(s): deprecated-api-check" in result["message"]
    assert result["risks"][0]["level"] == "Fatal"


def test_passed_fatal_item_is_no_risk_and_skipped_items_are():
    result = preflight(PLAN, precheck(fatal=[item("deprecated-api-check", "Fatal", "Success")]), target="v1.30",
                       skipped=["node-status-check", {"name": "addon-check", "node_ids": ["n1"]}])
    assert result["verdict"] == "risks"
    assert [(r["name"], r["level"]) for r in result["risks"]] == [("node-status-check", "Skipped"), ("addon-check", "Skipped")]


def test_refusal_blocks_without_a_precheck():
    plan = dict(PLAN, refusal="Patch first: upgrade to v1.29.4-r0 first.")
    result = preflight(plan, None, target="v1.30")
    assert result == {"verdict": "blocked", "risks": [], "blocking": [plan["refusal"]], "message": plan["refusal"]}


def test_failed_task_blocks_and_says_how_to_retry():
    result = preflight(dict(PLAN, failed_task={"task_id": "t9"}), None, target="v1.30")
    assert result["verdict"] == "blocked" and "t9" in result["message"] and "cce_upgrade_retry_failed=true" in result["message"]


def test_done_or_under_way_is_ready_and_a_missing_precheck_blocks():
    assert preflight(dict(PLAN, plan="done", done_message="already at v1.30"), None)["verdict"] == "ready"
    assert preflight(dict(PLAN, plan="attach", action="attach"), None)["verdict"] == "ready"
    assert preflight(PLAN, None)["verdict"] == "blocked"


def test_registered():
    assert FilterModule().filters()["cce_upgrade_preflight"] is preflight
