/**
 * An in-process apiserver actor for auth and admission tests, and asks that
 * come back as either the answer or the Status error.
 */
import { ActorSystem } from "../../../../runtime/system.ts";
import type { ActorFactory } from "../../../../runtime/actor.ts";
import { apiserverActor, type ApiserverConfig } from "../../../../actors/apiserver/actor.ts";
import { statusOf, type Status } from "../../../../actors/api/status.ts";
import type { KubeObject } from "../../../../actors/api/meta.ts";

/** What a failed ask carried. */
export interface Failure {
  code: string;
  message: string;
  /** The Status, for API errors (absent for actor errors such as BadMessage). */
  status: Status;
}

/** Resolves with the reply, or with the failure (never rejects). */
export async function attempt<T = KubeObject>(p: Promise<T>): Promise<T | Failure> {
  try {
    return await p;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { code: e.code ?? "", message: e.message ?? "", status: statusOf(err)! };
  }
}

/** The failure of a promise that must fail. */
export async function failure(p: Promise<unknown>): Promise<Failure> {
  const r = await attempt(p);
  if (r && typeof r === "object" && "status" in r && "code" in r && typeof (r as Failure).code === "string" && (r as Failure).code !== "") return r as Failure;
  throw new Error(`expected a failure, got ${JSON.stringify(r).slice(0, 300)}`);
}

/** An apiserver actor in a fresh in-process system. */
export async function apiserver(config: ApiserverConfig = {}) {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("apiserver", apiserverActor as unknown as ActorFactory<ApiserverConfig>, config);
  const ask = <T = KubeObject>(msg: Record<string, unknown>) => sys.ask<T>("apiserver", msg as { type: string });
  /** Asks as a user (groups optional); without `user` the ask is the apiserver's own loopback. */
  const as = (user: string | undefined, groups?: string[]) => <T = KubeObject>(msg: Record<string, unknown>) =>
    ask<T>({ ...msg, ...(user ? { user } : {}), ...(groups ? { groups } : {}) });
  return { sys, ask, as, stop: () => sys.stopAll() };
}

/** `rbac.authorization.k8s.io` for messages. */
export const RBAC = "rbac.authorization.k8s.io";
