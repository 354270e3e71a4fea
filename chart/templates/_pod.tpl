{{- /*
Pod template of a component: metadata, spec, containers, security contexts, probes, volumes.
Every helper takes a dict with root ($), id (component id) and c (component values); container
helpers also take name (container name), ctr (its values) and init (true for init containers).
Nothing here ranges over .Values.components.
*/ -}}

{{- /* Name of the writable scratch volume mounted at /tmp; reserved, not a component volume name. */ -}}
{{- define "svcgen.tmpVolumeName" -}}svcgen-tmp{{- end -}}

{{- /* Kind of a component volume: emptyDir, configMap, secret, files, existingClaim or persistent.
`emptyDir: {}` is a valid emptyDir, so presence is tested with hasKey, not truthiness.
Args: id name v. */ -}}
{{- define "svcgen.volumeKind" -}}
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
{{- define "svcgen.filesData" -}}
{{- $data := dict -}}
{{- range $vname, $v := (.c.volumes | default dict) -}}
{{- if eq (include "svcgen.volumeKind" (dict "id" $.id "name" $vname "v" $v)) "files" -}}
{{- $_ := set $data $vname $v.files -}}
{{- end -}}
{{- end -}}
{{- if $data -}}{{- toYaml $data -}}{{- end -}}
{{- end -}}

{{- /* Key of an inline secretEnv value in the chart-owned Secret `<component>-env`. Qualified by the
container so two containers may give one variable different values. Args: container env. */ -}}
{{- define "svcgen.secretEnvKey" -}}
{{- printf "%s.%s" .container .env -}}
{{- end -}}

{{- /* Data of the chart-owned Secret `<component>-env`: every inline secretEnv value, as YAML
{key: value}; empty when there is none. The pod's checksum/secret annotation hashes exactly this. */ -}}
{{- define "svcgen.secretEnvData" -}}
{{- $data := dict -}}
{{- range $group := list (.c.initContainers | default dict) (.c.containers | default dict) -}}
{{- range $cname, $ctr := $group -}}
{{- range $env, $ref := ($ctr.secretEnv | default dict) -}}
{{- if and $ref (not (kindIs "invalid" $ref.value)) -}}
{{- $_ := set $data (include "svcgen.secretEnvKey" (dict "container" $cname "env" $env)) (include "svcgen.scalar" $ref.value) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $data -}}{{- toYaml $data -}}{{- end -}}
{{- end -}}

{{- /* Pod securityContext: the profile's defaults, then podSecurityContext field by field. */ -}}
{{- define "svcgen.podSecurityContext" -}}
{{- $sc := dict "seccompProfile" (dict "type" "RuntimeDefault") -}}
{{- if ne (.c.securityProfile | default "restricted") "baseline" -}}
{{- $_ := set $sc "runAsNonRoot" true -}}
{{- end -}}
{{- range $k, $v := (.c.podSecurityContext | default dict) -}}
{{- if not (kindIs "invalid" $v) -}}{{- $_ := set $sc $k $v -}}{{- end -}}
{{- end -}}
{{- toYaml $sc -}}
{{- end -}}

{{- /* Container securityContext. restricted: no privilege escalation, every capability dropped,
read-only root filesystem, non-root. baseline: only no privilege escalation, because an image that
starts as root usually needs its default capabilities and a writable root. The container's own
securityContext overrides field by field; capabilities.add is added, capabilities.drop replaces
the default [ALL]. */ -}}
{{- define "svcgen.containerSecurityContext" -}}
{{- $restricted := ne (.c.securityProfile | default "restricted") "baseline" -}}
{{- $user := .ctr.securityContext | default dict -}}
{{- $sc := dict "allowPrivilegeEscalation" false -}}
{{- if $restricted -}}
{{- $_ := set $sc "readOnlyRootFilesystem" true -}}
{{- $_ := set $sc "runAsNonRoot" true -}}
{{- end -}}
{{- range $k := list "runAsUser" "runAsGroup" "runAsNonRoot" "readOnlyRootFilesystem" "allowPrivilegeEscalation" "privileged" -}}
{{- $v := index $user $k -}}
{{- if not (kindIs "invalid" $v) -}}{{- $_ := set $sc $k $v -}}{{- end -}}
{{- end -}}
{{- /* Kubernetes rejects privileged together with allowPrivilegeEscalation false. */ -}}
{{- if and $user.privileged (not (hasKey $user "allowPrivilegeEscalation")) -}}
{{- $_ := unset $sc "allowPrivilegeEscalation" -}}
{{- end -}}
{{- $userCaps := $user.capabilities | default dict -}}
{{- $drop := ternary (list "ALL") (list) $restricted -}}
{{- if not (kindIs "invalid" $userCaps.drop) -}}{{- $drop = $userCaps.drop -}}{{- end -}}
{{- $caps := dict -}}
{{- with $userCaps.add -}}{{- $_ := set $caps "add" . -}}{{- end -}}
{{- with $drop -}}{{- $_ := set $caps "drop" . -}}{{- end -}}
{{- with $caps -}}{{- $_ := set $sc "capabilities" . -}}{{- end -}}
{{- toYaml $sc -}}
{{- end -}}

{{- /* Port a container's probes are derived from: its TCP port named `http`, else its first TCP
port by name; empty when it has no TCP port. Args: ctr. */ -}}
{{- define "svcgen.probePort" -}}
{{- $ports := .ctr.ports | default dict -}}
{{- $tcp := list -}}
{{- range $name, $p := $ports -}}
{{- if eq ($p.protocol | default "TCP") "TCP" -}}{{- $tcp = append $tcp $name -}}{{- end -}}
{{- end -}}
{{- if has "http" $tcp -}}http{{- else if $tcp -}}{{- first $tcp -}}{{- end -}}
{{- end -}}

{{- /* One probe as YAML, or nothing. Args: p (probe values or nil), derivedPort (port name or
empty), derive (true when a probe without a handler may use a tcpSocket check on derivedPort). */ -}}
{{- define "svcgen.probe" -}}
{{- $p := .p | default dict -}}
{{- if ne $p.enabled false -}}
{{- $probe := dict -}}
{{- if $p.httpGet -}}
{{- $h := dict "path" ($p.httpGet.path | default "/") "port" $p.httpGet.port -}}
{{- with $p.httpGet.scheme -}}{{- $_ := set $h "scheme" . -}}{{- end -}}
{{- with $p.httpGet.host -}}{{- $_ := set $h "host" . -}}{{- end -}}
{{- with $p.httpGet.httpHeaders -}}{{- $_ := set $h "httpHeaders" . -}}{{- end -}}
{{- $_ := set $probe "httpGet" $h -}}
{{- else if $p.tcpSocket -}}
{{- $_ := set $probe "tcpSocket" (dict "port" $p.tcpSocket.port) -}}
{{- else if $p.exec -}}
{{- $_ := set $probe "exec" (dict "command" $p.exec.command) -}}
{{- else if $p.grpc -}}
{{- $g := dict "port" $p.grpc.port -}}
{{- with $p.grpc.service -}}{{- $_ := set $g "service" . -}}{{- end -}}
{{- $_ := set $probe "grpc" $g -}}
{{- else if and .derive .derivedPort -}}
{{- $_ := set $probe "tcpSocket" (dict "port" .derivedPort) -}}
{{- end -}}
{{- if $probe -}}
{{- range $k := list "initialDelaySeconds" "periodSeconds" "timeoutSeconds" "successThreshold" "failureThreshold" -}}
{{- $v := index $p $k -}}
{{- if not (kindIs "invalid" $v) -}}{{- $_ := set $probe $k $v -}}{{- end -}}
{{- end -}}
{{- toYaml $probe -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* A lifecycle handler (exec, httpGet or sleep) as YAML. Args: h. */ -}}
{{- define "svcgen.lifecycleHandler" -}}
{{- $h := .h | default dict -}}
{{- if $h.exec -}}
{{- toYaml (dict "exec" (dict "command" $h.exec.command)) -}}
{{- else if $h.httpGet -}}
{{- $g := dict "path" ($h.httpGet.path | default "/") "port" $h.httpGet.port -}}
{{- with $h.httpGet.scheme -}}{{- $_ := set $g "scheme" . -}}{{- end -}}
{{- with $h.httpGet.host -}}{{- $_ := set $g "host" . -}}{{- end -}}
{{- with $h.httpGet.httpHeaders -}}{{- $_ := set $g "httpHeaders" . -}}{{- end -}}
{{- toYaml (dict "httpGet" $g) -}}
{{- else if $h.sleep -}}
{{- toYaml (dict "sleep" (dict "seconds" $h.sleep.seconds)) -}}
{{- end -}}
{{- end -}}

{{- /* True when a container mounts something of its own at /tmp (then it gets no scratch mount). */ -}}
{{- define "svcgen.mountsTmp" -}}
{{- range $vname, $m := (.ctr.volumeMounts | default dict) -}}
{{- if and $m (eq (trimSuffix "/" (toString $m.mountPath)) "/tmp") -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{- /* One container (or init container) as YAML. Args: root id c name ctr init componentName. */ -}}
{{- define "svcgen.container" -}}
{{- $ctr := .ctr -}}
{{- $path := printf "components.%s.%s.%s" .id (ternary "initContainers" "containers" .init) .name -}}
{{- if not ($ctr.image | default dict).repository -}}
{{- fail (printf "%s.image.repository: every container needs an image repository" $path) -}}
{{- end -}}
name: {{ .name | quote }}
image: {{ include "svcgen.image" $ctr.image | quote }}
{{- with $ctr.image.pullPolicy }}
imagePullPolicy: {{ . }}
{{- end }}
{{- with $ctr.command }}
command:
  {{- range . }}
  - {{ include "svcgen.scalar" . | quote }}
  {{- end }}
{{- end }}
{{- with $ctr.args }}
args:
  {{- range . }}
  - {{ include "svcgen.scalar" . | quote }}
  {{- end }}
{{- end }}
{{- with $ctr.workingDir }}
workingDir: {{ . | quote }}
{{- end }}
{{- with $ctr.ports }}
ports:
  {{- range $pname, $p := . }}
  - name: {{ $pname | quote }}
    containerPort: {{ $p.containerPort | int64 }}
    protocol: {{ $p.protocol | default "TCP" }}
  {{- end }}
{{- end }}
{{- if or $ctr.env $ctr.secretEnv }}
env:
  {{- /* Plain values are quoted: an env value is always a string in Kubernetes. */ -}}
  {{- range $k, $v := ($ctr.env | default dict) }}
  - name: {{ $k | quote }}
    value: {{ include "svcgen.scalar" $v | quote }}
  {{- end }}
  {{- range $k, $ref := ($ctr.secretEnv | default dict) }}
  {{- $ref = $ref | default dict }}
  - name: {{ $k | quote }}
    valueFrom:
      secretKeyRef:
        {{- if not (kindIs "invalid" $ref.value) }}
        {{- /* Inline values live in the chart-owned Secret, never in the pod spec. */}}
        name: {{ printf "%s-env" $.componentName }}
        key: {{ include "svcgen.secretEnvKey" (dict "container" $.name "env" $k) | quote }}
        {{- else }}
        {{- if not (and $ref.secret $ref.key) }}
        {{- fail (printf "%s.secretEnv.%s: give secret and key (a reference to an existing Secret), or value" $path $k) }}
        {{- end }}
        name: {{ $ref.secret | quote }}
        key: {{ $ref.key | quote }}
        {{- if not (kindIs "invalid" $ref.optional) }}
        optional: {{ $ref.optional }}
        {{- end }}
        {{- end }}
  {{- end }}
{{- end }}
{{- with $ctr.envFrom }}
envFrom:
  {{- range $i, $src := . }}
  {{- $ref := dict "name" (default $src.configMap $src.secret) -}}
  {{- if not (kindIs "invalid" $src.optional) }}{{ $_ := set $ref "optional" $src.optional }}{{ end }}
  - {{ ternary "secretRef" "configMapRef" (not (empty $src.secret)) }}:
      {{- toYaml $ref | nindent 6 }}
    {{- with $src.prefix }}
    prefix: {{ . | quote }}
    {{- end }}
  {{- end }}
{{- end }}
{{- /* Resources are always set: global.defaultResources when the container gives none. */ -}}
{{- $res := $ctr.resources | default dict -}}
{{- if not (or $res.requests $res.limits) -}}
{{- $res = .root.Values.global.defaultResources | default dict -}}
{{- end -}}
{{- $resOut := dict -}}
{{- with $res.requests }}{{ $_ := set $resOut "requests" . }}{{ end -}}
{{- with $res.limits }}{{ $_ := set $resOut "limits" . }}{{ end }}
resources:
  {{- toYaml $resOut | nindent 2 }}
{{- if not .init }}
{{- /* Probes: init containers take none. */ -}}
{{- $probes := $ctr.probes | default dict -}}
{{- $port := include "svcgen.probePort" (dict "ctr" $ctr) -}}
{{- with (include "svcgen.probe" (dict "p" $probes.startup "derivedPort" $port "derive" (not (kindIs "invalid" $probes.startup)))) }}
startupProbe:
  {{- . | nindent 2 }}
{{- end }}
{{- with (include "svcgen.probe" (dict "p" $probes.readiness "derivedPort" $port "derive" true)) }}
readinessProbe:
  {{- . | nindent 2 }}
{{- end }}
{{- with (include "svcgen.probe" (dict "p" $probes.liveness "derivedPort" $port "derive" true)) }}
livenessProbe:
  {{- . | nindent 2 }}
{{- end }}
{{- end }}
{{- with $ctr.lifecycle }}
{{- $hooks := dict -}}
{{- with (include "svcgen.lifecycleHandler" (dict "h" .postStart)) }}{{ $_ := set $hooks "postStart" (fromYaml .) }}{{ end -}}
{{- with (include "svcgen.lifecycleHandler" (dict "h" .preStop)) }}{{ $_ := set $hooks "preStop" (fromYaml .) }}{{ end -}}
{{- with $hooks }}
lifecycle:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
securityContext:
  {{- include "svcgen.containerSecurityContext" . | nindent 2 }}
{{- $mounts := list -}}
{{- range $vname, $m := ($ctr.volumeMounts | default dict) -}}
{{- if not (hasKey ($.c.volumes | default dict) $vname) -}}
{{- fail (printf "%s.volumeMounts.%s: no volume %q in components.%s.volumes; declare it there" $path $vname $vname $.id) -}}
{{- end -}}
{{- $m = $m | default dict -}}
{{- $mount := dict "name" $vname "mountPath" $m.mountPath -}}
{{- with $m.subPath -}}{{- $_ := set $mount "subPath" . -}}{{- end -}}
{{- if not (kindIs "invalid" $m.readOnly) -}}{{- $_ := set $mount "readOnly" $m.readOnly -}}{{- end -}}
{{- $mounts = append $mounts $mount -}}
{{- end -}}
{{- if not (include "svcgen.mountsTmp" .) -}}
{{- $mounts = append $mounts (dict "name" (include "svcgen.tmpVolumeName" .) "mountPath" "/tmp") -}}
{{- end }}
volumeMounts:
  {{- toYaml $mounts | nindent 2 }}
{{- if not (kindIs "invalid" $ctr.stdin) }}
stdin: {{ $ctr.stdin }}
{{- end }}
{{- if not (kindIs "invalid" $ctr.tty) }}
tty: {{ $ctr.tty }}
{{- end }}
{{- end -}}

{{- /* Volumes of the pod as a YAML list (possibly empty). Persistent volumes of a StatefulSet are
volumeClaimTemplates instead; a Deployment's get the PVC `<component>-<volume>` from pvc.yaml.
Volumes no container mounts are still declared: harmless, and a PVC keeps its data across such
edits. Args: root id c kind componentName needTmp. */ -}}
{{- define "svcgen.podVolumes" -}}
{{- $vols := list -}}
{{- range $vname, $v := (.c.volumes | default dict) -}}
{{- $kind := include "svcgen.volumeKind" (dict "id" $.id "name" $vname "v" $v) -}}
{{- if eq $kind "persistent" -}}
{{- if ne $.kind "StatefulSet" -}}
{{- $vols = append $vols (dict "name" $vname "persistentVolumeClaim" (dict "claimName" (printf "%s-%s" $.componentName $vname))) -}}
{{- end -}}
{{- else if eq $kind "existingClaim" -}}
{{- $vols = append $vols (dict "name" $vname "persistentVolumeClaim" (dict "claimName" $v.existingClaim)) -}}
{{- else if eq $kind "emptyDir" -}}
{{- $e := dict -}}
{{- with $v.emptyDir -}}
{{- with .medium -}}{{- $_ := set $e "medium" . -}}{{- end -}}
{{- if not (kindIs "invalid" .sizeLimit) -}}{{- $_ := set $e "sizeLimit" (include "svcgen.scalar" .sizeLimit) -}}{{- end -}}
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
{{- $vols = append $vols (dict "name" (include "svcgen.tmpVolumeName" .) "emptyDir" dict) -}}
{{- end -}}
{{- toYaml $vols -}}
{{- end -}}

{{- /* The pod template (metadata and spec) of a component's workload. Args: root id c kind. */ -}}
{{- define "svcgen.podTemplate" -}}
{{- $root := .root -}}
{{- $c := .c -}}
{{- $g := $root.Values.global | default dict -}}
{{- $componentName := include "svcgen.componentName" . -}}
{{- $selector := include "svcgen.selectorLabels" . | fromYaml -}}
{{- /* Selector labels go last so podLabels can never make the pods miss their own selector. */ -}}
{{- $labels := include "svcgen.labels" . | fromYaml -}}
{{- range $k, $v := ($c.podLabels | default dict) }}{{ $_ := set $labels $k $v }}{{ end -}}
{{- if ($g.mesh | default dict).istio -}}
{{- $_ := set $labels "sidecar.istio.io/inject" "true" -}}
{{- end -}}
{{- range $k, $v := $selector }}{{ $_ := set $labels $k $v }}{{ end -}}
{{- $annotations := dict -}}
{{- range $k, $v := ($c.podAnnotations | default dict) }}{{ $_ := set $annotations $k $v }}{{ end -}}
{{- /* Hash the generated ConfigMap/Secret data so that changing it rolls the pods. */ -}}
{{- with (include "svcgen.filesData" .) -}}
{{- $_ := set $annotations "checksum/config" (sha256sum .) -}}
{{- end -}}
{{- with (include "svcgen.secretEnvData" .) -}}
{{- $_ := set $annotations "checksum/secret" (sha256sum .) -}}
{{- end -}}
{{- $needTmp := false -}}
{{- range $group := list ($c.initContainers | default dict) $c.containers -}}
{{- range $name, $ctr := $group -}}
{{- if not (include "svcgen.mountsTmp" (dict "ctr" $ctr)) }}{{ $needTmp = true }}{{ end -}}
{{- end -}}
{{- end -}}
{{- if hasKey ($c.volumes | default dict) (include "svcgen.tmpVolumeName" .) -}}
{{- fail (printf "components.%s.volumes.%s: this volume name is reserved for the scratch volume at /tmp; rename it" .id (include "svcgen.tmpVolumeName" .)) -}}
{{- end -}}
metadata:
  labels:
    {{- toYaml $labels | nindent 4 }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "svcgen.serviceAccountName" . | quote }}
  automountServiceAccountToken: {{ ($c.serviceAccount | default dict).automountToken | default false }}
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
    {{- include "svcgen.podSecurityContext" . | nindent 4 }}
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
    {{- $_ := set $tsc "labelSelector" (dict "matchLabels" $selector) }}
    {{- end }}
    - {{ toYaml $tsc | nindent 6 | trim }}
    {{- end }}
  {{- end }}
  {{- with $c.initContainers }}
  initContainers:
    {{- range $name, $ctr := . }}
    - {{ include "svcgen.container" (dict "root" $root "id" $.id "c" $c "name" $name "ctr" $ctr "init" true "componentName" $componentName) | nindent 6 | trim }}
    {{- end }}
  {{- end }}
  containers:
    {{- range $name, $ctr := $c.containers }}
    - {{ include "svcgen.container" (dict "root" $root "id" $.id "c" $c "name" $name "ctr" $ctr "init" false "componentName" $componentName) | nindent 6 | trim }}
    {{- end }}
  {{- with (include "svcgen.podVolumes" (dict "root" $root "id" .id "c" $c "kind" .kind "componentName" $componentName "needTmp" $needTmp) | fromYamlArray) }}
  volumes:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{- /* Name of a StatefulSet's governing headless Service: `<service-name>-headless`. Args: root id c. */ -}}
{{- define "svcgen.headlessServiceName" -}}
{{- $name := printf "%s-headless" (include "svcgen.serviceName" .) -}}
{{- if gt (len $name) 63 -}}
{{- fail (printf "components.%s.service: the headless Service name %q is longer than 63 characters; set a shorter service.name" .id $name) -}}
{{- end -}}
{{- $name -}}
{{- end -}}

{{- /* A component's Ingress as YAML {enabled, name, className?, hosts: [{host, paths: [{path,
pathType, port: {name|number}}]}], tls?, annotations}, or nothing when it has no enabled ingress.
Shared by ingress.yaml and NOTES.txt. Args: root id c. */ -}}
{{- define "svcgen.ingress" -}}
{{- $ing := .c.ingress -}}
{{- /* `ingress: {}` asks for an ingress with every default, so test presence, not truthiness. */ -}}
{{- if and (not (kindIs "invalid" $ing)) (ne ($ing | default dict).enabled false) -}}
{{- $ing = $ing | default dict -}}
{{- $g := .root.Values.global | default dict -}}
{{- $path := printf "components.%s.ingress" .id -}}
{{- $ports := (include "svcgen.servicePorts" . | fromYaml).ports -}}
{{- if not $ports -}}
{{- fail (printf "%s: an ingress routes to the component's Service, which is disabled or has no ports; enable components.%s.service or give the containers ports" $path .id) -}}
{{- end -}}
{{- $hosts := $ing.hosts | default dict -}}
{{- if not $hosts -}}
{{- if not $g.domain -}}
{{- fail (printf "%s.hosts: no hosts and no global.domain to default them from; set %s.hosts or global.domain" $path $path) -}}
{{- end -}}
{{- $hosts = dict (printf "%s.%s" .id $g.domain) dict -}}
{{- end -}}
{{- $outHosts := list -}}
{{- range $host, $h := $hosts -}}
{{- $paths := ($h | default dict).paths | default (dict "/" dict) -}}
{{- $outPaths := list -}}
{{- range $p, $spec := $paths -}}
{{- $spec = $spec | default dict -}}
{{- $port := dict "name" (first $ports).name -}}
{{- if not (kindIs "invalid" $spec.port) -}}
{{- $found := false -}}
{{- range $sp := $ports -}}
{{- if or (eq (toString $sp.name) (toString $spec.port)) (and (not (kindIs "string" $spec.port)) (eq (int64 $sp.port) (int64 $spec.port))) -}}
{{- $found = true -}}
{{- $port = dict "name" $sp.name -}}
{{- end -}}
{{- end -}}
{{- if not $found -}}
{{- fail (printf "%s.hosts.%s.paths.%s.port: %v is not a port of the Service %s (its ports: %s)" $path $host $p $spec.port (include "svcgen.serviceName" $) (include "svcgen.portNames" (dict "ports" $ports))) -}}
{{- end -}}
{{- end -}}
{{- $outPaths = append $outPaths (dict "path" $p "pathType" ($spec.pathType | default "Prefix") "port" $port) -}}
{{- end -}}
{{- $outHosts = append $outHosts (dict "host" $host "paths" $outPaths) -}}
{{- end -}}
{{- $name := include "svcgen.componentName" . -}}
{{- $out := dict "name" $name "hosts" $outHosts "annotations" (deepCopy ($ing.annotations | default dict)) -}}
{{- with (default $g.ingressClassName $ing.className) -}}{{- $_ := set $out "className" . -}}{{- end -}}
{{- $tls := $ing.tls -}}
{{- if and (not (kindIs "invalid" $tls)) (ne ($tls | default dict).enabled false) -}}
{{- $tls = $tls | default dict -}}
{{- $_ := set $out "tls" (dict "secretName" (default (printf "%s-tls" $name) $tls.secretName)) -}}
{{- with $tls.certManager -}}
{{- if and .issuer .clusterIssuer -}}
{{- fail (printf "%s.tls.certManager: give issuer or clusterIssuer, not both" $path) -}}
{{- end -}}
{{- with .issuer -}}{{- $_ := set $out.annotations "cert-manager.io/issuer" . -}}{{- end -}}
{{- with .clusterIssuer -}}{{- $_ := set $out.annotations "cert-manager.io/cluster-issuer" . -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}
{{- end -}}

{{- /* "a, b, c" from a list of ports with names. Args: ports. */ -}}
{{- define "svcgen.portNames" -}}
{{- $names := list -}}
{{- range .ports -}}{{- $names = append $names (toString .name) -}}{{- end -}}
{{- join ", " $names -}}
{{- end -}}

{{- /* Addresses a client uses to reach a component's Service, as YAML `endpoints: [{host, port,
name, protocol, nodePort?}]`; empty when it has no Service. A headless Service resolves to pod IPs, so its
clients use the container port, not the Service port. Shared by NOTES.txt and the test hook.
Args: root id c. */ -}}
{{- define "svcgen.serviceEndpoints" -}}
{{- $out := list -}}
{{- $ports := (include "svcgen.servicePorts" . | fromYaml).ports -}}
{{- if $ports -}}
{{- $svc := .c.service | default dict -}}
{{- $host := printf "%s.%s.svc.cluster.local" (include "svcgen.serviceName" .) .root.Release.Namespace -}}
{{- $headless := eq ($svc.type | default "ClusterIP") "Headless" -}}
{{- $index := dict -}}
{{- if $headless -}}{{- $index = include "svcgen.containerPorts" . | fromYaml -}}{{- end -}}
{{- range $p := $ports -}}
{{- $number := $p.port -}}
{{- if $headless -}}
{{- $number = kindIs "string" $p.targetPort | ternary (get $index (toString $p.targetPort)).containerPort $p.targetPort -}}
{{- end -}}
{{- $endpoint := dict "host" $host "port" (int64 $number) "name" $p.name "protocol" $p.protocol -}}
{{- with $p.nodePort -}}{{- $_ := set $endpoint "nodePort" (int64 .) -}}{{- end -}}
{{- $out = append $out $endpoint -}}
{{- end -}}
{{- end -}}
{{- toYaml (dict "endpoints" $out) -}}
{{- end -}}
