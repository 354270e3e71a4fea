"""What Compose networking promises, found in the file: who calls whom, on which port.

Under Compose every service reaches every other one on a shared network by its name (or its
``container_name``, a network alias, a link alias) on any port. After conversion a caller
reaches a Service, which answers only on the ports it lists, and (with NetworkPolicies) only
the callers its policy admits. So the reader collects every reference one service makes to
another — ``depends_on`` and ``links``, URLs and ``host:port`` in env values, commands and
healthchecks, a bare host name in a host-like variable — and the ports they use; a callee gets
a Service on those ports, and each caller becomes an upstream of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from svcgen.readers.compose import spec
from svcgen.readers.compose.merge import as_mapping

#: Ports images of well-known servers listen on (the last part of the repository, tag dropped),
#: for callers that name a host but no port (depends_on, DB_HOST=db).
WELL_KNOWN_PORTS: dict[str, tuple[int, ...]] = {
    "postgres": (5432,), "postgresql": (5432,), "postgis": (5432,), "pgvector": (5432,),
    "timescaledb": (5432,), "pgbouncer": (5432,), "redis": (6379,), "redis-stack": (6379,),
    "valkey": (6379,), "keydb": (6379,), "dragonfly": (6379,), "mysql": (3306,),
    "mariadb": (3306,), "percona-server": (3306,), "mongo": (27017,), "mongodb": (27017,),
    "rabbitmq": (5672,), "memcached": (11211,), "elasticsearch": (9200,),
    "opensearch": (9200,), "kafka": (9092,), "cp-kafka": (9092,), "zookeeper": (2181,),
    "cp-zookeeper": (2181,), "nats": (4222,), "minio": (9000,), "cassandra": (9042,),
    "influxdb": (8086,), "etcd": (2379,), "consul": (8500,), "vault": (8200,),
    "clickhouse-server": (8123, 9000), "mailhog": (1025, 8025), "mailpit": (1025, 8025),
    "nginx": (80,), "httpd": (80,), "caddy": (80,), "traefik": (80,), "haproxy": (80,),
    "grafana": (3000,), "prometheus": (9090,), "loki": (3100,), "tempo": (3200,),
    "keycloak": (8080,), "wordpress": (80,), "adminer": (8080,), "neo4j": (7474, 7687),
    "couchdb": (5984,), "solr": (8983,), "meilisearch": (7700,), "typesense": (8108,),
    "qdrant": (6333,), "jaeger": (16686,), "all-in-one": (16686,), "zipkin": (9411,),
    "tika": (9998,), "gotenberg": (3000,),
}
#: Default ports of URL schemes (a URL that names no port uses these).
SCHEME_PORTS: dict[str, int] = {
    "http": 80, "https": 443, "ws": 80, "wss": 443, "redis": 6379, "rediss": 6379,
    "valkey": 6379, "postgres": 5432, "postgresql": 5432, "mysql": 3306, "mariadb": 3306,
    "mongodb": 27017, "amqp": 5672, "amqps": 5671, "nats": 4222, "memcache": 11211,
    "kafka": 9092, "smtp": 25, "ldap": 389, "ldaps": 636, "ftp": 21, "mqtt": 1883,
}
URL = re.compile(r"\b([a-z][a-z0-9+.-]*)://(?:[^@/\s'\"]*@)?([A-Za-z0-9_.-]+)(?::(\d{1,5}))?",
                 re.I)
HOST_PORT = re.compile(r"(?<![\w.@/-])([A-Za-z][A-Za-z0-9_.-]*):(\d{2,5})(?![\d.])")
#: Variable names whose value is a host to call (DB_HOST=db, REDIS_SERVER=cache).
HOSTY = re.compile(r"(HOST|SERVER|ADDR|ADDRESS|URL|URI|ENDPOINT|BROKER|SEEDS|PEERS|UPSTREAM|"
                   r"BACKEND|GATEWAY|PROXY|TARGET)", re.I)
NOT_A_CALL = re.compile(r"(BIND|LISTEN|_NAME$|_USER$|_DB$|HOSTNAME_OVERRIDE)", re.I)
HOST_SUFFIX = re.compile(r"(HOSTNAME|HOST|SERVER|ADDR|ADDRESS)$", re.I)


def image_base(image: str | None) -> str:
    """``docker.io/bitnami/postgresql:16`` → ``postgresql``."""
    if not image:
        return ""
    ref = image.split("@")[0]
    ref = re.sub(r":[^:/]+$", "", ref)
    return ref.rsplit("/", 1)[-1].lower()


@dataclass(frozen=True)
class Reference:
    """One service naming another: ``api`` → ``db`` on 5432 in ``environment.DATABASE_URL``."""

    caller: str
    callee: str
    #: The name as written (the service name, a container_name or an alias).
    host: str
    port: int | None
    #: Where it is written, relative to the caller's service.
    path: tuple[str | int, ...]
    #: Whether the port comes from a URL scheme's default rather than a written number.
    scheme_default: bool = False


@dataclass
class Network:
    """Every reference of the project, and the Compose networks each service is on."""

    #: A name Compose resolves → the service it reaches.
    hosts: dict[str, str] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)
    #: service → the networks it is attached to.
    networks: dict[str, set[str]] = field(default_factory=dict)
    #: networks declared `internal: true`.
    internal: set[str] = field(default_factory=set)

    #: The references by callee and by caller, built once (lookups stay linear in total).
    _by_callee: dict[str, list[Reference]] | None = None
    _by_caller: dict[str, list[Reference]] | None = None
    _names: dict[str, set[str]] | None = None

    def _index(self) -> None:
        self._by_callee, self._by_caller = {}, {}
        for ref in self.references:
            self._by_callee.setdefault(ref.callee, []).append(ref)
            self._by_caller.setdefault(ref.caller, []).append(ref)

    def calls_to(self, callee: str) -> list[Reference]:
        """References to ``callee`` from other services."""
        if self._by_callee is None:
            self._index()
        assert self._by_callee is not None
        return [r for r in self._by_callee.get(callee, []) if r.caller != callee]

    def calls_from(self, caller: str) -> list[Reference]:
        """References ``caller`` makes (to itself too)."""
        if self._by_caller is None:
            self._index()
        assert self._by_caller is not None
        return self._by_caller.get(caller, [])

    def shares_network(self, a: str, b: str) -> bool:
        return bool(self.networks.get(a, set()) & self.networks.get(b, set()))

    def own_names(self, service: str) -> set[str]:
        """The names Compose resolves to ``service``."""
        if self._names is None:
            self._names = {}
            for host, owner in self.hosts.items():
                self._names.setdefault(owner, set()).add(host)
        return self._names.get(service, set())


def _service_networks(name: str, svc: spec.Service, services: Mapping[str, spec.Service],
                      seen: tuple[str, ...] = ()) -> set[str]:
    mode = str(svc.network_mode) if svc.network_mode is not None else ""
    if mode.startswith("service:"):
        other = mode.removeprefix("service:")
        if other in services and other not in seen:
            return _service_networks(other, services[other], services, (*seen, name))
        return set()
    if mode in ("host", "none") or mode.startswith("container:"):
        return set()
    nets = svc.networks
    if nets is None:
        return {"default"}
    if isinstance(nets, list):
        return {str(n) for n in nets}
    if isinstance(nets, dict):
        return {str(n) for n in nets}
    return {"default"}


def _aliases(svc: spec.Service) -> Iterator[str]:
    nets = svc.networks
    if isinstance(nets, dict):
        for definition in nets.values():
            if isinstance(definition, dict):
                yield from (str(a) for a in definition.get("aliases") or [])


def texts(svc: spec.Service) -> Iterator[tuple[tuple[str | int, ...], str | None, str]]:
    """Every string of a service that may name another: (path, variable name, text)."""
    env = svc.environment
    if env is not None:
        for key, value in as_mapping(env, "environment").items():
            if value is not None:
                yield ("environment", key), str(key), str(value)
    for key in ("command", "entrypoint"):
        value = getattr(svc, key)
        if isinstance(value, str):
            yield (key,), None, value
        elif isinstance(value, list):
            for i, word in enumerate(value):
                yield (key, i), None, str(word)
    hc = svc.healthcheck
    if hc is not None and hc.test is not None:
        if isinstance(hc.test, str):
            yield ("healthcheck", "test"), None, hc.test
        else:
            for i, word in enumerate(hc.test[1:], start=1):
                yield ("healthcheck", "test", i), None, str(word)


def find_hosts(text: str, variable: str | None, hosts: Mapping[str, str],
               env: Mapping[str, Any]) -> Iterator[tuple[str, int | None, bool]]:
    """(host as written, port, port is a scheme default) for each known host in ``text``."""
    for m in URL.finditer(text):
        host, port = m.group(2), m.group(3)
        if host.lower() not in hosts:
            continue
        if port:
            yield host, int(port), False
        else:
            default = SCHEME_PORTS.get(m.group(1).lower())
            yield host, default, default is not None
    rest = URL.sub(" ", text)
    for m in HOST_PORT.finditer(rest):
        if m.group(1).lower() in hosts:
            yield m.group(1), int(m.group(2)), False
    if variable and HOSTY.search(variable) and not NOT_A_CALL.search(variable):
        for token in re.split(r"[,\s;]+", rest.strip()):
            if token.lower() in hosts:
                prefix = HOST_SUFFIX.sub("", variable.upper())
                sibling = env.get(f"{prefix}PORT") or env.get(f"{prefix}_PORT")
                port = int(str(sibling)) if sibling is not None and str(sibling).isdigit() else None
                yield token, port, False


def survey(services: Mapping[str, spec.Service], project: spec.Project) -> Network:
    """The references among the services that run (``services``: name → definition)."""
    net = Network()
    for name in services:
        net.hosts[name.lower()] = name
    for name, svc in services.items():
        if svc.container_name:
            net.hosts.setdefault(svc.container_name.lower(), name)
        for alias in _aliases(svc):
            net.hosts.setdefault(alias.lower(), name)
        for link in svc.links or []:
            target, _, alias = link.partition(":")
            if alias and target in services:
                net.hosts.setdefault(alias.lower(), target)
        net.networks[name] = _service_networks(name, svc, services)
    for nname, definition in (project.networks or {}).items():
        if isinstance(definition, dict) and definition.get("internal") is True:
            net.internal.add(str(nname))
    seen: set[tuple[str, str, int | None, tuple[str | int, ...]]] = set()
    for name, svc in services.items():
        env = as_mapping(svc.environment, "environment") if svc.environment is not None else {}
        for path, variable, text in texts(svc):
            for host, port, default in find_hosts(text, variable, net.hosts, env):
                callee = net.hosts[host.lower()]
                key = (name, callee, port, path)
                if key not in seen:
                    seen.add(key)
                    net.references.append(Reference(name, callee, host, port, path, default))
        depends = svc.depends_on
        entries = list(depends) if isinstance(depends, list) else [
            d for d, v in (depends or {}).items()
            if v.condition != "service_completed_successfully"]
        for i, dep in enumerate(entries):
            if dep in services:
                net.references.append(Reference(name, dep, dep, None, ("depends_on", dep)
                                                if isinstance(depends, dict) else
                                                ("depends_on", i)))
        for i, link in enumerate(svc.links or []):
            target = link.partition(":")[0]
            if target in services:
                net.references.append(Reference(name, target, target, None, ("links", i)))
    return net


def rewrite_hosts(text: str, variable: str | None,
                  renames: Mapping[str, str]) -> tuple[str, list[str], list[str]]:
    """``text`` with each host name of ``renames`` (lowercase name → new name) replaced where
    it is certainly a host: a URL's host, ``host:port``, or the whole value of a host-like
    variable. Returns the text, the names rewritten, and the names still in it elsewhere
    (unsafe to rewrite)."""
    if not renames:
        return text, [], []
    done: list[str] = []
    spans: list[tuple[int, int, str]] = []
    for m in URL.finditer(text):
        if m.group(2).lower() in renames:
            spans.append((m.start(2), m.end(2), renames[m.group(2).lower()]))
    for m in HOST_PORT.finditer(text):
        inside = any(s <= m.start(1) < e or m.start(1) == s for s, e, _ in spans)
        in_url = any(u.start() <= m.start(1) < u.end() for u in URL.finditer(text))
        if m.group(1).lower() in renames and not inside and not in_url:
            spans.append((m.start(1), m.end(1), renames[m.group(1).lower()]))
    if variable and HOSTY.search(variable) and not NOT_A_CALL.search(variable):
        for m in re.finditer(r"[^,\s;]+", text):
            if m.group(0).lower() in renames and not any(s == m.start() for s, _, _ in spans):
                spans.append((m.start(), m.end(), renames[m.group(0).lower()]))
    out = text
    for start, end, new in sorted(spans, reverse=True):
        done.append(out[start:end])
        out = out[:start] + new + out[end:]
    lowered = out.lower()
    left = [old for old in renames
            if old in lowered and re.search(rf"(?<![\w.-]){re.escape(old)}(?![\w-])", out, re.I)
            and old not in {n.lower() for n in renames.values()}]
    return out, sorted(set(done)), left
