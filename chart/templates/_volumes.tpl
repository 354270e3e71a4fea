{{- /*
Volumes of a component's pods: the kind of each volume and the pod's volume list.
*/ -}}

{{- /* Name of the writable scratch volume mounted at /tmp; reserved, not a component volume name. */ -}}
{{- define "svcgen.volumes.tmpName" -}}svcgen-tmp{{- end -}}

{{- /* Kind of a component volume: emptyDir, configMap, secret, files, existingClaim or persistent.
`emptyDir: {}` is a valid emptyDir, so presence is tested with hasKey, not truthiness.
Args: id name v. */ -}}
{{- define "svcgen.volumes.kind" -}}
{{- $v := .v | default dict -}}
{{- $kind := "" -}}
{{- range $k := list "emptyDir" "configMap" "secret" "files" "existingClaim" -}}
  {{- if and (not $kind) (hasKey $v $k) (not (kindIs "invalid" (index $v $k))) -}}
    {{- $kind = $k -}}
  {{- end -}}
{{- end -}}
{{- if and (not $kind) $v.size -}}{{- $kind = "persistent" -}}{{- end -}}
{{- if not $kind -}}
  {{- fail (printf "components.%s.volumes.%s: give one of size (persistent), existingClaim, emptyDir, configMap, secret or files" .id .name) -}}
{{- end -}}
{{- $kind -}}
{{- end -}}

{{- /* Data of the ConfigMaps the chart owns for `files` volumes, as YAML {volume: {file: content}};
empty when the component has none. The pod's checksum/config annotation hashes exactly this. */ -}}
{{- define "svcgen.volumes.filesData" -}}
{{- $data := dict -}}
{{- range $vname, $v := (.c.volumes | default dict) -}}
  {{- if eq (include "svcgen.volumes.kind" (dict "id" $.id "name" $vname "v" $v)) "files" -}}
    {{- $_ := set $data $vname $v.files -}}
  {{- end -}}
{{- end -}}
{{- if $data -}}{{- toYaml $data -}}{{- end -}}
{{- end -}}

{{- /* How pods get a persistent volume's claim: "shared" when pvc.yaml renders one claim
`<component>-<volume>` that every pod mounts (the kind shares claims, or the volume is `shared`),
"template" when each pod gets its own from volumeClaimTemplates. Args: c v. */ -}}
{{- define "svcgen.volumes.claim" -}}
{{- if or (eq (include "svcgen.component.claims" .c) "shared") .v.shared -}}
  shared
{{- else -}}
  template
{{- end -}}
{{- end -}}

{{- /* Volumes of the pod as a YAML list (possibly empty). A persistent volume is the PVC
`<component>-<volume>` from pvc.yaml when its claim is shared (svcgen.volumes.claim), and
no pod volume at all when each pod gets its own claim from volumeClaimTemplates.
Volumes no container mounts are still declared: harmless, and a PVC keeps its data across such
edits. Args: root id c componentName needTmp. */ -}}
{{- define "svcgen.volumes.pod" -}}
{{- $vols := list -}}
{{- range $vname, $v := (.c.volumes | default dict) -}}
  {{- $kind := include "svcgen.volumes.kind" (dict "id" $.id "name" $vname "v" $v) -}}
  {{- if eq $kind "persistent" -}}
    {{- if eq (include "svcgen.volumes.claim" (dict "c" $.c "v" $v)) "shared" -}}
      {{- $vols = append $vols (dict "name" $vname "persistentVolumeClaim" (dict "claimName" (printf "%s-%s" $.componentName $vname))) -}}
    {{- end -}}
  {{- else if eq $kind "existingClaim" -}}
    {{- $vols = append $vols (dict "name" $vname "persistentVolumeClaim" (dict "claimName" $v.existingClaim)) -}}
  {{- else if eq $kind "emptyDir" -}}
    {{- $e := dict -}}
    {{- with $v.emptyDir -}}
      {{- with .medium -}}{{- $_ := set $e "medium" . -}}{{- end -}}
      {{- if not (kindIs "invalid" .sizeLimit) -}}{{- $_ := set $e "sizeLimit" (include "svcgen.values.scalar" .sizeLimit) -}}{{- end -}}
    {{- end -}}
    {{- $vols = append $vols (dict "name" $vname "emptyDir" $e) -}}
  {{- else if eq $kind "configMap" -}}
    {{- $src := dict "name" $v.configMap.name -}}
    {{- with $v.configMap.items -}}{{- $_ := set $src "items" . -}}{{- end -}}
    {{- if not (kindIs "invalid" $v.configMap.defaultMode) -}}{{- $_ := set $src "defaultMode" $v.configMap.defaultMode -}}{{- end -}}
    {{- $vols = append $vols (dict "name" $vname "configMap" $src) -}}
  {{- else if eq $kind "secret" -}}
    {{- $src := dict "secretName" $v.secret.secretName -}}
    {{- with $v.secret.items -}}{{- $_ := set $src "items" . -}}{{- end -}}
    {{- if not (kindIs "invalid" $v.secret.defaultMode) -}}{{- $_ := set $src "defaultMode" $v.secret.defaultMode -}}{{- end -}}
    {{- $vols = append $vols (dict "name" $vname "secret" $src) -}}
  {{- else if eq $kind "files" -}}
    {{- $vols = append $vols (dict "name" $vname "configMap" (dict "name" (printf "%s-%s" $.componentName $vname))) -}}
  {{- end -}}
{{- end -}}
{{- if .needTmp -}}
  {{- $vols = append $vols (dict "name" (include "svcgen.volumes.tmpName" .) "emptyDir" dict) -}}
{{- end -}}
{{- include "svcgen.memo.yaml" (dict "root" .root "value" $vols) -}}
{{- end -}}
