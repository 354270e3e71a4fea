{{- /*
Helpers of the scaling and service-to-service policy templates (hpa, scaledobject,
httpscaledobject, networkpolicy, authorizationpolicy, sidecar).
Like _helpers.tpl they never range over .Values.components: a peer is found with one
`index .Values.components $name`, so cost stays linear in the number of components.
*/ -}}

{{- /* "true" when a block (a component, its scaling) is set and not switched off: `enabled`
defaults to true. */ -}}
{{- define "svcgen.policy.on" -}}
{{- if and (kindIs "map" .) (ne (toString .enabled) "false") -}}true{{- end -}}
{{- end -}}

{{- /* Which object scales a component: "hpa", "keda", "keda-http", or "" when it does not scale.
Mirrors Scaling.engine in the values model. Arg: the component's values. */ -}}
{{- define "svcgen.scalingEngine" -}}
{{- $s := .scaling -}}
{{- if include "svcgen.policy.on" $s -}}
{{- if or $s.concurrency $s.requestsPerSecond -}}
keda-http
{{- else if or $s.triggers (eq (include "svcgen.scaling.min" $s) "0") -}}
keda
{{- else -}}
hpa
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* scaling.minReplicas with its default of 1; 0 is a real value, so no `default`. */ -}}
{{- define "svcgen.scaling.min" -}}
{{- if not (kindIs "invalid" .minReplicas) -}}
{{- .minReplicas | int -}}
{{- else -}}
1
{{- end -}}
{{- end -}}

{{- /* scaleTargetRef of a component's workload (Deployment or StatefulSet, named like the component). Args: root id c. */ -}}
{{- define "svcgen.scaling.targetRef" -}}
apiVersion: apps/v1
kind: {{ .c.kind | default "Deployment" }}
name: {{ include "svcgen.componentName" . | quote }}
{{- end -}}

{{- /* Container ports of a component as NetworkPolicy ports (YAML list); empty when it has none. Arg: component values. */ -}}
{{- define "svcgen.policy.containerPorts" -}}
{{- range $cn, $ct := .containers }}
{{- range $pn, $p := ($ct.ports | default dict) }}
- port: {{ $p.containerPort | int }}
  protocol: {{ $p.protocol | default "TCP" }}
{{- end }}
{{- end }}
{{- end -}}

{{- /* "true" when the chart renders an Ingress for the component (svcgen.ingress decides, as
ingress.yaml does), so policies admit the ingress controller exactly when it routes here. Args: root id c. */ -}}
{{- define "svcgen.policy.hasIngress" -}}
{{- if include "svcgen.ingress" . -}}true{{- end -}}
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

{{- /* A NetworkPolicyPeer for a whitelist or upstream entry. Args: root peer path.
{component: c}        → pods of component c in this namespace (its selector labels);
{project: P}          → every pod of namespace P; with service S → pods labelled component=S;
project "*"           → every namespace. */ -}}
{{- define "svcgen.policy.netpolPeer" -}}
{{- if .peer.component -}}
{{- $_ := include "svcgen.policy.peerComponent" . -}}
podSelector:
  matchLabels:
    {{- include "svcgen.selectorLabels" (dict "root" .root "id" .peer.component) | nindent 4 }}
{{- else -}}
{{- if eq .peer.project "*" -}}
namespaceSelector: {}
{{- else -}}
namespaceSelector:
  matchLabels:
    kubernetes.io/metadata.name: {{ .peer.project | quote }}
{{- end -}}
{{- if and .peer.service (ne .peer.service "*") }}
podSelector:
  matchLabels:
    app.kubernetes.io/component: {{ .peer.service | quote }}
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
    - {{ printf "cluster.local/ns/%s/sa/%s" $ns (include "svcgen.serviceAccountName" (dict "root" .root "id" .peer.component "c" $target)) | quote }}
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
{{- printf "./%s.%s.svc.cluster.local" (include "svcgen.serviceName" (dict "root" .root "id" .peer.component "c" $target)) .root.Release.Namespace -}}
{{- else if eq .peer.project "*" -}}
*/*
{{- else if or (not .peer.service) (eq .peer.service "*") -}}
{{- printf "%s/*" .peer.project -}}
{{- else -}}
{{- printf "%s/%s.%s.svc.cluster.local" .peer.project .peer.service .peer.project -}}
{{- end -}}
{{- end -}}

{{- /* The Service port the KEDA HTTP add-on's interceptor forwards to: the Service port named
`http`, else the Service's first port by name (svcgen.servicePorts, the ports service.yaml renders).
Fails, naming the value path, when the component has no Service port. Args: root id c. */ -}}
{{- define "svcgen.scaling.httpPort" -}}
{{- $ports := (include "svcgen.servicePorts" . | fromYaml).ports | default list -}}
{{- if not $ports -}}
{{- fail (printf "components.%s.scaling: concurrency and requestsPerSecond scale on HTTP traffic that the KEDA HTTP add-on forwards to the component's Service, but the component has no Service port; give a container a port and keep service.enabled, or scale on targetCPU/targetMemory" .id) -}}
{{- end -}}
{{- $pick := first $ports -}}
{{- range $p := $ports -}}
{{- if eq $p.name "http" -}}{{- $pick = $p -}}{{- end -}}
{{- end -}}
{{- $pick.port | int -}}
{{- end -}}
