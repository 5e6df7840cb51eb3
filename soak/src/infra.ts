import { createInfluxDatabase, startInflux, startPostgres, startRedis, type InfluxServer, type PostgresServer, type RedisServer } from '@tianwang/core/testing';
import { startFakeAliyun, type FakeAliyun } from '@tianwang/alerts/testing';

/**
 * What the platform stands on: Redis with AOF (every acknowledged write survives its restart), influxd 1.6,
 * PostgreSQL (Debian), and a local endpoint that speaks Aliyun's SendSms protocol. Each is a real server on a
 * free port, restartable in place by the fault schedule.
 */
export interface Infra {
  redis: RedisServer;
  influx: InfluxServer;
  pg: PostgresServer;
  sms: FakeAliyun;
  influxDb: string;
  stop(keep: boolean): Promise<void>;
}

export async function startInfra(): Promise<Infra> {
  const [redis, influx, pg, sms] = await Promise.all([startRedis({ appendonly: true }), startInflux(), startPostgres(), startFakeAliyun()]);
  const influxDb = 'tianwang';
  await createInfluxDatabase(influx.url, influxDb);
  return {
    redis,
    influx,
    pg,
    sms,
    influxDb,
    async stop(keep) {
      await Promise.allSettled([redis.stop({ keepDir: keep }), influx.stop({ keepDir: keep }), pg.stop({ keepDir: keep }), sms.close()]);
    },
  };
}
