package dev.weft.core.topology;

import dev.weft.core.channel.Channel;
import dev.weft.core.channel.PubClient;
import dev.weft.core.channel.ReqRepClient;
import dev.weft.core.channel.ReqRepServer;
import dev.weft.core.channel.SubClient;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Derives a service's declared topology by reflection, as the seed's "graph definitions via reflection": it reads the
 * fields of the service objects (or the static fields of service classes) and keeps those holding channels, with the
 * direction their type implies. No traffic is needed.
 *
 * <p>Recognized: {@link PubClient} (publish), {@link SubClient} (subscribe), {@link ReqRepServer} (serve),
 * {@link ReqRepClient} (call), anything implementing {@link DeclaresChannel}, and arrays or collections of those.
 * Superclass fields count; nested objects are not searched, so a declaration stays what the service holds itself.
 */
public final class TopologyScanner {
  private TopologyScanner() {}

  /**
   * The declared topology of {@code service} from the given holders: service objects (all their fields) or classes
   * (their static fields).
   */
  public static DeclaredTopology scan(String service, Object... holders) {
    Set<DeclaredChannel> found = new LinkedHashSet<>();
    Map<Object, Boolean> seen = new IdentityHashMap<>();
    for (Object holder : holders) {
      if (holder == null || seen.put(holder, Boolean.TRUE) != null) continue;
      boolean staticOnly = holder instanceof Class<?>;
      Class<?> type = staticOnly ? (Class<?>) holder : holder.getClass();
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          boolean isStatic = Modifier.isStatic(f.getModifiers());
          if (staticOnly && !isStatic) continue;
          if (f.isSynthetic()) continue;
          Object value;
          try {
            f.setAccessible(true);
            value = f.get(isStatic ? null : holder);
          } catch (RuntimeException | IllegalAccessException e) {
            continue; // a module that does not open the field: not ours to read
          }
          collect(value, found);
        }
      }
    }
    List<DeclaredChannel> sorted = new ArrayList<>(found);
    sorted.sort(Comparator.comparing(DeclaredChannel::channel).thenComparing(DeclaredChannel::direction)
        .thenComparing(DeclaredChannel::schema));
    return new DeclaredTopology(service, sorted);
  }

  private static void collect(Object value, Set<DeclaredChannel> out) {
    if (value == null) return;
    if (value instanceof PubClient<?, ?> p) add(p.channel(), Direction.PUBLISH, out);
    else if (value instanceof SubClient<?, ?> s) add(s.channel(), Direction.SUBSCRIBE, out);
    else if (value instanceof ReqRepServer<?, ?, ?, ?> s) add(s.channel(), Direction.SERVE, out);
    else if (value instanceof ReqRepClient<?, ?, ?, ?> c) add(c.channel(), Direction.CALL, out);
    else if (value instanceof DeclaresChannel d) add(d.channel(), d.direction(), out);
    else if (value instanceof Iterable<?> it) {
      for (Object o : it) if (!(o instanceof Iterable<?>)) collect(o, out);
    } else if (value instanceof Object[] arr) {
      for (Object o : arr) if (!(o instanceof Object[])) collect(o, out);
    }
  }

  private static void add(Channel ch, Direction d, Set<DeclaredChannel> out) {
    if (ch != null && d != null) out.add(new DeclaredChannel(ch.id(), ch.schema(), ch.replySchema(), d));
  }
}
