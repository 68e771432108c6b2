import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../src/callers/caller.js';
import { LocalCallerRateLimiter } from '../../src/callers/caller-rate-limiter.js';
import { PermissionSet, permissionsFromClaim, ROUTE_PERMISSIONS } from '../../src/callers/permissions.js';
import { isPermission } from '../../src/config/caller-definitions.js';
import { AccessControl, requirePermission } from '../../src/http/access-control.js';
import { errorHandler } from '../../src/http/error-handler.js';
import { systemClock } from '../../src/time/clock.js';
import { memoryLogger } from '../support/test-config.js';

describe('permission names', () => {
  it('knows the fixed names and actions:run:<action>, nothing else', () => {
    for (const p of [
      'actions:run',
      'actions:run:create-incident',
      'events:write',
      'status:read',
      'audit:read',
      'maintenance:write',
      'console',
    ])
      expect(isPermission(p), p).toBe(true);
    for (const p of ['actions:write', 'actions:run:', 'actions:run:Bad_Name', 'status:write', 'admin', 'actions:run:../x'])
      expect(isPermission(p), p).toBe(false);
  });

  it('actions:run covers every action; actions:run:<action> only that one', () => {
    const all = new PermissionSet(['actions:run']);
    expect(all.allows('actions:run:get-trunk')).toBe(true);
    const one = new PermissionSet(['actions:run:get-trunk']);
    expect(one.allows('actions:run:get-trunk')).toBe(true);
    expect(one.allows('actions:run:create-incident')).toBe(false);
    expect(one.allows('actions:run')).toBe(false);
    expect(one.runsAnyAction()).toBe(true);
    expect(new PermissionSet(['status:read']).runsAnyAction()).toBe(false);
  });

  it('reads a JWT claim as a space-separated string or an array, keeping only trunkgate permissions', () => {
    expect(permissionsFromClaim('openid  status:read\tevents:write').list()).toEqual(['status:read', 'events:write']);
    expect(permissionsFromClaim(['status:read', 7, 'read:other']).list()).toEqual(['status:read']);
    expect(permissionsFromClaim(undefined).list()).toEqual([]);
    expect(permissionsFromClaim({ scope: 'status:read' }).list()).toEqual([]);
  });
});

describe('the route table', () => {
  it('names what the routes to come need', () => {
    expect(ROUTE_PERMISSIONS['GET /v1/maintenance']).toBe('status:read');
    expect(ROUTE_PERMISSIONS['POST /v1/maintenance']).toBe('maintenance:write');
    expect(ROUTE_PERMISSIONS['DELETE /v1/maintenance/{id}']).toBe('maintenance:write');
    expect(ROUTE_PERMISSIONS['GET /v1/audit']).toBe('audit:read');
  });

  it('guards a new route in one line each', async () => {
    const access = new AccessControl({ limiter: new LocalCallerRateLimiter(systemClock) });
    const app = express();
    const caller: Caller = { method: 'basic', name: 'noc', label: 'noc', permissions: new PermissionSet(['status:read', 'console']) };
    app.use((_req, res, next) => {
      res.locals.caller = caller;
      next();
    });
    app.get('/v1/maintenance', access.allow('GET /v1/maintenance'), (_req, res) => void res.json({ windows: [] }));
    app.post('/v1/maintenance', access.allow('POST /v1/maintenance'), (_req, res) => void res.json({}));
    app.get('/v1/audit', requirePermission('audit:read'), (_req, res) => void res.json({}));
    app.use(errorHandler(memoryLogger().logger));
    expect((await request(app).get('/v1/maintenance')).status).toBe(200);
    const write = await request(app).post('/v1/maintenance');
    expect(write.status).toBe(403);
    expect(write.body.error.message).toBe('The caller "noc" lacks the permission maintenance:write');
    expect((await request(app).get('/v1/audit')).body.error.details[0].permission).toBe('audit:read');
  });
});
