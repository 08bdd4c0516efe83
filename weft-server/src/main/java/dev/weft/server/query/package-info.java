/**
 * Weft's query language: {@code op=UpdateInventory status=failed merchant_id=4c5d6e7}.
 *
 * <p>{@link dev.weft.server.query.Query#parse} turns text into a typed tree ({@link dev.weft.server.query.Expr},
 * {@link dev.weft.server.query.Field}, {@link dev.weft.server.query.Value}) or a
 * {@link dev.weft.server.query.QueryException} naming the column, what was expected and what was found.
 * {@link dev.weft.server.query.Query#format} writes the canonical text back. The grammar and every key are specified
 * in {@code docs/query-language.md}.
 */
package dev.weft.server.query;
