import type { FastifyInstance } from 'fastify';
import { authGuard } from '../auth/guard.js';
import { authRoutes } from '../auth/routes.js';
import { liveRoutes } from '../live/route.js';
import { alarmActionRoutes } from './alarms/actions.js';
import { alarmDetailRoutes } from './alarms/detail.js';
import { alarmListRoutes } from './alarms/list.js';
import { alarmPhotoRoutes } from './alarms/photos.js';
import { alarmStatsRoutes } from './alarms/stats.js';
import { hazardEvidenceRoutes } from './hazards/evidence.js';
import { hazardListRoutes } from './hazards/list.js';
import { reportRoutes } from './reports.js';
import { screenRoutes } from './screen.js';
import { calendarRoutes } from './calendar.js';
import { drawRoutes } from './kitchens/draws.js';
import { viewingRoutes } from './kitchens/viewings.js';
import { cameraMediaRoutes } from './kitchens/camera-media.js';
import { recordingRoutes } from './kitchens/recordings.js';
import { spotCheckRoutes } from './kitchens/spot-checks.js';
import { rectificationRoutes } from './kitchens/rectifications.js';
import { publicDrawRoutes } from './kitchens/public-draws.js';
import { deviceFileRoutes } from './devices/file.js';
import { deviceHistoryRoutes } from './devices/history.js';
import { deviceListRoutes } from './devices/list.js';
import { deviceRecordRoutes } from './devices/records.js';
import { deviceRelatedRoutes } from './devices/related.js';
import { cameraRoutes } from './registry/cameras.js';
import { companyRoutes } from './registry/companies.js';
import { deviceAdminRoutes } from './registry/devices.js';
import { districtRoutes } from './registry/districts.js';
import { importRoutes } from './registry/import.js';
import { kitchenRoutes } from './registry/kitchens.js';
import { unitRoutes } from './registry/units.js';
import { userRoutes } from './registry/users.js';
import { apiNotFound } from '../http/errors.js';
import type { ApiContext } from './context.js';
import { swaggerUiForAdmins } from './docs.js';

/**
 * The JSON API, registered with prefix /api: the auth guard on every request, JSON 404s for unknown routes,
 * the Swagger UI for admins at /api/docs and the versioned routes under /api/v1.
 */
export async function apiPlugin(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  apiNotFound(app);
  authGuard(app, ctx.sessions);
  await swaggerUiForAdmins(app);
  await app.register(
    async (v1) => {
      authRoutes(v1, ctx);
      deviceListRoutes(v1, ctx);
      deviceFileRoutes(v1, ctx);
      deviceHistoryRoutes(v1, ctx);
      deviceRelatedRoutes(v1, ctx);
      deviceRecordRoutes(v1, ctx);
      liveRoutes(v1, ctx);
      districtRoutes(v1, ctx);
      unitRoutes(v1, ctx);
      deviceAdminRoutes(v1, ctx);
      companyRoutes(v1, ctx);
      kitchenRoutes(v1, ctx);
      cameraRoutes(v1, ctx);
      userRoutes(v1, ctx);
      alarmListRoutes(v1, ctx);
      alarmDetailRoutes(v1, ctx);
      alarmActionRoutes(v1, ctx);
      alarmStatsRoutes(v1, ctx);
      calendarRoutes(v1, ctx);
      await v1.register(async (photos) => alarmPhotoRoutes(photos, ctx));
      hazardListRoutes(v1, ctx);
      hazardEvidenceRoutes(v1, ctx);
      reportRoutes(v1, ctx);
      screenRoutes(v1, ctx);
      drawRoutes(v1, ctx);
      viewingRoutes(v1, ctx);
      cameraMediaRoutes(v1, ctx);
      recordingRoutes(v1, ctx);
      spotCheckRoutes(v1, ctx);
      rectificationRoutes(v1, ctx);
      publicDrawRoutes(v1, ctx);
      // its own context: the .xlsx body parser applies to the import routes only
      await v1.register(async (imports) => importRoutes(imports, ctx));
      v1.get('/openapi.json', { config: { auth: 'session' } }, async () => app.swagger());
    },
    { prefix: '/v1' },
  );
}
