// SQL fragments shared by the repositories.
import { sql, type SQL } from 'drizzle-orm';

/**
 * The tsquery of search tokens: every token a prefix (`'cardiolog':*`), all required.
 * Tokens come from searchTokens() (letters and digits only); quotes and backslashes are
 * escaped all the same, and the text is bound as a parameter, never spliced into SQL.
 */
export function prefixQuery(tokens: readonly string[]): SQL {
  const text = tokens.map((t) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}':*`).join(' & ');
  return sql`${text}::tsquery`;
}

/** The search words of an offering: its service's words, then its provider's name words. */
export function offeringSearchText(serviceWords: SQL, providerWords: SQL): SQL {
  return sql`concat_ws(' ', nullif(${serviceWords}, ''), nullif(${providerWords}, ''))`;
}

/** A JS array as one array parameter (drizzle would otherwise spread it into a list). */
export const arrayParam = (values: readonly unknown[]): SQL => sql`${sql.param(values)}`;

export const and = (parts: SQL[]): SQL => (parts.length === 0 ? sql`true` : sql.join(parts, sql` and `));
