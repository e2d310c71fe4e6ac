"""Gateway errors tell the user what to fix.

- Signature refused for clock skew (APIGW.0303): the simulator's gateway clock is set 20 minutes
  ahead (``POST /_simulator/clock {"gateway_offset": 1200}``), so the client's ``X-Sdk-Date`` is
  20 minutes behind the gateway's clock.
- Expired token (APIGW.0307): a given ``auth_token`` cannot be refreshed (hint: give a new one);
  a password-derived token is refreshed once, transparently, even in the middle of a wait.
- Wrong project (APIGW.0310), wrong secret key (APIGW.0301).
"""

import threading
import time

from reliability_helpers import new_cluster, upgrade_posts
from test_secrets import PASSWORD_ENV, iam_token, password_env


def test_clock_skew_says_sync_the_clock(rel, sim):
    sim.control("POST", "clock", {"gateway_offset": 1200})
    rc, result, output = rel.module("cce_cluster_info", {})
    assert rc != 0, output
    assert result["error_code"] == "APIGW.0303", output
    assert result["error_kind"] == "auth"
    msg = result["msg"]
    assert "signature expired" in msg
    assert "clock" in msg and "NTP" in msg, msg  # the fix: sync this machine's clock
    # Not retried: a skewed clock does not heal by itself.
    assert len(sim.requests()) == 1


def test_given_token_expired_says_give_a_new_one(rel, sim):
    token = iam_token(sim)
    env = dict(PASSWORD_ENV, HW_AUTH_TOKEN=token)
    sim.expire_tokens()
    rc, result, output = rel.module("cce_cluster_upgrade_info", {"cluster_id": sim.cluster("prod-a")["id"]}, env=env)
    assert rc != 0, output
    assert result["error_code"] == "APIGW.0307" and result["status_code"] == 401, output
    msg = result["msg"]
    assert "token expired" in msg and "auth_token" in msg and "username/password" in msg, msg


def test_password_token_expiring_mid_wait_is_refreshed(rel, sim):
    """The token expires while the module waits for the upgrade: one refresh, no second task."""
    cid = new_cluster(sim)
    stop = threading.Event()

    def expire_later():
        deadline = time.monotonic() + 120
        while not stop.is_set() and time.monotonic() < deadline:
            if upgrade_posts(sim, cid):
                time.sleep(0.5)
                sim.expire_tokens()
                return
            time.sleep(0.2)

    thread = threading.Thread(target=expire_later, daemon=True)
    thread.start()
    try:
        rc, result, output = rel.module(
            "cce_cluster_upgrade", {"cluster_id": cid, "target_version": "v1.30", "is_only_upgrade": True,
                                    "poll_interval": 0.5}, env=password_env(rel.credentials))
    finally:
        stop.set()
        thread.join(5)
    assert rc == 0, output
    assert result["phase"] == "Success"
    assert len(upgrade_posts(sim, cid)) == 1
    token_posts = [r for r in sim.requests() if r["path"] == "/v3/auth/tokens"]
    assert len(token_posts) == 2, "expected the first token and exactly one refresh: %s" % token_posts
    expired = [r for r in sim.requests() if r["status"] == 401]
    assert expired, "the token was never refused: the test did not exercise the refresh"


def test_wrong_project_says_check_project_id(rel, sim):
    rc, result, output = rel.module("cce_cluster_upgrade_info", {"cluster_id": sim.cluster("prod-a")["id"],
                                                                 "project_id": "0" * 32})
    assert rc != 0, output
    assert result["error_code"] == "APIGW.0310" and result["status_code"] == 403, output
    assert "project_id" in result["msg"] and "region" in result["msg"], result["msg"]


def test_wrong_secret_key_says_check_keys(rel, sim):
    rc, result, output = rel.module("cce_cluster_info", {}, env={"HW_SECRET_KEY": "x" * 40})
    assert rc != 0, output
    assert result["error_code"] == "APIGW.0301", output
    assert "access_key/secret_key" in result["msg"], result["msg"]
    assert len(sim.requests()) == 1  # an auth failure is not retried


def test_wrong_password_says_check_credentials(rel, sim):
    rc, result, output = rel.module("cce_cluster_info", {}, env=password_env(rel.credentials, "not-the-password"))
    assert rc != 0, output
    assert result["status_code"] == 401, output
    msg = result["msg"]
    assert "username" in msg and "password" in msg and "domain_name" in msg, msg
