"""extensions/awx/fleet_workflow.yml, the awxkit import file of the fleet workflow, checked offline.

``awx import`` is awxkit's ``ApiV2.import_assets``. These tests run exactly that code against an
in-memory AWX API (fake_awx.py, served through a requests adapter): every natural key in the file
must resolve, every field must reach AWX (awxkit silently drops a field AWX does not take), the
workflow graph must come out as designed (canary, approval, sliced rollout, report), and a second
import must update the same objects instead of creating new ones (the natural keys in the file are
the ones awxkit computes for the objects it created).
"""

import sys
from pathlib import Path

import pytest
import yaml

from awxkit.api.client import Connection
from awxkit.api.pages import JobTemplate, WorkflowJobTemplate, WorkflowJobTemplateNode
from awxkit.api.pages.api import EXPORTABLE_RESOURCES, ApiV2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_awx import FakeAwx  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[3]
IMPORT_FILE = REPO_ROOT / "extensions" / "awx" / "fleet_workflow.yml"
CREDENTIAL_TYPE_FILE = REPO_ROOT / "extensions" / "awx" / "credential_type.yml"
PLAYBOOKS = REPO_ROOT / "playbooks"
SERVER = "http://awx.invalid"


def load_import_file():
    with open(IMPORT_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def prerequisites():
    """What the guide asks to create before the import: the credential type and the credential."""
    with open(CREDENTIAL_TYPE_FILE, encoding="utf-8") as handle:
        credential_type = yaml.safe_load(handle)
    return [
        ("organization", {"name": "Default"}),
        ("credential_type", {"name": credential_type["name"], "kind": credential_type["kind"]}),
        ("credential", {"name": "CCE fleet", "organization": 1, "credential_type": 2}),
    ]


def run_import(awx, data):
    connection = Connection(SERVER)
    connection.session.mount(SERVER, awx)
    api = ApiV2(connection, endpoint="/api/v2/").get()
    api.import_assets(data)
    return getattr(api, "_has_error", False)


@pytest.fixture(scope="module")
def imported():
    """The fake AWX after one import of the file, and after a second one."""
    awx = FakeAwx(prerequisites())
    data = load_import_file()
    first_error = run_import(awx, data)
    first = dict((kind, len(items)) for kind, items in awx.store.items())
    second_error = run_import(awx, load_import_file())
    return awx, data, (first_error, second_error), first


def test_the_file_holds_only_what_awx_import_reads():
    data = load_import_file()
    assert set(data) <= set(EXPORTABLE_RESOURCES), set(data) - set(EXPORTABLE_RESOURCES)
    assert {"job_templates", "workflow_job_templates"} <= set(data)
    for resource, assets in data.items():
        assert isinstance(assets, list) and assets, resource
        for asset in assets:
            assert asset["natural_key"]["name"] == asset["name"], asset["natural_key"]


def awxkit_payload_fields(page_class):
    """The field names awxkit's own payload builder of ``page_class`` knows (its optional_fields tuple)."""
    names = set()
    for constant in page_class.payload.__code__.co_consts:
        if isinstance(constant, tuple) and all(isinstance(item, str) for item in constant):
            names.update(constant)
    return names


@pytest.mark.parametrize("resource, page_class, also", [
    ("job_templates", JobTemplate, {"name", "description", "job_type", "playbook", "project", "inventory", "extra_vars"}),
    ("workflow_job_templates", WorkflowJobTemplate, {"name", "description", "extra_vars", "organization"}),
])
def test_the_fields_are_ones_awxkit_knows(resource, page_class, also):
    """A second opinion on the fake AWX's field lists: awxkit's payload builders name the same fields."""
    known = awxkit_payload_fields(page_class) | also | {"natural_key", "related"}
    assert "job_slice_count" in awxkit_payload_fields(JobTemplate)
    for asset in load_import_file()[resource]:
        assert set(asset) <= known, set(asset) - known
    node_known = awxkit_payload_fields(WorkflowJobTemplateNode) | {"workflow_job_template", "unified_job_template",
                                                                   "natural_key", "related"}
    for workflow in load_import_file()["workflow_job_templates"]:
        for node in workflow["related"]["workflow_nodes"]:
            assert set(node) <= node_known, set(node) - node_known


def test_import_runs_without_an_error_and_a_second_import_changes_in_place(imported):
    awx, _data, errors, first = imported
    assert errors == (False, False)
    # awxkit posts the approval node's create_approval_template again, and AWX (like the fake) makes a
    # new approval template for the node each time; everything else is found and updated in place
    after = dict((kind, len(items)) for kind, items in awx.store.items())
    assert dict(first, workflow_approval_template=2) == after
    assert first["job_template"] == 3 and first["workflow_job_template"] == 1
    assert first["workflow_job_template_node"] == 4 and first["workflow_approval_template"] == 1
    # the second import found every object by its natural key and updated it (PUT), creating nothing
    puts = [path for method, path, _body in awx.requests if method == "PUT"]
    assert len(puts) >= 3 + 1 + 4 + 1 + 1 + 1, puts


def test_every_field_of_the_file_reached_awx(imported):
    """awxkit drops a field that AWX does not take, silently: each one must be stored."""
    awx, data, _errors, _first = imported
    for resource, kind in (("projects", "project"), ("inventory", "inventory"),
                           ("inventory_sources", "inventory_source"), ("job_templates", "job_template"),
                           ("workflow_job_templates", "workflow_job_template")):
        for asset in data[resource]:
            stored = awx.find(kind, name=asset["name"])
            for field, value in asset.items():
                if field in ("natural_key", "related"):
                    continue
                if isinstance(value, dict) and "type" in value:  # a natural key: stored as the object's ID
                    assert awx.kinds[stored[field]] == value["type"], (asset["name"], field)
                    assert awx.store[value["type"]][stored[field]].get("name") == value["name"], (asset["name"], field)
                else:
                    assert stored[field] == value, (asset["name"], field)


def test_the_job_templates_run_the_collections_playbooks_with_the_credential(imported):
    awx, _data, _errors, _first = imported
    credential = awx.find("credential", name="CCE fleet")
    playbooks = {}
    for template in awx.objects("job_template"):
        playbooks[template["name"]] = template["playbook"]
        # the project's playbook imports the collection's playbook of the same name
        assert (PLAYBOOKS / template["playbook"]).is_file(), template["playbook"]
        assert awx.store["project"][template["project"]]["name"] == "CCE automation"
        assert awx.store["inventory"][template["inventory"]]["name"] == "CCE fleet"
    assert playbooks == {"CCE fleet canary": "fleet_upgrade.yml", "CCE fleet rollout": "fleet_upgrade.yml",
                         "CCE fleet report": "fleet_report.yml"}
    for name in ("CCE fleet canary", "CCE fleet rollout"):
        assert awx.find("job_template", name=name)["credentials"] == [credential["id"]]
    source = awx.find("inventory_source", name="CCE clusters")
    assert (source["credential"], source["source"]) == (credential["id"], "scm")


def test_the_rollout_is_sliced_and_leaves_the_canaries_out(imported):
    awx, _data, _errors, _first = imported
    rollout = awx.find("job_template", name="CCE fleet rollout")
    canary = awx.find("job_template", name="CCE fleet canary")
    assert rollout["job_slice_count"] > 1
    assert canary["job_slice_count"] == 1 and canary["limit"] == "canary"
    assert rollout["limit"] == "all:!canary"
    # the fleet playbook's own variables, checked by its name check: no misspelling
    for template in (rollout, canary):
        for name in yaml.safe_load(template["extra_vars"]):
            assert name in ("cce_fleet_serial", "cce_fleet_max_fail_percentage"), name


def test_the_workflow_is_canary_approval_sliced_rollout_then_report(imported):
    awx, _data, _errors, _first = imported
    workflow = awx.find("workflow_job_template", name="CCE fleet upgrade")
    nodes = dict((node["identifier"], node) for node in awx.objects("workflow_job_template_node"))
    assert set(nodes) == {"canary", "approve", "rollout", "report"}
    assert all(node["workflow_job_template"] == workflow["id"] for node in nodes.values())

    def runs(identifier):
        target = nodes[identifier]["unified_job_template"]
        return awx.kinds[target], awx.store[awx.kinds[target]][target]["name"]

    def edges(identifier):
        by_id = dict((node["id"], name) for name, node in nodes.items())
        return dict((kind, sorted(by_id[i] for i in nodes[identifier][kind]))
                    for kind in ("success_nodes", "failure_nodes", "always_nodes"))

    assert runs("canary") == ("job_template", "CCE fleet canary")
    assert runs("rollout") == ("job_template", "CCE fleet rollout")
    assert runs("report") == ("job_template", "CCE fleet report")
    kind, approval_name = runs("approve")
    assert kind == "workflow_approval_template"
    approval = awx.store["workflow_approval_template"][nodes["approve"]["unified_job_template"]]
    assert approval_name == "Approve the rollout" and approval["timeout"] > 0
    assert edges("canary") == {"success_nodes": ["approve"], "failure_nodes": ["report"], "always_nodes": []}
    assert edges("approve") == {"success_nodes": ["rollout"], "failure_nodes": ["report"], "always_nodes": []}
    assert edges("rollout") == {"success_nodes": [], "failure_nodes": [], "always_nodes": ["report"]}
    assert edges("report") == {"success_nodes": [], "failure_nodes": [], "always_nodes": []}
    # no node is linked twice after the second import
    assert sum(len(node[kind]) for node in nodes.values() for kind in ("success_nodes", "failure_nodes", "always_nodes")) == 5
    survey = workflow["survey_spec"]["spec"]
    assert [question["variable"] for question in survey] == ["cce_fleet_target_version"]


def test_a_dangling_reference_is_reported_by_the_import():
    """The fake AWX is strict enough to catch a mistake: a job template naming a project that does not exist."""
    data = load_import_file()
    data["job_templates"][0]["project"]["name"] = "No such project"
    awx = FakeAwx(prerequisites())
    run_import(awx, data)
    assert awx.find("job_template", name=data["job_templates"][0]["name"])["project"] is None
