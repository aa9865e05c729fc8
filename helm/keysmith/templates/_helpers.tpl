{{/*
Expand the name of the chart.
*/}}
{{- define "keysmith.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name, trimmed to 63 characters (the DNS label limit).
If the release name contains the chart name it is used as the full name.
*/}}
{{- define "keysmith.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version as used by the chart label.
*/}}
{{- define "keysmith.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "keysmith.labels" -}}
helm.sh/chart: {{ include "keysmith.chart" . }}
{{ include "keysmith.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: keysmith
{{- end }}

{{/*
Selector labels.
*/}}
{{- define "keysmith.selectorLabels" -}}
app.kubernetes.io/name: {{ include "keysmith.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector labels of the server pods: the migration Job's pods share name and instance but not the component,
so the Service, PDB and NetworkPolicy never pick them.
*/}}
{{- define "keysmith.serverSelectorLabels" -}}
{{ include "keysmith.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{/*
The name of the service account to use.
*/}}
{{- define "keysmith.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "keysmith.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference; the tag defaults to the chart's appVersion.
*/}}
{{- define "keysmith.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
The Secret the server reads: existingSecret, or the chart's own.
*/}}
{{- define "keysmith.secretName" -}}
{{- default (include "keysmith.fullname" .) .Values.existingSecret }}
{{- end }}

{{/*
"true" when an external PostgreSQL is configured: an existing Secret (which must carry KEYSMITH_DATABASE_URL)
or secrets.databaseUrl. Otherwise the server runs its embedded PostgreSQL (evaluation only).
*/}}
{{- define "keysmith.externalDatabase" -}}
{{- if or .Values.existingSecret .Values.secrets.databaseUrl }}true{{ end }}
{{- end }}

{{/*
"true" when the pre-install/pre-upgrade migration Job runs (and the replicas do not migrate).
*/}}
{{- define "keysmith.migrationJob" -}}
{{- if and .Values.migration.enabled (include "keysmith.externalDatabase" .) }}true{{ end }}
{{- end }}

{{/*
The number of replicas that run at the least: replicaCount, or the HPA's minimum.
*/}}
{{- define "keysmith.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}{{ .Values.autoscaling.minReplicas }}{{ else }}{{ .Values.replicaCount }}{{ end }}
{{- end }}

{{/*
Grace period: the preStop sleep, the server's own shutdown grace, and a margin.
*/}}
{{- define "keysmith.terminationGracePeriodSeconds" -}}
{{- if .Values.terminationGracePeriodSeconds }}
{{- .Values.terminationGracePeriodSeconds }}
{{- else }}
{{- add .Values.preStopSleepSeconds .Values.config.shutdownGraceSeconds 10 }}
{{- end }}
{{- end }}

{{/*
The java command line; args (e.g. "migrate") follow the jar.
*/}}
{{- define "keysmith.javaCommand" -}}
- java
{{- range .Values.javaOpts }}
- {{ . | quote }}
{{- end }}
- -Djava.io.tmpdir=/tmp
- -jar
- /app/keysmith.jar
{{- end }}

{{/*
Secret environment variables: the server's database URLs, secret, and tokens, each from the Secret by its own name.
Required keys (database URL and secret) only with an external database; the others are optional.
*/}}
{{- define "keysmith.secretEnv" -}}
{{- $secret := include "keysmith.secretName" . }}
{{- $external := include "keysmith.externalDatabase" . }}
{{- range $key := list "KEYSMITH_DATABASE_URL" "KEYSMITH_DATABASE_MIGRATION_URL" "KEYSMITH_SECRET" "KEYSMITH_OPERATOR_TOKEN" "KEYSMITH_DATABASE_APP_PASSWORD" "KEYSMITH_SMTP_PASSWORD" }}
{{- if or $external (ne $key "KEYSMITH_DATABASE_URL") }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
      optional: {{ not (and $external (has $key (list "KEYSMITH_DATABASE_URL" "KEYSMITH_SECRET"))) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The Secret's data (chart-managed only): the non-empty secret values, base64-encoded.
*/}}
{{- define "keysmith.secretData" -}}
{{- $s := .Values.secrets }}
{{- $pairs := dict "KEYSMITH_DATABASE_URL" $s.databaseUrl "KEYSMITH_DATABASE_MIGRATION_URL" $s.databaseMigrationUrl "KEYSMITH_SECRET" $s.secret "KEYSMITH_OPERATOR_TOKEN" $s.operatorToken "KEYSMITH_DATABASE_APP_PASSWORD" $s.databaseAppPassword "KEYSMITH_SMTP_PASSWORD" $s.smtpPassword }}
{{- range $k := keys $pairs | sortAlpha }}
{{- $v := get $pairs $k }}
{{- if $v }}
{{ $k }}: {{ $v | toString | b64enc | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Checks that fail the render early with one clear line.
*/}}
{{- define "keysmith.validate" -}}
{{- if not (include "keysmith.externalDatabase" .) }}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}
{{- fail "More than one replica needs an external PostgreSQL: set secrets.databaseUrl or existingSecret (the embedded database is per pod)" }}
{{- end }}
{{- else if and (not .Values.existingSecret) (not .Values.secrets.secret) }}
{{- fail "secrets.secret (KEYSMITH_SECRET) is required with an external database: echo \"v1:$(head -c 32 /dev/urandom | base64)\"" }}
{{- end }}
{{- if and (include "keysmith.externalDatabase" .) (not (include "keysmith.publicUrl" .)) }}
{{- fail "config.publicUrl (KEYSMITH_PUBLIC_URL) is required with an external database (or enable the Ingress, whose first host it defaults to): invitation and reset links are never built from a request's Host header" }}
{{- end }}
{{- end }}

{{/*
KEYSMITH_PUBLIC_URL, where invitation and reset links point: config.publicUrl; else the Ingress's first host (https
when it has TLS); else, with the embedded database only, http://localhost:<http port> (a port-forward). The server
never builds a link from a request's Host header.
*/}}
{{- define "keysmith.publicUrl" -}}
{{- if .Values.config.publicUrl }}
{{- .Values.config.publicUrl | trimSuffix "/" }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- $host := (first .Values.ingress.hosts).host }}
{{- if .Values.ingress.tls }}https://{{ $host }}{{ else }}http://{{ $host }}{{ end }}
{{- else if not (include "keysmith.externalDatabase" .) }}
{{- printf "http://localhost:%v" .Values.ports.http }}
{{- end }}
{{- end }}
