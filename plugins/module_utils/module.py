# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CceModule: the one base every hwcloud.cce module builds on (wraps AnsibleModule)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleFallbackNotFound, AnsibleModule

from ansible_collections.hwcloud.cce.plugins.module_utils.transport import (
    CceApiError,
    CceClient,
    ConnectionConfig,
    redact,
)
from ansible_collections.hwcloud.cce.plugins.module_utils.api import CceApi, FLAVORS
from ansible_collections.hwcloud.cce.plugins.module_utils.waiter import wait_until

DEFAULT_API_TIMEOUT = 60
DEFAULT_API_RETRIES = 5
DEFAULT_WAIT_TIMEOUT = 3600
DEFAULT_POLL_INTERVAL = 10.0

AUTH_HELP = (
    "give one of: access_key and secret_key (HW_ACCESS_KEY / HW_SECRET_KEY, or "
    "HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK; optionally security_token / HW_SECURITY_TOKEN); "
    "auth_token (HW_AUTH_TOKEN); or username, password and domain_name "
    "(HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME)"
)


def non_empty_env_fallback(*names):
    """The first of ``names`` set to a non-empty value in the environment.

    AWX renders a credential's blank optional fields as empty variables; an empty ``HW_*``
    variable must not hide a ``HUAWEICLOUD_SDK_*`` one, nor count as a value.
    """
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


def _env(*names):
    return (non_empty_env_fallback, list(names))


def connection_argument_spec():
    """The shared connection options (documented by the ``hwcloud.cce.connection`` fragment)."""
    return dict(
        region=dict(type="str", fallback=_env("HW_REGION_NAME")),
        project_id=dict(type="str", fallback=_env("HW_PROJECT_ID", "HUAWEICLOUD_SDK_PROJECT_ID")),
        access_key=dict(type="str", no_log=False, fallback=_env("HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK")),
        secret_key=dict(type="str", no_log=True, fallback=_env("HW_SECRET_KEY", "HUAWEICLOUD_SDK_SK")),
        security_token=dict(type="str", no_log=True, fallback=_env("HW_SECURITY_TOKEN")),
        auth_token=dict(type="str", no_log=True, fallback=_env("HW_AUTH_TOKEN")),
        username=dict(type="str", fallback=_env("HW_USER_NAME")),
        password=dict(type="str", no_log=True, fallback=_env("HW_PASSWORD")),
        domain_name=dict(type="str", fallback=_env("HW_DOMAIN_NAME")),
        iam_endpoint=dict(type="str", fallback=_env("HW_IAM_ENDPOINT")),
        cce_endpoint=dict(type="str", fallback=_env("HW_CCE_ENDPOINT")),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        api_timeout=dict(type="int", default=DEFAULT_API_TIMEOUT),
        api_retries=dict(type="int", default=DEFAULT_API_RETRIES),
        cluster_flavor=dict(type="str", default="cce", choices=list(FLAVORS)),
    )


def wait_argument_spec():
    """``wait``, ``wait_timeout``, ``poll_interval`` (the ``hwcloud.cce.wait`` fragment)."""
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
        poll_interval=dict(type="float", default=DEFAULT_POLL_INTERVAL),
    )


def check_connection_params(params):
    """Validate the connection options before anything is sent.

    Returns the auth method (``aksk``, ``token`` or ``password``); raises ValueError with a
    message naming the options at fault.
    """
    def given(name):
        value = params.get(name)
        return value is not None and value != ""

    methods = []
    if given("access_key") or given("secret_key"):
        methods.append(("aksk", "access_key/secret_key"))
    if given("auth_token"):
        methods.append(("token", "auth_token"))
    if given("username") or given("password"):
        methods.append(("password", "username/password"))
    if len(methods) > 1:
        raise ValueError("conflicting credentials: %s are all set (options or environment); %s, not several"
                         % (" and ".join(label for _m, label in methods), AUTH_HELP.replace("give one of", "give one")))
    if not methods:
        if given("domain_name"):
            raise ValueError("domain_name is set but username and password are missing")
        if given("security_token"):
            raise ValueError("security_token is set but access_key and secret_key are missing")
        raise ValueError("no credentials: " + AUTH_HELP)
    method = methods[0][0]
    if method != "aksk" and given("security_token"):
        raise ValueError("security_token is only used with access_key and secret_key, not with %s"
                         % methods[0][1])
    if method == "aksk":
        missing = [n for n in ("access_key", "secret_key") if not given(n)]
        if missing:
            raise ValueError("%s is missing: AK/SK authentication needs both access_key and secret_key "
                             "(HW_ACCESS_KEY / HW_SECRET_KEY)" % missing[0])
    if method == "password":
        missing = [n for n in ("username", "password", "domain_name") if not given(n)]
        if missing:
            raise ValueError("%s %s missing: password authentication needs username, password and domain_name "
                             "(HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME)"
                             % (" and ".join(missing), "is" if len(missing) == 1 else "are"))
        if not given("region") and not given("project_id"):
            raise ValueError("password authentication needs region or project_id to scope the IAM token")
        if not given("region") and not given("iam_endpoint"):
            raise ValueError("password authentication needs region or iam_endpoint (HW_IAM_ENDPOINT)")
    if not given("region") and not given("cce_endpoint"):
        raise ValueError("region is required (option region or HW_REGION_NAME), unless cce_endpoint is given")
    if method in ("aksk", "token") and not given("project_id"):
        raise ValueError("project_id is required with %s (option project_id, HW_PROJECT_ID or "
                         "HUAWEICLOUD_SDK_PROJECT_ID)" % ("access_key/secret_key" if method == "aksk" else "auth_token"))
    for name in ("cce_endpoint", "iam_endpoint"):
        if given(name) and "://" in params[name] and not params[name].lower().startswith(("http://", "https://")):
            raise ValueError("%s must be an http:// or https:// URL, got %r" % (name, params[name]))
    if params.get("api_timeout") is not None and params["api_timeout"] <= 0:
        raise ValueError("api_timeout must be positive, got %r" % params["api_timeout"])
    if params.get("api_retries") is not None and not 0 <= params["api_retries"] <= 20:
        raise ValueError("api_retries must be between 0 and 20, got %r" % params["api_retries"])
    if given("ca_path") and not os.path.isfile(params["ca_path"]):
        raise ValueError("ca_path %s is not a file (a PEM CA bundle is expected)" % params["ca_path"])
    if params.get("cluster_flavor") is not None and params["cluster_flavor"] not in FLAVORS:
        raise ValueError("cluster_flavor must be one of %s" % ", ".join(FLAVORS))
    return method


def check_wait_params(params):
    """Validate ``wait_timeout`` and ``poll_interval``; raises ValueError."""
    if params.get("wait_timeout") is not None and params["wait_timeout"] < 0:
        raise ValueError("wait_timeout must be 0 or more seconds, got %r" % params["wait_timeout"])
    if params.get("poll_interval") is not None and params["poll_interval"] <= 0:
        raise ValueError("poll_interval must be more than 0 seconds, got %r" % params["poll_interval"])


def format_failure(err, action):
    """``<action> failed: <message> (<error_code>, request <id>). <hint>``"""
    message = getattr(err, "message", None) or str(err)
    refs = []
    if getattr(err, "error_code", None):
        refs.append(err.error_code)
    if getattr(err, "request_id", None):
        refs.append("request %s" % err.request_id)
    text = "%s failed: %s" % (action, message)
    if refs:
        text += " (%s)" % ", ".join(refs)
    text = text.rstrip(".") + "."
    if getattr(err, "outcome_unknown", False):
        text += " The request may have been applied."
    if getattr(err, "hint", None):
        text += " " + err.hint
    return text


class CceModule:
    """Wraps AnsibleModule: merges the shared spec, validates auth, builds the client lazily and
    gives one failure path.

    ``module.api`` is a :class:`CceApi` for ``cluster_flavor``; ``module.fail_from_error`` turns a
    CceApiError into ``fail_json`` with ``status_code``, ``error_code``, ``request_id`` and
    ``error_kind``.
    """

    def __init__(self, argument_spec=None, supports_check_mode=False, wait=False, **kwargs):
        spec = connection_argument_spec()
        if wait:
            spec.update(wait_argument_spec())
        spec.update(argument_spec or {})
        self.ansible = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        self._client = None
        self._api = None
        try:
            self.auth_method = check_connection_params(self.params)
            if wait:
                check_wait_params(self.params)
        except ValueError as exc:
            self.fail(str(exc))
        if not self.params.get("validate_certs", True):
            self.ansible.warn("validate_certs is false: the TLS certificates of the CCE and IAM "
                              "endpoints are not checked")

    # -- AnsibleModule passthrough ---------------------------------------------------------------

    @property
    def params(self):
        return self.ansible.params

    @property
    def check_mode(self):
        return self.ansible.check_mode

    @property
    def diff_mode(self):
        return self.ansible._diff

    def warn(self, message):
        self.ansible.warn(message)

    # -- client ---------------------------------------------------------------------------------

    @property
    def client(self):
        if self._client is None:
            try:
                self._client = CceClient(ConnectionConfig.from_params(self.params))
            except CceApiError as err:
                self.fail_from_error(err, "connecting to CCE")
        return self._client

    @property
    def api(self):
        if self._api is None:
            self._api = CceApi(self.client, self.params.get("cluster_flavor") or "cce")
        return self._api

    def _secrets(self):
        if self._client is not None:
            return self._client.secrets
        return ConnectionConfig.from_params(self.params).secrets()

    # -- waiting --------------------------------------------------------------------------------

    def wait_for(self, fetch, done, failed=None, progress=None, **kwargs):
        """:func:`wait_until` with ``wait_timeout`` and ``poll_interval`` from the params."""
        return wait_until(fetch, done, failed=failed, timeout=self.params.get("wait_timeout", DEFAULT_WAIT_TIMEOUT),
                          interval=self.params.get("poll_interval", DEFAULT_POLL_INTERVAL),
                          progress=progress, **kwargs)

    # -- results --------------------------------------------------------------------------------

    def fail(self, msg, **extra):
        secrets = self._secrets()
        self.ansible.fail_json(msg=redact(msg, secrets), **extra)

    def fail_from_error(self, err, action, **extra):
        result = dict(extra)
        if isinstance(err, CceApiError):
            result.update(status_code=err.status, error_code=err.error_code, request_id=err.request_id,
                          error_kind=err.kind)
            if err.outcome_unknown:
                result["outcome_unknown"] = True
        self.fail(format_failure(err, action), **result)

    def exit(self, changed=False, **result):
        self.ansible.exit_json(changed=changed, **result)
