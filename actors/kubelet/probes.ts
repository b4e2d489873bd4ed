/**
 * The kubelet's prober for one container instance: startup, liveness and
 * readiness probes, each on its own schedule (initialDelaySeconds after
 * the container started, then every periodSeconds), with success and
 * failure thresholds. Liveness and readiness wait for startup to pass.
 * Every failed probe is an `Unhealthy` event; enough failed liveness or
 * startup probes ask for the container to be restarted.
 */
import type { Container, Probe } from "../api/types/index.ts";
import type { ProbeKind, ProbeResult } from "./cri/types.ts";

/** Runs one probe against the runtime. */
export type ProbeFn = (kind: ProbeKind, probe: Probe) => Promise<ProbeResult>;

interface Schedule {
  probe: Probe;
  nextAt: number;
  successes: number;
  failures: number;
}

/** What a round of probing decided. */
export interface ProbeRound {
  /** Restart the container: it failed this probe kind too often. */
  kill?: "liveness" | "startup";
  /** When the next probe is due (epoch ms), or Infinity. */
  nextAt: number;
  /** Failed probes this round, as `<Kind> probe failed: <output>` event messages. */
  failures: string[];
}

const TITLE: Record<ProbeKind, string> = { startup: "Startup", liveness: "Liveness", readiness: "Readiness" };

/** Probe state of one running container instance. */
export class ContainerProber {
  readonly containerId: string;
  /** Startup probe passed (or there is none). */
  started: boolean;
  /** Readiness as the probes say it (true once started when there is no readiness probe). */
  ready: boolean;
  readonly #kinds = new Map<ProbeKind, Schedule>();

  constructor(containerId: string, container: Container, startedAt: number) {
    this.containerId = containerId;
    const add = (kind: ProbeKind, probe: Probe | undefined) => {
      if (probe) this.#kinds.set(kind, { probe, nextAt: startedAt + (probe.initialDelaySeconds ?? 0) * 1000, successes: 0, failures: 0 });
    };
    add("startup", container.startupProbe);
    add("liveness", container.livenessProbe);
    add("readiness", container.readinessProbe);
    this.started = !this.#kinds.has("startup");
    this.ready = this.started && !this.#kinds.has("readiness");
  }

  /** Runs the probes that are due at `now`. */
  async run(now: number, probe: ProbeFn): Promise<ProbeRound> {
    const round: ProbeRound = { nextAt: Infinity, failures: [] };
    const due = (kind: ProbeKind) => {
      const s = this.#kinds.get(kind);
      return s && s.nextAt <= now ? s : undefined;
    };
    const check = async (kind: ProbeKind, s: Schedule): Promise<boolean> => {
      const period = Math.max(1, s.probe.periodSeconds ?? 10) * 1000;
      while (s.nextAt <= now) s.nextAt += period;
      const r = await probe(kind, s.probe);
      if (r.result === "Success") {
        s.successes++;
        s.failures = 0;
        return true;
      }
      s.failures++;
      s.successes = 0;
      round.failures.push(`${TITLE[kind]} probe failed: ${r.message}`);
      return false;
    };
    if (!this.started) {
      const s = due("startup");
      if (s) {
        if (await check("startup", s)) this.started = true;
        else if (s.failures >= (s.probe.failureThreshold ?? 3)) round.kill = "startup";
      }
      if (!this.started) {
        round.nextAt = this.#kinds.get("startup")!.nextAt;
        return round;
      }
      if (!this.#kinds.has("readiness")) this.ready = true;
    }
    const live = due("liveness");
    if (live && !(await check("liveness", live)) && live.failures >= (live.probe.failureThreshold ?? 3)) {
      round.kill = "liveness";
      this.ready = false;
      return round;
    }
    const ready = due("readiness");
    if (ready) {
      if (await check("readiness", ready)) {
        if (ready.successes >= (ready.probe.successThreshold ?? 1)) this.ready = true;
      } else if (ready.failures >= (ready.probe.failureThreshold ?? 3) || !this.ready) this.ready = false;
    }
    for (const kind of ["liveness", "readiness"] as const) {
      const s = this.#kinds.get(kind);
      if (s) round.nextAt = Math.min(round.nextAt, s.nextAt);
    }
    return round;
  }
}
