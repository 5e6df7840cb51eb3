import type { CameraRow, KitchenRow } from '@/api/kitchens';
import type { District } from '@/api/types';

export interface TreeNode {
  /** `d:<id>`, `k:<id>`, `c:<id>`: one key space for the three kinds */
  key: string;
  label: string;
  kind: 'district' | 'kitchen' | 'camera';
  id: string;
  children?: TreeNode[];
}

/**
 * The wall's tree: districts and grids as the registry nests them, each grid's kitchens (units), each kitchen's
 * enabled cameras. Kitchens of a node outside the tree the user sees (none, normally) hang at the top. Sorted by
 * name so the same scope always reads the same.
 */
export function kitchenTree(districts: District[], kitchens: KitchenRow[], cameras: CameraRow[]): TreeNode[] {
  const byName = (a: TreeNode, b: TreeNode) => a.label.localeCompare(b.label, 'zh-CN');
  const camerasOf = new Map<string, TreeNode[]>();
  for (const c of cameras) {
    if (!c.enabled) continue;
    const list = camerasOf.get(c.kitchenId) ?? [];
    list.push({ key: `c:${c.id}`, label: c.name || c.id, kind: 'camera', id: c.id });
    camerasOf.set(c.kitchenId, list);
  }
  const nodes = new Map<string, TreeNode>(districts.map((d) => [d.id, { key: `d:${d.id}`, label: d.name, kind: 'district', id: d.id, children: [] }]));
  const roots: TreeNode[] = [];
  for (const d of districts) {
    const parent = d.parentId ? nodes.get(d.parentId) : undefined;
    (parent ? parent.children! : roots).push(nodes.get(d.id)!);
  }
  for (const k of kitchens) {
    const node: TreeNode = { key: `k:${k.id}`, label: k.name, kind: 'kitchen', id: k.id, children: (camerasOf.get(k.id) ?? []).sort(byName) };
    const parent = nodes.get(k.districtId);
    (parent ? parent.children! : roots).push(node);
  }
  const sort = (list: TreeNode[]) => {
    list.sort(byName);
    for (const n of list) if (n.children) sort(n.children);
  };
  sort(roots);
  return roots;
}

/** The cameras under a node, in tree order (a kitchen's or a whole grid's, for rotation). */
export function camerasUnder(node: TreeNode): string[] {
  if (node.kind === 'camera') return [node.id];
  return (node.children ?? []).flatMap(camerasUnder);
}
