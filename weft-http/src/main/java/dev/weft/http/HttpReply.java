package dev.weft.http;

import dev.weft.core.Envelope;
import dev.weft.core.Header;
import dev.weft.core.Operation;
import dev.weft.core.Stage;
import dev.weft.core.carrier.Extraction;
import java.net.http.HttpResponse;

/**
 * A reply received by {@link WeftHttpClient}: the HTTP response and the reply message.
 *
 * @param response the raw response, body included
 * @param envelope the reply message: the Weft header the server wrote (or, from a server that wrote none, a header
 *     the client derived from its request, see {@code RATIONALE.md}) and the decoded payload; the payload is null
 *     unless the status is 2xx, since an error body is not of the reply type
 * @param extraction what the response headers held, including any header problem
 * @param operation the client operation of this call, already ended
 */
public record HttpReply<B>(HttpResponse<byte[]> response, Envelope<Stage.In, B> envelope, Extraction extraction,
    Operation operation) {

  public int statusCode() {
    return response.statusCode();
  }

  /** True for a 2xx status. */
  public boolean isSuccess() {
    return response.statusCode() / 100 == 2;
  }

  /** The reply message's header. */
  public Header header() {
    return envelope.header();
  }

  /** The decoded payload of a 2xx reply, or null. */
  public B payload() {
    return envelope.payload();
  }

  /** The raw body, for error replies. */
  public byte[] body() {
    return response.body();
  }
}
