"""Security contexts: ids the API server accepts and settings that contradict each other."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svcgen.lint.render_rules import (
    POD_KINDS,
    Version,
    Violation,
    api_rule,
    container_values,
    containers,
    mapping,
    pod_spec,
    sequence,
)
from svcgen.model import INT32_MAX


def _id(value: Any) -> bool:
    """IsValidUserID / IsValidGroupID: 0 to 2147483647."""
    return isinstance(value, bool) or not isinstance(value, int) or 0 <= value <= INT32_MAX


@api_rule("SVC919", "security-context", "A security context the API server refuses: a user "
          "or group id outside 0..2147483647, allowPrivilegeEscalation false with privileged or "
          "CAP_SYS_ADMIN", kinds=POD_KINDS)
def security_context(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``ValidatePodSecurityContext`` and ``ValidateSecurityContext`` (kubernetes/kubernetes,
    pkg/apis/core/validation/validation.go) check ``runAsUser``, ``runAsGroup``, ``fsGroup`` and
    ``supplementalGroups`` with ``IsValidUserID``/``IsValidGroupID`` (0 to 2147483647, although
    the fields are int64), and refuse ``allowPrivilegeEscalation: false`` together with
    ``privileged: true`` or with the capability ``CAP_SYS_ADMIN`` added: both grant what the
    first forbids.

    Example fix: a user id within int32, and no escalation flag on a privileged container:

        securityContext: {runAsUser: 10001}
    """
    found = pod_spec(obj)
    if found is None:
        return
    at, spec = found
    pod_sc = mapping(spec, "securityContext")
    for field in ("runAsUser", "runAsGroup", "fsGroup"):
        if not _id(pod_sc.get(field)):
            yield Violation(f"{at}.securityContext.{field}",
                            f"{field} {pod_sc[field]}: must be between 0 and {INT32_MAX}",
                            (("podSecurityContext", field),))
    for i, group in enumerate(sequence(pod_sc, "supplementalGroups")):
        if not _id(group):
            yield Violation(f"{at}.securityContext.supplementalGroups[{i}]",
                            f"supplementalGroups {group}: must be between 0 and {INT32_MAX}",
                            (("podSecurityContext", "supplementalGroups", i),))
    for cat, ckey, c in containers(obj):
        sc = mapping(c, "securityContext")
        for field in ("runAsUser", "runAsGroup"):
            if not _id(sc.get(field)):
                yield Violation(f"{cat}.securityContext.{field}",
                                f"{field} {sc[field]}: must be between 0 and {INT32_MAX}",
                                (container_values(ckey, c, "securityContext", field),))
        if sc.get("allowPrivilegeEscalation") is not False:
            continue
        places = (container_values(ckey, c, "securityContext", "allowPrivilegeEscalation"),
                  container_values(ckey, c, "securityContext"))
        if sc.get("privileged") is True:
            yield Violation(f"{cat}.securityContext",
                            "cannot set allowPrivilegeEscalation to false and privileged to true",
                            places)
        if "CAP_SYS_ADMIN" in sequence(sc, "capabilities", "add"):
            yield Violation(f"{cat}.securityContext",
                            "cannot set allowPrivilegeEscalation to false and capabilities.add "
                            "CAP_SYS_ADMIN", places)
