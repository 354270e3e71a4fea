{{- /*
A component's Ingress, resolved once and shared by ingress.yaml, NOTES.txt and the policies.
*/ -}}

{{- /* A component's Ingress, derived once per render into its memo as `ingress`: {name,
className?, hosts: [{host, paths: [{path, pathType, port: {name}}]}], tls?, annotations}, or nil
when it has no enabled ingress. Shared by ingress.yaml, NOTES.txt and the policies. Args: root id c. */ -}}
{{- define "svcgen.ingress.resolve" -}}
{{- include "svcgen.memo.entry" . -}}
{{- if not (hasKey .memo "ingress") -}}
  {{- $_ := set .memo "ingress" nil -}}
  {{- $ing := .c.ingress -}}
  {{- /* `ingress: {}` asks for an ingress with every default, so test presence, not truthiness. */ -}}
  {{- if and (not (kindIs "invalid" $ing)) (ne ($ing | default dict).enabled false) -}}
    {{- $ing = $ing | default dict -}}
    {{- $g := .root.Values.global | default dict -}}
    {{- $path := printf "components.%s.ingress" .id -}}
    {{- include "svcgen.ports.resolveService" . -}}
    {{- $ports := .memo.servicePorts -}}
    {{- if not $ports -}}
      {{- fail (printf "%s: an ingress routes to the component's Service, which is disabled or has no ports; enable components.%s.service or give the containers ports" $path .id) -}}
    {{- end -}}
    {{- $hosts := $ing.hosts | default dict -}}
    {{- if not $hosts -}}
      {{- if not $g.domain -}}
        {{- fail (printf "%s.hosts: no hosts and no global.domain to default them from; set %s.hosts or global.domain" $path $path) -}}
      {{- end -}}
      {{- $hosts = dict (printf "%s.%s" .id $g.domain) dict -}}
    {{- end -}}
    {{- $outHosts := list -}}
    {{- range $host, $h := $hosts -}}
      {{- $paths := ($h | default dict).paths | default (dict "/" dict) -}}
      {{- $outPaths := list -}}
      {{- range $p, $spec := $paths -}}
        {{- $spec = $spec | default dict -}}
        {{- $args := dict "ports" $ports "ref" $spec.port "path" (printf "%s.hosts.%s.paths.%s.port" $path $host $p) "root" $.root "id" $.id "c" $.c -}}
        {{- include "svcgen.ingress.servicePort" $args -}}
        {{- $target := $args.found -}}
        {{- /* `port` is the Ingress backend's port; `target` the whole Service port, for the routes
        (whose backendRefs take a number) and for telling gRPC ports; `spec` the path's values. */ -}}
        {{- $outPaths = append $outPaths (dict "path" $p "pathType" ($spec.pathType | default "Prefix") "port" (dict "name" $target.name) "target" $target "spec" $spec) -}}
      {{- end -}}
      {{- $outHosts = append $outHosts (dict "host" $host "paths" $outPaths) -}}
    {{- end -}}
    {{- $name := include "svcgen.names.component" . -}}
    {{- $out := dict "name" $name "hosts" $outHosts "annotations" (deepCopy ($ing.annotations | default dict)) -}}
    {{- with (default $g.ingressClassName $ing.className) -}}{{- $_ := set $out "className" . -}}{{- end -}}
    {{- $tls := $ing.tls -}}
    {{- if and (not (kindIs "invalid" $tls)) (ne ($tls | default dict).enabled false) -}}
      {{- $tls = $tls | default dict -}}
      {{- $_ := set $out "tls" (dict "secretName" (default (printf "%s-tls" $name) $tls.secretName)) -}}
      {{- with $tls.certManager -}}
        {{- if and .issuer .clusterIssuer -}}
          {{- fail (printf "%s.tls.certManager: give issuer or clusterIssuer, not both" $path) -}}
        {{- end -}}
        {{- with .issuer -}}{{- $_ := set $out.annotations "cert-manager.io/issuer" . -}}{{- end -}}
        {{- with .clusterIssuer -}}{{- $_ := set $out.annotations "cert-manager.io/cluster-issuer" . -}}{{- end -}}
      {{- end -}}
    {{- end -}}
    {{- $_ := set .memo "ingress" $out -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{- /* The Service port (an entry of svcgen.ports.resolveService) a path routes to, handed back in
the argument as `found`: the one named or numbered `ref`, the first when `ref` is unset; fails
naming `path` when there is none. Args: ports ref path, and root id c of the Service's component. */ -}}
{{- define "svcgen.ingress.servicePort" -}}
{{- $found := "" -}}
{{- if kindIs "invalid" .ref -}}
  {{- $found = first .ports -}}
{{- else -}}
  {{- range $sp := .ports -}}
    {{- if or (eq (toString $sp.name) (toString $.ref)) (and (not (kindIs "string" $.ref)) (eq (int64 $sp.port) (int64 $.ref))) -}}
      {{- $found = $sp -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- if not $found -}}
  {{- fail (printf "%s: %v is not a port of the Service %s (its ports: %s)" .path .ref (include "svcgen.names.service" .) (include "svcgen.ports.names" (dict "ports" .ports))) -}}
{{- end -}}
{{- $_ := set . "found" $found -}}
{{- end -}}

{{- /* The Ingress of svcgen.ingress.resolve as YAML, or nothing when the component has none.
Args: root id c. */ -}}
{{- define "svcgen.ingress.spec" -}}
{{- include "svcgen.ingress.resolve" . -}}
{{- with .memo.ingress -}}
  {{- toYaml . -}}
{{- end -}}
{{- end -}}

{{- /* "true" when the chart renders an Ingress for the component (the exposure includes an Ingress
and svcgen.ingress.resolve finds one, as ingress.yaml decides), so policies admit the ingress
controller exactly when it routes here. Args: root id c. */ -}}
{{- define "svcgen.ingress.rendered" -}}
{{- include "svcgen.exposure.resolve" . -}}
{{- if .memo.exposure.ingress -}}
  {{- include "svcgen.ingress.resolve" . -}}
  {{- if .memo.ingress -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{- /* Fails when the component's exposure says what an Ingress cannot: the Gateway API fields of a
path, RegularExpression paths, an HTTPS redirect route or the interceptor. Nothing an Ingress
cannot carry is dropped silently. Args: root id c (after svcgen.ingress.resolve). */ -}}
{{- define "svcgen.ingress.refuseRouteOnly" -}}
{{- $where := printf "components.%s.ingress" .id -}}
{{- $ing := .c.ingress | default dict -}}
{{- /* An HTTPS redirect is a route of its own, so it may go with an Ingress while routes render too
(exposure both); the interceptor may not: the Ingress would go round it. */ -}}
{{- range $field := list "httpsRedirect" "throughInterceptor" -}}
  {{- if and (index $ing $field) (or (eq $field "throughInterceptor") (not $.memo.exposure.gateway)) -}}
    {{- fail (printf "%s.%s: only Gateway API routes can do this, and this component renders an Ingress; set %s.exposure: gateway (or global.exposure), or remove %s" $where $field $where $field) -}}
  {{- end -}}
{{- end -}}
{{- range $h := .memo.ingress.hosts -}}
  {{- range $p := $h.paths -}}
    {{- $at := printf "%s.hosts.%s.paths.%s" $where $h.host $p.path -}}
    {{- if eq $p.pathType "RegularExpression" -}}
      {{- fail (printf "%s.pathType: an Ingress has no RegularExpression paths; use Prefix, Exact or ImplementationSpecific, or set %s.exposure: gateway" $at $where) -}}
    {{- end -}}
    {{- range $field := list "protocol" "method" "headers" "weight" "backends" "requestHeaders" "responseHeaders" "redirect" "timeouts" -}}
      {{- $v := index $p.spec $field -}}
      {{- if and (not (kindIs "invalid" $v)) (or $v (kindIs "float64" $v) (kindIs "int64" $v) (kindIs "int" $v)) (not (and (eq $field "protocol") (eq (toString $v) "http"))) -}}
        {{- fail (printf "%s.%s: an Ingress cannot carry %s (Gateway API routes can); set %s.exposure: gateway (or global.exposure), or remove it" $at $field $field $where) -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- end -}}
