"""playbooks/upgrade.yml run the way AWX runs it: through ansible-runner, with the credential
injected by the custom credential type in extensions/awx/credential_type.yml.

AWX builds a private data directory (project/, inventory/, env/), renders the credential type's
``injectors.env`` templates with the credential's inputs in a Jinja sandbox, and hands everything
to ansible-runner. These tests do the same against the CCE simulator, then check the outcome in
the simulator, the set_stats artifact AWX would store on the job, and that no secret reached the
job output or job events.
"""

import os
import re
import shutil
import sys
import textwrap
from pathlib import Path

import ansible_runner
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CREDENTIAL_TYPE_FILE = REPO_ROOT / "extensions" / "awx" / "credential_type.yml"
AWX_GUIDE = REPO_ROOT / "docs" / "docsite" / "rst" / "guide_awx.rst"
PLAYBOOKS_DIR = REPO_ROOT / "playbooks"
UPGRADE_PLAYBOOK = PLAYBOOKS_DIR / "upgrade.yml"

# The environment variables the connection options fall back to (DESIGN.md, "Fixed public names").
INJECTED_ENV = {
    "HW_REGION_NAME": "region",
    "HW_PROJECT_ID": "project_id",
    "HW_ACCESS_KEY": "access_key",
    "HW_SECRET_KEY": "secret_key",
    "HW_SECURITY_TOKEN": "security_token",
    "HW_AUTH_TOKEN": "auth_token",
    "HW_USER_NAME": "username",
    "HW_PASSWORD": "password",
    "HW_DOMAIN_NAME": "domain_name",
    "HW_CCE_ENDPOINT": "cce_endpoint",
    "HW_IAM_ENDPOINT": "iam_endpoint",
}
SECRET_FIELDS = {"secret_key", "security_token", "auth_token", "password"}

# The runner writes its own bookkeeping file ``artifacts/<ident>/command`` with the complete
# process environment (credentials included). AWX deletes the private data directory after the
# job; the file is never shown to users. Everything else in the artifacts directory (stdout,
# stderr, job_events, status, rc, fact cache) is what AWX turns into job output and events.
RUNNER_ENV_RECORD = "command"


def load_credential_type():
    with open(CREDENTIAL_TYPE_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def render_injectors(credential_type, inputs):
    """Render ``injectors.env`` as AWX does (awx/main/models/credential: inject_credential).

    AWX puts only the inputs that have a value into the template namespace and renders with an
    ImmutableSandboxedEnvironment, whose default Undefined renders as an empty string: a field
    left blank becomes an empty environment variable.
    """
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    sandbox = ImmutableSandboxedEnvironment()
    namespace = {name: value for name, value in inputs.items() if value not in (None, "")}
    return {
        name: sandbox.from_string(template).render(**namespace)
        for name, template in credential_type["injectors"]["env"].items()
    }


def credential_inputs(sim, auth):
    creds = sim.credentials
    inputs = {
        "region": creds["region"],
        "cce_endpoint": sim.url,
        "iam_endpoint": sim.url,
    }
    if auth == "aksk":
        inputs.update(project_id=creds["project_id"], access_key=creds["access_key"],
                      secret_key=creds["secret_key"])
    elif auth == "password":
        inputs.update(username=creds["username"], password=creds["password"],
                      domain_name=creds["domain_name"])
    else:  # pragma: no cover - test parameter typo
        raise ValueError(auth)
    return inputs


def secret_values(sim, inputs):
    creds = sim.credentials
    values = {inputs[name] for name in SECRET_FIELDS if inputs.get(name)}
    values.update(creds[name] for name in ("secret_key", "password") if creds.get(name))
    return sorted(v for v in values if len(v) >= 6)


def files_containing(root, needle, skip=()):
    found = []
    for path in sorted(Path(root).rglob("*")):
        if not path.is_file() or path.name in skip:
            continue
        if needle in path.read_text(encoding="utf-8", errors="replace"):
            found.append(str(path.relative_to(root)))
    return found


def build_private_data_dir(root, collections_path, envvars, extravars, cmdline=None):
    """Lay out a private data dir like AWX: project/, inventory/hosts, env/envvars, env/extravars."""
    shutil.copytree(PLAYBOOKS_DIR, root / "project")
    (root / "inventory").mkdir()
    (root / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    env = root / "env"
    env.mkdir()
    all_env = dict(envvars)
    all_env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
        "ANSIBLE_LOCAL_TEMP": str(root / "ansible-tmp"),
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_NOCOLOR": "1",
    })
    (env / "envvars").write_text(yaml.safe_dump(all_env, default_flow_style=False))
    (env / "extravars").write_text(yaml.safe_dump(extravars, default_flow_style=False))
    if cmdline:
        (env / "cmdline").write_text(cmdline)
    return root


@pytest.fixture
def clean_environment(monkeypatch):
    """No credentials from the developer's shell; runner's ansible-playbook from this venv."""
    for key in list(os.environ):
        if key.startswith(("HW_", "HUAWEICLOUD_SDK_")):
            monkeypatch.delenv(key)
    bin_dir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", bin_dir + os.pathsep + os.environ.get("PATH", ""))


def require_upgrade_playbook():
    assert UPGRADE_PLAYBOOK.is_file(), "playbooks/upgrade.yml is missing"


def run_job(tmp_path, collections_path, sim, auth, extravars, cmdline=None, timeout=900):
    inputs = credential_inputs(sim, auth)
    envvars = render_injectors(load_credential_type(), inputs)
    pdd = build_private_data_dir(tmp_path / "pdd", collections_path, envvars, extravars, cmdline)
    result = ansible_runner.run(
        private_data_dir=str(pdd), playbook="upgrade.yml", ident="job", quiet=True, timeout=timeout)
    return result, pdd, inputs


def stats_artifacts(result):
    """The set_stats data AWX stores as the job's ``artifacts``: ``artifact_data`` of the
    ``playbook_on_stats`` event written by runner's awx_display callback."""
    for event in result.events:
        if event.get("event") == "playbook_on_stats":
            return event["event_data"].get("artifact_data") or {}
    raise AssertionError("no playbook_on_stats event")


def job_output(pdd):
    return (pdd / "artifacts" / "job" / "stdout").read_text(encoding="utf-8", errors="replace")


# ---------------------------------------------------------------------------------------------
# The credential type itself (no simulator needed)


def test_credential_type_injects_exactly_the_connection_fallbacks():
    credential_type = load_credential_type()
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}

    assert credential_type["kind"] == "cloud"
    assert set(credential_type["injectors"]["env"]) == set(INJECTED_ENV)
    assert set(credential_type["injectors"]) == {"env"}
    for env_name, field_id in INJECTED_ENV.items():
        assert credential_type["injectors"]["env"][env_name] == "{{ %s }}" % field_id
        assert field_id in fields, env_name
    assert set(fields) == set(INJECTED_ENV.values())
    assert {name for name, field in fields.items() if field.get("secret")} == SECRET_FIELDS
    for name, field in fields.items():
        assert field["type"] == "string", name
        assert field.get("label") and field.get("help_text"), name
    assert set(credential_type["inputs"]["required"]) <= set(fields)


def test_blank_fields_render_as_empty_strings_like_awx():
    env = render_injectors(load_credential_type(), {"region": "cn-north-4", "access_key": "AKPLACEHOLDER",
                                                    "secret_key": "", "password": None})
    assert env["HW_REGION_NAME"] == "cn-north-4"
    assert env["HW_ACCESS_KEY"] == "AKPLACEHOLDER"
    assert env["HW_SECRET_KEY"] == ""
    assert env["HW_PASSWORD"] == ""
    assert env["HW_SECURITY_TOKEN"] == ""


def test_injected_names_match_the_module_fallbacks():
    """Every injected variable is the first environment fallback of its module option."""
    text = (REPO_ROOT / "plugins" / "module_utils" / "module.py").read_text(encoding="utf-8")
    fallbacks = dict(re.findall(r'(\w+)=dict\([^)]*fallback=_env\("(\w+)"', text))
    assert fallbacks, "no option=dict(..., fallback=_env(...)) found in plugins/module_utils/module.py"
    for env_name, option in INJECTED_ENV.items():
        assert fallbacks.get(option) == env_name, option


def test_awx_guide_shows_the_shipped_credential_type():
    """The YAML printed in the AWX guide is byte-for-byte the shipped file."""
    guide = AWX_GUIDE.read_text(encoding="utf-8")
    marker = "The complete file:\n\n.. code-block:: yaml\n\n"
    assert marker in guide
    block = guide.split(marker, 1)[1]
    lines = []
    for line in block.splitlines():
        if line and not line.startswith("   "):
            break
        lines.append(line)
    shown = textwrap.dedent("\n".join(lines)).strip() + "\n"
    assert shown == CREDENTIAL_TYPE_FILE.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Jobs through ansible-runner against the simulator


def assert_no_secret_in_job_output(sim, pdd, inputs):
    artifacts_dir = pdd / "artifacts"
    assert (artifacts_dir / "job" / "job_events").is_dir()
    assert any((artifacts_dir / "job" / "job_events").iterdir())
    secrets = secret_values(sim, inputs)
    assert secrets
    for secret in secrets:
        assert files_containing(artifacts_dir, secret, skip=(RUNNER_ENV_RECORD,)) == [], (
            "a secret value leaked into the job's output or events")
    # Positive control: the scan does find a secret where one is known to be (runner's own
    # environment record), so an empty result above means something.
    used = [inputs[name] for name in SECRET_FIELDS if inputs.get(name)]
    assert files_containing(artifacts_dir, used[0]) == ["job/%s" % RUNNER_ENV_RECORD]


# The real upgrade authenticates with AK/SK, the check-mode job below with a password (an IAM token):
# both credential kinds go through runner without a second full upgrade.
def test_upgrade_job_through_ansible_runner(sim, collections_path, tmp_path, clean_environment):
    require_upgrade_playbook()
    auth = "aksk"
    cluster = sim.cluster("prod-a")
    extravars = {
        "cce_upgrade_cluster_id": cluster["id"],
        "cce_upgrade_target_version": "v1.30",
        "cce_upgrade_poll_interval": 1,
    }

    result, pdd, inputs = run_job(tmp_path, collections_path, sim, auth, extravars)

    output = job_output(pdd)
    assert result.status == "successful", output[-4000:]
    assert result.rc == 0, output[-4000:]

    assert sim.cluster("prod-a")["version"].startswith("v1.30")

    # What AWX would store as the job's artifacts (and pass on in a workflow).
    artifacts = stats_artifacts(result)
    assert "cce_upgrade_results" in artifacts, artifacts
    record = artifacts["cce_upgrade_results"][cluster["id"]]
    assert record["outcome"] == "upgraded", record
    assert record["from_version"] == "v1.29.4-r0", record   # full versions (the cluster shows the minor)
    assert record["to_version"] == "v1.30.14-r10", record
    assert record["workflow_id"] and record["task_id"], record

    assert_no_secret_in_job_output(sim, pdd, inputs)


def test_check_mode_job_changes_nothing(sim, collections_path, tmp_path, clean_environment):
    """An AWX job of type "Check" (--check) runs the guard, reports the plan, and only reads from CCE."""
    require_upgrade_playbook()
    cluster = sim.cluster("prod-b")
    extravars = {
        "cce_upgrade_cluster_id": cluster["id"],
        "cce_upgrade_target_version": "v1.30",
        "cce_upgrade_poll_interval": 1,
    }

    result, pdd, inputs = run_job(tmp_path, collections_path, sim, "password", extravars, cmdline="--check",
                                  timeout=300)

    output = job_output(pdd)
    assert result.status == "successful", output[-4000:]
    assert sim.writes() == []   # IAM token requests are not writes to CCE
    assert sim.requests(), "the guard reads the cluster even in check mode"
    assert sim.cluster("prod-b")["version"] == cluster["version"]

    record = stats_artifacts(result)["cce_upgrade_results"][cluster["id"]]
    assert record["outcome"] == "planned" and record["check_mode"] is True, record
    assert record["action"] == "start", record
    assert record["steps"] == ["workflow", "precheck", "snapshot", "upgrade", "wait", "postcheck", "verify"], record
    assert record["from_version"] == "v1.29.4-r0" and record["target_version"] == "v1.30", record
    assert record["workflow_id"] is None and record["task_id"] is None, record
    assert "Check mode, nothing changed: prod-b v1.29.4-r0 -> v1.30 would start the upgrade" in record["message"], record
    assert "create an upgrade workflow to v1.30" in record["message"], record
    assert "Would run (check mode):" in output
    assert_no_secret_in_job_output(sim, pdd, inputs)
