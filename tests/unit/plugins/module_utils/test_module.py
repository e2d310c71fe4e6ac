"""module.py: auth validation (pure), and CceModule's failure path through a real AnsibleModule."""

import json

import pytest

from ansible_collections.hwcloud.cce.plugins.module_utils.module import (
    CceModule,
    check_connection_params,
    check_wait_params,
    connection_argument_spec,
    format_failure,
    wait_argument_spec,
)
from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    import contextlib

    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved

AKSK = {"region": "cn-north-4", "project_id": "p", "access_key": "AK", "secret_key": "SK"}


@pytest.mark.parametrize("params,method", [
    (AKSK, "aksk"),
    (dict(AKSK, security_token="STS"), "aksk"),
    ({"cce_endpoint": "http://127.0.0.1:1", "project_id": "p", "auth_token": "T"}, "token"),
    ({"region": "cn-north-4", "username": "u", "password": "pw", "domain_name": "d"}, "password"),
    ({"cce_endpoint": "http://sim", "iam_endpoint": "http://sim", "project_id": "p",
      "username": "u", "password": "pw", "domain_name": "d"}, "password"),
])
def test_valid_connection_params(params, method):
    assert check_connection_params(params) == method


@pytest.mark.parametrize("params,pattern", [
    ({"region": "r", "project_id": "p"}, r"no credentials: give one of: access_key and secret_key \(HW_ACCESS_KEY.*"
                                         r"auth_token \(HW_AUTH_TOKEN\).*username, password and domain_name"),
    (dict(AKSK, auth_token="T"), "conflicting credentials: access_key/secret_key and auth_token"),
    (dict(AKSK, username="u", password="pw", domain_name="d"), "conflicting credentials: access_key/secret_key and username/password"),
    ({"region": "r", "project_id": "p", "auth_token": "T", "password": "pw"}, "conflicting credentials: auth_token and username/password"),
    ({"region": "r", "project_id": "p", "access_key": "AK"}, "secret_key is missing"),
    ({"region": "r", "project_id": "p", "secret_key": "SK"}, "access_key is missing"),
    ({"region": "r", "username": "u"}, "password and domain_name are missing"),
    ({"region": "r", "username": "u", "password": "pw"}, "domain_name is missing"),
    ({"region": "r", "password": "pw", "domain_name": "d"}, "username is missing"),
    ({"region": "r", "domain_name": "d"}, "domain_name is set but username and password are missing"),
    ({"region": "r", "project_id": "p", "security_token": "S"}, "security_token is set but access_key"),
    ({"region": "r", "project_id": "p", "auth_token": "T", "security_token": "S"}, "security_token is only used with access_key"),
    ({"project_id": "p", "access_key": "AK", "secret_key": "SK"}, "region is required .*HW_REGION_NAME.*cce_endpoint"),
    ({"region": "r", "access_key": "AK", "secret_key": "SK"}, "project_id is required with access_key/secret_key"),
    ({"region": "r", "auth_token": "T"}, "project_id is required with auth_token"),
    ({"cce_endpoint": "http://x", "username": "u", "password": "pw", "domain_name": "d"}, "needs region or project_id"),
    ({"cce_endpoint": "http://x", "project_id": "p", "username": "u", "password": "pw", "domain_name": "d"},
     "needs region or iam_endpoint"),
    (dict(AKSK, cce_endpoint="ftp://x"), "cce_endpoint must be an http:// or https:// URL"),
    (dict(AKSK, api_timeout=0), "api_timeout must be positive"),
    (dict(AKSK, api_retries=-1), "api_retries must be between 0 and 20"),
    (dict(AKSK, ca_path="/nonexistent/ca.pem"), "ca_path /nonexistent/ca.pem is not a file"),
])
def test_invalid_connection_params(params, pattern):
    with pytest.raises(ValueError, match=pattern):
        check_connection_params(params)


def test_wait_params():
    check_wait_params({"wait_timeout": 0, "poll_interval": 0.5})
    with pytest.raises(ValueError, match="wait_timeout"):
        check_wait_params({"wait_timeout": -1, "poll_interval": 1})
    with pytest.raises(ValueError, match="poll_interval"):
        check_wait_params({"wait_timeout": 1, "poll_interval": 0})


def test_spec_env_fallbacks_and_no_log():
    spec = connection_argument_spec()
    envs = dict((name, opt["fallback"][1]) for name, opt in spec.items() if "fallback" in opt)
    assert envs == {
        "region": ["HW_REGION_NAME"], "project_id": ["HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID"],
        "access_key": ["HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK"], "secret_key": ["HW_SECRET_KEY", "HUAWEICLOUD_SDK_SK"],
        "security_token": ["HW_SECURITY_TOKEN"], "auth_token": ["HW_AUTH_TOKEN"], "username": ["HW_USER_NAME"],
        "password": ["HW_PASSWORD"], "domain_name": ["HW_DOMAIN_NAME"], "iam_endpoint": ["HW_IAM_ENDPOINT"],
        "cce_endpoint": ["HW_CCE_ENDPOINT"]}
    assert sorted(n for n, o in spec.items() if o.get("no_log")) == ["auth_token", "password", "secret_key", "security_token"]
    assert spec["cluster_flavor"]["default"] == "cce" and spec["api_retries"]["default"] == 5
    assert wait_argument_spec() == {"wait": {"type": "bool", "default": True},
                                    "wait_timeout": {"type": "int", "default": 3600},
                                    "poll_interval": {"type": "float", "default": 10.0}}


def test_doc_fragments_match_spec():
    import yaml
    from ansible_collections.hwcloud.cce.plugins.doc_fragments import connection, wait
    for fragment, spec in ((connection, connection_argument_spec()), (wait, wait_argument_spec())):
        options = yaml.safe_load(fragment.ModuleDocFragment.DOCUMENTATION)["options"]
        assert set(options) == set(spec)
        for name, opt in spec.items():
            assert options[name]["type"] == opt["type"], name
            assert options[name].get("default") == opt.get("default"), name
            assert options[name].get("choices") == opt.get("choices"), name
            for env in opt.get("fallback", (None, []))[1]:
                assert "E(%s)" % env in " ".join(options[name]["description"]), (name, env)


def test_format_failure():
    err = CceApiError("HTTP 401: signature expired", kind="auth", status=401, error_code="APIGW.0303",
                      request_id="rid-9", hint="the clock of this machine differs: sync it (NTP)")
    assert format_failure(err, "create workflow") == (
        "create workflow failed: HTTP 401: signature expired (APIGW.0303, request rid-9). "
        "the clock of this machine differs: sync it (NTP)")
    assert format_failure(ValueError("bad"), "x") == "x failed: bad."


def run_module(monkeypatch, capsys, args, **kwargs):
    for key in ("HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_AUTH_TOKEN", "HW_USER_NAME", "HW_PASSWORD",
                "HW_REGION_NAME", "HW_PROJECT_ID", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK",
                "HUAWEICLOUD_SDK_PROJECT_ID", "HW_DOMAIN_NAME", "HW_CCE_ENDPOINT", "HW_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    with patch_module_args(args):
        return CceModule(**kwargs)


def exit_result(capsys):
    return json.loads(capsys.readouterr().out)


def test_module_fails_before_sending_without_credentials(monkeypatch, capsys):
    with pytest.raises(SystemExit):
        run_module(monkeypatch, capsys, {"region": "cn-north-4"}, argument_spec={})
    result = exit_result(capsys)
    assert result["failed"] and "no credentials" in result["msg"] and "HW_AUTH_TOKEN" in result["msg"]


def test_module_env_fallback_and_warning(monkeypatch, capsys):
    from ansible.module_utils import _internal as ansible_internal
    from ansible.module_utils.common import warnings as ansible_warnings

    # Warnings are process-global in ansible; start from none so that "warned once" is exact. Once a
    # test in this process has loaded controller code (filter or inventory plugin tests), ansible
    # sends warnings to the display instead of the module result: run this one as a module would.
    monkeypatch.setattr(ansible_warnings, "_global_warnings", {})
    monkeypatch.setattr(ansible_internal, "is_controller", False)
    for name in ("HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_AUTH_TOKEN", "HW_USER_NAME", "HW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "AK-env")
    with pytest.raises(SystemExit):
        with patch_module_args({"region": "r", "project_id": "p", "secret_key": "SK-1234567",
                                "validate_certs": False, "cluster_flavor": "autopilot"}):
            module = CceModule(argument_spec={"cluster_id": {"type": "str"}}, supports_check_mode=True, wait=True)
            assert module.params["access_key"] == "AK-env"
            assert module.params["wait"] is True and module.params["poll_interval"] == 10.0
            assert module.api.prefix == "/autopilot"
            assert module.client.config.access_key == "AK-env" and module.client.config.validate_certs is False
            err = CceApiError("HTTP 403 ... SK-1234567", kind="forbidden", status=403, error_code="APIGW.0310",
                              request_id="r1", hint="check project_id matches region", outcome_unknown=True)
            module.fail_from_error(err, "list clusters")
    result = exit_result(capsys)
    assert len(result["warnings"]) == 1  # warned once
    assert "validate_certs is false: the TLS certificates" in json.dumps(result["warnings"])
    assert result["msg"].startswith("list clusters failed: HTTP 403")
    assert "SK-1234567" not in json.dumps(result)
    assert (result["status_code"], result["error_code"], result["request_id"], result["error_kind"],
            result["outcome_unknown"]) == (403, "APIGW.0310", "r1", "forbidden", True)


def test_empty_environment_variable_does_not_hide_the_next_one(monkeypatch):
    """AWX injects blank optional credential fields as empty variables."""
    from ansible.module_utils.basic import AnsibleFallbackNotFound
    from ansible_collections.hwcloud.cce.plugins.module_utils.module import non_empty_env_fallback

    monkeypatch.setenv("HW_PROJECT_ID", "")
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", "p-from-sdk-variable")
    assert non_empty_env_fallback("HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID") == "p-from-sdk-variable"
    monkeypatch.setenv("HW_PROJECT_ID", "p-from-hw-variable")
    assert non_empty_env_fallback("HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID") == "p-from-hw-variable"
    monkeypatch.setenv("HW_PROJECT_ID", "")
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", "")
    with pytest.raises(AnsibleFallbackNotFound):
        non_empty_env_fallback("HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID")
