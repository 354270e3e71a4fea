{{- /*
Object names. A component's objects are named after its id (or <release>-<id> with
global.prefixWithRelease), so adding a component never renames another.
*/ -}}

{{- define "svcgen.names.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "svcgen.names.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- /* Base name of a component's objects: the id, or <release>-<id> with global.prefixWithRelease. */ -}}
{{- define "svcgen.names.component" -}}
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
{{- define "svcgen.names.service" -}}
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

{{- /* Name of a StatefulSet's governing headless Service: `<service-name>-headless`. Args: root id c. */ -}}
{{- define "svcgen.names.headlessService" -}}
{{- $name := printf "%s-headless" (include "svcgen.names.service" .) -}}
{{- if gt (len $name) 63 -}}
  {{- fail (printf "components.%s.service: the headless Service name %q is longer than 63 characters; set a shorter service.name" .id $name) -}}
{{- end -}}
{{- $name -}}
{{- end -}}

{{- /* Name of a Service over several components (`services.<name>`), with the release prefix when
on. Args: root name. */ -}}
{{- define "svcgen.names.shared" -}}
{{- $name := .name -}}
{{- if (.root.Values.global | default dict).prefixWithRelease -}}
  {{- $name = printf "%s-%s" .root.Release.Name .name -}}
{{- end -}}
{{- if gt (len $name) 63 -}}
  {{- fail (printf "services.%s: the Service name %q is longer than 63 characters; shorten the name or turn off global.prefixWithRelease" .name $name) -}}
{{- end -}}
{{- $name -}}
{{- end -}}
