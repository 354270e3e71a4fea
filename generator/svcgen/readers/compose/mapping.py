"""Compose services → chart components.

One Compose service becomes one component with one container, ``app``. Every key of the service
is either converted or reported (rule R100) with its path and the reason; the converter marks what
it consumed and :meth:`ServiceConverter.report_rest` reports the rest, so nothing is dropped
silently. The mapping table is in the README (section "values").
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from svcgen.diagnostics import Diagnostic, SvcgenError, dotted_path
from svcgen.readers._common import (
    ACTION,
    CHOICE,
    CONVERTED,
    NOT_CONVERTED,
    SCRAPE_PREFIX,
    Location,
    Report,
    dns_label,
    is_secret,
    key_material,
    metrics_port,
    parse_image,
    scrape_annotations,
)
from svcgen.readers.base import ReadOptions
from svcgen.readers.compose import spec
from svcgen.readers.compose.interpolation import InterpolationError, Interpolator, parse_dotenv
from svcgen.readers.compose.kompose import PREFIX as KOMPOSE_PREFIX
from svcgen.readers.compose.kompose import Kompose, read_kompose
from svcgen.readers.compose.loader import Path_
from svcgen.readers.compose.merge import as_mapping
from svcgen.readers.compose.network import WELL_KNOWN_PORTS, Network, image_base, rewrite_hosts
from svcgen.readers.compose.paths import resolve
from svcgen.readers.compose.units import (
    INT32_MAX,
    byte_count,
    cpu_quantity,
    decimal,
    duration_seconds,
    memory_quantity,
    whole_seconds,
)
from svcgen.yamlio import read_text

CONTAINER = "app"
DEFAULT_VOLUME_SIZE = "1Gi"
#: Requests of a service Compose gives no resources (the chart's defaultResources requests).
DEFAULT_REQUESTS = {"cpu": "100m", "memory": "128Mi"}
MAX_INLINE_FILE = 256 * 1024
#: x-svcgen.ingress (and .route) keys that become the fields of its one path.
ROUTE_PATH_KEYS = ("pathType", "protocol", "method", "headers", "weight", "backends",
                   "requestHeaders", "responseHeaders", "redirect", "timeouts")

ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")
FILE_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
TRAEFIK_ROUTER = re.compile(r"^traefik\.http\.routers\.([^.]+)\.(rule|tls|tls\.certresolver|"
                            r"service|entrypoints)$")
TRAEFIK_PORT = re.compile(r"^traefik\.http\.services\.([^.]+)\.loadbalancer\.server\.port$")
#: Capabilities the baseline Pod Security Standard allows adding.
BASELINE_CAPS = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                 "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}

#: Why a service key is not converted; the default reason covers the rest.
REASONS: dict[str, tuple[str, str]] = {
    "restart": ("Kubernetes always restarts the containers of a Deployment, StatefulSet or "
                "DaemonSet",
                "nothing to do; a run-once task belongs in a Job"),
    "container_name": ("the component id names the workload and its Service",
                       "use x-svcgen.component to choose another id"),
    "network_mode": ("pods have their own network namespace", "remove it"),
    "logging": ("container logs go to the cluster's log collection", "remove it"),
    "privileged": ("neither the restricted nor the baseline profile allows privileged containers",
                   "grant only the capabilities the service needs with cap_add"),
    "devices": ("host devices cannot be mapped into pods by the chart",
                "request a device-plugin resource through x-svcgen.values"),
    "dns": ("pods use the cluster DNS", "remove it"),
    "dns_search": ("pods use the cluster DNS", "remove it"),
    "dns_opt": ("pods use the cluster DNS", "remove it"),
    "platform": ("the scheduler picks the node",
                 "set nodeSelector kubernetes.io/arch through x-svcgen.values"),
    "shm_size": ("/dev/shm is not sized by the chart",
                 "mount a Memory emptyDir at /dev/shm through x-svcgen.values"),
    "stop_signal": ("Kubernetes always sends SIGTERM", "handle SIGTERM, or add a preStop hook"),
    "init": ("pods have no init process option", "use an image with tini or dumb-init"),
    "ulimits": ("pods cannot set ulimits", "set them in the image's entrypoint"),
    "sysctls": ("sysctls are a node or pod-level privilege the chart does not grant",
                "set them through podSecurityContext.sysctls in x-svcgen.values"),
    "security_opt": ("the security profile sets seccomp and AppArmor", "remove it"),
    "develop": ("development-only settings (docker compose watch)", "nothing to do"),
    "external_links": ("containers outside the project are not reachable by name",
                       "give the external service a Kubernetes Service"),
    "volumes_from": ("pods cannot share another workload's volumes",
                     "mount the same volume in both, or run the containers in one component"),
    "pid": ("pods do not share the host PID namespace", "remove it"),
    "ipc": ("pods do not share IPC namespaces across workloads", "remove it"),
    "gpus": ("GPUs are requested through deploy.resources.reservations.devices", "move it there"),
    "deploy.labels": ("these label the Swarm service, which has no counterpart; labels label "
                      "the objects", "move them to labels"),
    "deploy.endpoint_mode": ("the Service always gives one virtual IP; dnsrr is a Headless "
                             "Service", "set x-svcgen.serviceType: Headless for dnsrr"),
    "deploy.rollback_config": ("Kubernetes rolls back on request (helm rollback, kubectl "
                               "rollout undo), not automatically", "nothing to do"),
    **{key: ("Docker's CPU scheduler settings are not Kubernetes requests and limits",
             "write cpus or deploy.resources.limits.cpus")
       for key in ("cpu_shares", "cpu_quota", "cpu_period", "cpu_count", "cpu_percent",
                   "cpu_rt_period", "cpu_rt_runtime")},
}
DEFAULT_REASON = ("has no equivalent in the chart", "remove it, or set the equivalent through "
                  "x-svcgen.values")


#: Kinds whose pods run to completion: no replicas, no Service.
RUN_ONCE_KINDS = ("Job", "CronJob")
#: Kinds that run no number of replicas.
UNREPLICATED_KINDS = (*RUN_ONCE_KINDS, "DaemonSet")


_KUBERNETES_SPECIAL_DOLLAR = re.compile(r"\$(?=[$(])")


def escape_kubernetes(text: str) -> str:
    """Kubernetes expands ``$(VAR)`` and turns ``$$`` into ``$`` in env values, command, args
    and exec probes; Compose does neither. Doubling each ``$`` that comes before ``$`` or ``(``
    makes Kubernetes give back the text as it is."""
    return _KUBERNETES_SPECIAL_DOLLAR.sub("$$", text)


@dataclass
class Context:
    """What every service's conversion shares."""

    project_name: str
    project_dir: Path
    environ: Mapping[str, str]
    options: ReadOptions
    locate: spec.LocateFn
    project: spec.Project
    report: Report = field(default_factory=Report)
    #: Secret name → (keys, how to create each key), for one R101 note per Secret.
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    secret_origin: dict[str, Path_] = field(default_factory=dict)
    #: component → variable → literal value moved into a Secret reference (for --secret-values).
    literals: dict[str, dict[str, str]] = field(default_factory=dict)
    used_defs: set[Path_] = field(default_factory=set)
    #: The service being converted, and which service each report entry belongs to.
    current: str | None = None
    groups: dict[int, str | None] = field(default_factory=dict)
    #: Interpolated strings holding the value of a secret variable: never copied into values.
    secret_values: set[str] = field(default_factory=set)
    #: Services a provider plugin runs: nothing is deployed for them.
    providers: set[str] = field(default_factory=set)
    #: service → the services that wait for it to complete (service_completed_successfully).
    awaited: dict[str, list[str]] = field(default_factory=dict)
    #: service → the services that call it (depends_on other than for completion, links,
    #: and the references network.survey finds).
    called: dict[str, list[str]] = field(default_factory=dict)
    #: Who calls whom on which port, and the Compose networks (network.survey).
    network: Network = field(default_factory=Network)
    #: service → component id, for the services that run.
    ids: dict[str, str] = field(default_factory=dict)
    #: A name Compose resolves (lowercase) that is not the DNS name of its component → that
    #: component's id: references to it are rewritten.
    renames: dict[str, str] = field(default_factory=dict)
    #: named volume → the services mounting it, when more than one does (the first owns the
    #: claim, the others mount it).
    shared_volumes: dict[str, list[str]] = field(default_factory=dict)

    def note(self, path: Path_, rule: str, message: str, hint: str = "") -> None:
        file, line, col = self.locate(path)
        self.report.add(Location(file, line, col, dotted_path(path)), rule, message, hint)
        self.groups[len(self.report.notes) - 1] = self.current

    def grouped_report(self, order: Iterable[str]) -> list[Diagnostic]:
        """The report per service (its summary first), after the notes about the whole input
        and before those about the project (Secrets to create, shared volumes)."""
        before: list[Diagnostic] = []
        after: list[Diagnostic] = []
        services: dict[str, list[Diagnostic]] = {name: [] for name in order}
        seen_service = False
        for i, d in enumerate(self.report.notes):
            group = self.groups.get(i)
            if group is None:
                (after if seen_service else before).append(d)
                continue
            seen_service = True
            notes = services.setdefault(group, [])
            if d.rule == CONVERTED:
                notes.insert(0, d)
            else:
                notes.append(d)
        return [*before, *(d for notes in services.values() for d in notes), *after]

    def fail(self, path: Path_, message: str, hint: str) -> SvcgenError:
        file, line, col = self.locate(path)
        return SvcgenError(Diagnostic(file=file, line=line, column=col, path=dotted_path(path),
                                      message=message, hint=hint))

    def need_secret(self, name: str, key: str, how: str, origin: Path_) -> None:
        self.secrets.setdefault(name, {})[key] = how
        self.secret_origin.setdefault(name, origin)


class ServiceConverter:
    """Converts one service. ``raw`` is the merged service as written (for the leftover walk)."""

    def __init__(self, ctx: Context, name: str, component_id: str, service: spec.Service,
                 raw: dict[str, Any]) -> None:
        self.ctx = ctx
        self.name = name
        self.id = component_id
        self.svc = service
        self.raw = raw
        self.base: Path_ = ("services", name)
        self.consumed: set[Path_] = set()
        self.unconverted: set[str] = set()
        self.x = service.x_svcgen or spec.XService()
        self.container: dict[str, Any] = {}
        self.component: dict[str, Any] = {}
        self.volumes: dict[str, Any] = {}
        self.mounts: dict[str, Any] = {}
        self.ports: dict[str, Any] = {}
        self.service_ports: dict[str, Any] = {}
        #: Names of other services to rewrite in this one's references (see rewrite).
        self._renames: dict[str, str] | None = None
        #: A published (host) port → the Service port of its container port.
        self.published: dict[int, str] = {}
        self.component_set: set[str] = set()
        #: prometheus.io/* labels (or annotations): name → (value, path).
        self.scrape_labels: dict[str, tuple[str, tuple[str | int, ...]]] = {}
        self.secret_values: set[str] = set(ctx.secret_values)
        self.labels = {str(k): "" if v is None else _env_text(v)
                       for k, v in as_mapping(service.labels or {}, "labels").items()}
        self.kompose = Kompose()
        #: Component ids of this release the service depends on (set by the reader).
        self.dependencies: list[str] = []
        #: The workload kind when the service decides it (else assemble picks Deployment or
        #: StatefulSet), and the `job` / `cronJob` settings of a Job or CronJob.
        self.kind: str | None = None
        self.job: dict[str, Any] = {}
        self.cron: dict[str, Any] = {}

    # --- bookkeeping ----------------------------------------------------------------------------

    def use(self, *path: str | int) -> None:
        self.consumed.add(tuple(path))

    def skip(self, path: tuple[str | int, ...], reason: str, hint: str) -> None:
        """Report one key that is not converted, and mark it as handled."""
        self.consumed.add(path)
        if len(path) == 1:
            self.unconverted.add(str(path[0]))
        self.ctx.note((*self.base, *path), NOT_CONVERTED,
                      f"not converted: {reason}", hint)

    def choice(self, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.ctx.note((*self.base, *path), CHOICE, message, hint)

    def action(self, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.ctx.note((*self.base, *path), ACTION, message, hint)

    def fail(self, path: tuple[str | int, ...], message: str, hint: str) -> SvcgenError:
        return self.ctx.fail((*self.base, *path), message, hint)

    def report_rest(self) -> None:
        """Every key of the service that no converter consumed is reported with its reason."""
        def walk(node: Any, path: tuple[str | int, ...]) -> None:
            if path in self.consumed:
                return
            below = [c for c in self.consumed if c[: len(path)] == path and len(c) > len(path)]
            dotted = dotted_path(path)
            # a mapping whose keys have reasons of their own is reported key by key
            has_reasons = isinstance(node, dict) and dotted not in REASONS and any(
                k.startswith(f"{dotted}.") for k in REASONS)
            if path and not below and not has_reasons:
                top = str(path[0])
                if top.startswith("x-"):
                    return
                reason, hint = REASONS.get(dotted) or (
                    DEFAULT_REASON if len(path) == 1 else
                    ("has no equivalent in the chart", DEFAULT_REASON[1]))
                self.skip(path, reason, hint)
                return
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, (*path, k))
        walk(self.raw, ())

    # --- conversion -----------------------------------------------------------------------------

    def convert(self) -> dict[str, Any]:
        self.use("profiles")
        self.use("x-svcgen")
        if self.svc.networks is not None:
            self.use("networks")
            nets = sorted(self.ctx.network.networks.get(self.name, ()))
            self.choice(("networks",), f"networks {', '.join(nets)} → the NetworkPolicies admit "
                        "only callers that share one with it")
        self.refuse_shared_targets()
        self.kompose = read_kompose(self, self.labels)
        self.image()
        self.command()
        if self.svc.working_dir is not None:
            self.use("working_dir")
            self.container["workingDir"] = self.svc.working_dir
        self.port_list()
        self.expose_list()
        self.serve_callers()
        self.traefik_routes()
        self.environment()
        self.resources()
        self.healthcheck()
        self.kompose_probes()
        self.volume_list()
        self.tmpfs()
        self.files("secrets")
        self.files("configs")
        self.bind_config_files_check()
        self.security()
        self.workload()
        self.misc()
        self.hooks()
        self.report_rest()
        component = self.assemble()
        self.report_published()
        return component

    def image(self) -> None:
        svc, opts = self.svc, self.ctx.options
        explicit = opts.image_for(self.name, self.id)
        if explicit is not None:
            ref, source = explicit, "--image"
            self.choice(("image",) if svc.image else (), f"image {explicit} set by --image")
            self.use("image")
            if svc.build is not None:
                self.use("build")
        elif svc.image:
            ref, source = svc.image, "image"
            self.use("image")
            if svc.build is not None:
                self.use("build")
                self.action(("build",), f"Compose builds {svc.image} from source; push it to "
                            "a registry the cluster can pull from",
                            f"docker compose build {self.name} && docker compose push {self.name}")
        elif svc.build is not None:
            built = f"{self.ctx.project_name}-{self.name}"
            if svc.image is not None:  # `image: ${TAG}` left empty: Compose names the build
                self.use("image")
                self.choice(("image",), f"image is empty: Compose names the image it builds "
                            f"{built}, and so does the conversion")
            ref = f"{opts.registry.rstrip('/')}/{built}" if opts.registry else built
            source = "build"
            self.use("build")
            hint = (f"docker compose build {self.name} && docker tag {built} {ref}:latest && "
                    f"docker push {ref}:latest" if opts.registry else
                    "pass --registry REGISTRY (or --image SERVICE=REF) and push the image there")
            self.action(("build",), f"build-only service: image {ref}:latest is the one "
                        "Compose builds; it must be pushed to a registry the cluster can pull from",
                        hint)
        else:
            raise self.fail((), f"service {self.name} has neither image nor build",
                            "add an image, or a build section and --registry")
        parsed = parse_image(ref)
        if parsed is None:
            path = ("image",) if source == "image" else ()
            raise self.fail(path, f"{ref!r} is not an image reference",
                            "write [registry/]name[:tag][@sha256:digest]")
        image: dict[str, Any] = {"repository": parsed.repository}
        if parsed.tag is not None:
            image["tag"] = parsed.tag
        elif parsed.digest is None:
            image["tag"] = "latest"
            if source != "build":
                self.choice(("image",), f"image {ref} has no tag: Compose pulls latest, and so "
                            "will Kubernetes", "pin a version tag")
        if parsed.digest is not None:
            image["digest"] = parsed.digest
        policy = svc.pull_policy
        if policy is None and self.kompose.pull_policy is not None:
            image["pullPolicy"] = self.kompose.pull_policy
        if policy is not None:
            mapped = {"always": "Always", "never": "Never", "missing": "IfNotPresent",
                      "if_not_present": "IfNotPresent"}.get(policy)
            if mapped:
                self.use("pull_policy")
                image["pullPolicy"] = mapped
            else:
                self.skip(("pull_policy",), f"pull_policy {policy} has no Kubernetes equivalent",
                          "use always, never or missing")
        self.container["image"] = image

    def command(self) -> None:
        # Compose: entrypoint replaces the image ENTRYPOINT (and drops its CMD), command replaces
        # CMD. Kubernetes: command replaces ENTRYPOINT (and drops CMD when args are unset), args
        # replace CMD. So entrypoint → command and command → args, one to one.
        for key, target in (("entrypoint", "command"), ("command", "args")):
            value = getattr(self.svc, key)
            if value is None:
                continue
            words = self._words((key,), value)
            if not words:
                self.skip((key,), f"an empty {key} (clearing the image's) cannot be expressed",
                          "write the command the container should run")
                continue
            self.use(key)
            words = [self.rewrite((key,) if isinstance(value, str) else (key, i), w)
                     for i, w in enumerate(words)]
            self.container[target] = [escape_kubernetes(w) for w in words]

    def _words(self, path: tuple[str | int, ...], value: str | list[str]) -> list[str]:
        """A command as Compose reads it: a list, or a string split like a shell would."""
        if not isinstance(value, str):
            return list(value)
        try:
            return shlex.split(value)
        except ValueError as exc:
            raise self.fail(path, f"{value!r} cannot be split into words: {exc}",
                            "balance the quotes, or write the list form") from None

    def hooks(self) -> None:
        """``post_start``/``pre_stop`` → the container's lifecycle (an exec in the container, as
        in Compose); ``pre_start`` → init containers, run to completion first."""
        lifecycle: dict[str, Any] = {}
        for key, event in (("post_start", "postStart"), ("pre_stop", "preStop")):
            hooks = getattr(self.svc, key)
            if hooks is None:
                continue
            self.use(key)
            for i, hook in enumerate(hooks):
                path: tuple[str | int, ...] = (key, i)
                if i > 0:
                    self.skip(path, f"Kubernetes runs one {event} handler per container; the "
                              "first hook is converted", "join the commands into one script")
                    continue
                self.use(*path)
                for extra in ("user", "privileged", "working_dir", "environment", "image"):
                    if getattr(hook, extra) is not None:
                        self.skip((*path, extra), f"a {event} handler runs as the container "
                                  "does: its user, directory and environment",
                                  "set them inside the command")
                words = self._words((*path, "command"), hook.command or [])
                if not words:
                    raise self.fail(path, f"the {key} hook has no command",
                                    "name the command to run")
                self.use(*path, "command")
                lifecycle[event] = {"exec": {"command": words}}
        if lifecycle:
            self.container["lifecycle"] = lifecycle
        self._pre_start()

    def _pre_start(self) -> None:
        hooks = self.svc.pre_start
        if hooks is None:
            return
        self.use("pre_start")
        init: dict[str, Any] = {}
        for i, hook in enumerate(hooks):
            path: tuple[str | int, ...] = ("pre_start", i)
            self.use(*path)
            name = "pre-start" if len(hooks) == 1 else f"pre-start-{i + 1:02d}"
            container: dict[str, Any] = {}
            if hook.image:
                self.use(*path, "image")
                parsed = parse_image(hook.image)
                if parsed is None:
                    raise self.fail((*path, "image"), f"{hook.image!r} is not an image "
                                    "reference", "write [registry/]name[:tag][@sha256:digest]")
                image: dict[str, Any] = {"repository": parsed.repository,
                                         "tag": parsed.tag or "latest"}
                if parsed.digest is not None:
                    image["digest"] = parsed.digest
                container["image"] = image
            else:
                container["image"] = dict(self.container["image"])
            if hook.command is not None:
                self.use(*path, "command")
                words = self._words((*path, "command"), hook.command)
                container["command"] = [escape_kubernetes(w) for w in words]
            working_dir = hook.working_dir or self.container.get("workingDir")
            if hook.working_dir is not None:
                self.use(*path, "working_dir")
            if working_dir:
                container["workingDir"] = working_dir
            env = dict(self.container.get("env", {}))
            secret_env = dict(self.container.get("secretEnv", {}))
            if hook.environment is not None:
                self.use(*path, "environment")
                secret_name = self.x.secretName or f"{self.id}-env"
                for key, raw in as_mapping(hook.environment, "environment").items():
                    value = self.ctx.environ.get(key) if raw is None else _env_text(raw)
                    if value is None or not ENV_NAME.match(key):
                        self.skip((*path, "environment", key), f"{key} has no value here",
                                  "give it a value")
                        continue
                    env.pop(key, None)
                    secret_env.pop(key, None)
                    if self._is_secret(key, value):
                        secret_env[key] = {"secret": secret_name, "key": key}
                        self.ctx.need_secret(secret_name, key, "from-literal",
                                             (*self.base, *path, "environment", key))
                    else:
                        env[key] = escape_kubernetes(value)
            if env:
                container["env"] = env
            if secret_env:
                container["secretEnv"] = secret_env
            user = decimal(hook.user) if hook.user is not None else None
            if user is not None and user <= INT32_MAX:
                self.use(*path, "user")
                container["securityContext"] = {"runAsUser": user}
            elif hook.user is not None:
                self.skip((*path, "user"), f"user {hook.user!r} is not a numeric uid",
                          "write the uid")
            if hook.privileged not in (None, False, "false"):
                self.skip((*path, "privileged"), REASONS["privileged"][0],
                          REASONS["privileged"][1])
            elif hook.privileged is not None:
                self.use(*path, "privileged")
            if hook.per_replica is not None:
                self.use(*path, "per_replica")
            if hook.per_replica in (None, False, "false"):
                self.choice(path, f"pre_start hook → init container {name}: it runs before "
                            "every pod starts, not once for the service",
                            "make it safe to run more than once, or move it to a Job")
            init[name] = container
        if init:
            self.component["initContainers"] = init

    # --- ports ----------------------------------------------------------------------------------

    def _add_port(self, path: tuple[str | int, ...], target: int, published: int | None,
                  protocol: str, name: str | None = None, app_protocol: str | None = None) -> None:
        proto = protocol.upper()
        if proto not in ("TCP", "UDP", "SCTP"):
            self.skip(path, f"protocol {protocol} is not TCP, UDP or SCTP", "use tcp or udp")
            return
        cname = next((n for n, p in self.ports.items()
                      if p["containerPort"] == target and p.get("protocol", "TCP") == proto), None)
        if cname is None:
            prefix = dns_label(app_protocol, rfc1035=False) if app_protocol else proto.lower()
            cname = dns_label(name, rfc1035=False)[:15].rstrip("-") if name else \
                f"{prefix}-{target}"[:15]
            if cname in self.ports or not re.search("[a-z]", cname):
                cname = f"{proto.lower()}-{target}"
            self.ports[cname] = {"containerPort": target}
            if proto != "TCP":
                self.ports[cname]["protocol"] = proto
        # Inside a Compose network callers reach the container port (a published port is the
        # host's): the Service answers on the container port, as they call it.
        port = target
        for sname_, existing in self.service_ports.items():
            if existing["port"] == port and existing.get("protocol", "TCP") == proto:
                if existing["targetPort"] != cname:
                    self.skip(path, f"Service port {port}/{proto.lower()} already routes to "
                              f"{existing['targetPort']}", "publish a different port")
                elif published is not None:
                    self.published.setdefault(published, sname_)
                return
        sname = cname if cname not in self.service_ports else f"{proto.lower()}-{port}"[:15]
        if published is not None:
            self.published.setdefault(published, sname)
        entry: dict[str, Any] = {"port": port, "targetPort": cname}
        if proto != "TCP":
            entry["protocol"] = proto
        if app_protocol:
            entry["appProtocol"] = app_protocol
        self.service_ports[sname] = entry

    def port_list(self) -> None:
        if self.svc.ports is not None:
            self.use("ports")
        for i, item in enumerate(self.svc.ports or []):
            path: tuple[str | int, ...] = ("ports", i)
            self.use(*path)
            if isinstance(item, spec.PortLong):
                self._long_port(path, item)
            else:
                self._short_port(path, str(item))

    def _long_port(self, path: tuple[str | int, ...], p: spec.PortLong) -> None:
        if p.host_ip:
            self.choice((*path, "host_ip"), f"host_ip {p.host_ip} is a host binding; the "
                        "Service listens on the cluster network")
        if p.mode == "host":
            self.choice((*path, "mode"), "mode host (publish on the node) is not used; the "
                        "port is published on the component's Service")
        published = None
        if p.published:
            first, last = self._range(path, p.published)
            published = first
            if last != first:
                self.choice((*path, "published"), f"published range {p.published} for one "
                            f"target: the Service listens on {first}")
        self._check_port(path, p.target)
        self._add_port(path, p.target, published, p.protocol or "tcp", p.name, p.app_protocol)

    def _short_port(self, path: tuple[str | int, ...], text: str) -> None:
        body, _, proto = text.partition("/")
        host_ip = None
        if body.startswith("["):
            end = body.find("]:")
            if end < 0:
                raise self.fail(path, f"port {text!r}: unclosed IPv6 address",
                                "write [::1]:8080:80")
            host_ip, body = body[1:end], body[end + 2 :]
            parts = body.split(":")
        else:
            parts = body.split(":")
            if len(parts) == 3:
                host_ip, parts = parts[0], parts[1:]
        if len(parts) == 1:
            published_text, target_text = "", parts[0]
        elif len(parts) == 2:
            published_text, target_text = parts
        else:
            raise self.fail(path, f"port {text!r} is not [HOST:]CONTAINER[/PROTOCOL]",
                            "write for example 8080:80 or 53:53/udp")
        if host_ip:
            self.choice(path, f"host address {host_ip} is a host binding; the Service listens "
                        "on the cluster network")
        t_first, t_last = self._range(path, target_text)
        if published_text:
            p_first, p_last = self._range(path, published_text)
        else:
            p_first, p_last = t_first, t_last
        count = t_last - t_first + 1
        if published_text and p_last - p_first + 1 != count:
            if count == 1:
                self.choice(path, f"published range {published_text} for one target: the "
                            f"Service listens on {p_first}")
                p_last = p_first
            else:
                raise self.fail(path, f"port {text!r}: the published and container ranges "
                                "differ in length", "give both ranges the same length")
        for k in range(count):
            published = p_first + k if published_text or count > 1 else None
            if not published_text:
                published = None
            self._add_port(path, t_first + k, published, proto or "tcp")

    def _range(self, path: tuple[str | int, ...], text: str) -> tuple[int, int]:
        first_text, _, last_text = text.strip().partition("-")
        first = decimal(first_text)
        last = decimal(last_text) if last_text else first
        if first is None or last is None:
            raise self.fail(path, f"{text!r} is not a port or a port range",
                            "write a number like 8080 or a range like 8000-8010")
        self._check_port(path, first)
        self._check_port(path, last)
        if last < first:
            raise self.fail(path, f"port range {text!r} ends before it starts", "swap the ends")
        if last - first > 1000:
            raise self.fail(path, f"port range {text!r} has more than 1000 ports",
                            "publish only the ports the service uses")
        return first, last

    def _check_port(self, path: tuple[str | int, ...], port: int) -> None:
        if not 1 <= port <= 65535:
            raise self.fail(path, f"port {port} is outside 1-65535", "use a valid port number")

    def expose_list(self) -> None:
        if self.svc.expose is not None:
            self.use("expose")
        for i, item in enumerate(self.svc.expose or []):
            path: tuple[str | int, ...] = ("expose", i)
            self.use(*path)
            body, _, proto = str(item).partition("/")
            first, last = self._range(path, body)
            for port in range(first, last + 1):
                self._add_port(path, port, None, proto or "tcp")

    def serve_callers(self) -> None:
        """The Service answers on every port its callers use. Evidence, in order: ports and
        expose (above); the ports written in the callers' URLs, ``host:port``s and commands;
        the well-known port of the image, for callers that name no port; ``x-svcgen.ports``.
        The report says which evidence each port came from."""
        net = self.ctx.network
        calls = [r for r in net.calls_to(self.name) if net.shares_network(r.caller, self.name)]
        declared = {p["containerPort"] for p in self.ports.values()
                    if p.get("protocol", "TCP") == "TCP"}
        evidence: dict[int, str] = {}
        by_port: dict[int, list[str]] = {}
        # its own healthcheck or command naming a port says the container listens there
        own = [r for r in net.calls_from(self.name) if r.callee == self.name
               and r.port is not None and not r.scheme_default]
        for ref in [*calls, *own]:
            if ref.port is not None and not (ref.scheme_default and declared):
                by_port.setdefault(ref.port, [])
                if ref.caller not in by_port[ref.port]:
                    by_port[ref.port].append(ref.caller)
        for port, callers in sorted(by_port.items()):
            if port not in declared:
                self._check_port((), port)
                self._add_port((), port, None, "tcp")
                evidence[port] = f"{', '.join(callers)} call{'s' if len(callers) == 1 else ''}" \
                    f" it on {port}" if callers != [self.name] else \
                    f"its own {' '.join(str(r.path[0]) for r in own if r.port == port)} uses it"
        portless = sorted({r.caller for r in calls if r.port is None})
        if portless and not declared and not by_port:
            known = WELL_KNOWN_PORTS.get(image_base(self.svc.image), ())
            for port in known:
                self._add_port((), port, None, "tcp")
                evidence[port] = f"the well-known port of the {image_base(self.svc.image)} " \
                    "image"
        for i, port in enumerate(self.x.ports):
            if port not in {p["containerPort"] for p in self.ports.values()}:
                self._add_port(("x-svcgen", "ports", i), port, None, "tcp")
                evidence[port] = "x-svcgen.ports"
        callers = sorted({r.caller for r in calls})
        if evidence:
            shown = "; ".join(f"{port} ({why})" for port, why in sorted(evidence.items()))
            self.choice((), f"{self.name} is called by {', '.join(callers)}: its Service "
                        f"{self.id} answers on {shown}" if callers else
                        f"Service {self.id} answers on {shown}")
        elif portless and not self.service_ports:
            self.ctx.note(self.base, ACTION,
                          f"{self.name} is called by {', '.join(portless)}, but nothing says "
                          "on which port it listens: no Service, so they cannot reach it",
                          f"add expose: [PORT] (or x-svcgen.ports: [PORT]) to {self.name}")

    def traefik_routes(self) -> None:
        """Traefik's router labels (``traefik.http.routers.<r>.rule=Host(`a.example.com`) &&
        PathPrefix(`/api`)``, ``….tls``, the service's ``loadbalancer.server.port``) are how the
        stack is reached from outside: they become the component's ingress."""
        routers: dict[str, dict[str, str]] = {}
        ports: dict[str, str] = {}
        for key, value in self.labels.items():
            m = TRAEFIK_ROUTER.match(key)
            if m:
                routers.setdefault(m.group(1), {})[m.group(2)] = value
                continue
            m = TRAEFIK_PORT.match(key)
            if m:
                ports[m.group(1)] = value
        if not routers or self.x.ingress is not None or self.x.route is not None \
                or self.kompose.expose is not None:
            return
        if self._internal_only():
            self.choice(("labels",), "Traefik routes of a service on internal networks only: "
                        "Compose keeps it unreachable from outside, so no ingress")
            return
        hosts: dict[str, Any] = {}
        tls = False
        for router, fields in sorted(routers.items()):
            rule = fields.get("rule")
            where: tuple[str | int, ...] = ("labels", f"traefik.http.routers.{router}.rule")
            if rule is None:
                continue
            names = re.findall(r"Host\(\s*`([^`]+)`", rule)
            paths = re.findall(r"(?:PathPrefix|Path)\(\s*`([^`]+)`", rule) or ["/"]
            if not names or re.search(r"\|\||HostRegexp|!", rule):
                self.skip(where, f"the Traefik rule {rule!r} is not Host(...) with an optional "
                          "Path or PathPrefix", "write the route as x-svcgen.ingress")
                continue
            service = fields.get("service") or (next(iter(ports)) if len(ports) == 1 else None)
            text = ports.get(service or "", "")
            number = decimal(text) if text else None
            if number is None:
                tcp = [n for n, p in self.service_ports.items()
                       if p.get("protocol", "TCP") == "TCP"]
                if not tcp:
                    self.skip(where, "the Traefik router names no server port and the service "
                              "has none", "add the traefik.http.services.<s>.loadbalancer.server"
                              ".port label")
                    continue
                sname = tcp[0]
            else:
                self._check_port(where, number)
                self._add_port(where, number, None, "tcp")
                sname = next(n for n, p in self.service_ports.items()
                             if p["port"] == number and p.get("protocol", "TCP") == "TCP")
            for name in names:
                for prefix in paths:
                    hosts.setdefault(name, {"paths": {}})["paths"][prefix] = {"port": sname}
            tls = tls or fields.get("tls") == "true" or "tls.certresolver" in fields
            self.choice(where, f"Traefik router {router} → ingress "
                        f"{', '.join(f'{n}{p}' for n in names for p in paths)} on port "
                        f"{self.service_ports[sname]['port']}")
        if hosts:
            ingress: dict[str, Any] = {"hosts": hosts}
            if tls:
                ingress["tls"] = {"enabled": True}
            self.component["ingress"] = ingress

    def _internal_only(self) -> bool:
        """Whether every Compose network of the service is ``internal: true``."""
        nets = self.ctx.network.networks.get(self.name, set())
        return bool(nets) and nets <= self.ctx.network.internal

    def report_published(self) -> None:
        """Published ports are the Docker host's: in the cluster the Service answers on the
        container port and nothing is exposed outside unless an ingress says so."""
        if not self.published or self.x.ingress is not None or self.x.route is not None \
                or self.kompose.expose is not None or "ingress" in self.component:
            return
        shown = ", ".join(f"{pub}→{self.service_ports[s]['port']}" if pub !=
                          self.service_ports[s]["port"] else str(pub)
                          for pub, s in sorted(self.published.items()))
        web = [pub for pub in self.published if pub in (80, 443, 8080, 8000, 8443, 3000)]
        called = bool(self.ctx.network.calls_to(self.name))
        if web and not called and not self._internal_only():
            port = self.service_ports[self.published[min(web)]]["port"]
            self.ctx.note((*self.base, "ports"), ACTION,
                          f"{self.name} publishes {shown} on the host, the way in: the Service "
                          f"{self.id} is cluster-internal, reached from outside only through an "
                          "ingress", f"add x-svcgen.ingress: {{host: {self.id}.example.com, "
                          f"port: {port}}} to {self.name}")
        else:
            self.choice(("ports",), f"published port(s) {shown}: the Service {self.id} answers "
                        "on the container port inside the cluster; nothing is published outside",
                        f"kubectl port-forward svc/{self.id} PORT to reach it from your machine")

    # --- environment and secrets ----------------------------------------------------------------

    def _is_secret(self, name: str, value: str | None) -> bool:
        if name in self.x.plainEnv:
            return False
        if name in self.x.secretEnv:
            return True
        if value is not None and (value in self.secret_values
                                  or f"{name}={value}" in self.ctx.secret_values):
            return True
        return is_secret(name, value)

    def environment(self) -> None:
        entries: dict[str, tuple[str | None, tuple[str | int, ...]]] = {}
        env_files = self.svc.env_file
        if env_files is not None:
            self.use("env_file")
            items = [env_files] if isinstance(env_files, str) else env_files
            for i, item in enumerate(items):
                path: tuple[str | int, ...] = ("env_file",) if isinstance(env_files, str) else (
                    "env_file", i)
                long = item if isinstance(item, spec.EnvFileLong) else spec.EnvFileLong(path=item)
                for name, value in self._read_env_file(path, long).items():
                    entries[name] = (value, path)
        env = self.svc.environment
        if env is not None:
            self.use("environment")
            mapping = as_mapping(env, "environment") if isinstance(env, list) else env
            for name, raw in mapping.items():
                text: str | None = None if raw is None else _env_text(raw)
                entries[name] = (text, ("environment", name))
        secret_name = self.x.secretName or f"{self.id}-env"
        plain: dict[str, str] = {}
        secret: dict[str, Any] = {}
        for name, (value, path) in entries.items():
            if not ENV_NAME.match(name):
                self.skip(path, f"{name!r} is not a valid Kubernetes variable name",
                          "use letters, digits, '_', '-' and '.'")
                continue
            if value is None:
                value = self.ctx.environ.get(name)
                if value is None:
                    self.skip(path, f"{name} takes its value from the environment, which does "
                              "not set it", f"set {name} while converting, or give it a value")
                    continue
            if self._is_secret(name, value):
                # The overlay (--secret-values) gets the value as callers must write it now.
                literal = self.rewrite(path, value, name, secret=True)
                secret[name] = {"secret": secret_name, "key": name}
                self.ctx.need_secret(secret_name, name, "from-literal", (*self.base, *path))
                self.ctx.literals.setdefault(self.id, {})[name] = literal
            else:
                plain[name] = escape_kubernetes(self.rewrite(path, value, name))
        if plain:
            self.container["env"] = plain
        if secret:
            self.container["secretEnv"] = secret

    def _read_env_file(self, path: tuple[str | int, ...], item: spec.EnvFileLong) -> dict[
            str, str | None]:
        if item.format not in (None, ".env"):
            raise self.fail((*path, "format"), f"unsupported env_file format {item.format!r}",
                            "remove format: compose-go reads env files only as .env files")
        file = resolve(item.path, self.ctx.project_dir)
        if not file.exists() and not item.required:
            self.choice(path, f"optional env_file {item.path} does not exist; skipped")
            return {}
        try:
            text = read_text(file)
        except SvcgenError as exc:
            d = exc.diagnostics[0]
            raise self.fail(path, f"env_file {item.path}: {d.message}", d.hint or
                            "check the path (relative to the project directory)") from None
        interp = Interpolator(self.ctx.environ, is_secret=is_secret)

        def substitute(value: str, line: int) -> str:
            try:
                result, hits = interp.substitute_tracked(value)
            except InterpolationError as exc:
                raise SvcgenError(Diagnostic(file=str(file), line=line, column=1,
                                             message=exc.message, hint=exc.hint)) from None
            if hits:
                self.secret_values.add(result)
            return result

        return {e.name: e.value for e in parse_dotenv(text, str(file), substitute)}

    def files(self, kind: str) -> None:
        """Compose ``secrets``/``configs`` of the service → secret/configMap/files volumes."""
        refs = getattr(self.svc, kind)
        if refs is not None:
            self.use(kind)
        if not refs:
            return
        defs: dict[str, spec.FileDef | None] = getattr(self.ctx.project, kind)
        for i, ref in enumerate(refs):
            path: tuple[str | int, ...] = (kind, i)
            self.use(*path)
            long = ref if isinstance(ref, spec.FileRef) else spec.FileRef(source=ref)
            if long.source not in defs:
                raise self.fail(path, f"{kind[:-1]} {long.source!r} is not defined in the "
                                f"top-level {kind}", f"define it under {kind}: at the top level")
            definition = defs[long.source] or spec.FileDef()
            self.ctx.used_defs.add((kind, long.source))
            target = _file_target(kind, long)
            if long.uid is not None or long.gid is not None:
                self.choice(path, "uid/gid of the file are not set per file in Kubernetes; the "
                            "pod's fsGroup applies")
            mode = None
            if long.mode is not None:
                mode = int(long.mode, 8) if re.fullmatch(r"0[0-7]*", long.mode) else (
                    decimal(long.mode))
                if mode is None:
                    raise self.fail((*path, "mode"), f"mode {long.mode!r} is not a number",
                                    "write an octal mode like 0440")
                if not 0 <= mode <= 0o777:
                    raise self.fail((*path, "mode"), f"mode {long.mode} is not a file mode",
                                    "use 0 to 0777")
            filename = PurePosixPath(target).name or long.source
            key = long.source if FILE_KEY.match(long.source) else dns_label(long.source,
                                                                              rfc1035=False)
            vol_name = dns_label(f"{kind[:-1]}-{long.source}", rfc1035=False)
            volume = self._file_volume(kind, long.source, definition, key, filename, mode, path)
            if volume is None:
                continue
            self._add_volume(vol_name, volume, {"mountPath": target, "subPath": filename,
                                                "readOnly": True})

    def _file_volume(self, kind: str, source: str, d: spec.FileDef, key: str, filename: str,
                     mode: int | None, path: tuple[str | int, ...]) -> dict[str, Any] | None:
        def_path: Path_ = (kind, source)
        external = d.external is True or isinstance(d.external, spec.External)
        ext_name = d.external.name if isinstance(d.external, spec.External) else None
        object_name = dns_label(ext_name or d.name or source, rfc1035=False, max_length=253)
        items = [{"key": key, "path": filename}]
        if kind == "secrets":
            if d.file is not None:
                how = f"from-file={key}={d.file}"
            elif d.environment is not None:
                how = f"from-literal={key}=\"${d.environment}\""
            elif external:
                how = "external"
            else:
                raise self.ctx.fail(def_path, f"secret {source!r} has no file, environment or "
                                    "external", "give it a source")
            self.ctx.need_secret(object_name, key, how, def_path)
            volume: dict[str, Any] = {"secretName": object_name, "items": items}
            if mode is not None:
                volume["defaultMode"] = mode
            return {"secret": volume}
        # configs: not secret, so their content may live in values (a ConfigMap the chart owns)
        content: str | None = None
        if d.content is not None:
            content = d.content
        elif d.environment is not None:
            content = self.ctx.environ.get(d.environment)
            if content is None:
                self.skip(path, f"config {source} comes from {d.environment}, which is not set",
                          f"set {d.environment} while converting")
                return None
            if is_secret(d.environment, content):
                # Secret material stays out of the values: mounted from a Secret, like env vars.
                self.ctx.need_secret(object_name, key, f"from-literal={key}=\"${d.environment}\"",
                                     def_path)
                secret_volume: dict[str, Any] = {"secretName": object_name, "items": items}
                if mode is not None:
                    secret_volume["defaultMode"] = mode
                return {"secret": secret_volume}
        elif d.file is not None:
            content = self._inline_file(path, d.file)
            if content is None:
                return None
        elif external:
            self.action(path, f"config {source} is external: create ConfigMap {object_name} with "
                        f"key {key}", f"kubectl create configmap {object_name} "
                        f"--from-file={key}=<file>")
            cm: dict[str, Any] = {"name": object_name, "items": items}
            if mode is not None:
                cm["defaultMode"] = mode
            return {"configMap": cm}
        else:
            raise self.ctx.fail(def_path, f"config {source!r} has no file, content, environment "
                                "or external", "give it a source")
        return {"files": {filename if FILE_KEY.match(filename) else key: content}}

    def _inline_file(self, path: tuple[str | int, ...], name: str) -> str | None:
        file = self._confined(path, name)
        if file.is_dir():
            self.skip(path, f"{name} is a directory", "list the files one by one")
            return None
        try:
            text = read_text(file, max_bytes=MAX_INLINE_FILE)
        except SvcgenError as exc:
            d = exc.diagnostics[0]
            self.skip(path, f"{name} cannot be inlined: {d.message}",
                      "create the ConfigMap yourself and mount it through x-svcgen.values")
            return None
        return text

    def _confined(self, path: tuple[str | int, ...], name: str) -> Path:
        """A config file whose content may go into the values: inside the project directory
        (symlinks resolved), not declared as a secret, not key material by its name."""
        root = self.ctx.project_dir.resolve()
        file = resolve(name, self.ctx.project_dir).resolve()
        if not file.is_relative_to(root):
            raise self.fail(path, f"config file {name} is outside the project directory "
                            f"{root}; its content would be copied into the values",
                            "move the file into the project directory, or create the ConfigMap "
                            "yourself and mount it through x-svcgen.values")
        declared = {resolve(d.file, self.ctx.project_dir).resolve()
                    for d in (self.ctx.project.secrets or {}).values()
                    if d is not None and d.file is not None}
        if file in declared or key_material(file.name):
            why = "is declared as a secret" if file in declared else "looks like key material"
            raise self.fail(path, f"config file {name} {why}; a config's content is written "
                            "into the values in plain text",
                            "declare it under secrets: and reference it from the service's "
                            "secrets: instead")
        return file

    # --- volumes ---------------------------------------------------------------------------------

    def _add_volume(self, name: str, volume: dict[str, Any], mount: dict[str, Any]) -> None:
        base, n = name, 2
        while name in self.volumes and self.volumes[name] != volume:
            name = f"{base[:60]}-{n}"
            n += 1
        if name in self.mounts:  # one mount per volume per container in the values shape
            name = f"{base[:60]}-{n}"
        self.volumes[name] = volume
        self.mounts[name] = {k: v for k, v in mount.items() if v is not None}

    def volume_list(self) -> None:
        if self.svc.volumes is not None:
            self.use("volumes")
        for i, item in enumerate(self.svc.volumes or []):
            path: tuple[str | int, ...] = ("volumes", i)
            self.use(*path)
            if isinstance(item, spec.VolumeLong):
                self._long_volume(path, item)
            else:
                self._short_volume(path, item)

    def _short_volume(self, path: tuple[str | int, ...], text: str) -> None:
        parts = _volume_parts(text)
        if len(parts) == 1:
            self._anonymous(path, parts[0])
            return
        source, target = parts[0], parts[1]
        options = parts[2].split(",") if len(parts) > 2 else []
        read_only = "ro" in options
        for opt in options:
            if opt in ("z", "Z"):
                self.choice(path, f"SELinux relabel option :{opt} is left to the cluster")
            elif opt == "nocopy":
                self.choice(path, "nocopy: a new persistent volume starts empty in Kubernetes")
        if _is_bind(source):
            self._bind(path, source, target, read_only)
        else:
            self._named(path, source, target, read_only, None)

    def _long_volume(self, path: tuple[str | int, ...], v: spec.VolumeLong) -> None:
        if v.target is None:
            raise self.fail(path, f"a {v.type} mount needs a target", "add target: /path")
        if v.type == "volume":
            if v.source:
                subpath = v.volume.subpath if v.volume else None
                self._named(path, v.source, v.target, bool(v.read_only), subpath)
            else:
                self._anonymous(path, v.target)
        elif v.type == "bind":
            self._bind(path, v.source or "", v.target, bool(v.read_only))
        elif v.type == "tmpfs":
            size = v.tmpfs.size if v.tmpfs else None
            if v.tmpfs and v.tmpfs.mode is not None:
                self.choice(path, f"tmpfs mode {v.tmpfs.mode} is not kept: an emptyDir is a "
                            "world-writable directory")
            self._tmpfs(path, v.target, size)
        else:
            self.skip(path, f"{v.type} mounts have no Kubernetes equivalent in the chart",
                      "use a named volume")

    def _named(self, path: tuple[str | int, ...], source: str, target: str, read_only: bool,
               subpath: str | None) -> None:
        defs = self.ctx.project.volumes
        if source not in defs:
            raise self.fail(path, f"volume {source!r} is not defined in the top-level volumes",
                            f"add `{source}:` under the top-level volumes")
        self.ctx.used_defs.add(("volumes", source))
        d = defs[source] or spec.VolumeDef()
        name = dns_label(source, rfc1035=False)
        x = d.x_svcgen or spec.XVolume()
        volume: dict[str, Any]
        external = d.external is True or isinstance(d.external, spec.External)
        if external:
            claim = d.external.name if isinstance(d.external, spec.External) else None
            claim_name = dns_label(claim or d.name or source, rfc1035=False, max_length=253)
            volume = {"existingClaim": claim_name}
            self.action(path, f"volume {source} is external: PersistentVolumeClaim {claim_name} "
                        "must exist in the namespace")
        elif source in self.ctx.shared_volumes and self.ctx.shared_volumes[source][0] != \
                self.name:
            owner = self.ctx.ids[self.ctx.shared_volumes[source][0]]
            volume = {"existingClaim": f"{owner}-{name}"}
        else:
            top = self.ctx.project.x_svcgen
            chosen = x.size if x.size is not None else self.kompose.volume_size
            size = chosen if chosen is not None else (
                top.volumeSize if top and top.volumeSize else DEFAULT_VOLUME_SIZE)
            volume = {"size": size}
            storage_class = x.storageClassName or self.kompose.storage_class
            if storage_class:
                volume["storageClassName"] = storage_class
            if x.accessModes:
                volume["accessModes"] = x.accessModes
            if source in self.ctx.shared_volumes:
                # one claim every user mounts: pods of several workloads, maybe on several nodes
                volume.setdefault("accessModes", ["ReadWriteMany"])
                volume["shared"] = True
            if chosen is None:
                self.choice(path, f"volume {source} → persistent volume of {size} per replica",
                            f"set volumes.{source}.x-svcgen.size to choose the size")
        self._add_volume(name, volume, {"mountPath": target, "subPath": subpath,
                                        "readOnly": True if read_only else None})

    def _anonymous(self, path: tuple[str | int, ...], target: str) -> None:
        self.choice(path, f"anonymous volume at {target} → emptyDir (its data lives as long as "
                    "the pod)", "name the volume to keep its data")
        self._add_volume(dns_label(f"scratch-{target}", rfc1035=False), {"emptyDir": {}},
                         {"mountPath": target})

    def _bind(self, path: tuple[str | int, ...], source: str, target: str,
              read_only: bool) -> None:
        if target in self.x.configFiles:
            self._config_file(path, source, target)
            return
        self.skip(path, f"bind mount of host path {source} → {target}: pods do not see the "
                  "host's files", f"list {target} under x-svcgen.configFiles to ship the file(s) "
                  "in a ConfigMap, or bake them into the image")

    def _config_file(self, path: tuple[str | int, ...], source: str, target: str) -> None:
        host = resolve(source, self.ctx.project_dir)
        name = dns_label(f"file-{PurePosixPath(target).name or 'root'}", rfc1035=False)
        if host.is_dir():
            files: dict[str, str] = {}
            for child in sorted(host.iterdir()):
                if child.is_file() and FILE_KEY.match(child.name):
                    text = self._inline_file(path, str(child))
                    if text is not None:
                        files[child.name] = text
            if not files:
                self.skip(path, f"{source} holds no regular files to ship", "check the path")
                return
            self.choice(path, f"directory {source} → ConfigMap with {len(files)} file(s) at "
                        f"{target}")
            self._add_volume(name, {"files": files}, {"mountPath": target, "readOnly": True})
            return
        text = self._inline_file(path, str(host))
        if text is None:
            return
        filename = PurePosixPath(target).name
        key = filename if FILE_KEY.match(filename) else "file"
        self.choice(path, f"file {source} → ConfigMap mounted at {target}")
        self._add_volume(name, {"files": {key: text}},
                         {"mountPath": target, "subPath": key, "readOnly": True})

    def mount_targets(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        """Every container path the service mounts something at, with where it is written."""
        tmpfs = self.svc.tmpfs
        for i, item in enumerate([tmpfs] if isinstance(tmpfs, str) else tmpfs or []):
            yield ("tmpfs",) if isinstance(tmpfs, str) else ("tmpfs", i), item.partition(":")[0]
        for i, volume in enumerate(self.svc.volumes or []):
            if isinstance(volume, spec.VolumeLong):
                if volume.target is not None:
                    yield ("volumes", i), volume.target
                continue
            parts = _volume_parts(volume)
            yield ("volumes", i), parts[1] if len(parts) > 1 else parts[0]
        for kind in ("secrets", "configs"):
            for i, ref in enumerate(getattr(self.svc, kind) or []):
                long = ref if isinstance(ref, spec.FileRef) else spec.FileRef(source=ref)
                yield (kind, i), _file_target(kind, long)

    def refuse_shared_targets(self) -> None:
        """Two mounts at one container path: compose-go refuses tmpfs and volumes that share a
        target, Docker refuses any two mounts there, and so does Kubernetes."""
        seen: dict[str, tuple[str | int, ...]] = {}
        for path, target in self.mount_targets():
            key = target.rstrip("/") or "/"
            if key in seen:
                raise self.fail(path, f"target {target} is already mounted by "
                                f"{dotted_path((*self.base, *seen[key]))}",
                                "mount one of them at another path, or remove one")
            seen[key] = path

    def bind_config_files_check(self) -> None:
        mounted = {target for path, target in self.mount_targets() if path[0] == "volumes"}
        for i, target in enumerate(self.x.configFiles):
            if target not in mounted:
                raise self.fail(("x-svcgen", "configFiles", i), f"{target} is not the target "
                                "of a bind mount of this service",
                                "list the container path of a bind mount")

    def tmpfs(self) -> None:
        value = self.svc.tmpfs
        if value is None:
            return
        self.use("tmpfs")
        items = [value] if isinstance(value, str) else value
        for i, item in enumerate(items):
            target, _, opts = item.partition(":")
            path: tuple[str | int, ...] = ("tmpfs",) if isinstance(value, str) else ("tmpfs", i)
            size = None
            for opt in filter(None, opts.split(",")):
                if opt.startswith("size="):
                    size = opt[5:]
                else:
                    self.choice(path, f"tmpfs option {opt} is not kept: an emptyDir is a "
                                "world-writable directory")
            self._tmpfs(path, target, size)

    def _tmpfs(self, path: tuple[str | int, ...], target: str, size: str | None) -> None:
        empty: dict[str, Any] = {"medium": "Memory"}
        if size is not None:
            count = byte_count(size)
            if count is None:
                raise self.fail(path, f"tmpfs size {size!r} is not a byte value",
                                "write for example 64m")
            empty["sizeLimit"] = memory_quantity(count)
        self._add_volume(dns_label(f"tmpfs-{target}", rfc1035=False), {"emptyDir": empty},
                         {"mountPath": target})

    # --- resources, health ----------------------------------------------------------------------

    def resources(self) -> None:
        limits: dict[str, Any] = {}
        requests: dict[str, Any] = {}
        deploy = self.svc.deploy
        res = deploy.resources if deploy else None
        for key, target in (("limits", limits), ("reservations", requests)):
            part = getattr(res, key) if res else None
            if part is None:
                continue
            path: tuple[str | int, ...] = ("deploy", "resources", key)
            if part.cpus is not None:
                self.use(*path, "cpus")
                cpu = cpu_quantity(part.cpus)
                if cpu is None:
                    raise self.fail((*path, "cpus"), f"cpus {part.cpus!r} is not a positive "
                                    "number", "write for example 0.5")
                target["cpu"] = cpu
            if part.memory is not None:
                self.use(*path, "memory")
                count = byte_count(part.memory)
                if count is None or count <= 0:
                    raise self.fail((*path, "memory"), f"memory {part.memory!r} is not a byte "
                                    "value", "write for example 512m or 1g")
                target["memory"] = memory_quantity(count)
            for j, device in enumerate(part.devices or []):
                dev = device.model_dump()
                caps = dev.get("capabilities") or []
                if "gpu" in caps:
                    self.use(*path, "devices", j)
                    count = self._gpu_count((*path, "devices", j), dev)
                    if count:
                        limits["nvidia.com/gpu"] = count
        # compose-go refuses a service-level value beside a different deploy one, and merges
        # equal ones
        for key, target, to, deploy_key in (
                ("mem_limit", limits, "memory", "limits.memory"),
                ("mem_reservation", requests, "memory", "reservations.memory"),
                ("cpus", limits, "cpu", "limits.cpus")):
            value = getattr(self.svc, key)
            if value is None:
                continue
            if to == "cpu":
                quantity = cpu_quantity(value)
                if quantity is None:
                    raise self.fail((key,), f"cpus {value!r} is not a positive number",
                                    "write for example 0.5")
            else:
                count = byte_count(value)
                if count is None or count <= 0:
                    raise self.fail((key,), f"{key} {value!r} is not a byte value",
                                    "write for example 512m")
                quantity = memory_quantity(count)
            if to in target and target[to] != quantity:
                raise self.fail((key,), f"{key} {value} and deploy.resources.{deploy_key} "
                                f"{target[to]} differ", "keep one of them, as docker compose "
                                "refuses distinct values")
            self.use(key)
            target[to] = quantity
        if not limits and not requests:
            # Compose sets no limit: the chart's default memory limit would OOM-kill a JVM or a
            # search engine that ran fine before. Requests only, as the chart's defaults ask.
            requests.update(DEFAULT_REQUESTS)
            self.choice(("deploy", "resources") if res is not None else (),
                        "no resources in Compose → requests "
                        f"{', '.join(f'{k} {v}' for k, v in DEFAULT_REQUESTS.items())} and no "
                        "limit (the chart's default 256Mi memory limit is not applied: the "
                        "service ran without one)",
                        "set deploy.resources.limits.memory to cap its memory")
        if limits or requests:
            resources: dict[str, Any] = {}
            if requests:
                resources["requests"] = requests
            if limits:
                resources["limits"] = limits
            self.container["resources"] = resources

    def _gpu_count(self, path: tuple[str | int, ...], device: dict[str, Any]) -> int:
        """GPUs of one device request, as compose-go reads ``count`` (a number, or ``all`` which
        it stores as -1) and Docker ``device_ids`` (one GPU each)."""
        count, ids = device.get("count"), device.get("device_ids")
        if count is not None and ids is not None:
            raise self.fail(path, "count and device_ids are both set",
                            "keep one: the specification makes them mutually exclusive")
        if ids is not None:
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise self.fail((*path, "device_ids"), "device_ids is not a list of ids",
                                'write for example device_ids: ["0", "1"]')
            self.choice((*path, "device_ids"), f"device_ids {', '.join(ids)} → {len(ids)} "
                        "GPU(s) per replica; the device plugin picks which ones")
            return len(ids)
        if count is None:
            return 1
        number = None
        if isinstance(count, int) and not isinstance(count, bool):
            number = count
        elif isinstance(count, str):
            number = -1 if count.lower() == "all" else decimal(count, signed=True)
        if number is None or number < -1:
            raise self.fail((*path, "count"), f"GPU count {count!r} is not a number or all",
                            "write a whole number of GPUs, or all")
        if number == -1:
            self.choice((*path, "count"), "count all → 1 GPU per replica (Kubernetes requests "
                        "a number of GPUs)", "write the number of GPUs the service needs")
            return 1
        if number > INT32_MAX:
            raise self.fail((*path, "count"), f"GPU count {number} is above {INT32_MAX}",
                            "write the number of GPUs the service needs")
        if number == 0:
            self.choice((*path, "count"), "count 0 → no GPU")
        return number

    def _seconds(self, path: tuple[str | int, ...], text: str | None, minimum: int) -> int | None:
        if text is None:
            return None
        seconds = duration_seconds(text)
        if seconds is None:
            raise self.fail(path, f"{text!r} is not a duration", "write for example 10s or 1m30s")
        whole = whole_seconds(seconds, minimum)
        if whole > INT32_MAX:
            raise self.fail(path, f"{text!r} is {whole} seconds, above the {INT32_MAX} "
                            "Kubernetes accepts", "write a shorter duration")
        return whole

    def healthcheck(self) -> None:
        hc = self.svc.healthcheck
        if hc is None:
            return
        path: tuple[str | int, ...] = ("healthcheck",)
        self.use("healthcheck")
        test = hc.test
        if hc.disable or (isinstance(test, list) and test[:1] == ["NONE"]):
            self.container["probes"] = {"liveness": {"enabled": False},
                                        "readiness": {"enabled": False}}
            self.choice(path, "healthcheck disabled → no liveness or readiness probe (the ones "
                        "derived from ports are turned off too)")
            return
        if test is None or (isinstance(test, list) and not test):
            self.skip(path, "a healthcheck without test inherits the image's HEALTHCHECK, which "
                      "is not visible here", "write the test command")
            return
        if isinstance(test, str):
            command = ["/bin/sh", "-c", test]
        elif test[0] == "CMD-SHELL":
            command = ["/bin/sh", "-c", " ".join(test[1:])]
        elif test[0] == "CMD":
            command = test[1:]
        else:
            raise self.fail(("healthcheck", "test"), f"test starts with {test[0]!r}",
                            'start the list with "CMD", "CMD-SHELL" or "NONE"')
        if not command or not command[0]:
            raise self.fail(("healthcheck", "test"), "the test has no command",
                            "name the command to run")
        command = [self.rewrite(("healthcheck", "test"), w)
                   for w in self._own_host_is_localhost(command)]
        unshipped = self._unshipped_bind(command)
        if unshipped is not None:
            source, target = unshipped
            derived = "the chart's TCP probe on its port checks it instead" if self.ports else \
                "it gets no probe"
            self.action(path, f"the healthcheck runs {target}… from the bind mount {source}, "
                        "which is not in the pod: as a probe it would fail and restart the "
                        f"container forever, so it is not converted ({derived})",
                        f"list {target} under x-svcgen.configFiles to ship the file(s), and the "
                        "healthcheck becomes the probe")
            return
        interval = self._seconds((*path, "interval"), hc.interval, 1) or 30
        timeout = self._seconds((*path, "timeout"), hc.timeout, 1) or 30
        retries = hc.retries if hc.retries is not None else 3
        start = self._seconds((*path, "start_period"), hc.start_period, 0) or 0
        start_interval = self._seconds((*path, "start_interval"), hc.start_interval, 1) or 5
        probe: dict[str, Any] = {"exec": {"command": [escape_kubernetes(c) for c in command]},
                                 "periodSeconds": interval, "timeoutSeconds": timeout,
                                 "failureThreshold": max(1, retries)}
        probes: dict[str, Any] = {"readiness": dict(probe), "liveness": dict(probe)}
        if start > 0:
            # Compose ignores failures during start_period, checking every start_interval; a
            # startup probe holds the other two back the same way.
            probes["startup"] = {**probe, "periodSeconds": start_interval,
                                 "failureThreshold": max(1, -(-start // start_interval))}
        self.container["probes"] = probes

    def rewrite(self, path: tuple[str | int, ...], text: str, variable: str | None = None,
                *, secret: bool = False) -> str:
        """A reference to a service under a name Kubernetes cannot carry (``my_db``, a
        container_name) is rewritten to the component id it became, and reported; what cannot
        be rewritten safely (or sits in a Secret) is a warning at its line."""
        if self._renames is None:  # once per service: the names of the others
            self._renames = {k: v for k, v in self.ctx.renames.items()
                             if self.ctx.network.hosts.get(k) != self.name}
        renames = self._renames
        new, done, left = rewrite_hosts(text, variable, renames)
        if secret and (done or left):
            names = sorted({*done, *left})
            self.action(path, f"the value names {', '.join(names)}, which became "
                        f"{', '.join(renames[n.lower()] for n in names)}: it goes into a Secret; "
                        "the --secret-values file holds it rewritten",
                        "write the new name in a Secret's value you create yourself")
            return new
        if done:
            self.choice(path, "references rewritten: " + ", ".join(
                f"{old} → {renames[old.lower()]}" for old in done))
        if left:
            self.action(path, f"names {', '.join(left)} where it cannot be rewritten safely; "
                        f"the component is {', '.join(renames[n] for n in left)}",
                        "write the new name here")
        return new

    def _own_host_is_localhost(self, command: list[str]) -> list[str]:
        """A healthcheck calling the service by its own Compose name (curl http://web:8000)
        reaches the container through the Service, which has no ready endpoint until the probe
        passes: the probe calls localhost instead."""
        names = self.ctx.network.own_names(self.name) | (
            {self.svc.hostname.lower()} if self.svc.hostname else set())
        if not names or not any(n in word.lower() for n in names for word in command):
            return command
        pattern = re.compile(r"(?<![\w.@-])(" + "|".join(re.escape(n) for n in sorted(names))
                             + r")(?=[:/'\"\s]|$)", re.I)
        rewritten = [pattern.sub("localhost", word) for word in command]
        if rewritten != command:
            found = sorted({m.group(1) for w in command for m in pattern.finditer(w)})
            self.choice(("healthcheck", "test"), f"the healthcheck calls the service's own name "
                        f"{', '.join(found)}: the probe calls localhost (the pod is not behind "
                        "its Service until the probe passes)")
        return rewritten

    def _unshipped_bind(self, command: list[str]) -> tuple[str, str] | None:
        """(host source, container target) of a bind mount that is not converted and whose files
        the command runs."""
        line = " ".join(command)
        for volume in self.svc.volumes or []:
            if isinstance(volume, spec.VolumeLong):
                if volume.type != "bind" or volume.target is None:
                    continue
                source, target = volume.source or "", volume.target
            else:
                parts = _volume_parts(volume)
                if len(parts) < 2 or not _is_bind(parts[0]):
                    continue
                source, target = parts[0], parts[1]
            if target in self.x.configFiles:
                continue
            stem = target.rstrip("/")
            if stem and re.search(rf"(^|[\s'\"=]){re.escape(stem)}(/|\s|$)", line):
                return source, stem
        return None

    def kompose_probes(self) -> None:
        """kompose's probe labels replace the probe the healthcheck gave (kompose reads its
        readiness probe only from labels)."""
        if not self.kompose.probes:
            return
        probes = self.container.setdefault("probes", {})
        for kind, probe in self.kompose.probes.items():
            if "exec" in probe:
                probe = {**probe, "exec": {"command": [
                    escape_kubernetes(c) for c in probe["exec"]["command"]]}}
            probes[kind] = probe

    # --- security -------------------------------------------------------------------------------

    def security(self) -> None:
        svc = self.svc
        ctx: dict[str, Any] = {}
        user = svc.user
        profile = "baseline"
        reason = "the service declares no user, so it may run as root"
        if user is not None:
            self.use("user")
            uid_text, _, gid_text = user.partition(":")
            uid = decimal(uid_text)
            gid = decimal(gid_text)
            for number in (uid, gid):
                if number is not None and number > INT32_MAX:
                    raise self.fail(("user",), f"user {user!r}: {number} is above {INT32_MAX}, "
                                    "the largest uid or gid Kubernetes accepts",
                                    "use a uid and gid the image knows")
            if uid is not None:
                ctx["runAsUser"] = uid
                if uid == 0:
                    reason = "the service runs as root (user 0)"
                else:
                    profile = "restricted"
                    reason = f"the service declares the non-root user {uid}"
            elif uid_text == "root":
                reason = "the service runs as root"
            else:
                reason = (f"user {uid_text!r} is a name; Kubernetes can only check a numeric uid "
                          "is not root")
            if gid is not None:
                ctx["runAsGroup"] = gid
            elif gid_text:
                self.choice(("user",), f"group {gid_text!r} is a name and is not set; write "
                            "a numeric gid to set it")
        caps_add = [c.upper().removeprefix("CAP_") for c in svc.cap_add or []]
        for key in ("cap_add", "cap_drop"):
            if getattr(svc, key) is not None:
                self.use(key)
        if profile == "restricted" and any(c != "NET_BIND_SERVICE" for c in caps_add):
            profile = "baseline"
            reason += ", but adds capabilities the restricted profile forbids"
        if self.x.securityProfile is not None:
            profile = self.x.securityProfile
            reason = "x-svcgen.securityProfile chooses it"
        hint = "" if profile == "restricted" else (
            "declare a numeric non-root user (user: \"1000\") for the restricted profile")
        self.choice(("user",) if user is not None else (),
                    f"security profile {profile}: {reason}", hint)
        self.component["securityProfile"] = profile
        if svc.read_only is not None:
            self.use("read_only")
        if svc.read_only:
            ctx["readOnlyRootFilesystem"] = True
        elif profile == "restricted":
            ctx["readOnlyRootFilesystem"] = False
            self.choice(("read_only",) if svc.read_only is not None else (),
                        "root filesystem stays writable as under Compose",
                        "set read_only: true if the service writes only to its volumes and /tmp")
        if caps_add:
            self.use("cap_add")
            allowed = [c for c in caps_add
                       if c in BASELINE_CAPS and (profile == "baseline" or c == "NET_BIND_SERVICE")]
            for j, cap in enumerate(caps_add):
                if cap not in allowed:
                    self.skip(("cap_add", j), f"capability {cap} is not allowed under the "
                              f"{profile} profile", "drop the need for it, or run the service "
                              "outside this chart")
            if allowed:
                ctx.setdefault("capabilities", {})["add"] = allowed
        if svc.cap_drop:
            self.use("cap_drop")
            drops = [c.upper().removeprefix("CAP_") for c in svc.cap_drop]
            if profile == "restricted":
                self.choice(("cap_drop",), "the restricted profile drops every capability "
                            "already")
            else:
                ctx.setdefault("capabilities", {})["drop"] = drops
        if ctx:
            self.container["securityContext"] = ctx

    # --- the rest -------------------------------------------------------------------------------

    def misc(self) -> None:
        svc = self.svc
        if svc.deploy is not None:
            d = svc.deploy
            if d.replicas is not None and self.kind in UNREPLICATED_KINDS:
                if "completions" not in self.job:
                    self.skip(("deploy", "replicas"),
                              f"a {self.kind} runs no number of replicas", "remove it")
                self.use("deploy", "replicas")
            elif d.replicas is not None:
                self.use("deploy", "replicas")
                self.component["replicas"] = d.replicas
            if d.update_config is not None:
                self.skip(("deploy", "update_config"), "rollouts are zero-downtime by default "
                          "(maxUnavailable 0, maxSurge 1)", "tune strategy through x-svcgen.values")
            if d.placement is not None:
                self.skip(("deploy", "placement"), "placement constraints are node selection",
                          "set nodeSelector or affinity through x-svcgen.values")
        if svc.scale is not None and self.kind in UNREPLICATED_KINDS:
            self.skip(("scale",), f"a {self.kind} runs no number of replicas", "remove it")
        elif svc.scale is not None:
            if self.component.get("replicas", svc.scale) != svc.scale:
                raise self.fail(("scale",), f"scale {svc.scale} and deploy.replicas "
                                f"{self.component['replicas']} differ",
                                "keep one of them, as docker compose refuses distinct values")
            self.use("scale")
            self.component["replicas"] = svc.scale
        if svc.hostname is not None:
            if DNS1123_LABEL.match(svc.hostname) and len(svc.hostname) <= 63:
                self.use("hostname")
                self.component["hostname"] = svc.hostname
            else:
                self.skip(("hostname",), f"{svc.hostname!r} is not a DNS label",
                          "use lowercase letters, digits and '-'")
        if svc.stop_grace_period is not None:
            self.use("stop_grace_period")
            self.component["terminationGracePeriodSeconds"] = self._seconds(
                ("stop_grace_period",), svc.stop_grace_period, 0)
        if svc.extra_hosts is not None:
            self.use("extra_hosts")
            mapping = as_mapping(svc.extra_hosts, "extra_hosts")
            aliases: dict[str, list[str]] = {}
            for host, ip in mapping.items():
                ips = ip if isinstance(ip, list) else [ip]
                for address in ips:
                    address = str(address).strip("[]")
                    if address == "host-gateway" or not address:
                        self.skip(("extra_hosts", host), "host-gateway (the Docker host) has no "
                                  "address in a cluster", "use the address of the service")
                        continue
                    aliases.setdefault(address, []).append(host)
            if aliases:
                self.component["hostAliases"] = aliases
        if svc.stdin_open is not None:
            self.use("stdin_open")
            self.container["stdin"] = svc.stdin_open
        if svc.tty is not None:
            self.use("tty")
            self.container["tty"] = svc.tty
        labels: dict[str, str] = {}
        annotations: dict[str, str] = {}
        for key in ("labels", "annotations"):
            value = getattr(svc, key)
            if value is None:
                continue
            self.use(key)
            for name, text in as_mapping(value, key).items():
                text = "" if text is None else _env_text(text)
                name = str(name)
                if key == "labels" and name.startswith(KOMPOSE_PREFIX):
                    continue  # instructions to a converter, read by read_kompose
                if key == "labels" and "ingress" in self.component and (
                        TRAEFIK_ROUTER.match(name) or TRAEFIK_PORT.match(name)):
                    continue  # the routes, read by traefik_routes
                if name.startswith(SCRAPE_PREFIX):
                    self.scrape_labels[name] = (text, (key, name))
                elif key == "labels" and LABEL_KEY.match(name) and LABEL_VALUE.match(text) and len(
                        name.rsplit("/", 1)[-1]) <= 63:
                    labels[name] = text
                elif LABEL_KEY.match(name) and len(name) <= 316:
                    annotations[name] = text
                    if key == "labels":
                        self.choice((key, name), f"label {name} is not a valid Kubernetes label "
                                    "value; kept as an annotation")
                else:
                    self.skip((key, name), f"{name!r} is not a valid Kubernetes label or "
                              "annotation key", "use a qualified name like example.com/key")
        if labels:
            self.component["labels"] = labels
        if annotations:
            self.component["annotations"] = annotations

    # --- the workload kind ----------------------------------------------------------------------

    def _restart(self) -> tuple[str, int | None, tuple[str | int, ...]] | None:
        """How Compose restarts the container: ("no" | "on-failure" | "always", the most
        attempts, where it was written), or None when nothing says. deploy.restart_policy wins
        over `restart`, as it does in docker compose."""
        svc = self.svc
        policy = svc.deploy.restart_policy if svc.deploy is not None else None
        if policy is not None:
            fields = policy.model_extra or {}
            condition = str(fields.get("condition") or "any")
            mode = {"none": "no", "on-failure": "on-failure", "any": "always"}.get(condition)
            if mode is None:
                raise self.fail(("deploy", "restart_policy", "condition"),
                                f"unknown restart condition {condition!r}",
                                "use none, on-failure or any")
            attempts = fields.get("max_attempts")
            number = None
            if attempts is not None:
                if not str(attempts).isdigit():
                    raise self.fail(("deploy", "restart_policy", "max_attempts"),
                                    f"max_attempts {attempts!r} is not a whole number",
                                    "write a number such as 3")
                number = int(str(attempts))
            for key in ("delay", "window"):
                if key in fields:
                    self.skip(("deploy", "restart_policy", key), "Kubernetes retries a failed "
                              "pod with its own back-off (10 s doubling up to 6 min)",
                              "nothing to do")
            self.use("deploy", "restart_policy", "condition")
            self.use("deploy", "restart_policy", "max_attempts")
            if svc.restart is not None:
                self.choice(("restart",), "restart is superseded by deploy.restart_policy, as "
                            "in docker compose")
                self.use("restart")
            return mode, number, ("deploy", "restart_policy")
        if svc.restart is None:
            return None
        value, _, count = str(svc.restart).partition(":")
        self.use("restart")
        if value == "on-failure":
            if count and not count.isdigit():
                raise self.fail(("restart",), f"restart {svc.restart!r}: {count!r} is not a "
                                "number of retries", "write on-failure or on-failure:3")
            return "on-failure", int(count) if count else None, ("restart",)
        if value in ("no", "always", "unless-stopped"):
            return ("no" if value == "no" else "always"), None, ("restart",)
        raise self.fail(("restart",), f"unknown restart policy {svc.restart!r}",
                        "use no, always, on-failure[:N] or unless-stopped")

    def _serving(self) -> str:
        """Why the service looks long-running (it publishes ports, has a healthcheck, or other
        services call it), in words; empty when nothing says so."""
        svc = self.svc
        signs = []
        if svc.ports or svc.expose:
            signs.append("publishes ports")
        if svc.healthcheck is not None and not (svc.healthcheck.disable or (
                svc.healthcheck.test and svc.healthcheck.test[0] == "NONE")):
            signs.append("has a healthcheck")
        callers = self.ctx.called.get(self.name)
        if callers:
            signs.append(f"is called by {', '.join(callers)}")
        return " and ".join(signs)

    def workload(self) -> None:
        """The kind of workload the service becomes: a schedule (x-svcgen.schedule) → CronJob;
        a task others wait for (service_completed_successfully), one that Compose does not
        restart once it succeeded (restart "no" or on-failure, deploy.restart_policy none or
        on-failure) or a replicated-job → Job; deploy.mode global → DaemonSet. Otherwise
        assemble picks a Deployment, or a StatefulSet for named volumes."""
        svc, x = self.svc, self.x
        deploy = svc.deploy
        mode = deploy.mode if deploy is not None else None
        restart = self._restart()
        awaited = self.ctx.awaited.get(self.name, [])
        if x.kind is not None:
            self.kind = x.kind
            self.choice(("x-svcgen", "kind"), f"kind {x.kind} set by x-svcgen.kind")
        elif x.schedule is not None:
            self.kind = "CronJob"
            self.choice(("x-svcgen", "schedule"), f"runs on the schedule {x.schedule!r} → a "
                        "CronJob (a run still going when the next is due is skipped)")
        elif awaited or mode == "replicated-job":
            self.kind = "Job"
        elif restart is not None and restart[0] != "always":
            word = "no" if restart[0] == "no" else "on-failure"
            serving = self._serving()
            if serving:
                self.choice(restart[2], f"restart {word}, but the service {serving}: a "
                            "long-running service, so not a Job",
                            "set x-svcgen.kind: Job if it is a task that ends")
                restart = (restart[0], None, restart[2])
            else:
                self.kind = "Job"
                self.choice(restart[2], f"restart {word}: Compose does not run it again once "
                            "it succeeded → a Job",
                            "set x-svcgen.kind: Deployment if it is a long-running service")
        elif mode == "global":
            self.kind = "DaemonSet"
            self.choice(("deploy", "mode"), "mode global (one container per node) → a DaemonSet")
        if mode is not None:
            self.use("deploy", "mode")
            if mode not in ("replicated", "global", "replicated-job"):
                self.skip(("deploy", "mode"), f"mode {mode} has no equivalent", "remove it")
            elif mode == "global" and self.kind != "DaemonSet":
                self.skip(("deploy", "mode"), f"mode global does not apply to a {self.kind}",
                          "remove it")
        if x.timeZone is not None and self.kind != "CronJob":
            raise self.fail(("x-svcgen", "timeZone"), "a time zone needs x-svcgen.schedule",
                            "add x-svcgen.schedule, or remove timeZone")
        if self.kind not in RUN_ONCE_KINDS:
            if restart is not None and restart[1] is not None:
                self.skip((*restart[2], "max_attempts"), f"a {self.kind or 'Deployment'} "
                          "always restarts its containers", "nothing to do")
            elif restart is not None and restart[2] == ("restart",) and restart[0] == "always":
                self.choice(("restart",), f"restart {svc.restart}: Kubernetes restarts the "
                            f"containers of a {self.kind or 'Deployment or StatefulSet'} "
                            "whenever they stop")
            return
        if self.kind == "CronJob":
            self.cron = {"schedule": x.schedule} if x.schedule is not None else {}
            if x.timeZone is not None:
                self.cron["timeZone"] = x.timeZone
            if x.schedule is None:
                raise self.fail(("x-svcgen",), "a CronJob needs x-svcgen.schedule",
                                'add x-svcgen.schedule, such as "30 2 * * *"')
        job = self.job
        if restart is None or restart[0] == "always":
            job["restartPolicy"] = "OnFailure"
            if restart is not None:
                self.choice(restart[2], f"restart always does not fit a {self.kind}: it runs to "
                            "completion; a failed container is restarted (restartPolicy "
                            "OnFailure)")
        elif restart[0] == "no":
            job["restartPolicy"] = "Never"
            job["backoffLimit"] = 0
        else:
            job["restartPolicy"] = "OnFailure"
            if restart[1] is not None:
                job["backoffLimit"] = restart[1]
            else:
                self.choice(restart[2], "on-failure without a limit: the Job gives up after "
                            "Kubernetes' 6 retries", "write on-failure:N to choose the limit")
        if mode == "replicated-job" and deploy is not None and deploy.replicas is not None:
            job["completions"] = deploy.replicas

    def assemble(self) -> dict[str, Any]:
        # first: a metrics port that is not published is declared as a container port
        metrics = self._metrics()
        container = self.container
        if self.ports:
            container["ports"] = self.ports
        if self.mounts:
            container["volumeMounts"] = self.mounts
        component = self.component
        persistent = any("size" in v for v in self.volumes.values())
        kind = self.kind or ("StatefulSet" if persistent else "Deployment")
        component["kind"] = kind
        self.component_set = set(component)
        if kind in ("Deployment", "StatefulSet"):
            component.setdefault("replicas", 1)
        component["containers"] = {CONTAINER: container}
        kompose = self.kompose
        run_once = kind in RUN_ONCE_KINDS
        if self.service_ports and run_once:
            self.choice(("ports",) if self.svc.ports else ("expose",),
                        f"a {kind}'s pods come and go, so it gets no Service: its ports stay "
                        "container ports")
        elif self.service_ports:
            service: dict[str, Any] = {"ports": self.service_ports}
            service_type = self.x.serviceType or kompose.service_type
            if service_type:
                service["type"] = service_type
            if kompose.node_port is not None:
                self._node_port(service)
            component["service"] = service
        elif kompose.service_type or kompose.node_port:
            self.skip(("labels",), "kompose Service labels on a service that publishes no port",
                      "add ports, or remove the labels")
        for key, setting in (("ingress", self.x.ingress), ("route", self.x.route),
                             ("serviceType", self.x.serviceType)):
            if setting is not None and run_once:
                raise self.fail(("x-svcgen", key), f"a {kind} has no Service to route to",
                                f"remove x-svcgen.{key}, or make the service long-running")
        if run_once and kompose.expose is not None:
            raise self.fail(("labels", "kompose.service.expose"), f"a {kind} has no Service "
                            "to route to", "remove the label, or make the service long-running")
        if self.x.scaling is not None and kind not in ("Deployment", "StatefulSet"):
            raise self.fail(("x-svcgen", "scaling"), f"a {kind} is not autoscaled",
                            "remove x-svcgen.scaling")
        if run_once:
            if kind == "Job" and self.ctx.awaited.get(self.name):
                self.job["hook"] = self._hook(persistent)
            component["job"] = self.job
        if kind == "CronJob":
            component["cronJob"] = self.cron
        if self.x.ingress is not None and self.x.route is not None:
            raise self.fail(("x-svcgen", "route"), "x-svcgen.ingress and x-svcgen.route both "
                            "describe the exposure", "keep one; `ingress.exposure: both` renders "
                            "an Ingress and routes")
        if self.x.ingress is not None:
            component["ingress"] = self._ingress(self.x.ingress)
        elif self.x.route is not None:
            component["ingress"] = self._ingress(self.x.route, ("x-svcgen", "route"))
            component["ingress"].setdefault("exposure", "gateway")
        elif kompose.expose is not None:
            component["ingress"] = self._kompose_ingress()
        elif "ingress" in self.component:
            component["ingress"] = self.component.pop("ingress")
        if kompose.pod_security:
            component["podSecurityContext"] = kompose.pod_security
        if kompose.service_account:
            component["serviceAccount"] = {"name": kompose.service_account}
        wanted = self.x.scaling if self.x.scaling is not None else (kompose.scaling or None)
        if wanted is not None and kind not in ("Deployment", "StatefulSet"):
            self.skip(("labels",), f"kompose autoscaling labels on a {kind}, which is not "
                      "autoscaled", "remove the labels")
        elif wanted is not None:
            # the autoscaler owns the replica count; a Compose replica count becomes its floor
            scaling = dict(wanted)
            replicas = component.pop("replicas")
            if "replicas" in self.component_set and "minReplicas" not in scaling:
                scaling["minReplicas"] = replicas
                self.choice(("deploy", "replicas"), f"replicas {replicas} → scaling.minReplicas "
                            "(x-svcgen.scaling decides the replica count)")
            component["scaling"] = scaling
        if self.volumes:
            component["volumes"] = self.volumes
        if metrics is not None:
            component["metrics"] = metrics
        return component

    def _node_port(self, service: dict[str, Any]) -> None:
        path = ("labels", "kompose.service.nodeport.port")
        if service.get("type") not in ("NodePort", "LoadBalancer"):
            self.skip(path, "a node port needs a NodePort or LoadBalancer Service",
                      "add kompose.service.type: nodeport")
        elif len(self.service_ports) != 1:
            self.skip(path, "one node port for a Service of several ports",
                      "set nodePort per port through x-svcgen.values")
        else:
            next(iter(self.service_ports.values()))["nodePort"] = self.kompose.node_port

    def _kompose_ingress(self) -> dict[str, Any]:
        """kompose.service.expose: ``true`` (the default host) or ``host[/path],…``."""
        path = ("labels", "kompose.service.expose")
        if not self.service_ports:
            raise self.fail(path, "an ingress needs a port, and this service publishes none",
                            "add ports or expose to the service")
        port = next(iter(self.service_ports))
        ingress: dict[str, Any] = {}
        if self.kompose.ingress_class:
            ingress["className"] = self.kompose.ingress_class
        hosts: dict[str, Any] = {}
        for entry in self.kompose.expose or []:
            host, slash, rest = entry.partition("/")
            hosts.setdefault(host, {"paths": {}})["paths"][f"/{rest}" if slash else "/"] = {
                "port": port}
        if hosts:
            ingress["hosts"] = hosts
        else:
            self.action(path, f"kompose.service.expose true → ingress on {self.id}."
                        "<global.domain>", "set global.domain (x-svcgen.global.domain)")
        if self.kompose.tls_secret:
            ingress["tls"] = {"secretName": self.kompose.tls_secret}
        return ingress

    def _hook(self, persistent: bool) -> dict[str, Any]:
        """The Helm hook of a task others wait for: before every upgrade rolls out their new
        version (pre-upgrade), and on the first install as early as what it needs allows: before
        anything else (pre-install) when it needs nothing of the release, else right after the
        release's objects are created (post-install)."""
        callers = self.ctx.awaited[self.name]
        waiting = f"{', '.join(callers)} {'waits' if len(callers) == 1 else 'wait'}"
        needs = [f"component {d}" for d in self.dependencies]
        if persistent:
            needs.append("its persistent volumes")
        first = "post-install" if needs else "pre-install"
        why = (f"on the first install right after the release's objects are created, since it "
               f"needs {' and '.join(needs)} (post-install)" if needs else
               "on the first install before anything else, since it needs nothing of the "
               "release (pre-install)")
        self.choice((), f"{waiting} for {self.name} to complete "
                    f"(service_completed_successfully) → a Job that Helm runs as a hook before "
                    f"every upgrade rolls out the new version (pre-upgrade), and {why}",
                    "a dependent that starts before it has run must retry until it has" if needs
                    else "")
        return {"phases": [first, "pre-upgrade"]}

    def _ingress(self, x: spec.XIngress,
                 path: tuple[str | int, ...] = ("x-svcgen", "ingress")) -> dict[str, Any]:
        if not self.service_ports:
            raise self.fail(path, "an ingress needs a port, and this service publishes none",
                            "add ports or expose to the service")
        port: str | int
        if x.port is None:
            port = next(iter(self.service_ports))
        elif isinstance(x.port, int) or decimal(str(x.port)) is not None:
            wanted = int(x.port)
            found = [n for n, p in self.service_ports.items()
                     if p["port"] == wanted or self.published.get(wanted) == n]
            if not found:
                known = sorted(p["port"] for p in self.service_ports.values())
                raise self.fail((*path, "port"), f"no published port {wanted}",
                                f"use one of {known}")
            port = found[0]
        else:
            port = str(x.port)
            if port not in self.service_ports:
                raise self.fail((*path, "port"), f"no Service port named {port!r}",
                                f"use one of {sorted(self.service_ports)}")
        hosts = [*([x.host] if x.host else []), *x.hosts]
        ingress: dict[str, Any] = {}
        if x.className:
            ingress["className"] = x.className
        entry: dict[str, Any] = {"port": port}
        for key in ROUTE_PATH_KEYS:
            if getattr(x, key) is not None:
                entry[key] = getattr(x, key)
        ingress["hosts"] = {h: {"paths": {x.path: dict(entry)}} for h in hosts}
        for key in ("exposure", "gateway", "httpsRedirect", "throughInterceptor"):
            if getattr(x, key) is not None:
                ingress[key] = getattr(x, key)
        if x.tls is True:
            ingress["tls"] = {"enabled": True}
        elif isinstance(x.tls, dict):
            ingress["tls"] = x.tls
        if x.annotations:
            ingress["annotations"] = x.annotations
        return ingress


    # --- metrics ----------------------------------------------------------------------------------

    def _metrics(self) -> dict[str, Any] | None:
        """``x-svcgen.metrics``, over what the conventional prometheus.io labels say."""
        declared = scrape_annotations({k: v for k, (v, _) in self.scrape_labels.items()})
        where = {k: path for k, (_, path) in self.scrape_labels.items()}
        metrics: dict[str, Any] = {}
        origin: tuple[str | int, ...] = ()
        if declared is not None and not declared.scrape:
            for path in where.values():
                self.choice(path, f"{SCRAPE_PREFIX}* labels without {SCRAPE_PREFIX}scrape: "
                            "\"true\" declare no metrics; not converted")
        elif declared is not None:
            origin = where[f"{SCRAPE_PREFIX}scrape"]
            self.choice(origin, f"{SCRAPE_PREFIX}* labels → metrics (scraped as global.metrics "
                        "chooses)")
            for key in declared.unknown:
                self.choice(where[key], f"{key} has no counterpart in `metrics`; not converted")
            metrics.update(declared.fields)
            if "port" in declared.fields:
                origin = where[f"{SCRAPE_PREFIX}port"]
        if self.x.metrics is not None:
            metrics.update(self.x.metrics)
            if "port" in self.x.metrics:
                origin = ("x-svcgen", "metrics", "port")
        elif not (declared and declared.scrape):
            return None
        metrics["port"] = self._metrics_port(origin, metrics.get("port"))
        return metrics

    def _metrics_port(self, path: tuple[str | int, ...], port: Any) -> str:
        """The container port name the metrics are served on."""
        if port is None:
            tcp = [n for n, p in self.ports.items() if p.get("protocol", "TCP") == "TCP"]
            if not tcp:
                raise self.fail(path, "metrics are declared, but the service has no TCP port to "
                                "scrape", "name the port: prometheus.io/port or "
                                "x-svcgen.metrics.port")
            self.choice(path, f"no metrics port given; the first port `{tcp[0]}` is scraped")
            return tcp[0]
        text = str(port)
        number = decimal(text)
        if number is None:
            if text not in self.ports:
                raise self.fail(path, f"metrics port {text!r} is not a port of the service",
                                f"use a port number, or one of: {', '.join(sorted(self.ports))}")
            return text
        self._check_port(path, number)
        name, added = metrics_port(self.ports, number)
        if added:
            self.choice(path, f"metrics port {text} is not published; declared as container "
                        f"port `{name}` (scraped from the pods, not through the Service)")
        return name


def named_volumes(service: spec.Service, defs: Mapping[str, spec.VolumeDef | None]) -> list[str]:
    """The top-level named volumes a service mounts that the project creates (not external)."""
    found: list[str] = []
    for item in service.volumes or []:
        if isinstance(item, spec.VolumeLong):
            source = item.source if item.type == "volume" else None
        else:
            parts = _volume_parts(item)
            source = parts[0] if len(parts) > 1 and not _is_bind(parts[0]) else None
        if not source or source not in defs or source in found:
            continue
        d = defs[source] or spec.VolumeDef()
        if not (d.external is True or isinstance(d.external, spec.External)):
            found.append(source)
    return found


def _file_target(kind: str, ref: spec.FileRef) -> str:
    """Where Compose mounts a secret (``/run/secrets/<name>``) or a config (``/<name>``)."""
    target = ref.target or ref.source
    return target if target.startswith("/") else (
        f"{'/run/secrets' if kind == 'secrets' else ''}/{target}")


def _volume_parts(text: str) -> list[str]:
    """``SOURCE:TARGET[:OPTIONS]`` split; a Windows drive letter (C:\\data:/data) stays in the
    source."""
    parts = text.split(":")
    if len(parts) > 2 and len(parts[0]) == 1 and parts[1].startswith("\\"):
        parts = [f"{parts[0]}:{parts[1]}", *parts[2:]]
    return parts


def _is_bind(source: str) -> bool:
    return source.startswith((".", "/", "~", "$")) or "\\" in source or (
        len(source) > 1 and source[1] == ":")


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


#: Component keys the Compose reader decides; ``svcgen values`` replaces them when it updates a
#: values file in place. Paths are relative to the component; ``containers.app`` keys likewise.
OWNED_COMPONENT_KEYS = ("kind", "replicas", "job", "cronJob", "securityProfile", "volumes",
                        "upstreams", "whitelists", "labels", "annotations", "hostname",
                        "hostAliases", "terminationGracePeriodSeconds")
OWNED_CONTAINER_KEYS = ("image", "command", "args", "workingDir", "ports", "env", "secretEnv",
                        "resources", "probes", "volumeMounts", "securityContext", "stdin", "tty")
OWNED_SERVICE_KEYS = ("ports",)


def finish_peers(components: dict[str, dict[str, Any]],
                 dependencies: dict[str, list[str]]) -> None:
    """depends_on → upstreams on the dependent, and the dependent on the dependency's whitelist."""
    callers: dict[str, list[str]] = {}
    for cid, deps in dependencies.items():
        if deps:
            components[cid]["upstreams"] = [{"component": d} for d in deps]
        for d in deps:
            callers.setdefault(d, []).append(cid)
    for cid, who in callers.items():
        components[cid]["whitelists"] = [{"component": c} for c in who]

