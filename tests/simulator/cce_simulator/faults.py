"""Fault injection rules.

Spec (body of ``POST /_simulator/faults`` and of ``--faults``)::

    {"seed": 42, "rules": [RULE, ...]}

RULE: ``fault`` (required: throttle, error, reset_before, reset_after, delay, malformed, html);
matching: ``method`` (exact), ``path`` (regex, re.search), ``count`` (fire this many times),
``probability`` (0..1, default 1), ``skip`` (let the first N matching requests through);
per kind: ``retry_after`` (throttle; string, default "1"; null or "" sends no header),
``status`` (error: default 500; html: default 502), ``error_code`` / ``message`` (error),
``seconds`` (delay). The first rule that fires wins. Faults never apply to ``/_simulator``.
"""

import random
import re
import threading

KINDS = ("throttle", "error", "reset_before", "reset_after", "delay", "malformed", "html")


class FaultSpecError(ValueError):
    """The fault specification is invalid."""


class FaultRule:
    """One rule with its own counters."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise FaultSpecError("each rule must be an object")
        self.spec = dict(spec)
        self.kind = spec.get("fault")
        if self.kind not in KINDS:
            raise FaultSpecError("fault must be one of %s" % ", ".join(KINDS))
        self.method = spec.get("method")
        try:
            self.path = re.compile(spec["path"]) if spec.get("path") else None
        except re.error as exc:
            raise FaultSpecError("invalid path regex: %s" % exc) from exc
        count = spec.get("count")
        self.remaining = None if count is None else int(count)
        self.probability = float(spec.get("probability", 1))
        if not 0 <= self.probability <= 1:
            raise FaultSpecError("probability must be between 0 and 1")
        self.to_skip = int(spec.get("skip", 0))
        self.fired = 0
        status = spec.get("status")
        self.status = int(status) if status is not None else (502 if self.kind == "html" else 500)
        self.seconds = float(spec.get("seconds", 1))

    def matches(self, method, path):
        if self.method and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path.search(path) is not None

    def describe(self):
        item = dict(self.spec)
        item["remaining"] = self.remaining
        item["fired"] = self.fired
        return item


class FaultInjector:
    """The active rules; ``pick()`` returns the rule that fires for a request, if any."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []
        self._seed = None
        self._random = random.Random()

    def configure(self, spec):
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            raise FaultSpecError("the fault spec must be an object with a 'rules' list")
        rules = spec.get("rules", [])
        if not isinstance(rules, list):
            raise FaultSpecError("'rules' must be a list")
        parsed = [FaultRule(rule) for rule in rules]
        with self._lock:
            self._rules = parsed
            self._seed = spec.get("seed")
            self._random = random.Random(self._seed)
        return self.describe()

    def clear(self):
        self.configure({"rules": []})

    def describe(self):
        with self._lock:
            return {"seed": self._seed, "rules": [rule.describe() for rule in self._rules]}

    def pick(self, method, path):
        with self._lock:
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                if rule.to_skip > 0:
                    rule.to_skip -= 1
                    continue
                if rule.remaining is not None and rule.remaining <= 0:
                    continue
                if rule.probability < 1 and self._random.random() >= rule.probability:
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                rule.fired += 1
                return rule
        return None
