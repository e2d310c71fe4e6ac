# -*- coding: utf-8 -*-
# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Connection, authentication, retry and cluster-flavor options shared by every module.
    DOCUMENTATION = r"""
options:
  region:
    description:
      - Huawei Cloud region ID, for example V(cn-north-4).
      - Selects the CCE endpoint C(https://cce.<region>.myhuaweicloud.com) (C(.myhuaweicloud.eu) for
        V(eu-west-101)) and the IAM endpoint C(https://iam.<region>.myhuaweicloud.com).
      - Required unless O(cce_endpoint) is given.
      - If not set, the value of the E(HW_REGION_NAME) environment variable is used.
    type: str
  project_id:
    description:
      - ID of the project (of O(region)) that owns the clusters.
      - Required with O(access_key)/O(secret_key) and with O(auth_token). With O(username)/O(password)
        it is taken from the IAM token when not given.
      - If not set, the value of the E(HW_PROJECT_ID) or E(HUAWEICLOUD_SDK_PROJECT_ID) environment variable is used.
    type: str
  access_key:
    description:
      - Access key ID (AK) for AK/SK request signing (C(SDK-HMAC-SHA256)). Use together with O(secret_key).
      - If not set, the value of the E(HW_ACCESS_KEY) or E(HUAWEICLOUD_SDK_AK) environment variable is used.
      - Mutually exclusive with O(auth_token) and O(username)/O(password).
    type: str
  secret_key:
    description:
      - Secret access key (SK) matching O(access_key). Never logged.
      - If not set, the value of the E(HW_SECRET_KEY) or E(HUAWEICLOUD_SDK_SK) environment variable is used.
    type: str
  security_token:
    description:
      - Security token of temporary AK/SK credentials; sent (and signed) as C(X-Security-Token). Never logged.
      - Only valid with O(access_key)/O(secret_key).
      - If not set, the value of the E(HW_SECURITY_TOKEN) environment variable is used.
    type: str
  auth_token:
    description:
      - IAM token sent as C(X-Auth-Token) instead of signing. Never logged.
      - Mutually exclusive with O(access_key)/O(secret_key) and O(username)/O(password).
      - If not set, the value of the E(HW_AUTH_TOKEN) environment variable is used.
    type: str
  username:
    description:
      - IAM user name. With O(password) and O(domain_name) a project-scoped token is obtained from
        IAM (C(POST /v3/auth/tokens)) once per module run.
      - If not set, the value of the E(HW_USER_NAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username). Never logged.
      - If not set, the value of the E(HW_PASSWORD) environment variable is used.
    type: str
  domain_name:
    description:
      - Account (domain) name that owns O(username).
      - If not set, the value of the E(HW_DOMAIN_NAME) environment variable is used.
    type: str
  iam_endpoint:
    description:
      - IAM endpoint URL used to obtain a token from O(username)/O(password).
      - Defaults to C(https://iam.<region>.myhuaweicloud.com).
      - If not set, the value of the E(HW_IAM_ENDPOINT) environment variable is used.
    type: str
  cce_endpoint:
    description:
      - CCE endpoint URL; overrides the regional URL derived from O(region) (for example a
        simulator such as C(http://127.0.0.1:8780)). Without a scheme, C(https://) is assumed.
      - If not set, the value of the E(HW_CCE_ENDPOINT) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the TLS certificates of the CCE and IAM endpoints.
      - Setting this to V(false) is insecure; the module then warns. Prefer O(ca_path).
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM CA bundle used to verify the endpoints' certificates.
    type: path
  api_timeout:
    description:
      - Seconds to wait for a connection and, separately, for each reply.
      - A write whose reply does not arrive in time fails with an unknown outcome; re-read the state.
    type: int
    default: 60
  api_retries:
    description:
      - How many times one API call is retried (0 to 20).
      - Retried are throttling (HTTP 429) on every method, honouring C(Retry-After); connection
        failures before the request was sent; and, for reads only, server errors (500, 502, 503, 504)
        and lost replies. Retries back off exponentially with jitter.
    type: int
    default: 5
  cluster_flavor:
    description:
      - Cluster family. V(cce) for standard and Turbo clusters (C(/api/v3)), V(autopilot) for
        Autopilot clusters (C(/autopilot/v3)).
    type: str
    choices: [cce, autopilot]
    default: cce
notes:
  - Exactly one authentication method must be given, by option or environment variable
    (as an AWX credential injects them). AK/SK, token, or user name and password.
  - The E(HW_*) variables are the ones of the Terraform huaweicloud provider.
"""
