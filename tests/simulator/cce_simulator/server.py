"""HTTP front end: gateway behaviour (routing, auth, faults, request ids) and the control API."""

import collections
import json
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .auth import Authenticator
from .clock import SimClock
from .engine import Cloud
from .errors import ApiError, cce_error, gateway_error, invalid
from .faults import FaultInjector, FaultSpecError
from .scenario import ScenarioError

CONTROL_PREFIX = "/_simulator/"
LOG_LIMIT = 200000

# (path template below /{family}/{version}/projects/{project_id}/ or global, versions, {method: handler}, families)
PROJECT_ROUTES = [
    ("clusters", ("v3",), {"GET": "list_clusters"}, None),
    ("clusters/{cluster_id}", ("v3",), {"GET": "show_cluster"}, None),
    ("clusters/{cluster_id}/upgradeinfo", ("v3",), {"GET": "upgrade_info"}, None),
    ("clusters/{cluster_id}/operation/upgradeworkflows", ("v3",), {"GET": "list_workflows", "POST": "create_workflow"}, None),
    ("clusters/{cluster_id}/operation/upgradeworkflows/{workflow_id}", ("v3",), {"GET": "show_workflow", "PATCH": "update_workflow"}, None),
    ("clusters/{cluster_id}/operation/upgrade", ("v3",), {"POST": "submit_upgrade"}, None),
    ("clusters/{cluster_id}/operation/upgrade/tasks", ("v3",), {"GET": "list_upgrade_tasks"}, None),
    ("clusters/{cluster_id}/operation/upgrade/tasks/{task_id}", ("v3",), {"GET": "show_upgrade_task"}, None),
    ("clusters/{cluster_id}/operation/upgrade/pause", ("v3",), {"POST": "pause_upgrade"}, ("api",)),
    ("clusters/{cluster_id}/operation/upgrade/continue", ("v3",), {"POST": "continue_upgrade"}, ("api",)),
    ("clusters/{cluster_id}/operation/upgrade/retry", ("v3",), {"POST": "retry_upgrade"}, None),
    ("clusters/{cluster_id}/operation/precheck", ("v3",), {"POST": "create_precheck"}, None),
    ("clusters/{cluster_id}/operation/precheck/tasks", ("v3",), {"GET": "list_prechecks"}, None),
    ("clusters/{cluster_id}/operation/precheck/tasks/{task_id}", ("v3",), {"GET": "show_precheck"}, None),
    ("clusters/{cluster_id}/operation/postcheck", ("v3",), {"POST": "create_postcheck"}, None),
    ("clusters/{cluster_id}/operation/snapshot", ("v3.1",), {"POST": "create_snapshot"}, None),
    ("clusters/{cluster_id}/operation/snapshot/tasks", ("v3.1",), {"GET": "list_snapshots"}, None),
    ("jobs/{job_id}", ("v3",), {"GET": "show_job"}, None),
    # Autopilot's own schedule (reference section 6): no standard-CCE twin
    ("clusters/{cluster_id}/maintenancewindows", ("v3",),
     {"GET": "show_maintenance_window", "POST": "create_maintenance_window", "PUT": "update_maintenance_window",
      "DELETE": "delete_maintenance_window"}, ("autopilot",)),
    ("clusters/{cluster_id}/upgradeplans", ("v3",), {"GET": "list_upgrade_plans"}, ("autopilot",)),
    ("clusters/{cluster_id}/upgradeplans/{plan_id}", ("v3",), {"PUT": "update_upgrade_plan"}, ("autopilot",)),
]
GLOBAL_ROUTES = {
    "clusterupgradepaths": {"GET": "upgrade_paths"},
    "clusterupgradefeaturegates": {"GET": "feature_gates"},
}
HTML_PAGE = ("<html>\r\n<head><title>{status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>{status} Bad Gateway</h1></center>\r\n"
             "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def _compile(template):
    return [(part[1:-1], True) if part.startswith("{") else (part, False) for part in template.split("/")]


COMPILED_ROUTES = [(_compile(t), versions, methods, families) for t, versions, methods, families in PROJECT_ROUTES]


class Route:
    """A matched API route."""

    def __init__(self, handler, flavor=None, params=None, project_id=None, auth=True):
        self.handler = handler
        self.flavor = flavor
        self.params = params or {}
        self.project_id = project_id
        self.auth = auth


def match_route(method, path):
    """The Route for ``method path``; raises the gateway's 404 when there is none."""
    parts = [p for p in path.split("/") if p != ""]
    path_exists = False
    if parts[:3] == ["v3", "auth", "tokens"] and len(parts) == 3:
        if method == "POST":
            return Route("iam_token", auth=False)
        path_exists = True
    elif parts[:2] == ["v3", "projects"] and len(parts) == 2:
        if method == "GET":
            return Route("iam_projects")
        path_exists = True
    elif len(parts) >= 3 and parts[0] in ("api", "autopilot") and parts[1] in ("v3", "v3.1"):
        family, version = parts[0], parts[1]
        flavor = "cce" if family == "api" else "autopilot"
        if len(parts) == 3 and version == "v3" and parts[2] in GLOBAL_ROUTES:
            methods = GLOBAL_ROUTES[parts[2]]
            if method in methods:
                return Route(methods[method], flavor)
            path_exists = True
        elif len(parts) >= 5 and parts[2] == "projects":
            project_id, rest = parts[3], parts[4:]
            for segments, versions, methods, families in COMPILED_ROUTES:
                if version not in versions or len(segments) != len(rest):
                    continue
                if families is not None and family not in families:
                    continue
                params = {}
                for (name, is_param), value in zip(segments, rest):
                    if is_param:
                        params[name] = value
                    elif name != value:
                        break
                else:
                    if method in methods:
                        return Route(methods[method], flavor, params, project_id)
                    path_exists = True
    error = gateway_error("APIGW.0101")
    if path_exists:
        error.body["error_msg"] = "The API does not exist."
    raise error


class Simulator:
    """Everything one simulator process serves."""

    def __init__(self, scenario, time_scale=1.0, faults=None):
        self.scenario = scenario
        self.clock = SimClock(time_scale)
        self.cloud = Cloud(scenario, self.clock)
        self.auth = Authenticator(scenario)
        self.faults = FaultInjector()
        if faults:
            self.faults.configure(faults)
        self.log = collections.deque(maxlen=LOG_LIMIT)
        self.log_lock = threading.Lock()
        # Bumped by reset: a request still in flight (a delay fault) from before a reset neither
        # touches the new state nor lands in the new request log.
        self.generation = 0

    def reset(self):
        self.generation += 1
        self.clock.reset()
        self.cloud = Cloud(self.scenario, self.clock)
        self.auth.clear()
        self.faults.clear()
        with self.log_lock:
            self.log.clear()

    def record(self, method, path, query, status, cluster_id, fault, generation=None, body=None):
        entry = {"method": method, "path": path, "query": query, "status": status, "cluster_id": cluster_id,
                 "time": time.time(), "fault": fault, "body": body}
        with self.log_lock:
            if generation is None or generation == self.generation:
                self.log.append(entry)

    def credentials(self):
        creds = self.scenario["credentials"]
        temporary = (creds.get("temporary") or [{}])[0]
        return {
            "access_key": creds["access_key"], "secret_key": creds["secret_key"],
            "project_id": self.scenario["project_id"], "region": self.scenario["region"],
            "username": creds["username"], "password": creds["password"], "domain_name": creds["domain_name"],
            "temporary_access_key": temporary.get("access_key"), "temporary_secret_key": temporary.get("secret_key"),
            "security_token": temporary.get("security_token"),
        }

    # -- API dispatch ---------------------------------------------------------------------------
    def call(self, route, method, raw_path, raw_query, headers, body):
        """Authenticate and run one API operation: returns (status, body, extra headers)."""
        if route.handler == "iam_token":
            document = _parse_json(body, keystone=True)
            nocatalog = bool(dict(parse_qsl(raw_query)).get("nocatalog"))
            token, reply = self.auth.issue_token(document, nocatalog=nocatalog)
            return 201, reply, {"X-Subject-Token": token}
        self.auth.authenticate(method, raw_path, raw_query, headers, body)
        if route.handler == "iam_projects":
            return 200, {"projects": [{"id": self.scenario["project_id"], "name": self.scenario["region"], "enabled": True}]}, {}
        if route.project_id is not None:
            self.auth.check_project(route.project_id)
        cloud = self.cloud
        params = route.params
        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        name = route.handler
        if name == "upgrade_paths":
            status, reply = cloud.upgrade_paths()
        elif name == "feature_gates":
            status, reply = cloud.feature_gates()
        elif name == "list_clusters":
            status, reply = cloud.list_clusters(route.flavor, query)
        elif name == "show_cluster":
            status, reply = cloud.show_cluster(route.flavor, params["cluster_id"], query)
        elif name == "show_job":
            status, reply = cloud.show_job(route.flavor, params["job_id"])
        else:
            args = [route.flavor, params["cluster_id"]]
            if "workflow_id" in params:
                args.append(params["workflow_id"])
            if "task_id" in params:
                args.append(params["task_id"])
            if "plan_id" in params:
                args.append(params["plan_id"])
            if method in ("POST", "PATCH", "PUT") and name not in ("pause_upgrade", "continue_upgrade", "retry_upgrade", "create_snapshot"):
                if body and not (headers.get("Content-Type") or "application/json").lower().startswith("application/json"):
                    raise cce_error("CCE.01400006", "Content-Type must be application/json")
                args.append(_parse_json(body))
            status, reply = getattr(cloud, name)(*args)
        return status, reply, {}


def _parse_json(body, keystone=False):
    try:
        return json.loads(body.decode("utf-8")) if body else {}
    except (ValueError, UnicodeDecodeError) as exc:
        if keystone:
            raise ApiError(400, {"error": {"message": "The request body is not valid JSON.", "code": 400, "title": "Bad Request"}}) from exc
        raise invalid("the request body is not valid JSON: %s" % exc) from exc


class Handler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = -1  # buffered: headers and body leave in one write (flushed after each request)
    server_version = "cce-simulator"
    sys_version = ""
    simulator = None  # set by make_server

    def setup(self):
        super().setup()
        if hasattr(self.connection, "do_handshake"):
            self.connection.settimeout(30)
            self.connection.do_handshake()
            self.connection.settimeout(None)

    def handle(self):
        try:
            super().handle()
        except OSError:
            self.close_connection = True  # pylint: disable=attribute-defined-outside-init

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet: no per-request logging."""

    def date_time_string(self, timestamp=None):
        """The ``Date`` header on the simulated clock, so clients see the server's time."""
        if timestamp is None and self.simulator is not None:
            timestamp = self.simulator.clock.now()
        return super().date_time_string(timestamp)

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    # -- plumbing --------------------------------------------------------------------------------
    def _read_body(self):
        length = self.headers.get("Content-Length")
        if length:
            return self.rfile.read(int(length))
        return b""

    def _send(self, status, payload, headers=None, content_type="application/json", request_id=None):
        if isinstance(payload, (bytes, bytearray)):
            data = bytes(payload)
        else:
            data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-Id", request_id or uuid.uuid4().hex)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _drop_connection(self, reset=True):
        """Close the socket without an answer (RST when ``reset``)."""
        self.close_connection = True  # pylint: disable=attribute-defined-outside-init
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _dispatch(self):
        sim = self.simulator
        split = urlsplit(self.path)
        raw_path, raw_query = split.path, split.query
        try:
            body = self._read_body()
        except (OSError, ValueError):
            self.close_connection = True  # pylint: disable=attribute-defined-outside-init
            return
        if raw_path.startswith(CONTROL_PREFIX):
            self._control(raw_path[len(CONTROL_PREFIX):].strip("/"), raw_query, body)
            return
        method = self.command
        request_id = uuid.uuid4().hex
        rule = sim.faults.pick(method, raw_path)
        fault = rule.kind if rule else None
        cluster_id = _cluster_id_of(raw_path)
        if rule is not None:
            if rule.kind == "reset_before":
                sim.record(method, raw_path, raw_query, None, cluster_id, fault)
                self._drop_connection()
                return
            if rule.kind == "html":
                sim.record(method, raw_path, raw_query, rule.status, cluster_id, fault)
                page = HTML_PAGE.format(status=rule.status).encode()
                self._send(rule.status, page, content_type="text/html", request_id=request_id)
                return
            if rule.kind in ("throttle", "error"):
                error = _fault_error(rule)
                if "request_id" in error.body:
                    error.body["request_id"] = request_id
                sim.record(method, raw_path, raw_query, error.status, cluster_id, fault)
                self._send(error.status, error.body, error.headers, request_id=request_id)
                return
            if rule.kind == "delay":
                generation = sim.generation
                time.sleep(rule.seconds)
                if generation != sim.generation:  # reset meanwhile: this request belongs to the old state
                    self._drop_connection()
                    return
        status, reply, headers = self._process(method, raw_path, raw_query, body, request_id)
        if rule is not None and rule.kind == "reset_after":
            sim.record(method, raw_path, raw_query, None, cluster_id, fault)
            self._drop_connection()
            return
        if rule is not None and rule.kind == "malformed":
            text = json.dumps(reply).encode("utf-8")
            sim.record(method, raw_path, raw_query, 200, cluster_id, fault)
            self._send(200, text[:max(1, len(text) // 2)] + b"\x00<truncated", headers, request_id=request_id)
            return
        sim.record(method, raw_path, raw_query, status, cluster_id, fault, body=_logged_body(raw_path, body))
        self._send(status, reply, headers, request_id=request_id)

    def _process(self, method, raw_path, raw_query, body, request_id):
        sim = self.simulator
        try:
            route = match_route(method, raw_path)
            return sim.call(route, method, raw_path, raw_query, self.headers, body)
        except ApiError as err:
            if "request_id" in err.body:
                err.body["request_id"] = request_id
            return err.status, err.body, err.headers
        except Exception:  # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
            err = cce_error("CCE.01500001", "internal simulator error")
            return err.status, err.body, {}

    # -- control API -----------------------------------------------------------------------------
    def _control(self, name, raw_query, body):
        sim = self.simulator
        method = self.command
        try:
            payload = json.loads(body.decode("utf-8")) if body else {}
        except ValueError:
            self._send(400, {"error": "the body must be JSON"})
            return
        try:
            status, reply = self._control_call(sim, method, name, payload, raw_query)
        except (FaultSpecError, ScenarioError, ValueError, TypeError) as exc:
            status, reply = 400, {"error": str(exc)}
        except ApiError as err:
            status, reply = err.status, {"error": err.body.get("message") or err.body.get("error_msg")}
        self._send(status, reply)

    @staticmethod
    def _control_call(sim, method, name, payload, raw_query):
        key = (method, name)
        if key == ("GET", "health"):
            return 200, {"status": "ok", "time_scale": sim.clock.time_scale, "sim_time": sim.clock.now(),
                         "clusters": len(sim.cloud.clusters)}
        if key == ("GET", "credentials"):
            return 200, sim.credentials()
        if key == ("GET", "requests"):
            with sim.log_lock:
                entries = list(sim.log)
            query = dict(parse_qsl(raw_query))
            if query.get("cluster_id"):
                entries = [e for e in entries if e["cluster_id"] == query["cluster_id"]]
            return 200, entries
        if key == ("POST", "reset"):
            sim.reset()
            return 200, {"status": "reset"}
        if key == ("GET", "clusters"):
            return 200, sim.cloud.summaries()
        if key == ("POST", "clusters"):
            return 201, sim.cloud.add_cluster(payload)
        if key == ("GET", "faults"):
            return 200, sim.faults.describe()
        if key == ("POST", "faults"):
            return 200, sim.faults.configure(payload)
        if key == ("POST", "tokens/expire"):
            return 200, {"expired": sim.auth.expire_tokens()}
        if key == ("GET", "clock"):
            return 200, {"sim_time": sim.clock.now(), "time_scale": sim.clock.time_scale}
        if key == ("POST", "clock"):
            advanced = sim.clock.advance(float(payload.get("advance", 0)))
            if "gateway_offset" in payload:
                sim.auth.gateway_offset = float(payload["gateway_offset"])
            return 200, {"sim_time": advanced, "time_scale": sim.clock.time_scale,
                         "gateway_offset": sim.auth.gateway_offset}
        return 404, {"error": "unknown control endpoint %s %s" % (method, name)}


def _logged_body(path, body):
    """The JSON body of an API request as the request log keeps it: None for IAM (it carries passwords),
    an empty body or one that is not JSON."""
    if not body or path.startswith("/v3/auth"):
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError:
        return None


def _cluster_id_of(path):
    parts = path.split("/")
    if "clusters" in parts:
        index = parts.index("clusters")
        if index + 1 < len(parts) and parts[index + 1]:
            return parts[index + 1]
    return None


def _fault_error(rule):
    spec = rule.spec
    if rule.kind == "throttle":
        retry_after = spec.get("retry_after", "1")
        headers = {"Retry-After": str(retry_after)} if retry_after not in (None, "") else {}
        return gateway_error("APIGW.0308", headers=headers)
    status = rule.status
    if spec.get("error_code", "").startswith("APIG") or (status in (502, 503, 504) and not spec.get("error_code")):
        code = spec.get("error_code") or {503: "APIGW.0613"}.get(status, "APIGW.0201")
        messages = {502: "Backend unavailable.", 504: "Backend timeout."}
        error = gateway_error(code, status=status)
        error.body["error_msg"] = spec.get("message") or messages.get(status, error.body["error_msg"])
        return error
    code = spec.get("error_code") or "CCE.01%03d001" % status
    error = cce_error(code, spec.get("message"))
    error.status = status
    error.body["code"] = status
    return error


class SimulatorServer(ThreadingHTTPServer):
    """Threaded server; handler threads never block shutdown."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def make_server(simulator, host, port, ssl_context=None):
    handler = type("BoundHandler", (Handler,), {"simulator": simulator})
    server = SimulatorServer((host, port), handler)
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    return server
