/** Writing answers: JSON bodies, Status bodies with their HTTP codes, plain text. */
import type { ServerResponse } from "node:http";
import type { Status } from "../../api/status.ts";

/** The Content-Type of Table answers. */
export function tableContentType(version: string): string {
  return `application/json;as=Table;v=${version};g=meta.k8s.io`;
}

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = "application/json"): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": contentType, "Cache-Control": "no-cache, private", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** Sends a Status with its own code (or ends a started stream with it as an ERROR event). */
export function sendStatus(res: ServerResponse, status: Status): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end(JSON.stringify({ type: "ERROR", object: status }) + "\n");
    return;
  }
  const headers: Record<string, string> = {};
  if (status.code === 401) headers["WWW-Authenticate"] = 'Bearer realm="actorkube"';
  if (status.details?.retryAfterSeconds) headers["Retry-After"] = String(status.details.retryAfterSeconds);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  sendJson(res, status.code || 500, status);
}

/** Sends plain text (health checks). */
export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
