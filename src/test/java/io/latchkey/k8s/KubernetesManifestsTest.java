package io.latchkey.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.latchkey.LatchkeyConfig;
import io.latchkey.policy.Policy;
import io.latchkey.policy.PolicyParser;

/**
 * The manifests in k8s/ agree with the application: ports, probe paths, configuration keys and the policy path.
 * Renaming any of them on one side breaks this test.
 */
class KubernetesManifestsTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    static final String EMBEDDED_ENV = "k8s/overlays/embedded-store/embedded-env.yaml";
    static Properties application;
    static Deployment deployment;
    static Container latchkey;

    @BeforeAll
    static void load() throws IOException {
        application = new Properties();
        try (Reader properties = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            application.load(properties);
        }
        deployment = readDeployment("k8s/base/deployment.yaml");
        latchkey = deployment.getSpec().getTemplate().getSpec().getInitContainers().stream()
                .filter(c -> c.getName().equals("latchkey")).findFirst().orElseThrow();
    }

    /** A key's embedded default in application.properties, or null. */
    static String setting(String key) {
        return application.getProperty(key);
    }

    /** The Latchkey container of an overlay's Deployment patch. */
    static Container overlaySidecar(Deployment patch) {
        return patch.getSpec().getTemplate().getSpec().getInitContainers().get(0);
    }

    static Deployment readDeployment(String path) throws IOException {
        return YAML.readValue(Path.of(path).toFile(), Deployment.class);
    }

    /** A container's environment variables that have a literal value, by name. */
    static Map<String, String> values(Container container) {
        return container.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    static int port(String name) {
        return latchkey.getPorts().stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow()
                .getContainerPort();
    }

    @Test
    void everyManifestParsesAsItsKind() throws IOException {
        List<Path> manifests;
        try (var files = Files.walk(Path.of("k8s"))) {
            manifests = files.filter(p -> p.toString().endsWith(".yaml") && !p.endsWith("kustomization.yaml"))
                    .toList();
        }
        assertThat(manifests).hasSizeGreaterThanOrEqualTo(6);
        for (Path manifest : manifests) {
            String kind = (String) ((Map<?, ?>) new Yaml().load(Files.readString(manifest))).get("kind");
            Class<?> type = switch (kind) {
                case "Deployment" -> Deployment.class;
                case "ConfigMap" -> ConfigMap.class;
                case "NetworkPolicy" -> NetworkPolicy.class;
                case "ServiceAccount" -> io.fabric8.kubernetes.api.model.ServiceAccount.class;
                default -> throw new AssertionError(manifest + ": unexpected kind " + kind);
            };
            assertThat(YAML.readValue(manifest.toFile(), type)).as(manifest.toString()).isNotNull();
        }
    }

    @Test
    void latchkeyIsANativeSidecar() {
        assertThat(latchkey.getRestartPolicy()).isEqualTo("Always");
    }

    @Test
    void portsMatchTheApplicationsDefaults() {
        assertThat(port("proxy")).hasToString(setting("latchkey.proxy.port"));
        assertThat(port("admin")).hasToString(setting("quarkus.http.port"));
        assertThat(port("management")).hasToString(setting("quarkus.management.port"));
        NetworkPolicy policy = readNetworkPolicy();
        assertThat(policy.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal())
                .isEqualTo(port("management"));
    }

    @Test
    void probesUseTheHealthEndpointsOnTheManagementPort() {
        assertThat(setting("quarkus.management.root-path")).as("health stays under /q").isNull();
        Map<String, Probe> probes = Map.of("/q/health/started", latchkey.getStartupProbe(), "/q/health/live",
                latchkey.getLivenessProbe(), "/q/health/ready", latchkey.getReadinessProbe());
        probes.forEach((path, probe) -> {
            assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
        });
    }

    @Test
    void everyLatchkeyVariableIsARealConfigurationProperty() throws IOException {
        Set<String> known = environmentNames("latchkey", LatchkeyConfig.class);
        List<EnvVar> env = new java.util.ArrayList<>(latchkey.getEnv());
        for (String overlay : List.of("k8s/overlays/vault/vault-env.yaml",
                EMBEDDED_ENV)) {
            env.addAll(overlaySidecar(readDeployment(overlay)).getEnv());
        }
        Set<String> used = env.stream().map(EnvVar::getName).filter(n -> n.startsWith("LATCHKEY_"))
                .collect(Collectors.toSet());
        assertThat(used).isNotEmpty();
        assertThat(known).containsAll(used);
    }

    @Test
    void thePolicyPathIsTheConfigMapMountAndThePolicyLoads() throws IOException {
        String policyPath = latchkey.getEnv().stream().filter(e -> e.getName().equals("LATCHKEY_POLICY"))
                .findFirst().orElseThrow().getValue();
        Path policyFile = Path.of(policyPath);
        String mountPath = latchkey.getVolumeMounts().stream().filter(m -> m.getName().equals("policy")).findFirst()
                .orElseThrow().getMountPath();
        assertThat(policyFile.getParent().toString()).isEqualTo(mountPath);
        String configMapName = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("policy")).findFirst().orElseThrow().getConfigMap().getName();
        ConfigMap configMap = YAML.readValue(Path.of("k8s/base/policy-configmap.yaml").toFile(), ConfigMap.class);
        assertThat(configMap.getMetadata().getName()).isEqualTo(configMapName);
        String document = configMap.getData().get(policyFile.getFileName().toString());
        Policy policy = new PolicyParser(reference -> {
        }).parse(document, "configmap");
        // The secret the policy reads is mounted where the policy looks.
        String tokenMount = latchkey.getVolumeMounts().stream().filter(m -> m.getName().equals("github-token"))
                .findFirst().orElseThrow().getMountPath();
        assertThat(document).contains("file:" + tokenMount + "/token");
        assertThat(policy.routes()).isNotEmpty();
    }

    @Test
    void theEmbeddedStoreOverlayMountsTheFilesItsConfigurationNames() throws IOException {
        Deployment patch = readDeployment(EMBEDDED_ENV);
        Container sidecar = overlaySidecar(patch);
        Map<String, String> env = values(sidecar);
        Map<String, String> mounts = sidecar.getVolumeMounts().stream()
                .collect(Collectors.toMap(m -> m.getName(), m -> m.getMountPath()));
        assertThat(env.get("LATCHKEY_CRYPTO_KEYS")).isEqualTo("file:" + mounts.get("crypto-keys") + "/keys");
        assertThat(env.get("LATCHKEY_ADMIN_TOKEN_FILE")).isEqualTo(mounts.get("admin-token") + "/token");
        assertThat(patch.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getName())
                .containsExactlyInAnyOrderElementsOf(mounts.keySet());
        assertThat(env.get("LATCHKEY_DATABASE_URL")).startsWith("postgresql://").doesNotStartWith("jdbc:");
        NetworkPolicy egress = YAML.readValue(Path.of("k8s/overlays/embedded-store/embedded-egress.yaml").toFile(),
                NetworkPolicy.class);
        int databasePort = Integer.parseInt(env.get("LATCHKEY_DATABASE_URL").replaceAll(".*:(\\d+)/.*", "$1"));
        assertThat(egress.getSpec().getEgress()).anySatisfy(rule -> assertThat(rule.getPorts())
                .anySatisfy(port -> assertThat(port.getPort().getIntVal()).isEqualTo(databasePort)));
        assertThat(egress.getSpec().getEgress()).as("DNS and HTTPS upstreams stay reachable").hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theImageHasTheDatabaseWhereTheDatabaseIsOn() throws IOException {
        assertThat(values(latchkey).get("LATCHKEY_DATABASE_ENABLED")).isEqualTo("false");
        assertThat(latchkey.getImage()).endsWith("-without-database");
        // The embedded-store overlay switches the database on and swaps in the full build's tag.
        assertThat(values(overlaySidecar(readDeployment(EMBEDDED_ENV)))).containsEntry("LATCHKEY_DATABASE_ENABLED", "true");
        Map<String, Object> kustomization = new Yaml()
                .load(Files.readString(Path.of("k8s/overlays/embedded-store/kustomization.yaml")));
        List<Map<String, String>> images = (List<Map<String, String>>) kustomization.get("images");
        String baseImage = latchkey.getImage();
        assertThat(images).singleElement().satisfies(image -> {
            assertThat(baseImage).startsWith(image.get("name") + ":");
            assertThat(baseImage.substring(image.get("name").length() + 1))
                    .isEqualTo(image.get("newTag") + "-without-database");
        });
    }

    @Test
    void containersRunRestricted() {
        for (Container container : List.of(latchkey,
                deployment.getSpec().getTemplate().getSpec().getContainers().get(0))) {
            var security = container.getSecurityContext();
            assertThat(security.getRunAsNonRoot()).isTrue();
            assertThat(security.getReadOnlyRootFilesystem()).isTrue();
            assertThat(security.getAllowPrivilegeEscalation()).isFalse();
            assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        }
    }

    @Test
    void noServiceLinkVariablesToExamineAtStartUp() {
        assertThat(deployment.getSpec().getTemplate().getSpec().getEnableServiceLinks()).isFalse();
    }

    static NetworkPolicy readNetworkPolicy() {
        try {
            return YAML.readValue(Path.of("k8s/base/networkpolicy.yaml").toFile(), NetworkPolicy.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The environment variable of every property a config interface maps: latchkey.proxy.drain-timeout → ... */
    static Set<String> environmentNames(String prefix, Class<?> group) {
        Set<String> names = new HashSet<>();
        for (Method method : group.getDeclaredMethods()) {
            String property = prefix + "." + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            if (method.getReturnType().isInterface() && method.getReturnType().getEnclosingClass() != null
                    && method.getReturnType().getName().startsWith("io.latchkey")) {
                names.addAll(environmentNames(property, method.getReturnType()));
            } else {
                names.add(property.toUpperCase().replaceAll("[^A-Z0-9]", "_"));
            }
        }
        return names;
    }
}
