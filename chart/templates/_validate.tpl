{{- /*
Release-wide checks that no per-component template can make.
*/ -}}

{{- /* Release-wide checks that no per-component template can make. Rendered once by validate.yaml,
so their cost is one pass over the components. */ -}}
{{- define "svcgen.validate.release" -}}
{{- $g := .Values.global | default dict -}}
{{- /* Space Cloud promises <service>.<project>.svc.cluster.local: the project is the namespace. */ -}}
{{- if and $g.project (ne $g.project .Release.Namespace) -}}
  {{- fail (printf "global.project must equal the release namespace: global.project is %q but the release namespace is %q; install with --namespace %s or change global.project" $g.project .Release.Namespace $g.project) -}}
{{- end -}}
{{- /* toYaml (and toJson) drop or mangle a string with a C1 control character (U+0080-U+009F),
and the YAML of a document may not carry one raw. Env values are quoted and carry them; the
sections below go through toYaml or toJson, so a C1 character there is refused with its path
(lint's SVC006 checks the same sections). One scan of all of them; naming the component runs
only on a match. */ -}}
{{- $c1 := `[\x{80}-\x{9f}]` -}}
{{- if regexMatch $c1 (toJson (pick $g "annotations")) -}}
  {{- fail "global.annotations: a value holds a C1 control character (U+0080-U+009F), which the rendered YAML cannot carry; remove it (svcgen lint names the key)" -}}
{{- end -}}
{{- $sections := dict -}}
{{- range $id, $c := (.Values.components | default dict) -}}
  {{- $_ := set $sections $id (pick $c "annotations" "podAnnotations" "service" "ingress" "serviceAccount" "affinity" "tolerations" "topologySpreadConstraints" "podSecurityContext") -}}
{{- end -}}
{{- if regexMatch $c1 (toJson $sections) -}}
  {{- range $id, $picked := $sections -}}
    {{- if regexMatch $c1 (toJson $picked) -}}
      {{- fail (printf "components.%s: a value of %s holds a C1 control character (U+0080-U+009F), which the rendered YAML cannot carry; remove it (svcgen lint names the key)" $id (keys $picked | sortAlpha | join ", ")) -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- /* Service names must be unique across the components that have Services (service.name can
make two collide). */ -}}
{{- $services := dict -}}
{{- range $id, $c := (.Values.components | default dict) -}}
  {{- if and (include "svcgen.component.enabled" $c) (include "svcgen.component.serves" $c) -}}
    {{- $ctx := dict "root" $ "id" $id "c" $c -}}
    {{- $names := list (include "svcgen.names.service" $ctx) -}}
    {{- if eq (include "svcgen.component.kind" $c) "StatefulSet" -}}
      {{- $names = append $names (include "svcgen.names.headlessService" $ctx) -}}
    {{- end -}}
    {{- range $name := $names -}}
      {{- with (get $services $name) -}}
        {{- fail (printf "components.%s.service.name: the Service name %q is also used by component %q; Service names must be unique in a namespace" $id $name .) -}}
      {{- end -}}
      {{- $_ := set $services $name $id -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- end -}}
