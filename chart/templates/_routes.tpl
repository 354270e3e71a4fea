{{- /*
Gateway API routes: the component's exposure (svcgen.ingress.resolve) rendered as HTTPRoutes and
GRPCRoutes attached to its Gateway (svcgen.exposure.resolve). A route's `hostnames` apply to all of
its rules while each of our hosts has paths of its own, so there is one route per host and kind,
named `<component>-<host>` (`*` spelled `wildcard`): adding a host never renames another's route.
*/ -}}

{{- /* Derives once per render into the memo as `routes`: [{kind, name, parent, hostnames, rules,
through}] (empty when no routes render). `rules` are the Gateway API rules as they render; `through`
is true when they go to the KEDA HTTP add-on's interceptor. Args: root id c. */ -}}
{{- define "svcgen.routes.resolve" -}}
{{- include "svcgen.exposure.resolve" . -}}
{{- if not (hasKey .memo "routes") -}}
  {{- $routes := list -}}
  {{- include "svcgen.ingress.resolve" . -}}
  {{- if and .memo.exposure.gateway .memo.ingress -}}
    {{- $ing := .c.ingress | default dict -}}
    {{- $g := .root.Values.global | default dict -}}
    {{- $where := printf "components.%s.ingress" .id -}}
    {{- $name := include "svcgen.names.component" . -}}
    {{- $own := dict "name" (include "svcgen.names.service" .) -}}
    {{- if $ing.throughInterceptor -}}
      {{- $scaling := .c.scaling | default dict -}}
      {{- if or (eq $scaling.enabled false) (not (or $scaling.concurrency $scaling.requestsPerSecond)) -}}
        {{- fail (printf "%s.throughInterceptor: the KEDA HTTP add-on's interceptor only routes to components it scales; set components.%s.scaling.concurrency or requestsPerSecond, or remove throughInterceptor" $where .id) -}}
      {{- end -}}
      {{- $ki := $g.kedaInterceptor | default dict -}}
      {{- $own = dict "name" ($ki.service | default "keda-add-ons-http-interceptor-proxy") "namespace" ($ki.namespace | default "keda") "port" ($ki.port | default 8080) -}}
    {{- end -}}
    {{- range $h := .memo.ingress.hosts -}}
      {{- $rules := dict "HTTPRoute" list "GRPCRoute" list -}}
      {{- range $p := $h.paths -}}
        {{- $at := printf "%s.hosts.%s.paths.%s" $where $h.host $p.path -}}
        {{- $args := dict "root" $.root "id" $.id "c" $.c "p" $p "at" $at "own" $own "through" $ing.throughInterceptor -}}
        {{- include "svcgen.routes.rule" $args -}}
        {{- $_ := set $rules $args.kind (append (get $rules $args.kind) $args.rule) -}}
      {{- end -}}
      {{- range $kind := list "GRPCRoute" "HTTPRoute" -}}
        {{- with get $rules $kind -}}
          {{- $route := dict "kind" $kind "name" (include "svcgen.routes.name" (dict "base" $name "host" $h.host)) "parent" $.memo.exposure.parent "hostnames" (list $h.host) "rules" . "through" $ing.throughInterceptor -}}
          {{- $routes = append $routes $route -}}
        {{- end -}}
      {{- end -}}
    {{- end -}}
    {{- if $ing.httpsRedirect -}}
      {{- $section := ($g.gateway | default dict).httpSectionName -}}
      {{- if not $section -}}
        {{- fail (printf "%s.httpsRedirect: the redirect attaches to the Gateway's plain-HTTP listener; set global.gateway.httpSectionName (e.g. http)" $where) -}}
      {{- end -}}
      {{- $hostnames := list -}}
      {{- range .memo.ingress.hosts -}}{{- $hostnames = append $hostnames .host -}}{{- end -}}
      {{- $parent := merge (dict "sectionName" $section) .memo.exposure.parent -}}
      {{- $redirect := dict "type" "RequestRedirect" "requestRedirect" (dict "scheme" "https" "statusCode" 301) -}}
      {{- $routes = append $routes (dict "kind" "HTTPRoute" "name" (printf "%s-https-redirect" $name) "parent" $parent "hostnames" $hostnames "rules" (list (dict "filters" (list $redirect))) "through" false) -}}
    {{- end -}}
  {{- end -}}
  {{- $_ := set .memo "routes" $routes -}}
{{- end -}}
{{- end -}}

{{- /* A route's name: `<base>-<host>` with `*` spelled `wildcard`, a DNS-1123 subdomain; over 253
characters, cut to 244 and given 8 characters of the full name's SHA-256. Args: base host. */ -}}
{{- define "svcgen.routes.name" -}}
{{- $name := printf "%s-%s" .base (replace "*" "wildcard" .host) -}}
{{- if gt (len $name) 253 -}}
  {{- $name = printf "%s-%s" (trunc 244 $name | trimSuffix "." | trimSuffix "-") (sha256sum $name | trunc 8) -}}
{{- end -}}
{{- $name -}}
{{- end -}}

{{- /* The kind and rule of one exposure path, handed back in the argument as `kind` and `rule`.
A path is gRPC when its `protocol` says so or, unset, when it is no redirect and the Service port
it routes to has `appProtocol: grpc` or is named `grpc`/`grpc-*` (Component.route_kind in the
values model).
Args: root id c p (a path of svcgen.ingress.resolve) at (its values path) own (the backendRef of
the component's own Service, or the interceptor's) through. */ -}}
{{- define "svcgen.routes.rule" -}}
{{- $spec := .p.spec -}}
{{- $target := .p.target -}}
{{- $grpc := and (kindIs "invalid" $spec.redirect) (or (eq (toString $target.appProtocol) "grpc") (eq $target.name "grpc") (hasPrefix "grpc-" $target.name)) -}}
{{- with $spec.protocol -}}{{- $grpc = eq . "grpc" -}}{{- end -}}
{{- $kind := ternary "GRPCRoute" "HTTPRoute" $grpc -}}
{{- if eq .p.pathType "ImplementationSpecific" -}}
  {{- fail (printf "%s.pathType: ImplementationSpecific means whatever an ingress controller makes of it, which a Gateway API route cannot say; use Prefix, Exact or RegularExpression" .at) -}}
{{- end -}}
{{- $rule := dict -}}
{{- $match := dict -}}
{{- if $spec.headers -}}
  {{- $headers := list -}}
  {{- range $n, $hm := $spec.headers -}}
    {{- $headers = append $headers (dict "name" $n "value" (toString $hm.value) "type" ($hm.type | default "Exact")) -}}
  {{- end -}}
  {{- $_ := set $match "headers" $headers -}}
{{- end -}}
{{- if $grpc -}}
  {{- range $field := list "redirect" "timeouts" "method" -}}
    {{- if not (kindIs "invalid" (index $spec $field)) -}}
      {{- fail (printf "%s.%s: a GRPCRoute cannot carry %s; remove it, or set protocol: http for an HTTPRoute" $.at $field $field) -}}
    {{- end -}}
  {{- end -}}
  {{- $parts := splitList "/" (trimSuffix "/" (trimPrefix "/" .p.path)) -}}
  {{- if and (eq .p.pathType "Prefix") (eq .p.path "/") -}}
  {{- else if and (eq .p.pathType "Prefix") (eq (len $parts) 1) -}}
    {{- $_ := set $match "method" (dict "type" "Exact" "service" (first $parts)) -}}
  {{- else if and (eq (len $parts) 2) (has .p.pathType (list "Exact" "RegularExpression")) -}}
    {{- $_ := set $match "method" (dict "type" .p.pathType "service" (first $parts) "method" (last $parts)) -}}
  {{- else -}}
    {{- fail (printf "%s: a gRPC path is / or /<service> (Prefix), or /<service>/<method> (Exact or RegularExpression), as gRPC calls are /<package.Service>/<Method>" .at) -}}
  {{- end -}}
{{- else -}}
  {{- $types := dict "Prefix" "PathPrefix" "Exact" "Exact" "RegularExpression" "RegularExpression" -}}
  {{- $_ := set $match "path" (dict "type" (get $types .p.pathType) "value" .p.path) -}}
  {{- with $spec.method -}}{{- $_ := set $match "method" . -}}{{- end -}}
{{- end -}}
{{- if $match -}}{{- $_ := set $rule "matches" (list $match) -}}{{- end -}}
{{- $filters := list -}}
{{- range $field := list "requestHeaders" "responseHeaders" -}}
  {{- $given := get $spec $field -}}
  {{- if $given -}}
    {{- $mod := dict -}}
    {{- range $op := list "set" "add" -}}
      {{- with get $given $op -}}
        {{- $list := list -}}
        {{- range $n, $v := . -}}{{- $list = append $list (dict "name" $n "value" (toString $v)) -}}{{- end -}}
        {{- $_ := set $mod $op $list -}}
      {{- end -}}
    {{- end -}}
    {{- with $given.remove -}}{{- $_ := set $mod "remove" . -}}{{- end -}}
    {{- if $mod -}}
      {{- $type := ternary "RequestHeaderModifier" "ResponseHeaderModifier" (eq $field "requestHeaders") -}}
      {{- $filters = append $filters (dict "type" $type (ternary "requestHeaderModifier" "responseHeaderModifier" (eq $field "requestHeaders")) $mod) -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- with $spec.redirect -}}
  {{- if or $spec.backends (not (kindIs "invalid" $spec.weight)) -}}
    {{- fail (printf "%s.redirect: a redirect answers the request itself; remove weight and backends from this path" $.at) -}}
  {{- end -}}
  {{- $redirect := dict "statusCode" (.statusCode | default 302 | int) -}}
  {{- with .scheme -}}{{- $_ := set $redirect "scheme" . -}}{{- end -}}
  {{- with .hostname -}}{{- $_ := set $redirect "hostname" . -}}{{- end -}}
  {{- with .port -}}{{- $_ := set $redirect "port" (int .) -}}{{- end -}}
  {{- with .path -}}{{- $_ := set $redirect "path" (dict "type" "ReplaceFullPath" "replaceFullPath" .) -}}{{- end -}}
  {{- $filters = append $filters (dict "type" "RequestRedirect" "requestRedirect" $redirect) -}}
{{- end -}}
{{- if $filters -}}{{- $_ := set $rule "filters" $filters -}}{{- end -}}
{{- with $spec.timeouts -}}
  {{- $timeouts := dict -}}
  {{- with .request -}}{{- $_ := set $timeouts "request" . -}}{{- end -}}
  {{- with .backendRequest -}}{{- $_ := set $timeouts "backendRequest" . -}}{{- end -}}
  {{- if $timeouts -}}{{- $_ := set $rule "timeouts" $timeouts -}}{{- end -}}
{{- end -}}
{{- if kindIs "invalid" $spec.redirect -}}
  {{- include "svcgen.routes.backends" . -}}
  {{- $_ := set $rule "backendRefs" .backendRefs -}}
{{- end -}}
{{- $_ := set . "kind" $kind -}}
{{- $_ := set . "rule" $rule -}}
{{- end -}}

{{- /* The backendRefs of a path, handed back in the argument as `backendRefs`: the component's own
Service port (or the interceptor), then each of `backends` (another component's Service), with
weights when any is given. Fails when the weights sum to 0 (every request would get a 500). Args:
as svcgen.routes.rule. */ -}}
{{- define "svcgen.routes.backends" -}}
{{- $spec := .p.spec -}}
{{- $own := deepCopy .own -}}
{{- if not (hasKey $own "port") -}}{{- $_ := set $own "port" .p.target.port -}}{{- end -}}
{{- $_ := set $own "port" (int $own.port) -}}
{{- $refs := list $own -}}
{{- $weighted := or $spec.backends (not (kindIs "invalid" $spec.weight)) -}}
{{- if and .through $spec.backends -}}
  {{- fail (printf "%s.backends: with throughInterceptor every request goes to the KEDA HTTP add-on's interceptor, which routes by host alone; remove backends or throughInterceptor" .at) -}}
{{- end -}}
{{- $total := 0 -}}
{{- if $weighted -}}
  {{- $weight := ternary 1 $spec.weight (kindIs "invalid" $spec.weight) | int -}}
  {{- $_ := set $own "weight" $weight -}}
  {{- $total = add $total $weight -}}
{{- end -}}
{{- range $bid, $b := $spec.backends -}}
  {{- $b = $b | default dict -}}
  {{- $peer := index ($.root.Values.components | default dict) $bid -}}
  {{- if not (and $peer (include "svcgen.component.enabled" $peer)) -}}
    {{- fail (printf "%s.backends.%s: no enabled component %q to send requests to; name a component of components" $.at $bid $bid) -}}
  {{- end -}}
  {{- $ctx := dict "root" $.root "id" $bid "c" $peer -}}
  {{- include "svcgen.ports.resolveService" $ctx -}}
  {{- if not $ctx.memo.servicePorts -}}
    {{- fail (printf "%s.backends.%s: components.%s has no Service to route to; give it ports or enable its service" $.at $bid $bid) -}}
  {{- end -}}
  {{- $args := dict "ports" $ctx.memo.servicePorts "ref" $b.port "path" (printf "%s.backends.%s.port" $.at $bid) "root" $.root "id" $bid "c" $peer -}}
  {{- include "svcgen.ingress.servicePort" $args -}}
  {{- $weight := ternary 1 $b.weight (kindIs "invalid" $b.weight) | int -}}
  {{- $total = add $total $weight -}}
  {{- $refs = append $refs (dict "name" (include "svcgen.names.service" $ctx) "port" (int $args.found.port) "weight" $weight) -}}
{{- end -}}
{{- if and $weighted (eq (int $total) 0) -}}
  {{- fail (printf "%s: the weights of the path's backends sum to 0, so every request would fail; give one of them a weight above 0" .at) -}}
{{- end -}}
{{- $_ := set . "backendRefs" $refs -}}
{{- end -}}

{{- /* The routes of one kind for every component, as YAML documents. Args: root kind. */ -}}
{{- define "svcgen.routes.render" -}}
{{- $root := .root -}}
{{- $kind := .kind -}}
{{- range $id, $c := $root.Values.components -}}
  {{- if include "svcgen.component.enabled" $c -}}
    {{- $ctx := dict "root" $root "id" $id "c" $c -}}
    {{- include "svcgen.routes.resolve" $ctx -}}
    {{- range $ctx.memo.routes -}}
      {{- if eq .kind $kind }}
---
apiVersion: gateway.networking.k8s.io/v1
kind: {{ $kind }}
metadata:
  {{- include "svcgen.metadata.object" (merge (dict "name" .name) $ctx) | nindent 2 }}
spec:
  parentRefs:
    {{- toYaml (list .parent) | nindent 4 }}
  hostnames:
    {{- range .hostnames }}
    - {{ . | quote }}
    {{- end }}
  rules:
    {{- toYaml .rules | nindent 4 }}
      {{- end -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- end -}}
