"""An in-memory stand-in for the part of the AWX REST API that ``awx import`` (awxkit's
``ApiV2.import_assets``) uses, served through a requests transport adapter: no network, no server.

It answers what awxkit asks while importing: the API root, OPTIONS of a list (the POST fields and
their types, as AWX 24 lists them), filtered lists (by name or identifier), detail GETs, POST
(create), PUT (update), the attach lists (credentials, success/failure/always nodes: POST {"id"}
answers 204 as AWX does), a survey spec and an approval node's create_approval_template. Objects
carry ``related`` links like AWX's, so awxkit computes their natural keys from them itself.

The POST fields are the ones AWX 24 shows on OPTIONS; awxkit drops a field that is not among them
without a word, so the tests compare what was stored with what the import file holds.
"""

import json
import re
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter

API = "/api/v2/"

# type -> list endpoint name
ENDPOINTS = {
    "organization": "organizations",
    "user": "users",
    "team": "teams",
    "credential_type": "credential_types",
    "credential": "credentials",
    "notification_template": "notification_templates",
    "project": "projects",
    "inventory": "inventories",
    "inventory_source": "inventory_sources",
    "job_template": "job_templates",
    "workflow_job_template": "workflow_job_templates",
    "workflow_job_template_node": "workflow_job_template_nodes",
    "workflow_approval_template": "workflow_approval_templates",
    "execution_environment": "execution_environments",
    "o_auth2_application": "applications",
    "schedule": "schedules",
    "system_job_template": "system_job_templates",
}
TYPES = dict((endpoint, kind) for kind, endpoint in ENDPOINTS.items())
# The API root as awxkit reads it (the key "inventory" names the inventories list, as in AWX).
ROOT_KEYS = {"users": "users", "organizations": "organizations", "teams": "teams", "credential_types": "credential_types",
             "credentials": "credentials", "notification_templates": "notification_templates", "projects": "projects",
             "inventory": "inventories", "inventory_sources": "inventory_sources", "job_templates": "job_templates",
             "workflow_job_templates": "workflow_job_templates", "execution_environments": "execution_environments",
             "applications": "applications", "schedules": "schedules", "system_job_templates": "system_job_templates"}

ID, INT, STR, BOOL, JSON, CHOICE = "id", "integer", "string", "boolean", "json", "choice"
_COMMON = {"name": STR, "description": STR}
POST_FIELDS = {
    "projects": dict(_COMMON, organization=ID, scm_type=CHOICE, scm_url=STR, scm_branch=STR, scm_refspec=STR,
                     scm_clean=BOOL, scm_track_submodules=BOOL, scm_delete_on_update=BOOL, credential=ID, timeout=INT,
                     scm_update_on_launch=BOOL, scm_update_cache_timeout=INT, allow_override=BOOL,
                     default_environment=ID, signature_validation_credential=ID, local_path=STR),
    "inventories": dict(_COMMON, organization=ID, kind=CHOICE, host_filter=STR, variables=JSON,
                        prevent_instance_group_fallback=BOOL),
    "inventory_sources": dict(_COMMON, source=CHOICE, source_path=STR, source_vars=STR, scm_branch=STR, credential=ID,
                              enabled_var=STR, enabled_value=STR, host_filter=STR, overwrite=BOOL,
                              overwrite_vars=BOOL, timeout=INT, verbosity=CHOICE, limit=STR, execution_environment=ID,
                              inventory=ID, update_on_launch=BOOL, update_cache_timeout=INT, source_project=ID),
    "job_templates": dict(_COMMON, job_type=CHOICE, inventory=ID, project=ID, playbook=STR, scm_branch=STR, forks=INT,
                          limit=STR, verbosity=CHOICE, extra_vars=JSON, job_tags=STR, force_handlers=BOOL,
                          skip_tags=STR, start_at_task=STR, timeout=INT, use_fact_cache=BOOL,
                          execution_environment=ID, host_config_key=STR, ask_scm_branch_on_launch=BOOL,
                          ask_diff_mode_on_launch=BOOL, ask_variables_on_launch=BOOL, ask_limit_on_launch=BOOL,
                          ask_tags_on_launch=BOOL, ask_skip_tags_on_launch=BOOL, ask_job_type_on_launch=BOOL,
                          ask_verbosity_on_launch=BOOL, ask_inventory_on_launch=BOOL, ask_credential_on_launch=BOOL,
                          ask_execution_environment_on_launch=BOOL, ask_labels_on_launch=BOOL,
                          ask_forks_on_launch=BOOL, ask_job_slice_count_on_launch=BOOL, ask_timeout_on_launch=BOOL,
                          ask_instance_groups_on_launch=BOOL, survey_enabled=BOOL, become_enabled=BOOL,
                          diff_mode=BOOL, allow_simultaneous=BOOL, job_slice_count=INT, webhook_service=CHOICE,
                          webhook_credential=ID, prevent_instance_group_fallback=BOOL),
    "workflow_job_templates": dict(_COMMON, extra_vars=JSON, organization=ID, survey_enabled=BOOL,
                                   allow_simultaneous=BOOL, ask_variables_on_launch=BOOL, inventory=ID, limit=STR,
                                   scm_branch=STR, ask_inventory_on_launch=BOOL, ask_scm_branch_on_launch=BOOL,
                                   ask_limit_on_launch=BOOL, webhook_service=CHOICE, webhook_credential=ID,
                                   ask_labels_on_launch=BOOL, ask_skip_tags_on_launch=BOOL, ask_tags_on_launch=BOOL,
                                   skip_tags=STR, job_tags=STR),
    "workflow_nodes": dict(extra_data=JSON, inventory=ID, scm_branch=STR, job_type=CHOICE, job_tags=STR,
                           skip_tags=STR, limit=STR, diff_mode=BOOL, verbosity=CHOICE, execution_environment=ID,
                           forks=INT, job_slice_count=INT, timeout=INT, workflow_job_template=ID,
                           unified_job_template=ID, all_parents_must_converge=BOOL, identifier=STR),
    "create_approval_template": dict(name=STR, description=STR, timeout=INT),
}
# Attach lists (POST {"id": n}) of each type; "credentials" of job templates, the edges of nodes.
ATTACH = {"job_template": ("credentials",), "workflow_job_template_node": ("success_nodes", "failure_nodes", "always_nodes")}
# Foreign keys in "related", and the natural key fields AWX derives (a job template's organization is its project's).
FOREIGN = ("organization", "credential_type", "inventory", "project", "source_project", "credential",
           "workflow_job_template", "unified_job_template", "execution_environment", "default_environment",
           "webhook_credential", "signature_validation_credential")


class FakeAwx(BaseAdapter):
    """The objects, by type and ID, and the adapter serving them."""

    def __init__(self, objects=()):
        super().__init__()
        self.store = {}
        self.kinds = {}  # ID -> type: IDs are unique across types here, so a foreign key finds its type
        self.next_id = 1
        self.requests = []
        for kind, fields in objects:
            self.create(kind, dict(fields))

    # -- the model ---------------------------------------------------------------------------------

    def create(self, kind, fields):
        item = dict(fields, id=self.next_id, type=kind)
        self.next_id += 1
        self.kinds[item["id"]] = kind
        if kind == "project":
            item["status"] = "successful"  # the first project update, which import waits for
        if kind == "job_template" and item.get("project"):
            item["organization"] = self.store["project"][item["project"]].get("organization")
        for attach in ATTACH.get(kind, ()):
            item[attach] = []
        self.store.setdefault(kind, {})[item["id"]] = item
        return item

    def objects(self, kind):
        return list(self.store.get(kind, {}).values())

    def find(self, kind, **fields):
        found = [item for item in self.objects(kind) if all(item.get(k) == v for k, v in fields.items())]
        assert len(found) <= 1, found
        return found[0] if found else None

    def url(self, item):
        return "%s%s/%d/" % (API, ENDPOINTS[item["type"]], item["id"])

    def render(self, item):
        """The object as AWX returns it: foreign keys as IDs, with ``related`` links."""
        body = dict((k, v) for k, v in item.items() if k not in ATTACH.get(item["type"], ()) and k != "survey_spec")
        related = {}
        for key in FOREIGN:
            target = item.get(key)
            if target is None:
                continue
            related[key] = self.url({"type": self.kinds[target], "id": target})
        for attach in ATTACH.get(item["type"], ()):
            related[attach] = self.url(item) + attach + "/"
        if item["type"] == "workflow_job_template":
            related["workflow_nodes"] = self.url(item) + "workflow_nodes/"
            related["survey_spec"] = self.url(item) + "survey_spec/"
        if item["type"] == "job_template":
            related["survey_spec"] = self.url(item) + "survey_spec/"
        if item["type"] == "workflow_job_template_node":
            related["create_approval_template"] = self.url(item) + "create_approval_template/"
        body["related"] = related
        body["url"] = self.url(item)
        return body

    # -- HTTP --------------------------------------------------------------------------------------

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        path = parts.path
        query = dict(parse_qsl(parts.query))
        body = json.loads(request.body) if request.body else None
        self.requests.append((request.method, path, body))
        status, payload, headers = self.handle(request.method, path, query, body)
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response.headers.setdefault("Content-Type", "application/json")
        response._content = b"" if payload is None else json.dumps(payload).encode()
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass

    def handle(self, method, path, query, body):
        if path == API:
            return 200, dict((key, API + endpoint + "/") for key, endpoint in ROOT_KEYS.items()), {}
        match = re.match(r"^/api/v2/([a-z_0-9]+)/(?:(\d+)/(?:([a-z_]+)/)?)?$", path)
        if not match or match.group(1) not in TYPES:
            return 404, {"detail": "Not found."}, {}
        endpoint, ident, sub = match.group(1), match.group(2), match.group(3)
        kind = TYPES[endpoint]
        if ident is None:
            return self.list_endpoint(method, endpoint, kind, query, body, {})
        item = self.store.get(kind, {}).get(int(ident))
        if item is None:
            return 404, {"detail": "Not found."}, {}
        if sub is None:
            if method == "GET":
                return 200, self.render(item), {}
            if method == "PUT":
                item.update(self.accept(POST_FIELDS[endpoint if endpoint != "workflow_job_template_nodes" else "workflow_nodes"], body))
                return 200, self.render(item), {}
            return 405, {"detail": "Method not allowed."}, {}
        if sub in ATTACH.get(kind, ()):
            if method == "GET":
                target_kind = "credential" if sub == "credentials" else "workflow_job_template_node"
                return 200, self.page([self.store[target_kind][i] for i in item[sub]]), {}
            if method == "POST":
                item[sub].append(body["id"])
                return 204, None, {}
        if sub == "workflow_nodes":
            return self.list_endpoint(method, "workflow_nodes", "workflow_job_template_node", query, body,
                                      {"workflow_job_template": item["id"]})
        if sub == "survey_spec" and method == "POST":
            item["survey_spec"] = body
            return 200, {}, {}
        if sub == "survey_spec" and method == "GET":
            return 200, item.get("survey_spec", {}), {}
        if sub == "create_approval_template":
            if method == "OPTIONS":
                return 200, {"actions": {"POST": self.options(POST_FIELDS[sub])}}, {"Allow": "POST, OPTIONS"}
            if method == "POST":
                approval = self.create("workflow_approval_template", self.accept(POST_FIELDS[sub], body))
                item["unified_job_template"] = approval["id"]
                return 201, self.render(approval), {}
        return 405, {"detail": "Method not allowed."}, {}

    def list_endpoint(self, method, fields_key, kind, query, body, scope):
        fields = POST_FIELDS.get(fields_key)
        if method == "OPTIONS":
            allow = "GET, POST, HEAD, OPTIONS" if fields else "GET, HEAD, OPTIONS"
            actions = {"POST": self.options(fields)} if fields else {}
            return 200, {"actions": actions, "search_fields": ["name", "description"]}, {"Allow": allow}
        if method == "GET":
            wanted = dict(scope, **query)
            items = [item for item in self.objects(kind)
                     if all(str(item.get(k)) == str(v) for k, v in wanted.items() if k not in ("page_size", "page"))]
            return 200, self.page(items), {}
        if method == "POST" and fields:
            return 201, self.render(self.create(kind, dict(self.accept(fields, body), **scope))), {}
        return 405, {"detail": "Method not allowed."}, {}

    def page(self, items):
        return {"count": len(items), "next": None, "previous": None, "results": [self.render(i) for i in items]}

    @staticmethod
    def options(fields):
        return dict((name, {"type": kind, "required": name == "name"}) for name, kind in fields.items())

    @staticmethod
    def accept(fields, body):
        unknown = sorted(set(body) - set(fields))
        assert not unknown, "awxkit sent fields AWX does not take: %s" % unknown
        return dict(body)
