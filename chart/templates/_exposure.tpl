{{- /*
How a component's `ingress` (its exposure: hosts, paths, ports, TLS) is rendered: as an Ingress,
as Gateway API routes, or both. Mirrors Component.exposure and Component.gateway_parent in the
values model.
*/ -}}

{{- /* Derives once per render into the memo as `exposure`: {ingress: bool, gateway: bool, parent?:
{name, namespace, sectionName?}} where `parent` (the routes' parentRef) is set when gateway is
true. Both are false when the component has no enabled ingress or does not serve. Args: root id c. */ -}}
{{- define "svcgen.exposure.resolve" -}}
{{- include "svcgen.memo.entry" . -}}
{{- if not (hasKey .memo "exposure") -}}
  {{- $out := dict "ingress" false "gateway" false -}}
  {{- $ing := .c.ingress -}}
  {{- if and (not (kindIs "invalid" $ing)) (ne ($ing | default dict).enabled false) (include "svcgen.component.serves" .c) -}}
    {{- $ing = $ing | default dict -}}
    {{- $g := .root.Values.global | default dict -}}
    {{- $mode := $ing.exposure | default $g.exposure | default "ingress" -}}
    {{- $_ := set $out "ingress" (has $mode (list "ingress" "both")) -}}
    {{- $_ := set $out "gateway" (has $mode (list "gateway" "both")) -}}
    {{- if $out.gateway -}}
      {{- $base := $g.gateway | default dict -}}
      {{- $own := $ing.gateway | default dict -}}
      {{- $name := $own.name | default $base.name -}}
      {{- if not $name -}}
        {{- fail (printf "components.%s.ingress: exposure %q renders Gateway API routes, which need a Gateway to attach to; set global.gateway.name (or components.%s.ingress.gateway.name)" .id $mode .id) -}}
      {{- end -}}
      {{- $parent := dict "name" $name "namespace" ($own.namespace | default $base.namespace | default .root.Release.Namespace) -}}
      {{- with ($own.sectionName | default $base.sectionName) -}}
        {{- $_ := set $parent "sectionName" . -}}
      {{- end -}}
      {{- $_ := set $out "parent" $parent -}}
    {{- end -}}
  {{- end -}}
  {{- $_ := set .memo "exposure" $out -}}
{{- end -}}
{{- end -}}

{{- /* "true" when the chart renders Gateway API routes for the component, so policies admit the
Gateway exactly when it routes here. Args: root id c. */ -}}
{{- define "svcgen.exposure.routed" -}}
{{- include "svcgen.exposure.resolve" . -}}
{{- if .memo.exposure.gateway -}}
  {{- include "svcgen.ingress.resolve" . -}}
  {{- if .memo.ingress -}}true{{- end -}}
{{- end -}}
{{- end -}}
