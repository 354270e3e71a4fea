"""Service-to-service policy rendered by the chart: NetworkPolicy, Istio AuthorizationPolicy and
Sidecar, from each component's whitelists (callers admitted) and upstreams (services it calls).

The scenarios in chart/ci are rendered once per module. Expected peers are built by small
functions that state the documented mapping (chart README, "Service-to-service policy"); a few
literal assertions pin that mapping itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from chartutil import CHART, KUBE_VERSION, RenderError, find, one, render
from ruamel.yaml import YAML

from svcgen.kube import validate_objects
from svcgen.model import Values

CI = CHART / "ci"
NETPOL_FILE = CI / "policy-networkpolicy-values.yaml"
EXTERNAL_FILE = CI / "policy-external-values.yaml"
ISTIO_FILE = CI / "policy-istio-values.yaml"
POLICY_FILES = [NETPOL_FILE, EXTERNAL_FILE, ISTIO_FILE]

RELEASE = "rel"
NAMESPACE = "demo"
WORKLOAD_KINDS = ("Deployment", "StatefulSet")
INJECT = "sidecar.istio.io/inject"

Objects = list[dict[str, Any]]


TEST_POLICY = f"{RELEASE}-test-connection"


def component_policies(objects: Objects) -> Objects:
    """The NetworkPolicy of each component (not the one of the `helm test` pod)."""
    return [p for p in find(objects, "NetworkPolicy") if p["metadata"]["name"] != TEST_POLICY]


def load_values(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(path.read_text())
    return data


@pytest.fixture(scope="module")
def netpol_objects() -> Objects:
    return render(files=[NETPOL_FILE], release=RELEASE, namespace=NAMESPACE)


@pytest.fixture(scope="module")
def untested_objects() -> Objects:
    """The NetworkPolicy scenario without the `helm test` hook."""
    return render(files=[NETPOL_FILE], release=RELEASE, namespace=NAMESPACE,
                  extra_args=["--set", "tests.enabled=false"])


@pytest.fixture(scope="module")
def external_objects() -> Objects:
    return render(files=[EXTERNAL_FILE], release=RELEASE, namespace=NAMESPACE)


@pytest.fixture(scope="module")
def istio_objects() -> Objects:
    return render(files=[ISTIO_FILE], release=RELEASE, namespace=NAMESPACE)


@pytest.fixture(scope="module")
def rendered(
    netpol_objects: Objects, external_objects: Objects, istio_objects: Objects
) -> dict[Path, Objects]:
    return {NETPOL_FILE: netpol_objects, EXTERNAL_FILE: external_objects, ISTIO_FILE: istio_objects}


# --- the documented mapping -------------------------------------------------------------------


def selector(component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "svcgen",
        "app.kubernetes.io/instance": RELEASE,
        "app.kubernetes.io/component": component,
    }


def namespace_selector(name: str) -> dict[str, Any]:
    return {"matchLabels": {"kubernetes.io/metadata.name": name}}


def netpol_peers(peer: dict[str, str]) -> list[dict[str, Any]]:
    """NetworkPolicyPeers for a whitelist or upstream entry: a service of another project is
    matched by this chart's component label or by Space Cloud's ``app`` label."""
    if "component" in peer:
        return [{"podSelector": {"matchLabels": selector(peer["component"])}}]
    project, service = peer["project"], peer.get("service", "*")
    namespace = {} if project == "*" else namespace_selector(project)
    if service == "*":
        return [{"namespaceSelector": namespace}]
    return [{"namespaceSelector": namespace, "podSelector": {"matchLabels": {label: service}}}
            for label in ("app.kubernetes.io/component", "app")]


def container_ports(component: dict[str, Any]) -> list[dict[str, Any]]:
    """NetworkPolicy ports of a component: every container port, in the chart's (name) order."""
    return [
        {"port": p["containerPort"], "protocol": p.get("protocol", "TCP")}
        for _, container in sorted(component["containers"].items())
        for _, p in sorted(container.get("ports", {}).items())
    ]


def dns_rule(
    namespace: str = "kube-system", labels: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "to": [{
            "namespaceSelector": namespace_selector(namespace),
            "podSelector": {"matchLabels": labels or {"k8s-app": "kube-dns"}},
        }],
        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
    }


ISTIOD_RULE = {
    "to": [{"namespaceSelector": namespace_selector("istio-system"),
            "podSelector": {"matchLabels": {"app": "istiod"}}}],
    "ports": [{"port": 15012, "protocol": "TCP"}],
}


HELM_TEST_PEER = {"podSelector": {"matchLabels": selector("helm-test")}}


def expected_ingress(
    values: dict[str, Any], cid: str, ingress_namespace: str | None, tests: bool = True
) -> list[dict[str, Any]]:
    """Ingress rules: whitelisted callers, the ingress controller and the `helm test` pod, on the
    component's container ports (the scenarios' Services expose every container port)."""
    c = values["components"][cid]
    ports = container_ports(c)
    sources = [s for p in c.get("whitelists", []) for s in netpol_peers(p)]
    if ingress_namespace:
        sources.append({"namespaceSelector": namespace_selector(ingress_namespace)})
    if tests and ports:
        sources.append(HELM_TEST_PEER)
    return [{"from": sources, "ports": ports}] if sources and ports else []


def expected_egress(values: dict[str, Any], cid: str) -> list[dict[str, Any]]:
    """Egress rules for the upstreams, in order, before the DNS rule."""
    rules: list[dict[str, Any]] = []
    for peer in values["components"][cid].get("upstreams", []):
        if "component" in peer:
            ports = container_ports(values["components"][peer["component"]])
            rules.append({"to": netpol_peers(peer), "ports": ports})
        else:
            rules.append({"to": netpol_peers(peer)})
    return rules


def pod_template(objects: Objects, component: str) -> dict[str, Any]:
    found = [o for o in objects if o["kind"] in WORKLOAD_KINDS
             and o["metadata"]["labels"]["app.kubernetes.io/component"] == component]
    assert len(found) == 1, component
    template: dict[str, Any] = found[0]["spec"]["template"]
    return template


# --- NetworkPolicy ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_one_networkpolicy_per_component_selects_exactly_its_pods(
    path: Path, rendered: dict[Path, Objects]
) -> None:
    objects = rendered[path]
    policies = component_policies(objects)
    assert {p["metadata"]["name"] for p in policies} == set(load_values(path)["components"])
    for policy in policies:
        cid = policy["metadata"]["name"]
        assert policy["spec"]["podSelector"] == {"matchLabels": selector(cid)}
        pod_labels = pod_template(objects, cid)["metadata"]["labels"]
        assert selector(cid).items() <= pod_labels.items()
        assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]


@pytest.mark.parametrize("tests", [True, False], ids=["with-helm-test", "without-helm-test"])
def test_ingress_admits_exactly_the_whitelisted_callers(
    tests: bool, netpol_objects: Objects, untested_objects: Objects
) -> None:
    values = load_values(NETPOL_FILE)
    objects = netpol_objects if tests else untested_objects
    for policy in component_policies(objects):
        cid = policy["metadata"]["name"]
        ingress_ns = "ingress-nginx" if find(objects, "Ingress", cid) else None
        assert policy["spec"]["ingress"] == expected_ingress(values, cid, ingress_ns, tests), cid


def test_helm_test_pod_is_admitted_by_its_labels(netpol_objects: Objects) -> None:
    """`helm test` connects to every Service port; with policies on it must still get through."""
    [pod] = find(netpol_objects, "Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert selector("helm-test").items() <= pod["metadata"]["labels"].items()
    for cid in ("web", "api", "db", "public"):
        rules = one(netpol_objects, "NetworkPolicy", cid)["spec"]["ingress"]
        assert HELM_TEST_PEER in rules[0]["from"]


def test_helm_test_pod_has_a_policy_of_its_own(netpol_objects: Objects,
                                               untested_objects: Objects) -> None:
    """With policies on, the `helm test` pod reaches only the ports it checks and DNS, and
    nothing reaches it; it could otherwise call anything, cloud metadata included."""
    [pod] = find(netpol_objects, "Pod")
    policy = one(netpol_objects, "NetworkPolicy", TEST_POLICY)["spec"]
    assert policy["podSelector"] == {"matchLabels": selector("helm-test")}
    assert selector("helm-test").items() <= pod["metadata"]["labels"].items()
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["ingress"] == []
    *to_components, dns = policy["egress"]
    assert dns["ports"] == [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
    checked = {line.split()[1] for line in pod["spec"]["containers"][0]["command"][2].splitlines()
               if line.strip().startswith("check ")}
    reached = {rule["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
               for rule in to_components}
    assert reached == {host.split(".")[0] for host in checked}
    for rule in to_components:
        cid = rule["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
        assert rule["to"] == [{"podSelector": {"matchLabels": selector(cid)}}]
        ingress = one(netpol_objects, "NetworkPolicy", cid)["spec"]["ingress"]
        assert rule["ports"] == ingress[0]["ports"]
    assert not find(untested_objects, "NetworkPolicy", TEST_POLICY)


def test_every_peer_shape_maps_to_its_selector(untested_objects: Objects) -> None:
    rule = one(untested_objects, "NetworkPolicy", "api")["spec"]["ingress"]
    assert rule == [{
        "from": [
            {"podSelector": {"matchLabels": selector("web")}},
            {"podSelector": {"matchLabels": selector("cron")}},
            {"namespaceSelector": namespace_selector("billing"),
             "podSelector": {"matchLabels": {"app.kubernetes.io/component": "invoices"}}},
            {"namespaceSelector": namespace_selector("billing"),
             "podSelector": {"matchLabels": {"app": "invoices"}}},
            {"namespaceSelector": namespace_selector("ops")},
            {"namespaceSelector": {},
             "podSelector": {"matchLabels": {"app.kubernetes.io/component": "auditor"}}},
            {"namespaceSelector": {},
             "podSelector": {"matchLabels": {"app": "auditor"}}},
        ],
        # Both containers' ports, the UDP one included: they share the pod's network.
        "ports": [
            {"port": 9090, "protocol": "TCP"},
            {"port": 8080, "protocol": "TCP"},
            {"port": 9125, "protocol": "UDP"},
        ],
    }]


def test_component_without_whitelists_admits_no_caller(untested_objects: Objects) -> None:
    assert one(untested_objects, "NetworkPolicy", "cron")["spec"]["ingress"] == []
    values = {
        "global": {"networkPolicy": {"enabled": True}},
        "tests": {"enabled": False},
        "components": {"api": {"containers": {"app": {
            "image": {"repository": "nginx", "tag": "1.27"},
            "ports": {"http": {"containerPort": 80}},
        }}}},
    }
    assert one(render(values), "NetworkPolicy", "api")["spec"]["ingress"] == []


def test_ingress_controller_is_admitted_only_where_an_ingress_routes(
    untested_objects: Objects,
) -> None:
    web = one(untested_objects, "NetworkPolicy", "web")["spec"]["ingress"]
    assert web == [{"from": [{"namespaceSelector": namespace_selector("ingress-nginx")}],
                    "ports": [{"port": 8080, "protocol": "TCP"}]}]
    for cid in ("api", "db", "public"):
        rules = one(untested_objects, "NetworkPolicy", cid)["spec"]["ingress"]
        assert {"namespaceSelector": namespace_selector("ingress-nginx")} not in rules[0]["from"]


def _ingress_with_policies(**global_: Any) -> dict[str, Any]:
    return {
        "global": {"networkPolicy": {"enabled": True}, **global_},
        "components": {"web": {
            "containers": {"app": {"image": {"repository": "nginx", "tag": "1.27"},
                                   "ports": {"http": {"containerPort": 8080}}}},
            "ingress": {"hosts": {"www.example.com": {}}},
        }},
    }


def test_ingress_controller_namespace_has_no_default() -> None:
    """ingress-nginx was retired in 2026: a policy admitting a namespace nobody runs a controller
    in would fail closed without a word, so the render names the value to set instead."""
    with pytest.raises(RenderError) as err:
        render(_ingress_with_policies())
    assert "global.networkPolicy.ingressNamespace" in str(err.value)
    assert "components.web renders an Ingress" in str(err.value)


def test_istio_ingress_gateway_namespace_stands_in_for_the_controller() -> None:
    mesh = {"istio": True, "ingressGatewayNamespace": "istio-ingress"}
    values = _ingress_with_policies(mesh=mesh)
    rules = one(render(values), "NetworkPolicy", "web")["spec"]["ingress"]
    assert {"namespaceSelector": namespace_selector("istio-ingress")} in rules[0]["from"]


def test_ingress_controller_is_not_admitted_when_only_routes_render() -> None:
    values = _ingress_with_policies(exposure="gateway", gateway={"name": "public"})
    rules = one(render(values), "NetworkPolicy", "web")["spec"]["ingress"]
    assert all("ingress" not in str(peer) for rule in rules for peer in rule["from"])


def test_wildcard_project_admits_every_namespace(untested_objects: Objects) -> None:
    rules = one(untested_objects, "NetworkPolicy", "public")["spec"]["ingress"]
    assert rules == [{"from": [{"namespaceSelector": {}}],
                      "ports": [{"port": 8080, "protocol": "TCP"}]}]


def test_egress_allows_exactly_the_upstreams_and_dns(netpol_objects: Objects) -> None:
    values = load_values(NETPOL_FILE)
    for policy in component_policies(netpol_objects):
        cid = policy["metadata"]["name"]
        assert policy["spec"]["egress"] == [*expected_egress(values, cid), dns_rule()], cid


def test_upstream_component_is_reached_on_its_container_ports_only(
    netpol_objects: Objects,
) -> None:
    egress = one(netpol_objects, "NetworkPolicy", "web")["spec"]["egress"]
    assert egress[0] == {
        "to": [{"podSelector": {"matchLabels": selector("api")}}],
        "ports": [{"port": 9090, "protocol": "TCP"}, {"port": 8080, "protocol": "TCP"},
                  {"port": 9125, "protocol": "UDP"}],
    }
    # A service of another project: its ports are not known here, so any port of those pods.
    # Matched by this chart's component label, or Space Cloud's `app` label: that service may
    # not have been deployed by this chart.
    assert egress[1] == {"to": [
        {"namespaceSelector": namespace_selector("auth"),
         "podSelector": {"matchLabels": {"app.kubernetes.io/component": "sessions"}}},
        {"namespaceSelector": namespace_selector("auth"),
         "podSelector": {"matchLabels": {"app": "sessions"}}},
    ]}


def test_no_upstreams_means_dns_only(netpol_objects: Objects) -> None:
    for cid in ("db", "public"):
        assert one(netpol_objects, "NetworkPolicy", cid)["spec"]["egress"] == [dns_rule()]


def test_no_policy_opens_external_egress_unless_asked(
    netpol_objects: Objects, istio_objects: Objects
) -> None:
    for policy in component_policies(netpol_objects) + component_policies(istio_objects):
        for rule in policy["spec"]["egress"]:
            assert all("ipBlock" not in peer for peer in rule["to"])


def test_external_egress_reaches_outside_the_cluster_only(external_objects: Objects) -> None:
    values = load_values(EXTERNAL_FILE)
    external = {"to": [
        {"ipBlock": {"cidr": "0.0.0.0/0", "except": [
            "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
        ]}},
        {"ipBlock": {"cidr": "::/0", "except": ["fc00::/7", "fe80::/10"]}},
    ]}
    dns = dns_rule("dns", {"k8s-app": "coredns"})
    for policy in component_policies(external_objects):
        cid = policy["metadata"]["name"]
        assert policy["spec"]["egress"] == [*expected_egress(values, cid), dns, external]
        ingress_ns = "traefik" if find(external_objects, "Ingress", cid) else None
        assert policy["spec"]["ingress"] == expected_ingress(values, cid, ingress_ns)


def test_network_policies_are_off_unless_enabled() -> None:
    off = ["--set", "global.networkPolicy.enabled=false"]
    objects = render(files=[NETPOL_FILE], extra_args=off)
    assert not find(objects, "NetworkPolicy")
    assert find(objects, "Deployment"), "the components still render"
    objects = render(files=[ISTIO_FILE], extra_args=off)
    assert not find(objects, "NetworkPolicy")
    assert find(objects, "AuthorizationPolicy"), "Istio policy does not depend on NetworkPolicy"


def test_dns_pod_labels_replace_the_default_selector_whole() -> None:
    """Custom DNS labels replace k8s-app=kube-dns; merged, the selector would match nothing."""
    component = {"containers": {"app": {"image": {"repository": "x", "tag": "1"}}}}
    values = {"global": {"networkPolicy": {"enabled": True, "dnsPodLabels": {"app": "coredns"}}},
              "components": {"api": component}}
    policy = one(render(values), "NetworkPolicy", "api")
    assert policy["spec"]["egress"] == [dns_rule("kube-system", {"app": "coredns"})]


def test_disabled_component_gets_no_policy_but_can_still_be_a_peer() -> None:
    objects = render(files=[NETPOL_FILE], extra_args=["--set", "components.db.enabled=false"])
    assert not find(objects, "NetworkPolicy", "db")
    api_egress = one(objects, "NetworkPolicy", "api")["spec"]["egress"]
    assert api_egress[0]["to"] == [{"podSelector": {"matchLabels": selector("db")}}]
    assert api_egress[0]["ports"] == [{"port": 5432, "protocol": "TCP"}]


@pytest.mark.parametrize("direction", ["whitelists", "upstreams"])
def test_peer_naming_no_component_fails_with_its_value_path(direction: str) -> None:
    values = {"components": {"api": {
        "containers": {"app": {"image": {"repository": "nginx", "tag": "1.27"},
                               "ports": {"http": {"containerPort": 80}}}},
        direction: [{"project": "ops"}, {"component": "ghost"}],
    }}, "global": {"networkPolicy": {"enabled": True}}}
    with pytest.raises(RenderError) as err:
        render(values)
    assert f'components.api.{direction}[1].component: no component "ghost"' in err.value.stderr


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_rendered_objects_match_their_api_schemas(
    path: Path, rendered: dict[Path, Objects]
) -> None:
    """NetworkPolicy against Kubernetes' own schema; Istio's kinds against their CRDs' shape."""
    assert validate_objects(rendered[path], KUBE_VERSION) == []


# --- Istio ------------------------------------------------------------------------------------


def test_mesh_policies_only_with_istio(netpol_objects: Objects, istio_objects: Objects) -> None:
    assert not find(netpol_objects, "AuthorizationPolicy")
    assert not find(netpol_objects, "Sidecar")
    ids = set(load_values(ISTIO_FILE)["components"])
    for kind in ("AuthorizationPolicy", "Sidecar"):
        assert {o["metadata"]["name"] for o in find(istio_objects, kind)} == ids


def test_sidecar_injection_label_only_with_istio(
    netpol_objects: Objects, istio_objects: Objects
) -> None:
    for cid in load_values(ISTIO_FILE)["components"]:
        assert pod_template(istio_objects, cid)["metadata"]["labels"].get(INJECT) == "true"
    for cid in load_values(NETPOL_FILE)["components"]:
        assert INJECT not in pod_template(netpol_objects, cid)["metadata"]["labels"]


def test_authorization_policy_allows_exactly_the_whitelisted_callers(
    istio_objects: Objects,
) -> None:
    def rules(cid: str) -> list[dict[str, Any]] | None:
        policy = one(istio_objects, "AuthorizationPolicy", cid)
        assert policy["apiVersion"] == "security.istio.io/v1"
        assert policy["spec"]["selector"] == {"matchLabels": selector(cid)}
        assert policy["spec"]["action"] == "ALLOW"
        result: list[dict[str, Any]] | None = policy["spec"].get("rules")
        return result

    def source(**fields: list[str]) -> dict[str, Any]:
        return {"from": [{"source": fields}]}

    # A caller of this release is known by the ServiceAccount its pods run as.
    web_sa = pod_template(istio_objects, "web")["spec"]["serviceAccountName"]
    assert rules("api") == [
        source(principals=[f"cluster.local/ns/{NAMESPACE}/sa/{web_sa}"]),
        source(principals=["cluster.local/ns/billing/sa/invoices"]),
        source(namespaces=["ops"]),
        source(principals=["*/sa/auditor"]),
    ]
    api_sa = pod_template(istio_objects, "api")["spec"]["serviceAccountName"]
    assert api_sa == "api-identity"
    assert rules("db") == [source(principals=[f"cluster.local/ns/{NAMESPACE}/sa/api-identity"])]
    # Reached from the ingress gateway only.
    assert rules("web") == [source(namespaces=["istio-ingress"])]
    # {project: "*"}: a rule without `from` matches every request.
    assert rules("status") == [{}]
    # No whitelists: an ALLOW policy without rules matches nothing, so every caller is denied.
    assert rules("batch") is None


def test_callers_run_as_their_own_service_accounts_under_istio(istio_objects: Objects) -> None:
    """Principals only tell callers apart when each component has its own ServiceAccount."""
    accounts = {o["metadata"]["name"] for o in find(istio_objects, "ServiceAccount")}
    names = {cid: pod_template(istio_objects, cid)["spec"]["serviceAccountName"]
             for cid in load_values(ISTIO_FILE)["components"]}
    assert len(set(names.values())) == len(names)
    assert set(names.values()) <= accounts


def test_sidecar_knows_exactly_the_upstreams(istio_objects: Objects) -> None:
    def hosts(cid: str) -> list[str]:
        sidecar = one(istio_objects, "Sidecar", cid)
        assert sidecar["apiVersion"] == "networking.istio.io/v1"
        assert sidecar["spec"]["workloadSelector"] == {"labels": selector(cid)}
        assert sidecar["spec"]["outboundTrafficPolicy"] == {"mode": "REGISTRY_ONLY"}
        [egress] = sidecar["spec"]["egress"]
        result: list[str] = egress["hosts"]
        return result

    # api's Service is named `backend`: the host is the Service's DNS name.
    assert hosts("web") == [
        f"./backend.{NAMESPACE}.svc.cluster.local",
        "auth/sessions.auth.svc.cluster.local",
        "istio-system/*",
    ]
    assert one(istio_objects, "Service", "backend")
    assert hosts("api") == [f"./db.{NAMESPACE}.svc.cluster.local", "billing/*", "*/*",
                            "istio-system/*"]
    assert hosts("batch") == [f"./backend.{NAMESPACE}.svc.cluster.local", "istio-system/*"]
    assert hosts("db") == ["istio-system/*"]


def test_external_egress_lets_the_sidecar_reach_unknown_hosts() -> None:
    objects = render(files=[ISTIO_FILE],
                     extra_args=["--set", "global.networkPolicy.externalEgress=true"])
    for sidecar in find(objects, "Sidecar"):
        assert sidecar["spec"]["outboundTrafficPolicy"] == {"mode": "ALLOW_ANY"}


def test_network_policies_under_istio_also_reach_istiod(istio_objects: Objects) -> None:
    values = load_values(ISTIO_FILE)
    for policy in component_policies(istio_objects):
        cid = policy["metadata"]["name"]
        assert policy["spec"]["egress"] == [*expected_egress(values, cid), dns_rule(), ISTIOD_RULE]


def test_istio_peer_naming_no_component_fails_with_its_value_path() -> None:
    values = {"global": {"mesh": {"istio": True}}, "components": {"api": {
        "containers": {"app": {"image": {"repository": "nginx", "tag": "1.27"}}},
        "upstreams": [{"component": "ghost"}],
    }}}
    with pytest.raises(RenderError) as err:
        render(values)
    assert 'components.api.upstreams[0].component: no component "ghost"' in err.value.stderr


def test_release_prefix_reaches_principals_and_hosts() -> None:
    """With release-prefixed names, principals and hosts follow the rendered objects' names."""
    objects = render(files=[ISTIO_FILE], release="shop", namespace=NAMESPACE,
                     extra_args=["--set", "global.prefixWithRelease=true"])
    web = one(objects, "Sidecar", "shop-web")["spec"]
    assert web["workloadSelector"]["labels"]["app.kubernetes.io/instance"] == "shop"
    backend = one(objects, "Service", "shop-backend")["metadata"]["name"]
    assert web["egress"][0]["hosts"][0] == f"./{backend}.{NAMESPACE}.svc.cluster.local"
    web_sa = pod_template(objects, "web")["spec"]["serviceAccountName"]
    assert web_sa == "shop-web"
    api_rules = one(objects, "AuthorizationPolicy", "shop-api")["spec"]["rules"]
    assert api_rules[0] == {"from": [{"source": {
        "principals": [f"cluster.local/ns/{NAMESPACE}/sa/{web_sa}"]}}]}


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_scenario_is_valid_under_the_values_model(path: Path) -> None:
    model = Values.model_validate(load_values(path))
    assert any(c.whitelists or c.upstreams for c in model.components.values())


# --- Helm 3 and Helm 4 (test_chart_testing.py runs `helm lint --strict` on every scenario) ---


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_helm3_renders_the_same_objects(path: Path, rendered: dict[Path, Objects]) -> None:
    helm3 = render(files=[path], helm="helm3", release=RELEASE, namespace=NAMESPACE)
    assert helm3 == rendered[path]
