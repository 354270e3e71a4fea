"""Our model of the Compose specification (https://github.com/compose-spec/compose-spec).

Every key the specification defines is known here, so a misspelt key is an error with a
suggestion, while a known key the chart cannot express is reported by :mod:`.mapping` with its
reason. Fields that are converted are typed precisely; the others are typed loosely (``Any``)
because their only use is to be reported. ``x-*`` extension fields are accepted everywhere the
specification allows them and ignored, except ``x-svcgen`` (see :class:`XService`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from svcgen.diagnostics import Diagnostic, SvcgenError, dotted_path
from svcgen.readers.compose.loader import Path_
from svcgen.readers.compose.units import INT32_MAX

#: path in the merged document → (file, line, column)
LocateFn = Callable[[Path_], tuple[str, int, int]]
Scalar = str | int | float | bool | None
StrList = list[str]
MapOrList = dict[str, Scalar] | list[str]


class Spec(BaseModel):
    """Unknown keys are errors; ``x-*`` keys are extensions and pass (``x-svcgen`` is read)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, coerce_numbers_to_str=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_extensions(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items()
                    if not (isinstance(k, str) and k.startswith("x-") and k != "x-svcgen")}
        return data


class Loose(Spec):
    """A mapping whose content is only reported, not converted."""

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)


# --- x-svcgen: chart-only settings carried by the Compose file ------------------------------------


class XSpec(Spec):
    """Chart settings keep their types: ``minReplicas: 2`` stays a number."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, coerce_numbers_to_str=False)


class XIngress(XSpec):
    host: str | None = None
    hosts: list[str] = Field(default_factory=list)
    path: str = "/"
    port: int | str | None = None
    className: str | None = None
    tls: bool | dict[str, Any] | None = None
    annotations: dict[str, str] = Field(default_factory=dict)
    # How it renders, and what Gateway API routes can say beyond an Ingress (the chart's
    # `ingress` and path fields of the same names; the values model checks them).
    exposure: Literal["ingress", "gateway", "both"] | None = None
    gateway: dict[str, Any] | None = None
    httpsRedirect: bool | None = None
    throughInterceptor: bool | None = None
    pathType: str | None = None
    protocol: str | None = None
    method: str | None = None
    headers: dict[str, Any] | None = None
    weight: int | None = None
    backends: dict[str, Any] | None = None
    requestHeaders: dict[str, Any] | None = None
    responseHeaders: dict[str, Any] | None = None
    redirect: dict[str, Any] | None = None
    timeouts: dict[str, Any] | None = None


class XService(XSpec):
    """``services.<name>.x-svcgen``."""

    component: str | None = None
    kind: Literal["Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet"] | None = None
    schedule: str | None = None
    timeZone: str | None = None
    ingress: XIngress | None = None
    #: ``x-svcgen.route``: the same as ``ingress``, rendered as Gateway API routes.
    route: XIngress | None = None
    scaling: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    securityProfile: Literal["restricted", "baseline"] | None = None
    serviceType: Literal["ClusterIP", "NodePort", "LoadBalancer", "Headless"] | None = None
    configFiles: list[str] = Field(default_factory=list)
    plainEnv: list[str] = Field(default_factory=list)
    secretEnv: list[str] = Field(default_factory=list)
    secretName: str | None = None
    #: Container ports the Service answers on besides those ports/expose and callers name.
    ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(default_factory=list)
    values: dict[str, Any] = Field(default_factory=dict)


class XVolume(XSpec):
    """``volumes.<name>.x-svcgen``."""

    size: str | int | None = None
    storageClassName: str | None = None
    accessModes: list[str] | None = None


class XTop(XSpec):
    """Top-level ``x-svcgen``."""

    volumeSize: str | None = None
    global_: dict[str, Any] = Field(default_factory=dict, alias="global")


# --- services ------------------------------------------------------------------------------------


class PortLong(Spec):
    target: int
    published: str | None = None
    host_ip: str | None = None
    protocol: str | None = None
    app_protocol: str | None = None
    mode: str | None = None
    name: str | None = None


class EnvFileLong(Spec):
    path: str
    required: bool = True
    format: str | None = None


class VolumeBind(Loose):
    pass


class VolumeOpts(Spec):
    nocopy: bool | None = None
    subpath: str | None = None


class TmpfsOpts(Spec):
    size: str | None = None
    mode: str | None = None


class VolumeLong(Spec):
    type: Literal["volume", "bind", "tmpfs", "npipe", "cluster", "image"]
    source: str | None = None
    target: str | None = None
    read_only: bool | None = None
    consistency: str | None = None
    bind: VolumeBind | None = None
    volume: VolumeOpts | None = None
    tmpfs: TmpfsOpts | None = None
    image: Loose | None = None


class FileRef(Spec):
    source: str
    target: str | None = None
    uid: str | None = None
    gid: str | None = None
    mode: str | None = None


class Healthcheck(Spec):
    test: str | StrList | None = None
    interval: str | None = None
    timeout: str | None = None
    retries: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = None
    start_period: str | None = None
    start_interval: str | None = None
    disable: bool | None = None


class Device(Loose):
    pass


class ResourceSet(Spec):
    cpus: str | None = None
    memory: str | None = None
    pids: int | None = None
    devices: list[Device] | None = None
    generic_resources: list[Any] | None = None


class DeployResources(Spec):
    limits: ResourceSet | None = None
    reservations: ResourceSet | None = None


class Deploy(Spec):
    mode: str | None = None
    replicas: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = None
    labels: MapOrList | None = None
    endpoint_mode: str | None = None
    resources: DeployResources | None = None
    restart_policy: Loose | None = None
    update_config: Loose | None = None
    rollback_config: Loose | None = None
    placement: Loose | None = None


class DependsOnLong(Spec):
    condition: Literal["service_started", "service_healthy",
                       "service_completed_successfully"] = "service_started"
    restart: bool | None = None
    required: bool = True


class Hook(Spec):
    """One ``pre_start``, ``post_start`` or ``pre_stop`` hook."""

    command: str | StrList | None = None
    image: str | None = None
    user: str | None = None
    privileged: bool | str | None = None
    working_dir: str | None = None
    environment: MapOrList | None = None
    per_replica: bool | str | None = None


class Provider(Spec):
    """A service run by a provider plugin (``docker model``, a cloud service) instead of a
    container."""

    type: str
    options: dict[str, Any] | None = None


class Extends(Spec):
    service: str
    file: str | None = None


class Service(Spec):
    """One entry of ``services``."""

    # converted
    image: str | None = None
    build: str | Loose | None = None
    command: str | StrList | None = None
    entrypoint: str | StrList | None = None
    environment: MapOrList | None = None
    env_file: str | list[str | EnvFileLong] | None = None
    ports: list[int | str | PortLong] | None = None
    expose: list[int | str] | None = None
    volumes: list[str | VolumeLong] | None = None
    tmpfs: str | StrList | None = None
    secrets: list[str | FileRef] | None = None
    configs: list[str | FileRef] | None = None
    healthcheck: Healthcheck | None = None
    deploy: Deploy | None = None
    depends_on: StrList | dict[str, DependsOnLong] | None = None
    links: StrList | None = None
    labels: MapOrList | None = None
    annotations: MapOrList | None = None
    extra_hosts: StrList | dict[str, str | StrList] | None = None
    user: str | None = None
    working_dir: str | None = None
    hostname: str | None = None
    stop_grace_period: str | None = None
    read_only: bool | None = None
    stdin_open: bool | None = None
    tty: bool | None = None
    cap_add: StrList | None = None
    cap_drop: StrList | None = None
    privileged: bool | None = None
    profiles: StrList | None = None
    pull_policy: str | None = None
    mem_limit: str | None = None
    mem_reservation: str | None = None
    cpus: str | None = None
    scale: Annotated[int, Field(ge=0, le=INT32_MAX)] | None = None
    extends: str | Extends | None = None
    container_name: str | None = None
    restart: str | None = None
    pre_start: list[Hook] | None = None
    post_start: list[Hook] | None = None
    pre_stop: list[Hook] | None = None
    provider: Provider | None = None
    x_svcgen: XService | None = Field(None, alias="x-svcgen")
    # known, only reported
    attach: Any = None
    blkio_config: Any = None
    cgroup: Any = None
    cgroup_parent: Any = None
    cpu_count: Any = None
    cpu_percent: Any = None
    cpu_shares: Any = None
    cpu_quota: Any = None
    cpu_period: Any = None
    cpu_rt_period: Any = None
    cpu_rt_runtime: Any = None
    cpuset: Any = None
    credential_spec: Any = None
    develop: Any = None
    device_cgroup_rules: Any = None
    devices: Any = None
    dns: Any = None
    dns_opt: Any = None
    dns_search: Any = None
    domainname: Any = None
    external_links: Any = None
    gpus: Any = None
    group_add: Any = None
    init: Any = None
    ipc: Any = None
    isolation: Any = None
    label_file: Any = None
    logging: Any = None
    mac_address: Any = None
    mem_swappiness: Any = None
    memswap_limit: Any = None
    models: Any = None
    network_mode: Any = None
    networks: Any = None
    oom_kill_disable: Any = None
    oom_score_adj: Any = None
    pid: Any = None
    pids_limit: Any = None
    platform: Any = None
    runtime: Any = None
    security_opt: Any = None
    shm_size: Any = None
    stop_signal: Any = None
    storage_opt: Any = None
    sysctls: Any = None
    ulimits: Any = None
    use_api_socket: Any = None
    userns_mode: Any = None
    uts: Any = None
    volumes_from: Any = None


class External(Spec):
    name: str | None = None


class VolumeDef(Spec):
    name: str | None = None
    driver: str | None = None
    driver_opts: dict[str, Scalar] | None = None
    external: bool | External | None = None
    labels: MapOrList | None = None
    x_svcgen: XVolume | None = Field(None, alias="x-svcgen")


class FileDef(Spec):
    """A top-level ``secrets`` or ``configs`` entry."""

    name: str | None = None
    file: str | None = None
    environment: str | None = None
    content: str | None = None
    external: bool | External | None = None
    labels: MapOrList | None = None
    driver: str | None = None
    driver_opts: dict[str, Scalar] | None = None
    template_driver: str | None = None


#: Names of services, volumes, secrets and configs, as the specification allows them.
Name = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9._-]+$")]


class Project(Spec):
    """A whole (merged) Compose file."""

    version: str | None = None
    name: str | None = None
    include: list[Any] | None = None
    services: dict[Name, Service | None] = Field(default_factory=dict)
    networks: dict[str, Any] | None = None
    volumes: dict[Name, VolumeDef | None] = Field(default_factory=dict)
    secrets: dict[Name, FileDef | None] = Field(default_factory=dict)
    configs: dict[Name, FileDef | None] = Field(default_factory=dict)
    models: dict[str, Any] | None = None
    x_svcgen: XTop | None = Field(None, alias="x-svcgen")


# --- validation with positions -------------------------------------------------------------------


def validate_project(data: Any, locate: LocateFn) -> Project:
    """The merged document as a :class:`Project`; every error names file:line:column."""
    if not isinstance(data, dict):
        file, line, col = locate(())
        raise SvcgenError(Diagnostic(file=file, line=line, column=col, message=(
            "a Compose file is a mapping with a `services` key"),
            hint="start the file with `services:`"))
    try:
        return Project.model_validate(data)
    except ValidationError as exc:
        raise SvcgenError(*_diagnostics(exc, data, locate)) from None


def validate_part(model: type[Spec], data: Any, prefix: Path_, locate: LocateFn) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SvcgenError(*_diagnostics(exc, data, locate, prefix)) from None


def _diagnostics(exc: ValidationError, data: Any, locate: Any,
                 prefix: Path_ = ()) -> list[Diagnostic]:
    seen: dict[tuple[Path_, str], Diagnostic] = {}
    errors = exc.errors()
    # A union (`int | str | PortLong`) reports a failure per member; when the value is a mapping,
    # "not an integer" says nothing and the mapping member's own error is the useful one.
    structural = {_real_path(data, e["loc"], e["type"])[0][:-1]
                  for e in errors if e["type"] in ("extra_forbidden", "missing")}
    errors = [e for e in errors
              if not (e["type"] in _SCALAR_ERRORS and isinstance(e.get("input"), (dict, list))
                      and _real_path(data, e["loc"])[0] in structural)]
    for err in errors:
        path, _node = _real_path(data, err["loc"], err["type"])
        full = (*prefix, *path)
        where = dotted_path(full)
        kind = err["type"]
        if kind == "extra_forbidden":
            key = path[-1] if path else "?"
            parent = path[:-1]
            choices = _known_keys(data, parent)
            close = difflib.get_close_matches(str(key), choices, n=1)
            message = f"unknown key {key!r}"
            hint = (f"did you mean {close[0]!r}?" if close
                    else "remove it, or prefix it with x- to keep it as an extension")
        elif kind in ("missing",):
            message = f"required key {err['loc'][-1]!r} is missing"
            hint = "add it"
        elif "[key]" in err["loc"]:
            message = f"{where}: the name {err.get('input')!r} is not allowed"
            hint = "names use letters, digits, '.', '_' and '-'"
        else:
            msg = err["msg"]
            message = f"{where}: {msg[:1].lower()}{msg[1:]}, got {_shown(err.get('input'))}"
            hint = "see the Compose specification for this key"
        file, line, col = locate(full)
        diag = Diagnostic(file=file, line=line, column=col, path=where,
                          message=message, hint=hint)
        # union members produce one error each; keep the first per place
        seen.setdefault((full, "extra" if kind == "extra_forbidden" else "type"), diag)
    return sorted(seen.values(), key=lambda d: (d.file, d.line, d.column))[:50] or [
        Diagnostic(file=locate(prefix)[0], message="invalid Compose file")
    ]


_SCALAR_ERRORS = {"int_type", "int_parsing", "string_type", "float_type", "float_parsing",
                  "bool_type", "bool_parsing", "list_type", "dict_type", "literal_error"}


def _real_path(data: Any, loc: tuple[Any, ...], kind: str = "") -> tuple[Path_, Any]:
    """pydantic's ``loc`` with the union-member names taken out (an unknown or missing key, the
    last part, is kept)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if (isinstance(node, dict) and part in node) or in_list:
            node = node[part]
            path.append(part)
        elif part == "[key]":
            continue
        elif (kind in ("extra_forbidden", "missing") and isinstance(node, dict)
              and not isinstance(part, int) and part == loc[-1]):
            path.append(part)  # a missing or unknown key: still name it
    return tuple(path), node


def _known_keys(data: Any, parent: Path_) -> list[str]:
    """The keys the specification allows where an unknown key was written."""
    model = _model_at(parent)
    models: list[type[Spec]] = [model] if model is not None else [
        Service, Project, PortLong, VolumeLong, Healthcheck, Deploy, FileRef, VolumeDef, FileDef,
        XService, XIngress, XVolume, XTop, DeployResources, ResourceSet, DependsOnLong,
        EnvFileLong, Hook, Provider]
    keys: set[str] = set()
    for m in models:
        for name, info in m.model_fields.items():
            keys.add(info.alias or name)
    return sorted(keys)


_SERVICE_PARTS: dict[tuple[str | int | type, ...], type[Spec]] = {
    (): Service, ("healthcheck",): Healthcheck, ("deploy",): Deploy,
    ("deploy", "resources"): DeployResources, ("deploy", "resources", "limits"): ResourceSet,
    ("deploy", "resources", "reservations"): ResourceSet, ("ports", int): PortLong,
    ("volumes", int): VolumeLong, ("secrets", int): FileRef, ("configs", int): FileRef,
    ("env_file", int): EnvFileLong, ("depends_on", str): DependsOnLong, ("extends",): Extends,
    ("x-svcgen",): XService, ("x-svcgen", "ingress"): XIngress,
    ("x-svcgen", "route"): XIngress, ("pre_start", int): Hook,
    ("post_start", int): Hook, ("pre_stop", int): Hook, ("provider",): Provider,
}


def _model_at(path: Path_) -> type[Spec] | None:
    if not path:
        return Project
    if path == ("x-svcgen",):
        return XTop
    if len(path) >= 2 and path[0] == "services":
        rest: tuple[str | int | type, ...] = tuple(
            int if isinstance(p, int) else p for p in path[2:])
        if len(rest) == 2 and rest[0] == "depends_on":
            rest = ("depends_on", str)
        return _SERVICE_PARTS.get(rest)
    if len(path) == 2 and path[0] == "volumes":
        return VolumeDef
    if len(path) == 3 and path[0] == "volumes" and path[2] == "x-svcgen":
        return XVolume
    if len(path) == 2 and path[0] in ("secrets", "configs"):
        return FileDef
    return None


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "..."
