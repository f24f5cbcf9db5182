// The order of deployments everywhere in the service: by date, then id (the same instant ordered by id).
// Keyset reads (cursors, the stretches of the DORA rollup, neighbours) compare a row's (date, id) with a
// position in that order; relativeTo() writes that comparison once.
import type { Expression, ExpressionBuilder, ExpressionWrapper, SqlBool } from 'kysely';

/** A position in the order of deployments: a date as the database holds it, and an id. */
export interface KeysetPosition {
  date: unknown;
  id: number;
}

/** The columns a keyset compares, as references (`eb.ref('v.date')`), so that any alias can be used. */
export interface KeysetColumns {
  date: Expression<unknown>;
  id: Expression<unknown>;
}

/**
 * `(date, id) <comparison> position`, spelled `date < d OR (date = d AND id < i)` (`<=` compares the id
 * only: `date < d OR (date = d AND id <= i)`). The planners seek no index by that OR: the caller writes the
 * bare range (`date <= d`, `date >= d`) beside it, which they seek by, and the OR then only settles the rows
 * of the instant `d` itself.
 */
export function relativeTo<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  columns: KeysetColumns,
  comparison: '<' | '<=' | '>' | '>=',
  position: KeysetPosition,
): ExpressionWrapper<DB, TB, SqlBool> {
  const strictly = comparison === '<' || comparison === '<=' ? '<' : '>';
  return eb.or([
    eb(columns.date, strictly, position.date),
    eb.and([eb(columns.date, '=', position.date), eb(columns.id, comparison, position.id)]),
  ]);
}
