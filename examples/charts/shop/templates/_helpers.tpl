{{/*
Chart name, used for app.kubernetes.io/name.
*/}}
{{- define "shop.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Base name of every object: the release name. Objects are <release>-web,
<release>-db, <release>-config and <release> (Ingress). The StatefulSet's
controller-revision-hash label is "<release>-db-<10 chars>", which must fit in
63 characters, so release names are limited to 49 characters.
*/}}
{{- define "shop.fullname" -}}
{{- if gt (len .Release.Name) 49 -}}
{{- fail (printf "shop: release name %q is %d characters long; at most 49 are supported (StatefulSet %s-db revision labels must fit in 63 characters)" .Release.Name (len .Release.Name) .Release.Name) -}}
{{- end -}}
{{- .Release.Name -}}
{{- end -}}

{{/*
Chart label value: <name>-<version>.
*/}}
{{- define "shop.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Selector labels. Call with (dict "ctx" $ "component" "web|db").
Only name, instance and component: these must never change for a release.
*/}}
{{- define "shop.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shop.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name | quote }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
Full set of labels. Call with (dict "ctx" $ "component" "web|db").
*/}}
{{- define "shop.labels" -}}
helm.sh/chart: {{ include "shop.chart" .ctx }}
{{ include "shop.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ include "shop.name" .ctx }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- end -}}

{{/* Object names. */}}
{{- define "shop.web.fullname" -}}
{{- printf "%s-web" (include "shop.fullname" .) -}}
{{- end -}}

{{- define "shop.db.fullname" -}}
{{- printf "%s-db" (include "shop.fullname" .) -}}
{{- end -}}

{{- define "shop.config.fullname" -}}
{{- printf "%s-config" (include "shop.fullname" .) -}}
{{- end -}}

{{/*
Name of the Secret holding the database password: database.existingSecret if
set, else <release>-db (rendered by this chart only when database.password is set).
*/}}
{{- define "shop.db.secretName" -}}
{{- if .Values.database.existingSecret -}}
{{- .Values.database.existingSecret -}}
{{- else -}}
{{- include "shop.db.fullname" . -}}
{{- end -}}
{{- end -}}

{{- define "shop.db.secretKey" -}}
{{- if .Values.database.existingSecret -}}
{{- .Values.database.existingSecretPasswordKey -}}
{{- else -}}
password
{{- end -}}
{{- end -}}

{{/*
Pod-level securityContext meeting Pod Security Standard "restricted".
Call with the numeric uid/gid (101 for nginx, 70 for postgres alpine).
*/}}
{{- define "shop.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
fsGroup: {{ . }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Container-level securityContext meeting Pod Security Standard "restricted".
*/}}
{{- define "shop.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Container resources: requests and limits, cpu and memory (schema-enforced).
*/}}
{{- define "shop.resources" -}}
requests:
  cpu: {{ .requests.cpu | quote }}
  memory: {{ .requests.memory | quote }}
limits:
  cpu: {{ .limits.cpu | quote }}
  memory: {{ .limits.memory | quote }}
{{- end -}}
