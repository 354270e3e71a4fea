"""Rules whose findings the engine makes itself: the schema, and the checks of ``--render``."""

from __future__ import annotations

from svcgen.diagnostics import Severity
from svcgen.lint.registry import declare

SCHEMA = declare(
    "SVC001", "schema", Severity.ERROR, "The values do not fit the chart's schema",
    """
    The values are checked against the same model the chart's ``values.schema.json`` is
    generated from: unknown keys, wrong types, names that break Kubernetes' rules, missing
    required keys. Helm would refuse them with a message about the merged values; the lint
    points at the file, line and column where the value was written. When the schema fails,
    only rules that read the raw data run.

    Example fix: correct the value the message names.

        replicas: 3        # was replicas: three
    """,
)
HELM_RENDER = declare(
    "SVC901", "helm-template", Severity.ERROR, "helm template refused the values (--render)",
    """
    With ``--render`` the chart is rendered by ``helm template`` with these values files (in
    order), the release namespace (``global.project`` when set) and ``--kube-version``. The
    chart's own checks (``fail`` with the values path) and its JSON schema run there; any
    refusal is reported with helm's message.

    Example fix: correct the value named by helm's message, e.g.

        global: {project: shop}   # and install with --namespace shop
    """,
)
HELM_LINT = declare(
    "SVC902", "helm-lint", Severity.WARNING, "helm lint reported a problem (--render)",
    """
    ``helm lint --strict`` checks the chart with these values the way chart-testing does in
    CI: template errors, deprecated APIs for the target Kubernetes version, missing recommended
    chart metadata. Findings keep helm's severity.

    Example fix: follow helm's message; for an API deprecated in the target Kubernetes version,
    pass the version the cluster really runs:

        svcgen lint values.yaml --render --kube-version 1.31.0
    """,
)
KUBE_SCHEMA = declare(
    "SVC903", "kube-schema", Severity.ERROR,
    "A rendered object breaks the Kubernetes API schema (--render)",
    """
    Every object of the render is validated against the Kubernetes API schemas of
    ``--kube-version`` in strict mode (unknown fields are errors, as with
    ``kubectl apply --validate=strict``), and the KEDA and Istio objects against their CRDs'
    schemas. Such a problem is usually a values entry passed through unchecked (``affinity``,
    ``tolerations``, ``podSecurityContext``); the finding names the object and field.

    Example fix: correct the passed-through field, e.g.

        tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]
    """,
)
KUBE_SERVER = declare(
    "SVC904", "kube-server", Severity.ERROR,
    "The cluster's API server refuses a rendered object (--server)",
    """
    With ``--server`` every rendered object, hooks and the test pod included, is sent to the
    cluster of the kubeconfig context as a server-side apply with ``dryRun=All``: the real API
    server validates it (CEL rules of CRDs included), defaults it and runs its admission
    (PodSecurity, quotas, webhooks), as ``helm install`` or ``helm upgrade`` would meet it, and
    stores nothing. An existing object is checked as the update the upgrade would make, so
    immutable fields are refused too. A workload whose pods break the namespace's enforced Pod
    Security level is an error (its pods would be refused); other server warnings are warnings.

    Example fix: follow the server's message, e.g. for a namespace enforcing ``restricted``

        securityProfile: restricted   # was baseline, in a namespace that enforces restricted
    """,
)
