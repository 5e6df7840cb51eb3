import { defineStore } from 'pinia';
import { shallowReactive } from 'vue';
import { api } from '@/api/http';
import type { District, Page } from '@/api/types';

export type ListName = 'districts' | 'units' | 'companies' | 'kitchens';
export interface Named {
  id: string;
  name: string;
  parentId?: string | null;
}
const PATH: Record<ListName, string> = { districts: '/districts', units: '/units', companies: '/maintenance-companies', kitchens: '/kitchens' };

/** The lists registry forms choose from (district tree, units, companies, kitchens), read once and after a change. */
export const useRegistryOptions = defineStore('registry-options', () => {
  const lists = shallowReactive<Partial<Record<ListName, Named[]>>>({});
  const loading = new Map<ListName, Promise<Named[]>>();

  async function read(name: ListName): Promise<Named[]> {
    const out: Named[] = [];
    let cursor: string | null = null;
    do {
      const a: Page<Named> | District[] = await api.get<Page<Named> | District[]>(PATH[name], { limit: 1000, cursor });
      if (Array.isArray(a)) return a;
      out.push(...a.items);
      cursor = a.nextCursor;
    } while (cursor);
    return out;
  }

  function need(name: ListName): Promise<Named[]> {
    let p = loading.get(name);
    if (!p) {
      p = read(name).then((l) => (lists[name] = l));
      p.catch(() => loading.delete(name));
      loading.set(name, p);
    }
    return p;
  }

  /** After a write to a list, the next form reads it again. */
  function invalidate(name: ListName) {
    loading.delete(name);
    delete lists[name];
  }

  return { lists, need, invalidate };
});
