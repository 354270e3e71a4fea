{{- /*
Autoscaling: which object scales a component, and what it targets.
*/ -}}

{{- /* Which object scales a component: "hpa", "keda", "keda-http", or "" when it does not scale
(scaling is off, or the kind runs no number of replicas). Mirrors Scaling.engine in the values
model. Arg: the component's values. */ -}}
{{- define "svcgen.scaling.engine" -}}
{{- $s := .scaling -}}
{{- if and (include "svcgen.values.enabled" $s) (include "svcgen.component.replicated" .) -}}
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
kind: {{ include "svcgen.component.kind" .c }}
name: {{ include "svcgen.names.component" . | quote }}
{{- end -}}

{{- /* Name of the TriggerAuthentication of trigger `index` of a component. Args: root id c index. */ -}}
{{- define "svcgen.scaling.triggerAuthName" -}}
{{- printf "%s-trigger-%d" (include "svcgen.names.component" .) (int .index) -}}
{{- end -}}

{{- /* The Service port the KEDA HTTP add-on's interceptor forwards to: the Service port named
`http`, else the first with appProtocol http, else the Service's first port by name
(svcgen.ports.service, the ports service.yaml renders).
Fails, naming the value path, when the component has no Service port. Args: root id c. */ -}}
{{- define "svcgen.scaling.httpPort" -}}
{{- include "svcgen.ports.resolveService" . -}}
{{- $ports := .memo.servicePorts -}}
{{- if not $ports -}}
  {{- fail (printf "components.%s.scaling: concurrency and requestsPerSecond scale on HTTP traffic that the KEDA HTTP add-on forwards to the component's Service, but the component has no Service port; give a container a port and keep service.enabled, or scale on targetCPU/targetMemory" .id) -}}
{{- end -}}
{{- $pick := first $ports -}}
{{- range $p := reverse $ports -}}
  {{- if eq (toString $p.appProtocol) "http" -}}{{- $pick = $p -}}{{- end -}}
{{- end -}}
{{- range $p := $ports -}}
  {{- if eq $p.name "http" -}}{{- $pick = $p -}}{{- end -}}
{{- end -}}
{{- $pick.port | int -}}
{{- end -}}
