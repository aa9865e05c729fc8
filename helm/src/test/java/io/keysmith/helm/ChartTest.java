package io.keysmith.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart, linted and rendered by helm-java (helm 3 as a native library, no helm binary), with assertions on the
 * rendered objects; the dashboard's and the alerts' metric names are checked against the real server's /metrics.
 */
@DisplayName("Helm chart helm/keysmith")
class ChartTest {
    private static final Path CHART = Path.of(System.getProperty("keysmith.chart", "keysmith"));
    private static final Path PROD_VALUES = CHART.resolve("values-prod.yaml");
    private static final String RELEASE = "ks";
    private static final String FULLNAME = "ks-keysmith";
    // helm-java renders for Kubernetes 1.20 unless told; the chart needs 1.25+ (policy/v1, autoscaling/v2)
    private static final String KUBE_VERSION = "1.30.0";
    private static final Map<String, String> EXTERNAL_DB = Map.of(
            "secrets.databaseUrl", "postgresql://owner:pw@db:5432/keysmith",
            "secrets.secret", "v1:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==",
            "config.publicUrl", "https://keys.example.com");
    /** A panel whose description starts with this is a placeholder for metrics the server does not expose yet. */
    static final String PLACEHOLDER = "PLACEHOLDER";

    /**
     * helm-java's template returns the manifest without the hooks. The chart rendered by the tests is a copy with one
     * extra template that captures the hook templates' output (.Files cannot see templates/, so they are named) (the real templates and values, unchanged) as strings.
     */
    private static final String HOOK_CAPTURE = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: chart-test-hook-capture
            data:
              {{- range $file := list "migration-secret.yaml" "migration-job.yaml" }}
              {{ $file }}: {{ include (print $.Template.BasePath "/" $file) $ | quote }}
              {{- end }}
            """;

    private static Path renderedChart;

    @BeforeAll
    static void chartUnderTest() throws IOException {
        // helm-java unpacks its native library under java.io.tmpdir (target/tmp, set by the pom)
        Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        assertThat(CHART.resolve("Chart.yaml")).exists();
        renderedChart = copyChart(Files.createTempDirectory(tmp, "chart-under-test"));
        Files.writeString(renderedChart.resolve("templates/zz-chart-test-hook-capture.yaml"), HOOK_CAPTURE);
    }

    // ---- lint ----

    @Test
    void lintStrict_passesWithDefaultValues() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed())
                .as(String.join("\n", result.getMessages()))
                .isFalse();
    }

    @Test
    void lintStrict_passesWithProdValues(@TempDir Path tmp) throws IOException {
        // helm-java's lint takes no values file: lint a copy whose values.yaml is the defaults merged with the overlay
        Path copy = copyChart(tmp);
        Map<String, Object> merged = merge(loadYaml(CHART.resolve("values.yaml")), loadYaml(PROD_VALUES));
        Files.writeString(copy.resolve("values.yaml"), new Yaml().dump(merged));
        LintResult result = new Helm(copy).lint().strict().call();
        assertThat(result.isFailed())
                .as(String.join("\n", result.getMessages()))
                .isFalse();
    }

    // ---- default values ----

    @Test
    void defaultValues_renderTheServerWithItsProbesPortsAndHardening() {
        Rendered r = render(Map.of());
        Map<String, Object> deployment = r.one("Deployment");
        Map<String, Object> container = container(deployment);

        assertThat(ports(container)).containsEntry("http", 8080).containsEntry("management", 9090);
        assertThat(get(container, "startupProbe.httpGet.path")).isEqualTo("/health/live");
        assertThat(get(container, "livenessProbe.httpGet.path")).isEqualTo("/health/live");
        assertThat(get(container, "readinessProbe.httpGet.path")).isEqualTo("/health/ready");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(get(container, probe + ".httpGet.port")).as(probe).isEqualTo("management");
        }

        Map<String, Object> service = r.one("Service");
        assertThat(servicePorts(service)).containsEntry("http", 8080).containsEntry("management", 9090);
        for (Map<String, Object> p : list(service, "spec.ports")) {
            assertThat(p.get("targetPort")).isEqualTo(p.get("name"));
        }

        assertHardened(deployment, container);
        assertThat(get(deployment, "spec.template.spec.serviceAccountName")).isEqualTo(FULLNAME);
        assertThat(r.kinds())
                .doesNotContain(
                        "PodDisruptionBudget",
                        "Ingress",
                        "Job",
                        "HorizontalPodAutoscaler",
                        "NetworkPolicy",
                        "ServiceMonitor",
                        "PrometheusRule");
    }

    @Test
    void defaultValues_runTheEmbeddedDatabaseOnOneReplicaAndMigrateAtStart() {
        Rendered r = render(Map.of());
        Map<String, String> config = configData(r);
        assertThat(config)
                .containsEntry("KEYSMITH_DATABASE_MIGRATE", "true")
                .containsEntry("KEYSMITH_DATA_DIR", "/data");
        assertThat(config)
                .containsEntry("KEYSMITH_LOG_FORMAT", "json")
                .containsEntry("KEYSMITH_HTTP_PORT", "8080")
                .containsEntry("KEYSMITH_MANAGEMENT_PORT", "9090");
        Map<String, Object> deployment = r.one("Deployment");
        assertThat(get(deployment, "spec.replicas")).isEqualTo(1);
        assertThat(get(deployment, "spec.strategy.type")).isEqualTo("Recreate");
        assertThat(mounts(container(deployment))).containsEntry("data", "/data");
        assertThat(secretEnvNames(container(deployment))).doesNotContain("KEYSMITH_DATABASE_URL");
    }

    @Test
    void gracefulStop_outlastsTheServersShutdownGraceAndThePreStopSleep() {
        Rendered r = render(Map.of("config.shutdownGraceSeconds", "45"));
        Map<String, Object> deployment = r.one("Deployment");
        int grace = (Integer) get(deployment, "spec.template.spec.terminationGracePeriodSeconds");
        List<?> preStop = (List<?>) get(container(deployment), "lifecycle.preStop.exec.command");
        assertThat(preStop.get(0)).isEqualTo("sleep");
        int sleep = Integer.parseInt(preStop.get(1).toString());
        assertThat(sleep).isPositive();
        assertThat(configData(r)).containsEntry("KEYSMITH_SHUTDOWN_GRACE_SECONDS", "45");
        assertThat(grace).isGreaterThan(45 + sleep);
    }

    // ---- secrets and the migration Job ----

    @Test
    void existingSecret_isReferencedAndNoSecretIsRendered() {
        Rendered r = render(PROD_VALUES, Map.of());
        assertThat(r.all("Secret")).isEmpty();
        String rendered = r.text();
        assertThat(rendered).doesNotContain("KEYSMITH_SECRET: ").doesNotContain("kind: Secret");

        Map<String, Object> container = container(r.one("Deployment"));
        Map<String, Map<String, Object>> refs = secretRefs(container);
        assertThat(refs)
                .containsKeys(
                        "KEYSMITH_DATABASE_URL",
                        "KEYSMITH_SECRET",
                        "KEYSMITH_OPERATOR_TOKEN",
                        "KEYSMITH_DATABASE_MIGRATION_URL");
        refs.values().forEach(ref -> assertThat(ref.get("name")).isEqualTo("keysmith-secrets"));
        assertThat(refs.get("KEYSMITH_DATABASE_URL").get("optional")).isEqualTo(false);
        assertThat(refs.get("KEYSMITH_SECRET").get("optional")).isEqualTo(false);

        Map<String, Object> job = r.one("Job");
        secretRefs(container(job))
                .values()
                .forEach(ref -> assertThat(ref.get("name")).isEqualTo("keysmith-secrets"));
    }

    @Test
    void chartManagedSecret_carriesTheDatabaseUrlAndSecret() {
        Rendered r = render(Map.of(
                "secrets.databaseUrl", "postgresql://owner:pw@db:5432/keysmith",
                "secrets.secret", "v1:abc",
                "secrets.operatorToken", "operator-token-of-24-characters",
                "config.publicUrl", "https://keys.example.com"));
        Map<String, Object> secret = r.named("Secret", FULLNAME);
        assertThat(map(secret, "data"))
                .containsKeys("KEYSMITH_DATABASE_URL", "KEYSMITH_SECRET", "KEYSMITH_OPERATOR_TOKEN");
        assertThat(secretRefs(container(r.one("Deployment")))
                        .get("KEYSMITH_DATABASE_URL")
                        .get("name"))
                .isEqualTo(FULLNAME);
        assertThat(get(r.one("Deployment"), "spec.template.metadata.annotations"))
                .asString()
                .contains("checksum/secret");
    }

    @Test
    void migrationJob_isAHookThatRunsAfterItsHookSecret() {
        Rendered r = render(EXTERNAL_DB);
        Map<String, Object> job = r.one("Job");
        Map<String, Object> hookSecret = r.named("Secret", FULLNAME + "-migration");

        Map<String, Object> jobAnnotations = map(job, "metadata.annotations");
        Map<String, Object> secretAnnotations = map(hookSecret, "metadata.annotations");
        assertThat(jobAnnotations.get("helm.sh/hook")).isEqualTo("pre-install,pre-upgrade");
        assertThat(secretAnnotations.get("helm.sh/hook")).isEqualTo("pre-install,pre-upgrade");
        int jobWeight = Integer.parseInt((String) jobAnnotations.get("helm.sh/hook-weight"));
        int secretWeight = Integer.parseInt((String) secretAnnotations.get("helm.sh/hook-weight"));
        assertThat(secretWeight).isLessThan(jobWeight);

        Map<String, Object> container = container(job);
        assertThat(command(container)).containsSubsequence("-jar", "/app/keysmith.jar", "migrate");
        assertThat(command(container)).contains("-Djava.io.tmpdir=/tmp");
        secretRefs(container)
                .values()
                .forEach(ref -> assertThat(ref.get("name")).isEqualTo(FULLNAME + "-migration"));
        assertThat(map(hookSecret, "data")).containsKeys("KEYSMITH_DATABASE_URL", "KEYSMITH_SECRET");
        assertHardened(job, container);
        // the Job's pod is not a server pod: the Service must never route to it
        assertThat(labels(job, "spec.template.metadata.labels")
                        .entrySet()
                        .containsAll(map(r.one("Service"), "spec.selector").entrySet()))
                .as("the Service's selector matches the migration pods")
                .isFalse();

        assertThat(configData(r)).containsEntry("KEYSMITH_DATABASE_MIGRATE", "false");
        assertThat(configData(render(merged(EXTERNAL_DB, Map.of("migration.enabled", "false")))))
                .containsEntry("KEYSMITH_DATABASE_MIGRATE", "true");
    }

    @Test
    void migrationJob_withExistingSecret_hasNoHookSecret() {
        Rendered r = render(PROD_VALUES, Map.of());
        assertThat(r.all("Job")).hasSize(1);
        assertThat(r.all("Secret")).isEmpty();
        assertThat(configData(r)).containsEntry("KEYSMITH_DATABASE_MIGRATE", "false");
    }

    // ---- replicas, PDB, HPA ----

    @Test
    void podDisruptionBudget_onlyWithMoreThanOneReplica() {
        assertThat(render(EXTERNAL_DB).all("PodDisruptionBudget")).isEmpty();
        assertThat(render(merged(EXTERNAL_DB, Map.of("replicaCount", "2"))).all("PodDisruptionBudget"))
                .hasSize(1);
        assertThat(render(merged(EXTERNAL_DB, Map.of("autoscaling.enabled", "true", "autoscaling.minReplicas", "1")))
                        .all("PodDisruptionBudget"))
                .isEmpty();
        Rendered hpa = render(merged(
                EXTERNAL_DB,
                Map.of(
                        "autoscaling.enabled",
                        "true",
                        "autoscaling.minReplicas",
                        "2",
                        "autoscaling.requestsPerSecond.enabled",
                        "true")));
        assertThat(hpa.all("PodDisruptionBudget")).hasSize(1);
        assertThat(get(hpa.one("Deployment"), "spec.replicas")).isNull();
        List<Map<String, Object>> metrics = list(hpa.one("HorizontalPodAutoscaler"), "spec.metrics");
        assertThat(metrics).extracting(m -> m.get("type")).containsExactly("Resource", "Pods");
    }

    @Test
    void prodValues_renderThreeReplicasWithEveryOptionalObject() {
        Rendered r = render(PROD_VALUES, Map.of());
        assertThat(get(r.one("Deployment"), "spec.replicas")).isEqualTo(3);
        assertThat(r.kinds())
                .contains(
                        "Ingress",
                        "PodDisruptionBudget",
                        "NetworkPolicy",
                        "ServiceMonitor",
                        "PrometheusRule",
                        "Job",
                        "ServiceAccount",
                        "ConfigMap");
        assertThat(configData(r))
                .containsEntry("KEYSMITH_TRUSTED_PROXIES", "10.0.0.0/8")
                .containsEntry("KEYSMITH_PUBLIC_URL", "https://keys.example.com")
                .containsEntry("KEYSMITH_SIGNUP_ENABLED", "false");
        assertHardened(r.one("Deployment"), container(r.one("Deployment")));
    }

    @Test
    void leakReportBurst_alertsOnKeysmithSecretsReportedLeaked_withTheConfiguredThresholdAndWindow() {
        // issue 18: a burst of true-positive leak reports (GitHub secret scanning, the public revocation API)
        Map<String, Object> rule = null;
        Rendered r = render(
                PROD_VALUES,
                Map.of("prometheusRule.leakBurstThreshold", "25", "prometheusRule.leakBurstWindow", "30m"));
        for (Map<String, Object> group : list(r.one("PrometheusRule"), "spec.groups")) {
            for (Map<String, Object> candidate : list(group, "rules")) {
                if ("KeysmithLeakReportBurst".equals(candidate.get("alert"))) {
                    rule = candidate;
                }
            }
        }
        assertThat(rule).as("the leak burst alert").isNotNull();
        assertThat((String) rule.get("expr"))
                .contains("keysmith_leak_reports_total{")
                .contains("label=\"true_positive\"")
                .contains("[30m]")
                .contains("> 25");
        assertThat(labels(rule, "labels")).containsEntry("severity", "critical");
    }

    @Test
    void publicUrl_isAlwaysSet_andRequiredWithAnExternalDatabase() {
        // links are never built from a request's Host header (issue 13 item 8), so the chart always sets it
        assertThat(configData(render(Map.of()))).containsEntry("KEYSMITH_PUBLIC_URL", "http://localhost:8080");
        assertThat(configData(render(EXTERNAL_DB))).containsEntry("KEYSMITH_PUBLIC_URL", "https://keys.example.com");
        Map<String, String> noUrl = new LinkedHashMap<>(EXTERNAL_DB);
        noUrl.remove("config.publicUrl");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> render(noUrl))
                .hasMessageContaining("config.publicUrl (KEYSMITH_PUBLIC_URL) is required with an external database");
        // the Ingress's first host, https when it has TLS
        Map<String, String> ingress = merged(
                noUrl,
                Map.of(
                        "ingress.enabled", "true",
                        "ingress.hosts[0].host", "keys.corp.example",
                        "ingress.hosts[0].paths[0].path", "/",
                        "ingress.hosts[0].paths[0].pathType", "Prefix"));
        assertThat(configData(render(ingress))).containsEntry("KEYSMITH_PUBLIC_URL", "http://keys.corp.example");
        assertThat(configData(render(merged(
                        ingress,
                        Map.of("ingress.tls[0].secretName", "tls", "ingress.tls[0].hosts[0]", "keys.corp.example")))))
                .containsEntry("KEYSMITH_PUBLIC_URL", "https://keys.corp.example");
        assertThat(configData(render(merged(EXTERNAL_DB, Map.of("config.publicUrl", "https://k.example/")))))
                .containsEntry("KEYSMITH_PUBLIC_URL", "https://k.example");
    }

    @Test
    void embeddedDatabase_refusesMoreThanOneReplica() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> render(Map.of("replicaCount", "2")))
                .hasMessageContaining("external PostgreSQL");
    }

    // ---- selectors, Ingress, NetworkPolicy, ServiceMonitor ----

    @Test
    void selectorLabels_agreeBetweenDeploymentServicePdbNetworkPolicyAndServiceMonitor() {
        Rendered r = render(PROD_VALUES, Map.of());
        Map<String, Object> deployment = r.one("Deployment");
        Map<String, Object> selector = map(deployment, "spec.selector.matchLabels");
        assertThat(selector).containsKeys("app.kubernetes.io/name", "app.kubernetes.io/instance");
        assertThat(labels(deployment, "spec.template.metadata.labels")).containsAllEntriesOf(selector);

        Map<String, Object> service = r.one("Service");
        assertThat(map(service, "spec.selector")).isEqualTo(selector);
        assertThat(map(r.one("PodDisruptionBudget"), "spec.selector.matchLabels"))
                .isEqualTo(selector);
        assertThat(map(r.one("NetworkPolicy"), "spec.podSelector.matchLabels")).isEqualTo(selector);

        Map<String, Object> monitor = r.one("ServiceMonitor");
        assertThat(labels(service, "metadata.labels")).containsAllEntriesOf(map(monitor, "spec.selector.matchLabels"));
        List<Map<String, Object>> endpoints = list(monitor, "spec.endpoints");
        assertThat(endpoints).singleElement().satisfies(e -> {
            assertThat(e.get("port")).isEqualTo("management");
            assertThat(e.get("path")).isEqualTo("/metrics");
        });
        assertThat(servicePorts(service)).containsKey("management");
    }

    @Test
    void ingress_routesOnlyTheHttpPortWithTls() {
        Rendered r = render(PROD_VALUES, Map.of());
        Map<String, Object> ingress = r.one("Ingress");
        assertThat(list(ingress, "spec.tls")).isNotEmpty();
        List<Object> backends = new ArrayList<>();
        for (Map<String, Object> rule : list(ingress, "spec.rules")) {
            for (Map<String, Object> path : list(rule, "http.paths")) {
                backends.add(get(path, "backend.service"));
            }
        }
        String service = name(r.one("Service"));
        assertThat(backends)
                .isNotEmpty()
                .allSatisfy(b -> assertThat(b).isEqualTo(Map.of("name", service, "port", Map.of("name", "http"))));
        assertThat(servicePorts(r.one("Service")).get("http")).isEqualTo(8080);
        assertThat(r.text()).doesNotContainPattern("(?s)kind: Ingress.*name: management");
    }

    @Test
    void networkPolicy_opensManagementOnlyToPrometheus() {
        Map<String, Object> policy = render(PROD_VALUES, Map.of()).one("NetworkPolicy");
        List<Map<String, Object>> rules = list(policy, "spec.ingress");
        Map<String, Object> management = rules.stream()
                .filter(rule -> list(rule, "ports").stream().anyMatch(p -> "management".equals(p.get("port"))))
                .findFirst()
                .orElseThrow();
        assertThat(list(management, "ports")).hasSize(1);
        assertThat(list(management, "from"))
                .singleElement()
                .satisfies(peer -> assertThat(peer).containsKeys("namespaceSelector", "podSelector"));
        assertThat(rules)
                .filteredOn(rule -> list(rule, "ports").stream().anyMatch(p -> "http".equals(p.get("port"))))
                .hasSize(1);
    }

    // ---- dashboard and alerts against the real server's /metrics ----

    @Test
    void dashboard_isAValidJsonConfigMapForTheGrafanaSidecar() throws IOException {
        Map<String, Object> cm = render(PROD_VALUES, Map.of()).named("ConfigMap", FULLNAME + "-dashboard");
        assertThat(labels(cm, "metadata.labels")).containsEntry("grafana_dashboard", "1");
        JsonNode dashboard =
                new ObjectMapper().readTree((String) map(cm, "data").get("keysmith.json"));
        assertThat(dashboard.path("title").asText()).isEqualTo("Keysmith");
        assertThat(dashboardQueries(dashboard, false))
                .isNotEmpty()
                .allSatisfy(q -> assertThat(metricNames(q))
                        .as("every query names its metrics with a selector: %s", q)
                        .isNotEmpty());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void dashboardAndAlerts_queryOnlyMetricsTheServerExposes(@TempDir Path dataDir) throws Exception {
        Path jar = Path.of(System.getProperty("keysmith.jar", "../backend/target/keysmith.jar"));
        assumeTrue(
                Files.isRegularFile(jar),
                "server jar " + jar.toAbsolutePath()
                        + " is missing: build it first (mvn -pl frontend install && mvn -pl backend package -DskipTests)");

        Set<String> exposed = scrapeRealServer(jar, dataDir);
        assertThat(exposed).contains("vertx_http_server_requests_total", "jvm_memory_used_bytes");

        Rendered r = render(PROD_VALUES, Map.of());
        JsonNode dashboard = new ObjectMapper().readTree((String)
                map(r.named("ConfigMap", FULLNAME + "-dashboard"), "data").get("keysmith.json"));
        Set<String> queried = new LinkedHashSet<>();
        dashboardQueries(dashboard, false).forEach(q -> queried.addAll(metricNames(q)));
        assertThat(queried).as("metrics the dashboard's panels query").isNotEmpty();
        assertThat(exposed)
                .as("the dashboard queries metrics that /metrics does not expose")
                .containsAll(queried);

        Set<String> alerted = new LinkedHashSet<>();
        for (Map<String, Object> group : list(r.one("PrometheusRule"), "spec.groups")) {
            for (Map<String, Object> rule : list(group, "rules")) {
                alerted.addAll(metricNames((String) rule.get("expr")));
            }
        }
        // up comes from Prometheus, kube_* from kube-state-metrics
        alerted.removeIf(m -> m.equals("up") || m.startsWith("kube_"));
        assertThat(alerted).as("metrics the alerts query").isNotEmpty();
        assertThat(exposed)
                .as("the alerts query metrics that /metrics does not expose")
                .containsAll(alerted);
    }

    /** Starts the packaged server on free ports and an empty data dir, makes a few requests, returns /metrics' names. */
    private static Set<String> scrapeRealServer(Path jar, Path dataDir) throws Exception {
        int http = freePort();
        int management = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "-Djava.io.tmpdir=" + dataDir.resolve("tmp"),
                        "-jar",
                        jar.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("server.log").toFile());
        Files.createDirectories(dataDir.resolve("tmp"));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KEYSMITH_"));
        env.put("KEYSMITH_DATA_DIR", dataDir.resolve("data").toString());
        env.put("KEYSMITH_HTTP_HOST", "127.0.0.1");
        env.put("KEYSMITH_HTTP_PORT", Integer.toString(http));
        env.put("KEYSMITH_MANAGEMENT_PORT", Integer.toString(management));
        env.put("KEYSMITH_SHUTDOWN_GRACE_SECONDS", "2");
        env.put("KEYSMITH_KEY_FAILURES_PER_MINUTE", "2"); // a few bad keys reach 429: the rate-limited series
        env.put("KEYSMITH_GATEWAY_CIDRS", "127.0.0.1/32"); // forward-auth from here: the verification series
        Process server = pb.start();
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            String base = "http://127.0.0.1:" + http;
            waitForReady(client, "http://127.0.0.1:" + management + "/health/ready", server, dataDir);
            send(client, get(base + "/"));
            send(client, get(base + "/health/live"));
            send(client, get(base + "/api/v1/people"));
            for (int i = 0; i < 4; i++) {
                send(client, get(base + "/api/v1/people").header("Authorization", "Bearer ks_not_a_real_key_" + i));
            }
            send(
                    client,
                    get(base + "/api/v1/forward-auth")
                            .header("Authorization", "Bearer ks_not_a_real_key")
                            .header("X-Forwarded-Method", "GET")
                            .header("X-Forwarded-Uri", "/api/v1/people"));
            String metrics = send(client, get("http://127.0.0.1:" + management + "/metrics"));
            return metrics.lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split("[{ ]", 2)[0])
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        } finally {
            server.destroy(); // SIGTERM: graceful, stops the embedded PostgreSQL
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void waitForReady(HttpClient client, String url, Process server, Path dataDir) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            if (!server.isAlive()) {
                throw new AssertionError("server exited: " + Files.readString(dataDir.resolve("server.log")));
            }
            try {
                HttpResponse<String> res = client.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("server not ready in 2 minutes: " + Files.readString(dataDir.resolve("server.log")));
    }

    private static HttpRequest.Builder get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    }

    private static String send(HttpClient client, HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The PromQL of every panel target and templating query; placeholders only when asked. */
    static List<String> dashboardQueries(JsonNode dashboard, boolean withPlaceholders) {
        List<String> queries = new ArrayList<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            panels.add(p);
            p.path("panels").forEach(panels::add);
        });
        for (JsonNode panel : panels) {
            if (!withPlaceholders && panel.path("description").asText().startsWith(PLACEHOLDER)) {
                continue;
            }
            panel.path("targets").forEach(t -> queries.add(t.path("expr").asText()));
        }
        dashboard.path("templating").path("list").forEach(v -> {
            if ("query".equals(v.path("type").asText())) {
                JsonNode q = v.path("query");
                queries.add(q.isObject() ? q.path("query").asText() : q.asText());
            }
        });
        return queries;
    }

    private static final Pattern METRIC = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)(?=\\s*,)");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");

    /** Metric names in PromQL, written as {@code name{selector}} (the chart's convention for every series). */
    static Set<String> metricNames(String promql) {
        Set<String> names = new LinkedHashSet<>();
        // Grafana's label_values(metric, label) names its metric without a selector
        Matcher lv = LABEL_VALUES.matcher(promql);
        while (lv.find()) {
            names.add(lv.group(1));
        }
        String query = LABEL_VALUES.matcher(promql).replaceAll("label_values($1{}");
        Matcher m = METRIC.matcher(query);
        while (m.find()) {
            names.add(m.group(1));
        }
        // a bare name (no selector) would escape the check above: there must be none
        String stripped = LABEL_MATCHERS.matcher(query).replaceAll("{}");
        assertThat(stripped)
                .as("metric without a selector in %s", promql)
                .doesNotContainPattern(
                        "(?<![a-zA-Z0-9_:])(vertx|jvm|keysmith|process|system)_[a-z0-9_]+(?![a-z0-9_]*\\{)");
        return names;
    }

    // ---- rendering helpers ----

    record Rendered(String text, List<Map<String, Object>> objects) {
        List<Map<String, Object>> all(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        Map<String, Object> one(String kind) {
            List<Map<String, Object>> found = all(kind);
            assertThat(found).as("rendered %s objects", kind).hasSize(1);
            return found.get(0);
        }

        Map<String, Object> named(String kind, String name) {
            return all(kind).stream()
                    .filter(o -> name.equals(name(o)))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in " + kinds()));
        }

        List<String> kinds() {
            return objects.stream().map(o -> (String) o.get("kind")).toList();
        }
    }

    static Rendered render(Map<String, String> set) {
        return render(null, set);
    }

    @SuppressWarnings("unchecked")
    static Rendered render(Path valuesFile, Map<String, String> set) {
        TemplateCommand cmd = new Helm(renderedChart)
                .template()
                .withName(RELEASE)
                .withNamespace("keysmith")
                .withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            cmd = cmd.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(set).entrySet()) {
            cmd = cmd.set(e.getKey(), e.getValue());
        }
        StringBuilder text = new StringBuilder();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(cmd.call())) {
            Map<String, Object> object = (Map<String, Object>) doc;
            if (object == null) {
                continue;
            }
            if ("chart-test-hook-capture".equals(name(object))) {
                Map<String, Object> hooks = object.get("data") == null ? Map.of() : map(object, "data");
                for (Object hookText : new java.util.TreeMap<>(hooks).values()) {
                    text.append("---\n").append(hookText).append('\n');
                    for (Object hook : new Yaml().loadAll((String) hookText)) {
                        if (hook != null) {
                            objects.add((Map<String, Object>) hook);
                        }
                    }
                }
            } else {
                text.append("---\n").append(new Yaml().dump(object));
                objects.add(object);
            }
        }
        return new Rendered(text.toString(), objects);
    }

    static Map<String, String> merged(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new LinkedHashMap<>(a);
        m.putAll(b);
        return m;
    }

    static void assertHardened(Map<String, Object> workload, Map<String, Object> container) {
        Map<String, Object> pod = map(workload, "spec.template.spec");
        assertThat(get(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(get(pod, "securityContext.runAsUser")).isEqualTo(10001);
        assertThat(get(pod, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
        assertThat(get(container, "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(get(container, "securityContext.runAsUser")).isEqualTo(10001);
        assertThat(get(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(get(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(get(container, "securityContext.capabilities.drop")).isEqualTo(List.of("ALL"));
        assertThat(get(container, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
        // a read-only root filesystem needs a writable /tmp: the JVM and the Vert.x file cache write there
        assertThat(mounts(container)).containsEntry("tmp", "/tmp");
        assertThat(list(workload, "spec.template.spec.volumes"))
                .anySatisfy(v -> assertThat(v).containsEntry("name", "tmp").containsKey("emptyDir"));
        assertThat(command(container)).contains("-Djava.io.tmpdir=/tmp");
    }

    static Map<String, Object> container(Map<String, Object> workload) {
        List<Map<String, Object>> containers = list(workload, "spec.template.spec.containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    @SuppressWarnings("unchecked")
    static List<String> command(Map<String, Object> container) {
        return (List<String>) container.get("command");
    }

    static Map<String, Integer> ports(Map<String, Object> container) {
        return list(container, "ports").stream()
                .collect(Collectors.toMap(p -> (String) p.get("name"), p -> (Integer) p.get("containerPort")));
    }

    static Map<String, Integer> servicePorts(Map<String, Object> service) {
        return list(service, "spec.ports").stream()
                .collect(Collectors.toMap(p -> (String) p.get("name"), p -> (Integer) p.get("port")));
    }

    static Map<String, String> mounts(Map<String, Object> container) {
        return list(container, "volumeMounts").stream()
                .collect(Collectors.toMap(m -> (String) m.get("name"), m -> (String) m.get("mountPath")));
    }

    static Map<String, Map<String, Object>> secretRefs(Map<String, Object> container) {
        Map<String, Map<String, Object>> refs = new LinkedHashMap<>();
        for (Map<String, Object> e : list(container, "env")) {
            Object ref = get(e, "valueFrom.secretKeyRef");
            if (ref != null) {
                refs.put((String) e.get("name"), castMap(ref));
            }
        }
        return refs;
    }

    static Set<String> secretEnvNames(Map<String, Object> container) {
        return secretRefs(container).keySet();
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> configData(Rendered r) {
        return (Map<String, String>) (Map<?, ?>) map(r.named("ConfigMap", FULLNAME), "data");
    }

    static String name(Map<String, Object> object) {
        return (String) get(object, "metadata.name");
    }

    static Object get(Map<String, Object> object, String path) {
        Object current = object;
        for (String key : path.split("\\.(?![^\\[]*])")) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    static Map<String, Object> map(Map<String, Object> object, String path) {
        Object value = get(object, path);
        assertThat(value).as(path).isInstanceOf(Map.class);
        return castMap(value);
    }

    static Map<String, Object> labels(Map<String, Object> object, String path) {
        return map(object, path);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> object, String path) {
        Object value = get(object, path);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> castMap(Object value) {
        return (Map<String, Object>) value;
    }

    // ---- files ----

    @SuppressWarnings("unchecked")
    static Map<String, Object> loadYaml(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Map<String, Object> m = new Yaml().load(in);
            return m == null ? new LinkedHashMap<>() : m;
        }
    }

    /** Helm's merge of a values file over the defaults: maps merge key by key, everything else is replaced. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overlay) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        overlay.forEach((k, v) -> {
            if (v instanceof Map<?, ?> vm && out.get(k) instanceof Map<?, ?> bm) {
                out.put(k, merge((Map<String, Object>) bm, (Map<String, Object>) vm));
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    static Path copyChart(Path tmp) throws IOException {
        Path target = tmp.resolve("keysmith");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path source : files.sorted(Comparator.naturalOrder()).toList()) {
                Path dest = target.resolve(CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(source, dest);
                }
            }
        }
        return target;
    }
}
