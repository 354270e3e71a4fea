"""DevSpace component-chart values → chart values.

Input: values of the DevSpace component chart, one file per component (the file name is the
component id), or a ``devspace.yaml`` whose deployments use the component chart (``component:``,
``helm.componentChart: true``, ``helm.chart.name: component-chart``, or — from config ``v2beta1`` —
a ``helm`` deployment without a chart), read with go-yaml v2's scalars as Helm reads them. Every
key the component chart's templates read is in one of the key tables below: converted, or
reported with its reason. The meaning follows the templates (README: "DevSpace components"):

* ``containers`` (a list) share one pod; unnamed ones are ``container-<index>`` as there;
* ``service.ports`` (``port`` or the older ``externalPort``, ``containerPort`` defaulting to the
  port) target the container port of that number, else one added to the first container;
* ``ingress.rules`` become hosts and paths (``ImplementationSpecific`` unless a pathType is given,
  ``Prefix`` instead when ``--exposure`` renders Gateway API routes; routed to the first listed
  Service port unless ``servicePort``); ``tls: true`` keeps the
  ``tls-<name>`` Secret, and ``certmanager: true`` the cluster issuer the component chart used;
* a writable mount of a persistent volume makes the workload a StatefulSet, as it did there;
  volumes mounted only read-only or ``shared`` are one claim for every replica;
* ``replicas`` and ``autoScaling.horizontal`` become replicas and ``scaling``;
* a Service named ``external`` is what the space's domain routed to on port 80: it gets an ingress.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from svcgen.model import LifecycleHandler, SecurityContext
from svcgen.readers._common import (
    ENV_NAME_RE,
    SCRAPE_PREFIX,
    Node,
    Owned,
    Report,
    ScrapeAnnotations,
    component_id,
    dns_label,
    image_values,
    metrics_port,
    ordered,
    port_name,
    resource_name,
    scrape_annotations,
    secret_action,
    secret_env,
    unique,
    validate_components,
)
from svcgen.readers.base import ReadOptions, ReadResult
from svcgen.readers.devspace_vars import RUNTIME_IMAGE_RE, VERSIONS, Variables
from svcgen.yamlio import Document, load_document, load_documents

#: Every key the component chart's templates read, per section (loft-sh/component-chart,
#: templates/*.yaml): ``None`` when it is converted, else why it is reported (R100). A key that
#: is in none of these tables is a typo and an error.
NO_FIELD = "chart values have no field for it"
HOST_NAMESPACES = (
    "host namespaces break the isolation both the baseline and the restricted Pod Security "
    "Standards require"
)
COMPONENT_KEYS: dict[str, str | None] = {
    "containers": None,
    "initContainers": None,
    "service": None,
    "ingress": None,
    "volumes": None,
    "replicas": None,
    "autoScaling": None,
    "rollingUpdate": None,
    "pullSecrets": None,
    "labels": None,
    "annotations": None,
    "affinity": None,
    "nodeSelector": None,
    "tolerations": None,
    "securityContext": None,
    "serviceAccount": None,
    "serviceAccountName": None,
    "automountServiceAccountToken": None,
    "terminationGracePeriodSeconds": None,
    "topologySpreadConstraints": None,
    "hostAliases": None,
    "hostname": None,
    "priorityClassName": None,
    "nodeName": "pinning pods to one node is left to the scheduler (use nodeSelector)",
    "podManagementPolicy": "the chart uses Kubernetes' default (OrderedReady)",
    "serviceName": "the chart names the headless Service of a StatefulSet itself",
    "dnsConfig": f"{NO_FIELD}: pods use the cluster DNS settings",
    "dnsPolicy": f"{NO_FIELD}: pods use the cluster DNS (ClusterFirst)",
    "overhead": "pod overhead is set by the RuntimeClass, not by the workload",
    "readinessGates": NO_FIELD,
    "activeDeadlineSeconds": f"{NO_FIELD}: a deadline belongs to run-once pods, not services",
    "enableServiceLinks": f"{NO_FIELD}: Kubernetes' default (true) applies",
    "hostIPC": HOST_NAMESPACES,
    "hostNetwork": HOST_NAMESPACES,
    "hostPID": HOST_NAMESPACES,
    "preemptionPolicy": f"{NO_FIELD}: the priority class decides it",
    "priority": f"{NO_FIELD}: the priority comes from priorityClassName",
    "restartPolicy": "pods of a Deployment or StatefulSet always restart (Always)",
    "runtimeClassName": NO_FIELD,
    "schedulerName": f"{NO_FIELD}: the default scheduler places the pods",
    "setHostnameAsFQDN": NO_FIELD,
    "shareProcessNamespace": NO_FIELD,
    "subdomain": f"{NO_FIELD}: a StatefulSet's pods get DNS names through its headless Service",
    "ephemeralContainers": "ephemeral containers are added to running pods with kubectl debug",
}
#: Component keys the templates render with ``hasKey``: present is rendered, even when false.
RENDERED_WHEN_PRESENT = {"activeDeadlineSeconds", "enableServiceLinks"}
CONTAINER_KEYS: dict[str, str | None] = {
    "name": None,
    "image": None,
    "imagePullPolicy": None,
    "command": None,
    "args": None,
    "workingDir": None,
    "ports": None,
    "env": None,
    "envFrom": None,
    "securityContext": None,
    "lifecycle": None,
    "livenessProbe": None,
    "readinessProbe": None,
    "startupProbe": None,
    "volumeMounts": None,
    "resources": None,
    "stdin": None,
    "tty": None,
    "stdinOnce": f"{NO_FIELD}: stdin stays open for every attach",
    "terminationMessagePath": f"{NO_FIELD}: Kubernetes' default (/dev/termination-log) applies",
    "terminationMessagePolicy": f"{NO_FIELD}: Kubernetes' default (File) applies",
    "volumeDevices": "raw block devices are not attached by the chart",
}
CONTAINER_PORT_KEYS: dict[str, str | None] = {
    "name": None,
    "containerPort": None,
    "protocol": None,
    "hostPort": "host ports are refused by the restricted Pod Security Standard the chart meets",
    "hostIP": "host ports are refused by the restricted Pod Security Standard the chart meets",
}
SERVICE_KEYS: dict[str, str | None] = {
    "name": None,
    "type": None,
    "ports": None,
    "labels": None,
    "annotations": None,
    **{
        key: NO_FIELD
        for key in (
            "externalIPs",
            "clusterIP",
            "externalName",
            "externalTrafficPolicy",
            "healthCheckNodePort",
            "ipFamily",
            "loadBalancerIP",
            "loadBalancerSourceRanges",
            "publishNotReadyAddresses",
            "sessionAffinity",
            "sessionAffinityConfig",
            "topologyKeys",
        )
    },
}
SERVICE_PORT_KEYS = {"name", "port", "externalPort", "containerPort", "protocol", "nodePort"}
INGRESS_KEYS: dict[str, str | None] = {
    "disabled": None,
    "rules": None,
    "tls": None,
    "certmanager": None,
    "tlsClusterIssuer": None,
    "ingressClass": None,
    "ingressClassName": None,
    "annotations": None,
    "name": f"{NO_FIELD}; the chart names the ingress after the component",
    "labels": f"{NO_FIELD}; the chart labels the ingress like the component",
    "defaultBackend": f"{NO_FIELD}; paths route to the component's Service",
    "serviceName": f"{NO_FIELD}; the chart names the ingress after the component",
}
RULE_KEYS = {"host", "path", "pathType", "servicePort", "serviceName"}
VOLUME_KEYS: dict[str, str | None] = {
    "name": None,
    "size": None,
    "configMap": None,
    "secret": None,
    "emptyDir": None,
    "hostPath": "host paths are refused by the Pod Security Standards the chart meets "
    "(baseline and restricted)",
    "storageClassName": None,
    "accessModes": None,
    "volumeMode": NO_FIELD,
    "volumeName": f"{NO_FIELD}: the claim binds to a volume the storage class provides",
    "dataSource": f"{NO_FIELD}: the claim starts empty",
    "labels": NO_FIELD,
    "annotations": NO_FIELD,
}
MOUNT_KEYS = {"containerPath", "volume"}
MOUNT_VOLUME_KEYS = {"name", "subPath", "readOnly", "shared"}
HPA_KEYS = {
    "maxReplicas",
    "averageCPU",
    "averageRelativeCPU",
    "averageMemory",
    "averageRelativeMemory",
}
ROLLING_KEYS = {"enabled", "maxSurge", "maxUnavailable", "partition"}
RESOURCE_NAMES = {"cpu": "cpu", "memory": "memory", "ephemeralStorage": "ephemeral-storage"}
#: ``resources.limits.gpu`` is rendered for containers (not init containers) as this resource.
GPU_RESOURCE = "nvidia.com/gpu"
PROBE_KEYS = {
    "httpGet",
    "tcpSocket",
    "exec",
    "grpc",
    "initialDelaySeconds",
    "periodSeconds",
    "timeoutSeconds",
    "successThreshold",
    "failureThreshold",
    "terminationGracePeriodSeconds",
}
#: The component chart's grace period when ``terminationGracePeriodSeconds`` is not given.
DEFAULT_GRACE_PERIOD = 5
PULL_POLICIES = {"Always", "IfNotPresent", "Never"}
SECURITY_CONTEXT_KEYS = set(SecurityContext.model_fields)
LIFECYCLE_HANDLER_KEYS = set(LifecycleHandler.model_fields)
#: The keys this reader decides: an in-place update removes those the input no longer gives.
OWNED = Owned(
    component=(
        "kind", "replicas", "strategy", "securityProfile", "podSecurityContext", "initContainers",
        "ingress", "scaling", "serviceAccount", "volumes", "nodeSelector", "tolerations",
        "affinity", "topologySpreadConstraints", "hostAliases", "terminationGracePeriodSeconds",
        "priorityClassName", "labels", "annotations", "podAnnotations",
    ),
    container=(
        "image", "command", "args", "workingDir", "ports", "env", "secretEnv", "envFrom",
        "resources", "probes", "volumeMounts", "securityContext", "lifecycle", "stdin", "tty",
    ),
    service=("name", "type", "ports", "labels", "annotations"),
)
DEFAULT_CLUSTER_ISSUER = "lets-encrypt-http-issuer"
ISSUER_ANNOTATIONS = {
    "cert-manager.io/cluster-issuer",
    "certmanager.k8s.io/cluster-issuer",
    "cert-manager.io/issuer",
    "certmanager.k8s.io/issuer",
}
HTTP01_ANNOTATIONS = {
    "acme.cert-manager.io/http01-ingress-class",
    "certmanager.k8s.io/http01-ingress-class",
}
HOST_RE = re.compile(r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
IMAGE_FN_RE = re.compile(r"^image\(([^)]+)\)(?::tag\(([^)]+)\))?$")


@dataclass
class Source:
    """One component to convert: its id, its values node and where it was declared."""

    cid: str
    values: Node
    declared: Node
    layers: list[Node] = field(default_factory=list)  # valuesFiles, lowest first
    images: dict[str, Node] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """An ingress rule for another component's Service (``serviceName``), with the first port
    of the Service of the component that wrote it (its default, as the component chart had it)."""

    service: str
    rule: Node
    first_port: int | None


def _load(path: str, text: str) -> list[Document]:
    """DevSpace and Helm read YAML with go-yaml v2: ``0400`` is octal, ``on`` is true."""
    return load_documents(path, text, go_yaml=True)


class DevSpaceReader:
    name = "devspace"
    looks_like = "component-chart values have `containers:`, a devspace.yaml `deployments:`"
    owned = OWNED
    loader = staticmethod(_load)

    def detect(self, document: Document) -> bool:
        tree = document.tree
        if not isinstance(tree, dict):
            return False
        if "deployments" in tree and isinstance(tree.get("version"), str):
            return str(tree["version"]).startswith(("v1", "v2"))
        return isinstance(tree.get("containers"), list)

    def read(self, documents: list[Document], options: ReadOptions) -> ReadResult:
        return _Conversion(options).run(documents)


READER = DevSpaceReader()



def _is_devspace_config(root: Node) -> bool:
    """A devspace.yaml, with deployments or not (one with only `dev` has none to convert)."""
    version = root.get("version").value
    return (isinstance(version, str) and not root.has("containers")
            and (root.has("deployments") or version.startswith(("v1", "v2"))))


def _component_name_from_file(file: str) -> str:
    path = PurePath(file)
    stem = path.stem
    for suffix in ("-values", ".values", "_values"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
    if stem in ("values", "-", ""):
        stem = path.parent.name or "app"
    return stem


class _Conversion:
    def __init__(self, options: ReadOptions) -> None:
        self.options = options
        self.report = Report()
        self.pull_secrets: list[str] = []
        self.service_names: dict[str, Node] = {}

    def run(self, documents: list[Document]) -> ReadResult:
        if not documents:
            raise ValueError("no documents to read")
        roots = [Node.root(doc) for doc in documents]
        sources: list[Source] = []
        for root in roots:
            root.mapping(optional=False)
            if _is_devspace_config(root):
                sources.extend(self.config(root))
            else:
                name = _component_name_from_file(root.file)
                if root.doc.index:
                    name = f"{name}-{root.doc.index + 1}"
                sources.append(Source(component_id(name), root, root))
        if not sources:
            raise roots[0].error(
                "no component-chart deployments in the input",
                hint="give component-chart values files, or a devspace.yaml whose deployments "
                "use the component chart",
            )
        seen: dict[str, Source] = {}
        for src in sources:
            if src.cid in seen:
                other = seen[src.cid].declared
                raise src.declared.error(
                    f"component {src.cid!r} is declared twice (also at "
                    f"{other.file}:{other.position(key=True)[0]})",
                    hint="rename one of the deployments or files",
                )
            seen[src.cid] = src

        components: dict[str, Any] = {}
        nodes: dict[str, Node] = {}
        moved_rules: list[Rule] = []
        service_of: dict[str, str] = {}  # Service name → component id
        for src in sources:
            comp, service_name, foreign = self.component(src)
            components[src.cid] = comp
            nodes[src.cid] = src.declared
            service_of[service_name] = src.cid
            moved_rules.extend(foreign)
        for moved in moved_rules:
            cid = service_of.get(moved.service)
            if cid is None:
                self.report.not_converted(
                    moved.rule.get("serviceName"),
                    f"no component in the input has a Service named {moved.service!r}",
                    hint="add that component's values to the input",
                )
                continue
            numbers = {
                p["port"] for p in components[cid].get("service", {}).get("ports", {}).values()
            }
            port = moved.first_port
            if port is not None and port not in numbers and not moved.rule.has("servicePort"):
                # The component chart sent it to that port of the other Service, which has none.
                self.report.action(
                    moved.rule,
                    f"this rule went to port {port} of Service {moved.service}, which has no such "
                    "port: the path uses that Service's first port",
                    hint="set servicePort on the rule",
                )
                port = None
            self.add_rule(components[cid], moved.rule, port)

        global_: dict[str, Any] = {}
        if self.options.project:
            # --project is the release namespace, which ${DEVSPACE_NAMESPACE} names.
            global_["project"] = dns_label(self.options.project, rfc1035=False)
        if self.pull_secrets:
            global_["imagePullSecrets"] = self.pull_secrets
        values: dict[str, Any] = {}
        if global_:
            values["global"] = global_
        values["components"] = components
        validate_components(values, nodes, roots[0])
        return ReadResult(values=ordered(values), report=self.report.notes)

    # --- devspace.yaml ---------------------------------------------------------------------------

    def config(self, root: Node) -> list[Source]:
        version = root.get("version").required_string("a config version such as v2beta1")
        if version not in VERSIONS:
            raise root.get("version").error(
                f"config version {version!r} is not one DevSpace reads",
                hint=f"use one of {', '.join(VERSIONS)}")
        images = {k: v for k, v in root.get("images").items()}
        variables = Variables(root, version, self.options, self.report)
        self.fill_converted(root, variables)
        for key, child in root.items():
            if key in ("version", "deployments", "images", "vars", "name"):
                continue
            self.report.not_converted(
                child, "development workflow settings of DevSpace, not part of the deployment"
            )
        deployments = root.get("deployments")
        entries: list[tuple[str, Node]] = []
        if isinstance(deployments.value, list):
            for item in deployments.elements():
                item.mapping(optional=False)
                entries.append((item.get("name").required_string("the deployment name"), item))
        else:
            entries = list(deployments.items())
        out: list[Source] = []
        for name, dep in entries:
            dep.mapping(optional=False)
            values, layers = self.component_values(dep, version)
            if values is None:
                self.report.not_converted(
                    dep,
                    f"deployment {name} does not use the component chart",
                    hint="convert its manifests or chart separately",
                )
                continue
            release = dep.get("helm").get("releaseName").string() if dep.has("helm") else None
            cid = component_id(release or name)
            if cid != (release or name):
                self.report.choice(dep, f"deployment {release or name!r} becomes component {cid!r}")
            for k, child in dep.items():
                if k == "namespace":
                    self.report.not_converted(
                        child, "the namespace is chosen at install time (helm --namespace)"
                    )
            out.append(Source(cid, values, dep, layers, images))
        variables.finish()
        return out

    def fill_converted(self, root: Node, variables: Variables) -> None:
        """Resolve the variables where DevSpace would, in the parts of the config that are
        converted (other parts are reported, and DevSpace's own order does not matter there)."""
        for _, image in root.get("images").items():
            for key in ("image", "tag", "tags"):
                variables.fill_key(image, key)
        deployments = root.get("deployments")
        entries = (deployments.elements() if isinstance(deployments.value, list)
                   else (dep for _, dep in deployments.items()))
        for dep in entries:
            for key in ("name", "component"):
                variables.fill_key(dep, key)
            helm = dep.get("helm")
            for key in ("values", "valuesFiles", "releaseName", "chart", "componentChart"):
                variables.fill_key(helm, key)

    def component_values(self, dep: Node, version: str) -> tuple[Node | None, list[Node]]:
        if dep.has("component"):
            return dep.get("component"), []
        helm = dep.get("helm")
        if helm.value is None:
            return None, []
        helm.mapping()
        chart = helm.get("chart")
        chart_name = chart.get("name").string() if isinstance(chart.value, dict) else None
        uses_chart = (
            helm.get("componentChart").boolean(False)
            or (chart_name is not None and chart_name.split("/")[-1] == "component-chart")
            or (chart.value is None and version.startswith("v2"))
        )
        if not uses_chart:
            return None, []
        layers = []
        for f in helm.get("valuesFiles").elements():
            rel = f.required_string("a file path")
            path = os.path.join(os.path.dirname(dep.file), rel)
            layers.append(Node.root(load_document(path, go_yaml=True)))
        values = helm.get("values")
        if values.value is None and layers:
            return layers[-1], layers[:-1]
        if values.value is None:
            values = Node(values.doc, values.path, {})
        return values, layers

    # --- one component ---------------------------------------------------------------------------

    def layered(self, src: Source, key: str) -> Node:
        """``key`` of the inline values, else of the last valuesFile that sets it (Helm's order)."""
        if src.values.has(key):
            for layer in src.layers:
                if layer.has(key) and isinstance(layer.get(key).value, dict):
                    self.report.choice(
                        src.values.get(key),
                        f"{key} is set in values and in {layer.file}: the values win whole",
                    )
            return src.values.get(key)
        for layer in reversed(src.layers):
            if layer.has(key):
                return layer.get(key)
        return src.values.get(key)

    def unconverted(
        self, node: Node, table: dict[str, str | None], *, when_present: set[str] | None = None
    ) -> None:
        """Report each key of ``node`` that ``table`` gives a reason for, when the component chart
        would have rendered it (a false, empty or null value renders nothing)."""
        for key, child in node.items():
            reason = table.get(key)
            if reason is None:
                continue
            if child.value in (None, False, "", [], {}) and key not in (when_present or set()):
                continue
            self.report.not_converted(child, reason)

    def component(self, src: Source) -> tuple[dict[str, Any], str, list[Rule]]:
        values = src.values
        values.mapping(optional=False)
        for node in (*src.layers, values):
            node.check_keys(COMPONENT_KEYS, "component-chart values")
            self.unconverted(node, COMPONENT_KEYS, when_present=RENDERED_WHEN_PRESENT)

        def get(key: str) -> Node:
            return self.layered(src, key)

        cid = src.cid
        out: dict[str, Any] = {}
        labels = get("labels").string_map()
        if labels:
            out["labels"] = labels
        annotations = get("annotations").string_map()
        # The component chart puts its annotations on the pods too: prometheus.io/scrape there
        # declares a metrics endpoint, which the chart announces as `metrics` chooses.
        scrape = scrape_annotations(annotations)
        if scrape is not None and scrape.scrape:
            annotations = {k: v for k, v in annotations.items() if k not in scrape.keys}
        if annotations:
            # The component chart put these on the workload and on its pods.
            out["annotations"] = annotations
            out["podAnnotations"] = dict(annotations)
        for secret in get("pullSecrets").string_list():
            name = resource_name(secret)
            if name not in self.pull_secrets:
                self.pull_secrets.append(name)

        # The component chart's defaults: its images ran as the user they declare.
        out["securityProfile"] = "baseline"
        self.report.choice(
            src.declared,
            f"component {cid}: securityProfile baseline — component-chart values cannot say "
            "that the containers run as a non-root user, so images keep the user they were "
            "built with",
            hint=f"set components.{cid}.securityProfile: restricted once the images run as "
            "non-root",
        )
        pod_security = get("securityContext").mapping()
        if pod_security:
            out["podSecurityContext"] = pod_security

        volumes, persistent, host_paths = self.volumes(get("volumes"))
        containers = self.containers(get("containers"), src, volumes, host_paths, required=True)
        init = self.containers(
            get("initContainers"), src, volumes, host_paths, required=False
        )
        writable, shared = self.persistent_mounts(
            [get("containers"), get("initContainers")], persistent
        )
        if writable:
            out["kind"] = "StatefulSet"
            self.report.choice(
                writable[0],
                "a persistent volume is mounted writable, so the component is a StatefulSet, "
                "as the component chart made it",
            )
        for name in sorted(persistent):
            if name in shared and writable:
                # Read-only and shared mounts got one claim for all replicas (volumes.yaml).
                volumes[name]["shared"] = True
                self.report.choice(
                    shared[name],
                    f"volume {name} is mounted read-only or shared: one claim for every "
                    "replica, as the component chart made it",
                )
        service, service_name, first_port = self.service(get("service"), cid, containers)
        if scrape is not None and scrape.scrape:
            first = next(iter(containers.values()))
            ports = first.setdefault("ports", {})
            out["metrics"] = self.metrics(get("annotations"), scrape, ports)
            if not ports:
                del first["ports"]

        replicas = get("replicas").integer(1, minimum=0)
        assert replicas is not None
        scaling = self.scaling(get("autoScaling"), replicas)
        if scaling is not None:
            out["scaling"] = scaling
        elif replicas != 1:
            out["replicas"] = replicas
        strategy = self.strategy(get("rollingUpdate"), bool(writable))
        if strategy:
            out["strategy"] = strategy
        out["containers"] = containers
        if init:
            out["initContainers"] = init
        if service:
            out["service"] = service
        ingress, foreign = self.ingress(get("ingress"), service_name, cid, first_port)
        if ingress is not None:
            out["ingress"] = ingress
        if volumes:
            out["volumes"] = volumes
        out.update(self.pod(get, cid, src.declared))

        parts = [f"{len(containers)} container{'s' if len(containers) != 1 else ''}"]
        if init:
            parts.append(f"{len(init)} init container{'s' if len(init) != 1 else ''}")
        if service.get("ports"):
            parts.append(
                f"{len(service['ports'])} service port{'s' if len(service['ports']) != 1 else ''}"
            )
        if ingress is not None:
            parts.append("ingress")
        if volumes:
            parts.append(f"{len(volumes)} volume{'s' if len(volumes) != 1 else ''}")
        if scaling is not None:
            parts.append("scaling")
        self.report.converted(src.declared, f"component {cid}: {', '.join(parts)}")
        return out, service_name, foreign

    def metrics(self, node: Node, scrape: ScrapeAnnotations,
                ports: dict[str, Any]) -> dict[str, Any]:
        """prometheus.io/* pod annotations → `metrics`, on a port of the first container (where
        the service ports are put); a port only the metrics use is declared there."""
        prefix = SCRAPE_PREFIX
        self.report.choice(node.get(f"{prefix}scrape"), f"{prefix}* annotations → metrics "
                           "(scraped as global.metrics chooses)")
        for key in scrape.unknown:
            self.report.choice(node.get(key), f"{key} has no counterpart in `metrics`; kept out")
        metrics: dict[str, Any] = dict(scrape.fields)
        where = node.get(f"{prefix}port")
        wanted = scrape.fields.get("port")
        tcp = [n for n, p in ports.items() if p.get("protocol", "TCP") == "TCP"]
        if wanted is None:
            if not tcp:
                raise node.get(f"{prefix}scrape").error(
                    "prometheus.io/scrape is on, but the component has no TCP port to scrape",
                    hint="add prometheus.io/port with the metrics port")
            metrics["port"] = tcp[0]
            self.report.choice(node.get(f"{prefix}scrape"),
                               f"no prometheus.io/port; the first port `{tcp[0]}` is scraped")
        elif re.fullmatch(r"[0-9]{1,5}", wanted) and 1 <= int(wanted) <= 65535:
            name, added = metrics_port(ports, int(wanted))
            metrics["port"] = name
            if added:
                self.report.choice(where, f"metrics port {wanted} is no service port; declared "
                                   f"as container port `{name}` (scraped from the pods)")
        else:
            raise where.error(f"prometheus.io/port {wanted!r} is not a port number",
                              hint="give the number of the port serving the metrics")
        return metrics

    def pod(self, get: Callable[[str], Node], cid: str, declared: Node) -> dict[str, Any]:
        """The pod's scheduling and identity settings."""
        # Kubernetes' own shapes, taken as written (the chart renders them as given).
        taken_as_written: dict[str, Any] = {
            "nodeSelector": get("nodeSelector").string_map(),
            "tolerations": [t.mapping() for t in get("tolerations").elements()],
            "affinity": get("affinity").mapping(),
            "topologySpreadConstraints": [
                t.mapping() for t in get("topologySpreadConstraints").elements()
            ],
            "hostname": get("hostname").string(),
            "priorityClassName": get("priorityClassName").string(),
        }
        out: dict[str, Any] = {k: v for k, v in taken_as_written.items() if v}
        aliases: dict[str, list[str]] = {}
        for item in get("hostAliases").elements():
            item.mapping(optional=False)
            item.check_keys({"ip", "hostnames"}, "a host alias")
            ip = item.get("ip").required_string("an IP address")
            aliases.setdefault(ip, []).extend(item.get("hostnames").string_list())
        if aliases:
            out["hostAliases"] = aliases
        grace = get("terminationGracePeriodSeconds")
        if grace.value is None:
            out["terminationGracePeriodSeconds"] = DEFAULT_GRACE_PERIOD
            self.report.choice(
                declared,
                f"terminationGracePeriodSeconds {DEFAULT_GRACE_PERIOD}: the component chart's "
                "default when none is given",
                hint=f"set terminationGracePeriodSeconds in the input for component {cid} to "
                "give pods longer to stop",
            )
        else:
            out["terminationGracePeriodSeconds"] = grace.integer(minimum=0)
        account = get("serviceAccountName").string() or get("serviceAccount").string()
        service_account: dict[str, Any] = {}
        if account:
            service_account["name"] = account
        automount = get("automountServiceAccountToken").boolean()
        if automount is not None:
            service_account["automountToken"] = automount
        if service_account:
            out["serviceAccount"] = service_account
        return out

    # --- containers ------------------------------------------------------------------------------

    def containers(
        self,
        node: Node,
        src: Source,
        volumes: dict[str, Any],
        host_paths: set[str],
        *,
        required: bool,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        prefix = "container" if required else "init-container"
        items = list(node.elements())
        if required and not items:
            raise node.error(
                "the component has no containers", hint="add containers: [{image: ...}]"
            )
        port_names: set[str] = set()
        for i, item in enumerate(items):
            item.mapping(optional=False)
            item.check_keys(CONTAINER_KEYS, "a component-chart container")
            self.unconverted(item, CONTAINER_KEYS)
            raw = item.get("name").string() or f"{prefix}-{i}"
            name = dns_label(raw, rfc1035=False)
            if name != raw:
                self.report.choice(item.get("name"), f"container {raw!r} becomes {name!r}")
            if name in out:
                raise item.get("name").error(
                    f"two containers are named {name!r}",
                    hint="give every container a different name",
                )
            out[name] = self.container(item, src, name, volumes, host_paths, init=not required)
            if required:
                ports = self.container_ports(item.get("ports"), port_names)
                if ports:
                    out[name]["ports"] = ports
            elif item.get("ports").value:
                self.report.not_converted(
                    item.get("ports"), "the component chart renders no ports for init containers"
                )
        return out

    def container_ports(self, node: Node, taken: set[str]) -> dict[str, Any]:
        """``containers[].ports`` (a list; unnamed ports are ``port-<index>`` as there)."""
        out: dict[str, Any] = {}
        for i, p in enumerate(node.elements()):
            p.mapping(optional=False)
            p.check_keys(CONTAINER_PORT_KEYS, "a container port")
            self.unconverted(p, CONTAINER_PORT_KEYS)
            pname = self.port_name(p, i, taken, "ports of the pod")
            taken.add(pname)
            number = p.get("containerPort").integer(minimum=1, maximum=65535)
            if number is None:
                raise p.error("a container port needs containerPort", hint="set containerPort")
            port: dict[str, Any] = {"containerPort": number}
            protocol = self.protocol(p.get("protocol"))
            if protocol != "TCP":
                port["protocol"] = protocol
            out[pname] = port
        return out

    def port_name(self, p: Node, index: int, taken: set[str], what: str) -> str:
        """The name of list item ``p`` (``port-<index>`` when unnamed, as the component chart
        named it), as a Kubernetes port name not in ``taken``."""
        raw = p.get("name").string(allow_numbers=True) or f"port-{index}"
        name = port_name(raw)
        if name != raw:
            self.report.choice(p.get("name"), f"port name {raw!r} becomes {name!r}")
        if name in taken:
            raise p.get("name").error(
                f"two {what} are named {name!r}", hint="give every port a different name"
            )
        return name

    def protocol(self, node: Node) -> str:
        protocol = (node.string("TCP") or "TCP").upper()
        if protocol not in ("TCP", "UDP", "SCTP"):
            raise node.error(
                f"protocol {protocol!r} is not TCP, UDP or SCTP", hint="use TCP, UDP or SCTP"
            )
        return protocol

    def container(
        self,
        item: Node,
        src: Source,
        name: str,
        volumes: dict[str, Any],
        host_paths: set[str],
        *,
        init: bool,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"image": self.image(item.get("image"), src, name)}
        policy = item.get("imagePullPolicy").string()
        if policy:
            if policy not in PULL_POLICIES:
                raise item.get("imagePullPolicy").error(
                    f"imagePullPolicy {policy!r} is not Always, IfNotPresent or Never",
                    hint="use Always, IfNotPresent or Never",
                )
            out["image"]["pullPolicy"] = policy
        for key in ("command", "args"):
            value = item.get(key).string_list()
            if value:
                out[key] = value
        working_dir = item.get("workingDir").string()
        if working_dir:
            out["workingDir"] = working_dir
        env, secret_refs = self.env(item.get("env"))
        env, moved = secret_env(env, f"{src.cid}-env")
        if moved:
            secret_action(self.report, item.get("env"), f"{src.cid}-env", list(moved))
        if env:
            out["env"] = env
        if secret_refs or moved:
            out["secretEnv"] = {**moved, **secret_refs}
        env_from = self.env_from(item.get("envFrom"))
        if env_from:
            out["envFrom"] = env_from
        resources = self.resources(item.get("resources"), init=init)
        if resources:
            out["resources"] = resources
        probes: dict[str, Any] = {}
        for key, target in (
            ("livenessProbe", "liveness"),
            ("readinessProbe", "readiness"),
            ("startupProbe", "startup"),
        ):
            probe = self.probe(item.get(key))
            if probe:
                probes[target] = probe
        if probes:
            out["probes"] = probes
        mounts = self.mounts(item.get("volumeMounts"), volumes, host_paths)
        if mounts:
            out["volumeMounts"] = mounts
        security = self.known(item.get("securityContext"), SECURITY_CONTEXT_KEYS)
        if security:
            out["securityContext"] = security
        lifecycle: dict[str, Any] = {}
        for hook, handler in item.get("lifecycle").items():
            if hook not in ("postStart", "preStop"):
                self.report.not_converted(handler, NO_FIELD)
                continue
            kept = self.known(handler, LIFECYCLE_HANDLER_KEYS)
            if kept:
                lifecycle[hook] = kept
        if lifecycle:
            out["lifecycle"] = lifecycle
        for key in ("stdin", "tty"):
            flag = item.get(key).boolean()
            if flag is not None:
                out[key] = flag
        return out

    def known(self, node: Node, keys: set[str]) -> dict[str, Any]:
        """The keys of ``node`` that chart values have; the others are reported."""
        out: dict[str, Any] = {}
        for key, child in node.items():
            if key in keys:
                out[key] = child.value
            elif child.value not in (None, [], {}):
                self.report.not_converted(child, NO_FIELD)
        return out

    def env_from(self, node: Node) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for item in node.elements():
            item.mapping(optional=False)
            item.check_keys({"secretRef", "configMapRef", "prefix"}, "an envFrom source")
            entry: dict[str, Any] = {}
            for ref_key, kind in (("secretRef", "secret"), ("configMapRef", "configMap")):
                ref = item.get(ref_key)
                if ref.value is None:
                    continue
                ref.mapping()
                ref.check_keys({"name", "optional"}, f"envFrom {ref_key}")
                entry[kind] = resource_name(ref.get("name").required_string("a name"))
                optional = ref.get("optional").boolean()
                if optional is not None:
                    entry["optional"] = optional
            if not entry or ("secret" in entry and "configMap" in entry):
                raise item.error(
                    "an envFrom source needs exactly one of secretRef or configMapRef",
                    hint="split it into two sources",
                )
            prefix = item.get("prefix").string()
            if prefix:
                entry["prefix"] = prefix
            out.append(entry)
        return out

    def image(self, node: Node, src: Source, container: str) -> dict[str, Any]:
        ref = node.required_string("an image reference")
        override = self.options.image_for(f"{src.cid}.{container}", src.cid)
        if override:
            self.report.choice(node, f"image replaced by --image {override}")
            return image_values(node, override)
        match = IMAGE_FN_RE.match(ref) or RUNTIME_IMAGE_RE.match(ref)
        if match:
            image_name = match.group(1)
            image_node = src.images.get(image_name)
            repo = image_node.get("image").string() if image_node is not None else None
            if image_node is None or not repo:
                raise node.error(
                    f"{ref!r} names image {image_name!r}, which the images section does not define",
                    hint=f"define images.{image_name}.image or write the image here",
                )
            image: dict[str, Any] = image_values(image_node.get("image"), repo)
            # Configs before v1beta9 give one `tag`, later ones a list of `tags`.
            single = image_node.get("tag").string(allow_numbers=True)
            tags = image_node.get("tags").string_list() or ([single] if single else [])
            fixed = [t for t in tags if "$" not in t and "#" not in t]
            if match.group(2) and fixed:
                image["tag"] = fixed[0]
            elif match.group(2) or "tag" not in image:
                self.report.action(
                    node,
                    f"{ref!r}: DevSpace chooses this image's tag when it builds it; the values "
                    f"use {repo} without a tag",
                    hint=f"pass --image {src.cid}={repo}:<tag> (push the image first)",
                )
            return image
        return image_values(node, ref)

    def env(self, node: Node) -> tuple[dict[str, Any], dict[str, Any]]:
        env: dict[str, Any] = {}
        secret_env: dict[str, Any] = {}
        for item in node.elements():
            item.mapping(optional=False)
            item.check_keys({"name", "value", "valueFrom"}, "an environment variable")
            name = item.get("name").required_string("the variable name")
            if not ENV_NAME_RE.match(name):
                raise item.get("name").error(
                    f"{name!r} is not a valid environment variable name",
                    hint="use letters, digits, '_', '-' and '.'",
                )
            source = item.get("valueFrom")
            if source.value is None:
                value = item.get("value").value
                if isinstance(value, (dict, list)):
                    raise item.get("value").error(
                        "an environment value must be a scalar", hint="quote the value"
                    )
                env[name] = "" if value is None else value
                continue
            ref = source.get("secretKeyRef")
            if ref.value is not None:
                ref.mapping()
                entry: dict[str, Any] = {
                    "secret": resource_name(ref.get("name").required_string("a Secret name")),
                    "key": ref.get("key").required_string("a key of the Secret"),
                }
                if ref.get("optional").boolean() is not None:
                    entry["optional"] = ref.get("optional").boolean()
                secret_env[name] = entry
                continue
            self.report.not_converted(
                source,
                f"variable {name} reads a ConfigMap or a field of the pod, which chart "
                "values have no field for",
                hint=f"set {name} through env or secretEnv",
            )
        return env, secret_env

    def resources(self, node: Node, *, init: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for part in ("limits", "requests"):
            child = node.get(part)
            values: dict[str, Any] = {}
            for key, value_node in child.items():
                if key == "gpu" and part == "limits" and not init:
                    # The component chart rendered it as an NVIDIA device-plugin resource.
                    values[GPU_RESOURCE] = value_node.integer(minimum=0)
                    continue
                if key not in RESOURCE_NAMES:
                    self.report.not_converted(
                        value_node,
                        "the component chart renders only cpu, memory, ephemeralStorage "
                        "(and a container's limits.gpu), so it never reached the pod",
                    )
                    continue
                value = value_node.value
                if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                    raise value_node.error(
                        f"{value_node.dotted} must be a quantity such as 500m",
                        hint="write a Kubernetes quantity",
                    )
                values[RESOURCE_NAMES[key]] = value
            if values:
                out[part] = values
        if node.value is not None:
            for key in node.mapping():
                if key not in ("limits", "requests"):
                    raise node.get(key).error(
                        f"unknown key {key!r} in resources",
                        hint="resources take limits and requests",
                        key=True,
                    )
        return out

    def probe(self, node: Node) -> dict[str, Any]:
        if node.value is None:
            return {}
        probe = node.mapping()
        node.check_keys(PROBE_KEYS, "a probe")
        out = {k: v for k, v in probe.items() if k != "terminationGracePeriodSeconds"}
        if "terminationGracePeriodSeconds" in probe:
            self.report.not_converted(
                node.get("terminationGracePeriodSeconds"),
                "the chart sets the grace period per component",
            )
        return out

    def mounts(
        self, node: Node, volumes: dict[str, Any], host_paths: set[str]
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in node.elements():
            item.mapping(optional=False)
            item.check_keys(MOUNT_KEYS, "a volume mount")
            path = item.get("containerPath").required_string("an absolute path")
            vol = item.get("volume")
            vol.mapping(optional=False)
            vol.check_keys(MOUNT_VOLUME_KEYS, "a volume mount's volume")
            raw = vol.get("name").required_string("the name of a volume")
            name = dns_label(raw, rfc1035=False)
            if name in host_paths:
                self.report.not_converted(
                    item, f"it mounts host path volume {name}, which is not converted"
                )
                continue
            if name not in volumes:
                raise vol.get("name").error(
                    f"volume {raw!r} is not defined under volumes",
                    hint="add it to volumes or fix the name",
                )
            mount: dict[str, Any] = {"mountPath": path}
            sub = vol.get("subPath").string()
            if sub and sub.strip("/"):
                mount["subPath"] = sub.strip("/")
            if vol.get("readOnly").boolean(False):
                mount["readOnly"] = True
            key = name
            if key in out:
                # A second mount of one volume (another subPath): its own key names the volume.
                key = unique(
                    dns_label(f"{name}-{sub or path}", rfc1035=False), set(out) | set(volumes), 63
                )
                mount = {"volume": name, **mount}
            out[key] = mount
        return out

    def persistent_mounts(
        self, containers: list[Node], persistent: set[str]
    ) -> tuple[list[Node], dict[str, Node]]:
        """(writable mounts of persistent volumes, persistent volumes every mount of which is
        read-only or shared → the mount that says so). The component chart made the component a
        StatefulSet for a writable mount (shared ones too), and gave a volume one claim for all
        replicas when mounted read-only or shared."""
        writable: list[Node] = []
        per_replica: set[str] = set()
        shared: dict[str, Node] = {}
        for section in containers:
            for item in section.elements():
                for mount in item.get("volumeMounts").elements():
                    vol = mount.get("volume")
                    name = dns_label(vol.get("name").string() or "", rfc1035=False)
                    if name not in persistent:
                        continue
                    read_only = bool(vol.get("readOnly").boolean(False))
                    is_shared = bool(vol.get("shared").boolean(False))
                    if not read_only:
                        writable.append(mount)
                    if read_only or is_shared:
                        shared.setdefault(name, vol.get("shared") if is_shared else
                                          vol.get("readOnly"))
                    else:
                        per_replica.add(name)
        return writable, {k: v for k, v in shared.items() if k not in per_replica}

    # --- volumes ---------------------------------------------------------------------------------

    def volumes(self, node: Node) -> tuple[dict[str, Any], set[str], set[str]]:
        """(volumes, names of the persistent ones, names of host paths, which are reported)."""
        out: dict[str, Any] = {}
        persistent: set[str] = set()
        host_paths: set[str] = set()
        for item in node.elements():
            item.mapping(optional=False)
            item.check_keys(VOLUME_KEYS, "a component-chart volume")
            raw = item.get("name").required_string("the volume name")
            name = dns_label(raw, rfc1035=False)
            if name in out or name in host_paths:
                raise item.get("name").error(
                    f"two volumes are named {name!r}", hint="give every volume a different name"
                )
            volume: dict[str, Any] = {}
            if item.get("secret").value:
                secret = item.get("secret").mapping()
                secret_name = secret.get("secretName") or secret.get("name") or raw
                volume["secret"] = {"secretName": resource_name(str(secret_name))}
                self.volume_items(item.get("secret"), volume["secret"])
            elif item.get("configMap").value:
                cm = item.get("configMap").mapping()
                volume["configMap"] = {"name": resource_name(str(cm.get("name") or raw))}
                self.volume_items(item.get("configMap"), volume["configMap"])
            elif item.has("emptyDir"):
                empty = item.get("emptyDir")
                empty.check_keys({"medium", "sizeLimit"}, "an emptyDir volume")
                volume["emptyDir"] = {
                    k: v for k, v in empty.mapping().items() if v not in (None, "")
                }
            elif item.has("hostPath"):
                host_paths.add(name)
                self.report.not_converted(
                    item.get("hostPath"),
                    str(VOLUME_KEYS["hostPath"]),
                    hint="use a persistent volume (size) or an emptyDir instead",
                )
                continue
            else:
                size = item.get("size").string(allow_numbers=True)
                if not size:
                    raise item.error(
                        f"volume {raw} has no size, secret, configMap or emptyDir",
                        hint="set size: 1Gi for a persistent volume",
                    )
                volume["size"] = size
                storage_class = item.get("storageClassName").string()
                if storage_class:
                    volume["storageClassName"] = storage_class
                modes = item.get("accessModes").string_list()
                if modes:
                    volume["accessModes"] = modes
                persistent.add(name)
            self.unconverted(item, VOLUME_KEYS)
            out[name] = volume
        return out, persistent, host_paths

    def volume_items(self, node: Node, target: dict[str, Any]) -> None:
        for key, child in node.items():
            if key == "items":
                target["items"] = [
                    {"key": i.get("key").required_string(), "path": i.get("path").required_string()}
                    for i in child.elements()
                ]
            elif key == "defaultMode":
                target["defaultMode"] = child.integer(minimum=0, maximum=511)
            elif key not in ("name", "secretName"):
                self.report.not_converted(child, NO_FIELD)

    # --- service and ingress ---------------------------------------------------------------------

    def service(
        self, node: Node, cid: str, containers: dict[str, Any]
    ) -> tuple[dict[str, Any], str, int | None]:
        """(service values, Service name, the number of the first listed port).

        A port targets the container port with its number where a container declares one;
        the others are added to the first container (component-chart values do not say which
        container listens)."""
        node.mapping()
        node.check_keys(SERVICE_KEYS, "a component-chart service")
        self.unconverted(node, SERVICE_KEYS)
        out: dict[str, Any] = {}
        raw_name = node.get("name").string()
        service_name = cid
        if raw_name:
            service_name = component_id(raw_name)
            if service_name != raw_name:
                self.report.choice(
                    node.get("name"), f"Service name {raw_name!r} becomes {service_name!r}"
                )
            if service_name != cid:
                out["name"] = service_name
        if service_name in self.service_names:
            other = self.service_names[service_name]
            raise (node.get("name") if raw_name else node).error(
                f"Service name {service_name!r} is already used "
                f"({other.file}:{other.position(key=True)[0]}); Service names are unique "
                "across components",
                hint="set a different service.name",
            )
        self.service_names[service_name] = node.get("name") if raw_name else node
        kind = node.get("type").string()
        if kind and kind != "ClusterIP":
            if kind not in ("NodePort", "LoadBalancer"):
                raise node.get("type").error(
                    f"service type {kind!r} is not ClusterIP, NodePort or LoadBalancer",
                    hint="use one of those",
                )
            out["type"] = kind
        for key in ("labels", "annotations"):
            value = node.get(key).string_map()
            if value:
                out[key] = value

        ports: dict[str, Any] = {}
        by_target: dict[tuple[int, str], str] = {
            (p["containerPort"], p.get("protocol", "TCP")): pname
            for ctr in containers.values()
            for pname, p in ctr.get("ports", {}).items()
        }
        taken = {pname for ctr in containers.values() for pname in ctr.get("ports", {})}
        first_name, first = next(iter(containers.items()))
        added: list[str] = []
        first_port: int | None = None
        for i, p in enumerate(node.get("ports").elements()):
            p.mapping(optional=False)
            p.check_keys(SERVICE_PORT_KEYS, "a service port")
            if p.has("port") and p.has("externalPort"):
                raise p.get("externalPort").error(
                    "a service port takes port or externalPort, not both",
                    hint="keep port (externalPort is the older name)",
                    key=True,
                )
            number_node = p.get("port") if p.has("port") else p.get("externalPort")
            number = number_node.integer(minimum=1, maximum=65535)
            if number is None:
                raise p.error(
                    "a service port needs port (or externalPort)", hint="set port: <1-65535>"
                )
            if first_port is None:
                first_port = number
            target = p.get("containerPort").integer(number, minimum=1, maximum=65535)
            assert target is not None
            protocol = self.protocol(p.get("protocol"))
            pname = self.port_name(p, i, set(ports), "service ports")
            cp_name = by_target.get((target, protocol))
            if cp_name is None:
                cp_name = unique(pname, taken, 15)
                taken.add(cp_name)
                by_target[(target, protocol)] = cp_name
                cp: dict[str, Any] = {"containerPort": target}
                if protocol != "TCP":
                    cp["protocol"] = protocol
                first.setdefault("ports", {})[cp_name] = cp
                added.append(cp_name)
            sp: dict[str, Any] = {"port": number, "targetPort": cp_name}
            if protocol != "TCP":
                sp["protocol"] = protocol
            node_port = p.get("nodePort").integer(minimum=30000, maximum=32767)
            if node_port is not None:
                sp["nodePort"] = node_port
            ports[pname] = sp
        if added and len(containers) > 1:
            self.report.choice(
                node.get("ports"),
                f"container port(s) {', '.join(added)} are given to container {first_name}: "
                "component-chart values do not say which container listens",
                hint="declare the port under the container that listens (containers[].ports)",
            )
        if (
            service_name == "external"
            and ports
            and not any(sp["port"] == 80 for sp in ports.values())
        ):
            self.report.action(
                node.get("ports"),
                "the Service named external has no port 80, where the domain's ingress sent "
                "traffic",
                hint="add a service port 80",
            )
        if service_name == "external" and len(ports) > 1:
            port80 = next((k for k, sp in ports.items() if sp["port"] == 80), None)
            if port80 is not None and port80 != min(ports):
                # Without hosts the chart routes / to the port whose name sorts first.
                self.report.action(
                    node.get("ports"),
                    f"the domain's ingress routed to port 80 ({port80}) of the Service named "
                    f"external, but the chart's default path goes to port {min(ports)}",
                    hint=f"set components.{cid}.ingress.hosts.<domain>.paths./.port: {port80}",
                )
        if ports:
            out["ports"] = ports
        return out, service_name, first_port

    def ingress(
        self, node: Node, service_name: str, cid: str, first_port: int | None
    ) -> tuple[dict[str, Any] | None, list[Rule]]:
        foreign: list[Rule] = []
        node.mapping()
        node.check_keys(INGRESS_KEYS, "a component-chart ingress")
        rules = list(node.get("rules").elements())
        if not rules and service_name != "external":
            for key in node.mapping():
                if key not in ("labels", "annotations", "disabled"):
                    self.report.not_converted(node.get(key), "the ingress has no rules")
            return None, foreign
        out: dict[str, Any] = {}
        if node.get("disabled").boolean(False):
            out["enabled"] = False
        class_name = node.get("ingressClassName").string()
        if class_name:
            out["className"] = class_name
        annotations = node.get("annotations").string_map()
        ingress_class = node.get("ingressClass").string()
        tls = node.get("tls").value
        if tls not in (None, False, "false", ""):
            if tls is True or tls == "true":
                base = node.get("name").string() or (service_name if service_name != cid else cid)
                secret = f"tls-{base}"
            elif isinstance(tls, str):
                secret = tls
            else:
                raise node.get("tls").error(
                    "tls must be true, false or a Secret name",
                    hint="write tls: true or the name of a TLS Secret",
                )
            tls_out: dict[str, Any] = {"secretName": resource_name(secret)}
            # The component chart asked cert-manager for the certificate only under certmanager.
            certmanager = bool(node.get("certmanager").value)
            if certmanager and not ISSUER_ANNOTATIONS & annotations.keys():
                issuer = node.get("tlsClusterIssuer").string() or DEFAULT_CLUSTER_ISSUER
                tls_out["certManager"] = {"clusterIssuer": issuer}
                if not node.has("tlsClusterIssuer"):
                    self.report.choice(
                        node.get("tls"),
                        f"tls: cert-manager ClusterIssuer {issuer}, the component chart's default",
                    )
            if certmanager and not HTTP01_ANNOTATIONS & annotations.keys():
                annotations["acme.cert-manager.io/http01-ingress-class"] = ingress_class or "nginx"
            if not certmanager:
                self.report.choice(
                    node.get("tls"),
                    f"tls: the existing Secret {tls_out['secretName']} holds the certificate "
                    "(without certmanager: true the component chart did not ask cert-manager)",
                    hint=f"create the TLS Secret {tls_out['secretName']}",
                )
            out["tls"] = tls_out
        for key in ("ingressClass", "tlsClusterIssuer", "certmanager"):
            if node.get(key).value not in (None, False, "") and "certManager" not in out.get(
                "tls", {}
            ):
                self.report.not_converted(
                    node.get(key),
                    "it only configured cert-manager, which this ingress does not use "
                    "(it needs tls and certmanager: true)",
                )
        if annotations:
            out["annotations"] = annotations
        self.unconverted(node, INGRESS_KEYS)
        if not rules:
            # A Service named external is what the space's domain routed to on port 80.
            self.report.action(
                node,
                f"component {cid} has the Service named external, which the domain's ingress "
                "routed to on port 80: its ingress serves <component>.<global.domain>",
                hint=f"set global.domain, or components.{cid}.ingress.hosts.<your domain>",
            )
            return out, foreign
        hosts: dict[str, Any] = {}
        out["hosts"] = hosts
        for rule in rules:
            target = rule.get("serviceName").string()
            if target and component_id(target) != service_name:
                foreign.append(Rule(component_id(target), rule, first_port))
                continue
            self.add_rule({"ingress": out}, rule, first_port)
        if not hosts:
            return None, foreign
        return out, foreign

    def add_rule(self, component: dict[str, Any], rule: Node, first_port: int | None) -> None:
        """One rule as a host path. Without servicePort the component chart routed to the first
        listed port of the Service: the values name it, since keyed ports are sorted."""
        rule.mapping(optional=False)
        rule.check_keys(RULE_KEYS, "an ingress rule")
        host = rule.get("host").required_string("a host name")
        if not HOST_RE.match(host) or len(host) > 253:
            raise rule.get("host").error(
                f"{host!r} is not a valid host name",
                hint="use a lower-case DNS name such as api.example.com",
            )
        path = rule.get("path").string("/") or "/"
        if not path.startswith("/"):
            raise rule.get("path").error("an ingress path must start with /", hint="add a /")
        entry: dict[str, Any] = {}
        port = rule.get("servicePort")
        if port.value is not None:
            entry["port"] = (
                port.integer(minimum=1, maximum=65535)
                if not isinstance(port.value, str) or port.value.isdigit()
                else port.string()
            )
        elif first_port is not None:
            entry["port"] = first_port
        path_type = rule.get("pathType").string("ImplementationSpecific")
        if path_type not in ("Prefix", "Exact", "ImplementationSpecific"):
            raise rule.get("pathType").error(
                f"pathType {path_type!r} is not Prefix, Exact or ImplementationSpecific",
                hint="use one of those",
            )
        if path_type == "ImplementationSpecific" and self.options.routes:
            # A Gateway API route has no ImplementationSpecific paths; ingress-nginx, which the
            # component chart's ingress was written for, matches them as prefixes.
            path_type = "Prefix"
            self.report.choice(
                rule.get("pathType") if rule.has("pathType") else rule,
                f"path {path} of {host}: ImplementationSpecific → Prefix, as ingress-nginx "
                "matched it (Gateway API routes have no ImplementationSpecific paths)",
                hint="use Exact or RegularExpression if the path meant something else",
            )
        entry["pathType"] = path_type
        ing = component.setdefault("ingress", {})
        ing.setdefault("hosts", {}).setdefault(host, {"paths": {}})["paths"][path] = entry

    # --- replicas --------------------------------------------------------------------------------

    def scaling(self, node: Node, replicas: int) -> dict[str, Any] | None:
        node.mapping()
        node.check_keys({"horizontal"}, "autoScaling")
        hpa = node.get("horizontal")
        if hpa.value is None:
            return None
        hpa.mapping()
        hpa.check_keys(HPA_KEYS, "autoScaling.horizontal")
        maximum = hpa.get("maxReplicas").integer(minimum=1)
        if maximum is None:
            raise hpa.error("autoScaling.horizontal needs maxReplicas", hint="set maxReplicas")
        if maximum <= replicas:
            self.report.not_converted(
                hpa,
                f"maxReplicas {maximum} is not above replicas "
                f"{replicas}, so the component chart rendered no autoscaler",
            )
            return None
        scaling: dict[str, Any] = {"minReplicas": max(replicas, 1), "maxReplicas": maximum}
        cpu = hpa.get("averageRelativeCPU").integer(minimum=1, maximum=1000)
        memory = hpa.get("averageRelativeMemory").integer(minimum=1, maximum=1000)
        if cpu is not None:
            scaling["targetCPU"] = cpu
        if memory is not None:
            scaling["targetMemory"] = memory
        for key in ("averageCPU", "averageMemory"):
            if hpa.has(key):
                self.report.not_converted(
                    hpa.get(key),
                    "chart values scale on utilisation in percent of the requests",
                    hint="use averageRelativeCPU / averageRelativeMemory",
                )
        if cpu is None and memory is None:
            scaling["targetCPU"] = 80
            self.report.choice(
                hpa,
                "no relative CPU or memory target: scaling at 80% CPU, Kubernetes' usual default",
            )
        return scaling

    def strategy(self, node: Node, stateful: bool) -> dict[str, Any]:
        node.mapping()
        node.check_keys(ROLLING_KEYS, "rollingUpdate")
        if not node.get("enabled").boolean(False):
            if not stateful:
                self.report.choice(
                    node,
                    "rollout: one new pod starts before an old one stops (maxUnavailable 0, "
                    "maxSurge 1); the component chart replaced all pods at once (Recreate)",
                )
            return {}
        out: dict[str, Any] = {}
        for key in ("maxSurge", "maxUnavailable"):
            value = node.get(key).value
            if value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, str))
                or (isinstance(value, str) and not re.fullmatch(r"[0-9]+%?", value))
            ):
                raise node.get(key).error(
                    f"{key} must be a number or a percentage", hint='write e.g. 1 or "25%"'
                )
            out[key] = int(value) if isinstance(value, str) and value.isdigit() else value
        if node.has("partition"):
            self.report.not_converted(
                node.get("partition"),
                "partitioned StatefulSet rollouts have no field in chart values",
            )
        return out
