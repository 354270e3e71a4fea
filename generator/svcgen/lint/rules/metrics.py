"""Metrics: the endpoint a component declares, and how Prometheus is told to scrape it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, rule
from svcgen.lint.rules._common import base, container_ports

#: Seconds per unit of a Prometheus duration (Prometheus counts a year as 365 days).
_UNITS = {"y": Decimal(365 * 86400), "w": Decimal(7 * 86400), "d": Decimal(86400),
          "h": Decimal(3600), "m": Decimal(60), "s": Decimal(1), "ms": Decimal("0.001")}
_PART = re.compile(r"([0-9]+)(ms|y|w|d|h|m|s)")


def duration_seconds(text: str) -> Decimal:
    """A Prometheus duration (``1m30s``, ``500ms``; the model checked its shape) in seconds."""
    return sum((Decimal(n) * _UNITS[unit] for n, unit in _PART.findall(text)), Decimal(0))


@rule("SVC801", "metrics-port-missing", Severity.ERROR,
      "metrics.port names no container port")
def metrics_port_missing(ctx: Context) -> Iterator[Finding]:
    """Every way of scraping a component goes to a declared container port: a PodMonitor names
    it, a ServiceMonitor finds it behind the Service, the `prometheus.io/port` annotation
    carries its number, and the NetworkPolicy opens exactly that port to the monitoring
    namespace. A port name that no container declares (or a number that no TCP container port
    has) makes the chart fail.

    Example fix: name a declared port, or declare the metrics port.

        containers: {app: {ports: {http: {containerPort: 8080}, metrics: {containerPort: 9090}}}}
        metrics: {port: metrics}   # was port: metric
    """
    for cid, comp in ctx.components():
        if comp.metrics is None or not comp.metrics.enabled or comp.metrics_port() is not None:
            continue
        names = sorted(container_ports(comp))
        what = (f"`{comp.metrics.port}`" if isinstance(comp.metrics.port, str)
                else f"{comp.metrics.port} (TCP)")
        yield Finding(
            (*base(cid), "metrics", "port"),
            f"metrics port {what} is not a container port of this component",
            f"use one of: {', '.join(f'`{n}`' for n in names)}, or declare it under a "
            "container's `ports`" if names else "declare it under a container's `ports`",
        )


@rule("SVC802", "service-monitor-without-service", Severity.ERROR,
      "A ServiceMonitor for a metrics port that is not on the component's Service")
def service_monitor_without_service(ctx: Context) -> Iterator[Finding]:
    """A ServiceMonitor finds its targets through a Service port: when the component renders no
    Service (no ports, or `service.enabled: false`) or no Service port forwards to the metrics
    port, nothing is scraped, and the chart refuses the values. A PodMonitor scrapes the pods
    directly; `auto` picks it by itself.

    Example fix: let the chart choose, or ask for a PodMonitor.

        metrics: {port: metrics, monitor: auto}   # was monitor: ServiceMonitor
    """
    if ctx.values is None:
        return
    defaults = ctx.values.global_.metrics
    for cid, comp in ctx.components():
        port = comp.metrics_port()
        if (port is None or comp.metrics_monitor(defaults) != "ServiceMonitor"
                or comp.metrics_service_port() is not None):
            continue
        assert comp.metrics is not None
        why = ("it renders no Service" if not comp.service.enabled
               else f"no port of its Service forwards to the metrics port `{port[0]}`")
        if comp.metrics.monitor is not None:
            yield Finding((*base(cid), "metrics", "monitor"),
                          f"a ServiceMonitor scrapes this component through its Service, but {why}",
                          "use `monitor: auto` or `monitor: PodMonitor`, or put the metrics port "
                          "on the Service")
        else:
            yield Finding((*base(cid), "metrics"),
                          "global.metrics.monitor asks for a ServiceMonitor, but this component "
                          f"cannot have one: {why}",
                          "set `metrics.monitor: PodMonitor` here, or `global.metrics.monitor: "
                          "auto`", key=True)


@rule("SVC803", "scrape-timeout-above-interval", Severity.ERROR,
      "metrics.scrapeTimeout is longer than metrics.interval")
def scrape_timeout_above_interval(ctx: Context) -> Iterator[Finding]:
    """Prometheus refuses a scrape configuration whose timeout is longer than its interval
    (`scrape timeout greater than scrape interval`): the next scrape would start before the
    last one gave up. The Prometheus Operator then leaves the ServiceMonitor or PodMonitor out
    of the configuration, and the component is not scraped at all.

    Example fix: keep the timeout at most the interval.

        metrics: {port: metrics, interval: 30s, scrapeTimeout: 10s}   # was scrapeTimeout: 1m
    """
    for cid, comp in ctx.components():
        m = comp.metrics
        if m is None or not m.enabled or m.interval is None or m.scrapeTimeout is None:
            continue
        if duration_seconds(m.scrapeTimeout) > duration_seconds(m.interval):
            yield Finding(
                (*base(cid), "metrics", "scrapeTimeout"),
                f"scrapeTimeout {m.scrapeTimeout} is longer than interval {m.interval}",
                f"set scrapeTimeout to at most {m.interval}, or scrape less often",
            )
