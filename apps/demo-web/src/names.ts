const FIRST = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Radia', 'Leslie', 'Frances', 'Ken'];
const SECOND = ['Fox', 'Owl', 'Lynx', 'Heron', 'Otter', 'Wren', 'Moth', 'Seal', 'Crow', 'Hare'];

/**
 * This tab's display name: `preferred` when given, else the one picked earlier in this tab
 * (kept in `sessionStorage` across reloads), else a new one like "Ada Owl".
 */
export function tabName(preferred: string | undefined, storage: Storage | undefined): string {
  if (preferred !== undefined) return preferred;
  const kept = storage?.getItem('symmetric.name');
  if (kept !== null && kept !== undefined && kept !== '') return kept;
  const pick = (list: readonly string[]) => list[Math.floor(Math.random() * list.length)]!;
  const name = `${pick(FIRST)} ${pick(SECOND)}`;
  storage?.setItem('symmetric.name', name);
  return name;
}
