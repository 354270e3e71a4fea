"""kompose labels: the instructions Compose files carry for kompose, read as the chart's settings.

Projects that convert with kompose write ``kompose.service.type: nodeport``,
``kompose.service.expose: shop.example.com``, ``kompose.volume.size: 5Gi`` and probe labels on
their services. They are instructions to a converter, not labels for the objects, so they never
become Kubernetes labels: each one is converted where the chart has the concept (Service type and
node port, ingress host, class and TLS Secret, volume size and class, probes, pull policy,
fsGroup, service account, autoscaling) and reported otherwise. An explicit ``x-svcgen`` setting
wins over a kompose label.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svcgen.readers.compose.units import decimal, duration_seconds, whole_seconds

if TYPE_CHECKING:
    from svcgen.readers.compose.mapping import ServiceConverter

PREFIX = "kompose."

_SERVICE_TYPES = {"clusterip": "ClusterIP", "nodeport": "NodePort",
                  "loadbalancer": "LoadBalancer", "headless": "Headless"}
_PULL_POLICIES = {"always": "Always", "never": "Never", "ifnotpresent": "IfNotPresent"}

#: kompose labels the chart has no place for → (why, what to do).
REPORTED: dict[str, tuple[str, str]] = {
    "kompose.service.group": (
        "each Compose service is its own component (pod)",
        "put the containers in one component through x-svcgen.values"),
    "kompose.controller.type": (
        "the workload kind follows the service (see the README's Compose mapping)",
        "set x-svcgen.kind"),
    "kompose.volume.type": (
        "the volume kind follows the Compose volume (named → claim, tmpfs → emptyDir)",
        "declare the volume the way it should be mounted"),
    "kompose.volume.sub-path": (
        "a sub-path is set per mount", "write it as volumes[].volume.subpath"),
    "kompose.image-pull-secret": (
        "pull secrets are set for the whole release",
        "list the Secret in x-svcgen.global.imagePullSecrets"),
    "kompose.service.external-traffic-policy": (
        "the chart's Service has no externalTrafficPolicy", "nothing to do"),
}

_PROBE_KEYS = {"disable", "test", "http_get_path", "http_get_port", "tcp_port", "interval",
               "timeout", "retries", "start_period"}
_LIVENESS_KEYS = {"http_get_path", "http_get_port", "tcp_port"}


@dataclass
class Kompose:
    """What the kompose labels of one service ask for."""

    service_type: str | None = None
    node_port: int | None = None
    #: None: no ingress; []: an ingress on the default host; else these hosts.
    expose: list[str] | None = None
    tls_secret: str | None = None
    ingress_class: str | None = None
    volume_size: str | None = None
    storage_class: str | None = None
    pull_policy: str | None = None
    probes: dict[str, dict[str, Any]] = field(default_factory=dict)
    pod_security: dict[str, int] = field(default_factory=dict)
    service_account: str | None = None
    scaling: dict[str, int] = field(default_factory=dict)


def read_kompose(conv: ServiceConverter, labels: dict[str, str]) -> Kompose:
    """The settings of the ``kompose.*`` entries of ``labels``; each entry is marked as handled
    (converted, or reported with its reason), and a value kompose would refuse is an error."""
    out = Kompose()
    probe_labels: dict[str, dict[str, tuple[str, tuple[str | int, ...]]]] = {}
    for name, value in labels.items():
        if not name.startswith(PREFIX):
            continue
        path: tuple[str | int, ...] = ("labels", name)
        conv.use(*path)
        if name in REPORTED:
            conv.skip(path, *REPORTED[name])
            continue
        if name == "kompose.service.type":
            chosen = _SERVICE_TYPES.get(value.lower())
            if chosen is None:
                raise conv.fail(path, f"kompose.service.type {value!r} is not a Service type",
                                f"use one of {', '.join(_SERVICE_TYPES)}")
            out.service_type = chosen
        elif name == "kompose.service.nodeport.port":
            port = decimal(value)
            if port is None or not 30000 <= port <= 32767:
                raise conv.fail(path, f"node port {value!r} is not in 30000-32767",
                                "use a port of the cluster's node port range")
            out.node_port = port
        elif name == "kompose.service.expose":
            out.expose = [] if value.lower() == "true" else [
                h.strip() for h in value.split(",") if h.strip()]
        elif name == "kompose.service.expose.tls-secret":
            out.tls_secret = value
        elif name == "kompose.service.expose.ingress-class-name":
            out.ingress_class = value
        elif name == "kompose.volume.size":
            out.volume_size = value
        elif name == "kompose.volume.storage-class-name":
            out.storage_class = value
        elif name == "kompose.image-pull-policy":
            policy = _PULL_POLICIES.get(value.lower())
            if policy is None:
                raise conv.fail(path, f"image pull policy {value!r} is not one Kubernetes knows",
                                "use Always, Never or IfNotPresent")
            out.pull_policy = policy
        elif name == "kompose.security-context.fsgroup":
            out.pod_security["fsGroup"] = _number(conv, path, value)
        elif name == "kompose.serviceaccount-name":
            out.service_account = value
        elif name.startswith("kompose.hpa."):
            key = {"kompose.hpa.replicas.min": "minReplicas",
                   "kompose.hpa.replicas.max": "maxReplicas", "kompose.hpa.cpu": "targetCPU",
                   "kompose.hpa.memory": "targetMemory"}.get(name)
            if key is None:
                conv.skip(path, f"{name} is not a kompose label", "remove it")
                continue
            out.scaling[key] = _number(conv, path, value)
        elif name.startswith("kompose.service.healthcheck."):
            probe, _, key = name.removeprefix("kompose.service.healthcheck.").partition(".")
            allowed = _PROBE_KEYS if probe == "readiness" else _LIVENESS_KEYS
            if probe not in ("readiness", "liveness") or key not in allowed:
                conv.skip(path, f"{name} is not a kompose label", "remove it")
                continue
            probe_labels.setdefault(probe, {})[key] = (value, path)
        else:
            conv.skip(path, f"{name} is not a kompose label the chart knows", "remove it")
    for probe, keys in probe_labels.items():
        out.probes[probe] = _probe(conv, keys)
    if out.scaling and "maxReplicas" not in out.scaling:
        raise conv.fail(("labels",), "kompose.hpa labels without kompose.hpa.replicas.max",
                        "add kompose.hpa.replicas.max")
    return out


def _number(conv: ServiceConverter, path: tuple[str | int, ...], value: str) -> int:
    number = decimal(value)
    if number is None:
        raise conv.fail(path, f"{value!r} is not a whole number", "write a whole number")
    return number


def _probe(conv: ServiceConverter,
           keys: dict[str, tuple[str, tuple[str | int, ...]]]) -> dict[str, Any]:
    """The probe kompose builds from ``kompose.service.healthcheck.<probe>.*`` labels."""
    if "disable" in keys and keys["disable"][0].lower() == "true":
        return {"enabled": False}
    probe: dict[str, Any] = {}
    if "test" in keys:
        text, path = keys["test"]
        probe["exec"] = {"command": _command(conv, path, text)}
    if "http_get_path" in keys or "http_get_port" in keys:
        if "http_get_port" not in keys:
            raise conv.fail(keys["http_get_path"][1], "http_get_path needs http_get_port",
                            "add kompose.service.healthcheck.*.http_get_port")
        text, path = keys["http_get_port"]
        probe["httpGet"] = {"path": keys.get("http_get_path", ("/", ()))[0],
                            "port": _number(conv, path, text)}
    if "tcp_port" in keys:
        text, path = keys["tcp_port"]
        probe["tcpSocket"] = {"port": _number(conv, path, text)}
    handlers = [k for k in ("exec", "httpGet", "tcpSocket") if k in probe]
    if len(handlers) != 1:
        where = next(iter(keys.values()))[1]
        raise conv.fail(where, "kompose probe labels need exactly one of test, http_get_port and "
                        f"tcp_port (found {len(handlers)})", "keep one kind of check")
    for key, target, minimum in (("interval", "periodSeconds", 1),
                                 ("timeout", "timeoutSeconds", 1),
                                 ("start_period", "initialDelaySeconds", 0)):
        if key in keys:
            text, path = keys[key]
            seconds = duration_seconds(text)
            if seconds is None:
                raise conv.fail(path, f"{text!r} is not a duration", "write for example 10s")
            probe[target] = whole_seconds(seconds, minimum)
    if "retries" in keys:
        text, path = keys["retries"]
        probe["failureThreshold"] = max(1, _number(conv, path, text))
    return probe


def _command(conv: ServiceConverter, path: tuple[str | int, ...], text: str) -> list[str]:
    """A test written as a list (``["CMD", "pg_isready"]``) or as words; CMD-SHELL runs a shell."""
    words: Any
    try:
        words = json.loads(text) if text.lstrip().startswith("[") else shlex.split(text)
    except ValueError:
        words = None
    if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
        raise conv.fail(path, f"test {text!r} is not a command", 'write ["CMD", "program", …]')
    if words[0] == "CMD-SHELL":
        return ["/bin/sh", "-c", " ".join(words[1:])]
    if words[0] == "CMD":
        words = words[1:]
    if not words:
        raise conv.fail(path, "the test has no command", "name the command to run")
    return list(words)
