import { api, download } from './http';

/** One weekly report (`GET /reports`): the district's previous week as an .xlsx. */
export interface WeeklyReport {
  districtId: string;
  districtName: string;
  /** the Monday the week starts (YYYY-MM-DD) */
  week: string;
  file: string;
  bytes: number;
  createdAt: string;
  url: string;
}

export const reportsApi = {
  list: () => api.get<{ items: WeeklyReport[] }>('/reports'),
  /** saved as `<district>-<week>-周报.xlsx`, the name a person looks for in their downloads */
  download: (r: WeeklyReport, name: string) => download(`/reports/${encodeURIComponent(r.districtId)}/${r.file}`, name),
};
