"""Workload kinds: schedules of CronJobs, Helm hook Jobs and run-to-completion deadlines."""

from __future__ import annotations

import re
from collections.abc import Iterator

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, rule
from svcgen.lint.rules._common import base, containers
from svcgen.model import Component, Probe

#: Kubernetes checks a schedule with robfig/cron's standard parser: five fields, or a descriptor.
_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_EVERY = re.compile(r"^@every\s+((\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
#: (name, lowest, highest, names) of the five fields, in order.
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {m: i + 1 for i, m in enumerate(_MONTHS)}),
    ("day of week", 0, 6, {d: i for i, d in enumerate(_DAYS)}),
)


def cron_problem(schedule: str) -> str | None:
    """What is wrong with a CronJob schedule, as Kubernetes' parser sees it; None when it parses."""
    text = schedule.strip()
    if re.match(r"^(CRON_)?TZ=", text):
        return "a time zone inside the schedule (TZ=/CRON_TZ=) is refused by Kubernetes"
    if text.startswith("@"):
        if text.lower() in _DESCRIPTORS or _EVERY.match(text):
            return None
        return f"unknown descriptor `{text.split()[0]}`"
    fields = text.split()
    if len(fields) != len(_FIELDS):
        return (f"{len(fields)} field(s); a schedule has five (minute hour day-of-month month "
                "day-of-week) or is a descriptor such as @daily")
    for value, (name, low, high, names) in zip(fields, _FIELDS, strict=True):
        for part in value.split(","):
            problem = _part_problem(part, low, high, names)
            if problem is not None:
                return f"{name} `{value}`: {problem}"
    return None


def _part_problem(part: str, low: int, high: int, names: dict[str, int]) -> str | None:
    range_text, _, step = part.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        return f"step `{step}` is not a positive whole number"
    if range_text in ("*", "?"):
        return None
    start_text, dash, end_text = range_text.partition("-")
    bounds = []
    for item in (start_text, end_text) if dash else (start_text,):
        number = names.get(item.lower()) if not item.isdigit() else int(item)
        if number is None:
            return f"`{item}` is not a number{' or a name' if names else ''}"
        if not low <= number <= high:
            return f"{number} is outside {low}-{high}"
        bounds.append(number)
    if len(bounds) == 2 and bounds[0] > bounds[1]:
        return f"the range `{range_text}` runs backwards"
    return None


@rule("SVC307", "invalid-cron-schedule", Severity.ERROR, "A CronJob schedule does not parse")
def invalid_cron_schedule(ctx: Context) -> Iterator[Finding]:
    """The API server refuses a CronJob whose schedule its cron parser cannot read, so the whole
    `helm install` fails on it. Kubernetes reads five fields (minute 0-59, hour 0-23, day of
    month 1-31, month 1-12 or jan-dec, day of week 0-6 or sun-sat; `*`, lists, ranges and
    `/steps`) or a descriptor (`@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`,
    `@every 1h30m`); the time zone goes in `cronJob.timeZone`, never in the schedule.

    Example fix: five fields, and the zone on its own.

        cronJob: {schedule: "30 2 * * *", timeZone: Europe/Berlin}
    """
    for cid, comp in ctx.components():
        if comp.kind != "CronJob" or comp.cronJob is None:
            continue
        problem = cron_problem(comp.cronJob.schedule)
        if problem is not None:
            yield Finding((*base(cid), "cronJob", "schedule"),
                          f"schedule {comp.cronJob.schedule!r} does not parse: {problem}",
                          'write five fields such as "30 2 * * *", or a descriptor such as '
                          "@daily; put the zone in cronJob.timeZone")


@rule("SVC308", "hook-before-dependency", Severity.ERROR,
      "A pre-install hook Job needs something the release has not installed yet")
def hook_before_dependency(ctx: Context) -> Iterator[Finding]:
    """Helm runs `pre-install` hooks before it creates any object of the release. A migration
    Job that calls the release's own database (an upstream component), or mounts a claim the
    release creates, finds neither on the first install: it retries until its backoff or
    deadline runs out and the install fails. `post-install` runs once the release's objects
    exist (and `pre-upgrade` before each later upgrade rolls out).

    Example fix: run after the first install and before every upgrade.

        job: {hook: {phases: [post-install, pre-upgrade]}}
    """
    for cid, comp in ctx.components():
        hook = comp.hook
        if hook is None or "pre-install" not in hook.phases:
            continue
        for i, peer in enumerate(comp.upstreams):
            target = ctx.values.components.get(peer.component or "") if ctx.values else None
            if target is not None and target.enabled and target.hook is None:
                yield Finding((*base(cid), "upstreams", i, "component"),
                              f"this pre-install hook calls `{peer.component}`, which the "
                              "release installs only after pre-install hooks ran",
                              "use phases [post-install, pre-upgrade]")
        for vname, vol in comp.volumes.items():
            if vol.kind == "persistent" and vol.existingClaim is None:
                yield Finding((*base(cid), "volumes", vname),
                              f"this pre-install hook mounts `{vname}`, whose claim the release "
                              "creates only after pre-install hooks ran",
                              "use phases [post-install, pre-upgrade], or an existingClaim",
                              key=True)


@rule("SVC309", "hook-skips-install", Severity.WARNING,
      "A hook Job runs on upgrades but never on the first install")
def hook_skips_install(ctx: Context) -> Iterator[Finding]:
    """A hook Job with `pre-upgrade` or `post-upgrade` but neither `pre-install` nor
    `post-install` does not run when the release is first installed: a migration written this
    way leaves a fresh environment without its schema until the first upgrade.

    Example fix: add the install phase.

        job: {hook: {phases: [post-install, pre-upgrade]}}
    """
    for cid, comp in ctx.components():
        hook = comp.hook
        if hook is None:
            continue
        phases = set(hook.phases)
        if phases & {"pre-upgrade", "post-upgrade"} and not phases & {"pre-install",
                                                                        "post-install"}:
            yield Finding((*base(cid), "job", "hook", "phases"),
                          f"the Job runs at {', '.join(hook.phases)} but not on the first "
                          "install", "add post-install to the phases")


def _probe_allowance(probe: Probe | None) -> int | None:
    """Seconds a probe gives a container before it can fail it; None without a probe."""
    if probe is None or not probe.enabled or not probe.has_handler:
        return None
    return ((probe.initialDelaySeconds or 0)
            + (probe.periodSeconds or 10) * (probe.failureThreshold or 3))


def _allowance(comp: Component) -> tuple[str, str, int] | None:
    """(container, probe, seconds) of the longest start the probes allow any container."""
    best: tuple[str, str, int] | None = None
    for _, name, ctr in containers(comp, init=False):
        for kind in ("startup", "liveness"):
            seconds = _probe_allowance(getattr(ctr.probes, kind))
            if seconds is not None and (best is None or seconds > best[2]):
                best = (name, kind, seconds)
            if seconds is not None:
                break  # a startup probe holds the liveness probe until it succeeds
    return best


@rule("SVC310", "deadline-below-probes", Severity.WARNING,
      "A Job's activeDeadlineSeconds is shorter than its probes allow")
def deadline_below_probes(ctx: Context) -> Iterator[Finding]:
    """`job.activeDeadlineSeconds` ends the whole Job, retries included. When a container's
    probes allow it longer to come up (initialDelaySeconds + periodSeconds * failureThreshold
    of its startup probe, else its liveness probe) than the deadline, the deadline fails the
    Job before the probes could tell a slow start from a broken one, and no retry gets time.

    Example fix: a deadline above what the probes allow (or probes that decide sooner).

        job: {activeDeadlineSeconds: 900}
        probes: {startup: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 10,
                           failureThreshold: 30}}   # 300 s
    """
    for cid, comp in ctx.components():
        if comp.job is None or comp.job.activeDeadlineSeconds is None:
            continue
        allowance = _allowance(comp)
        if allowance is None:
            continue
        name, kind, seconds = allowance
        deadline = comp.job.activeDeadlineSeconds
        if deadline <= seconds:
            yield Finding((*base(cid), "job", "activeDeadlineSeconds"),
                          f"activeDeadlineSeconds {deadline} is not longer than the {seconds} s "
                          f"the {kind} probe of container `{name}` allows it to start",
                          f"raise activeDeadlineSeconds above {seconds}, or shorten the probe")
