"""Names that YAML 1.1 reads as booleans, nulls or numbers must still render as strings.

Kubernetes parses manifests with a YAML 1.1 reader: an unquoted `y`, `on` or `123` becomes a
boolean or a number, and the API server rejects the object (or, in a label, selects nothing).
"""

from __future__ import annotations

from typing import Any

import pytest
from chartutil import render

from svcgen.kube import validate_objects

AMBIGUOUS: dict[str, Any] = {
    "global": {
        "networkPolicy": {"enabled": True},
        "mesh": {"istio": True},
        "imagePullSecrets": ["no"],
        "ingressClassName": "off",
    },
    "components": {
        "y": {
            "containers": {
                "123": {
                    "image": {"repository": "nginx", "tag": "1.27"},
                    "ports": {"on": {"containerPort": 8080}},
                    "env": {"n": "yes"},
                    "secretEnv": {"TOKEN": {"secret": "true", "key": "null"}},
                    "volumeMounts": {"1": {"mountPath": "/data"}},
                }
            },
            "volumes": {"1": {"size": "1Gi"}},
            "ingress": {"hosts": {"y.example.com": {}}, "tls": {"secretName": "yes"}},
            "scaling": {"maxReplicas": 3},
            "whitelists": [{"component": "on"}, {"project": "no", "service": "off"}],
            "upstreams": [{"component": "on"}],
            "hostname": "n",
        },
        "on": {
            "kind": "StatefulSet",
            "containers": {
                "app": {
                    "image": {"repository": "nginx", "tag": "1.27"},
                    "ports": {"http": {"containerPort": 8080}},
                }
            },
            "volumes": {"data": {"size": "1Gi"}},
            "scaling": {"maxReplicas": 3, "concurrency": 10},
            "podDisruptionBudget": {"enabled": True},
        },
    },
}


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return render(AMBIGUOUS, namespace="demo", release="off")


@pytest.mark.parametrize("kube_version", ["1.29.0", "1.35.0"])
def test_yaml_ambiguous_names_render_as_valid_strings(
    objects: list[dict[str, Any]], kube_version: str
) -> None:
    assert objects, "nothing rendered"
    assert validate_objects(objects, kube_version) == []


def test_yaml_ambiguous_component_ids_stay_strings_in_selectors(
    objects: list[dict[str, Any]],
) -> None:
    workloads = [o for o in objects if o["kind"] in ("Deployment", "StatefulSet")]
    assert {w["metadata"]["name"] for w in workloads} == {"y", "on"}
    for w in workloads:
        selector = w["spec"]["selector"]["matchLabels"]
        assert selector["app.kubernetes.io/component"] == w["metadata"]["name"]
        assert selector["app.kubernetes.io/instance"] == "off"
        assert all(isinstance(v, str) for v in selector.values())
