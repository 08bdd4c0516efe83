/**
 * The projection of the telemetry log into an embedded DuckDB store, and the compiler from query trees to
 * parameterized SQL. See weft-server/RATIONALE.md, "Store".
 */
package dev.weft.server.store;
