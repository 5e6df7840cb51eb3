/** 轮巡: the cameras a wall of `tiles` shows at rotation step `index` (the list wraps; a short list repeats nothing). */
export function rotationPage(list: string[], tiles: number, index: number): (string | null)[] {
  if (!list.length) return Array.from({ length: tiles }, () => null);
  if (list.length <= tiles) return Array.from({ length: tiles }, (_, i) => list[i] ?? null);
  const start = (index * tiles) % list.length;
  return Array.from({ length: tiles }, (_, i) => list[(start + i) % list.length]!);
}
