// How numbers and shapes read in the panels: Keras's "(None, 26, 26, 16)" and
// thousands separators, so counts match the chapter's tables.

export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** A shape without the batch axis, written with it, as Keras prints it. */
export function formatShape(shape: readonly (number | null)[] | null, withBatch = true): string {
  if (!shape) return '?';
  const dims = (withBatch ? [null, ...shape] : shape).map((d) => (d === null ? 'None' : d));
  return `(${dims.join(', ')})`;
}
