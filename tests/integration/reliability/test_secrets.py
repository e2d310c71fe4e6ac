"""Secrets never reach the output: not at -vvvv, not in failures, tracebacks or results.

Each test runs real ``ansible`` / ``ansible-playbook`` at ``-vvvv`` and greps the whole output
(stdout and stderr) for every secret in play: the secret key (permanent and temporary), the
security token, the password, a given ``auth_token`` and every token the simulator's IAM issued
(they all start with ``MIIsim`` followed by hex digits).
"""

import json
import re
import textwrap
import urllib.request

import pytest

from reliability_helpers import new_cluster

ISSUED_TOKEN = re.compile(r"MIIsim[0-9a-f]{12}")
VVVV = 4

# Makes the HTTP layer blow up with an exception that carries the whole request (headers and body),
# the worst case of "a library raised something unexpected" (module exception path).
EXPLODE_SITECUSTOMIZE = textwrap.dedent('''
    import os
    if os.environ.get("CCE_REL_EXPLODE"):
        import http.client

        def _explode(self, method, url, body=None, headers=None, **kwargs):
            raise RuntimeError("http.client exploded on %s %s headers=%r body=%r"
                               % (method, url, headers, body))

        http.client.HTTPConnection.request = _explode
''')


def secrets_of(creds, *extra):
    values = [creds["secret_key"], creds["password"], creds["temporary_secret_key"], creds["security_token"]]
    return [v for v in values + list(extra) if v]


def assert_no_secret(output, secrets):
    leaked = [s for s in secrets if s and s in output]
    assert not leaked, "secret(s) leaked into the output: %s" % ["%s...(%d chars)" % (s[:4], len(s)) for s in leaked]
    token = ISSUED_TOKEN.search(output)
    assert token is None, "an IAM token leaked into the output: %s..." % token.group(0)[:10]


def iam_token(sim):
    creds = sim.credentials
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": creds["username"], "password": creds["password"], "domain": {"name": creds["domain_name"]}}}},
        "scope": {"project": {"id": creds["project_id"]}}}}
    req = urllib.request.Request(sim.url + "/v3/auth/tokens", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (loopback)
        return resp.headers["X-Subject-Token"]


PASSWORD_ENV = {"HW_ACCESS_KEY": None, "HW_SECRET_KEY": None}


def password_env(creds, password=None):
    return dict(PASSWORD_ENV, HW_USER_NAME=creds["username"], HW_PASSWORD=password or creds["password"],
                HW_DOMAIN_NAME=creds["domain_name"])


def test_aksk_success_and_result_hold_no_secret(rel, sim):
    rc, result, output = rel.module("cce_cluster_info", {"cluster_id": sim.cluster("prod-a")["id"]}, verbosity=VVVV)
    assert rc == 0, output
    assert result["cluster"]["name"] == "prod-a"
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output  # the invocation is shown, masked
    assert_no_secret(output, secrets_of(rel.credentials))


def test_temporary_aksk_with_security_token(rel, sim):
    creds = rel.credentials
    env = {"HW_ACCESS_KEY": creds["temporary_access_key"], "HW_SECRET_KEY": creds["temporary_secret_key"],
           "HW_SECURITY_TOKEN": creds["security_token"]}
    rc, result, output = rel.module("cce_cluster_upgrade_info", {"cluster_id": sim.cluster("prod-a")["id"]},
                                    env=env, verbosity=VVVV)
    assert rc == 0, output
    assert result["current_version"] == "v1.29"
    assert_no_secret(output, secrets_of(creds))


def test_wrong_secret_key_401(rel, sim):
    """The wrong key comes from the environment, as AWX injects it. (Given with ``-a`` on the
    command line, ansible-core itself echoes the ad-hoc task's arguments in its error context.)"""
    wrong = rel.credentials["secret_key"][::-1]
    rc, result, output = rel.module("cce_cluster_info", {}, env={"HW_SECRET_KEY": wrong}, verbosity=VVVV)
    assert rc != 0, output
    assert result["status_code"] == 401 and result["error_code"] == "APIGW.0301", output
    assert_no_secret(output, secrets_of(rel.credentials, wrong))


def test_wrong_project_403(rel, sim):
    rc, result, output = rel.module("cce_cluster_upgrade_info", {"cluster_id": sim.cluster("prod-a")["id"],
                                                                 "project_id": "f" * 32}, verbosity=VVVV)
    assert rc != 0, output
    assert result["error_code"] == "APIGW.0310", output
    assert_no_secret(output, secrets_of(rel.credentials))


def test_auth_token_success_then_expired(rel, sim):
    token = iam_token(sim)
    env = dict(PASSWORD_ENV, HW_AUTH_TOKEN=token)
    rc, result, output = rel.module("cce_cluster_info", {}, env=env, verbosity=VVVV)
    assert rc == 0, output
    assert len(result["clusters"]) >= 6
    assert_no_secret(output, secrets_of(rel.credentials, token))

    sim.expire_tokens()
    rc, result, output = rel.module("cce_cluster_info", {}, env=env, verbosity=VVVV)
    assert rc != 0, output
    assert result["error_code"] == "APIGW.0307", output
    assert_no_secret(output, secrets_of(rel.credentials, token))


def test_auth_token_with_trailing_newline(rel, sim):
    """A token read from a file keeps its newline: it must still be masked in every form."""
    token = iam_token(sim)
    env = dict(PASSWORD_ENV, HW_AUTH_TOKEN=token + "\n")
    rc, _result, output = rel.module("cce_cluster_info", {}, env=env, verbosity=VVVV)
    assert_no_secret(output, secrets_of(rel.credentials, token))


def test_password_success_and_wrong_password(rel, sim):
    creds = rel.credentials
    rc, result, output = rel.module("cce_cluster_info", {"name": "prod-b"}, env=password_env(creds), verbosity=VVVV)
    assert rc == 0, output
    assert [c["name"] for c in result["clusters"]] == ["prod-b"]
    assert_no_secret(output, secrets_of(creds))

    wrong = creds["password"] + "-wrong"
    rc, result, output = rel.module("cce_cluster_info", {}, env=password_env(creds, wrong), verbosity=VVVV)
    assert rc != 0, output
    assert result["status_code"] == 401, output
    assert "password" in result["msg"]  # tells the user what to check ...
    assert_no_secret(output, secrets_of(creds, wrong))  # ... without showing it


@pytest.mark.parametrize("auth", ["aksk", "token", "password"])
def test_unexpected_exception_path(rel, sim, tmp_path, auth):
    """A library exception carrying the whole request (headers, body) must be redacted too."""
    (tmp_path / "sitecustomize.py").write_text(EXPLODE_SITECUSTOMIZE)
    creds = rel.credentials
    env = {"CCE_REL_EXPLODE": "1", "PYTHONPATH": str(tmp_path)}
    token = None
    if auth == "token":
        token = iam_token(sim)
        env.update(PASSWORD_ENV, HW_AUTH_TOKEN=token)
    elif auth == "password":
        env.update(password_env(creds))
    rc, _result, output = rel.module("cce_cluster_upgrade", {"cluster_id": sim.cluster("prod-a")["id"],
                                                             "target_version": "v1.30"}, env=env, verbosity=VVVV)
    assert rc != 0, output
    assert "http.client exploded" in output, output  # the injected failure really happened and is reported
    assert_no_secret(output, secrets_of(creds, token))
    assert sim.writes() == []


def test_role_run_with_password_auth(rel, sim):
    creds = rel.credentials
    cid = new_cluster(sim)
    rc, output = rel.playbook({"cce_upgrade_cluster_id": cid, "cce_upgrade_target_version": "v1.30",
                               "cce_upgrade_poll_interval": 1, "cce_upgrade_snapshot": False},
                              env=password_env(creds), verbosity=VVVV)
    assert rc == 0, output[-3000:]
    assert "outcome=upgraded" in output
    assert_no_secret(output, secrets_of(creds))


def test_role_failure_with_aksk(rel, sim):
    """A role run that fails (wrong project) at -vvvv: rescue, report and final failure leak nothing."""
    creds = rel.credentials
    rc, output = rel.playbook({"cce_upgrade_cluster_id": sim.cluster("prod-a")["id"], "cce_upgrade_target_version": "v1.30"},
                              env={"HW_PROJECT_ID": "f" * 32}, verbosity=VVVV)
    assert rc != 0, output[-3000:]
    assert "APIGW.0310" in output
    assert_no_secret(output, secrets_of(creds))
