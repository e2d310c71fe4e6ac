"""Unit tests for the fleet wave filters (plugins/filter/fleet_waves.py): the plan, the health gate, the approval."""

import importlib.util
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

PLUGIN = Path(__file__).resolve().parents[4] / "plugins" / "filter" / "fleet_waves.py"
_spec = importlib.util.spec_from_file_location("hwcloud_cce_fleet_waves", PLUGIN)
fw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fw)

HOSTS = ["dev-a", "dev-b", "stg-a", "prod-a", "prod-b", "ap-a"]
GROUPS = {"all": HOSTS, "ungrouped": [], "dev": ["dev-a", "dev-b"], "staging": ["stg-a"],
          "prod": ["prod-a", "prod-b", "ap-a"], "cce_flavor_autopilot": ["ap-a"], "empty": []}
HOSTVARS = dict((host, {"cce_cluster_flavor": "autopilot" if host == "ap-a" else "cce", "tier": host.split("-", maxsplit=1)[0]})
                for host in HOSTS)
WAVES = [{"name": "dev", "hosts": "dev", "soak": "2m"},
         {"name": "staging", "match": {"tier": "stg"}},
         {"name": "prod", "hosts": ["prod"], "max_fail_percentage": 50}]


def plan(waves=None, run_hosts=None, **kwargs):
    return fw.cce_fleet_wave_plan(waves, HOSTS if run_hosts is None else run_hosts, groups=GROUPS, hostvars=HOSTVARS,
                                  **kwargs)


def result(cluster, outcome):
    return {"cluster": cluster, "outcome": outcome}


def test_filters_are_registered():
    assert fw.FilterModule().filters() == {"cce_fleet_wave_plan": fw.cce_fleet_wave_plan,
                                           "cce_fleet_wave_gate": fw.cce_fleet_wave_gate,
                                           "cce_fleet_wave_approval": fw.cce_fleet_wave_approval}


def test_without_waves_the_canary_batches_stay():
    planned = plan(None, ["prod-b", "dev-a"])
    assert planned["hosts"] == planned["clusters"] == ["prod-b", "dev-a"]
    assert planned["serial"] == [1, "25%", "100%"] and planned["waves"] == [] and planned["not_run"] == {}
    assert plan([], serial=[2, "100%"])["serial"] == [2, "100%"]


def test_waves_order_the_clusters_and_make_one_batch_each():
    planned = plan(WAVES, soak=30)
    assert [(w["name"], w["index"], w["clusters"], w["soak"], w["max_fail_percentage"]) for w in planned["waves"]] == [
        ("dev", 1, ["dev-a", "dev-b"], 120, 0), ("staging", 2, ["stg-a"], 30, 0),
        ("prod", 3, ["prod-a", "prod-b", "ap-a"], 30, 50)]
    assert planned["serial"] == [2, 1, 3]
    assert planned["hosts"] == ["dev-a", "dev-b", "stg-a", "prod-a", "prod-b", "ap-a"]
    assert planned["wave_of"]["stg-a"] == "staging" and planned["wave_of"]["ap-a"] == "prod"


def test_a_cluster_goes_in_its_first_wave_and_clusters_in_no_wave_are_reported():
    waves = [{"name": "autopilot first", "hosts": "cce_flavor_autopilot"}, {"name": "prod", "hosts": "prod"}]
    planned = plan(waves, ["dev-a", "ap-a", "prod-a"])
    assert [w["clusters"] for w in planned["waves"]] == [["ap-a"], ["prod-a"]]
    assert planned["clusters"] == ["ap-a", "prod-a", "dev-a"]
    assert planned["not_run"] == {"dev-a": "not run: in no wave of cce_fleet_waves"}
    assert "In no wave, not upgraded: dev-a" in planned["lines"]


def test_hosts_and_match_together_select_the_clusters_having_both():
    planned = plan([{"name": "prod cce", "hosts": "prod", "match": {"cce_cluster_flavor": ["cce"]}}])
    assert planned["waves"][0]["clusters"] == ["prod-a", "prod-b"]


def test_a_wave_outside_this_run_is_skipped_with_a_line():
    planned = plan(WAVES, ["stg-a", "prod-a"])
    assert [w["name"] for w in planned["waves"]] == ["staging", "prod"] and planned["skipped_waves"] == ["dev"]
    assert planned["serial"] == [1, 1] and [w["index"] for w in planned["waves"]] == [1, 2]
    assert planned["lines"][0].startswith("Wave dev: no cluster of this run")


@pytest.mark.parametrize("waves, kwargs, message", [
    ({"name": "dev"}, {}, "cce_fleet_waves: {'name': 'dev'} is not a list of waves; accepted: a list of {name, hosts"),
    ([{"name": "dev", "hosts": "stagin"}], {},
     "cce_fleet_waves[0].hosts: stagin is neither a group nor a cluster of the inventory; accepted values: the "
     "inventory's groups (cce_flavor_autopilot, dev, empty, prod, staging) or cluster names"),
    ([{"name": "dev", "hosts": "empty"}], {}, "cce_fleet_waves[0]: wave dev selects no cluster of the inventory"),
    ([{"name": "dev", "match": {"tier": "qa"}}], {}, "cce_fleet_waves[0]: wave dev selects no cluster of the inventory"),
    ([{"name": "dev"}], {}, "cce_fleet_waves[0]: wave dev selects nothing: give hosts"),
    ([{"hosts": "dev"}], {}, "cce_fleet_waves[0].name: a wave needs a name"),
    ([{"name": "dev", "hosts": "dev"}, {"name": "dev", "hosts": "prod"}], {}, "cce_fleet_waves[1].name: dev names two waves"),
    ([{"name": "dev", "host": "dev"}], {}, "cce_fleet_waves[0]: unknown key host; accepted keys: name, hosts, match"),
    ([{"name": "dev", "hosts": "dev", "soak": "10 minutes"}], {},
     "cce_fleet_waves[0].soak: '10 minutes' is not a soak time; accepted values: seconds (0 or more), or a number "
     "with a unit: 90s, 30m, 2h"),
    ([{"name": "dev", "hosts": "dev"}], {"soak": -5}, "cce_fleet_soak: -5 is negative"),
    ([{"name": "dev", "hosts": "dev"}], {"soak": True}, "cce_fleet_soak: True is not a soak time"),
    ([{"name": "dev", "hosts": "dev", "max_fail_percentage": 150}], {},
     "cce_fleet_waves[0].max_fail_percentage: 150 is out of range; accepted values: a percentage from 0 to 100"),
    ([{"name": "dev", "hosts": "dev"}], {"serial": [1, "100%"]},
     "cce_fleet_serial: give either cce_fleet_serial (canary batches) or cce_fleet_waves"),
    ([{"name": "dev", "match": "tier=dev"}], {}, "cce_fleet_waves[0].match: 'tier=dev' is not a selector"),
])
def test_bad_waves_name_the_variable_and_the_accepted_values(waves, kwargs, message):
    with pytest.raises(AnsibleFilterError) as error:
        plan(waves, **kwargs)
    assert message in str(error.value)


def test_a_budget_may_carry_a_percent_sign():
    assert plan([{"name": "dev", "hosts": "dev", "max_fail_percentage": "25%"}])["waves"][0]["max_fail_percentage"] == 25


def test_soak_units():
    assert [fw.parse_soak(value) for value in (0, 45, "45", "90s", "30m", "2h", 3.0)] == [0, 45, 45, 90, 1800, 7200, 3]


def test_without_waves_the_gate_counts_failures_against_the_budget():
    planned = plan(None)
    ok = fw.cce_fleet_wave_gate([result("a", "upgraded"), result("b", "blackout")], planned, 1)
    assert ok["stop"] is False and ok["soak"] == 0 and ok["ask"] is False and ok["wave"] is None
    bad = fw.cce_fleet_wave_gate([result("a", "upgraded"), result("b", "failed")], planned, 2, max_fail_percentage=40)
    assert bad["stop"] is True and bad["not_run_message"] == "not run: an earlier batch failed"
    assert fw.cce_fleet_wave_gate([result("a", "upgraded"), result("b", "failed")], planned, 2,
                                  max_fail_percentage=50)["stop"] is False


def test_a_wave_that_passes_soaks_before_the_next():
    gate = fw.cce_fleet_wave_gate([result("dev-a", "upgraded"), result("dev-b", "already_upgraded")], plan(WAVES), 1)
    assert (gate["stop"], gate["soak"], gate["ask"]) == (False, 120, False)
    assert gate["line"] == ("Wave dev: already_upgraded 1, upgraded 1; failure budget 0%: passed its health gate; "
                            "next: wave staging, after a soak of 120 s")


def test_check_mode_does_not_soak():
    gate = fw.cce_fleet_wave_gate([result("dev-a", "planned"), result("dev-b", "planned")], plan(WAVES), 1, check_mode=True)
    assert (gate["stop"], gate["soak"]) == (False, 0)
    assert gate["line"].endswith("next: wave staging (no soak in check mode)")


def test_a_wave_outside_its_budget_stops_and_names_what_is_not_run():
    gate = fw.cce_fleet_wave_gate([result("stg-a", "blackout")], plan(WAVES), 2)
    assert gate["stop"] is True and gate["soak"] == 0
    assert gate["line"] == ("Wave staging: blackout 1; failure budget 0%: did not pass its health gate (stg-a (blackout)). "
                            "Stopping the rollout; not run: wave prod (prod-a, prod-b, ap-a)")
    assert gate["not_run_message"] == "not run: wave staging did not pass its health gate (stg-a (blackout))"


def test_the_wave_budget_and_the_last_wave():
    results = [result("prod-a", "failed"), result("prod-b", "upgraded"), result("ap-a", "no_target")]
    gate = fw.cce_fleet_wave_gate(results, plan(WAVES, soak=60), 3, approval=True, terminal=False)
    assert (gate["stop"], gate["soak"], gate["ask"]) == (False, 0, False)  # 1 of 3 within 50%; no soak after the last
    assert gate["line"].endswith("passed its health gate; the last wave")
    results[1]["outcome"] = "outside_window"
    assert fw.cce_fleet_wave_gate(results, plan(WAVES), 3)["stop"] is True


def test_approval_without_a_terminal_is_skipped_with_a_line_unless_required():
    passed = [result("stg-a", "upgraded")]
    skipped = fw.cce_fleet_wave_gate(passed, plan(WAVES, soak=5), 2, approval=True, terminal=False)
    assert (skipped["stop"], skipped["ask"], skipped["soak"]) == (False, False, 5)
    assert skipped["line"] == ("Wave staging: upgraded 1; failure budget 0%: passed its health gate; next: wave prod, "
                               "after a soak of 5 s. No terminal to ask for the approval of wave prod: going on without "
                               "it (cce_fleet_require_approval: true stops here instead)")
    required = fw.cce_fleet_wave_gate(passed, plan(WAVES, soak=5), 2, require_approval=True, terminal=False)
    assert (required["stop"], required["soak"]) == (True, 0)
    assert "Wave prod needs an approval (cce_fleet_require_approval) and there is no terminal to ask" in required["line"]
    assert required["line"].endswith("not run: wave prod (prod-a, prod-b, ap-a)")
    assert required["not_run_message"] == ("not run: wave prod needs an approval (cce_fleet_require_approval) and the "
                                           "run had no terminal to ask")


@pytest.mark.parametrize("require, answer, stop", [
    (False, "", False), (False, "yes", False), (False, "stop", True), (False, "no", True),
    (True, "yes", False), (True, " Y ", False), (True, "", True), (True, "ok", True),
])
def test_on_a_terminal_the_answer_decides(require, answer, stop):
    planned = plan(WAVES)
    gate = fw.cce_fleet_wave_gate([result("dev-a", "upgraded"), result("dev-b", "upgraded")], planned, 1,
                                  approval=True, require_approval=require, terminal=True)
    assert gate["ask"] is True and gate["stop"] is False
    assert gate["line"].endswith("passed its health gate; next: wave staging, after a soak of 120 s, and its approval")
    assert gate["prompt"].startswith("Wave dev passed. Start wave staging (stg-a)? ")
    assert ("Type yes" in gate["prompt"]) is require
    decided = fw.cce_fleet_wave_approval(answer, gate, planned, 1, require_approval=require)
    assert decided["stop"] is stop
    if stop:
        assert decided["not_run_message"] == "not run: wave staging was not approved"
        assert decided["line"].endswith("not run: wave staging (stg-a); wave prod (prod-a, prod-b, ap-a)")


def test_no_question_asked_means_the_gate_stands():
    gate = {"ask": False, "stop": False, "line": "x"}
    assert fw.cce_fleet_wave_approval("", gate, plan(WAVES), 1)["stop"] is False


def test_no_terminal_in_a_process_without_one(monkeypatch):
    monkeypatch.setattr(fw.os, "isatty", lambda fd: False)
    assert fw.controller_has_terminal() is False
