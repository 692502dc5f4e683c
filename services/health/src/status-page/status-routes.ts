import type { OpsRoute } from '@gatehouse/runtime';
import type { ClusterMonitor } from '../cluster/cluster-monitor';
import { statusJson } from './status-json';
import { statusPageHtml } from './status-page-html';

/** The ops-port routes of the status page: `/` (HTML) and `/status.json`. */
export function statusRoutes(monitor: ClusterMonitor, refreshMs: number): OpsRoute[] {
  const html = statusPageHtml(refreshMs);
  return [
    {
      path: '/',
      handle: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        response.end(html);
      },
    },
    {
      path: '/status.json',
      handle: (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        response.end(`${JSON.stringify(statusJson(monitor.snapshot()))}\n`);
      },
    },
  ];
}
