package dev.weft.core;

/** Restores the previous current operation when closed. Use with try-with-resources. Never throws. */
@FunctionalInterface
public interface Scope extends AutoCloseable {
  @Override
  void close();
}
