"""Facts several rules derive from a component the same way the chart does."""

from __future__ import annotations

from collections.abc import Iterator

from svcgen.lint.registry import Context, Path
from svcgen.model import Component, Container, ContainerPort


def base(cid: str) -> Path:
    return ("components", cid)


def containers(comp: Component, *, init: bool = True) -> Iterator[tuple[str, str, Container]]:
    """(section, name, container) for the containers, then the init containers."""
    for name, c in comp.containers.items():
        yield "containers", name, c
    if init:
        for name, c in comp.initContainers.items():
            yield "initContainers", name, c


def container_ports(comp: Component) -> dict[str, tuple[str, ContainerPort]]:
    """Port name → (container, port) over the pod's (non-init) containers; first one wins."""
    ports: dict[str, tuple[str, ContainerPort]] = {}
    for name, c in comp.containers.items():
        for pname, port in c.ports.items():
            ports.setdefault(pname, (name, port))
    return ports


def service_ports(comp: Component) -> dict[str, int] | None:
    """Service port name → number as the chart renders them; None when no Service is rendered
    (service.enabled is false, or the kind does not serve: a Job's pods come and go)."""
    if not comp.service.enabled or not comp.serves:
        return None
    cports = container_ports(comp)
    if not comp.service.ports:
        result = {name: port.containerPort for name, (_, port) in cports.items()}
        return result or None
    result = {}
    for name, sp in comp.service.ports.items():
        number = sp.port
        if number is None:
            target = sp.targetPort if sp.targetPort is not None else name
            if isinstance(target, int):
                number = target
            elif target in cports:
                number = cports[target][1].containerPort
        if number is not None:
            result[name] = number
    return result


def service_name(cid: str, comp: Component) -> str:
    return comp.service.name or cid


def prefix(ctx: Context) -> tuple[str, bool]:
    """The release prefix of object names, and whether its length is only assumed."""
    if ctx.values is None or not ctx.values.global_.prefixWithRelease:
        return "", False
    if ctx.options.release:
        return ctx.options.release + "-", False
    return "r" * ctx.options.assumed_release_length + "-", True


def scaled(comp: Component) -> bool:
    return comp.scaling is not None and comp.scaling.enabled


def most_replicas(comp: Component) -> int:
    if comp.scaling is not None and comp.scaling.enabled:
        return comp.scaling.maxReplicas
    return comp.replicas


def fewest_replicas(comp: Component) -> int:
    if comp.scaling is not None and comp.scaling.enabled:
        return comp.scaling.minReplicas
    return comp.replicas
