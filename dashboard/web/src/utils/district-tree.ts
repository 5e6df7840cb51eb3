import type { District } from '@/api/types';

export interface DistrictNode {
  value: string;
  label: string;
  children: DistrictNode[];
}

/** The district tree in scope as el-tree-select wants it (a grid under its district; a node whose parent is out of scope is a root). */
export function districtTree(districts: readonly District[]): DistrictNode[] {
  const nodes = new Map<string, DistrictNode>(districts.map((d) => [d.id, { value: d.id, label: d.name, children: [] }]));
  const roots: DistrictNode[] = [];
  for (const d of districts) {
    const n = nodes.get(d.id) as DistrictNode;
    const parent = d.parentId ? nodes.get(d.parentId) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  return roots;
}
