"""Error responses in the shapes CCE, the API gateway and IAM use (error-codes reference, section 2)."""

CCE_MESSAGES = {
    "CCE.01400001": "Invalid request.",
    "CCE.01400006": "Content type not supported.",
    "CCE.01400074": "Key step of the upgrade failed.",
    "CCE.01400075": "The pre-upgrade check has expired.",
    "CCE.01401001": "Authorization failed.",
    "CCE.01403001": "Forbidden.",
    "CCE.01404001": "Resource not found.",
    "CCE.01409001": "The resource already exists.",
    "CCE.01409002": "Resource updated with out-of-date version.",
    "CCE.01429002": "Resource locked by other requests.",
    "CCE.02429001": "The throttling threshold has been reached.",
    "CCE.01500001": "Internal error.",
}

REASONS = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
    429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable",
}

GATEWAY_MESSAGES = {
    "APIGW.0101": "The API does not exist or has not been published in the environment.",
    "APIGW.0201": "API request error.",
    "APIGW.0301": "Incorrect IAM authentication information.",
    "APIGW.0303": "Incorrect app authentication information.",
    "APIGW.0307": "The token must be updated.",
    "APIGW.0308": "The throttling threshold has been reached.",
    "APIGW.0310": "The project is unavailable.",
    "APIGW.0601": "Internal server error.",
    "APIGW.0613": "The IAM service is currently unavailable.",
}

GATEWAY_STATUS = {
    "APIGW.0101": 404, "APIGW.0301": 401, "APIGW.0303": 401, "APIGW.0307": 401, "APIGW.0308": 429,
    "APIGW.0310": 403, "APIGW.0601": 500, "APIGW.0613": 503,
}


class ApiError(Exception):
    """An error answer: HTTP status, JSON body and extra headers."""

    def __init__(self, status, body, headers=None):
        super().__init__(body.get("error_msg") or body.get("message") or str(status))
        self.status = status
        self.body = body
        self.headers = headers or {}


def cce_error(code, message=None, component=None):
    """A CCE error in the Kubernetes ``Status`` shape with both code pairs.

    ``component`` is the secondary ``(error_code, error_msg)`` pair; by default 400 invalid-request
    errors carry ``CCE_CM.0004`` and all others repeat the official code.
    """
    status = int(code.split(".", 1)[1][2:5])
    official = CCE_MESSAGES.get(code, "Invalid request.")
    if component is None:
        component = ("CCE_CM.0004", "Request is invalid") if code == "CCE.01400001" else (code, official)
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "code": status,
        "errorCode": code,
        "errorMessage": official,
        "error_code": component[0],
        "error_msg": component[1],
        "message": message or official,
        "reason": REASONS.get(status, "BadRequest"),
    }
    return ApiError(status, body)


def invalid(message):
    """400 CCE.01400001 + CCE_CM.0004 with the detail in ``message``."""
    return cce_error("CCE.01400001", message)


def not_found(message):
    return cce_error("CCE.01404001", message)


def gateway_error(code, detail=None, status=None, headers=None):
    """An API-gateway error: ``{"error_code", "error_msg", "request_id"}`` (request_id filled later)."""
    message = GATEWAY_MESSAGES.get(code, "API request error.")
    if detail:
        message = "%s: %s" % (message.rstrip("."), detail)
    body = {"error_code": code, "error_msg": message, "request_id": ""}
    return ApiError(status or GATEWAY_STATUS.get(code, 400), body, headers)


def keystone_error(status, message, title):
    """An IAM (Keystone) error: the code is nested under ``error``."""
    return ApiError(status, {"error": {"message": message, "code": status, "title": title}})
