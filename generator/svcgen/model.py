"""The values model: the one source of truth for the chart's values.

Every field's ``description`` becomes the description in ``chart/values.schema.json`` and a row of
the values table in ``chart/README.md``. Maps are keyed (components, containers, ports, volumes,
hosts, paths) so that Helm merges them across ``-f`` files and ``--set`` can address one entry.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from svcgen.units import quantity

# --- names -----------------------------------------------------------------------------------

DNS1035_LABEL = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS1123_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
#: Kubernetes port names (IANA_SVC_NAME): lowercase letters, digits and '-', at least one letter.
PORT_NAME = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
ENV_NAME = r"^[-._a-zA-Z][-._a-zA-Z0-9]*$"
HOSTNAME_WILDCARD = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
#: A Prometheus duration, as the monitoring.coreos.com/v1 CRDs check it: `30s`, `1m30s`, `500ms`.
DURATION = (
    r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
)
#: A Gateway API duration (HTTPRoute timeouts): one to four `<number><unit>` parts, e.g. `1m30s`.
GATEWAY_DURATION = r"^([0-9]{1,5}(h|m|s|ms)){1,4}$"
_DURATION_PART = re.compile(r"([0-9]{1,5})(h|ms|m|s)")
_DURATION_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_PATH_CHARS = re.compile(r"^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$")


def gateway_seconds(duration: str) -> float | None:
    """A Gateway API duration (``1m30s``) in seconds; None when unreadable."""
    parts = _DURATION_PART.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        return None
    return sum(int(n) * _DURATION_UNIT[u] for n, u in parts)


def route_path_problem(value: str) -> str:
    """Why a prefix or exact path is refused (the HTTPRoute CRD's CEL rules, and Ingress
    validation's invalid sequences); empty when accepted."""
    if not value.startswith("/"):
        return "must be an absolute path"
    for part in ("//", "/./", "/../", "%2f", "%2F", "#"):
        if part in value:
            return f"must not contain {part!r}"
    for end in ("/..", "/."):
        if value.endswith(end):
            return f"must not end with {end!r}"
    if not _PATH_CHARS.match(value):
        return "must only contain RFC 3986 path characters or %-escapes"
    return ""
#: An HTTP header name (RFC 7230 token), as Gateway API checks it.
HEADER_NAME = r"^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$"
#: Amounts the chart renders (requests, limits, sizes) are never negative: no '-' sign.
QUANTITY = r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$"
#: A label key (IsQualifiedName): an optional DNS-subdomain prefix and '/', then at most 63
#: alphanumerics, '-', '_' and '.' that start and end alphanumeric.
QUALIFIED_NAME = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$"
)
#: An annotation key: a qualified name once lower-cased, so the prefix may have upper case.
ANNOTATION_KEY = (
    r"^([A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*/)?"
    r"([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$"
)
#: A label value (IsValidLabelValue): empty, or at most 63 such characters.
LABEL_VALUE = r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$"
#: A key of a ConfigMap or Secret (IsConfigMapKey): not `.`, `..` or starting with `..`.
CONFIG_MAP_KEY = r"^(\.[-_a-zA-Z0-9]|[-_a-zA-Z0-9])[-._a-zA-Z0-9]*$"
#: A container resource (validateContainerResourceName): a standard one or `domain/name`.
RESOURCE_NAME = (
    r"^(cpu|memory|ephemeral-storage|hugepages-[A-Za-z0-9.]+|"
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/"
    r"([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])$"
)
#: A host alias address: IPv4 dotted quad, or IPv6 (the API's IsValidIP decides the rest).
IP_ADDRESS = (
    r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|"
    r"[1-9]?[0-9])$|^[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$"
)

#: Kubernetes' int32 fields (replicas, ports, seconds, thresholds) and int64 fields (user ids).
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


@functools.cache
def time_zone_known(zone: str) -> bool:
    """A zone of the IANA database (what the CronJob controller loads); never ``Local``."""
    if zone.lower() == "local":
        return False
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _no_coercion(value: Any) -> Any:
    """Helm's schema never reads ``"3"`` or ``true`` as a number: neither does the model."""
    if isinstance(value, str | bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


#: Put last in ``Annotated[int, Field(...), NOT_TEXT]`` (constraints before it reach the schema).
NOT_TEXT = BeforeValidator(_no_coercion)
#: Kubernetes int32 fields with their usual bounds.
Count = Annotated[int, Field(ge=0, le=INT32_MAX), NOT_TEXT]
Positive = Annotated[int, Field(ge=1, le=INT32_MAX), NOT_TEXT]
#: Kubernetes int64 fields that cannot be negative (user ids, grace periods).
Count64 = Annotated[int, Field(ge=0, le=INT64_MAX), NOT_TEXT]
#: A utilisation target in percent of requests.
Utilisation = Annotated[int, Field(ge=1, le=1000), NOT_TEXT]
#: A file mode (0 to 0777).
FileMode = Annotated[int, Field(ge=0, le=511), NOT_TEXT]
#: true or false, never ``"false"``, ``"yes"`` or ``0``.
Bool = Annotated[bool, Strict()]

ComponentId = Annotated[str, StringConstraints(pattern=DNS1035_LABEL, max_length=63)]
ContainerName = Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=63)]
VolumeName = Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=63)]
def _iana_service_name(name: str) -> str:
    """IsValidPortName beyond the characters: a letter, so the name never reads as a number, and
    no ``--``. (Kept out of the pattern, whose simple shape lets the schema bound its length.)"""
    if not re.search(r"[a-z]", name):
        raise PydanticCustomError("port_name", "a port name needs a letter (e.g. http-8080)")
    if "--" in name:
        raise PydanticCustomError("port_name", "a port name must not contain '--'")
    return name


PortName = Annotated[
    str, StringConstraints(pattern=PORT_NAME, max_length=15), AfterValidator(_iana_service_name)
]
LabelKey = Annotated[str, StringConstraints(pattern=QUALIFIED_NAME, max_length=317)]
LabelValue = Annotated[str, StringConstraints(pattern=LABEL_VALUE, max_length=63)]
AnnotationKey = Annotated[str, StringConstraints(pattern=ANNOTATION_KEY, max_length=317)]
#: Labels (and node selectors): keys and values the API server accepts.
Labels = dict[LabelKey, LabelValue]
Annotations = dict[AnnotationKey, str]
ConfigMapKey = Annotated[str, StringConstraints(pattern=CONFIG_MAP_KEY, max_length=253)]
ClassName = Annotated[str, StringConstraints(pattern=DNS1123_SUBDOMAIN, max_length=253)]
ResourceKey = Annotated[str, StringConstraints(pattern=RESOURCE_NAME, max_length=317)]
EnvName = Annotated[str, StringConstraints(pattern=ENV_NAME)]
NamespaceName = Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=63)]
ResourceName = Annotated[str, StringConstraints(pattern=DNS1123_SUBDOMAIN, max_length=253)]
Hostname = Annotated[str, StringConstraints(pattern=HOSTNAME_WILDCARD, max_length=253)]
Quantity = (
    Annotated[str, StringConstraints(pattern=QUANTITY)]
    | Annotated[int, Field(ge=0), NOT_TEXT]
    | Annotated[float, Field(ge=0)]
)
PortNumber = Annotated[int, Field(ge=1, le=65535), NOT_TEXT]
Duration = Annotated[str, StringConstraints(pattern=DURATION)]
#: A port given by number or by the name of a container port.
PortRef = PortNumber | PortName
#: ``$(VAR)`` in an env value, with the ``$`` run before it (an even run is an escape).
_ENV_REFERENCE = re.compile(r"(\$+)\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)")
IntOrPercent = Count | Annotated[str, StringConstraints(pattern=r"^[0-9]+%$")]
#: What may be unavailable, as a number or a share of the pods: at most 100%.
IntOrPercent100 = Count | Annotated[str, StringConstraints(pattern=r"^(100|[1-9]?[0-9])%$")]
EnvValue = str | int | float | bool


class Model(BaseModel):
    """Base for every values object: unknown keys are errors, as they are in the chart's schema."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=True)


# --- global ----------------------------------------------------------------------------------


class NetworkPolicyGlobal(Model):
    enabled: Bool = Field(
        False,
        description="Render NetworkPolicies that admit exactly each component's whitelisted "
        "callers and let it reach exactly its upstreams (plus DNS).",
    )
    dnsNamespace: str = Field(
        "kube-system",
        description="Namespace of the cluster DNS pods that every component may reach.",
    )
    #: Empty by default (the chart then selects k8s-app=kube-dns): Helm merges maps, so a non-empty
    #: default would stay inside every user's own selector.
    dnsPodLabels: Labels = Field(
        default_factory=dict,
        description="Labels of the cluster DNS pods; `k8s-app: kube-dns` when empty.",
    )
    #: No default: ingress-nginx, which a default used to name, was retired in March 2026, and a
    #: policy admitting a namespace nobody runs a controller in fails closed without a word.
    ingressNamespace: NamespaceName | None = Field(
        None,
        description="Namespace of the ingress controller; components with a rendered Ingress "
        "admit it. Required when NetworkPolicies are on and an Ingress is rendered, unless "
        "Istio is on (`global.mesh.ingressGatewayNamespace` then).",
        examples=["traefik"],
    )
    externalEgress: Bool = Field(
        False,
        description="Also allow egress to addresses outside the cluster (0.0.0.0/0 minus private "
        "ranges).",
    )
    allEgress: Bool = Field(
        False,
        description="Allow egress to every address, private and in-cluster ones too (as a mesh "
        "with outbound ALLOW_ANY does): upstreams then document callees but do not restrict them.",
    )


class MeshGlobal(Model):
    istio: Bool = Field(
        False,
        description="Inject the Istio sidecar and render AuthorizationPolicy and Sidecar objects "
        "equivalent to whitelists and upstreams.",
    )
    ingressGatewayNamespace: str = Field(
        "istio-system",
        description="Namespace of the Istio ingress gateway; components with an ingress admit it.",
    )


MonitorKind = Literal["auto", "ServiceMonitor", "PodMonitor", "none"]

#: How a component's `ingress` (its exposure) is rendered.
Exposure = Literal["ingress", "gateway", "both"]


class GatewayParent(Model):
    """The Gateway (and listener) a component's routes attach to: their `parentRefs`."""

    name: Annotated[str, StringConstraints(pattern=DNS1123_SUBDOMAIN, max_length=253)] | None = (
        Field(None, description="Gateway name.", examples=["public"])
    )
    namespace: NamespaceName | None = Field(
        None, description="Gateway namespace; the release namespace when unset.",
        examples=["gateway-system"],
    )
    sectionName: (
        Annotated[str, StringConstraints(pattern=DNS1123_SUBDOMAIN, max_length=253)] | None
    ) = Field(
        None,
        description="Listener of the Gateway the routes attach to (e.g. its HTTPS listener); "
        "every listener that accepts them when unset.",
        examples=["https"],
    )


class GatewayGlobal(GatewayParent):
    """The Gateway every component's routes attach to unless it names its own."""

    httpSectionName: (
        Annotated[str, StringConstraints(pattern=DNS1123_SUBDOMAIN, max_length=253)] | None
    ) = Field(
        None,
        description="The Gateway's plain-HTTP listener: components with `ingress.httpsRedirect` "
        "attach an HTTP→HTTPS redirect route to it.",
        examples=["http"],
    )
    podLabels: Labels = Field(
        default_factory=dict,
        description="Labels of the Gateway's data-plane pods: NetworkPolicies admit only those "
        "pods of the Gateway's namespace when set, every pod of it when empty.",
        examples=[{"gateway.networking.k8s.io/gateway-name": "public"}],
    )
    serviceAccount: (
        Annotated[str, StringConstraints(pattern=DNS1123_SUBDOMAIN, max_length=253)] | None
    ) = Field(
        None,
        description="ServiceAccount of the Gateway's data-plane pods: Istio AuthorizationPolicies "
        "admit that principal when set, the Gateway's namespace when unset.",
        examples=["public-istio"],
    )


class KedaInterceptor(Model):
    """Where the KEDA HTTP add-on's interceptor listens (the kedacore chart's defaults)."""

    namespace: NamespaceName = Field(
        "keda", description="Namespace of the KEDA HTTP add-on."
    )
    service: Annotated[str, StringConstraints(pattern=DNS1035_LABEL, max_length=63)] = Field(
        "keda-add-ons-http-interceptor-proxy", description="The interceptor's proxy Service."
    )
    port: Annotated[int, Field(ge=1, le=65535), NOT_TEXT] = Field(
        8080, description="The interceptor proxy Service's port."
    )


class MetricsGlobal(Model):
    monitor: MonitorKind = Field(
        "none",
        description="Prometheus Operator object for components that declare `metrics`: `auto` "
        "(a ServiceMonitor when the metrics port is on the component's Service, else a "
        "PodMonitor), `ServiceMonitor`, `PodMonitor`, or `none` (the cluster has no operator).",
    )
    annotations: Bool = Field(
        True,
        description="Put the conventional `prometheus.io/scrape`, `port`, `path` (and `scheme`) "
        "annotations on the pods of components that declare `metrics`.",
    )
    monitoringNamespace: Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=63)] = (
        Field(
            "monitoring",
            description="Namespace of the Prometheus that scrapes: NetworkPolicies admit it on the "
            "metrics port, Istio AuthorizationPolicies admit its identities.",
        )
    )
    monitorLabels: Labels = Field(
        default_factory=dict,
        description="Labels on every ServiceMonitor and PodMonitor, to match the Prometheus' "
        "`serviceMonitorSelector` and `podMonitorSelector`.",
        examples=[{"release": "kube-prometheus-stack"}],
    )


class Global(Model):
    """Settings for every component.

    Unknown keys are allowed at this level only: when the chart is a dependency of another chart,
    Helm hands it the parent's globals too. ``svcgen lint`` still reports them (SVC002), since
    outside an umbrella chart an unknown global key is a typo.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, use_enum_values=True)

    project: Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=63)] | None = Field(
        None,
        description="Project id (Space Cloud). When set, the chart fails unless the release "
        "namespace equals it.",
    )
    domain: Hostname | None = Field(
        None,
        description="Default ingress domain: an ingress without hosts gets `<component>.<domain>`.",
    )
    prefixWithRelease: Bool = Field(
        False,
        description="Prefix every object name with the release name, to run two releases in one "
        "namespace. Off by default so a Service is named after its component.",
    )
    labels: Labels = Field(
        default_factory=dict, description="Labels added to every object."
    )
    annotations: Annotations = Field(
        default_factory=dict, description="Annotations added to every object."
    )
    imagePullSecrets: list[ResourceName] = Field(
        default_factory=list,
        description="Names of existing `kubernetes.io/dockerconfigjson` Secrets used to pull every "
        "image (registry credentials by reference).",
        examples=[["regcred"]],
        json_schema_extra={"uniqueItems": True},
    )

    @field_validator("imagePullSecrets", mode="after")
    @classmethod
    def _each_secret_once(cls, names: list[str]) -> list[str]:
        # The pod's imagePullSecrets is a list keyed by name: server-side apply refuses a twin.
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} is listed twice")
        return names
    ingressClassName: ClassName | None = Field(
        None, description="Default ingress class for components that do not name one."
    )
    defaultResources: Resources = Field(
        default_factory=lambda: Resources(
            requests={"cpu": "100m", "memory": "128Mi"}, limits={"memory": "256Mi"}
        ),
        description="Resources for containers that set none, so every container has them.",
    )
    networkPolicy: NetworkPolicyGlobal = Field(
        default_factory=NetworkPolicyGlobal, description="Service-to-service NetworkPolicies."
    )
    mesh: MeshGlobal = Field(default_factory=MeshGlobal, description="Service mesh integration.")
    metrics: MetricsGlobal = Field(
        default_factory=MetricsGlobal,
        description="How Prometheus finds the metrics endpoints components declare.",
    )
    exposure: Exposure = Field(
        "ingress",
        description="How components' `ingress` is rendered: `ingress` (an Ingress), `gateway` "
        "(Gateway API HTTPRoutes and GRPCRoutes attached to `global.gateway`), or `both` (during "
        "a migration). A component's `ingress.exposure` overrides it.",
    )
    gateway: GatewayGlobal = Field(
        default_factory=GatewayGlobal,
        description="The Gateway that Gateway API routes attach to (`parentRefs`).",
        examples=[{"name": "public", "namespace": "gateway-system", "sectionName": "https"}],
    )
    kedaInterceptor: KedaInterceptor = Field(
        default_factory=KedaInterceptor,
        description="The KEDA HTTP add-on's interceptor, for `ingress.throughInterceptor`.",
    )
    secretChecksumSalt: Annotated[str, StringConstraints(min_length=16)] | None = Field(
        None,
        description="Random salt of the pods' `checksum/secret` annotation over inline secretEnv "
        "values: with it the checksum is one salted hash; without it the chart stretches the data "
        "with scrypt (slow), so a short value cannot be recovered from the annotation. Keep it "
        "beside the inline values (`svcgen values --secret-values` writes one).",
        examples=["9c1f4e0b7a2d4c6e8f1a3b5d7e9f0a2c"],
    )


# --- containers ------------------------------------------------------------------------------


class PullPolicy(StrEnum):
    ALWAYS = "Always"
    IF_NOT_PRESENT = "IfNotPresent"
    NEVER = "Never"


class Image(Model):
    repository: Annotated[str, StringConstraints(min_length=1)] = Field(
        description="Image repository, with registry host when not Docker Hub.",
        examples=["ghcr.io/acme/api"],
    )
    tag: str | None = Field(None, description="Image tag.", examples=["1.4.2"])
    digest: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+:[a-f0-9]{32,}$")] | None = Field(
        None,
        description="Image digest; pins the image and wins over the tag.",
        examples=["sha256:…"],
    )
    pullPolicy: PullPolicy | None = Field(
        None, description="Pull policy; Kubernetes' default when unset."
    )


class Protocol(StrEnum):
    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"


class ContainerPort(Model):
    containerPort: PortNumber = Field(description="Port the container listens on.")
    protocol: Protocol = Field(Protocol.TCP, description="TCP, UDP or SCTP.")


class SecretKeyRef(Model):
    secret: ResourceName | None = Field(None, description="Name of an existing Secret.")
    key: ConfigMapKey | None = Field(None, description="Key inside the Secret.")
    optional: Bool | None = Field(None, description="Start even when the Secret or key is missing.")
    value: str | None = Field(
        None,
        description="Inline secret value, rendered into a Secret the chart owns. Possible, but "
        "linted: prefer a reference to a Secret managed outside values.",
    )

    @model_validator(mode="after")
    def _reference_or_value(self) -> SecretKeyRef:
        if self.value is not None and (self.secret or self.key):
            raise ValueError("give either secret+key or value, not both")
        if self.value is None and not (self.secret and self.key):
            raise ValueError("a secret reference needs both 'secret' and 'key'")
        return self


class EnvFromSource(Model):
    secret: ResourceName | None = Field(
        None, description="Every key of this Secret becomes a variable."
    )
    configMap: ResourceName | None = Field(
        None, description="Every key of this ConfigMap becomes a variable."
    )
    prefix: EnvName | None = Field(None, description="Prefix added to each variable name.")
    optional: Bool | None = Field(None, description="Start even when the source is missing.")

    @model_validator(mode="after")
    def _one_source(self) -> EnvFromSource:
        if (self.secret is None) == (self.configMap is None):
            raise ValueError("envFrom needs exactly one of 'secret' or 'configMap'")
        return self


class Resources(Model):
    requests: dict[ResourceKey, Quantity] = Field(
        default_factory=dict,
        description="Resource requests (cpu, memory, ephemeral-storage, nvidia.com/gpu, …).",
        examples=[{"cpu": "250m", "memory": "512Mi"}],
    )
    limits: dict[ResourceKey, Quantity] = Field(
        default_factory=dict, description="Resource limits."
    )

    @model_validator(mode="after")
    def _extended_resources_limited(self) -> Resources:
        # Extended resources (nvidia.com/gpu) cannot be overcommitted: the API server wants a
        # limit equal to the request (ValidateResourceRequirements).
        for name, amount in self.requests.items():
            if "/" in name and "kubernetes.io/" not in name:
                if name not in self.limits:
                    raise ValueError(f"{name} is requested without a limit: set "
                                     f"limits.{name} (equal to the request)")
                if quantity(amount) != quantity(self.limits[name]):
                    raise ValueError(f"{name}: the request must equal the limit")
        return self


class HTTPHeader(Model):
    name: Annotated[str, StringConstraints(pattern=r"^[-A-Za-z0-9]+$")] = Field(
        description="Header name (IsHTTPHeaderName: letters, digits and '-')."
    )
    value: str = Field(description="Header value.")


class HTTPGetAction(Model):
    path: str = Field("/", description="Request path.")
    port: PortRef = Field(description="Port number or container port name.")
    scheme: Literal["HTTP", "HTTPS"] | None = Field(None, description="HTTP or HTTPS.")
    host: str | None = Field(None, description="Host to connect to; the pod IP when unset.")
    httpHeaders: list[HTTPHeader] = Field(
        default_factory=list, description="Extra request headers."
    )


class TCPSocketAction(Model):
    port: PortRef = Field(description="Port number or container port name.")


class ExecAction(Model):
    command: list[str] = Field(min_length=1, description="Command run inside the container.")


class GRPCAction(Model):
    port: PortNumber = Field(description="Port number of the gRPC health service.")
    service: str | None = Field(None, description="Service name sent in the health check request.")


class Probe(Model):
    enabled: Bool = Field(
        True,
        description="False disables this probe, including the one derived from the ports.",
    )
    httpGet: HTTPGetAction | None = Field(None, description="HTTP GET check.")
    tcpSocket: TCPSocketAction | None = Field(None, description="TCP connect check.")
    exec: ExecAction | None = Field(None, description="Command check.")
    grpc: GRPCAction | None = Field(None, description="gRPC health check.")
    initialDelaySeconds: Count | None = Field(
        None, description="Delay before the first check."
    )
    periodSeconds: Positive | None = Field(
        None, description="Seconds between checks."
    )
    timeoutSeconds: Positive | None = Field(
        None, description="Seconds before a check times out."
    )
    successThreshold: Positive | None = Field(
        None, description="Consecutive successes to count as healthy (1 for liveness and startup)."
    )
    failureThreshold: Positive | None = Field(
        None, description="Consecutive failures to count as unhealthy."
    )

    @model_validator(mode="after")
    def _at_most_one_handler(self) -> Probe:
        handlers = [
            h for h in (self.httpGet, self.tcpSocket, self.exec, self.grpc) if h is not None
        ]
        if len(handlers) > 1:
            raise ValueError("a probe takes one of httpGet, tcpSocket, exec or grpc")
        return self

    @property
    def has_handler(self) -> bool:
        return any(h is not None for h in (self.httpGet, self.tcpSocket, self.exec, self.grpc))


class Probes(Model):
    liveness: Probe | None = Field(
        None,
        description="Restart the container when this fails. Derived from the ports when unset.",
    )
    readiness: Probe | None = Field(
        None,
        description="Take the pod out of Service endpoints when this fails. Derived from the ports "
        "when unset.",
    )
    startup: Probe | None = Field(
        None, description="Hold the other probes until this succeeds (slow starters)."
    )

    @field_validator("liveness", "startup", mode="after")
    @classmethod
    def _one_success(cls, probe: Probe | None) -> Probe | None:
        # validateLivenessProbe/validateStartupProbe: only readiness may need several successes.
        if probe is not None and probe.successThreshold not in (None, 1):
            raise ValueError("successThreshold must be 1 for liveness and startup probes")
        return probe


class VolumeMount(Model):
    volume: VolumeName | None = Field(
        None,
        description="The volume to mount; the mount's key when unset. Set it to mount one volume "
        "twice (e.g. two subPaths) under two keys.",
    )
    mountPath: Annotated[str, StringConstraints(pattern=r"^/")] = Field(
        description="Absolute path in the container."
    )
    subPath: str | None = Field(None, description="Mount only this path inside the volume.")
    readOnly: Bool | None = Field(None, description="Mount read-only.")

    @field_validator("subPath", mode="after")
    @classmethod
    def _inside_the_volume(cls, path: str | None) -> str | None:
        # validateLocalDescendingPath: a relative path that never climbs out of the volume.
        if path is not None and (path.startswith("/") or ".." in path.split("/")):
            raise ValueError("subPath must be a relative path without '..'")
        return path

    def volume_name(self, key: str) -> str:
        """The volume this mount (the entry ``key`` of ``volumeMounts``) mounts."""
        return self.volume or key


class Capabilities(Model):
    add: list[str] = Field(default_factory=list, description="Capabilities to add.")
    drop: list[str] | None = Field(None, description="Capabilities to drop (default: ALL).")


class SecurityContext(Model):
    runAsUser: Count | None = Field(None, description="UID to run as.")
    runAsGroup: Count | None = Field(None, description="GID to run as.")
    runAsNonRoot: Bool | None = Field(None, description="Refuse to start as root.")
    readOnlyRootFilesystem: Bool | None = Field(
        None, description="Mount the root filesystem read-only."
    )
    allowPrivilegeEscalation: Bool | None = Field(
        None, description="Allow setuid binaries to gain privileges."
    )
    privileged: Bool | None = Field(None, description="Run privileged (never under restricted).")
    capabilities: Capabilities | None = Field(None, description="Linux capabilities.")


class LifecycleHandler(Model):
    exec: ExecAction | None = Field(None, description="Command run inside the container.")
    httpGet: HTTPGetAction | None = Field(None, description="HTTP GET request.")
    sleep: dict[Literal["seconds"], Count] | None = Field(
        None, description="Sleep for `seconds` (Kubernetes 1.29+).", examples=[{"seconds": 5}]
    )


class Lifecycle(Model):
    postStart: LifecycleHandler | None = Field(
        None, description="Runs right after the container starts."
    )
    preStop: LifecycleHandler | None = Field(
        None, description="Runs before the container is stopped."
    )


class Container(Model):
    image: Image = Field(description="Container image.")
    command: list[str] | None = Field(None, description="Replaces the image's ENTRYPOINT.")
    args: list[str] | None = Field(None, description="Replaces the image's CMD.")
    workingDir: str | None = Field(None, description="Working directory.")
    ports: dict[PortName, ContainerPort] = Field(
        default_factory=dict,
        description="Ports by name (at most 15 characters). Services and probes refer to them.",
        examples=[{"http": {"containerPort": 8080}}],
    )
    env: dict[EnvName, EnvValue] = Field(
        default_factory=dict,
        description="Plain environment variables. Secret material belongs in secretEnv.",
    )
    secretEnv: dict[EnvName, SecretKeyRef] = Field(
        default_factory=dict,
        description="Environment variables read from Secrets.",
        examples=[{"DB_PASSWORD": {"secret": "db", "key": "password"}}],
    )
    envFrom: list[EnvFromSource] = Field(
        default_factory=list,
        description="Secrets or ConfigMaps whose every key becomes a variable.",
    )
    resources: Resources | None = Field(
        None, description="Requests and limits; `global.defaultResources` when unset."
    )
    probes: Probes = Field(default_factory=Probes, description="Health checks.")
    volumeMounts: dict[VolumeName, VolumeMount] = Field(
        default_factory=dict,
        description="Mounts of the component's volumes, by volume name (or any name, with "
        "`volume` naming the volume).",
        examples=[{"data": {"mountPath": "/var/lib/data"}}],
    )
    securityContext: SecurityContext = Field(
        default_factory=SecurityContext,
        description="Overrides of the component's security profile for this container.",
    )
    lifecycle: Lifecycle | None = Field(None, description="postStart and preStop hooks.")
    stdin: Bool | None = Field(None, description="Keep stdin open.")
    tty: Bool | None = Field(None, description="Allocate a TTY.")

    def env_references(self, name: str) -> list[str]:
        """The variables plain variable ``name`` refers to as ``$(VAR)``, in order; ``$$(VAR)``
        is an escaped literal, as Kubernetes reads it."""
        value = self.env.get(name)
        if value is None or isinstance(value, bool):
            return []
        refs: list[str] = []
        for dollars, ref in _ENV_REFERENCE.findall(str(value)):
            if len(dollars) % 2 == 1 and ref not in refs:
                refs.append(ref)
        return refs

    def env_order(self) -> list[str]:
        """The order the chart renders ``secretEnv`` and ``env`` in, so that Kubernetes, which
        expands ``$(VAR)`` only from variables listed earlier, resolves every reference it can:
        the secret references (sorted) first, then the plain variables, each after the ones it
        refers to (sorted among the ready ones); variables in a cycle come last, sorted."""
        order = sorted(self.secretEnv)
        done = set(order)
        pending = sorted(k for k in self.env if k not in done)
        deps = {k: [r for r in self.env_references(k) if r in self.env] for k in pending}
        for _ in range(len(pending)):
            waiting = []
            for name in pending:
                if all(d in done and d != name for d in deps[name]):
                    order.append(name)
                    done.add(name)
                else:
                    waiting.append(name)
            pending = waiting
        return order + pending


# --- component parts -------------------------------------------------------------------------


class WorkloadKind(StrEnum):
    DEPLOYMENT = "Deployment"
    STATEFULSET = "StatefulSet"
    JOB = "Job"
    CRONJOB = "CronJob"
    DAEMONSET = "DaemonSet"


#: Kinds whose pods keep running to serve: they get a Service, an ingress and derived probes.
SERVING_KINDS = frozenset({WorkloadKind.DEPLOYMENT, WorkloadKind.STATEFULSET,
                           WorkloadKind.DAEMONSET})
#: Kinds that run a number of replicas: `replicas`, `scaling` and a PodDisruptionBudget apply.
REPLICATED_KINDS = frozenset({WorkloadKind.DEPLOYMENT, WorkloadKind.STATEFULSET})
#: Kinds whose pods run to completion: `job` applies.
RUN_TO_COMPLETION_KINDS = frozenset({WorkloadKind.JOB, WorkloadKind.CRONJOB})


class Strategy(Model):
    maxUnavailable: IntOrPercent100 = Field(
        0, description="Pods that may be unavailable during a rollout (0: zero downtime)."
    )
    maxSurge: IntOrPercent = Field(1, description="Extra pods created during a rollout.")


class ServiceType(StrEnum):
    CLUSTER_IP = "ClusterIP"
    NODE_PORT = "NodePort"
    LOAD_BALANCER = "LoadBalancer"
    HEADLESS = "Headless"


class ServicePort(Model):
    port: PortNumber | None = Field(
        None, description="Port the Service listens on; the target's number when unset."
    )
    targetPort: PortRef | None = Field(
        None, description="Container port name or number; the same-named container port when unset."
    )
    protocol: Protocol | None = Field(None, description="Protocol; the target port's when unset.")
    nodePort: Annotated[int, Field(ge=30000, le=32767), NOT_TEXT] | None = Field(
        None, description="Fixed node port (NodePort and LoadBalancer only)."
    )
    appProtocol: Annotated[str, StringConstraints(pattern=QUALIFIED_NAME)] | None = Field(
        None, description="Application protocol hint (http, grpc, …)."
    )


class Service(Model):
    enabled: Bool = Field(
        True, description="Render a Service. On by default whenever a container has ports."
    )
    name: Annotated[str, StringConstraints(pattern=DNS1035_LABEL, max_length=63)] | None = Field(
        None, description="Service name; the component id when unset."
    )
    type: ServiceType = Field(
        ServiceType.CLUSTER_IP, description="ClusterIP, NodePort, LoadBalancer or Headless."
    )
    ports: dict[PortName, ServicePort] = Field(
        default_factory=dict,
        description="Service ports by name; every container port when empty.",
        examples=[{"http": {"port": 80}}],
    )
    labels: Labels = Field(default_factory=dict, description="Extra labels.")
    annotations: Annotations = Field(default_factory=dict, description="Extra annotations.")


class MetricsCA(Model):
    secret: ResourceName = Field(description="Secret holding the CA certificate, in the release "
                                 "namespace.")
    key: ConfigMapKey = Field(description="Key of the CA certificate in that Secret.")


class MetricsTLS(Model):
    ca: MetricsCA | None = Field(
        None, description="CA that signed the endpoint's certificate (Prometheus Operator objects)."
    )
    serverName: str | None = Field(None, description="Name the certificate is checked against.")
    insecureSkipVerify: Bool | None = Field(
        None, description="Skip checking the endpoint's certificate."
    )


class Metrics(Model):
    enabled: Bool = Field(True, description="Have this component's metrics scraped.")
    port: PortRef = Field(
        description="Container port (name or number) serving the metrics.", examples=["metrics"]
    )
    path: Annotated[str, StringConstraints(pattern=r"^/")] = Field(
        "/metrics", description="HTTP path of the metrics."
    )
    interval: Duration | None = Field(
        None, description="Time between scrapes; the scraper's default when unset.",
        examples=["30s"],
    )
    scrapeTimeout: Duration | None = Field(
        None, description="Time a scrape may take; the scraper's default when unset. At most "
        "`interval`.", examples=["10s"],
    )
    scheme: Literal["http", "https"] = Field("http", description="`http` or `https`.")
    tls: MetricsTLS | None = Field(None, description="TLS settings for an `https` endpoint.")
    monitor: MonitorKind | None = Field(
        None, description="Overrides `global.metrics.monitor` for this component."
    )
    annotations: Bool | None = Field(
        None, description="Overrides `global.metrics.annotations` for this component."
    )


class PathType(StrEnum):
    PREFIX = "Prefix"
    EXACT = "Exact"
    REGULAR_EXPRESSION = "RegularExpression"
    IMPLEMENTATION_SPECIFIC = "ImplementationSpecific"


HttpMethod = Literal["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]
HeaderName = Annotated[str, StringConstraints(pattern=HEADER_NAME, max_length=256)]
GatewayDuration = Annotated[str, StringConstraints(pattern=GATEWAY_DURATION)]


class HeaderMatch(Model):
    value: Annotated[str, StringConstraints(max_length=4096)] = Field(
        description="Value the header must have (or match)."
    )
    type: Literal["Exact", "RegularExpression"] = Field(
        "Exact", description="`Exact` or `RegularExpression`."
    )


class HeaderModifier(Model):
    set: dict[HeaderName, str] = Field(
        default_factory=dict, description="Headers to set, replacing any value."
    )
    add: dict[HeaderName, str] = Field(
        default_factory=dict, description="Headers to add beside any value."
    )
    remove: list[HeaderName] = Field(default_factory=list, description="Headers to remove.")


class Redirect(Model):
    scheme: Literal["http", "https"] | None = Field(
        None, description="Scheme of the redirect; the request's when unset."
    )
    hostname: Hostname | None = Field(
        None, description="Host of the redirect; the request's when unset."
    )
    port: PortNumber | None = Field(
        None, description="Port of the redirect; the scheme's well-known port when unset."
    )
    path: Annotated[str, StringConstraints(pattern=r"^/", max_length=1024)] | None = Field(
        None, description="Replaces the whole path; the request's when unset."
    )
    statusCode: Literal[301, 302] = Field(302, description="301 (permanent) or 302.")


class RouteTimeouts(Model):
    request: GatewayDuration | None = Field(
        None, description="Time the Gateway allows for the whole request, retries included."
    )
    backendRequest: GatewayDuration | None = Field(
        None, description="Time the Gateway allows for one request to a backend."
    )

    @model_validator(mode="after")
    def _backend_within_request(self) -> RouteTimeouts:
        # The HTTPRoute CRD's CEL rule: one backend request fits in the whole request (0s: none).
        total = gateway_seconds(self.request) if self.request else None
        part = gateway_seconds(self.backendRequest) if self.backendRequest else None
        if total and part is not None and part > total:
            raise ValueError("backendRequest cannot be longer than request")
        return self


class WeightedBackend(Model):
    port: PortRef | None = Field(
        None, description="Port of that component's Service; its first port when unset."
    )
    weight: Annotated[int, Field(ge=0, le=1000000), NOT_TEXT] = Field(
        1, description="Share of the requests, relative to the other backends' weights."
    )


class IngressPath(Model):
    port: PortRef | None = Field(
        None, description="Service port name or number; the Service's first port when unset."
    )
    pathType: PathType = Field(
        PathType.PREFIX,
        description="Prefix, Exact, RegularExpression (Gateway API only) or "
        "ImplementationSpecific (Ingress only).",
    )
    protocol: Literal["http", "grpc"] | None = Field(
        None,
        description="`grpc` renders a GRPCRoute, `http` an HTTPRoute; when unset, `grpc` for a "
        "path without redirect to a Service port with `appProtocol: grpc` or named `grpc` or "
        "`grpc-*`. Gateway API only.",
    )
    method: HttpMethod | None = Field(
        None, description="Match only this HTTP method (Gateway API only)."
    )
    headers: dict[HeaderName, HeaderMatch] = Field(
        default_factory=dict,
        description="Match only requests with these headers (Gateway API only).",
        examples=[{"X-Canary": {"value": "always"}}],
    )
    weight: Annotated[int, Field(ge=0, le=1000000), NOT_TEXT] | None = Field(
        None,
        description="Share of the requests this component's Service gets beside `backends` "
        "(Gateway API only); 1 when unset.",
    )
    backends: dict[ComponentId, WeightedBackend] = Field(
        default_factory=dict,
        description="Other components' Services that share the requests by weight, e.g. a "
        "canary (Gateway API only).",
        examples=[{"api-canary": {"weight": 10}}],
    )
    requestHeaders: HeaderModifier | None = Field(
        None, description="Headers changed on the request (Gateway API only)."
    )
    responseHeaders: HeaderModifier | None = Field(
        None, description="Headers changed on the response (Gateway API only)."
    )
    redirect: Redirect | None = Field(
        None,
        description="Answer with a redirect instead of routing to a backend (Gateway API only).",
        examples=[{"scheme": "https", "statusCode": 301}],
    )
    timeouts: RouteTimeouts | None = Field(
        None, description="Request timeouts (Gateway API HTTPRoute only)."
    )


class IngressHost(Model):
    paths: dict[Annotated[str, StringConstraints(pattern=r"^/")], IngressPath] = Field(
        default_factory=lambda: {"/": IngressPath()},
        description="Paths on this host, each routed to a Service port.",
    )

    @field_validator("paths", mode="after")
    @classmethod
    def _paths_a_server_accepts(cls, paths: dict[str, IngressPath]) -> dict[str, IngressPath]:
        # Ingress validation and the HTTPRoute CEL rules refuse the same prefix and exact paths;
        # regular expressions and implementation-specific paths are the controller's to read.
        for path, spec in paths.items():
            why = route_path_problem(path) \
                if spec.pathType in (PathType.PREFIX, PathType.EXACT) else ""
            if why:
                raise ValueError(f"path {path!r} {why}")
        return paths


class CertManager(Model):
    issuer: str | None = Field(None, description="cert-manager Issuer in the release namespace.")
    clusterIssuer: str | None = Field(None, description="cert-manager ClusterIssuer.")


class IngressTLS(Model):
    enabled: Bool = Field(
        True,
        description="Serve the hosts over TLS. Gateway API: the Gateway's listener holds the "
        "certificate; the routes only say https in NOTES.",
    )
    secretName: ResourceName | None = Field(
        None,
        description="TLS Secret; `<ingress>-tls` when unset (filled by cert-manager). "
        "Ingress only.",
    )
    certManager: CertManager | None = Field(
        None, description="Have cert-manager issue the certificate. Ingress only."
    )


class Ingress(Model):
    enabled: Bool = Field(True, description="Expose the component (an Ingress and/or routes).")
    exposure: Exposure | None = Field(
        None, description="Overrides `global.exposure` for this component."
    )
    className: ClassName | None = Field(
        None, description="Ingress class; `global.ingressClassName` when unset."
    )
    gateway: GatewayParent | None = Field(
        None,
        description="The Gateway this component's routes attach to; `global.gateway` when unset "
        "(each unset field falls back to it).",
    )
    hosts: dict[Hostname, IngressHost] = Field(
        default_factory=dict,
        description="Hosts and their paths; `<component>.<global.domain>` when empty.",
        examples=[{"api.example.com": {"paths": {"/": {"port": "http"}}}}],
    )
    tls: IngressTLS | None = Field(None, description="TLS for every host of this ingress.")
    httpsRedirect: Bool = Field(
        False,
        description="Gateway API: also attach a route to `global.gateway.httpSectionName` that "
        "redirects every host to https (301).",
    )
    throughInterceptor: Bool = Field(
        False,
        description="Gateway API: route to the KEDA HTTP add-on's interceptor "
        "(`global.kedaInterceptor`) instead of the Service, so requests are counted and wake the "
        "component from zero; renders a ReferenceGrant in the add-on's namespace. Needs "
        "`scaling.concurrency` or `scaling.requestsPerSecond`.",
    )
    annotations: Annotations = Field(default_factory=dict, description="Extra annotations.")


class TriggerSecret(Model):
    parameter: str = Field(description="Scaler parameter to set (e.g. `password`, `host`).")
    secret: ResourceName = Field(description="Name of an existing Secret.")
    key: ConfigMapKey = Field(description="Key inside the Secret.")


class KedaTrigger(Model):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(description="KEDA scaler type (prometheus, kafka, cron, …).")
    name: str | None = Field(None, description="Trigger name.")
    metadata: dict[str, str] = Field(default_factory=dict, description="Scaler metadata.")
    authenticationRef: dict[str, str] | None = Field(
        None, description="Reference to an existing KEDA TriggerAuthentication (`name`, `kind`)."
    )
    secretTargetRef: list[TriggerSecret] = Field(
        default_factory=list,
        description="Scaler parameters read from Secrets: the chart renders the "
        "TriggerAuthentication `<component>-trigger-<index>` with them and references it.",
        examples=[[{"parameter": "password", "secret": "redis", "key": "password"}]],
    )
    metricType: Literal["AverageValue", "Value", "Utilization"] | None = Field(
        None, description="How the metric is compared with the target."
    )

    @model_validator(mode="after")
    def _one_authentication(self) -> KedaTrigger:
        if self.authenticationRef is not None and self.secretTargetRef:
            raise ValueError("give authenticationRef or secretTargetRef, not both")
        return self


class Scaling(Model):
    enabled: Bool = Field(True, description="Scale this component automatically.")
    minReplicas: Count = Field(
        1, description="Fewest replicas; 0 (scale to zero) needs KEDA."
    )
    maxReplicas: Positive = Field(description="Most replicas.")
    targetCPU: Utilisation | None = Field(
        None, description="Average CPU utilisation target, percent of requests."
    )
    targetMemory: Utilisation | None = Field(
        None, description="Average memory utilisation target, percent of requests."
    )
    concurrency: Positive | None = Field(
        None, description="In-flight requests per replica (KEDA HTTP add-on)."
    )
    requestsPerSecond: Positive | None = Field(
        None, description="Requests per second per replica (KEDA HTTP add-on)."
    )
    pollingInterval: Positive | None = Field(
        None, description="Seconds between KEDA metric checks."
    )
    cooldownPeriod: Count | None = Field(
        None, description="Seconds after the last activity before scaling to the minimum."
    )
    triggers: list[KedaTrigger] = Field(
        default_factory=list, description="Extra KEDA triggers (renders a KEDA ScaledObject)."
    )

    @property
    def engine(self) -> Literal["hpa", "keda", "keda-http"]:
        """Which object the chart renders: see the chart README, "Scaling"."""
        if self.concurrency is not None or self.requestsPerSecond is not None:
            return "keda-http"
        if self.triggers or self.minReplicas == 0:
            return "keda"
        return "hpa"


class PodDisruptionBudget(Model):
    enabled: Bool | None = Field(
        None, description="Render a PodDisruptionBudget; on by default when 2 or more replicas run."
    )
    minAvailable: IntOrPercent100 | None = Field(None, description="Pods that must stay up.")
    maxUnavailable: IntOrPercent100 | None = Field(
        None, description="Pods that may be down at once (default 1)."
    )


class PolicyRule(Model):
    apiGroups: list[str] = Field(
        default_factory=lambda: [""], description="API groups (`\"\"` is the core group)."
    )
    resources: list[str] = Field(min_length=1, description="Resources, e.g. `configmaps`.")
    verbs: list[str] = Field(min_length=1, description="Verbs, e.g. `get`, `list`, `watch`.")
    resourceNames: list[str] = Field(
        default_factory=list, description="Only these objects; every object when empty."
    )


class ServiceAccount(Model):
    create: Bool = Field(
        False,
        description="Create a ServiceAccount for this component (with `global.mesh.istio` each "
        "component gets one unless `create: false` names an existing account).",
    )
    name: ResourceName | None = Field(
        None, description="ServiceAccount to use; the component's name when created."
    )
    annotations: Annotations = Field(
        default_factory=dict, description="Annotations (e.g. cloud IAM)."
    )
    automountToken: Bool = Field(False, description="Mount the API token into the pods.")
    rules: list[PolicyRule] = Field(
        default_factory=list,
        description="API access in the release namespace: a Role and a RoleBinding to the "
        "ServiceAccount, both named after it.",
        examples=[[{"resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]],
    )
    clusterRules: list[PolicyRule] = Field(
        default_factory=list,
        description="API access in every namespace: a ClusterRole and a ClusterRoleBinding "
        "named `<namespace>-<ServiceAccount>`.",
    )


class AccessMode(StrEnum):
    RWO = "ReadWriteOnce"
    RWOP = "ReadWriteOncePod"
    ROX = "ReadOnlyMany"
    RWX = "ReadWriteMany"


class EmptyDir(Model):
    medium: Literal["", "Memory"] | None = Field(None, description="`Memory` for a tmpfs.")
    sizeLimit: Quantity | None = Field(None, description="Size limit.")


class KeyToPath(Model):
    key: ConfigMapKey = Field(description="Key in the source.")
    path: str = Field(description="File path relative to the mount.")


class ConfigMapVolume(Model):
    name: ResourceName = Field(description="Name of an existing ConfigMap.")
    items: list[KeyToPath] = Field(
        default_factory=list, description="Keys to project; all when empty."
    )
    defaultMode: FileMode | None = Field(None, description="File mode.")


class SecretVolume(Model):
    secretName: ResourceName = Field(description="Name of an existing Secret.")
    items: list[KeyToPath] = Field(
        default_factory=list, description="Keys to project; all when empty."
    )
    defaultMode: FileMode | None = Field(None, description="File mode.")


class Volume(Model):
    """Exactly one kind per volume: persistent (``size`` or ``existingClaim``), ``emptyDir``,
    ``configMap``, ``secret`` or ``files``."""

    size: Quantity | None = Field(None, description="Persistent volume size.", examples=["1Gi"])

    @field_validator("size", mode="after")
    @classmethod
    def _positive_size(cls, size: str | int | float | None) -> str | int | float | None:
        # ValidatePersistentVolumeClaimSpec: a claim asks for more than nothing.
        if size is not None and (quantity(size) or 0) <= 0:
            raise ValueError("a volume size must be greater than zero (e.g. 1Gi)")
        return size
    storageClassName: ClassName | Literal[""] | None = Field(
        None, description="Storage class; the cluster default when unset."
    )
    accessModes: list[AccessMode] = Field(
        default_factory=lambda: [AccessMode.RWO], description="Access modes of a persistent volume."
    )
    shared: Bool = Field(
        False,
        description="A persistent volume of a StatefulSet: one claim shared by every replica "
        "instead of one claim per replica (a Deployment's claim is always shared).",
    )
    existingClaim: ResourceName | None = Field(
        None, description="Use this existing PersistentVolumeClaim."
    )
    emptyDir: EmptyDir | None = Field(
        None, description="Scratch space that lives as long as the pod."
    )
    configMap: ConfigMapVolume | None = Field(None, description="An existing ConfigMap.")
    secret: SecretVolume | None = Field(None, description="An existing Secret.")
    files: dict[ConfigMapKey, str] | None = (
        Field(
            None,
            description="Inline files, rendered into a ConfigMap the chart owns.",
            examples=[{"nginx.conf": "events {}"}],
        )
    )

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> Volume:
        kinds = [
            k for k in ("emptyDir", "configMap", "secret", "files") if getattr(self, k) is not None
        ]
        if self.size is not None or self.existingClaim is not None:
            kinds.append("persistent")
        if len(kinds) != 1:
            raise ValueError(
                "a volume needs exactly one of size/existingClaim (persistent), emptyDir, "
                f"configMap, secret or files; got {', '.join(kinds) or 'none'}"
            )
        return self

    @property
    def kind(self) -> str:
        for k in ("emptyDir", "configMap", "secret", "files"):
            if getattr(self, k) is not None:
                return k
        return "persistent"


class Peer(Model):
    """Another service: a component of this release, or a service of another project.

    ``{component: db}``; ``{project: billing, service: invoices}``; ``"*"`` wildcards either part.
    """

    component: Annotated[str, StringConstraints(pattern=DNS1035_LABEL, max_length=63)] | None = (
        Field(None, description="A component of this release.")
    )
    project: (
        Annotated[str, StringConstraints(pattern=r"^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$")] | None
    ) = Field(None, description="A project (namespace), or `*` for every project.")
    service: (
        Annotated[str, StringConstraints(pattern=r"^(\*|[a-z]([-a-z0-9]*[a-z0-9])?)$")] | None
    ) = Field(
        None, description="A service (component id) in that project, or `*` for every service."
    )

    @model_validator(mode="after")
    def _shape(self) -> Peer:
        if self.component is not None and (self.project is not None or self.service is not None):
            raise ValueError("give either 'component' or 'project'/'service', not both")
        if self.component is None and self.project is None:
            raise ValueError("name a 'component', or a 'project' (with an optional 'service')")
        return self


#: A list whose entries must differ (the model's validators check it; the schema says it).
UNIQUE: dict[str, Any] = {"uniqueItems": True}


class HookPhase(StrEnum):
    PRE_INSTALL = "pre-install"
    POST_INSTALL = "post-install"
    PRE_UPGRADE = "pre-upgrade"
    POST_UPGRADE = "post-upgrade"
    PRE_ROLLBACK = "pre-rollback"
    POST_ROLLBACK = "post-rollback"
    PRE_DELETE = "pre-delete"
    POST_DELETE = "post-delete"


class HookDeletePolicy(StrEnum):
    BEFORE_HOOK_CREATION = "before-hook-creation"
    HOOK_SUCCEEDED = "hook-succeeded"
    HOOK_FAILED = "hook-failed"


class JobHook(Model):
    """Run the Job as a Helm hook: Helm runs it at the given phases and waits for it."""

    phases: Annotated[list[HookPhase], Field(min_length=1, json_schema_extra=UNIQUE)] = Field(
        description="When Helm runs the Job: `post-install,pre-upgrade` runs a migration after "
        "the first install and before every upgrade rolls out.",
        examples=[["post-install", "pre-upgrade"]],
    )
    weight: Annotated[int, Field(ge=-1000, le=1000), NOT_TEXT] = Field(
        0, description="Order among hooks of the same phase; lower runs first."
    )
    deletePolicy: Annotated[
        list[HookDeletePolicy], Field(min_length=1, json_schema_extra=UNIQUE)
    ] = Field(
        default_factory=lambda: [HookDeletePolicy.BEFORE_HOOK_CREATION,
                                 HookDeletePolicy.HOOK_SUCCEEDED],
        description="When Helm deletes the Job: by default before the next run and once it "
        "succeeded (a failed Job stays for `kubectl logs`).",
    )

    @model_validator(mode="after")
    def _unique(self) -> JobHook:
        if len(set(self.phases)) != len(self.phases):
            raise ValueError("a hook phase is listed twice; list each phase once")
        if len(set(self.deletePolicy)) != len(self.deletePolicy):
            raise ValueError("a delete policy is listed twice; list each once")
        return self


class JobSettings(Model):
    restartPolicy: Literal["OnFailure", "Never"] = Field(
        "OnFailure",
        description="OnFailure restarts a failed container in its pod; Never starts a new pod.",
    )
    backoffLimit: Count | None = Field(
        None, description="Retries before the Job is failed; Kubernetes' 6 when unset."
    )
    activeDeadlineSeconds: Positive | None = Field(
        None, description="Seconds the Job may run in all, retries included, before it is failed."
    )
    ttlSecondsAfterFinished: Count | None = Field(
        None, description="Seconds after it finished that the Job (and its pods) is deleted."
    )
    completions: Positive | None = Field(
        None, description="Successful pods the Job needs; 1 when unset."
    )
    parallelism: Count | None = Field(
        None, description="Pods running at once; 1 when unset."
    )
    hook: JobHook | None = Field(
        None,
        description="Run the Job as a Helm hook (Jobs only), e.g. a database migration before "
        "`helm upgrade` rolls out the new version.",
    )


class CronJobSettings(Model):
    schedule: Annotated[str, StringConstraints(min_length=1)] = Field(
        description="Cron schedule: five fields (minute hour day-of-month month day-of-week) or "
        "a macro such as `@daily`.",
        examples=["30 2 * * *"],
    )
    timeZone: (
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")]
        | None
    ) = Field(
        None, description="IANA time zone of the schedule; the controller's (UTC) when unset.",
        examples=["Europe/Berlin"],
    )

    concurrencyPolicy: Literal["Allow", "Forbid", "Replace"] = Field(
        "Forbid",
        description="A run due while the last one still runs: Forbid skips it, Replace stops the "
        "old one, Allow runs both.",
    )
    suspend: Bool = Field(False, description="Stop scheduling new runs.")
    successfulJobsHistoryLimit: Count | None = Field(
        None, description="Finished successful Jobs kept; Kubernetes' 3 when unset."
    )
    failedJobsHistoryLimit: Count | None = Field(
        None, description="Failed Jobs kept; Kubernetes' 1 when unset."
    )
    startingDeadlineSeconds: Count | None = Field(
        None, description="A run that could not start this many seconds after its time is skipped."
    )

    @field_validator("timeZone", mode="after")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        # validateTimeZone loads the zone from the IANA database and refuses Local.
        if zone is not None and not time_zone_known(zone):
            raise ValueError(f"{zone!r} is not a time zone of the IANA database "
                             "(e.g. Europe/Berlin, UTC)")
        return zone


#: Fields a kind cannot have, with the reason, checked when the field is written.
NOT_FOR_KIND: dict[str, dict[WorkloadKind, str]] = {
    "replicas": {
        WorkloadKind.DAEMONSET: "a DaemonSet runs one pod per node",
        WorkloadKind.JOB: "a Job runs its pods to completion (see job.completions)",
        WorkloadKind.CRONJOB: "a CronJob runs its pods to completion (see job.completions)",
    },
    "scaling": {
        WorkloadKind.DAEMONSET: "a DaemonSet runs one pod per node and is not autoscaled",
        WorkloadKind.JOB: "a Job runs to completion and is not autoscaled",
        WorkloadKind.CRONJOB: "a CronJob runs to completion and is not autoscaled",
    },
    "podDisruptionBudget": {
        WorkloadKind.DAEMONSET: "node drains do not evict DaemonSet pods",
        WorkloadKind.JOB: "a Job's pods are not kept running",
        WorkloadKind.CRONJOB: "a CronJob's pods are not kept running",
    },
    "strategy": {
        WorkloadKind.JOB: "a Job is not rolled out",
        WorkloadKind.CRONJOB: "a CronJob is not rolled out",
    },
    "service": {
        WorkloadKind.JOB: "a Job's pods come and go, so no Service is rendered for them",
        WorkloadKind.CRONJOB: "a CronJob's pods come and go, so no Service is rendered for them",
    },
    "ingress": {
        WorkloadKind.JOB: "a Job has no Service to route to",
        WorkloadKind.CRONJOB: "a CronJob has no Service to route to",
    },
    "job": {
        WorkloadKind.DEPLOYMENT: "`job` is for the kinds Job and CronJob",
        WorkloadKind.STATEFULSET: "`job` is for the kinds Job and CronJob",
        WorkloadKind.DAEMONSET: "`job` is for the kinds Job and CronJob",
    },
    "cronJob": {
        kind: "`cronJob` is for the kind CronJob"
        for kind in WorkloadKind if kind != WorkloadKind.CRONJOB
    },
}


class Component(Model):
    enabled: Bool = Field(True, description="Render this component.")
    kind: WorkloadKind = Field(
        WorkloadKind.DEPLOYMENT,
        description="Deployment; StatefulSet for persistent per-replica storage; Job to run once "
        "(optionally as a Helm hook); CronJob to run on a schedule; DaemonSet for one pod per "
        "node.",
    )
    replicas: Count = Field(
        1, description="Replicas when `scaling` is off (Deployment and StatefulSet)."
    )
    strategy: Strategy = Field(
        default_factory=Strategy, description="Rollout strategy (Deployment and DaemonSet)."
    )
    job: JobSettings | None = Field(
        None, description="How the pods run to completion (Job and CronJob)."
    )
    cronJob: CronJobSettings | None = Field(
        None, description="The schedule (CronJob; required there)."
    )
    securityProfile: Literal["restricted", "baseline"] = Field(
        "restricted",
        description="Pod Security Standard the pods meet: `restricted` (non-root, read-only root "
        "filesystem, no capabilities) or `baseline` for images that must start as root.",
    )
    podSecurityContext: dict[str, Any] = Field(
        default_factory=dict,
        description="Overrides merged into the pod securityContext (fsGroup, runAsUser, …).",
    )
    containers: dict[ContainerName, Container] = Field(
        description="Containers of the pod, by name. They share the network: ports must differ.",
        min_length=1,
    )
    initContainers: dict[ContainerName, Container] = Field(
        default_factory=dict,
        description="Init containers, run in name order before the containers.",
    )
    service: Service = Field(default_factory=Service, description="The component's Service.")
    ingress: Ingress | None = Field(None, description="HTTP(S) routes from outside the cluster.")
    scaling: Scaling | None = Field(
        None,
        description="Autoscaling: CPU/memory → HorizontalPodAutoscaler; concurrency or requests "
        "per second → KEDA HTTPScaledObject; triggers or minReplicas 0 → KEDA ScaledObject.",
    )
    podDisruptionBudget: PodDisruptionBudget = Field(
        default_factory=PodDisruptionBudget, description="Voluntary disruption budget."
    )
    serviceAccount: ServiceAccount = Field(
        default_factory=ServiceAccount, description="Identity of the pods."
    )
    volumes: dict[VolumeName, Volume] = Field(
        default_factory=dict,
        description="Volumes by name; containers mount them through `volumeMounts`.",
        examples=[{"data": {"size": "1Gi"}}],
    )
    nodeSelector: Labels = Field(default_factory=dict, description="Node labels to run on.")
    tolerations: list[dict[str, Any]] = Field(
        default_factory=list, description="Taints to tolerate."
    )
    affinity: dict[str, Any] = Field(default_factory=dict, description="Pod affinity rules.")
    topologySpreadConstraints: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Spread rules; the chart fills `labelSelector` with the component's selector "
        "when omitted.",
    )
    hostAliases: dict[
        Annotated[str, StringConstraints(pattern=IP_ADDRESS)], list[ResourceName]
    ] = Field(
        default_factory=dict,
        description="Extra /etc/hosts entries: IP → hostnames.",
        examples=[{"10.0.0.5": ["db.internal"]}],
    )
    hostname: Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=63)] | None = (
        Field(None, description="Pod hostname.")
    )
    terminationGracePeriodSeconds: Count64 | None = Field(
        None, description="Seconds a pod has to stop before it is killed."
    )
    priorityClassName: ClassName | None = Field(None, description="Priority class.")
    labels: Labels = Field(
        default_factory=dict, description="Labels on this component's objects (never in selectors)."
    )
    annotations: Annotations = Field(
        default_factory=dict, description="Annotations on its objects."
    )
    podLabels: Labels = Field(default_factory=dict, description="Extra pod labels.")
    podAnnotations: Annotations = Field(
        default_factory=dict, description="Extra pod annotations."
    )
    metrics: Metrics | None = Field(
        None,
        description="The component's Prometheus metrics endpoint, scraped through a "
        "ServiceMonitor, a PodMonitor and/or pod annotations, as `global.metrics` and "
        "`metrics.monitor` choose.",
        examples=[{"port": "metrics", "path": "/metrics", "interval": "30s"}],
    )
    upstreams: list[Peer] = Field(
        default_factory=list,
        description="Services this component may call (NetworkPolicy egress, Istio Sidecar).",
        examples=[[{"component": "db"}, {"project": "billing", "service": "*"}]],
    )
    whitelists: list[Peer] = Field(
        default_factory=list,
        description="Callers admitted to this component (NetworkPolicy ingress, Istio "
        "AuthorizationPolicy). Empty: no caller is admitted when a policy is enabled.",
        examples=[[{"component": "web"}, {"project": "*"}]],
    )

    # What the chart derives from `metrics` (chart/templates/_metrics.tpl), derived once here for
    # lint; a test renders every example to prove the two agree.

    def metrics_port(self) -> tuple[str, int] | None:
        """(name, number) of the container port `metrics.port` names: a port of that name, or the
        TCP port of that number; None when there is none (the chart fails then)."""
        if self.metrics is None:
            return None
        want = self.metrics.port
        for _, container in sorted(self.containers.items()):
            for name, port in sorted(container.ports.items()):
                if name == want or (
                    isinstance(want, int) and port.containerPort == want and port.protocol == "TCP"
                ):
                    return name, port.containerPort
        return None

    def metrics_service_port(self) -> str | None:
        """Name of the Service port forwarding to the metrics port; None when the Service has none
        (or no Service is rendered)."""
        found = self.metrics_port()
        if found is None or not self.service.enabled or not self.serves:
            return None
        name, number = found
        if not self.service.ports:
            return name
        for sname, sp in sorted(self.service.ports.items()):
            target = sname if sp.targetPort is None else sp.targetPort
            if target in (name, number):
                return sname
        return None

    def metrics_monitor(
        self, defaults: MetricsGlobal
    ) -> Literal["ServiceMonitor", "PodMonitor"] | None:
        """The Prometheus Operator object rendered for the metrics: `auto` picks a ServiceMonitor
        when the metrics port is on the Service, else a PodMonitor."""
        if self.metrics is None or not self.metrics.enabled:
            return None
        kind = self.metrics.monitor or defaults.monitor
        if kind == "auto":
            return "ServiceMonitor" if self.metrics_service_port() is not None else "PodMonitor"
        if kind == "none":
            return None
        return kind

    def metrics_annotations(self, defaults: MetricsGlobal) -> bool:
        """Whether the pods carry the `prometheus.io/*` scrape annotations."""
        if self.metrics is None or not self.metrics.enabled:
            return False
        if self.metrics.annotations is None:
            return defaults.annotations
        return self.metrics.annotations

    @field_validator(*NOT_FOR_KIND, mode="after")
    @classmethod
    def _fits_kind(cls, value: Any, info: ValidationInfo) -> Any:
        kind = info.data.get("kind")
        reason = NOT_FOR_KIND[str(info.field_name)].get(kind) if kind is not None else None
        if reason is not None:
            raise ValueError(f"{reason}; remove `{info.field_name}` from this {kind}")
        return value

    @model_validator(mode="after")
    def _kind_needs(self) -> Component:
        if self.kind == WorkloadKind.CRONJOB and self.cronJob is None:
            raise ValueError("a CronJob needs `cronJob.schedule`; add `cronJob: {schedule: ...}`")
        if self.kind == WorkloadKind.CRONJOB and self.job is not None and self.job.hook:
            raise ValueError("job.hook: a CronJob runs on its schedule, not as a Helm hook; "
                             "use kind Job for a hook")
        # ValidateRollingUpdateDaemonSet: a DaemonSet surges or leaves nodes short, not both.
        if self.kind == WorkloadKind.DAEMONSET and self.strategy.maxSurge not in (0, "0%") and \
                self.strategy.maxUnavailable not in (0, "0%"):
            raise ValueError("strategy: a DaemonSet sets maxSurge or maxUnavailable, not both; "
                             "set one of them to 0")
        # validateSleepAction: a sleep hook ends within the grace period, or is cut off.
        grace = self.terminationGracePeriodSeconds
        grace = 30 if grace is None else grace
        for section in (self.initContainers, self.containers):
            for cname, ctr in section.items():
                for hook in (ctr.lifecycle.preStop, ctr.lifecycle.postStart) if ctr.lifecycle \
                        else ():
                    seconds = (hook.sleep or {}).get("seconds") if hook is not None else None
                    if seconds is not None and seconds > grace:
                        raise ValueError(f"container {cname}: a sleep hook of {seconds}s is "
                                         f"longer than terminationGracePeriodSeconds ({grace})")
        return self

    @property
    def serves(self) -> bool:
        """Whether its pods keep running to serve (a Service, an ingress, derived probes)."""
        return self.kind in SERVING_KINDS

    def exposure(self, defaults: Global) -> tuple[bool, bool]:
        """(Ingress, Gateway API routes): what the chart renders for the component's `ingress`
        (chart/templates/_exposure.tpl derives the same)."""
        ing = self.ingress
        if ing is None or not ing.enabled or not self.serves:
            return False, False
        mode = ing.exposure or defaults.exposure
        return mode in ("ingress", "both"), mode in ("gateway", "both")

    def gateway_parent(self, defaults: Global) -> GatewayParent:
        """The parentRef of the component's routes: its own `ingress.gateway` fields, each unset
        one from `global.gateway`."""
        own = self.ingress.gateway if self.ingress is not None else None
        base = defaults.gateway
        if own is None:
            return GatewayParent(name=base.name, namespace=base.namespace,
                                 sectionName=base.sectionName)
        return GatewayParent(
            name=own.name or base.name,
            namespace=own.namespace or base.namespace,
            sectionName=own.sectionName or base.sectionName,
        )

    def route_kind(self, path: IngressPath) -> Literal["HTTPRoute", "GRPCRoute"]:
        """The Gateway API route a path renders as: its `protocol` when set, else HTTPRoute for a
        redirect, else GRPCRoute when the Service port it routes to has `appProtocol: grpc` or is
        named `grpc` / `grpc-*` (the naming convention Istio reads), else HTTPRoute. The chart
        derives the same (chart/templates/_routes.tpl)."""
        if path.protocol is not None:
            return "GRPCRoute" if path.protocol == "grpc" else "HTTPRoute"
        if path.redirect is not None:
            return "HTTPRoute"
        target = self.routed_service_port(path.port)
        if target is None:
            return "HTTPRoute"
        name, app_protocol = target
        grpc = app_protocol == "grpc" or name == "grpc" or name.startswith("grpc-")
        return "GRPCRoute" if grpc else "HTTPRoute"

    def routed_service_port(self, ref: int | str | None) -> tuple[str, str | None] | None:
        """(name, appProtocol) of the Service port an exposure path names (the first port by name
        when it names none), as the chart resolves it; None when there is no such port."""
        ports: list[tuple[str, int | None, str | None]] = []
        if self.service.ports:
            for name, sp in sorted(self.service.ports.items()):
                number = sp.port
                if number is None:
                    target = sp.targetPort if sp.targetPort is not None else name
                    number = target if isinstance(target, int) else next(
                        (cp.containerPort for c in self.containers.values()
                         for cname, cp in c.ports.items() if cname == target), None)
                ports.append((name, number, sp.appProtocol))
        else:
            for _, container in sorted(self.containers.items()):
                for name, cp in sorted(container.ports.items()):
                    ports.append((name, cp.containerPort, None))
            ports.sort(key=lambda entry: entry[0])
        for name, number, app_protocol in ports:
            if ref is None or ref == name or (isinstance(ref, int) and ref == number):
                return name, app_protocol
        return None

    @property
    def replicated(self) -> bool:
        """Whether it runs a number of replicas (replicas, scaling, a PodDisruptionBudget)."""
        return self.kind in REPLICATED_KINDS

    @property
    def claims(self) -> Literal["template", "shared"]:
        """How its persistent volumes are claimed: one claim per pod from volumeClaimTemplates
        (StatefulSet), or one claim `<name>-<volume>` that every pod mounts."""
        return "template" if self.kind == WorkloadKind.STATEFULSET else "shared"

    @property
    def hook(self) -> JobHook | None:
        """The Helm hook the component's Job runs as, if any."""
        return self.job.hook if self.kind == WorkloadKind.JOB and self.job else None


class TestHook(Model):
    enabled: Bool = Field(
        True, description="Render the `helm test` hook that checks every Service port."
    )
    image: Image = Field(
        default_factory=lambda: Image(repository="busybox", tag="1.36.1"),
        description="Image with `nc`, used by the test hook.",
    )


class SharedServicePort(Model):
    port: PortNumber = Field(description="Port the Service listens on.")
    targetPort: PortRef = Field(
        description="Container port (name or number) of the selected pods."
    )
    protocol: Protocol = Field(Protocol.TCP, description="TCP, UDP or SCTP.")
    appProtocol: str | None = Field(
        None, description="Application protocol; `http` makes the split an HTTP route."
    )


class SplitBackend(Model):
    weight: Annotated[int, Field(ge=0, le=100), NOT_TEXT] = Field(
        description="Percent of the requests this component's Service gets (the weights of one "
        "port sum to 100)."
    )
    port: PortNumber | None = Field(
        None, description="Port of that component's Service; the shared port's number when unset."
    )


class SharedService(Model):
    selector: Annotated[dict[str, str], Field(min_length=1)] = Field(
        description="Pod labels (`podLabels`) of the components it reaches, e.g. every version "
        "of one service; only pods of this release are selected.",
        examples=[{"app": "orders"}],
    )
    ports: Annotated[dict[PortName, SharedServicePort], Field(min_length=1)] = Field(
        description="Ports of the Service, by name."
    )
    split: dict[PortName, dict[ComponentId, SplitBackend]] = Field(
        default_factory=dict,
        description="Per port, how requests are shared between components' Services; with "
        "`global.mesh.istio` a VirtualService does it, without a mesh the Service spreads them "
        "over every selected pod.",
        examples=[{"http": {"orders-v1": {"weight": 90}, "orders-v2": {"weight": 10}}}],
    )


class Values(Model):
    """The chart's values."""

    global_: Global = Field(
        default_factory=Global, alias="global", description="Settings for every component."
    )
    nameOverride: Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=63)] | None = (
        Field(None, description="Replaces the chart name in `app.kubernetes.io/name`.")
    )
    components: dict[ComponentId, Component] = Field(
        default_factory=dict,
        description="The services, by id. The id names the Service, so its DNS name is "
        "`<id>.<namespace>.svc.cluster.local`.",
    )
    tests: TestHook = Field(default_factory=TestHook, description="`helm test` hook.")
    services: dict[ComponentId, SharedService] = Field(
        default_factory=dict,
        description="Services reaching several components, by name (the DNS name "
        "`<name>.<namespace>.svc.cluster.local`), such as one Service over every version of a "
        "service; a name must not be a component's Service name.",
    )


Global.model_rebuild()
Values.model_rebuild()
