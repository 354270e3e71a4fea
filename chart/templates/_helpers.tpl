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
app.kubernetes.io/name: {{ include "svcgen.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .id }}
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
name: {{ .name }}
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
