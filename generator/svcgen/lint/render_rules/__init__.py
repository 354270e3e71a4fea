"""What a real API server checks beyond the schema, applied offline to the rendered objects.

The JSON schemas (SVC903) check shapes; the API server's validation checks meaning: a label
value of 64 characters, a port name of digits only, an ``allowPrivilegeEscalation: false`` on a
privileged container all fit the schema and are refused at ``helm install``. Each rule here
follows one validation function of kubernetes/kubernetes (or of the admission of a CRD the chart
renders: the Gateway API's CEL rules, KEDA's webhook) named in its docstring, and is registered
with lint's rules (ids ``SVC91x``-``SVC93x``), so ``svcgen rules``, ``svcgen explain`` and the
README's table list them and ``--select``/``--ignore`` apply.

A rule checks one object of the kinds it names, or (``render=True``) the whole render at once for
what spans objects (two objects of one name, a ScaledObject and the workload it scales). The rules
of a kind are looked up once per kind and their patterns compiled once per process, so a render
of 1000 components costs one pass over its objects.

Each problem carries candidate values paths, most specific first (relative to the component that
owns the object, or absolute when they start at ``global``/``components``); the engine places the
finding at the first one written in the values, as SVC903 does.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from svcgen.diagnostics import Severity
from svcgen.lint.registry import PathPart, Rule, declare

ValuesPath = tuple[PathPart, ...]


@dataclass(frozen=True)
class Violation:
    """One refusal a rule predicts: the field of the object and where its value was written."""

    path: str
    message: str
    #: Candidate values paths, most specific first (see the module docstring).
    values: tuple[ValuesPath, ...] = ()
    #: For render-wide rules: the index of the object the violation belongs to.
    index: int = -1


@dataclass(frozen=True)
class Version:
    """The Kubernetes version validated for: some rules changed between releases."""

    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = re.match(r"^v?(\d+)\.(\d+)", text)
        return cls(int(match.group(1)), int(match.group(2))) if match else cls(1, 35)

    def at_least(self, minor: int) -> bool:
        return (self.major, self.minor) >= (1, minor)


ObjectCheck = Callable[[dict[str, Any], Version], Iterable[Violation]]
RenderCheck = Callable[[Sequence[dict[str, Any]], Version], Iterable[Violation]]


@dataclass(frozen=True)
class ApiRule:
    rule: Rule
    #: Kinds the rule reads; empty: every kind.
    kinds: frozenset[str]
    check: Callable[..., Iterable[Violation]]
    render: bool = False


API_RULES: list[ApiRule] = []


def api_rule(
    id: str, name: str, summary: str, *, kinds: Iterable[str] = (), render: bool = False,
    severity: Severity = Severity.ERROR,
) -> Callable[[Callable[..., Iterable[Violation]]], Callable[..., Iterable[Violation]]]:
    """Register a check as an API rule and as a lint rule; its docstring is the rationale."""

    def register(check: Callable[..., Iterable[Violation]]) -> Callable[..., Iterable[Violation]]:
        doc = inspect.cleandoc(check.__doc__ or "")
        if "kubernetes/kubernetes" not in doc and "Gateway API" not in doc and "KEDA" not in doc:
            raise RuntimeError(f"rule {id} must name the upstream validation it follows")
        r = declare(id, name, severity, summary + " (--render)", doc)
        API_RULES.append(ApiRule(r, frozenset(kinds), check, render))
        return check

    return register


@dataclass(frozen=True)
class ApiProblem:
    """A violation of one rendered object, as the engine reports it."""

    rule: Rule
    kind: str
    name: str
    api_version: str
    path: str
    message: str
    values: tuple[ValuesPath, ...] = field(default=())
    #: The component whose object it is (its ``app.kubernetes.io/component`` label), if any.
    component: str | None = None


def api_rule_ids() -> frozenset[str]:
    """The ids of every API rule (SVC910-SVC927)."""
    return frozenset(r.rule.id for r in API_RULES)


@functools.cache
def _object_rules(kind: str, active: frozenset[str]) -> tuple[ApiRule, ...]:
    return tuple(r for r in API_RULES if not r.render and r.rule.id in active
                 and (not r.kinds or kind in r.kinds))


def validate(
    objects: Sequence[dict[str, Any]], kube_version: str, active: Iterable[str] | None = None
) -> list[ApiProblem]:
    """Every predicted refusal of the rendered ``objects`` for ``kube_version``."""
    ids = frozenset(r.rule.id for r in API_RULES) if active is None else frozenset(active)
    version = Version.parse(kube_version)
    problems: list[ApiProblem] = []
    for obj in objects:
        for r in _object_rules(str(obj.get("kind", "")), ids):
            problems += [_problem(r.rule, obj, v) for v in r.check(obj, version)]
    for r in API_RULES:
        if r.render and r.rule.id in ids:
            problems += [_problem(r.rule, objects[v.index], v) for v in r.check(objects, version)]
    return problems


def _problem(r: Rule, obj: dict[str, Any], v: Violation) -> ApiProblem:
    meta = mapping(obj, "metadata")
    component = mapping(meta, "labels").get("app.kubernetes.io/component")
    return ApiProblem(r, str(obj.get("kind", "")), str(meta.get("name", "")),
                      str(obj.get("apiVersion", "")), v.path, v.message, v.values,
                      str(component) if component else None)


# --- what several rules walk -------------------------------------------------------------------

#: The kinds whose objects carry a pod template, and where it is.
POD_TEMPLATE_AT: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "Pod": (),
}
POD_KINDS = frozenset(POD_TEMPLATE_AT)


def pod_spec(obj: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(dotted path, spec) of an object's pod spec, or None when it has none."""
    where = POD_TEMPLATE_AT.get(str(obj.get("kind")))
    if where is None:
        return None
    node: Any = obj
    for part in where:
        node = node.get(part) if isinstance(node, dict) else None
    spec = node.get("spec") if isinstance(node, dict) else None
    return (".".join((*where, "spec")), spec) if isinstance(spec, dict) else None


def containers(
    obj: dict[str, Any],
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(dotted path, values key: containers or initContainers, container) of a pod's containers."""
    found = pod_spec(obj)
    if found is None:
        return
    at, spec = found
    for key in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(key) or []):
            if isinstance(c, dict):
                yield f"{at}.{key}[{i}]", key, c


def container_values(key: str, c: dict[str, Any], *rest: PathPart) -> ValuesPath:
    """The values path of a field of a rendered container (named after its values key)."""
    return (key, str(c.get("name", "")), *rest)


def mapping(node: Any, *path: str) -> dict[str, Any]:
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def sequence(node: Any, *path: str) -> list[Any]:
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, list) else []


# Importing the rule modules registers them; they import the helpers above, so they come last.
from svcgen.lint.render_rules import (  # noqa: E402
    gateway,
    keda,
    metadata,
    pods,
    scheduling,
    security,
    workloads,
)

__all__ = ["gateway", "keda", "metadata", "pods", "scheduling", "security", "workloads"]
