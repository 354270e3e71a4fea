{{- /*
Shared helpers. Every per-component helper takes a dict:
  root: the top-level context ($), id: the component id, c: the component's values.
Helpers never range over .Values.components: cost stays linear in the number of components.
*/ -}}

{{- define "svcgen.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "svcgen.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- /* Base name of a component's objects: the id, or <release>-<id> with global.prefixWithRelease. */ -}}
{{- define "svcgen.componentName" -}}
{{- $g := .root.Values.global | default dict -}}
{{- $name := .id -}}
{{- if $g.prefixWithRelease -}}
{{- $name = printf "%s-%s" .root.Release.Name .id -}}
{{- end -}}
{{- if gt (len $name) 63 -}}
{{- fail (printf "components.%s: the object name %q is longer than 63 characters; shorten the component id or turn off global.prefixWithRelease" .id $name) -}}
{{- end -}}
{{- $name -}}
{{- end -}}

{{- /* Name of a component's Service: service.name or the id, with the release prefix when on. */ -}}
{{- define "svcgen.serviceName" -}}
{{- $g := .root.Values.global | default dict -}}
{{- $svc := .c.service | default dict -}}
{{- $name := default .id $svc.name -}}
{{- if $g.prefixWithRelease -}}
{{- $name = printf "%s-%s" .root.Release.Name $name -}}
{{- end -}}
{{- if gt (len $name) 63 -}}
{{- fail (printf "components.%s.service: the Service name %q is longer than 63 characters; set a shorter service.name" .id $name) -}}
{{- end -}}
{{- $name -}}
{{- end -}}

{{- /* Selector labels: minimal and stable; user labels never go here. */ -}}
{{- define "svcgen.selectorLabels" -}}
app.kubernetes.io/name: {{ include "svcgen.name" .root | quote }}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/component: {{ .id | quote }}
{{- end -}}

{{- /* Labels for every object of a component: standard ones, then global.labels, then the component's. */ -}}
{{- define "svcgen.labels" -}}
{{- $g := .root.Values.global | default dict -}}
{{- $labels := dict -}}
{{- range $k, $v := ($g.labels | default dict) }}{{ $_ := set $labels $k $v }}{{ end -}}
{{- if .c -}}
{{- range $k, $v := (.c.labels | default dict) }}{{ $_ := set $labels $k $v }}{{ end -}}
{{- end -}}
{{- $_ := set $labels "helm.sh/chart" (include "svcgen.chart" .root) -}}
{{- $_ := set $labels "app.kubernetes.io/managed-by" .root.Release.Service -}}
{{- $_ := set $labels "app.kubernetes.io/name" (include "svcgen.name" .root) -}}
{{- $_ := set $labels "app.kubernetes.io/instance" .root.Release.Name -}}
{{- if .id -}}
{{- $_ := set $labels "app.kubernetes.io/component" .id -}}
{{- end -}}
{{- if .root.Chart.AppVersion -}}
{{- $_ := set $labels "app.kubernetes.io/version" (.root.Chart.AppVersion | toString | trunc 63 | trimSuffix "-") -}}
{{- end -}}
{{- $_ := set $labels "app.kubernetes.io/part-of" (.root.Values.global.project | default (include "svcgen.name" .root)) -}}
{{- toYaml $labels -}}
{{- end -}}

{{- /* Annotations for every object of a component: global.annotations then the component's; empty string when none. */ -}}
{{- define "svcgen.annotations" -}}
{{- $g := .root.Values.global | default dict -}}
{{- $ann := dict -}}
{{- range $k, $v := ($g.annotations | default dict) }}{{ $_ := set $ann $k $v }}{{ end -}}
{{- if .c -}}
{{- range $k, $v := (.c.annotations | default dict) }}{{ $_ := set $ann $k $v }}{{ end -}}
{{- end -}}
{{- range $k, $v := (.extra | default dict) }}{{ $_ := set $ann $k $v }}{{ end -}}
{{- if $ann -}}
{{- toYaml $ann -}}
{{- end -}}
{{- end -}}

{{- /* metadata block for a component's object: name, labels, annotations. Args: root id c name [extra]. */ -}}
{{- define "svcgen.metadata" -}}
name: {{ .name | quote }}
labels:
  {{- include "svcgen.labels" . | nindent 2 }}
{{- with (include "svcgen.annotations" .) }}
annotations:
  {{- . | nindent 2 }}
{{- end }}
{{- end -}}

{{- /* repository[:tag][@digest] */ -}}
{{- define "svcgen.image" -}}
{{- $ref := .repository -}}
{{- if .tag -}}{{- $ref = printf "%s:%s" $ref (toString .tag) -}}{{- end -}}
{{- if .digest -}}{{- $ref = printf "%s@%s" $ref .digest -}}{{- end -}}
{{- $ref -}}
{{- end -}}

{{- /* ServiceAccount a component's pods run as. A component gets its own when serviceAccount.create
is set or Istio is on (Istio tells callers apart by their ServiceAccount). Args: root id c. */ -}}
{{- define "svcgen.serviceAccountCreate" -}}
{{- $sa := .c.serviceAccount | default dict -}}
{{- $mesh := (.root.Values.global.mesh | default dict) -}}
{{- if or $sa.create $mesh.istio -}}true{{- end -}}
{{- end -}}

{{- define "svcgen.serviceAccountName" -}}
{{- $sa := .c.serviceAccount | default dict -}}
{{- if include "svcgen.serviceAccountCreate" . -}}
{{- default (include "svcgen.componentName" .) $sa.name -}}
{{- else -}}
{{- default "default" $sa.name -}}
{{- end -}}
{{- end -}}

{{- /* A scalar as a string. Helm parses numbers in values files as float64, and Go prints an
integral float64 of a million or more as 1e+06; print integral floats as integers instead. */ -}}
{{- define "svcgen.scalar" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) -}}
{{- int64 . -}}
{{- else -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{- /* Container ports of a component (its containers, not init containers) by port name, as YAML:
<name>: {containerPort, protocol, container}. Port names are what Services and probes refer to,
so a name used by two containers of one pod is an error. Args: root id c. */ -}}
{{- define "svcgen.containerPorts" -}}
{{- $index := dict -}}
{{- range $cname, $ctr := .c.containers -}}
{{- range $pname, $p := ($ctr.ports | default dict) -}}
{{- with (get $index $pname) -}}
{{- fail (printf "components.%s.containers.%s.ports.%s: port name %q is also used by container %q; port names must be unique in a pod" $.id $cname $pname $pname .container) -}}
{{- end -}}
{{- $_ := set $index $pname (dict "containerPort" $p.containerPort "protocol" ($p.protocol | default "TCP") "container" $cname) -}}
{{- end -}}
{{- end -}}
{{- toYaml $index -}}
{{- end -}}

{{- /* Resolved ports of a component's Service, as YAML `ports: [{name, port, targetPort, protocol,
nodePort?, appProtocol?}]`, sorted by name; an empty list when service.enabled is false. Without
service.ports every container port is exposed on its own number. A targetPort given by name (or
defaulted to the Service port's name) must name one of the component's container ports.
Args: root id c. */ -}}
{{- define "svcgen.servicePorts" -}}
{{- $svc := .c.service | default dict -}}
{{- $ports := list -}}
{{- if ne $svc.enabled false -}}
{{- $index := include "svcgen.containerPorts" . | fromYaml -}}
{{- $type := $svc.type | default "ClusterIP" -}}
{{- if $svc.ports -}}
{{- range $name, $sp := $svc.ports -}}
{{- $sp = $sp | default dict -}}
{{- $target := $sp.targetPort | default $name -}}
{{- $port := dict "name" $name -}}
{{- if kindIs "string" $target -}}
{{- $cp := get $index $target -}}
{{- if not $cp -}}
{{- fail (printf "components.%s.service.ports.%s: targetPort %q names no container port of this component (its container ports: %s); set targetPort to one of them" $.id $name $target (keys $index | sortAlpha | join ", " | default "none")) -}}
{{- end -}}
{{- $_ := set $port "targetPort" $target -}}
{{- $_ := set $port "port" ($sp.port | default $cp.containerPort) -}}
{{- $_ := set $port "protocol" ($sp.protocol | default $cp.protocol) -}}
{{- else -}}
{{- $protocol := "TCP" -}}
{{- range $cp := $index -}}
{{- if eq (int64 $cp.containerPort) (int64 $target) -}}{{- $protocol = $cp.protocol -}}{{- end -}}
{{- end -}}
{{- $_ := set $port "targetPort" $target -}}
{{- $_ := set $port "port" ($sp.port | default $target) -}}
{{- $_ := set $port "protocol" ($sp.protocol | default $protocol) -}}
{{- end -}}
{{- if $sp.nodePort -}}
{{- if not (has $type (list "NodePort" "LoadBalancer")) -}}
{{- fail (printf "components.%s.service.ports.%s.nodePort: a node port needs service.type NodePort or LoadBalancer, not %s" $.id $name $type) -}}
{{- end -}}
{{- $_ := set $port "nodePort" $sp.nodePort -}}
{{- end -}}
{{- with $sp.appProtocol -}}{{- $_ := set $port "appProtocol" . -}}{{- end -}}
{{- $ports = append $ports $port -}}
{{- end -}}
{{- else -}}
{{- range $name, $cp := $index -}}
{{- $ports = append $ports (dict "name" $name "port" $cp.containerPort "targetPort" $name "protocol" $cp.protocol) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml (dict "ports" $ports) -}}
{{- end -}}
