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
        {{- $port := dict "name" (first $ports).name -}}
        {{- if not (kindIs "invalid" $spec.port) -}}
          {{- $found := false -}}
          {{- range $sp := $ports -}}
            {{- if or (eq (toString $sp.name) (toString $spec.port)) (and (not (kindIs "string" $spec.port)) (eq (int64 $sp.port) (int64 $spec.port))) -}}
              {{- $found = true -}}
              {{- $port = dict "name" $sp.name -}}
            {{- end -}}
          {{- end -}}
          {{- if not $found -}}
            {{- fail (printf "%s.hosts.%s.paths.%s.port: %v is not a port of the Service %s (its ports: %s)" $path $host $p $spec.port (include "svcgen.names.service" $) (include "svcgen.ports.names" (dict "ports" $ports))) -}}
          {{- end -}}
        {{- end -}}
        {{- $outPaths = append $outPaths (dict "path" $p "pathType" ($spec.pathType | default "Prefix") "port" $port) -}}
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
