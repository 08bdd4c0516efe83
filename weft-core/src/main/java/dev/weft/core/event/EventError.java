package dev.weft.core.event;

/**
 * Why an event was refused: which event of a batch, which field, and what was expected.
 *
 * @param index position of the event in its batch (0 for a single event)
 * @param field the JSON path of the offending field, e.g. {@code message.parent_ids[2]}, or {@code ""} for the whole
 *     event
 * @param message what was wrong and what is expected
 */
public record EventError(int index, String field, String message) {
  @Override
  public String toString() {
    return "event " + index + (field.isEmpty() ? "" : ", field " + field) + ": " + message;
  }
}
