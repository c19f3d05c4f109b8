import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../contracts/common.js';
import { OverviewQuery, StatsOverview } from '../contracts/stats.js';
import { SECURED } from '../identity/auth.hooks.js';
import type { StatsService } from './stats.service.js';

const errors = errorResponses(400, 401, 403);

/** 运行统计 / operating statistics for the dashboard. Thin: one StatsService call. */
export function statsRoutes(deps: { stats: StatsService }) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/stats/overview',
      {
        schema: {
          tags: ['stats'],
          security: SECURED,
          summary:
            '运行概况：申请状态、审批用时、超期事项、资源与责任清单覆盖、数据访问量（数据局/系统管理员/审计员看全区域，部门看本单位） / operating overview',
          querystring: OverviewQuery,
          response: { 200: StatsOverview, ...errors },
        },
      },
      (req) => deps.stats.overview(req.actor, { days: req.query.days }),
    );
  };
}
