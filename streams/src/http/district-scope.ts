/**
 * Districts form a tree (district → grid, possibly deeper); an inspector sees everything under their own
 * node. Kitchens hang on any node, usually a grid, so scope is a walk up from the kitchen's node, never an
 * id comparison. The walk is bounded, so a cycle in bad data cannot hang a request.
 */
const MAX_DEPTH = 32;

export function withinDistrict(parents: ReadonlyMap<string, string | null>, nodeId: string, rootId: string): boolean {
  let cur: string | null | undefined = nodeId;
  for (let depth = 0; cur != null && depth < MAX_DEPTH; depth++) {
    if (cur === rootId) return true;
    cur = parents.get(cur);
  }
  return false;
}
