package dev.weft.kafka;

import dev.weft.core.Tracer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tracers that Kafka-instantiated classes look up by name. Kafka creates interceptors itself, from class names in
 * the client configuration, so they cannot be handed a {@link Tracer}; instead the application registers one here
 * and names it in the client configuration:
 *
 * <pre>{@code
 * WeftTracers.register("orders", tracer);
 * props.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, WeftProducerInterceptor.class.getName());
 * props.put(WeftTracers.TRACER_NAME_CONFIG, "orders");
 * }</pre>
 *
 * The name is looked up on every record, not once at configure time, so a client may be created before its tracer is
 * registered; until then its records pass through untraced.
 */
public final class WeftTracers {
  /** The client configuration key naming the registered tracer: {@value}. */
  public static final String TRACER_NAME_CONFIG = "weft.tracer.name";
  /** The name used when the configuration names none: {@value}. */
  public static final String DEFAULT_NAME = "default";

  private static final Map<String, Tracer> TRACERS = new ConcurrentHashMap<>();

  private WeftTracers() {}

  /** Registers {@code tracer} under {@code name}, replacing any earlier one. */
  public static void register(String name, Tracer tracer) {
    TRACERS.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(tracer, "tracer"));
  }

  /** Removes the tracer registered under {@code name}, if any. */
  public static void unregister(String name) {
    TRACERS.remove(name);
  }

  /** The tracer registered under {@code name}, or null. */
  public static Tracer get(String name) {
    return name == null ? null : TRACERS.get(name);
  }

  /** The tracer name from a client configuration, or {@link #DEFAULT_NAME}. */
  static String nameFrom(Map<String, ?> configs) {
    Object v = configs == null ? null : configs.get(TRACER_NAME_CONFIG);
    return v == null ? DEFAULT_NAME : v.toString();
  }
}
