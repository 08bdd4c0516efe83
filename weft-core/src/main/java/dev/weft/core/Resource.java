package dev.weft.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runtime metadata attached to a tracer's events: where the process runs. Attribute names follow OpenTelemetry's
 * resource conventions where one exists ({@code host.name}, {@code process.pid}, {@code k8s.pod.name},
 * {@code service.instance.id}); Nomad has none, so its attributes are {@code nomad.*}.
 */
public final class Resource {
  private Resource() {}

  /** Nomad's task environment variables and the attribute each becomes. */
  static final String[][] NOMAD = {
    {"NOMAD_JOB_NAME", "nomad.job.name"},
    {"NOMAD_GROUP_NAME", "nomad.group.name"},
    {"NOMAD_TASK_NAME", "nomad.task.name"},
    {"NOMAD_ALLOC_ID", "nomad.alloc.id"},
    {"NOMAD_ALLOC_NAME", "nomad.alloc.name"},
    {"NOMAD_ALLOC_INDEX", "nomad.alloc.index"},
    {"NOMAD_DC", "nomad.datacenter"},
    {"NOMAD_REGION", "nomad.region"},
    {"NOMAD_NAMESPACE", "nomad.namespace"},
  };

  /**
   * Kubernetes has no fixed variables: the downward API exposes whatever a pod spec names. These are the names the
   * OpenTelemetry operator and most charts use, first match wins.
   */
  static final String[][] KUBERNETES = {
    {"k8s.pod.name", "K8S_POD_NAME", "POD_NAME", "MY_POD_NAME"},
    {"k8s.namespace.name", "K8S_NAMESPACE_NAME", "K8S_NAMESPACE", "POD_NAMESPACE", "MY_POD_NAMESPACE"},
    {"k8s.node.name", "K8S_NODE_NAME", "NODE_NAME", "MY_NODE_NAME"},
    {"k8s.pod.uid", "K8S_POD_UID", "POD_UID", "MY_POD_UID"},
    {"k8s.container.name", "K8S_CONTAINER_NAME", "CONTAINER_NAME"},
    {"k8s.deployment.name", "K8S_DEPLOYMENT_NAME"},
  };

  /** Detects this process's resource from the real environment. Never throws. */
  public static Map<String, String> detect() {
    try {
      return detect(System.getenv(), ProcessHandle.current().pid(), readHostname());
    } catch (RuntimeException e) {
      Faults.count(Fault.INTERNAL_ERROR);
      return Map.of();
    }
  }

  /**
   * Detects a resource from the given environment: a pure function, so simulated instances (and tests) can describe
   * themselves without real variables.
   */
  public static Map<String, String> detect(Map<String, String> env, long pid, String hostName) {
    TreeMap<String, String> out = new TreeMap<>();
    // OTEL_RESOURCE_ATTRIBUTES first, so that detected facts win over hand-set ones only where they are real
    parseOtelAttributes(env.get("OTEL_RESOURCE_ATTRIBUTES"), out);
    if (hostName != null && !hostName.isBlank()) out.put("host.name", hostName.trim());
    if (pid > 0) out.put("process.pid", Long.toString(pid));
    out.put("process.runtime.name", "java");
    String version = System.getProperty("java.version");
    if (version != null) out.put("process.runtime.version", version);
    for (String[] m : NOMAD) put(out, m[1], env.get(m[0]));
    if (env.get("NOMAD_ALLOC_ID") != null) put(out, "service.instance.id", env.get("NOMAD_ALLOC_ID"));
    for (String[] k : KUBERNETES) {
      for (int i = 1; i < k.length; i++) {
        if (env.get(k[i]) != null) {
          put(out, k[0], env.get(k[i]));
          break;
        }
      }
    }
    // inside a pod without downward-API variables the hostname is the pod name
    if (env.get("KUBERNETES_SERVICE_HOST") != null && !out.containsKey("k8s.pod.name") && hostName != null) {
      put(out, "k8s.pod.name", hostName.trim());
    }
    if (out.containsKey("k8s.pod.uid") && !out.containsKey("service.instance.id")) {
      put(out, "service.instance.id", out.get("k8s.pod.uid"));
    }
    return Collections.unmodifiableMap(out);
  }

  private static void parseOtelAttributes(String text, Map<String, String> out) {
    if (text == null || text.isBlank()) return;
    for (String pair : text.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) continue;
      String k = pair.substring(0, eq).trim();
      String v = java.net.URLDecoder.decode(pair.substring(eq + 1).trim(), java.nio.charset.StandardCharsets.UTF_8);
      put(out, k, v);
    }
  }

  private static void put(Map<String, String> out, String key, String value) {
    if (value == null || value.isBlank() || !Limits.isTagKey(key)) return;
    String v = value.trim();
    out.put(key, v.length() > Limits.MAX_TAG_VALUE_LENGTH ? v.substring(0, Limits.MAX_TAG_VALUE_LENGTH) : v);
  }

  private static String readHostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) return env;
    try {
      Path etc = Path.of("/etc/hostname");
      if (Files.isReadable(etc)) return Files.readString(etc).trim();
    } catch (Exception ignored) {
      // fall through: no host name is better than a DNS lookup that may hang at start-up
    }
    return null;
  }
}
