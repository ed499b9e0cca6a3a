/** The field names of a @colyseus/schema class, from its decorators' metadata, inherited ones included (a game's state extends GameStateBase(): its metadata's prototype holds those). */
export function schemaFieldList(ctor: unknown): Array<{ name: string; type: unknown }> {
  const metadata = ((ctor as Record<symbol, unknown>)[Symbol.metadata] ?? {}) as Record<string, unknown>;
  const fields: Array<{ name: string; type: unknown }> = [];
  for (const key in metadata) {
    const field = metadata[key] as { name?: unknown; type?: unknown } | null | undefined;
    if (typeof field === "object" && field !== null && typeof field.name === "string") fields.push({ name: field.name, type: field.type });
  }
  return fields;
}
