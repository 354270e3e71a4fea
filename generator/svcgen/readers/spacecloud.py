"""Space Cloud service specs → chart values.

Input: the documents ``space-cli`` writes (``api: /v1/runner/{project}/services/{id}/{version}``,
``type: service``, ``meta: {project, id|serviceId, version}``, ``spec: {...}``) and its secret
documents (``type: secret``), several per file. The meaning of each field follows Space Cloud's
Kubernetes driver, so a converted service runs the way Space Cloud ran it:

* each task is a container of the pod; ``docker.cmd[0]`` is the command and the rest its args;
  ``imagePullPolicy`` ``pull-if-not-exists`` is IfNotPresent, anything else Always;
* resources are requests (cpu millicores → ``250m``, memory MB → ``512Mi``; both 250/512 when either
  is missing, as the driver did); a gpu ``{type, value}`` is a limit on ``<type>.com/gpu``;
* a secret of type env becomes one variable per key, type file a read-only mount at ``rootPath``;
  the docker secret of a task becomes an image pull secret (a reference: never its data);
* ``scale`` (concurrency per ``mode``: per-second → requests per second, parallel → in-flight
  requests) and ``autoScale`` (KEDA triggers, their ``authRef`` a TriggerAuthentication) become
  ``scaling``; only HTTP requests are counted, so a service without an http port is not
  request-scaled;
* every service runs as ServiceAccount ``<id>``; its service roles become Role/ClusterRole rules;
* upstreams and whitelists become peers, enforced by NetworkPolicies with egress left open as
  the mesh left it (README: "Space Cloud").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from svcgen.readers import spacecloud_versions as versions
from svcgen.readers._common import (
    ENV_NAME_RE,
    Node,
    Owned,
    Report,
    component_id,
    dns_label,
    image_values,
    mebibytes,
    millicores,
    ordered,
    port_name,
    registry_host,
    resource_name,
    secret_action,
    secret_env,
    validate_components,
)
from svcgen.readers.base import ReadOptions, ReadResult
from svcgen.yamlio import Document, load_documents

SERVICE_KEYS = {
    "id",
    "name",
    "projectId",
    "version",
    "scale",
    "autoScale",
    "labels",
    "tasks",
    "affinity",
    "whitelists",
    "upstreams",
    "statsInclusionPrefixes",
}
TASK_KEYS = {"id", "name", "ports", "resources", "docker", "env", "secrets", "runtime"}
PORT_KEYS = {"name", "protocol", "port"}
DOCKER_KEYS = {"image", "cmd", "secret", "imagePullPolicy"}
RESOURCE_KEYS = {"cpu", "memory", "gpu"}
GPU_KEYS = {"type", "value"}
SCALE_KEYS = {"replicas", "minReplicas", "maxReplicas", "concurrency", "mode"}
AUTOSCALE_KEYS = {"pollingInterval", "coolDownInterval", "minReplicas", "maxReplicas", "triggers"}
TRIGGER_KEYS = {"name", "type", "metadata", "authRef"}
AUTHREF_KEYS = {"secretName", "secretMapping"}
PEER_KEYS = {"projectId", "service"}
AFFINITY_KEYS = {"id", "type", "weight", "operator", "topologyKey", "projects", "matchExpressions"}
EXPRESSION_KEYS = {"key", "values", "attribute", "operator"}
SECRET_SPEC_KEYS = {"type", "rootPath", "data", "id", "name"}
DOC_KEYS = {"api", "type", "meta", "spec"}
#: Ingress routes of Space Cloud's gateway: `space-cli` writes `ingress-routes`, the API names
#: the resource `ingress-route` (gateway/config/routing.go holds their shape).
ROUTE_TYPES = ("ingress-route", "ingress-routes")
ROUTE_KEYS = {"id", "project", "source", "targets", "rule", "isRouteCacheable", "cacheOptions",
              "modify"}
ROUTE_SOURCE_KEYS = {"hosts", "methods", "method", "url", "rewrite", "rewriteURL", "type", "port"}
ROUTE_TARGET_KEYS = {"host", "port", "scheme", "schema", "weight", "version", "type"}
ROUTE_MODIFY_KEYS = {"template", "requestTemplate", "responseTemplate", "outputFormat", "headers",
                     "resHeaders"}
CLUSTER_SUFFIX = ".svc.cluster.local"
#: The traffic split between a service's versions (`space-cli get service-routes`).
SERVICE_ROUTE_TYPES = ("service-route", "service-routes")

#: The keys this reader decides: an in-place update removes those the input no longer gives.
OWNED = Owned(
    component=(
        "replicas", "securityProfile", "scaling", "serviceAccount", "volumes", "affinity",
        "labels", "podLabels", "podAnnotations", "upstreams", "whitelists",
    ),
    container=(
        "image", "command", "args", "ports", "env", "secretEnv", "envFrom", "resources",
        "volumeMounts",
    ),
    service=("ports",),
)
PULL_POLICIES = {"always": "Always", "pull-if-not-exists": "IfNotPresent"}
#: Space Cloud's driver defaults (runner/utils/driver/istio: generateKedaConfig).
DEFAULT_MAX_REPLICAS = 100
DEFAULT_POLLING_INTERVAL = 15
DEFAULT_COOLDOWN = 120
POD_OPERATORS = {"In", "NotIn", "Exists", "DoesNotExist"}
NODE_OPERATORS = POD_OPERATORS | {"Gt", "Lt"}
#: The operator matching exactly the nodes (or pods) the other one does not.
NEGATED = {"In": "NotIn", "NotIn": "In", "Exists": "DoesNotExist", "DoesNotExist": "Exists"}


@dataclass
class SecretDoc:
    name: str
    kind: str
    node: Node
    keys: list[str] = field(default_factory=list)
    root_path: str | None = None


@dataclass
class ServiceDoc:
    sid: str
    version: str | None
    project: str | None
    node: Node  # the document root
    spec: Node
    #: The component: the service id, or ``<id>-<version>`` when the input has several versions.
    cid: str = ""


class SpaceCloudReader:
    name = "spacecloud"
    looks_like = "Space Cloud documents have `api: /v1/runner/...` and `type: service`"
    owned = OWNED
    loader = staticmethod(load_documents)

    def detect(self, document: Document) -> bool:
        tree = document.tree
        if not isinstance(tree, dict):
            return False
        api, kind = tree.get("api"), tree.get("type")
        return isinstance(api, str) and (
            (api.startswith("/v1/runner/") and kind in ("service", "secret", "service-role",
                                                        *SERVICE_ROUTE_TYPES))
            or (api.startswith("/v1/config/") and kind in ROUTE_TYPES)
        )

    def read(self, documents: list[Document], options: ReadOptions) -> ReadResult:
        return _Conversion(options).run(documents)


READER = SpaceCloudReader()


class _Conversion:
    def __init__(self, options: ReadOptions) -> None:
        self.options = options
        self.report = Report()
        self.secrets: dict[str, SecretDoc] = {}
        self.services: list[ServiceDoc] = []
        self.project: str | None = None
        #: The project the documents name; --project may put the release in another namespace.
        self.input_project: str | None = None
        self.project_node: Node | None = None
        self.pull_secrets: dict[str, list[str]] = {}  # secret name → registries of its images
        self.pull_secret_nodes: dict[str, Node] = {}
        self.ids: dict[str, str] = {}  # Space Cloud service id → component id (or shared Service)
        #: service id → its documents, when the input has several versions of it
        self.versions: dict[str, list[ServiceDoc]] = {}
        #: service-route documents, converted once every version is known
        self.service_routes: list[Node] = []
        #: `services`: the Service `<id>` over every version of a service
        self.shared: dict[str, Any] = {}
        self.reported_secrets: set[str] = set()
        #: service id → its roles: (project | cluster, rules, document)
        self.roles: dict[str, list[tuple[str, list[dict[str, Any]], Node]]] = {}
        self.gateway_noted = False
        self.peers_noted = False
        #: ingress-route documents, converted once every service is known
        self.routes: list[Node] = []

    # --- documents -------------------------------------------------------------------------------

    def run(self, documents: list[Document]) -> ReadResult:
        if not documents:
            raise ValueError("no documents to read")
        roots = [Node.root(doc) for doc in documents]
        for root in roots:
            self.classify(root)
        if not self.services:
            raise roots[0].error(
                "no Space Cloud service documents (type: service) in the input",
                hint="give the file written by `space-cli get services`",
            )
        self.resolve_project()
        self.assign_components()
        components: dict[str, Any] = {}
        sources: dict[str, Node] = {}
        for svc in self.services:
            components[svc.cid] = self.service(svc, svc.cid)
            sources[svc.cid] = svc.node
        self.shared = versions.shared_services(self, components)
        for doc in self.service_routes:
            versions.service_route(self, doc)
        versions.report_splits(self)
        for route in self.routes:
            self.route(route, components)
        exposed = any(c.get("ingress") for c in components.values())
        global_: dict[str, Any] = {}
        if self.project:
            global_["project"] = self.project
        if self.pull_secrets:
            global_["imagePullSecrets"] = list(self.pull_secrets)
            self.report_pull_secrets()
        if any(c.get("upstreams") or c.get("whitelists") for c in components.values()):
            # Space Cloud enforced whitelists in its mesh; its Sidecars listed the upstreams but
            # let every other destination through (outbound ALLOW_ANY): databases on private
            # addresses and services it never listed stayed reachable.
            global_["networkPolicy"] = {"enabled": True, "allEgress": True}
            if exposed and not self.options.routes:
                self.report.action(
                    self.routes[0] if self.routes else roots[0],
                    "the routed services admit the ingress controller, whose namespace the "
                    "NetworkPolicies must name (Space Cloud's gateway ran in space-cloud)",
                    hint="set global.networkPolicy.ingressNamespace, or convert with --exposure "
                    "gateway --gateway NAMESPACE/NAME")
            self.report.choice(
                roots[0],
                "whitelists are enforced with NetworkPolicies (global.networkPolicy.enabled); "
                "egress stays open to every address, private and in-cluster ones too, as Space "
                "Cloud's mesh let it (outbound ALLOW_ANY), so upstreams are not enforced",
                hint="to tighten: global.networkPolicy.allEgress: false with externalEgress: "
                "true (upstreams, DNS and addresses outside the cluster), or with neither "
                "(upstreams and DNS only)",
            )
        for sid, roles in self.roles.items():
            for _, _, root in roles:
                self.report.not_converted(
                    root, f"service {sid} is not in the input", hint="convert it with its role"
                )
        values: dict[str, Any] = {}
        if global_:
            values["global"] = global_
        values["components"] = components
        if self.shared:
            values["services"] = self.shared
        validate_components(values, sources, roots[0])
        return ReadResult(values=ordered(values), report=self.report.notes)

    def assign_components(self) -> None:
        """A component per service; with several versions of one service, one per version
        (``<id>-<version>``, Space Cloud's Deployment name) and the id names their Service."""
        by_sid: dict[str, list[ServiceDoc]] = {}
        for svc in self.services:
            by_sid.setdefault(svc.sid, []).append(svc)
        seen: dict[str, ServiceDoc] = {}
        for sid, docs in by_sid.items():
            self.ids[sid] = component_id(sid)
            if len(docs) > 1:
                self.versions[sid] = docs
            for svc in docs:
                if len(docs) > 1 and not svc.version:
                    raise svc.node.get("meta").error(
                        f"service {sid!r} has several versions and this one has none",
                        hint="set meta.version")
                svc.cid = component_id(f"{sid}-{svc.version}") if len(docs) > 1 else self.ids[sid]
                if svc.cid in seen:
                    other = seen[svc.cid]
                    raise svc.node.get("meta").error(
                        f"service {svc.sid!r} (version {svc.version}) is given twice: "
                        f"{other.node.file}:{other.node.get('meta').position()[0]} has "
                        f"{other.sid!r} (version {other.version}), and both would be component "
                        f"{svc.cid!r}",
                        hint="keep one document per version of each service")
                seen[svc.cid] = svc
        for sid in self.versions:
            if self.ids[sid] in seen:
                raise seen[self.ids[sid]].node.get("meta").error(
                    f"component {self.ids[sid]!r} would also be the name of the Service over "
                    f"every version of service {sid!r}", hint="rename one of the services")

    # --- ingress routes --------------------------------------------------------------------------

    def route(self, root: Node, components: dict[str, Any]) -> None:
        """An ingress route of Space Cloud's gateway as the exposure of the component it targets:
        hosts and URL become a host path; weighted targets of several services a canary split
        (Gateway API routes only); methods and header changes become matches and modifiers where
        the release renders routes. What the chart cannot say is reported."""
        spec = root.get("spec")
        spec.mapping(optional=False)
        spec.check_keys(ROUTE_KEYS, "an ingress route spec")
        source = spec.get("source")
        source.mapping(optional=False)
        source.check_keys(ROUTE_SOURCE_KEYS, "an ingress route source")
        url = source.get("url").string("/") or "/"
        if not url.startswith("/"):
            raise source.get("url").error("a route URL starts with /", hint="add a /")
        match = (source.get("type").string("prefix") or "prefix").lower()
        if match not in ("prefix", "exact"):
            raise source.get("type").error(f"route type {match!r} is not prefix or exact",
                                           hint="use prefix or exact")
        hosts = source.get("hosts").string_list()
        if not hosts:
            self.report.not_converted(
                source, "the route matches every host, which a route of the chart cannot",
                hint="list the hosts in source.hosts")
            return
        targets = self.route_targets(spec.get("targets"))
        if not targets:
            return
        weight_of = {cid: weight for cid, _, weight in targets}
        primary = max(targets, key=lambda t: t[2])[0]
        entry: dict[str, Any] = {"pathType": "Prefix" if match == "prefix" else "Exact"}
        port = next(port for cid, port, _ in targets if cid == primary)
        if port is not None:
            entry["port"] = port
        others = [(cid, port, weight) for cid, port, weight in targets if cid != primary]
        if others and self.options.routes:
            entry["weight"] = weight_of[primary]
            entry["backends"] = {
                cid: {"weight": weight, **({"port": port} if port is not None else {})}
                for cid, port, weight in others}
        elif others:
            self.report.not_converted(
                spec.get("targets"),
                f"the weights split {url} between services; an Ingress sends it all to "
                f"{primary}", hint="convert with --exposure gateway for a weighted route")
        self.route_extras(source, spec.get("modify"), entry, url)
        for key in ("rule", "isRouteCacheable", "cacheOptions"):
            if spec.has(key) and spec.get(key).value not in (None, False, []):
                self.report.not_converted(
                    spec.get(key), f"the gateway's {key} for {url} has no equivalent in the "
                    "chart", hint="enforce it in the service or an authenticating proxy")
        ingress = components[primary].setdefault("ingress", {})
        for host in hosts:
            paths = ingress.setdefault("hosts", {}).setdefault(host, {"paths": {}})["paths"]
            paths[url] = dict(entry)
        # A choice (R002), not a converted service (R001): the summary counts services.
        self.report.choice(root, f"ingress route {url} on {', '.join(hosts)} → the exposure "
                           f"of {primary} (components.{primary}.ingress)")

    def route_targets(self, node: Node) -> list[tuple[str, int | None, int]]:
        """(component, Service port, weight) of each target that is a service of the input."""
        out: list[tuple[str, int | None, int]] = []
        by_service = self.ids
        for target in node.elements():
            target.mapping(optional=False)
            target.check_keys(ROUTE_TARGET_KEYS, "an ingress route target")
            host = target.get("host").required_string("a service host")
            name = host[: -len(CLUSTER_SUFFIX)] if host.endswith(CLUSTER_SUFFIX) else host
            service, _, project = name.partition(".")
            kind = (target.get("type").string("") or "").lower()
            in_project = not project or project in (self.input_project, self.project)
            if kind == "external" or not in_project or service not in by_service:
                self.report.not_converted(
                    target, f"target {host} is not a service of this input",
                    hint="the chart routes to its own components' Services only")
                continue
            port = target.get("port").integer(minimum=1, maximum=65535)
            weight = target.get("weight").integer(100, minimum=0) or 0
            if service in self.versions:
                out.extend(versions.route_to_versions(self, service, target, port, weight))
                continue
            out.append((by_service[service], port, weight))
        return out

    def route_extras(self, source: Node, modify: Node, entry: dict[str, Any], url: str) -> None:
        """Methods, the URL rewrite and header changes: Gateway API matches and modifiers when
        the release renders routes, reported otherwise."""
        methods_node = source.get("methods") if source.has("methods") else source.get("method")
        methods = [m.upper() for m in methods_node.string_list()] if methods_node.value else []
        if len(methods) == 1 and self.options.routes:
            entry["method"] = methods[0]
        elif methods:
            self.report.not_converted(
                methods_node, f"{url} answers only {', '.join(methods)}; the chart's "
                "routes match one method (with --exposure gateway), an Ingress none",
                hint="limit the methods in the service")
        for key in ("rewrite", "rewriteURL"):
            if source.get(key).string():
                self.report.not_converted(source.get(key), f"the URL rewrite of {url} has no "
                                          "equivalent in the chart", hint="serve the path as is")
        if modify.value is None:
            return
        modify.mapping()
        modify.check_keys(ROUTE_MODIFY_KEYS, "an ingress route's modify")
        for key, field_ in (("headers", "requestHeaders"), ("resHeaders", "responseHeaders")):
            changes = self.header_changes(modify.get(key))
            if changes and self.options.routes:
                entry[field_] = changes
            elif changes:
                self.report.not_converted(modify.get(key), f"header changes of {url} need "
                                          "Gateway API routes", hint="convert with --exposure "
                                          "gateway")
        for key in ("template", "requestTemplate", "responseTemplate", "outputFormat"):
            if modify.get(key).string():
                self.report.not_converted(modify.get(key), f"the gateway's body {key} for {url} "
                                          "has no equivalent in the chart",
                                          hint="transform bodies in the service")

    def header_changes(self, node: Node) -> dict[str, Any]:
        """Space Cloud's [{key, value, op: set|add|del}] as a header modifier."""
        out: dict[str, Any] = {}
        for item in node.elements():
            item.mapping(optional=False)
            item.check_keys({"key", "value", "op"}, "a header change")
            key = item.get("key").required_string("a header name")
            op = (item.get("op").string("set") or "set").lower()
            if op == "del":
                out.setdefault("remove", []).append(key)
            elif op in ("set", "add"):
                out.setdefault(op, {})[key] = item.get("value").string("", allow_numbers=True)
            else:
                raise item.get("op").error(f"header op {op!r} is not set, add or del",
                                           hint="use set, add or del")
        return out

    def classify(self, root: Node) -> None:
        root.mapping(optional=False)
        root.check_keys(DOC_KEYS, "a Space Cloud document")
        kind = root.get("type").required_string("service or secret")
        root.get("api").string()
        meta = root.get("meta")
        meta_map = meta.mapping()
        if kind == "secret":
            self.secret(root, meta)
            return
        if kind == "service-role":
            self.role(root, meta)
            return
        if kind in ROUTE_TYPES:
            self.routes.append(root)
            return
        if kind in SERVICE_ROUTE_TYPES:
            self.service_routes.append(root)
            return
        if kind != "service":
            self.report.not_converted(
                root.get("type"),
                f"documents of type {kind!r} are not services",
                hint="only service and secret documents are converted",
            )
            return
        spec = root.get("spec")
        if spec.value is None:
            raise root.error("a service document needs a spec", hint="add spec: {tasks: [...]}")
        spec.mapping(optional=False)
        spec.check_keys(SERVICE_KEYS, "a Space Cloud service spec")
        sid_node = meta.get("id") if "id" in meta_map else meta.get("serviceId")
        if sid_node.value is None:
            sid_node = spec.get("id")
        sid = sid_node.string(allow_numbers=True)
        if not sid:
            raise meta.error("the service has no id", hint="set meta.id (or meta.serviceId)")
        version = meta.get("version").string(allow_numbers=True) or spec.get("version").string(
            allow_numbers=True
        )
        project_node = meta.get("project") if meta.has("project") else spec.get("projectId")
        project = project_node.string()
        if project:
            self.note_project(project, project_node)
        self.services.append(ServiceDoc(sid, version, project, root, spec))

    def role(self, root: Node, meta: Node) -> None:
        """A service role (``type: service-role``): API access for the service's ServiceAccount,
        in its project (Role) or in the cluster (ClusterRole), as the driver created them."""
        service = meta.get("serviceId").required_string("the service id")
        spec = root.get("spec")
        spec.mapping(optional=False)
        spec.check_keys({"id", "type", "rules", "project", "service"}, "a service role spec")
        scope = (spec.get("type").string("project") or "project").lower()
        if scope not in ("project", "cluster"):
            raise spec.get("type").error(
                f"service role type {scope!r} is not project or cluster",
                hint="use project or cluster",
            )
        rules = []
        for rule in spec.get("rules").elements():
            rule.mapping(optional=False)
            rule.check_keys({"apiGroups", "verbs", "resources"}, "a service role rule")
            rules.append({
                "apiGroups": rule.get("apiGroups").string_list() or [""],
                "resources": rule.get("resources").string_list(),
                "verbs": rule.get("verbs").string_list(),
            })
        self.roles.setdefault(service, []).append((scope, rules, root))

    def note_project(self, project: str, node: Node) -> None:
        if self.project is None:
            self.project, self.project_node = project, node
        elif project != self.project and not self.options.project:
            first = self.project_node
            where = f"{first.file}:{first.position()[0]}" if first else "another document"
            raise node.error(
                f"project {project!r} differs from project {self.project!r} ({where})",
                hint="one release is one project (namespace): convert each project separately",
            )

    def resolve_project(self) -> None:
        self.input_project = self.project
        if self.options.project:
            self.project = self.options.project
        if self.project is None:
            return
        as_label = dns_label(self.project, rfc1035=False)
        if not (len(self.project) <= 63 and as_label == self.project):
            where = self.project_node or self.services[0].node
            raise where.error(
                f"project {self.project!r} cannot be a Kubernetes namespace",
                hint="use lower-case letters, digits and '-' (it becomes global.project)",
            )

    def secret(self, root: Node, meta: Node) -> None:
        name = meta.get("id").string(allow_numbers=True) or root.get("spec").get("id").string()
        if not name:
            raise meta.error("the secret has no id", hint="set meta.id")
        spec = root.get("spec")
        spec.mapping()
        spec.check_keys(SECRET_SPEC_KEYS, "a Space Cloud secret spec")
        kind = spec.get("type").required_string("env, file or docker")
        if kind not in ("env", "file", "docker"):
            raise spec.get("type").error(
                f"secret type {kind!r} is not env, file or docker", hint="use env, file or docker"
            )
        if meta.has("project"):
            self.note_project(meta.get("project").required_string(), meta.get("project"))
        # Only the names of the keys are read: the values are secret material.
        keys = list(spec.get("data").mapping())
        root_path = spec.get("rootPath").string()
        if kind == "file" and not root_path:
            raise spec.error(
                "a file secret needs a rootPath", hint="set spec.rootPath to a directory"
            )
        if root_path and not root_path.startswith("/"):
            raise spec.get("rootPath").error(
                "rootPath must be an absolute path", hint="start rootPath with /"
            )
        self.secrets[name] = SecretDoc(name, kind, root, keys, root_path)
        if keys:
            self.report.choice(
                spec.get("data"),
                f"secret {name!r}: only the names of its {len(keys)} keys are used; the values "
                "never go into the chart values",
            )

    # --- one service -----------------------------------------------------------------------------

    def service(self, svc: ServiceDoc, cid: str) -> dict[str, Any]:
        spec = svc.spec
        out: dict[str, Any] = {}
        base = self.ids[svc.sid]
        if svc.sid in self.versions:
            self.report.choice(
                svc.node.get("meta"),
                f"service {svc.sid} version {svc.version} → component {cid} (Space Cloud's "
                f"Deployment {cid}) with its own Service {versions.version_service(cid)}; the "
                f"Service {base} reaches every version (services.{base})",
            )
        elif cid != svc.sid:
            self.report.choice(
                svc.node.get("meta"),
                f"service id {svc.sid!r} becomes component {cid!r}: a Service name must be a "
                "DNS label",
                hint=f"callers reach it as {cid}.<namespace>.svc.cluster.local",
            )
        labels = spec.get("labels").string_map()
        if svc.version:
            # Space Cloud labelled every object and pod with app=<id> and version=<version>;
            # keeping both keeps affinity rules and dashboards that select on them working.
            labels = {**labels, "version": svc.version}
        if labels:
            out["labels"] = labels
        out["podLabels"] = {"app": base, **({"version": svc.version} if svc.version else {})}
        prefixes = spec.get("statsInclusionPrefixes").string()
        if prefixes:
            out["podAnnotations"] = {"sidecar.istio.io/statsInclusionPrefixes": prefixes}

        # Space Cloud has no user field: its images ran as whatever user they declare.
        out["securityProfile"] = "baseline"
        self.report.choice(
            spec,
            f"service {svc.sid}: securityProfile baseline — Space Cloud specs cannot say that a "
            "service runs as a non-root user, so the image keeps the user it was built with",
            hint=f"set components.{cid}.securityProfile: restricted once the image runs as "
            "non-root",
        )

        tasks = list(spec.get("tasks").elements())
        if not tasks:
            raise spec.get("tasks").error(
                f"service {svc.sid} has no tasks", hint="add at least one task with a docker image"
            )
        containers: dict[str, Any] = {}
        volumes: dict[str, Any] = {}
        service_ports: dict[str, Any] = {}
        port_owner: dict[int, Node] = {}
        has_tcp = False
        for task in tasks:
            name, container, task_tcp = self.task(task, cid, volumes, service_ports, port_owner)
            if name in containers:
                raise task.get("id").error(
                    f"two tasks of service {svc.sid} are named {name!r}",
                    hint="give every task a different id",
                )
            containers[name] = container
            has_tcp = has_tcp or task_tcp

        has_http = any(sp.get("appProtocol") == "http" for sp in service_ports.values())
        replicas, scaling = self.scaling(spec, cid, has_tcp, has_http)
        if scaling is not None:
            out["scaling"] = scaling
        elif replicas != 1:
            out["replicas"] = replicas
        out["containers"] = containers
        if service_ports:
            out["service"] = {"ports": service_ports}
            if svc.sid in self.versions:
                out["service"]["name"] = versions.version_service(cid)
        if volumes:
            out["volumes"] = volumes
        affinity = self.affinity(spec.get("affinity"))
        if affinity:
            out["affinity"] = affinity
        upstreams = self.peers(spec.get("upstreams"))
        whitelists = self.peers(spec.get("whitelists"))
        if upstreams:
            out["upstreams"] = upstreams
        if whitelists:
            out["whitelists"] = whitelists
        if (spec.has("whitelists") or spec.has("upstreams")) and not self.gateway_noted:
            self.gateway_noted = True
            self.report.choice(
                spec.get("whitelists") if spec.has("whitelists") else spec.get("upstreams"),
                "Space Cloud also admitted its gateway (namespace space-cloud) and istio-system "
                "to every service; that implicit rule is not carried over",
                hint="add {project: space-cloud} to the whitelists if the Space Cloud gateway "
                "still calls this service",
            )
        if spec.has("name"):
            self.report.not_converted(
                spec.get("name"), "display names have no Kubernetes equivalent"
            )
        out["serviceAccount"] = self.service_account(svc, cid)

        parts = [f"{len(containers)} container{'s' if len(containers) != 1 else ''}"]
        if service_ports:
            parts.append(f"{len(service_ports)} port{'s' if len(service_ports) != 1 else ''}")
        if scaling is not None:
            parts.append("scaling")
        if upstreams:
            parts.append(f"{len(upstreams)} upstream{'s' if len(upstreams) != 1 else ''}")
        if whitelists:
            parts.append(f"{len(whitelists)} whitelist{'s' if len(whitelists) != 1 else ''}")
        if affinity:
            parts.append("affinity")
        self.report.converted(
            svc.node.get("meta"), f"service {svc.sid} → component {cid}: {', '.join(parts)}"
        )
        return out

    def service_account(self, svc: ServiceDoc, cid: str) -> dict[str, Any]:
        """ServiceAccount ``<id>``, as the driver gave every service, with its roles' rules."""
        # Every version runs as the one ServiceAccount <id>: the first version creates it.
        first = self.versions.get(svc.sid, [svc])[0] is svc
        account: dict[str, Any] = {"create": first, "name": self.ids[svc.sid]}
        for scope, rules, root in self.roles.pop(svc.sid, []):
            key = "rules" if scope == "project" else "clusterRules"
            account.setdefault(key, []).extend(rules)
            self.report.choice(
                root.get("meta"),
                f"service role for {svc.sid}: a {'Role' if scope == 'project' else 'ClusterRole'}"
                f" and binding for ServiceAccount {cid}"
                + (" named after it" if scope == "project"
                   else " named <namespace>-" + self.ids[svc.sid])
                + " (Space Cloud named them after the role id)",
            )
        return account

    def task(
        self,
        task: Node,
        cid: str,
        volumes: dict[str, Any],
        service_ports: dict[str, Any],
        port_owner: dict[int, Node],
    ) -> tuple[str, dict[str, Any], bool]:
        task.mapping(optional=False)
        task.check_keys(TASK_KEYS, "a Space Cloud task")
        tid = task.get("id").required_string("the task id")
        name = dns_label(tid, rfc1035=False)
        if name != tid:
            self.report.choice(task.get("id"), f"task {tid!r} becomes container {name!r}")
        runtime = task.get("runtime").string("image")
        if runtime == "code":
            raise task.get("runtime").error(
                f"task {tid} runs code without an image (runtime: code)",
                hint="build an image for this task and set docker.image and runtime: image",
            )
        if runtime != "image":
            raise task.get("runtime").error(
                f"runtime {runtime!r} is not image or code", hint="use runtime: image"
            )
        if task.has("name"):
            self.report.not_converted(
                task.get("name"), "display names have no Kubernetes equivalent"
            )

        container: dict[str, Any] = {}
        docker = task.get("docker")
        if docker.value is None:
            raise task.error(f"task {tid} has no docker section", hint="add docker: {image: ...}")
        docker.mapping(optional=False)
        docker.check_keys(DOCKER_KEYS, "a task's docker section")
        image_ref = docker.get("image").required_string("an image reference")
        override = self.options.image_for(tid, cid)
        if override:
            self.report.choice(
                docker.get("image"), f"image of task {tid} replaced by --image {override}"
            )
            image_ref = override
        image: dict[str, Any] = image_values(docker.get("image"), image_ref)
        policy = docker.get("imagePullPolicy").string()
        if policy is None:
            # The driver pulled every time unless told pull-if-not-exists.
            image["pullPolicy"] = "Always"
        elif policy in PULL_POLICIES:
            image["pullPolicy"] = PULL_POLICIES[policy]
        else:
            raise docker.get("imagePullPolicy").error(
                f"imagePullPolicy {policy!r} is not always or pull-if-not-exists",
                hint="use always or pull-if-not-exists",
            )
        container["image"] = image
        cmd = docker.get("cmd").string_list()
        if cmd:
            container["command"] = cmd[:1]
            if len(cmd) > 1:
                container["args"] = cmd[1:]
        pull_secret = docker.get("secret").string()
        if pull_secret:
            self.pull_secret(pull_secret, docker.get("secret"), image["repository"])

        ports: dict[str, Any] = {}
        has_tcp = False
        for p in task.get("ports").elements():
            p.mapping(optional=False)
            p.check_keys(PORT_KEYS, "a task port")
            number = p.get("port").integer(minimum=1, maximum=65535)
            if number is None:
                raise p.error("a port needs a number", hint="set port: <1-65535>")
            protocol = p.get("protocol").string("http")
            if protocol not in ("http", "tcp"):
                raise p.get("protocol").error(
                    f"protocol {protocol!r} is not http or tcp", hint="use http or tcp"
                )
            has_tcp = has_tcp or protocol == "tcp"
            raw_name = p.get("name").string(allow_numbers=True) or f"{protocol}-{number}"
            pname = port_name(raw_name)
            if pname != raw_name:
                self.report.choice(p.get("name"), f"port name {raw_name!r} becomes {pname!r}")
            if number in port_owner:
                other = port_owner[number]
                raise p.get("port").error(
                    f"port {number} is already used by {other.dotted} "
                    f"({other.file}:{other.position()[0]}); the tasks of a service share one "
                    "network, so their ports must differ",
                    hint="change one of the two port numbers",
                )
            if pname in service_ports:
                raise p.get("name").error(
                    f"port name {pname!r} is used twice in this service",
                    hint="give every port of the service a different name",
                )
            port_owner[number] = p.get("port")
            ports[pname] = {"containerPort": number}
            sp: dict[str, Any] = {"port": number, "targetPort": pname}
            if protocol == "http":
                sp["appProtocol"] = "http"
            service_ports[pname] = sp
        if ports:
            container["ports"] = ports

        env, moved = secret_env(self.env(task.get("env")), f"{cid}-env")
        if moved:
            secret_action(self.report, task.get("env"), f"{cid}-env", list(moved))
            container["secretEnv"] = moved
        if env:
            container["env"] = env
        container.update(self.resources(task.get("resources")))
        self.task_secrets(task.get("secrets"), tid, container, volumes)
        return name, container, has_tcp

    def env(self, node: Node) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, child in node.items():
            if not ENV_NAME_RE.match(k):
                raise child.error(
                    f"{k!r} is not a valid environment variable name",
                    hint="use letters, digits, '_', '-' and '.'",
                    key=True,
                )
            out[k] = node.string_map()[k]
        return out

    def resources(self, node: Node) -> dict[str, Any]:
        node.mapping()
        node.check_keys(RESOURCE_KEYS, "a task's resources")
        cpu = node.get("cpu").integer(0, minimum=0) or 0
        memory = node.get("memory").integer(0, minimum=0) or 0
        if cpu == 0 or memory == 0:
            # The driver replaced both with 250 millicores and 512 MB when either was missing.
            if cpu or memory:
                self.report.choice(
                    node,
                    "cpu and memory set to Space Cloud's defaults (250 millicores, 512 MB) "
                    "because one of them is missing, as Space Cloud did",
                )
            cpu, memory = 250, 512
        resources: dict[str, Any] = {
            "requests": {"cpu": millicores(cpu), "memory": mebibytes(memory)}
        }
        gpu = node.get("gpu")
        if gpu.value is not None:
            gpu.mapping()
            gpu.check_keys(GPU_KEYS, "a gpu request")
            kind = gpu.get("type").string() or ""
            count = gpu.get("value").integer(0, minimum=0) or 0
            if kind and count:
                resources["limits"] = {f"{dns_label(kind, rfc1035=False)}.com/gpu": count}
            else:
                self.report.not_converted(
                    gpu, "a gpu needs both a type and a value above 0 (Space Cloud ignored it too)"
                )
        return {"resources": resources}

    def task_secrets(
        self, node: Node, tid: str, container: dict[str, Any], volumes: dict[str, Any]
    ) -> None:
        for item in node.elements():
            name = item.string(allow_numbers=True)
            if not name:
                raise item.error("a secret name is empty", hint="name a secret")
            secret_name = resource_name(name)
            doc = self.secrets.get(name)
            if doc is None:
                container.setdefault("envFrom", []).append({"secret": secret_name})
                self.report.action(
                    item,
                    f"secret {name!r} is not in the input: assumed to be an env secret, so every "
                    f"key of Secret {secret_name} becomes a variable of task {tid}",
                    hint=f"create Secret {secret_name} in the namespace; if it is a file secret, "
                    "give its secret document too",
                )
            elif doc.kind == "env":
                env = container.setdefault("secretEnv", {})
                for key in doc.keys:
                    if not ENV_NAME_RE.match(key):
                        self.report.not_converted(
                            doc.node.get("spec").get("data").get(key),
                            f"{key!r} is not a valid environment variable name",
                        )
                        continue
                    env[key] = {"secret": secret_name, "key": key}
                if not doc.keys:
                    container.setdefault("envFrom", []).append({"secret": secret_name})
                self.secret_action(doc, secret_name)
            elif doc.kind == "file":
                vol = dns_label(name, rfc1035=False)
                volumes[vol] = {"secret": {"secretName": secret_name}}
                container.setdefault("volumeMounts", {})[vol] = {
                    "mountPath": doc.root_path,
                    "readOnly": True,
                }
                self.secret_action(doc, secret_name)
            else:
                raise item.error(
                    f"secret {name!r} is a docker secret: it belongs in docker.secret, not in "
                    "the task's secrets",
                    hint="move it to docker.secret",
                )

    def secret_action(self, doc: SecretDoc, secret_name: str) -> None:
        if doc.name in self.reported_secrets:
            return
        self.reported_secrets.add(doc.name)
        literals = " ".join(f"--from-literal={k}=..." for k in doc.keys) or "--from-literal=KEY=..."
        if doc.kind == "file":
            literals = " ".join(f"--from-file={k}=./{k}" for k in doc.keys) or "--from-file=./FILE"
        ns = f" --namespace {self.project}" if self.project else ""
        self.report.action(
            doc.node.get("meta"),
            f"create Secret {secret_name} ({doc.kind} secret, keys: "
            f"{', '.join(doc.keys) or 'none given'}) before installing",
            hint=f"kubectl create secret generic {secret_name}{ns} {literals}",
        )

    def pull_secret(self, name: str, node: Node, repository: str) -> None:
        secret_name = resource_name(name)
        doc = self.secrets.get(name)
        if doc is not None and doc.kind != "docker":
            raise node.error(
                f"secret {name!r} is a {doc.kind} secret, not a docker secret",
                hint="docker.secret names a secret of type docker",
            )
        registries = self.pull_secrets.setdefault(secret_name, [])
        host = registry_host(repository)
        if host not in registries:
            registries.append(host)
        self.pull_secret_nodes.setdefault(secret_name, node)

    def report_pull_secrets(self) -> None:
        ns = f" --namespace {self.project}" if self.project else ""
        for name, registries in self.pull_secrets.items():
            self.report.action(
                self.pull_secret_nodes[name],
                f"registry credentials are referenced, not copied: create the "
                f"kubernetes.io/dockerconfigjson Secret {name} (global.imagePullSecrets)",
                hint=f"kubectl create secret docker-registry {name}{ns} "
                f"--docker-server={registries[0]} --docker-username=<user> "
                "--docker-password=<password>",
            )

    # --- scaling ---------------------------------------------------------------------------------

    def scaling(
        self, spec: Node, cid: str, has_tcp: bool, has_http: bool
    ) -> tuple[int, dict[str, Any] | None]:
        """(replicas, scaling) following the driver's generateKedaConfig."""
        auto, scale = spec.get("autoScale"), spec.get("scale")
        if auto.value is not None:
            if scale.value is not None:
                self.report.not_converted(
                    scale, "autoScale is given too, and Space Cloud uses autoScale when both are"
                )
            return self.auto_scale(auto, cid, has_tcp, has_http)
        if scale.value is None:
            return 1, None
        scale.mapping()
        scale.check_keys(SCALE_KEYS, "a scale section")
        minimum = scale.get("minReplicas").integer(1, minimum=0)
        maximum = scale.get("maxReplicas").integer(0, minimum=0) or DEFAULT_MAX_REPLICAS
        replicas = scale.get("replicas").integer(None, minimum=0)
        concurrency = scale.get("concurrency").integer(0, minimum=0) or 0
        mode = scale.get("mode").string("per-second") or "per-second"
        if mode not in ("per-second", "parallel"):
            raise scale.get("mode").error(
                f"scale mode {mode!r} is not per-second or parallel",
                hint="use per-second or parallel",
            )
        assert minimum is not None
        if minimum > maximum:
            raise scale.get("minReplicas").error(
                f"minReplicas {minimum} is above maxReplicas {maximum}",
                hint="make minReplicas at most maxReplicas",
            )
        fixed = minimum if replicas is None else min(max(replicas, minimum), maximum)
        if has_tcp:
            fixed = max(fixed, 1)
        if concurrency == 0 or minimum == maximum:
            return fixed, None
        if not has_http:
            self.report.not_converted(
                scale.get("concurrency"),
                "the service has no http port, and Space Cloud counted HTTP requests only: it "
                "runs minReplicas (at least 1)",
            )
            return fixed, None
        if replicas is not None and replicas != minimum:
            self.report.not_converted(
                scale.get("replicas"),
                "the autoscaler sets the replica count between minReplicas and maxReplicas",
            )
        metric = "requestsPerSecond" if mode == "per-second" else "concurrency"
        meaning = (
            "requests per second per replica"
            if mode == "per-second"
            else "in-flight requests per replica"
        )
        self.report.choice(
            scale.get("mode"),
            f"scale mode {mode}: concurrency {concurrency} becomes scaling.{metric} ({meaning})",
        )
        scaling: dict[str, Any] = {
            "minReplicas": minimum,
            "maxReplicas": maximum,
            metric: concurrency,
            "pollingInterval": DEFAULT_POLLING_INTERVAL,
            "cooldownPeriod": DEFAULT_COOLDOWN,
        }
        self.request_scaling(scale.get("mode") if scale.has("mode") else scale, cid, scaling,
                             has_tcp)
        return scaling["minReplicas"], scaling

    def request_scaling(
        self, node: Node, cid: str, scaling: dict[str, Any], has_tcp: bool
    ) -> None:
        """What request-based scaling can and cannot count, said plainly."""
        if has_tcp:
            self.report.choice(
                node,
                "only HTTP requests are counted, as Space Cloud's runner counted them: TCP "
                "connections add no replicas",
            )
            if scaling["minReplicas"] == 0:
                scaling["minReplicas"] = 1
                self.report.choice(
                    node, "minReplicas 1: a TCP client cannot wake a service scaled to zero"
                )
        if scaling["minReplicas"] == 0:
            ns = self.project or "<namespace>"
            self.report.action(
                node,
                f"scale to zero: at zero replicas only requests through the KEDA HTTP add-on's "
                f"interceptor wake {cid}. Space Cloud routed every mesh call through its runner, "
                f"which woke the service; a caller that calls {cid}.{ns}.svc.cluster.local "
                "directly finds no pod",
                hint="route in-cluster callers through the interceptor "
                "(keda-add-ons-http-interceptor-proxy.keda:8080 with the component's host), or "
                f"set components.{cid}.scaling.minReplicas: 1",
            )

    def auto_scale(
        self, auto: Node, cid: str, has_tcp: bool, has_http: bool
    ) -> tuple[int, dict[str, Any] | None]:
        auto.mapping()
        auto.check_keys(AUTOSCALE_KEYS, "an autoScale section")
        if auto.has("minReplicas"):
            minimum = auto.get("minReplicas").integer(minimum=0)
            if minimum is None:
                raise auto.get("minReplicas").error(
                    "autoScale.minReplicas is null", hint="give a number (0 scales to zero)",
                    key=True)
        else:
            minimum = 1
            self.report.choice(
                auto,
                "autoScale.minReplicas is missing: 1 replica at least",
                hint="set minReplicas: 0 to scale to zero",
            )
        maximum = auto.get("maxReplicas").integer(0, minimum=0) or DEFAULT_MAX_REPLICAS
        if minimum > maximum:
            raise auto.get("minReplicas").error(
                f"minReplicas {minimum} is above maxReplicas {maximum}",
                hint="make minReplicas at most maxReplicas",
            )
        polling = auto.get("pollingInterval").integer(0, minimum=0) or DEFAULT_POLLING_INTERVAL
        cooldown = auto.get("coolDownInterval").integer(0, minimum=0) or DEFAULT_COOLDOWN
        scaling: dict[str, Any] = {"minReplicas": minimum, "maxReplicas": maximum}
        triggers: list[dict[str, Any]] = []
        for trig in auto.get("triggers").elements():
            trig.mapping(optional=False)
            trig.check_keys(TRIGGER_KEYS, "an autoScale trigger")
            kind = trig.get("type").required_string("a trigger type")
            tname = trig.get("name").string(allow_numbers=True) or kind
            metadata = trig.get("metadata").string_map()
            if kind in ("requests-per-second", "active-requests"):
                target_node = trig.get("metadata").get("target")
                target = target_node.integer(minimum=1)
                if target is None:
                    raise trig.get("metadata").error(
                        f"trigger {tname} ({kind}) needs metadata.target",
                        hint="set metadata.target to the requests per replica",
                    )
                if not has_http:
                    self.report.not_converted(
                        trig,
                        "the service has no http port, and Space Cloud counted HTTP requests "
                        "only",
                    )
                    continue
                field_name = "requestsPerSecond" if kind == "requests-per-second" else "concurrency"
                scaling[field_name] = target
                continue
            if (
                kind in ("cpu", "memory")
                and (metadata.get("type") == "Utilization" or trig.get("metadata").has("value"))
                and metadata.get("type", "Utilization") == "Utilization"
            ):
                value = trig.get("metadata").get("value").integer(minimum=1, maximum=1000)
                if value is not None:
                    scaling["targetCPU" if kind == "cpu" else "targetMemory"] = value
                    continue
            trigger: dict[str, Any] = {"type": kind, "name": tname}
            if metadata:
                trigger["metadata"] = metadata
            auth = trig.get("authRef")
            if auth.value is not None:
                refs = self.trigger_auth(auth, tname)
                if refs:
                    trigger["secretTargetRef"] = refs
            triggers.append(trigger)
        if triggers:
            scaling["triggers"] = triggers
        metrics = {"requestsPerSecond", "concurrency", "targetCPU", "targetMemory", "triggers"}
        if not metrics & scaling.keys() or minimum == maximum:
            # No trigger: Space Cloud created no ScaledObject and ran minReplicas.
            return max(minimum, 1) if has_tcp else minimum, None
        if {"requestsPerSecond", "concurrency"} & scaling.keys():
            self.request_scaling(auto, cid, scaling, has_tcp)
        if {"requestsPerSecond", "concurrency"} & scaling.keys() or triggers or minimum == 0:
            scaling["pollingInterval"] = polling
            scaling["cooldownPeriod"] = cooldown
        else:
            for k in ("pollingInterval", "coolDownInterval"):
                if auto.has(k):
                    self.report.not_converted(
                        auto.get(k),
                        "CPU and memory targets are scaled "
                        "by a HorizontalPodAutoscaler, which has no such "
                        "interval",
                    )
        return scaling["minReplicas"], scaling

    def trigger_auth(self, auth: Node, trigger: str) -> list[dict[str, str]]:
        """``authRef.secretMapping`` → the parameters of a TriggerAuthentication the chart
        renders and references, as Space Cloud's driver created one per trigger. A mapping's
        key is ``secrets.<secret>.<key>`` (the driver's form), or a key of ``secretName``."""
        auth.mapping()
        auth.check_keys(AUTHREF_KEYS, "a trigger authRef")
        default_secret = auth.get("secretName").string()
        refs: list[dict[str, str]] = []
        for m in auth.get("secretMapping").elements():
            m.mapping(optional=False)
            m.check_keys({"param", "key"}, "a secretMapping entry")
            param = m.get("param").required_string("the scaler parameter")
            raw = m.get("key").required_string("secrets.<secret>.<key>")
            parts = raw.removeprefix("secrets.").split(".")
            if len(parts) == 2:
                secret, key = parts
            elif default_secret and raw.count(".") == 0:
                secret, key = default_secret, raw
            else:
                raise m.get("key").error(
                    f"{raw!r} is not secrets.<secret>.<key>",
                    hint="name the secret and its key, e.g. secrets.redis.password",
                )
            refs.append({"parameter": param, "secret": resource_name(secret), "key": key})
        if refs:
            secrets = sorted({r["secret"] for r in refs})
            self.report.choice(
                auth,
                f"trigger {trigger}: a TriggerAuthentication passes "
                + ", ".join(f"{r['parameter']} ← {r['secret']}/{r['key']}" for r in refs)
                + " to the scaler, as Space Cloud created it",
                hint=f"the Secret(s) {', '.join(secrets)} must exist in the namespace",
            )
        else:
            self.report.not_converted(auth, "the authRef maps no parameter")
        return refs

    # --- peers and affinity ----------------------------------------------------------------------

    def peers(self, node: Node) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for item in node.elements():
            item.mapping(optional=False)
            item.check_keys(PEER_KEYS, "an upstream or whitelist entry")
            project = item.get("projectId").required_string("a project id or *")
            service = item.get("service").string(allow_numbers=True) or "*"
            peer: dict[str, str]
            if project == "*":
                peer = {"project": "*"}
                if service != "*":
                    peer["service"] = component_id(service)
            elif project in (self.input_project, self.project) and service in self.versions:
                # Every version of that service: each runs as its own component.
                for doc in self.versions[service][:-1]:
                    if {"component": doc.cid} not in out:
                        out.append({"component": doc.cid})
                peer = {"component": self.versions[service][-1].cid}
            elif project in (self.input_project, self.project) and service in self.ids:
                peer = {"component": self.ids[service]}
            else:
                same = project in (self.input_project, self.project)
                peer = {
                    "project": dns_label(
                        self.project if same and self.project else project, rfc1035=False
                    )
                }
                if service != "*":
                    peer["service"] = component_id(service)
                if same and service != "*":
                    self.report.choice(
                        item,
                        f"service {service!r} of this project is not in the input: "
                        f"kept as a service of project {project}",
                    )
            if peer not in out:
                out.append(peer)
            if "service" in peer and not self.peers_noted:
                self.peers_noted = True
                project_name, service_name = peer["project"], peer["service"]
                ns = "any namespace" if project_name == "*" else f"namespace {project_name}"
                self.report.choice(
                    item,
                    f"a service of another project ({project_name}/{service_name}): "
                    f"NetworkPolicies admit pods in {ns} labelled "
                    f"app.kubernetes.io/component={service_name} (this chart's) or "
                    f"app={service_name} (Space Cloud's) — labels, which anyone deploying there "
                    "can set; with global.mesh.istio the AuthorizationPolicy admits only "
                    f"ServiceAccount {service_name} of that project (cluster.local/ns/"
                    f"{project_name}/sa/{service_name}), a verified identity, as Space Cloud did",
                    hint="turn on global.mesh.istio to pin callers down to their identity",
                )
        return out

    def avoided_nodes(self, item: Node, expressions: list[dict[str, Any]]) -> list[Any]:
        """A negative node weight means "avoid these nodes": Kubernetes weights are 1 to 100,
        so the preference is for nodes that do *not* match: each expression with the opposite
        operator (``NotIn``, ``DoesNotExist``). Avoiding nodes that match all of several
        expressions is preferring nodes that miss any one of them: one term per expression."""
        if any(e["operator"] not in NEGATED for e in expressions):
            self.report.not_converted(
                item,
                "a negative weight on Gt/Lt expressions has no exact opposite (nodes without "
                "the label would be excluded too)",
                hint="write the opposite range with a positive weight",
            )
            return []
        terms = [
            {"matchExpressions": [{**e, "operator": NEGATED[e["operator"]]}]}
            for e in expressions
        ]
        self.report.choice(
            item.get("weight"),
            f"weight {item.get('weight').value}: nodes matching the expressions are avoided — "
            f"a preference (weight {abs(int(item.get('weight').value))}) for nodes that "
            + ("do not match" if len(terms) == 1 else "miss any one of them, one term each"),
        )
        return terms

    def affinity(self, node: Node) -> dict[str, Any]:
        node_aff: dict[str, list[Any]] = {}
        pod_aff: dict[str, list[Any]] = {}
        anti_aff: dict[str, list[Any]] = {}
        required_node_terms: list[Any] = []
        for item in node.elements():
            item.mapping(optional=False)
            item.check_keys(AFFINITY_KEYS, "an affinity rule")
            kind = item.get("type").required_string("node or service")
            operator = item.get("operator").required_string("required or preferred")
            if kind not in ("node", "service"):
                raise item.get("type").error(
                    f"affinity type {kind!r} is not node or service", hint="use node or service"
                )
            if operator not in ("required", "preferred"):
                raise item.get("operator").error(
                    f"affinity operator {operator!r} is not required or preferred",
                    hint="use required or preferred",
                )
            weight = item.get("weight").integer(0, minimum=-100, maximum=100) or 0
            ops = NODE_OPERATORS if kind == "node" else POD_OPERATORS
            expressions = []
            for expr in item.get("matchExpressions").elements():
                expr.mapping(optional=False)
                expr.check_keys(EXPRESSION_KEYS, "a match expression")
                op = expr.get("operator").required_string(" or ".join(sorted(ops)))
                if op not in ops:
                    raise expr.get("operator").error(
                        f"operator {op!r} is not one of {', '.join(sorted(ops))}",
                        hint=f"use one of {', '.join(sorted(ops))}",
                    )
                e: dict[str, Any] = {
                    "key": expr.get("key").required_string("a label key"),
                    "operator": op,
                }
                vals = expr.get("values").string_list()
                if vals:
                    e["values"] = vals
                if expr.get("attribute").string():
                    self.report.not_converted(
                        expr.get("attribute"), "Space Cloud ignored it: expressions match labels"
                    )
                expressions.append(e)
            if operator == "preferred" and weight == 0:
                raise item.get("weight").error(
                    "a preferred affinity rule needs a weight (1 to 100, negative to avoid)",
                    hint="set weight",
                )
            if kind == "node":
                term = {"matchExpressions": expressions}
                if operator == "required":
                    required_node_terms.append(term)
                    continue
                preferred = node_aff.setdefault(
                    "preferredDuringSchedulingIgnoredDuringExecution", []
                )
                if weight > 0:
                    preferred.append({"weight": weight, "preference": term})
                    continue
                terms = self.avoided_nodes(item, expressions)
                preferred.extend({"weight": -weight, "preference": t} for t in terms)
                continue
            topology = item.get("topologyKey").required_string(
                "a node label such as kubernetes.io/hostname"
            )
            pod_term: dict[str, Any] = {
                "labelSelector": {"matchExpressions": expressions},
                "topologyKey": topology,
            }
            projects = item.get("projects").string_list()
            if projects:
                pod_term["namespaces"] = projects
            target = pod_aff if weight > 0 else anti_aff
            if operator == "required":
                target.setdefault("requiredDuringSchedulingIgnoredDuringExecution", []).append(
                    pod_term
                )
            else:
                target.setdefault("preferredDuringSchedulingIgnoredDuringExecution", []).append(
                    {"weight": abs(weight), "podAffinityTerm": pod_term}
                )
        if required_node_terms:
            node_aff["requiredDuringSchedulingIgnoredDuringExecution"] = {  # type: ignore[assignment]
                "nodeSelectorTerms": required_node_terms
            }
        out: dict[str, Any] = {}
        if node_aff:
            out["nodeAffinity"] = node_aff
        if pod_aff:
            out["podAffinity"] = pod_aff
        if anti_aff:
            out["podAntiAffinity"] = anti_aff
        return out
