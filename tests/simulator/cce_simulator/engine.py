"""The simulated CCE: clusters, workflows and tasks whose state follows the (scaled) clock.

Nothing runs in the background: every task stores when it started and how long it takes, and
``settle(now)`` works out what has happened by ``now`` whenever something is read or written.
All public methods of ``Cloud`` take the lock, so handler threads can share one instance.
"""

import json
import threading
import uuid

from .clock import format_timestamp
from . import schedule
from .errors import cce_error, invalid, not_found
from .scenario import build_catalog, normalize_cluster
from .versions import VersionError, minor_key, minor_of, patch_of, release_of, shown_version

ACTIVE_UPGRADE = ("Init", "Queuing", "Running", "Pause")
OPEN_WORKFLOW = ("Init", "Running", "Pending")
POINTS = ("PreCheck", "Snapshot", "Cluster", "PostCheck")
NODE_SELECTOR_OPERATORS = ("in", "notin", "exists", "!", "gt", "lt", "=")
PLAN_STRATEGY = {"type": "inPlaceRollingUpdate", "inPlaceRollingUpdate": {"userDefinedStep": 20}}
UPGRADE_API_DENIED = ("the cluster upgrade APIs are available only upon request and are not enabled for this account: "
                      "submit a service ticket to have them enabled")


def new_id():
    return str(uuid.uuid4())


def _drop_none(data):
    return {k: v for k, v in data.items() if v is not None}


class Cluster:
    """One cluster and the tasks that ran on it."""

    def __init__(self, spec, created):
        self.id = spec["id"]
        self.name = spec["name"]
        self.flavor = spec["flavor"]
        self.version = spec["version"]
        self.platform_version = spec["platform_version"]
        self.status = spec["status"]
        self.category = spec["category"]
        self.type = spec["type"]
        self.node_pools = spec["node_pools"]
        self.precheck_risk = spec["precheck_risk"]
        self.precheck_risk_from = spec.get("precheck_risk_from")
        self.fail_upgrade_once_at = spec["fail_upgrade_once_at"]
        self.failed_once = False
        self.options = {key: spec[key] for key in ("timestamp_style", "document_style", "pause_continue",
                                                   "upgrade_api_granted", "require_precheck", "max_user_defined_step")}
        self.explorer = spec["document_style"] == "api_explorer"
        self.failure = None  # (reason, message) of the failed upgrade task, shown in the cluster status
        self.created = created
        self.updated = created
        self.prechecks = []
        self.snapshots = []
        self.upgrades = []
        self.postchecks = []
        self.workflows = []
        # Autopilot's own schedule: the maintenance window, the plans, and when plans were last generated
        self.window = spec.get("maintenance_window")
        self.plans = []
        self.generated_until = created

    @property
    def minor(self):
        return minor_of(self.version)

    def risk_for(self, target):
        """The pre-check risk of an upgrade to ``target``: ``precheck_risk``, but only for targets of
        ``precheck_risk_from`` or a later minor when that is set (APIs removed in a later Kubernetes)."""
        if self.precheck_risk and self.precheck_risk_from:
            reached = minor_of(target)
            if reached is None or minor_key(reached) < minor_key(self.precheck_risk_from):
                return None
        return self.precheck_risk

    def ts(self, epoch):
        """A timestamp in this cluster's style (None stays None)."""
        return format_timestamp(epoch, self.options["timestamp_style"]) if epoch is not None else None

    def nodes(self):
        for pool in self.node_pools:
            for name in pool["nodes"]:
                yield pool["name"], name, str(uuid.uuid5(uuid.NAMESPACE_URL, "node/%s/%s" % (self.id, name)))

    def latest_upgrade(self, now):
        if not self.upgrades:
            return None
        task = self.upgrades[-1]
        task.settle(now)
        return task

    def active_upgrade(self, now):
        task = self.latest_upgrade(now)
        return task if task is not None and task.phase(now) in ACTIVE_UPGRADE else None

    def phase(self, now):
        return "Upgrading" if self.active_upgrade(now) else self.status

    def summary(self, now):
        self.latest_upgrade(now)
        return {"id": self.id, "name": self.name, "flavor": self.flavor, "version": self.version,
                "platform_version": self.platform_version, "status": self.phase(now), "category": self.category}


class PrecheckTask:
    """A pre-check: Init -> Running -> Success | Failed after ``duration``."""

    def __init__(self, cluster, cluster_version, target, skipped, now, duration, validity):
        self.uid = new_id()
        self.cluster = cluster
        self.cluster_version = cluster_version
        self.target = target
        self.skipped = skipped
        self.created = now
        self.duration = duration
        self.end = now + duration
        self.expire = self.end + validity
        self.init_for = min(2.0, duration * 0.05)
        self.items = self._items()

    def _items(self):
        """(group, item) pairs; the cluster's configured risk decides the interesting one."""
        cluster = self.cluster
        items = [
            ("cluster", _item("upgrade-limit-check", "LimitCheck", "Info", "Success", "The upgrade path is supported.")),
            ("cluster", _item("master-node-check", "MasterCheck", "Info", "Success", "The control plane is healthy.")),
            ("addon", _item("addon-version-check", "AddonCheck", "Info", "Success", "All add-ons support the target version.",
                            risk={"addonRisks": [{"addonTemplateName": "coredns", "alias": "CoreDNS"}]})),
        ]
        risk = cluster.risk_for(self.target)
        if risk == "fatal":
            items.append(("cluster", _item(
                "deprecated-api-check", "LimitCheck", "Fatal", "Failed",
                "The cluster still uses APIs removed in %s; migrate them before upgrading." % self.target,
                risk={"deprecatedAPIRisks": [{"url": "/apis/policy/v1beta1/podsecuritypolicies", "userAgent": "kubectl/v1.24.0"}]},
                error_codes=["CCE.01400074"])))
        elif risk == "warning":
            items.append(("cluster", _item(
                "configuration-risk-check", "LimitCheck", "Warning", "Success",
                "kube-apiserver parameters were changed by hand and will be reset by the upgrade.",
                risk={"configurationRisks": [{"package": "kube-apiserver", "sourceFile": "/etc/kubernetes/manifests/kube-apiserver.yaml",
                                              "nodeMsg": "master", "field": "max-requests-inflight", "operation": "modify",
                                              "originalValue": "1000", "value": "2000"}]})))
        for _pool, name, uid in cluster.nodes():
            items.append(("node:" + uid + ":" + name, _item("node-status-check", "NodeCheck", "Info", "Success",
                                                            "Node %s is ready." % name)))
        return [(group, item) for group, item in items if item["name"] not in self.skipped]

    def fatal(self):
        return [item for _group, item in self.items if item["level"] == "Fatal"]

    def phase(self, now):
        if now < self.created + self.init_for:
            return "Init"
        if now < self.end:
            return "Running"
        return "Failed" if self.fatal() else "Success"

    def point_status(self, now):
        return self.phase(now)

    def start(self):
        return self.created + self.init_for

    def valid_for(self, target, now):
        return self.target == target and self.phase(now) == "Success" and now < self.expire

    def render(self, now, create=False):
        phase = self.phase(now)
        done = phase in ("Success", "Failed")
        status = {"phase": phase, "message": ""}
        if done:
            status["expireTimeStamp"] = self.cluster.ts(self.expire)
            fatal = self.fatal()
            if fatal:
                status["message"] = "precheck failed: %d fatal risk(s): %s" % (len(fatal), ", ".join(i["name"] for i in fatal))
        group_phase = phase if phase in ("Init", "Running") else None
        cluster_items = [i for g, i in self.items if g == "cluster"] if done else []
        addon_items = [i for g, i in self.items if g == "addon"] if done else []
        nodes = []
        for _pool, name, uid in self.cluster.nodes():
            node_items = [i for g, i in self.items if g == "node:" + uid + ":" + name] if done else []
            node_info = {"uid": uid, "name": name, "status": "Active", "nodeType": "node"}
            if self.cluster.explorer:
                node_info = json.dumps(node_info)
            nodes.append({"nodeInfo": node_info, "itemsStatus": node_items})
        status["clusterCheckStatus"] = {"phase": group_phase or _group_phase(cluster_items), "itemsStatus": cluster_items}
        status["addonCheckStatus"] = {"phase": group_phase or _group_phase(addon_items), "itemsStatus": addon_items}
        status["nodeCheckStatus"] = {"phase": group_phase or _group_phase([i for n in nodes for i in n["itemsStatus"]]),
                                     "nodeStageStatus": nodes}
        metadata = {"uid": self.uid}
        if not create:
            metadata["creationTimestamp"] = self.cluster.ts(self.created)
            metadata["updateTimestamp"] = self.cluster.ts(min(now, self.end))
        spec = {"clusterID": self.cluster.id, "clusterVersion": self.cluster_version, "targetVersion": self.target}
        if self.skipped:
            spec["skippedCheckItemList"] = [{"name": name} for name in sorted(self.skipped)]
        return {"apiVersion": "v3", "kind": "PreCheckTask", "metadata": metadata, "spec": spec, "status": status}


def _item(name, group, level, phase, message, risk=None, error_codes=None):
    item = {"name": name, "kind": "Risk" if level != "Info" else "Exception", "group": group, "level": level,
            "phase": phase, "message": message, "errorCodes": error_codes or []}
    if risk:
        item["riskSource"] = risk
    return item


def _group_phase(items):
    return "Failed" if any(i["phase"] == "Failed" for i in items) else "Success"


class SnapshotTask:
    """A master snapshot: Running -> Success after ``duration``."""

    def __init__(self, cluster, now, duration):
        self.uid = new_id()
        self.item_id = new_id()
        self.cluster = cluster
        self.created = now
        self.end = now + duration
        self.duration = duration

    def phase(self, now):
        return "Success" if now >= self.end else "Running"

    def point_status(self, now):
        return self.phase(now)

    def start(self):
        return self.created

    def progress(self, now):
        return "%.2f" % min(100.0, (now - self.created) / self.duration * 100)

    def render(self, now):
        phase = self.phase(now)
        ts = self.cluster.ts
        updated = ts(min(now, self.end))
        status = {"phase": phase, "progress": self.progress(now)}
        if phase == "Success":
            status["completionTime"] = ts(self.end)
        return {
            "kind": "SnapshotTask", "apiVersion": "v3.1",
            "metadata": {"uid": self.uid, "creationTimestamp": ts(self.created), "updateTimestamp": updated},
            "spec": {"items": [{"id": self.item_id, "type": "master-backup", "status": phase,
                                "creationTimestamp": ts(self.created), "updateTimestamp": updated, "message": ""}]},
            "status": status,
        }


class UpgradeTask:
    """An upgrade: Queuing (Init) -> [pre-check stage] -> Running -> Success, with pause/continue/retry.

    ``isOnlyUpgrade: false`` (CCE's default) runs CCE's own pre-check at the start of the task: a
    fatal risk fails the task there. Real task documents carry no failure message: the reason goes
    to the cluster's ``status.reason``/``status.message`` (and the job's ``status.reason``).
    """

    def __init__(self, cluster, target, target_platform, strategy, only_upgrade, now, durations, fail_at):
        self.uid = new_id()
        self.cluster = cluster
        self.version = cluster.version
        self.target = target
        self.target_platform = target_platform
        self.strategy = strategy
        self.only_upgrade = only_upgrade
        self.created = now
        self.duration = durations["upgrade"]
        self.check_duration = 0.0 if only_upgrade else durations["precheck"]
        self.queue_until = now + min(5.0, self.duration * 0.01)
        self.check_until = self.queue_until + self.check_duration
        self.run_start = self.check_until
        self.check_fails = not only_upgrade and cluster.risk_for(target) == "fatal"
        self.base = 0.0
        self.state = "active"
        self.fail_at = fail_at
        self.end = None
        self.updated = now
        self.reason = ""

    def _progress_at(self, moment):
        if moment <= self.run_start:
            return self.base
        return min(100.0, self.base + (moment - self.run_start) / self.duration * 100.0)

    def _fail(self, moment, reason, message):
        self.state = "failed"
        self.end = moment
        self.updated = moment
        self.reason = message
        self.cluster.failure = (reason, message)

    def settle(self, now):
        """Apply the failure or completion that happened by ``now``."""
        if self.state != "active":
            return
        if self.check_fails and self.check_until <= now:
            self._fail(self.check_until, "UpgradePreCheckFailed",
                       "the pre-check of the upgrade to %s found a fatal risk: deprecated-api-check: the cluster still "
                       "uses APIs removed in %s; migrate them before upgrading" % (self.target, minor_of(self.target)))
            return
        if self.fail_at is not None and self.base < self.fail_at:
            fail_time = self.run_start + (self.fail_at - self.base) / 100.0 * self.duration
            if fail_time <= now:
                self.base = float(self.fail_at)
                self.fail_at = None
                self.cluster.failed_once = True
                node = self._node_at(self.base)
                self._fail(fail_time, "UpgradeFailed",
                           "upgrade of node %s failed: kubelet did not become ready after the upgrade; "
                           "fix the node and retry the task" % node)
                return
        done_time = self.run_start + (100.0 - self.base) / 100.0 * self.duration
        if done_time <= now:
            self.base = 100.0
            self.state = "success"
            self.end = done_time
            self.updated = done_time
            self.reason = ""
            self.cluster.failure = None
            self.cluster.version = self.target
            self.cluster.platform_version = self.target_platform
            self.cluster.updated = done_time

    def _node_at(self, percent):
        nodes = [name for _pool, name, _uid in self.cluster.nodes()] or ["%s-master-1" % self.cluster.name]
        index = min(len(nodes) - 1, int(percent / 100.0 * len(nodes)))
        return nodes[index]

    def phase(self, now):
        self.settle(now)
        if self.state == "active":
            if now < self.queue_until:
                return "Init" if self.cluster.explorer else "Queuing"
            return "Running"
        return {"paused": "Pause", "failed": "Failed", "success": "Success"}[self.state]

    def point_status(self, now):
        phase = self.phase(now)
        return {"Pause": "Running", "Init": "Queuing"}.get(phase, phase)

    def start(self):
        return self.created

    def progress(self, now):
        self.settle(now)
        value = self._progress_at(now) if self.state == "active" else self.base
        return "%.2f" % value

    def pause(self, now):
        self.base = self._progress_at(now)
        self.run_start = max(now, self.check_until)
        self.queue_until = min(self.queue_until, now)
        self.state = "paused"
        self.updated = now

    def resume(self, now):
        if self.check_fails or self.check_until > now:
            self.check_until = now + self.check_duration  # CCE checks again before it goes on
        self.run_start = max(now, self.check_until)
        self.queue_until = now
        self.state = "active"
        self.updated = now
        self.reason = ""
        self.cluster.failure = None

    def render(self, now):
        phase = self.phase(now)
        ts = self.cluster.ts
        status = {"phase": phase, "progress": self.progress(now)}
        if self.end is not None and phase in ("Success", "Failed"):
            status["completionTime"] = ts(self.end)
        elif phase == "Init":
            status["completionTime"] = ts(self.created)  # seen on real CCE: set while the task is still Init
        updated = self.updated if phase not in ("Queuing", "Init", "Running") else now
        return {
            "apiVersion": "v3", "kind": "UpgradeTask",
            "metadata": {"uid": self.uid, "creationTimestamp": ts(self.created), "updateTimestamp": ts(updated)},
            "spec": {"version": self.version, "targetVersion": self.target, "items": {}},
            "status": status,
        }


class PostcheckTask:
    """A post-check: synchronous, Success when the cluster runs the target version."""

    def __init__(self, cluster, cluster_version, target, phase, now):
        self.uid = new_id()
        self.cluster = cluster
        self.cluster_version = cluster_version
        self.target = target
        self.result = phase
        self.created = now

    def phase(self, _now=None):
        return self.result

    def point_status(self, now):
        return self.phase(now)

    def start(self):
        return self.created

    def render(self):
        return {"kind": "PostCheckTask", "apiVersion": "v3", "metadata": {"uid": self.uid},
                "spec": {"clusterID": self.cluster.id, "clusterVersion": self.cluster_version, "targetVersion": self.target},
                "status": {"phase": self.result}}


class Workflow:
    """An upgrade workflow; its points follow the linked tasks."""

    def __init__(self, cluster, target, now):
        self.uid = new_id()
        self.cluster = cluster
        self.cluster_version = cluster.version
        self.target = target
        self.created = now
        self.cancelled = None
        self.points = dict.fromkeys(POINTS)

    def point_statuses(self, now):
        return {name: task.point_status(now) for name, task in self.points.items() if task is not None}

    def phase(self, now):
        if self.cancelled is not None:
            return "Cancel"
        statuses = self.point_statuses(now)
        if statuses.get("PostCheck") == "Success":
            return "Success"
        if "Failed" in statuses.values():
            return "Pending"
        if any(task.start() <= now for task in self.points.values() if task is not None):
            return "Running"
        return "Init"

    def _critical(self, value):
        """``LineStatus.critical``: a boolean (SDK) or the string the API Explorer spec types it as."""
        return ("true" if value else "false") if self.cluster.explorer else value

    def is_open(self, now):
        return self.phase(now) in OPEN_WORKFLOW

    def cancel_refusal(self, now):
        """Why the workflow cannot be cancelled now (None when it can)."""
        phase = self.phase(now)
        if phase in ("Running", "Success", "Cancel"):
            return "workflow %s is in phase %s and cannot be cancelled" % (self.uid, phase)
        for name, task in self.points.items():
            if task is None:
                continue
            task_phase = task.phase(now)
            if task_phase in ("Running", "Init", "Queuing", "Pause"):
                return "workflow %s cannot be cancelled: its %s task %s is in phase %s" % (self.uid, name, task.uid, task_phase)
        return None

    def render(self, now):
        ts = self.cluster.ts
        points = []
        updated = self.created
        for name in POINTS:
            task = self.points[name]
            point = {"taskType": name}
            if task is not None:
                status = task.point_status(now)
                point["taskID"] = task.uid
                point["status"] = status
                start = task.start()
                if start <= now:
                    point["startTimeStamp"] = ts(start)
                    updated = max(updated, start)
                end = getattr(task, "end", None) if status in ("Success", "Failed") else None
                if name == "PostCheck":
                    end = task.created
                if end is not None and end <= now:
                    point["endTimeStamp"] = ts(end)
                    updated = max(updated, end)
                if name == "PreCheck" and status in ("Success", "Failed"):
                    point["expireTimeStamp"] = ts(task.expire)
            points.append(point)
        if self.cancelled is not None:
            updated = max(updated, self.cancelled)
        status = {
            "phase": self.phase(now),
            "pointStatuses": points,
            "lineStatuses": [
                {"startPoint": {"taskType": start}, "endPoint": {"taskType": end}, "critical": self._critical(critical)}
                for start, end, critical in (("PreCheck", "Snapshot", False), ("Snapshot", "Cluster", False),
                                             ("PreCheck", "Cluster", True), ("Cluster", "PostCheck", True))
            ],
        }
        return {
            "kind": "WorkFlowTask", "apiVersion": "v3",
            "metadata": {"uid": self.uid, "creationTimestamp": ts(self.created), "updateTimestamp": ts(updated)},
            "spec": {"clusterID": self.cluster.id, "clusterVersion": self.cluster_version, "targetVersion": self.target},
            "status": status,
        }


def _require(condition, message):
    if not condition:
        raise invalid(message)


def _check_node_order(node_order):
    """``nodeOrder``: {pool id: [{nodeSelector: {key, operator, value}, priority}]}; operators as CCE takes them."""
    if node_order is None:
        return
    _require(isinstance(node_order, dict), "nodeOrder must be an object of node pool id -> node priorities")
    for pool, batches in node_order.items():
        _require(isinstance(batches, list), "nodeOrder[%s] must be a list" % pool)
        for batch in batches:
            selector = batch.get("nodeSelector") if isinstance(batch, dict) else None
            _require(isinstance(selector, dict) and selector.get("key"), "nodeOrder[%s]: each entry needs nodeSelector.key" % pool)
            operator = str(selector.get("operator", ""))
            _require(operator.lower() in NODE_SELECTOR_OPERATORS, "nodeOrder[%s]: invalid nodeSelector operator %r, accepted: %s"
                     % (pool, operator, ", ".join(NODE_SELECTOR_OPERATORS)))
            _require(isinstance(batch.get("priority", 0), int), "nodeOrder[%s]: priority must be an integer" % pool)


def _check_kind(body, kind, api_version="v3", where=None):
    _require(isinstance(body, dict), "the request body must be a JSON object")
    holder = body if where is None else body.get(where)
    _require(isinstance(holder, dict), "%s is required" % where)
    _require(holder.get("kind") == kind, "kind must be %s" % kind)
    _require(holder.get("apiVersion") == api_version, "apiVersion must be %s" % api_version)


class Cloud:
    """All simulated state of one project."""

    def __init__(self, scenario, clock):
        self.clock = clock
        self.lock = threading.RLock()
        self.scenario = scenario
        self.durations = scenario["durations"]
        self.catalog = build_catalog(scenario)
        self.clusters = {}
        self.by_name = {}
        now = clock.now()
        for spec in scenario["clusters"]:
            self._add(spec, now)

    def precheck_validity(self):
        """Simulated seconds a successful pre-check stays valid. ``durations.precheck_validity`` is in real
        seconds: it is a deadline for the client (like a token's lifetime), whose own pace (poll intervals,
        module runs) the time scale does not speed up, so the time scale must not shorten it either. The
        scaled work of CCE (pre-check, snapshot, upgrade) runs in simulated seconds."""
        return float(self.durations["precheck_validity"]) / self.clock.time_scale

    def _add(self, spec, now):
        cluster = Cluster(spec, int(now) - 86400 * 30)
        if cluster.window is not None:
            # a window set long ago: the last Monday's generation has already planned the next week
            cluster.generated_until = schedule.last_generation(now) - 1
        self.clusters[cluster.id] = cluster
        self.by_name[cluster.name] = cluster
        return cluster

    # -- helpers ----------------------------------------------------------------------------
    def now(self):
        return self.clock.now()

    def cluster(self, flavor, cluster_id):
        cluster = self.clusters.get(cluster_id)
        if cluster is None or cluster.flavor != flavor:
            raise not_found("cluster %s not found" % cluster_id)
        self.settle_schedule(cluster, self.now())
        cluster.latest_upgrade(self.now())
        return cluster

    # -- Autopilot's own schedule ------------------------------------------------------------
    def settle_schedule(self, cluster, now):
        """Generate the weekly plans and start the due ones, in time order, up to ``now``.

        Runs before anything else reads or changes the cluster, so a plan that became due before a
        manual upgrade request meets the cluster as it was at its ``notBefore``.
        """
        while True:
            generation = schedule.next_generation(cluster.generated_until) if cluster.window is not None else None
            pending = [plan for plan in cluster.plans if plan.task is None and not plan.skipped]
            due = min(pending, key=lambda plan: plan.not_before) if pending else None
            moments = [m for m in (generation, due.not_before if due else None) if m is not None and m <= now]
            if not moments:
                return
            moment = min(moments)
            if cluster.upgrades:
                cluster.upgrades[-1].settle(moment)
            if due is not None and due.not_before == moment:
                self._start_plan(cluster, due, moment)
            else:
                self._generate_plan(cluster, moment)
                cluster.generated_until = moment

    def _generate_plan(self, cluster, moment):
        """Monday 01:00: a plan for the following week when a later patch of the cluster's minor exists."""
        if any(plan.phase(moment) in ("Pending", "Enqueued", "Upgrading") for plan in cluster.plans):
            return
        target = self.catalog.latest_patch(minor_of(cluster.version))
        if target is None or target == cluster.version or target not in self.catalog.targets(cluster.version):
            return
        week = schedule.week_start(moment) + schedule.WEEK
        window = schedule.first_window(cluster.window, week, week + schedule.WEEK)
        if window is None:
            return
        cluster.plans.append(schedule.UpgradePlan(cluster, target, window[0], window[1],
                                                  week + schedule.DEADLINE_AFTER_WEEK_START, moment))

    def _start_plan(self, cluster, plan, moment):
        """At ``notBefore`` the plan's upgrade starts, or the plan is skipped: the cluster is busy,
        not Available, or no longer below the plan's target."""
        latest = cluster.upgrades[-1] if cluster.upgrades else None
        busy = latest is not None and latest.phase(moment) in ACTIVE_UPGRADE
        if busy or cluster.status != "Available" or cluster.version != plan.cluster_version:
            plan.skipped = True
            plan.updated = moment
            return
        fail_at = None if cluster.failed_once else cluster.fail_upgrade_once_at
        task = UpgradeTask(cluster, plan.target, self.catalog.platform_version(plan.target), PLAN_STRATEGY, False,
                           moment, self.durations, fail_at)
        cluster.upgrades.append(task)
        cluster.failure = None
        plan.task = task
        plan.updated = moment

    def _window_cluster(self, flavor, cluster_id):
        cluster = self.cluster(flavor, cluster_id)
        if cluster.window is None:
            raise not_found("cluster %s has no maintenance window" % cluster.id)
        return cluster

    def show_maintenance_window(self, flavor, cluster_id):
        with self.lock:
            return 200, dict(self._window_cluster(flavor, cluster_id).window)

    def create_maintenance_window(self, flavor, cluster_id, body):
        with self.lock:
            now = self.now()
            cluster = self.cluster(flavor, cluster_id)
            window = schedule.check_window_body(body)
            if cluster.window is not None:
                raise cce_error("CCE.01409001", "cluster %s already has a maintenance window: update it (PUT) or delete it first"
                                % cluster.id)
            cluster.window = window
            cluster.generated_until = now
            return 200, dict(window)

    def update_maintenance_window(self, flavor, cluster_id, body):
        with self.lock:
            cluster = self._window_cluster(flavor, cluster_id)
            cluster.window = schedule.check_window_body(body)
            return 200, dict(cluster.window)

    def delete_maintenance_window(self, flavor, cluster_id):
        with self.lock:
            cluster = self._window_cluster(flavor, cluster_id)
            window, cluster.window = cluster.window, None
            return 200, dict(window)

    def list_upgrade_plans(self, flavor, cluster_id):
        with self.lock:
            now = self.now()
            cluster = self.cluster(flavor, cluster_id)
            return 200, {"kind": "List", "apiVersion": "v3", "items": [plan.render(now) for plan in reversed(cluster.plans)]}

    def update_upgrade_plan(self, flavor, cluster_id, plan_id, body):
        with self.lock:
            now = self.now()
            cluster = self.cluster(flavor, cluster_id)
            plan = next((item for item in cluster.plans if item.uid == plan_id), None)
            if plan is None:
                raise not_found("upgrade plan %s not found" % plan_id)
            _require(isinstance(body, dict) and body.get("notBefore"), "notBefore is required (UTC, e.g. 2026-12-09T02:00:00Z)")
            moment = schedule.parse_plan_time(body["notBefore"])
            _require(moment is not None, "notBefore %r is not a time (UTC, e.g. 2026-12-09T02:00:00Z)" % (body["notBefore"],))
            refusal = plan.postpone_refusal(moment, now)
            if refusal:
                raise invalid(refusal)
            plan.postpone(moment, now)
            return 200, plan.render(now)

    def check_target(self, cluster, target_text):
        """The resolved full target (a minor names its latest patch), or 400 naming the versions.

        Refused: unknown versions, versions the path table does not offer from the cluster's full
        version, and (patch first) another minor while the cluster is not on its minor's latest patch.
        """
        _require(isinstance(target_text, str) and target_text, "targetVersion is required")
        try:
            return self.catalog.check_target(cluster.version, target_text)
        except VersionError as exc:
            raise invalid(str(exc)) from exc

    @staticmethod
    def _check_granted(cluster):
        """Upgrade APIs are granted on request: 403 when the account (scenario option) lacks them."""
        if not cluster.options["upgrade_api_granted"]:
            raise cce_error("CCE.01403001", UPGRADE_API_DENIED)

    def _operation_cluster(self, flavor, cluster_id):
        """The cluster of an upgrade (``/operation/``) API: exists, and the account may use the API."""
        cluster = self.cluster(flavor, cluster_id)
        self._check_granted(cluster)
        return cluster

    def _open_workflow(self, cluster, now):
        for workflow in reversed(cluster.workflows):
            if workflow.is_open(now):
                return workflow
        return None

    def _link(self, cluster, point, task, now, target=None):
        workflow = self._open_workflow(cluster, now)
        if workflow is not None and (target is None or workflow.target == target):
            workflow.points[point] = task

    # -- control-API helpers ----------------------------------------------------------------
    def summaries(self):
        with self.lock:
            now = self.now()
            for cluster in self.clusters.values():
                self.settle_schedule(cluster, now)
            return [c.summary(now) for c in self.clusters.values()]

    def add_cluster(self, spec):
        with self.lock:
            normalized = normalize_cluster(spec, self.catalog, self.scenario["options"])
            if normalized["name"] in self.by_name:
                raise cce_error("CCE.01409001", "cluster %s already exists" % normalized["name"])
            cluster = self._add(normalized, self.now())
            return cluster.summary(self.now())

    # -- clusters -----------------------------------------------------------------------------
    def render_cluster(self, cluster, now, detail=False):
        cluster.latest_upgrade(now)
        metadata = {"name": cluster.name, "uid": cluster.id, "alias": cluster.name,
                    "creationTimestamp": cluster.ts(cluster.created), "updateTimestamp": cluster.ts(cluster.updated),
                    "labels": {"FeatureGates": "elbv3,upgradeV4,"}}
        if detail:
            nodes = sum(len(p["nodes"]) for p in cluster.node_pools)
            metadata["annotations"] = {"totalNodesNumber": str(nodes), "activeNodesNumber": str(nodes),
                                       "totalNodesCPU": str(nodes * 4), "totalNodesMemory": str(nodes * 16),
                                       "installedAddonInstances": '[{"addonTemplateName":"coredns","version":"1.30.6","status":"running"}]'}
        spec = {
            "category": cluster.category, "type": cluster.type, "version": shown_version(cluster.version),
            "platformVersion": cluster.platform_version, "description": "",
            "hostNetwork": {"vpc": "d90c3b93-f2d6-4a2b-a5a8-4b2d6e7c9a10", "subnet": "4a5b6c7d-1e2f-4a3b-9c8d-7e6f5a4b3c2d"},
            "containerNetwork": {"mode": "eni" if cluster.category == "Turbo" or cluster.flavor == "autopilot" else "vpc-router",
                                 "cidr": "172.16.0.0/16"},
            "serviceNetwork": {"IPv4CIDR": "10.247.0.0/16"},
            "billingMode": 0, "kubeProxyMode": "iptables",
        }
        if cluster.flavor == "autopilot":
            spec["flavor"] = "cce.autopilot.cluster"
            spec["eniNetwork"] = {"subnets": [{"subnetID": "4a5b6c7d-1e2f-4a3b-9c8d-7e6f5a4b3c2d"}]}
        else:
            spec["flavor"] = "cce.s2.medium"
            spec["masters"] = [{"availabilityZone": "cn-north-4a"}]
        address = "https://192.168.0.%d:5443" % (int(cluster.id[:2], 16) % 200 + 10)
        status = {"phase": cluster.phase(now), "endpoints": [{"url": address, "type": "Internal"}]}
        if cluster.failure is not None:
            status["reason"], status["message"] = cluster.failure
        return {"kind": "Cluster", "apiVersion": "v3", "metadata": metadata, "spec": spec, "status": status}

    def show_cluster(self, flavor, cluster_id, query):
        with self.lock:
            now = self.now()
            cluster = self.cluster(flavor, cluster_id)
            return 200, self.render_cluster(cluster, now, detail=query.get("detail") == "true")

    def list_clusters(self, flavor, query):
        with self.lock:
            now = self.now()
            items = []
            for cluster in self.clusters.values():
                if cluster.flavor != flavor:
                    continue
                self.settle_schedule(cluster, now)
                doc = self.render_cluster(cluster, now, detail=query.get("detail") == "true")
                if query.get("status") and doc["status"]["phase"] != query["status"]:
                    continue
                if query.get("type") and doc["spec"]["type"] != query["type"]:
                    continue
                if query.get("version") and query["version"] not in (cluster.minor, cluster.version):
                    continue
                items.append(doc)
            return 200, {"kind": "Cluster", "apiVersion": "v3", "items": items}

    # -- upgrade info and paths --------------------------------------------------------------
    def upgrade_info(self, flavor, cluster_id):
        with self.lock:
            now = self.now()
            cluster = self.cluster(flavor, cluster_id)
            task = cluster.latest_upgrade(now)
            same_release = self.catalog.resolve(release_of(cluster.version)) or cluster.version
            spec = {
                "versionInfo": {"release": release_of(cluster.version), "patch": patch_of(cluster.version),
                                "suggestPatch": patch_of(same_release),
                                "targetVersions": self.catalog.targets(cluster.version)},
                "upgradeFeatureGates": {"supportUpgradePageV4": True},
            }
            status = {}
            if task is not None:
                phase = task.phase(now)
                status = _drop_none({"phase": "Init" if phase == "Queuing" else phase, "progress": task.progress(now),
                                     "completionTime": cluster.ts(task.end) if phase in ("Success", "Failed") else None})
                spec["lastUpgradeInfo"] = dict(status)
            return 200, {"kind": "UpgradeInfo", "apiVersion": "v3", "metadata": {}, "spec": spec, "status": status}

    def upgrade_paths(self):
        return 200, {"apiVersion": "v3", "kind": "ClusterUpgradePaths", "metadata": {},
                     "upgradePaths": self.catalog.path_entries()}

    @staticmethod
    def feature_gates():
        return 200, {"apiVersion": "v3", "kind": "UpgradeFeatureGates", "metadata": {},
                     "upgradeFeatureGates": {"DisplayPreCheckDetail": "Support", "EvsSnapshot": "Default",
                                             "LabelForSkippedNode": "Support", "UpgradeStrategy": "Support"}}

    # -- workflows -----------------------------------------------------------------------------
    def create_workflow(self, flavor, cluster_id, body):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            _check_kind(body, "WorkFlowTask")
            spec = body.get("spec")
            _require(isinstance(spec, dict), "spec is required")
            _require(spec.get("targetVersion"), "spec.targetVersion is required")
            existing = self._open_workflow(cluster, now)
            if existing is not None:
                raise cce_error("CCE.01409001", "cluster %s already has an open upgrade workflow %s (phase %s)"
                                % (cluster.id, existing.uid, existing.phase(now)))
            target = self.check_target(cluster, spec["targetVersion"])
            workflow = Workflow(cluster, target, now)
            cluster.workflows.append(workflow)
            return 201, workflow.render(now)

    def _workflow(self, cluster, workflow_id):
        for workflow in cluster.workflows:
            if workflow.uid == workflow_id:
                return workflow
        raise not_found("upgrade workflow %s not found" % workflow_id)

    def list_workflows(self, flavor, cluster_id):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            return 200, {"kind": "List", "apiVersion": "v3", "items": [w.render(now) for w in reversed(cluster.workflows)]}

    def show_workflow(self, flavor, cluster_id, workflow_id):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            return 200, self._workflow(cluster, workflow_id).render(now)

    def update_workflow(self, flavor, cluster_id, workflow_id, body):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            workflow = self._workflow(cluster, workflow_id)
            _require(isinstance(body, dict) and isinstance(body.get("status"), dict), "status is required")
            _require(body["status"].get("phase") == "Cancel", "status.phase must be Cancel (the only supported update)")
            refusal = workflow.cancel_refusal(now)
            if refusal:
                raise invalid(refusal)
            workflow.cancelled = now
            return 200, workflow.render(now)

    # -- pre-check ------------------------------------------------------------------------------
    def create_precheck(self, flavor, cluster_id, body):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            _check_kind(body, "PreCheckTask")
            spec = body.get("spec")
            _require(isinstance(spec, dict), "spec is required")
            if spec.get("clusterID") not in (None, "", cluster.id):
                raise invalid("spec.clusterID %s does not match the cluster %s" % (spec["clusterID"], cluster.id))
            if spec.get("clusterVersion") != cluster.version:
                # CCE wants the current patch version here, never the minor (error-codes reference: CCE_CM.0101)
                raise cce_error("CCE.01400001", "spec.clusterVersion %s is not the current cluster version %s: "
                                "fill in the cluster's current patch version" % (spec.get("clusterVersion"), cluster.version),
                                component=("CCE_CM.0101", "Request is invalid"))
            skipped = set()
            for entry in spec.get("skippedCheckItemList") or []:
                _require(isinstance(entry, dict) and entry.get("name"), "each skippedCheckItemList entry needs a name")
                skipped.add(entry["name"])
            self._check_locked(cluster, now)
            self._check_available(cluster, now)
            target = self.check_target(cluster, spec.get("targetVersion"))
            task = PrecheckTask(cluster, cluster.version, target, skipped, now, self.durations["precheck"],
                                self.precheck_validity())
            cluster.prechecks.append(task)
            self._link(cluster, "PreCheck", task, now, target)
            return 200, task.render(now, create=True)

    def _check_locked(self, cluster, now):
        active = cluster.active_upgrade(now)
        if active is not None:
            raise cce_error("CCE.01429002", "cluster %s has an upgrade task %s in phase %s" % (cluster.id, active.uid, active.phase(now)))
        for task in cluster.prechecks:
            if task.phase(now) in ("Init", "Running"):
                raise cce_error("CCE.01429002", "cluster %s has a pre-check task %s in progress" % (cluster.id, task.uid))

    @staticmethod
    def _check_available(cluster, now):
        phase = cluster.phase(now)
        if phase != "Available":
            raise invalid("cluster status is %s, not allowed to upgrade" % phase)

    def _find(self, tasks, task_id, what):
        for task in tasks:
            if task.uid == task_id:
                return task
        raise not_found("%s task %s not found" % (what, task_id))

    def show_precheck(self, flavor, cluster_id, task_id):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            return 200, self._find(cluster.prechecks, task_id, "pre-check").render(now)

    def list_prechecks(self, flavor, cluster_id):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            return 200, {"apiVersion": "v3", "kind": "PreCheckTask", "metadata": {},
                         "items": [t.render(now) for t in reversed(cluster.prechecks)]}

    # -- snapshot -------------------------------------------------------------------------------
    def create_snapshot(self, flavor, cluster_id):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            for task in cluster.snapshots:
                if task.phase(now) == "Running":
                    raise cce_error("CCE.01429002", "cluster %s has a snapshot task %s in progress" % (cluster.id, task.uid))
            task = SnapshotTask(cluster, now, self.durations["snapshot"])
            cluster.snapshots.append(task)
            self._link(cluster, "Snapshot", task, now)
            return 200, {"uid": task.uid, "metadata": {"apiVersion": "v3.1", "kind": "SnapshotTask"}}

    def list_snapshots(self, flavor, cluster_id):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            items = [t.render(now) for t in reversed(cluster.snapshots)]
            done = [t.end for t in cluster.snapshots if t.phase(now) == "Success"]
            body = {"apiVersion": "v3.1", "kind": "SnapshotTask", "metadata": {}, "items": items,
                    "status": _drop_none({"latestBackupTime": cluster.ts(max(done)) if done else None})}
            return 200, body

    # -- upgrade --------------------------------------------------------------------------------
    def submit_upgrade(self, flavor, cluster_id, body):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            _check_kind(body, "UpgradeTask", where="metadata")
            spec = body.get("spec")
            _require(isinstance(spec, dict), "spec is required")
            action = spec.get("clusterUpgradeAction")
            _require(isinstance(action, dict), "spec.clusterUpgradeAction is required")
            _require(action.get("targetVersion"), "spec.clusterUpgradeAction.targetVersion is required")
            strategy = action.get("strategy")
            _require(isinstance(strategy, dict), "spec.clusterUpgradeAction.strategy is required")
            _require(strategy.get("type") == "inPlaceRollingUpdate", "strategy.type must be inPlaceRollingUpdate")
            rolling = strategy.get("inPlaceRollingUpdate")
            _require(isinstance(rolling, dict) and "userDefinedStep" in rolling,
                     "Field user defined step must defined by inPlaceRollingUpdate strategy")
            step = rolling["userDefinedStep"]
            most = cluster.options["max_user_defined_step"]
            _require(isinstance(step, int) and not isinstance(step, bool) and 1 <= step <= most,
                     "userDefinedStep must be an integer between 1 and %d" % most)
            _require(rolling.get("scope") in (None, "Cluster", "NodePool"), "inPlaceRollingUpdate.scope must be Cluster or NodePool")
            _check_node_order(action.get("nodeOrder"))
            only_upgrade = action.get("isOnlyUpgrade", False)
            _require(isinstance(only_upgrade, bool), "isOnlyUpgrade must be a boolean")
            active = cluster.active_upgrade(now)
            if active is not None:
                raise cce_error("CCE.01429002", "cluster %s has an upgrade task %s in phase %s"
                                % (cluster.id, active.uid, active.phase(now)))
            self._check_available(cluster, now)
            target = self.check_target(cluster, action["targetVersion"])
            if only_upgrade and cluster.options["require_precheck"]:
                # not CCE's known behaviour: a scenario option for clients that want to meet CCE.01400075
                prechecks = [t for t in cluster.prechecks if t.target == target]
                if not any(t.valid_for(target, now) for t in prechecks):
                    if any(t.phase(now) == "Success" for t in prechecks):
                        message = "precheck expired, please precheck again"
                    else:
                        message = "no successful precheck for target %s, please precheck again" % target
                    raise cce_error("CCE.01400075", message)
            fail_at = None if cluster.failed_once else cluster.fail_upgrade_once_at
            platform = self.catalog.platform_version(target)
            task = UpgradeTask(cluster, target, platform, strategy, only_upgrade, now, self.durations, fail_at)
            cluster.upgrades.append(task)
            cluster.failure = None
            self._link(cluster, "Cluster", task, now, target)
            return 200, {"metadata": {"uid": task.uid},
                         "spec": {"clusterUpgradeAction": {"version": task.version, "targetVersion": target,
                                                           "targetPlatformVersion": platform,
                                                           "strategy": strategy, "config": {}}}}

    def show_upgrade_task(self, flavor, cluster_id, task_id):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            return 200, self._find(cluster.upgrades, task_id, "upgrade").render(now)

    def list_upgrade_tasks(self, flavor, cluster_id):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            return 200, {"apiVersion": "v3", "kind": "UpgradeTask", "metadata": {},
                         "items": [t.render(now) for t in reversed(cluster.upgrades)]}

    @staticmethod
    def _check_served(cluster, api):
        """Pause and continue are deprecated (CCE's historical APIs); a scenario can make them refuse."""
        if cluster.options["pause_continue"] == "deprecated":
            raise invalid("%s is deprecated and not supported any more" % api)

    def pause_upgrade(self, flavor, cluster_id):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            self._check_served(cluster, "PauseUpgradeClusterTask")
            task = cluster.latest_upgrade(now)
            # a queued task reads Init on api_explorer clusters, Queuing elsewhere: the same state
            if task is None or task.phase(now) not in ("Init", "Queuing", "Running"):
                raise invalid("cluster %s has no running upgrade task to pause" % cluster.id)
            task.pause(now)
            return 200, {}

    def continue_upgrade(self, flavor, cluster_id):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            self._check_served(cluster, "ContinueUpgradeClusterTask")
            task = cluster.latest_upgrade(now)
            if task is None or task.phase(now) != "Pause":
                raise invalid("cluster %s has no paused upgrade task to continue" % cluster.id)
            task.resume(now)
            return 200, {}

    def retry_upgrade(self, flavor, cluster_id):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            task = cluster.latest_upgrade(now)
            if task is None or task.phase(now) != "Failed":
                raise invalid("cluster %s has no failed upgrade task to retry" % cluster.id)
            task.resume(now)
            task.end = None
            return 200, {}

    # -- post-check ------------------------------------------------------------------------------
    def create_postcheck(self, flavor, cluster_id, body):
        with self.lock:
            now = self.now()
            cluster = self._operation_cluster(flavor, cluster_id)
            _check_kind(body, "PostCheckTask")
            spec = body.get("spec")
            _require(isinstance(spec, dict), "spec is required")
            if spec.get("clusterID") not in (None, "", cluster.id):
                raise invalid("spec.clusterID %s does not match the cluster %s" % (spec["clusterID"], cluster.id))
            workflow = self._open_workflow(cluster, now)
            target_text = spec.get("targetVersion") or (workflow.target if workflow else cluster.version)
            target = self.catalog.resolve(target_text)
            _require(target is not None, "spec.targetVersion %s is not a valid version" % target_text)
            passed = cluster.active_upgrade(now) is None and cluster.version == target
            task = PostcheckTask(cluster, spec.get("clusterVersion") or (workflow.cluster_version if workflow else cluster.version),
                                 target, "Success" if passed else "Failed", now)
            cluster.postchecks.append(task)
            self._link(cluster, "PostCheck", task, now, target)
            return 200, task.render()

    # -- jobs --------------------------------------------------------------------------------------
    def show_job(self, flavor, job_id):
        with self.lock:
            now = self.now()
            for cluster in self.clusters.values():
                if cluster.flavor != flavor:
                    continue
                self.settle_schedule(cluster, now)
                for task in cluster.upgrades:
                    if task.uid == job_id:
                        phase = task.phase(now)
                        job_phase = {"Queuing": "Initializing", "Init": "Initializing", "Pause": "Running"}.get(phase, phase)
                        return 200, {"kind": "Job", "apiVersion": "v3",
                                     "metadata": {"uid": task.uid, "creationTimestamp": cluster.ts(task.created),
                                                  "updateTimestamp": cluster.ts(task.updated)},
                                     "spec": {"type": "UpgradeCluster", "clusterUID": cluster.id, "resourceID": cluster.id,
                                              "resourceName": cluster.name, "subJobs": []},
                                     "status": {"phase": job_phase, "reason": task.reason}}
            raise not_found("job %s not found" % job_id)
