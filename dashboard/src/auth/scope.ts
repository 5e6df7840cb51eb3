import type { Registry } from '@tianwang/core/registry';
import type { SessionUser } from './sessions.js';

/**
 * What a caller may see (docs/dashboard.md "Who signs in and what each sees"):
 *   admin        everything
 *   inspector    every unit, device and kitchen whose district is the user's district node or under it
 *   unit         the user's unit: its devices, alarms and the kitchens it runs
 *   maintenance  the elevators the user's company maintains (and, to name them, their units)
 * An inspector without a district, or a unit or maintenance user without its unit or company, sees nothing.
 * `key` names the scope: callers with the same key see the same rows (the live fan-out groups clients by it).
 */
export type Scope =
  | { kind: 'all'; key: 'all' }
  | { kind: 'districts'; key: string; districtIds: string[]; districts: ReadonlySet<string> }
  | { kind: 'unit'; key: string; unitId: string }
  | { kind: 'company'; key: string; companyId: string }
  | { kind: 'none'; key: 'none' };

/** The fields of a device the in-memory scope check needs (a board row has them all). */
export interface ScopedDevice {
  kind: string;
  unitId: string;
  districtId: string;
  maintenanceCompanyId: string | null;
}

export function deviceInScope(scope: Scope, d: ScopedDevice): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'districts':
      return scope.districts.has(d.districtId);
    case 'unit':
      return d.unitId === scope.unitId;
    case 'company':
      return d.kind === 'elevator' && d.maintenanceCompanyId === scope.companyId;
    case 'none':
      return false;
  }
}

const TREE_TTL_MS = 30_000;

/**
 * Computes a user's scope. An inspector's district subtree comes from the registry's recursive walk
 * (districts.subtree), cached per district node for 30 s: districts change rarely, and scope is needed on
 * every request.
 */
export class ScopeResolver {
  private readonly trees = new Map<string, { ids: string[]; at: number }>();

  constructor(
    private readonly registry: Registry,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(user: SessionUser): Promise<Scope> {
    switch (user.role) {
      case 'admin':
        return { kind: 'all', key: 'all' };
      case 'inspector': {
        if (!user.districtId) return { kind: 'none', key: 'none' };
        const ids = await this.subtree(user.districtId);
        return ids.length ? { kind: 'districts', key: `d:${user.districtId}`, districtIds: ids, districts: new Set(ids) } : { kind: 'none', key: 'none' };
      }
      case 'unit':
        return user.unitId ? { kind: 'unit', key: `u:${user.unitId}`, unitId: user.unitId } : { kind: 'none', key: 'none' };
      case 'maintenance':
        return user.maintenanceCompanyId ? { kind: 'company', key: `m:${user.maintenanceCompanyId}`, companyId: user.maintenanceCompanyId } : { kind: 'none', key: 'none' };
      default:
        return { kind: 'none', key: 'none' };
    }
  }

  /** A district node and the nodes under it (cached like the scopes'). */
  async subtree(rootId: string): Promise<string[]> {
    const hit = this.trees.get(rootId);
    if (hit && this.now() - hit.at < TREE_TTL_MS) return hit.ids;
    const ids = (await this.registry.districts.subtree(rootId)).map((d) => d.id);
    // ids come from query strings too: the cache stays bounded whatever callers ask for
    if (this.trees.size >= 1000) this.trees.clear();
    this.trees.set(rootId, { ids, at: this.now() });
    return ids;
  }

  /** Forget cached trees (after a district changes). */
  invalidate(): void {
    this.trees.clear();
  }
}
