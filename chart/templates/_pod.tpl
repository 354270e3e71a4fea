{{- /*
The pod template every workload kind shares: metadata, spec and the pod securityContext.
*/ -}}

{{- /* Pod securityContext: the profile's defaults, then podSecurityContext field by field. A
function of c.securityProfile and c.podSecurityContext (svcgen.memo.call). Args: c. */ -}}
{{- define "svcgen.pod.securityContext" -}}
{{- $sc := dict "seccompProfile" (dict "type" "RuntimeDefault") -}}
{{- if ne (.c.securityProfile | default "restricted") "baseline" -}}
  {{- $_ := set $sc "runAsNonRoot" true -}}
{{- end -}}
{{- range $k, $v := (.c.podSecurityContext | default dict) -}}
  {{- if not (kindIs "invalid" $v) -}}{{- $_ := set $sc $k $v -}}{{- end -}}
{{- end -}}
{{- toYaml $sc -}}
{{- end -}}

{{- /* The pod template (metadata and spec) of a component's workload. Args: root id c. */ -}}
{{- define "svcgen.pod.template" -}}
{{- $root := .root -}}
{{- $c := .c -}}
{{- $g := $root.Values.global | default dict -}}
{{- $componentName := include "svcgen.names.component" . -}}
{{- /* The pod's labels are the component's (which hold its selector labels) unless podLabels or
Istio add some; then selector labels go last, so podLabels can never make the pods miss their own
selector. */ -}}
{{- include "svcgen.labels.resolve" . -}}
{{- $labelsYaml := .memo.labelsYaml -}}
{{- $istio := ($g.mesh | default dict).istio -}}
{{- if or $c.podLabels $istio -}}
  {{- $labels := deepCopy .memo.labels -}}
  {{- range $k, $v := ($c.podLabels | default dict) }}{{ $_ := set $labels $k $v }}{{ end -}}
  {{- if $istio -}}
    {{- $_ := set $labels "sidecar.istio.io/inject" "true" -}}
  {{- end -}}
  {{- range $k, $v := (include "svcgen.labels.selector" . | fromYaml) }}{{ $_ := set $labels $k $v }}{{ end -}}
  {{- $labelsYaml = toYaml $labels -}}
{{- end -}}
{{- $annotations := dict -}}
{{- with include "svcgen.metrics.podAnnotations" . -}}
  {{- $annotations = fromYaml . -}}
{{- end -}}
{{- range $k, $v := ($c.podAnnotations | default dict) }}{{ $_ := set $annotations $k $v }}{{ end -}}
{{- /* Hash the generated ConfigMap/Secret data so that changing it rolls the pods. */ -}}
{{- with (include "svcgen.volumes.filesData" .) -}}
  {{- $_ := set $annotations "checksum/config" (sha256sum .) -}}
{{- end -}}
{{- /* Not a plain hash of the data: anyone who may read the pod spec could try short values
until one matched. With global.secretChecksumSalt (random, kept beside the inline values) a guess
needs the salt, so one hash suffices; without it derivePassword stretches the data with scrypt,
so each guess costs ~0.1 s (and so does every render). */ -}}
{{- with (include "svcgen.secretEnv.data" .) -}}
  {{- if $g.secretChecksumSalt -}}
    {{- $_ := set $annotations "checksum/secret" (printf "%s\n%s" $g.secretChecksumSalt . | sha256sum) -}}
  {{- else -}}
    {{- $_ := set $annotations "checksum/secret" (derivePassword 1 "maximum" . "svcgen" "checksum/secret" | sha256sum) -}}
  {{- end -}}
{{- end -}}
{{- $once := include "svcgen.component.runsToCompletion" $c -}}
{{- if and $once ($g.mesh | default dict).istio -}}
  {{- /* A classic Istio sidecar never exits, so the pod of a Job would never complete; a native
  sidecar (an init container that Kubernetes stops with the pod) does. */ -}}
  {{- $_ := set $annotations "sidecar.istio.io/nativeSidecar" "true" -}}
{{- end -}}
{{- $needTmp := false -}}
{{- range $group := list ($c.initContainers | default dict) $c.containers -}}
  {{- range $name, $ctr := $group -}}
    {{- if not (include "svcgen.container.mountsTmp" (dict "ctr" $ctr)) }}{{ $needTmp = true }}{{ end -}}
  {{- end -}}
{{- end -}}
{{- if hasKey ($c.volumes | default dict) (include "svcgen.volumes.tmpName" .) -}}
  {{- fail (printf "components.%s.volumes.%s: this volume name is reserved for the scratch volume at /tmp; rename it" .id (include "svcgen.volumes.tmpName" .)) -}}
{{- end -}}
metadata:
  labels:
    {{- $labelsYaml | nindent 4 }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "svcgen.serviceAccount.name" . | quote }}
  automountServiceAccountToken: {{ ($c.serviceAccount | default dict).automountToken | default false }}
  {{- if $once }}
  restartPolicy: {{ ($c.job | default dict).restartPolicy | default "OnFailure" }}
  {{- end }}
  {{- with $g.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . | quote }}
    {{- end }}
  {{- end }}
  {{- /* Service links put <SERVICE>_PORT=tcp://… variables of every Service in the namespace into
  each container, which clobbers variables such as REDIS_PORT that apps read as numbers. */}}
  enableServiceLinks: false
  securityContext:
    {{- $scArgs := dict "c" (dict "securityProfile" $c.securityProfile "podSecurityContext" $c.podSecurityContext) }}
    {{- include "svcgen.memo.call" (dict "root" $root "template" "svcgen.pod.securityContext" "args" $scArgs) | nindent 4 }}
  {{- with $c.hostname }}
  hostname: {{ . | quote }}
  {{- end }}
  {{- with $c.hostAliases }}
  hostAliases:
    {{- range $ip, $names := . }}
    - ip: {{ $ip | quote }}
      hostnames:
        {{- toYaml $names | nindent 8 }}
    {{- end }}
  {{- end }}
  {{- with $c.priorityClassName }}
  priorityClassName: {{ . | quote }}
  {{- end }}
  {{- if not (kindIs "invalid" $c.terminationGracePeriodSeconds) }}
  terminationGracePeriodSeconds: {{ $c.terminationGracePeriodSeconds | int64 }}
  {{- end }}
  {{- with $c.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range $tsc := . }}
    {{- /* Copy: setting labelSelector on the values themselves would leak into other templates. */}}
    {{- $tsc = deepCopy $tsc }}
    {{- if not $tsc.labelSelector }}
    {{- $_ := set $tsc "labelSelector" (dict "matchLabels" (include "svcgen.labels.selector" $ | fromYaml)) }}
    {{- end }}
    - {{ toYaml $tsc | nindent 6 | trim }}
    {{- end }}
  {{- end }}
  {{- with $c.initContainers }}
  initContainers:
    {{- range $name, $ctr := . }}
    - {{ include "svcgen.container.spec" (dict "root" $root "id" $.id "c" $c "name" $name "ctr" $ctr "init" true "componentName" $componentName) | nindent 6 | trim }}
    {{- end }}
  {{- end }}
  containers:
    {{- range $name, $ctr := $c.containers }}
    - {{ include "svcgen.container.spec" (dict "root" $root "id" $.id "c" $c "name" $name "ctr" $ctr "init" false "componentName" $componentName) | nindent 6 | trim }}
    {{- end }}
  {{- $volumes := include "svcgen.volumes.pod" (dict "root" $root "id" .id "c" $c "componentName" $componentName "needTmp" $needTmp) }}
  {{- if ne $volumes "[]" }}
  volumes:
    {{- $volumes | nindent 4 }}
  {{- end }}
{{- end -}}
