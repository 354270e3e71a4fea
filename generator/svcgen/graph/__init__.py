"""``svcgen graph``: a picture of a release, drawn from what the chart renders.

``model``   the topology of one render: components (workloads) with their Service ports and
            claims, entry points (Ingress, Gateway API routes, NodePort/LoadBalancer Services),
            the peers outside the release, and the calls the rendered policies admit.
``policy``  what the rendered NetworkPolicies, Istio AuthorizationPolicies and Sidecars admit,
            evaluated with their own selector and port semantics.
``calls``   the calls components make (env values, arguments, mounted ConfigMaps, upstreams as the
            policies' egress rules and Sidecars state them) that no policy admits.
``draw``    Mermaid, Markdown, DOT, JSON and SVG (through graphviz's ``dot``).
``change``  what a change of values does to the topology.
``command`` the CLI's entry point: render through :mod:`svcgen.helm`, build, draw, write.
"""
