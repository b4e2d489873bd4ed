/**
 * Checks a transaction's shape before anything is applied (so a bad op can't
 * leave half a branch written) and evaluates its compares as etcd does: an
 * absent key has version, createRevision and modRevision 0.
 */
import { badRequestError } from "./errors.ts";
import type { Compare, KeyValue, TxnOp, TxnRequest } from "./store.ts";

const targets = new Set(["version", "modRevision", "createRevision"]);
const compareOps = new Set(["=", "!=", "<", ">"]);

/** Throws `BadMessage` when the request could not be applied as a whole. */
export function validateTxn(request: TxnRequest): void {
  if (request === null || typeof request !== "object" || !Array.isArray(request.compare) || !Array.isArray(request.success)) {
    throw badRequestError("txn needs compare and success arrays");
  }
  if (request.failure !== undefined && !Array.isArray(request.failure)) throw badRequestError("txn failure must be an array");
  for (const c of request.compare) {
    if (typeof c?.key !== "string" || !targets.has(c.target) || !compareOps.has(c.op) || typeof c.value !== "number") {
      throw badRequestError(`bad compare ${JSON.stringify(c)}`);
    }
  }
  for (const op of request.success) checkOp(op);
  for (const op of request.failure ?? []) checkOp(op);
}

function checkOp(op: TxnOp): void {
  if (typeof op?.key !== "string" || op.key === "") throw badRequestError(`txn op needs a non-empty key: ${JSON.stringify(op)}`);
  if (op.type === "put") {
    if (op.value === undefined) throw badRequestError(`put of ${op.key} has no value`);
  } else if (op.type !== "delete" && op.type !== "get") {
    throw badRequestError(`unknown txn op type ${JSON.stringify((op as { type?: unknown }).type)}`);
  }
}

/** Whether compare `c` holds for the key's current kv (undefined when absent). */
export function holds(c: Compare, kv: KeyValue | undefined): boolean {
  const actual = kv === undefined ? 0 : kv[c.target];
  switch (c.op) {
    case "=":
      return actual === c.value;
    case "!=":
      return actual !== c.value;
    case "<":
      return actual < c.value;
    case ">":
      return actual > c.value;
  }
}
