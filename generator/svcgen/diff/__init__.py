"""``svcgen diff BASE... -- NEW...``: what changing the values does to a running release.

Both sides are rendered by the real helm (in parallel), the objects matched by kind and name and
compared field by field (:mod:`svcgen.diff.objects`), judged against what Kubernetes will not
change in place (:mod:`svcgen.diff.immutable`) and by the diff rules (:mod:`svcgen.diff.rules`),
and each finding placed at the values that caused it (:mod:`svcgen.diff.places`).
"""
