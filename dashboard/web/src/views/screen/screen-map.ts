/**
 * The schematic map of the big screen: no tiles and no coordinates (the registry has none), the district's grids as
 * equal cells, grouped by their district node, laid out in rows that fill the map's box. A cell's colour says how
 * many alarms are active there; its label gives devices and alarms.
 */
export interface MapGrid {
  id: string;
  name: string;
  parentId: string | null;
  devices: number;
  online: number;
  activeAlarms: number;
}

export interface MapCell extends MapGrid {
  x: number;
  y: number;
  w: number;
  h: number;
}

const GAP = 16;

/** Cells for `grids` in a box of `width` × `height`: grouped by district node, then by id, in as square a grid as fits. */
export function layoutGrids(grids: readonly MapGrid[], width: number, height: number): MapCell[] {
  const sorted = [...grids].sort((a, b) => (a.parentId ?? '').localeCompare(b.parentId ?? '') || a.id.localeCompare(b.id));
  const n = sorted.length;
  if (!n) return [];
  const cols = Math.max(1, Math.ceil(Math.sqrt((n * width) / height)));
  const rows = Math.ceil(n / cols);
  const w = (width - GAP * (cols + 1)) / cols;
  const h = (height - GAP * (rows + 1)) / rows;
  return sorted.map((g, i) => ({ ...g, x: GAP + (i % cols) * (w + GAP), y: GAP + Math.floor(i / cols) * (h + GAP), w, h }));
}

/** Green when calm, amber with one or two active alarms, red with more. */
export const cellColour = (active: number) => (active === 0 ? '#1f6f4a' : active <= 2 ? '#a86b12' : '#a8272b');
