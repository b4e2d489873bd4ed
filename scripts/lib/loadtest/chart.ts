/** The load test's chart: pods created, bound and running over time, as a standalone SVG. */
import type { Sample } from "./pods.ts";

const W = 800;
const H = 420;
const M = { left: 70, right: 150, top: 40, bottom: 50 };

/** A round step for an axis covering `max` in about `n` ticks. */
function step(max: number, n: number): number {
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  return [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** The SVG text of the chart. */
export function podsChart(series: readonly Sample[], title: string): string {
  const tMax = Math.max(1, ...series.map((s) => s.t)) / 1000;
  const yMax = Math.max(1, ...series.map((s) => s.created));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (t: number) => M.left + (t / 1000 / tMax) * pw;
  const y = (v: number) => M.top + ph - (v / yMax) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  const ys = step(yMax, 5);
  for (let v = 0; v <= yMax; v += ys) {
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toLocaleString("en-US")}</text>`);
  }
  const xs = step(tMax, 8);
  for (let t = 0; t <= tMax + 1e-9; t += xs) {
    const px = M.left + (t / tMax) * pw;
    out.push(`<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${M.top + ph}" y2="${M.top + ph + 5}" stroke="#333"/>`);
    out.push(`<text x="${px.toFixed(1)}" y="${M.top + ph + 18}" text-anchor="middle">${Number(t.toFixed(2))}</text>`);
  }
  out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle">seconds since the first create</text>`);
  out.push(`<text x="16" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 16 ${M.top + ph / 2})">pods</text>`);
  const lines: [keyof Omit<Sample, "t">, string, string][] = [
    ["created", "#9e9e9e", "created"],
    ["bound", "#1f77b4", "scheduled (bound)"],
    ["running", "#2ca02c", "Running"],
  ];
  lines.forEach(([key, color, label], i) => {
    const pts = series.map((s) => `${x(s.t).toFixed(1)},${y(s[key]).toFixed(1)}`).join(" ");
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`);
    const ly = M.top + 10 + i * 20;
    out.push(`<line x1="${W - M.right + 15}" x2="${W - M.right + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${W - M.right + 46}" y="${ly + 4}">${label}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
