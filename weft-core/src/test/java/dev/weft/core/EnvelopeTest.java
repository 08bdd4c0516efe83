package dev.weft.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.weft.core.channel.BinaryCodecs;
import dev.weft.core.channel.BinaryMessage;
import dev.weft.core.channel.Channel;
import dev.weft.core.channel.PayloadCodec;
import dev.weft.core.channel.PubClient;
import dev.weft.core.carrier.Propagation;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeTest {
  @TempDir Path out;

  @Test
  void mapKeepsTheHeaderAndMovesToInProcess() {
    Envelope<Stage.In, String> in = Envelope.in(Header.origin("p", "urn:x:A:v1"), "42");
    Envelope<Stage.InProcess, Integer> mapped = in.map(Integer::parseInt);
    assertThat(mapped.header()).isSameAs(in.header());
    assertThat(mapped.payload()).isEqualTo(42);
  }

  @Test
  void resultMapAppliesToOkAndPassesErrorsThrough() {
    Header h = Header.origin("p", "urn:x:A:v1");
    Envelope<Stage.In, Result<String, String>> ok = Envelope.in(h, Result.ok("7"));
    Envelope<Stage.In, Result<String, String>> bad = Envelope.in(h, Result.err("unparseable"));
    assertThat(Envelope.resultMap(ok, s -> Result.<Integer, String>ok(Integer.parseInt(s))).payload())
        .isEqualTo(Result.ok(7));
    assertThat(Envelope.resultMap(bad, s -> Result.<Integer, String>ok(Integer.parseInt(s))).payload())
        .isEqualTo(Result.err("unparseable"));
  }

  @Test
  void prepareOriginAndPrepareOutFollowTheSeed() {
    Envelope<Stage.Out, String> origin =
        Envelope.prepareOrigin("merchant-api", "urn:shop:SkuUpdated:v1", "sku", Map.of("merchant_id", "m"));
    assertThat(origin.header().isOrigin()).isTrue();
    assertThat(origin.header().ptags()).containsEntry("merchant_id", "m");

    Envelope<Stage.Out, String> next = origin.prepareOut("catalog", "urn:shop:CatalogChanged:v1");
    assertThat(next.payload()).isEqualTo("sku");
    assertThat(next.header().parentIds()).containsExactly(origin.header().messageId());
    assertThat(next.header().producerId()).isEqualTo("catalog");

    Envelope<Stage.Out, String> fanIn = Envelope.prepareOut("indexer", "urn:shop:Indexed:v1", "both",
        List.of(origin, next));
    assertThat(fanIn.header().parentIds()).containsExactly(origin.header().messageId(), next.header().messageId());
  }

  @Test
  void aPublisherAcceptsOutAndRefusesInAtCompileTime() throws Exception {
    String ok = "import dev.weft.core.*; import dev.weft.core.channel.*;\n"
        + "class Ok { Object f(PubClient<BinaryMessage, String> p, Envelope<Stage.Out, String> e) throws Exception {"
        + " return p.encode(e); } }";
    String bad = "import dev.weft.core.*; import dev.weft.core.channel.*;\n"
        + "class Bad { Object f(PubClient<BinaryMessage, String> p, Envelope<Stage.In, String> e) throws Exception {"
        + " return p.encode(e); } }";
    assertThat(compile("Ok", ok)).isEmpty();
    List<String> errors = compile("Bad", bad);
    assertThat(errors).isNotEmpty();
    assertThat(String.join("\n", errors)).contains("Stage.In").contains("Stage.Out");

    // and the accepted path works at run time
    PubClient<BinaryMessage, String> pub = new PubClient<>(Channel.pubSub("memory", "t", "urn:x:A:v1"),
        BinaryCodecs.encoder(PayloadCodec.utf8(), Propagation.defaults()));
    BinaryMessage m = pub.encode(Envelope.prepareOrigin("p", "urn:x:A:v1", "hi"));
    assertThat(m.headers()).containsKeys("weft", "traceparent");
  }

  private List<String> compile(String className, String source) throws Exception {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    String classes = new File(Envelope.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + className + ".java"),
        JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    Files.createDirectories(out);
    Boolean success = compiler.getTask(null, null, diagnostics,
        List.of("-classpath", classes, "-d", out.toString()), null, List.of(file)).call();
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() == Diagnostic.Kind.ERROR) errors.add(d.getMessage(Locale.ROOT));
    }
    assertThat(success).isEqualTo(errors.isEmpty());
    return errors;
  }
}
