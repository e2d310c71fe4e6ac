# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks done before any write: ids are UUIDs before any request, and a workflow or pre-check is
only created for a target CCE offers (with no extra reads when one already exists), using a fake
CceModule and CceApi that record every call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwcloud.cce.plugins.modules import cce_cluster_upgrade_info
from ansible_collections.hwcloud.cce.plugins.modules import cce_postcheck
from ansible_collections.hwcloud.cce.plugins.modules import cce_precheck
from ansible_collections.hwcloud.cce.plugins.modules import cce_upgrade_workflow
from ansible_collections.hwcloud.cce.plugins.modules import cce_upgrade_workflow_info

CID = "6b2e6b4c-5a0e-11ee-8d8e-0255ac100b04"
WID = "c271e39e-1a6e-4d3d-8fa8-2a36329c68d1"
WRITES = ("create_workflow", "create_precheck", "cancel_workflow", "create_postcheck", "submit_upgrade")


class Failed(Exception):
    def __init__(self, msg, **extra):
        super(Failed, self).__init__(msg)
        self.msg = msg
        self.extra = extra


class Exited(Exception):
    def __init__(self, result):
        super(Exited, self).__init__("exit")
        self.result = result


class RecordingApi:
    """Every method records its name; the cluster is at v1.29, CCE offers v1.30 only."""

    def __init__(self, workflows=None, prechecks=None):
        self.calls = []
        self.workflows = workflows or []
        self.prechecks = prechecks or []

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            self.calls.append(name)
            answer = getattr(type(self), "_" + name, None)
            return answer(self, *args, **kwargs) if answer else {}
        return call

    def _get_cluster(self, cluster_id):
        return {"metadata": {"uid": cluster_id}, "spec": {"version": "v1.29.5-r0"}}

    def _get_upgrade_info(self, cluster_id):
        return {"spec": {"versionInfo": {"release": "v1.29", "targetVersions": ["v1.30"]}}}

    def _list_upgrade_paths(self):
        return {"upgradePaths": [{"version": "v1.29", "targetVersions": ["v1.30"]}]}

    def _list_workflows(self, cluster_id):
        return {"items": self.workflows}

    def _list_prechecks(self, cluster_id):
        return {"items": self.prechecks}

    def _create_workflow(self, cluster_id, target):
        return {"metadata": {"uid": WID}, "spec": {"clusterID": cluster_id, "targetVersion": target},
                "status": {"phase": "Init"}}

    def _create_precheck(self, cluster_id, current, target, skipped_items=None):
        return {"metadata": {"uid": "p1"}, "spec": {"clusterVersion": current, "targetVersion": target}}

    def writes(self):
        return [name for name in self.calls if name in WRITES]


class FakeModule:
    def __init__(self, api, check_mode=False, **params):
        self.api = api
        self.client = None
        self.check_mode = check_mode
        self.params = dict(cluster_id=CID, cluster_flavor="cce", wait=False, wait_timeout=30, poll_interval=1.0)
        self.params.update(params)

    def fail(self, msg, **extra):
        raise Failed(msg, **extra)

    def fail_from_error(self, err, action, **extra):
        raise Failed("%s failed: %s" % (action, err), **extra)

    def exit(self, changed=False, **result):
        raise Exited(dict(result, changed=changed))


def run_main(monkeypatch, module_py, fake):
    monkeypatch.setattr(module_py, "CceModule", lambda **kwargs: fake)
    with pytest.raises((Failed, Exited)) as outcome:
        module_py.main()
    return outcome.value


# --------------------------------------------------------------------------- ids

@pytest.mark.parametrize("module_py,params,option", [
    (cce_upgrade_workflow, dict(state="cancelled", workflow_id="bogus/../x", target_version=None), "workflow_id"),
    (cce_upgrade_workflow, dict(state="present", workflow_id="bogus", target_version="v1.30"), "workflow_id"),
    (cce_upgrade_workflow_info, dict(workflow_id="bogus/../x"), "workflow_id"),
    (cce_postcheck, dict(workflow_id="not-a-workflow", target_version=None), "workflow_id"),
    (cce_cluster_upgrade_info, dict(task_id="../../etc"), "task_id"),
    (cce_cluster_upgrade_info, dict(task_id="bogus"), "task_id"),
], ids=["workflow-cancel", "workflow-present", "workflow-info", "postcheck", "upgrade-info-path", "upgrade-info-word"])
def test_ids_that_are_not_uuids_fail_before_any_request(monkeypatch, module_py, params, option):
    api = RecordingApi()
    outcome = run_main(monkeypatch, module_py, FakeModule(api, **params))
    assert isinstance(outcome, Failed)
    assert outcome.msg.startswith(option + " must be a UUID") and "8-4-4-4-12" in outcome.msg
    assert api.calls == []


def test_workflow_info_with_a_uuid_reads_that_workflow(monkeypatch):
    api = RecordingApi()
    outcome = run_main(monkeypatch, cce_upgrade_workflow_info, FakeModule(api, workflow_id=WID))
    assert isinstance(outcome, Exited) and api.calls == ["get_workflow"]


# --------------------------------------------------------------------------- cce_upgrade_workflow targets

def workflow_params(target, **extra):
    return dict(dict(state="present", workflow_id=None, target_version=target), **extra)


@pytest.mark.parametrize("target,pattern", [("v1.28", "downgrade"), ("v1.31", "skips"), ("v1.29", "current version")])
@pytest.mark.parametrize("check_mode", [False, True])
def test_workflow_for_a_target_not_offered_fails_without_writes(monkeypatch, target, pattern, check_mode):
    api = RecordingApi()
    outcome = run_main(monkeypatch, cce_upgrade_workflow, FakeModule(api, check_mode=check_mode, **workflow_params(target)))
    assert isinstance(outcome, Failed)
    assert "target_version" in outcome.msg and pattern in outcome.msg and "Accepted target_version values: v1.30" in outcome.msg
    assert outcome.extra["allowed_targets"] == ["v1.30"]
    assert api.writes() == []


def test_workflow_for_an_offered_target_checks_then_creates(monkeypatch):
    api = RecordingApi()
    outcome = run_main(monkeypatch, cce_upgrade_workflow, FakeModule(api, **workflow_params("v1.30")))
    assert isinstance(outcome, Exited) and outcome.result["changed"] is True
    assert api.calls == ["list_workflows", "get_cluster", "get_upgrade_info", "list_upgrade_paths", "create_workflow"]


def test_workflow_rerun_with_an_open_workflow_reads_nothing_more(monkeypatch):
    open_workflow = {"metadata": {"uid": WID}, "spec": {"targetVersion": "v1.30"}, "status": {"phase": "Running"}}
    api = RecordingApi(workflows=[open_workflow])
    outcome = run_main(monkeypatch, cce_upgrade_workflow, FakeModule(api, **workflow_params("v1.30")))
    assert isinstance(outcome, Exited) and outcome.result["changed"] is False
    assert api.calls == ["list_workflows"]


# --------------------------------------------------------------------------- cce_precheck targets

def precheck_params(target, **extra):
    return dict(dict(target_version=target, skipped_check_items=[], force=False), **extra)


@pytest.mark.parametrize("target,pattern", [("v1.27", "downgrade"), ("v1.31", "skips")])
@pytest.mark.parametrize("check_mode", [False, True])
def test_precheck_for_a_target_not_offered_fails_without_writes(monkeypatch, target, pattern, check_mode):
    api = RecordingApi()
    outcome = run_main(monkeypatch, cce_precheck, FakeModule(api, check_mode=check_mode, **precheck_params(target)))
    assert isinstance(outcome, Failed)
    assert "target_version" in outcome.msg and pattern in outcome.msg and "v1.30" in outcome.msg
    assert api.writes() == []


def test_precheck_for_an_offered_target_reads_the_cluster_once_then_starts(monkeypatch):
    api = RecordingApi()
    outcome = run_main(monkeypatch, cce_precheck, FakeModule(api, **precheck_params("v1.30")))
    assert isinstance(outcome, Exited) and outcome.result["changed"] is True
    assert api.calls == ["list_workflows", "list_prechecks", "get_cluster", "get_upgrade_info", "list_upgrade_paths",
                         "create_precheck"]


def test_precheck_attached_to_a_running_one_reads_nothing_more(monkeypatch):
    running = {"metadata": {"uid": "p1", "creationTimestamp": "2026-11-22 07:00:00.000000 +0000 UTC"},
               "spec": {"clusterVersion": "v1.29.5-r0", "targetVersion": "v1.30"}, "status": {"phase": "Running"}}
    api = RecordingApi(prechecks=[running])
    outcome = run_main(monkeypatch, cce_precheck, FakeModule(api, **precheck_params("v1.30")))
    assert isinstance(outcome, Exited) and outcome.result["attached"] is True
    assert api.calls == ["list_workflows", "list_prechecks"]


# --------------------------------------------------------------------------- real CCE (issue 10)

class RealCceApi(RecordingApi):
    """As real CCE answers: ShowCluster gives the minor only, upgradeinfo the full version (not the latest
    patch of v1.29 here), the paths one entry per platform version with full-version targets."""

    def __init__(self, release="v1.29.2", patch="r0", **kwargs):
        RecordingApi.__init__(self, **kwargs)
        self.release, self.patch = release, patch
        self.sent = []

    def _get_cluster(self, cluster_id):
        return {"metadata": {"uid": cluster_id}, "spec": {"version": "v1.29", "platformVersion": "cce.5.0"}}

    def _get_upgrade_info(self, cluster_id):
        return {"spec": {"versionInfo": {"release": self.release, "patch": self.patch, "targetVersions": []}}}

    def _list_upgrade_paths(self):
        return {"kind": "ClusterUpgradePaths", "upgradePaths": [
            {"version": "v1.29", "platformVersion": "cce.5.0", "targetVersions": ["v1.29.5-r0", "v1.30.3-r0", "v1.31.1-r0"]},
            {"version": "v1.29", "platformVersion": "cce.6.0", "targetVersions": ["v1.32.0-r0"]}]}

    def _create_precheck(self, cluster_id, current, target, skipped_items=None):
        self.sent.append(current)
        return RecordingApi._create_precheck(self, cluster_id, current, target, skipped_items)


def test_point2_precheck_sends_the_exact_current_patch_version(monkeypatch):
    api = RealCceApi(release="v1.29.5", patch="r0")
    outcome = run_main(monkeypatch, cce_precheck, FakeModule(api, **precheck_params("v1.30")))
    assert isinstance(outcome, Exited) and outcome.result["changed"] is True
    assert api.sent == ["v1.29.5-r0"]


@pytest.mark.parametrize("target", ["v1.30", "v1.31.1-r0"])
@pytest.mark.parametrize("module_py,params", [(cce_precheck, precheck_params), (cce_upgrade_workflow, workflow_params)])
def test_point3_a_new_minor_from_an_older_patch_is_refused_before_any_write(monkeypatch, module_py, params, target):
    api = RealCceApi(release="v1.29.2", patch="r0")
    outcome = run_main(monkeypatch, module_py, FakeModule(api, **params(target)))
    assert isinstance(outcome, Failed) and api.writes() == []
    assert "target_version %s" % target in outcome.msg and "latest patch v1.29.5-r0 first" in outcome.msg


def test_point3_the_latest_patch_is_a_valid_precheck_target(monkeypatch):
    api = RealCceApi(release="v1.29.2", patch="r0")
    outcome = run_main(monkeypatch, cce_precheck, FakeModule(api, **precheck_params("v1.29.5-r0")))
    assert isinstance(outcome, Exited) and api.sent == ["v1.29.2-r0"]


def test_point4_path_entries_of_another_platform_version_do_not_apply(monkeypatch):
    api = RealCceApi(release="v1.29.5", patch="r0")
    outcome = run_main(monkeypatch, cce_precheck, FakeModule(api, **precheck_params("v1.32")))
    assert isinstance(outcome, Failed) and api.writes() == []
    assert "v1.32.0-r0" not in outcome.extra["allowed_targets"]


def test_precheck_check_mode_returns_check_items_like_its_normal_runs(monkeypatch):
    api = RealCceApi(release="v1.29.5", patch="r0")
    checked = run_main(monkeypatch, cce_precheck, FakeModule(api, check_mode=True, **precheck_params("v1.30")))
    real_api = RealCceApi(release="v1.29.5", patch="r0")
    real = run_main(monkeypatch, cce_precheck, FakeModule(real_api, **precheck_params("v1.30")))
    assert isinstance(checked, Exited) and isinstance(real, Exited) and api.writes() == []
    assert "items" not in checked.result
    assert checked.result["check_items"] == {"fatal": [], "warning": [], "info": []}
    assert set(checked.result) == set(real.result)
    assert checked.result["cluster_version"] == "v1.29.5-r0" and checked.result["changed"] is True
