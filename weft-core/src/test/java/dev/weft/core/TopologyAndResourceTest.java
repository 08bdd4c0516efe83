package dev.weft.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.channel.BinaryCodecs;
import dev.weft.core.channel.BinaryMessage;
import dev.weft.core.channel.Channel;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.channel.PubClient;
import dev.weft.core.channel.ReqRepClient;
import dev.weft.core.channel.ReqRepServer;
import dev.weft.core.channel.SubClient;
import dev.weft.core.carrier.Propagation;
import dev.weft.core.event.TelemetryEvent;
import dev.weft.core.sink.InMemorySink;
import dev.weft.core.topology.DeclaredChannel;
import dev.weft.core.topology.DeclaredTopology;
import dev.weft.core.topology.Direction;
import dev.weft.core.topology.TopologyScanner;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopologyAndResourceTest {
  static final Channel SKU_UPDATES = Channel.pubSub("kafka", "sku-updates", "urn:shop:SkuUpdated:v1");
  static final Channel CATALOG_CHANGED = Channel.pubSub("kafka", "catalog-changed", "urn:shop:CatalogChanged:v1");
  static final Channel PRICE_API = Channel.reqRep("http", "GET:/prices", "urn:shop:PriceQuery:v1", "urn:shop:Price:v1");
  static final Channel UPDATE_SKU = Channel.reqRep("http", "POST:/skus", "urn:shop:UpdateSku:v1", "urn:shop:SkuAck:v1");

  /** A service that holds its channels as fields, as the seed's services did. */
  static final class CatalogService {
    final SubClient<BinaryMessage, String> skuUpdates =
        new SubClient<>(SKU_UPDATES, BinaryCodecs.decoder(SKU_UPDATES, PayloadCodec.utf8(), Propagation.defaults()));
    final PubClient<BinaryMessage, String> catalogChanged =
        new PubClient<>(CATALOG_CHANGED, BinaryCodecs.encoder(PayloadCodec.utf8(), Propagation.defaults()));
    final List<ReqRepClient<BinaryMessage, BinaryMessage, String, String>> prices = List.of(new ReqRepClient<>(
        PRICE_API, BinaryCodecs.encoder(PayloadCodec.utf8(), Propagation.defaults()),
        BinaryCodecs.decoder(PRICE_API, PayloadCodec.utf8(), Propagation.defaults())));
    final String notAChannel = "ignored";
  }

  static final class MerchantApi {
    static final ReqRepServer<BinaryMessage, BinaryMessage, String, String> UPDATE = new ReqRepServer<>(UPDATE_SKU,
        BinaryCodecs.decoder(UPDATE_SKU, PayloadCodec.utf8(), Propagation.defaults()),
        BinaryCodecs.encoder(PayloadCodec.utf8(), Propagation.defaults()));
    final Object instanceOnly = new PubClient<>(SKU_UPDATES,
        BinaryCodecs.encoder(PayloadCodec.utf8(), Propagation.defaults()));
  }

  @Test
  void scanningAServiceObjectFindsEveryChannelWithItsDirection() {
    DeclaredTopology t = TopologyScanner.scan("catalog", new CatalogService());
    assertThat(t.service()).isEqualTo("catalog");
    assertThat(t.channels()).containsExactly(
        new DeclaredChannel("http:GET:/prices", "urn:shop:PriceQuery:v1", "urn:shop:Price:v1", Direction.CALL),
        new DeclaredChannel("kafka:catalog-changed", "urn:shop:CatalogChanged:v1", null, Direction.PUBLISH),
        new DeclaredChannel("kafka:sku-updates", "urn:shop:SkuUpdated:v1", null, Direction.SUBSCRIBE));
  }

  @Test
  void scanningAClassReadsOnlyItsStaticFields() {
    DeclaredTopology t = TopologyScanner.scan("merchant-api", MerchantApi.class);
    assertThat(t.channels()).containsExactly(new DeclaredChannel("http:POST:/skus", "urn:shop:UpdateSku:v1",
        "urn:shop:SkuAck:v1", Direction.SERVE));
  }

  @Test
  void theDeclarationIsEmittedAsADeclareEventWithoutAnyTraffic() {
    InMemorySink sink = new InMemorySink();
    Tracer tracer = Tracer.builder("catalog").sink(sink).resource(Map.of("host.name", "h")).build();
    tracer.declare(TopologyScanner.scan("catalog", new CatalogService()));
    TelemetryEvent e = sink.events().get(0);
    assertThat(e.eventType()).isEqualTo("DECLARE");
    assertThat(e.topology().channels()).hasSize(3);
    assertThat(e.resource()).containsEntry("host.name", "h");
    assertThat(sink.events()).hasSize(1);
  }

  @Test
  void nomadEnvironmentBecomesResourceAttributes() {
    Map<String, String> env = Map.of(
        "NOMAD_JOB_NAME", "inventory", "NOMAD_GROUP_NAME", "workers", "NOMAD_TASK_NAME", "app",
        "NOMAD_ALLOC_ID", "5b1c-alloc", "NOMAD_ALLOC_INDEX", "2", "NOMAD_DC", "nj1", "NOMAD_REGION", "us-east",
        "NOMAD_NAMESPACE", "shop");
    Map<String, String> r = Resource.detect(env, 4242, "host-7");
    assertThat(r).containsEntry("nomad.job.name", "inventory").containsEntry("nomad.group.name", "workers")
        .containsEntry("nomad.task.name", "app").containsEntry("nomad.alloc.id", "5b1c-alloc")
        .containsEntry("nomad.alloc.index", "2").containsEntry("nomad.datacenter", "nj1")
        .containsEntry("nomad.region", "us-east").containsEntry("nomad.namespace", "shop")
        .containsEntry("service.instance.id", "5b1c-alloc").containsEntry("host.name", "host-7")
        .containsEntry("process.pid", "4242");
  }

  @Test
  void kubernetesDownwardApiVariablesBecomeResourceAttributes() {
    Map<String, String> env = Map.of("POD_NAME", "inventory-6f9c", "POD_NAMESPACE", "shop", "NODE_NAME", "node-3",
        "POD_UID", "uid-1", "KUBERNETES_SERVICE_HOST", "10.0.0.1");
    Map<String, String> r = Resource.detect(env, 1, "inventory-6f9c");
    assertThat(r).containsEntry("k8s.pod.name", "inventory-6f9c").containsEntry("k8s.namespace.name", "shop")
        .containsEntry("k8s.node.name", "node-3").containsEntry("k8s.pod.uid", "uid-1")
        .containsEntry("service.instance.id", "uid-1");
    // a pod with no downward-API variables is still named, after its hostname
    assertThat(Resource.detect(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), 1, "pod-x"))
        .containsEntry("k8s.pod.name", "pod-x");
  }

  @Test
  void otelResourceAttributesAreHonoured() {
    Map<String, String> r = Resource.detect(Map.of("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod,team=a%20b"),
        1, "h");
    assertThat(r).containsEntry("deployment.environment", "prod").containsEntry("team", "a b");
  }

  @Test
  void realDetectionNeverThrowsAndFindsThisProcess() {
    assertThat(Resource.detect()).containsEntry("process.pid", Long.toString(ProcessHandle.current().pid()));
  }
}
