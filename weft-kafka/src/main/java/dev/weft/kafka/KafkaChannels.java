package dev.weft.kafka;

import dev.weft.core.channel.Channel;

/** Channels on the Kafka medium: one topic, one message type. */
public final class KafkaChannels {
  /** The medium name in channel ids: {@code kafka:TOPIC}. */
  public static final String MEDIUM = "kafka";

  private KafkaChannels() {}

  /** A pub/sub channel for {@code topic} carrying messages of type {@code schema} ({@code payload_schema_uri}). */
  public static Channel topic(String topic, String schema) {
    return Channel.pubSub(MEDIUM, topic, schema);
  }

  /** The channel id written in SEND and RECEIVE events for a topic. */
  public static String channelId(String topic) {
    return MEDIUM + ":" + topic;
  }
}
