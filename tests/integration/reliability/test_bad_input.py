"""Bad input fails early, names the option at fault, and sends nothing.

Two classes of case:

* Input that is wrong on its face (malformed ids and versions, out-of-range steps, wrong types,
  unknown choices, bad windows, conflicting or missing credentials): the run fails with a message
  naming the option, and the simulator's request log shows **zero requests** (not even a GET).
* Input that is only wrong given the cluster's state (a downgrade, a skipped minor, a target CCE
  does not offer): the module or role has to read the cluster first, so GETs are expected; the
  request log must show **zero writes** (no POST/PATCH/PUT/DELETE), and the message still names
  the option.

Cluster names in ``{braces}`` are replaced by that default-scenario cluster's id at run time.

The module cases run as one playbook per environment (reliability_helpers.ModuleCaseBatch: one
task per case, its result registered, the request log marked before it), once per worker; each
case is still its own test, asserting on its own task's result, output and requests.
"""

import json
import re

import pytest

from reliability_helpers import ModuleCaseBatch

UUID_NIL = "00000000-0000-4000-8000-000000000000"

# (id, module, args, option named in the message, env overrides)
MODULE_CASES = [
    # --- cce_cluster_upgrade: ids, versions, steps, types, choices
    ("upgrade-cluster-id-not-uuid", "cce_cluster_upgrade", {"cluster_id": "not-a-uuid", "target_version": "v1.30"}, "cluster_id", None),
    ("upgrade-cluster-id-missing", "cce_cluster_upgrade", {"target_version": "v1.30"}, "cluster_id", None),
    ("upgrade-cluster-id-short-hex", "cce_cluster_upgrade", {"cluster_id": "466652df-a613-5710-bfdc", "target_version": "v1.30"}, "cluster_id", None),
    ("upgrade-cluster-id-wrong-type", "cce_cluster_upgrade", {"cluster_id": ["{prod-a}"], "target_version": "v1.30"}, "cluster_id", None),
    ("upgrade-target-missing", "cce_cluster_upgrade", {"cluster_id": "{prod-a}"}, "target_version", None),
    ("upgrade-target-no-v", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "1.30"}, "target_version", None),
    ("upgrade-target-word", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "latest"}, "target_version", None),
    ("upgrade-target-bad-revision", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.30.2-rc1"}, "target_version", None),
    ("upgrade-step-zero", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.30", "user_defined_step": 0}, "user_defined_step", None),
    ("upgrade-step-too-big", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.30", "user_defined_step": 121}, "user_defined_step", None),
    ("upgrade-step-wrong-type", "cce_cluster_upgrade",
     {"cluster_id": "{prod-a}", "target_version": "v1.30", "user_defined_step": "many"}, "user_defined_step", None),
    ("upgrade-scope-unknown", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.30", "scope": "Everything"}, "scope", None),
    ("upgrade-state-unknown", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.30", "state": "upgraded"}, "state", None),
    ("upgrade-addon-without-version", "cce_cluster_upgrade",
     {"cluster_id": "{prod-a}", "target_version": "v1.30", "addons": [{"name": "coredns"}]}, "version", None),
    ("upgrade-node-pool-order-negative", "cce_cluster_upgrade",
     {"cluster_id": "{prod-a}", "target_version": "v1.30", "node_pool_order": {"DefaultPool": -1}}, "node_pool_order", None),
    ("upgrade-only-upgrade-not-bool", "cce_cluster_upgrade",
     {"cluster_id": "{prod-a}", "target_version": "v1.30", "is_only_upgrade": "maybe"}, "is_only_upgrade", None),
    ("upgrade-pause-autopilot", "cce_cluster_upgrade", {"cluster_id": "{ap-a}", "cluster_flavor": "autopilot", "state": "paused"}, "cluster_flavor", None),
    ("upgrade-flavor-unknown", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.30", "cluster_flavor": "turbo"}, "cluster_flavor", None),
    ("upgrade-wait-timeout-negative", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.30", "wait_timeout": -1}, "wait_timeout", None),
    ("upgrade-poll-interval-zero", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.30", "poll_interval": 0}, "poll_interval", None),
    ("upgrade-api-timeout-zero", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.30", "api_timeout": 0}, "api_timeout", None),
    ("upgrade-api-retries-too-many", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.30", "api_retries": 50}, "api_retries", None),
    # --- credentials (conflicting, missing, incomplete) and endpoints
    ("creds-token-and-aksk", "cce_cluster_info", {"auth_token": "MIIsim-given-token-0123456789abcdef"}, "auth_token", None),
    ("creds-password-and-aksk", "cce_cluster_info", {"username": "u", "password": "p", "domain_name": "d"}, "username", None),
    ("creds-none", "cce_cluster_info", {}, "access_key", {"HW_ACCESS_KEY": None, "HW_SECRET_KEY": None}),
    ("creds-secret-key-missing", "cce_cluster_info", {}, "secret_key", {"HW_SECRET_KEY": None}),
    ("creds-domain-missing", "cce_cluster_info",
     {"username": "sim-user", "password": "sim-Passw0rd-given"}, "domain_name", {"HW_ACCESS_KEY": None, "HW_SECRET_KEY": None}),
    ("creds-security-token-with-auth-token", "cce_cluster_info",
     {"auth_token": "MIIsim-given-token-0123456789abcdef", "security_token": "sim-security-token-given-0123456789"},
     "security_token", {"HW_ACCESS_KEY": None, "HW_SECRET_KEY": None}),
    ("creds-project-missing", "cce_cluster_info", {}, "project_id", {"HW_PROJECT_ID": None}),
    ("creds-region-and-endpoint-missing", "cce_cluster_info", {}, "region", {"HW_REGION_NAME": None, "HW_CCE_ENDPOINT": None}),
    ("endpoint-bad-scheme", "cce_cluster_info", {"cce_endpoint": "ftp://127.0.0.1:1"}, "cce_endpoint", None),
    ("ca-path-missing-file", "cce_cluster_info", {"ca_path": "/nonexistent/ca-bundle.pem"}, "ca_path", None),
    ("validate-certs-not-bool", "cce_cluster_info", {"validate_certs": "perhaps"}, "validate_certs", None),
    # --- the other modules
    ("info-cluster-id-not-uuid", "cce_cluster_info", {"cluster_id": "prod-a"}, "cluster_id", None),
    ("info-version-malformed", "cce_cluster_info", {"version": "1.29"}, "version", None),
    ("upgrade-info-cluster-id-not-uuid", "cce_cluster_upgrade_info", {"cluster_id": "12345"}, "cluster_id", None),
    ("upgrade-info-task-id-not-uuid", "cce_cluster_upgrade_info", {"cluster_id": "{prod-a}", "task_id": "../../etc"}, "task_id", None),
    ("workflow-cluster-id-not-uuid", "cce_upgrade_workflow", {"cluster_id": "x" * 36, "target_version": "v1.30"}, "cluster_id", None),
    ("workflow-target-malformed", "cce_upgrade_workflow", {"cluster_id": "{prod-a}", "target_version": "v1.30.x"}, "target_version", None),
    ("workflow-target-missing", "cce_upgrade_workflow", {"cluster_id": "{prod-a}", "state": "present"}, "target_version", None),
    ("workflow-state-unknown", "cce_upgrade_workflow", {"cluster_id": "{prod-a}", "target_version": "v1.30", "state": "deleted"}, "state", None),
    ("workflow-id-not-uuid", "cce_upgrade_workflow", {"cluster_id": "{prod-a}", "state": "cancelled", "workflow_id": "bogus"}, "workflow_id", None),
    ("workflow-info-id-not-uuid", "cce_upgrade_workflow_info", {"cluster_id": "{prod-a}", "workflow_id": "bogus/../x"}, "workflow_id", None),
    ("precheck-target-missing", "cce_precheck", {"cluster_id": "{prod-a}"}, "target_version", None),
    ("precheck-target-malformed", "cce_precheck", {"cluster_id": "{prod-a}", "target_version": "one.thirty"}, "target_version", None),
    ("precheck-skipped-items-wrong-type", "cce_precheck",
     {"cluster_id": "{prod-a}", "target_version": "v1.30", "skipped_check_items": [123]}, "skipped_check_items", None),
    ("precheck-wait-timeout-wrong-type", "cce_precheck", {"cluster_id": "{prod-a}", "target_version": "v1.30", "wait_timeout": "soon"}, "wait_timeout", None),
    ("snapshot-max-age-negative", "cce_snapshot", {"cluster_id": "{prod-a}", "max_age": -5}, "max_age", None),
    ("snapshot-cluster-id-not-uuid", "cce_snapshot", {"cluster_id": "{prod-a}-extra"}, "cluster_id", None),
    ("postcheck-target-malformed", "cce_postcheck", {"cluster_id": "{prod-a}", "target_version": "v1"}, "target_version", None),
    ("postcheck-workflow-id-not-uuid", "cce_postcheck", {"cluster_id": "{prod-a}", "workflow_id": "not-a-workflow"}, "workflow_id", None),
]

# Cases that need the cluster's state: reads allowed, zero writes. (id, module, args, option)
STATE_CASES = [
    ("upgrade-downgrade", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.28"}, "target_version"),
    ("upgrade-skipped-minor", "cce_cluster_upgrade", {"cluster_id": "{prod-a}", "target_version": "v1.32"}, "target_version"),
    ("upgrade-target-not-offered", "cce_cluster_upgrade", {"cluster_id": "{legacy-a}", "target_version": "v1.26"}, "target_version"),
    ("workflow-downgrade", "cce_upgrade_workflow", {"cluster_id": "{prod-a}", "target_version": "v1.28"}, "target_version"),
    ("workflow-skipped-minor", "cce_upgrade_workflow", {"cluster_id": "{prod-a}", "target_version": "v1.32"}, "target_version"),
    ("precheck-downgrade", "cce_precheck", {"cluster_id": "{prod-a}", "target_version": "v1.27"}, "target_version"),
]

# Role (playbooks/upgrade.yml) cases: (id, extra vars, option, zero writes only?)
ROLE_CASES = [
    ("role-cluster-id-missing", {"cce_upgrade_target_version": "v1.30"}, "cce_upgrade_cluster_id", False),
    ("role-cluster-id-not-uuid", {"cce_upgrade_cluster_id": "prod-a", "cce_upgrade_target_version": "v1.30"}, "cce_upgrade_cluster_id", False),
    ("role-target-missing", {"cce_upgrade_cluster_id": "{prod-a}"}, "cce_upgrade_target_version", False),
    ("role-target-malformed", {"cce_upgrade_cluster_id": "{prod-a}", "cce_upgrade_target_version": "1.30"}, "cce_upgrade_target_version", False),
    ("role-flavor-unknown",
     {"cce_upgrade_cluster_id": "{prod-a}", "cce_upgrade_target_version": "v1.30", "cce_upgrade_cluster_flavor": "turbo"}, "cce_upgrade_cluster_flavor", False),
    ("role-step-too-big",
     {"cce_upgrade_cluster_id": "{prod-a}", "cce_upgrade_target_version": "v1.30", "cce_upgrade_user_defined_step": 500},
     "cce_upgrade_user_defined_step", False),
    ("role-poll-interval-wrong-type",
     {"cce_upgrade_cluster_id": "{prod-a}", "cce_upgrade_target_version": "v1.30", "cce_upgrade_poll_interval": "fast"}, "cce_upgrade_poll_interval", False),
    ("role-window-bad-start",
     {"cce_upgrade_cluster_id": "{prod-a}", "cce_upgrade_target_version": "v1.30", "cce_upgrade_window": {"start": "25:00", "duration": 60}},
     "cce_upgrade_window", False),
    ("role-window-zero-duration",
     {"cce_upgrade_cluster_id": "{prod-a}", "cce_upgrade_target_version": "v1.30", "cce_upgrade_window": {"start": "02:00", "duration": 0}},
     "cce_upgrade_window", False),
    ("role-window-bad-timezone",
     {"cce_upgrade_cluster_id": "{prod-a}", "cce_upgrade_target_version": "v1.30",
      "cce_upgrade_window": {"start": "02:00", "duration": 120, "timezone": "Mars/Olympus"}},
     "cce_upgrade_window", False),
    ("role-window-bad-weekday",
     {"cce_upgrade_cluster_id": "{prod-a}", "cce_upgrade_target_version": "v1.30",
      "cce_upgrade_window": {"start": "02:00", "duration": 120, "weekdays": ["caturday"]}},
     "cce_upgrade_window", False),
    ("role-downgrade", {"cce_upgrade_cluster_id": "{prod-a}", "cce_upgrade_target_version": "v1.28"}, "cce_upgrade_target_version", True),
    ("role-out-of-reach", {"cce_upgrade_cluster_id": "{prod-a}", "cce_upgrade_target_version": "v1.34"}, "cce_upgrade_target_version", True),
]

_FATAL = re.compile(r"^fatal: \[localhost\]: FAILED! => ", re.M)


def _fill(sim, value):
    """Replace ``{cluster-name}`` with that cluster's id, recursively."""
    if isinstance(value, str):
        return re.sub(r"\{([a-z0-9-]+)\}", lambda m: sim.cluster(m.group(1))["id"], value)
    if isinstance(value, list):
        return [_fill(sim, item) for item in value]
    if isinstance(value, dict):
        return {key: _fill(sim, item) for key, item in value.items()}
    return value


def _fatal_messages(output):
    """The ``msg`` of every failed task in a default-callback playbook output."""
    messages = []
    for match in _FATAL.finditer(output):
        try:
            result = json.JSONDecoder().raw_decode(output, match.end())[0]
        except ValueError:
            continue
        messages.append(str(result.get("msg", "")) + " " + json.dumps(result.get("argument_errors", "")))
    return messages


def _env_key(env):
    return tuple(sorted((env or {}).items()))


class _ModuleCaseRuns:
    """The module cases, run in batches of one environment each, on first use (once per worker)."""

    def __init__(self, runner, work_dir):
        self.batch = ModuleCaseBatch(runner, work_dir)
        self.outcomes = {}
        self.groups = {}
        for case_id, module, args, _option, env in MODULE_CASES:
            self.groups.setdefault(_env_key(env), (env, []))[1].append((case_id, module, args))
        for case_id, module, args, _option in STATE_CASES:
            self.groups.setdefault(_env_key(None), (None, []))[1].append((case_id, module, args))

    def outcome(self, case_id):
        if case_id not in self.outcomes:
            for number, (env, cases) in enumerate(self.groups.values()):
                if any(case[0] == case_id for case in cases):
                    self.outcomes.update(self.batch.run(cases, env=env, name="env%d" % number, fill=_fill))
        return self.outcomes[case_id]


@pytest.fixture(scope="module")
def module_case_runs(simulator, ansible_runner_for, tmp_path_factory):
    return _ModuleCaseRuns(ansible_runner_for(simulator, tmp_path_factory.mktemp("bad-input")),
                           tmp_path_factory.mktemp("bad-input-batches"))


# A failed task and its "fatal: [localhost]: FAILED!" line are the playbook forms of an ad-hoc
# run's rc != 0 and "localhost | FAILED!".
@pytest.mark.xdist_group("bad-input-module-cases")  # one worker runs the batches (--dist loadgroup)
@pytest.mark.parametrize("case", MODULE_CASES, ids=[c[0] for c in MODULE_CASES])
def test_module_rejects_bad_input_without_any_request(module_case_runs, case):
    run = module_case_runs.outcome(case[0])
    result, output, sent, option = run.result, run.output, run.sent, case[3]
    assert run.failed is True, output
    assert "fatal: [localhost]: FAILED!" in output, output
    assert option in result.get("msg", ""), "message does not name %s: %r" % (option, result.get("msg"))
    assert sent == [], "bad input sent requests: %s" % sent


@pytest.mark.xdist_group("bad-input-module-cases")
@pytest.mark.parametrize("case", STATE_CASES, ids=[c[0] for c in STATE_CASES])
def test_module_rejects_state_dependent_target_without_writes(module_case_runs, case):
    run = module_case_runs.outcome(case[0])
    result, output, sent, option = run.result, run.output, run.sent, case[3]
    assert run.failed is True, output
    assert "fatal: [localhost]: FAILED!" in output, output
    msg = result.get("msg", "")
    assert option in msg, "message does not name %s: %r" % (option, msg)
    assert "v1." in msg, "message should list what is accepted: %r" % msg
    writes = [r for r in sent if r["method"] != "GET" and not r["path"].startswith("/v3/auth")]
    assert writes == [], "state-dependent bad input wrote: %s" % writes


@pytest.mark.parametrize("extra_vars,option,reads_allowed", [c[1:] for c in ROLE_CASES], ids=[c[0] for c in ROLE_CASES])
def test_role_rejects_bad_input(rel, sim, extra_vars, option, reads_allowed):
    before = len(sim.requests())
    rc, output = rel.playbook(_fill(sim, dict(extra_vars, cce_upgrade_poll_interval=extra_vars.get("cce_upgrade_poll_interval", 1))))
    sent = sim.requests()[before:]
    assert rc != 0, output
    messages = _fatal_messages(output)
    assert messages, output
    assert any(option in message for message in messages), "no failure names %s: %s" % (option, messages)
    if reads_allowed:
        writes = [r for r in sent if r["method"] != "GET" and not r["path"].startswith("/v3/auth")]
        assert writes == [], "state-dependent bad input wrote: %s" % writes
    else:
        assert sent == [], "bad input sent requests: %s" % sent


def test_case_count():
    """The issue asks for at least 40 bad-input cases across all modules and the role."""
    modules = {c[1] for c in MODULE_CASES + STATE_CASES}
    assert len(MODULE_CASES) + len(STATE_CASES) + len(ROLE_CASES) >= 40
    assert modules >= {"cce_cluster_upgrade", "cce_cluster_upgrade_info", "cce_cluster_info", "cce_upgrade_workflow",
                       "cce_upgrade_workflow_info", "cce_precheck", "cce_snapshot", "cce_postcheck"}
