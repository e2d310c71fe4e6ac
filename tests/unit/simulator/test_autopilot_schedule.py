"""Autopilot's own schedule: the maintenance window, the weekly upgrade plans, postponing a plan."""

import datetime

import pytest

from cce_simulator import schedule

UTC = datetime.timezone.utc
WINDOW = {"weekly_period": "Wednesday,Saturday", "start_time": "02:00", "duration_hours": 4}


def epoch(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def sim_now(sim):
    return sim.control("GET", "clock")["sim_time"]


def advance_past_next_generation(sim, margin=60):
    """Jump to ``margin`` seconds after the next Monday 01:00 UTC; returns that generation moment."""
    generation = schedule.next_generation(sim_now(sim))
    sim.advance(generation + margin - sim_now(sim))
    return generation


class Autopilot:
    """Signed calls on one autopilot cluster's schedule APIs."""

    def __init__(self, api, name):
        self.api = api
        self.id = api.sim.cluster(name)["id"]
        self.base = api.cluster_path(self.id, "autopilot")

    def window(self, method="GET", body=None):
        return self.api.request(method, self.base + "/maintenancewindows", body)

    def plans(self):
        resp = self.api.get(self.base + "/upgradeplans")
        assert resp.status_code == 200, resp.text
        return resp.json()["items"]

    def postpone(self, plan_id, not_before):
        return self.api.request("PUT", self.base + "/upgradeplans/" + plan_id, {"notBefore": not_before})


def _refused(resp, status, code, *words):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert (body["kind"], body["errorCode"], body["code"]) == ("Status", code, status)
    for word in words:
        assert word in body["message"]
    return body


@pytest.fixture
def stale(api):
    """An autopilot cluster one patch behind (v1.29.2-r0, latest v1.29.4-r0)."""
    api.sim.add_cluster(name="ap-stale", flavor="autopilot", version="v1.29.2-r0")
    return Autopilot(api, "ap-stale")


def test_window_read_set_replace_remove(api):
    cluster = Autopilot(api, "ap-a")
    _refused(cluster.window(), 404, "CCE.01404001", "no maintenance window")
    created = cluster.window("POST", {"weekly_period": "Saturday,Friday", "start_time": "22:00", "duration_hours": 3})
    assert created.status_code == 200, created.text
    stored = {"weekly_period": "Friday,Saturday", "start_time": "22:00", "duration_hours": 3, "upgrade_scope": "patch"}
    assert created.json() == stored
    assert cluster.window().json() == stored
    _refused(cluster.window("POST", WINDOW), 409, "CCE.01409001", "already has a maintenance window")
    replaced = cluster.window("PUT", WINDOW)
    assert replaced.json() == dict(WINDOW, upgrade_scope="patch")
    removed = cluster.window("DELETE")
    assert removed.status_code == 200 and removed.json()["weekly_period"] == "Wednesday,Saturday"
    _refused(cluster.window(), 404, "CCE.01404001")
    _refused(cluster.window("PUT", WINDOW), 404, "CCE.01404001")
    _refused(cluster.window("DELETE"), 404, "CCE.01404001")


@pytest.mark.parametrize("change, field", [
    ({"weekly_period": "Funday"}, "weekly_period"),
    ({"weekly_period": "monday"}, "weekly_period"),
    ({"weekly_period": ""}, "weekly_period"),
    ({"start_time": "24:00"}, "start_time"),
    ({"start_time": "2:00"}, "start_time"),
    ({"duration_hours": 0}, "duration_hours"),
    ({"duration_hours": 1.5}, "duration_hours"),
    ({"duration_hours": "4"}, "duration_hours"),
    ({"duration_hours": 25}, "duration_hours"),
    ({"upgrade_scope": "minor"}, "upgrade_scope"),
])
def test_bad_window_is_refused_with_cces_invalid_request(api, change, field):
    cluster = Autopilot(api, "ap-b")
    body = _refused(cluster.window("POST", dict(WINDOW, **change)), 400, "CCE.01400001", field)
    assert (body["error_code"], body["errorMessage"]) == ("CCE_CM.0004", "Invalid request.")
    _refused(cluster.window(), 404, "CCE.01404001")


def test_standard_cce_has_no_schedule_apis(api):
    base = api.cluster_path(api.sim.cluster("prod-a")["id"])
    for path in ("/maintenancewindows", "/upgradeplans"):
        resp = api.get(base + path)
        assert resp.status_code == 404
        assert resp.json()["error_code"] == "APIGW.0101"


def test_monday_generation_plans_the_first_window_of_the_following_week(api, stale):
    assert stale.window("POST", WINDOW).status_code == 200
    assert stale.plans() == []
    generation = advance_past_next_generation(api.sim)
    (plan,) = stale.plans()
    assert datetime.datetime.fromtimestamp(generation, UTC).strftime("%A %H:%M") == "Monday 01:00"
    week = generation - 3600 + 7 * 86400
    assert plan["kind"] == "UpgradePlan" and plan["metadata"]["uid"]
    assert plan["status"] == {"phase": "Pending"}
    spec = plan["spec"]
    assert (spec["clusterID"], spec["clusterVersion"], spec["targetVersion"]) == (stale.id, "v1.29.2-r0", "v1.29.4-r0")
    # the week starts on Monday: its first window is Wednesday 02:00 UTC, four hours long
    assert epoch(spec["notBefore"]) == week + 2 * 86400 + 2 * 3600
    assert epoch(spec["notAfter"]) == epoch(spec["notBefore"]) + 4 * 3600
    assert epoch(spec["notBeforeDeadline"]) == week + 14 * 86400
    # the next Monday plans nothing new while this plan is pending
    advance_past_next_generation(api.sim)
    assert [p["metadata"]["uid"] for p in stale.plans()] == [plan["metadata"]["uid"]]


def test_no_plan_without_a_later_patch_or_without_a_window(api, stale):
    latest = Autopilot(api, "ap-a")  # v1.29.4-r0 is the latest patch of v1.29
    assert latest.window("POST", WINDOW).status_code == 200
    advance_past_next_generation(api.sim)
    assert latest.plans() == [] and stale.plans() == []


def test_a_scenario_window_has_its_plan_already(api):
    api.sim.add_cluster(name="ap-planned", flavor="autopilot", version="v1.29.2-r0", maintenance_window=WINDOW)
    cluster = Autopilot(api, "ap-planned")
    (plan,) = cluster.plans()
    assert plan["status"]["phase"] == "Pending"
    assert epoch(plan["spec"]["notBefore"]) > sim_now(api.sim)
    assert cluster.window().json()["weekly_period"] == "Wednesday,Saturday"


def test_scenario_window_is_validated(api):
    with pytest.raises(Exception) as error:
        api.sim.add_cluster(name="ap-bad", flavor="autopilot", maintenance_window=dict(WINDOW, start_time="25:00"))
    assert "400" in str(error.value)
    with pytest.raises(Exception):
        api.sim.add_cluster(name="cce-window", flavor="cce", maintenance_window=WINDOW)


def _planned(api):
    api.sim.add_cluster(name="ap-planned", flavor="autopilot", version="v1.29.2-r0", maintenance_window=WINDOW)
    cluster = Autopilot(api, "ap-planned")
    (plan,) = cluster.plans()
    return cluster, plan


def test_postpone_moves_the_plan_before_its_deadline(api):
    cluster, plan = _planned(api)
    spec = plan["spec"]
    later = epoch(spec["notBefore"]) + 3 * 86400
    resp = cluster.postpone(plan["metadata"]["uid"], schedule.plan_time(later))
    assert resp.status_code == 200, resp.text
    moved = resp.json()["spec"]
    assert epoch(moved["notBefore"]) == later
    assert epoch(moved["notAfter"]) == later + 4 * 3600
    assert moved["notBeforeDeadline"] == spec["notBeforeDeadline"]
    assert cluster.plans()[0]["spec"]["notBefore"] == moved["notBefore"]
    # the SDK sends a datetime without an offset (UTC) and a date as YYYY-MM-DD
    naive = schedule.plan_time(later + 3600)[:-1]
    assert epoch(cluster.postpone(plan["metadata"]["uid"], naive).json()["spec"]["notBefore"]) == later + 3600


def test_postpone_past_the_deadline_is_refused(api):
    cluster, plan = _planned(api)
    deadline = plan["spec"]["notBeforeDeadline"]
    for moment in (deadline, schedule.plan_time(epoch(deadline) + 86400)):
        body = _refused(cluster.postpone(plan["metadata"]["uid"], moment), 400, "CCE.01400001", "notBeforeDeadline", deadline)
        assert body["error_code"] == "CCE_CM.0004"
    assert cluster.plans()[0]["spec"]["notBefore"] == plan["spec"]["notBefore"]


def test_a_plan_is_only_postponed(api):
    cluster, plan = _planned(api)
    earlier = schedule.plan_time(epoch(plan["spec"]["notBefore"]) - 3600)
    _refused(cluster.postpone(plan["metadata"]["uid"], earlier), 400, "CCE.01400001", "can only be postponed")
    _refused(cluster.postpone(plan["metadata"]["uid"], "next week"), 400, "CCE.01400001", "notBefore")
    _refused(cluster.postpone("0b0b0b0b-0000-4000-8000-000000000000", plan["spec"]["notBefore"]), 404, "CCE.01404001")


def test_a_due_plan_upgrades_the_patch_and_ends_in_success(api):
    cluster, plan = _planned(api)
    api.sim.advance(epoch(plan["spec"]["notBefore"]) + 30 - sim_now(api.sim))
    (running,) = cluster.plans()
    assert running["status"]["phase"] in ("Enqueued", "Upgrading")
    tasks = api.get(cluster.base + "/operation/upgrade/tasks").json()["items"]
    assert [t["spec"]["targetVersion"] for t in tasks] == ["v1.29.4-r0"]
    resp = cluster.postpone(plan["metadata"]["uid"], plan["spec"]["notAfter"])
    _refused(resp, 400, "CCE.01400001", "only a Pending plan")
    api.sim.advance(800)
    assert cluster.plans()[0]["status"]["phase"] == "Success"
    assert api.sim.cluster("ap-planned")["version"] == "v1.29.4-r0"


def test_a_plan_meeting_a_running_manual_upgrade_is_skipped(api):
    cluster, plan = _planned(api)
    api.sim.advance(epoch(plan["spec"]["notBefore"]) - 300 - sim_now(api.sim))
    action = {"targetVersion": "v1.29.4-r0", "isOnlyUpgrade": True,
              "strategy": {"type": "inPlaceRollingUpdate", "inPlaceRollingUpdate": {"userDefinedStep": 20}}}
    manual = api.post(cluster.base + "/operation/upgrade",
                      {"metadata": {"apiVersion": "v3", "kind": "UpgradeTask"}, "spec": {"clusterUpgradeAction": action}})
    assert manual.status_code == 200, manual.text
    api.sim.advance(400)
    assert cluster.plans()[0]["status"]["phase"] == "Skipped"
    tasks = api.get(cluster.base + "/operation/upgrade/tasks").json()["items"]
    assert [t["metadata"]["uid"] for t in tasks] == [manual.json()["metadata"]["uid"]]


def test_schedule_arithmetic():
    monday = epoch("2026-11-30T01:00:00Z")
    assert schedule.next_generation(monday - 1) == monday
    assert schedule.next_generation(monday) == monday + 7 * 86400
    assert schedule.last_generation(monday + 10) == monday
    week = epoch("2026-12-07T00:00:00Z")
    window = schedule.parse_window({"weekly_period": "Sunday,Monday", "start_time": "23:30", "duration_hours": 2})
    assert schedule.first_window(window, week, week + 7 * 86400) == (week + 23.5 * 3600, week + 25.5 * 3600)
    assert schedule.parse_plan_time("2026-12-09") == epoch("2026-12-09T00:00:00Z")
    assert schedule.parse_plan_time("2026-12-09T10:00:00+08:00") == epoch("2026-12-09T02:00:00Z")
    assert schedule.parse_plan_time("2026-12-09 02:00") == epoch("2026-12-09T02:00:00Z")
    assert schedule.parse_plan_time("2026-13-09") is None


def test_the_official_sdk_drives_the_schedule_apis(api, sdk):
    from huaweicloudsdkcce.v3 import (  # pylint: disable=import-outside-toplevel
        CreateAutopilotMaintenanceWindowRequest, DelayUpgradePlanRequestBody, DeleteAutopilotMaintenanceWindowRequest,
        ListAutopilotUpgradePlansRequest, MaintenanceWindow, ShowAutopilotMaintenanceWindowRequest,
        UpdateAutopilotUpgradePlanRequest,
    )
    client = sdk()
    api.sim.add_cluster(name="ap-sdk", flavor="autopilot", version="v1.29.2-r0")
    cluster = Autopilot(api, "ap-sdk")
    body = MaintenanceWindow(weekly_period="Wednesday,Saturday", start_time="02:00", duration_hours=4)
    created = client.create_autopilot_maintenance_window(CreateAutopilotMaintenanceWindowRequest(cluster_id=cluster.id, body=body))
    assert (created.weekly_period, created.duration_hours, created.upgrade_scope) == ("Wednesday,Saturday", 4, "patch")
    shown = client.show_autopilot_maintenance_window(ShowAutopilotMaintenanceWindowRequest(cluster_id=cluster.id))
    assert shown.start_time == "02:00"
    advance_past_next_generation(api.sim)
    (plan,) = cluster.plans()
    # the SDK types ``items`` as one plan: the list reply parses without an error
    client.list_autopilot_upgrade_plans(ListAutopilotUpgradePlansRequest(cluster_id=cluster.id))
    later = datetime.datetime.fromtimestamp(epoch(plan["spec"]["notBefore"]) + 86400, UTC).replace(tzinfo=None)
    moved = client.update_autopilot_upgrade_plan(UpdateAutopilotUpgradePlanRequest(
        cluster_id=cluster.id, upgrade_plan_id=plan["metadata"]["uid"], body=DelayUpgradePlanRequestBody(not_before=later)))
    assert epoch(moved.spec.not_before) == epoch(plan["spec"]["notBefore"]) + 86400
    client.delete_autopilot_maintenance_window(DeleteAutopilotMaintenanceWindowRequest(cluster_id=cluster.id))
    _refused(cluster.window(), 404, "CCE.01404001")
