{{- /*
Helpers of the metrics templates (servicemonitor, podmonitor) and of the places that let the
scraper in (pod annotations, networkpolicy, authorizationpolicy, NOTES). Every helper takes a
dict with root ($), id (component id) and c (component values); none ranges over
.Values.components.
*/ -}}

{{- /* Port of the Istio sidecar's agent that serves the pod's merged metrics (Envoy's and, from the
prometheus.io annotations, the application's). Istio's injector points the pod's scrape
annotations at it; inbound traffic to it is not captured by the proxy. */ -}}
{{- define "svcgen.metrics.istioMergedPort" -}}15020{{- end -}}

{{- /* Label that marks a StatefulSet's governing headless Service, so that a ServiceMonitor can
leave it out. */ -}}
{{- define "svcgen.metrics.headlessLabel" -}}svcgen.io/headless{{- end -}}

{{- /* A component's metrics endpoint, resolved, stored as `endpoint` in the argument dict (an
empty dict when it declares none or metrics.enabled is false), not printed: handing it back through
the dict spares a toYaml/fromYaml round trip in each of the five places that ask.
  port: the container port's name, number: its number,
  servicePort: name of the Service port that forwards to it ("" when none),
  path, scheme, interval?, scrapeTimeout?, tls?,
  monitor: ServiceMonitor | PodMonitor | "" (auto: ServiceMonitor when servicePort is set),
  annotations: true | false.
With monitorKind false in the arguments the Service's ports are not looked up, and an auto
monitor is reported as "any" (a monitor of either kind scrapes the metrics port): enough for the
policies and the pod annotations.
Fails, naming the value path, when metrics.port names no container port, or when a ServiceMonitor
is asked for a port that is not on the Service. Mirrors Component.metrics_* in the values model.
Args: root id c [monitorKind]. */ -}}
{{- define "svcgen.metrics.endpoint" -}}
{{- $out := dict -}}
{{- $m := .c.metrics -}}
{{- if and $m (ne (toString $m.enabled) "false") -}}
  {{- $defaults := (.root.Values.global | default dict).metrics | default dict -}}
  {{- $path := printf "components.%s.metrics" .id -}}
  {{- $want := $m.port -}}
  {{- $name := "" -}}
  {{- $number := 0 -}}
  {{- range $cname, $ctr := .c.containers -}}
    {{- range $pname, $p := ($ctr.ports | default dict) -}}
      {{- $byNumber := and (not (kindIs "string" $want)) (eq (int64 $p.containerPort) (int64 $want)) (eq ($p.protocol | default "TCP") "TCP") -}}
      {{- if and (not $name) (or (eq (toString $want) $pname) $byNumber) -}}
        {{- $name = $pname -}}
        {{- $number = int64 $p.containerPort -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
  {{- if not $name -}}
    {{- include "svcgen.ports.resolveContainer" . -}}
    {{- $index := .memo.containerPorts -}}
    {{- fail (printf "%s.port: %v names no container port of this component (its container ports: %s); name one of them, or declare the metrics port under a container's ports" $path $want (keys $index | sortAlpha | join ", " | default "none")) -}}
  {{- end -}}
  {{- $monitor := $m.monitor | default ($defaults.monitor | default "none") -}}
  {{- $servicePort := "" -}}
  {{- if eq (toString .monitorKind) "false" -}}
    {{- if eq $monitor "auto" -}}
      {{- $monitor = "any" -}}
    {{- end -}}
  {{- else if has $monitor (list "auto" "ServiceMonitor") -}}
    {{- include "svcgen.ports.resolveService" . -}}
    {{- range .memo.servicePorts -}}
      {{- $target := .targetPort -}}
      {{- if and (not $servicePort) (or (eq (toString $target) $name) (and (not (kindIs "string" $target)) (eq (int64 $target) $number))) -}}
        {{- $servicePort = .name -}}
      {{- end -}}
    {{- end -}}
    {{- if eq $monitor "auto" -}}
      {{- $monitor = ternary "ServiceMonitor" "PodMonitor" (ne $servicePort "") -}}
    {{- else if not $servicePort -}}
      {{- fail (printf "%s.monitor: a ServiceMonitor scrapes through the component's Service, but no Service port forwards to the metrics port %s (%d); use monitor PodMonitor or auto, or add the port to service.ports" $path $name $number) -}}
    {{- end -}}
  {{- end -}}
  {{- if eq $monitor "none" -}}
    {{- $monitor = "" -}}
  {{- end -}}
  {{- $annotations := ne (toString $defaults.annotations) "false" -}}
  {{- if not (kindIs "invalid" $m.annotations) -}}
    {{- $annotations = $m.annotations -}}
  {{- end -}}
  {{- $out = dict "port" $name "number" $number "servicePort" $servicePort "monitor" $monitor "annotations" $annotations "path" ($m.path | default "/metrics") "scheme" ($m.scheme | default "http") -}}
  {{- with $m.interval -}}{{- $_ := set $out "interval" . -}}{{- end -}}
  {{- with $m.scrapeTimeout -}}{{- $_ := set $out "scrapeTimeout" . -}}{{- end -}}
  {{- with $m.tls -}}{{- $_ := set $out "tls" . -}}{{- end -}}
{{- end -}}
{{- $_ := set . "endpoint" $out -}}
{{- end -}}

{{- /* The scrape settings a ServiceMonitor endpoint and a PodMonitor endpoint share, as YAML
fields. Arg: the resolved endpoint (svcgen.metrics.endpoint). */ -}}
{{- define "svcgen.metrics.scrapeFields" -}}
path: {{ .path | quote }}
scheme: {{ .scheme }}
{{- with .interval }}
interval: {{ . | quote }}
{{- end }}
{{- with .scrapeTimeout }}
scrapeTimeout: {{ . | quote }}
{{- end }}
{{- with .tls }}
tlsConfig:
  {{- with .ca }}
  ca:
    secret:
      name: {{ .secret | quote }}
      key: {{ .key | quote }}
  {{- end }}
  {{- with .serverName }}
  serverName: {{ . | quote }}
  {{- end }}
  {{- if not (kindIs "invalid" .insecureSkipVerify) }}
  insecureSkipVerify: {{ .insecureSkipVerify }}
  {{- end }}
{{- end }}
{{- end -}}

{{- /* metadata of a ServiceMonitor or PodMonitor: the component's labels plus
global.metrics.monitorLabels (which a Prometheus' serviceMonitorSelector matches); the standard
labels win. Args: root id c. */ -}}
{{- define "svcgen.metrics.monitorMetadata" -}}
{{- $defaults := (.root.Values.global | default dict).metrics | default dict -}}
name: {{ include "svcgen.names.component" . | quote }}
labels:
  {{- include "svcgen.labels.resolve" . }}
  {{- toYaml (merge (deepCopy .memo.labels) ($defaults.monitorLabels | default dict)) | nindent 2 }}
{{- with (include "svcgen.metadata.annotations" .) }}
annotations:
  {{- . | nindent 2 }}
{{- end }}
{{- end -}}

{{- /* The conventional prometheus.io/* pod annotations, as YAML; nothing when the component's
metrics are not announced that way. With Istio, the sidecar injector reads them, points them at
its own port and merges the application's metrics into Envoy's (Istio's metrics merging). Args:
root id c. */ -}}
{{- define "svcgen.metrics.podAnnotations" -}}
{{- $args := merge (dict "monitorKind" false) . -}}
{{- $_ := include "svcgen.metrics.endpoint" $args -}}
{{- $e := $args.endpoint -}}
{{- if $e.annotations -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ $e.number | quote }}
prometheus.io/path: {{ $e.path | quote }}
  {{- if eq $e.scheme "https" }}
prometheus.io/scheme: https
  {{- end }}
{{- end -}}
{{- end -}}

{{- /* The NetworkPolicy ingress rule that admits the monitoring namespace, as a YAML list item;
nothing when no scraper needs in. It admits only the port the scraper connects to: the metrics
port for a ServiceMonitor or PodMonitor, or for annotations without Istio; with Istio, the
sidecar's merged-metrics port for every component, since Istio annotates every injected pod. */ -}}
{{- define "svcgen.metrics.networkPolicyRule" -}}
{{- $g := .root.Values.global | default dict -}}
{{- $istio := ($g.mesh | default dict).istio -}}
{{- $args := merge (dict "monitorKind" false) . -}}
{{- $_ := include "svcgen.metrics.endpoint" $args -}}
{{- $e := $args.endpoint -}}
{{- $ports := list -}}
{{- if and $e (or $e.monitor (and $e.annotations (not $istio))) -}}
  {{- $ports = append $ports (int64 $e.number) -}}
{{- end -}}
{{- if $istio -}}
  {{- $ports = append $ports (int64 (include "svcgen.metrics.istioMergedPort" .)) -}}
{{- end -}}
{{- if $ports }}
- from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ ($g.metrics | default dict).monitoringNamespace | default "monitoring" | quote }}
  ports:
  {{- range $ports | uniq }}
    - port: {{ . }}
      protocol: TCP
  {{- end }}
{{- end -}}
{{- end -}}

{{- /* The Istio AuthorizationPolicy rule that admits the scraper of a ServiceMonitor or PodMonitor
(identities of the monitoring namespace) on the metrics port only, as a dict in YAML; nothing
otherwise. Scrapes through Istio's metrics merging reach the agent's port, which no
AuthorizationPolicy governs. Args: root id c. */ -}}
{{- define "svcgen.metrics.authorizationRule" -}}
{{- $args := merge (dict "monitorKind" false) . -}}
{{- $_ := include "svcgen.metrics.endpoint" $args -}}
{{- $e := $args.endpoint -}}
{{- if and $e $e.monitor -}}
  {{- $namespace := ((.root.Values.global | default dict).metrics | default dict).monitoringNamespace | default "monitoring" -}}
from:
  - source:
      namespaces:
        - {{ $namespace | quote }}
to:
  - operation:
      ports:
        - {{ $e.number | quote }}
{{- end -}}
{{- end -}}

{{- /* One line for NOTES.txt: where the component's metrics are scraped; nothing without metrics.
Args: root id c. */ -}}
{{- define "svcgen.metrics.notes" -}}
{{- $args := merge (dict) . -}}
{{- $_ := include "svcgen.metrics.endpoint" $args -}}
{{- $e := $args.endpoint -}}
{{- if $e -}}
  {{- $where := list -}}
  {{- $name := include "svcgen.names.component" . -}}
  {{- if eq $e.monitor "ServiceMonitor" -}}
    {{- $where = append $where (printf "ServiceMonitor %s on Service port %s" $name $e.servicePort) -}}
  {{- else if eq $e.monitor "PodMonitor" -}}
    {{- $where = append $where (printf "PodMonitor %s on pod port %s" $name $e.port) -}}
  {{- end -}}
  {{- if $e.annotations -}}
    {{- if ((.root.Values.global | default dict).mesh | default dict).istio -}}
      {{- $where = append $where (printf "pod annotations, merged by the Istio sidecar on port %s" (include "svcgen.metrics.istioMergedPort" .)) -}}
    {{- else -}}
      {{- $where = append $where "pod annotations prometheus.io/*" -}}
    {{- end -}}
  {{- end -}}
Metrics: {{ $e.scheme }} port {{ $e.number }} ({{ $e.port }}), path {{ $e.path }}{{ with $e.interval }}, every {{ . }}{{ end }}; scraped through {{ join " and " $where | default "nothing (global.metrics.monitor is none and annotations are off)" }}
{{- end -}}
{{- end -}}
