{{- /*
Service-to-service policy (networkpolicy, authorizationpolicy, sidecar). A peer is found with
one `index .Values.components $name`, never by scanning the components.
*/ -}}

{{- /* Container ports of a component as NetworkPolicy ports (YAML list); empty when it has none. Arg: component values. */ -}}
{{- define "svcgen.policy.containerPorts" -}}
{{- range $cn, $ct := .containers }}
  {{- range $pn, $p := ($ct.ports | default dict) }}
- port: {{ $p.containerPort | int }}
  protocol: {{ $p.protocol | default "TCP" }}
  {{- end }}
{{- end }}
{{- end -}}

{{- /* Looks up the component a {component: c} peer names and stores its values in the argument
dict as `target`; fails naming the value path when there is no such component. Args: root peer
path. Handing the values back through the dict, not as YAML text, spares a toYaml/fromYaml round
trip of the whole peer per reference, which dominated the render time of large releases. */ -}}
{{- define "svcgen.policy.peerComponent" -}}
{{- $target := index (.root.Values.components | default dict) .peer.component -}}
{{- if not $target -}}
  {{- fail (printf "%s.component: no component %q in components; name a component of this release, or use {project: <namespace>, service: <name>} for a service elsewhere" .path .peer.component) -}}
{{- end -}}
{{- $_ := set . "target" $target -}}
{{- end -}}

{{- /* The NetworkPolicyPeers (a YAML list) for a whitelist or upstream entry. Args: root peer path.
{component: c}        → pods of component c in this namespace (its selector labels);
{project: P}          → every pod of namespace P; with service S → pods labelled
                        app.kubernetes.io/component=S, and pods labelled app=S (Space Cloud's);
project "*"           → every namespace. */ -}}
{{- define "svcgen.policy.netpolPeer" -}}
{{- if .peer.component -}}
  {{- $_ := include "svcgen.policy.peerComponent" . -}}
- podSelector:
    matchLabels:
      {{- include "svcgen.labels.selector" (dict "root" .root "id" .peer.component) | nindent 6 }}
{{- else -}}
  {{- $namespace := dict -}}
  {{- if ne .peer.project "*" -}}
    {{- $namespace = dict "matchLabels" (dict "kubernetes.io/metadata.name" .peer.project) -}}
  {{- end -}}
  {{- if and .peer.service (ne .peer.service "*") -}}
  {{- /* A service of another project may not come from this chart: its pods carry this chart's
  component label, or Space Cloud's `app: <service>`. A NetworkPolicy cannot select by
  ServiceAccount, so either label admits it (Istio policies match the ServiceAccount). */}}
    {{- range $label := list "app.kubernetes.io/component" "app" }}
- namespaceSelector:{{ if $namespace }}{{ toYaml $namespace | nindent 4 }}{{ else }} {}{{ end }}
  podSelector:
    matchLabels:
      {{ $label }}: {{ $.peer.service | quote }}
    {{- end -}}
  {{- else }}
- namespaceSelector:{{ if $namespace }}{{ toYaml $namespace | nindent 4 }}{{ else }} {}{{ end }}
  {{- end -}}
{{- end -}}
{{- end -}}

{{- /* An Istio AuthorizationPolicy source for a whitelist entry, as a rule's `from` entry; empty for
"any source" ({project: "*"} without a service). Args: root peer path. */ -}}
{{- define "svcgen.policy.istioSource" -}}
{{- $ns := .root.Release.Namespace -}}
{{- if .peer.component -}}
  {{- $_ := include "svcgen.policy.peerComponent" . -}}
  {{- $target := .target -}}
source:
  principals:
    - {{ printf "cluster.local/ns/%s/sa/%s" $ns (include "svcgen.serviceAccount.name" (dict "root" .root "id" .peer.component "c" $target)) | quote }}
{{- else if or (not .peer.service) (eq .peer.service "*") -}}
  {{- if ne .peer.project "*" -}}
source:
  namespaces:
    - {{ .peer.project | quote }}
  {{- end -}}
{{- else if eq .peer.project "*" -}}
  {{- /* Istio principals allow one wildcard at either end: ServiceAccount S in any namespace. */ -}}
source:
  principals:
    - {{ printf "*/sa/%s" .peer.service | quote }}
{{- else -}}
source:
  principals:
    - {{ printf "cluster.local/ns/%s/sa/%s" .peer.project .peer.service | quote }}
{{- end -}}
{{- end -}}

{{- /* The Istio Sidecar egress host for an upstream entry. Args: root peer path. */ -}}
{{- define "svcgen.policy.sidecarHost" -}}
{{- if .peer.component -}}
  {{- $_ := include "svcgen.policy.peerComponent" . -}}
  {{- $target := .target -}}
  {{- printf "./%s.%s.svc.cluster.local" (include "svcgen.names.service" (dict "root" .root "id" .peer.component "c" $target)) .root.Release.Namespace -}}
{{- else if eq .peer.project "*" -}}
  */*
{{- else if or (not .peer.service) (eq .peer.service "*") -}}
  {{- printf "%s/*" .peer.project -}}
{{- else -}}
  {{- printf "%s/%s.%s.svc.cluster.local" .peer.project .peer.service .peer.project -}}
{{- end -}}
{{- end -}}

{{- /* The NetworkPolicy peer that calls a component whose routes render, as a YAML list item: the
Gateway's data-plane pods (global.gateway.podLabels, every pod of its namespace when empty) in the
namespace of the component's Gateway; or, for ingress.throughInterceptor, the KEDA HTTP add-on's
namespace, since the interceptor and not the Gateway then calls the pods. Args: root id c (after
svcgen.exposure.resolve). */ -}}
{{- define "svcgen.policy.gatewayPeer" -}}
{{- $g := .root.Values.global | default dict -}}
{{- $podLabels := ($g.gateway | default dict).podLabels -}}
{{- if (.c.ingress | default dict).throughInterceptor -}}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ ($g.kedaInterceptor | default dict).namespace | default "keda" | quote }}
{{- else -}}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ .memo.exposure.parent.namespace | quote }}
  {{- with $podLabels }}
  podSelector:
    matchLabels:
      {{- toYaml . | nindent 6 }}
  {{- end }}
{{- end -}}
{{- end -}}

{{- /* The Istio AuthorizationPolicy source of the caller of a component whose routes render: the
principal of global.gateway.serviceAccount when the component attaches to that Gateway and it is
set, else the Gateway's namespace; for ingress.throughInterceptor, the KEDA HTTP add-on's namespace.
As a dict in the argument as `source`. Args: root id c (after svcgen.exposure.resolve). */ -}}
{{- define "svcgen.policy.gatewaySource" -}}
{{- $g := .root.Values.global | default dict -}}
{{- $gw := $g.gateway | default dict -}}
{{- $parent := .memo.exposure.parent -}}
{{- if (.c.ingress | default dict).throughInterceptor -}}
  {{- $_ := set . "source" (dict "namespaces" (list (($g.kedaInterceptor | default dict).namespace | default "keda"))) -}}
{{- else if and $gw.serviceAccount (eq $parent.name (toString $gw.name)) (eq $parent.namespace ($gw.namespace | default .root.Release.Namespace)) -}}
  {{- $_ := set . "source" (dict "principals" (list (printf "cluster.local/ns/%s/sa/%s" $parent.namespace $gw.serviceAccount))) -}}
{{- else -}}
  {{- $_ := set . "source" (dict "namespaces" (list $parent.namespace)) -}}
{{- end -}}
{{- end -}}
