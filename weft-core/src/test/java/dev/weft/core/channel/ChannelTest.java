package dev.weft.core.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.core.Limits;
import org.junit.jupiter.api.Test;

class ChannelTest {
  @Test
  void idJoinsMediumAndName() {
    assertThat(Channel.pubSub("kafka", "sku-updates", "urn:shop:SkuUpdated:v1").id()).isEqualTo("kafka:sku-updates");
    assertThat(Channel.reqRep("http", "POST:/skus", "urn:a:Req:v1", "urn:a:Rep:v1").isRequestReply()).isTrue();
  }

  @Test
  void badPartsAreRefusedWithTheFieldName() {
    assertThatThrownBy(() -> Channel.pubSub("Kafka!", "t", "urn:x:Y:v1")).hasMessageStartingWith("medium");
    assertThatThrownBy(() -> Channel.pubSub("kafka", "my topic", "urn:x:Y:v1")).hasMessageStartingWith("channel name");
  }

  @Test
  void sanitizedNamesAreAlwaysLegal() {
    assertThat(Channel.sanitizeName("order-42")).isEqualTo("order-42");
    assertThat(Channel.sanitizeName("a b,c;d=e\"f\\g\u00e9\n")).isEqualTo("a_b_c_d_e_f_g__");
    assertThat(Channel.sanitizeName("")).isEqualTo("_");
    assertThat(Channel.sanitizeName(null)).isEqualTo("_");
    assertThat(Channel.sanitizeName("x".repeat(500))).hasSize(200);
    for (String s : new String[] {"", " ", "\u0000", "a,b", "x".repeat(300), "😀"}) {
      assertThat(Limits.isToken(Channel.sanitizeName(s), 200)).as(s).isTrue();
    }
  }
}
