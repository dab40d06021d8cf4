import { Router, type RequestHandler } from 'express';
import type { Permission } from './auth/roles';

/** One staff route and what it needs; the role-matrix test walks every entry. */
export interface StaffRouteSpec {
  method: 'get' | 'post';
  path: string;
  permission: Permission;
  surface: 'html' | 'api';
}

/**
 * A router whose every route names its permission: a route cannot be added without a guard, and the
 * list of routes is there for the test that proves the guards.
 */
export class GuardedRouter {
  readonly router = Router();

  constructor(
    private readonly registry: StaffRouteSpec[],
    private readonly mountPath: string,
    private readonly surface: 'html' | 'api',
    private readonly guard: (permission: Permission) => RequestHandler,
  ) {}

  get(path: string, permission: Permission, ...handlers: RequestHandler[]): void {
    this.add('get', path, permission, handlers);
  }

  post(path: string, permission: Permission, ...handlers: RequestHandler[]): void {
    this.add('post', path, permission, handlers);
  }

  private add(method: 'get' | 'post', path: string, permission: Permission, handlers: RequestHandler[]): void {
    this.registry.push({ method, path: `${this.mountPath}${path}`, permission, surface: this.surface });
    this.router[method](path, this.guard(permission), ...handlers);
  }
}
