/**
 * NodePort allocation over a port range (kube-apiserver's
 * --service-node-port-range, 30000-32767 by default).
 */
import { ActorError } from "../runtime/errors.ts";
import { CniCodes } from "./codes.ts";
import { RangeAllocator } from "./range-allocator.ts";

/** An inclusive range of TCP/UDP ports. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

const PORT = /^[1-9][0-9]{0,4}$/;

/** Parses "30000-32767" or a single "30000"; throws `InvalidPortRange` unless 1 ≤ min ≤ max ≤ 65535. */
export function parsePortRange(text: string): PortRange {
  const bad = (why: string) => new ActorError(CniCodes.InvalidPortRange, `invalid port range ${JSON.stringify(text)}: ${why}`);
  if (typeof text !== "string") throw bad("not a string");
  const parts = text.split("-");
  if (parts.length > 2) throw bad("expected min-max, like 30000-32767");
  const [min, max] = parts.map((part) => {
    if (!PORT.test(part) || Number(part) > 65535) throw bad(`${JSON.stringify(part)} is not a port in 1..65535`);
    return Number(part);
  });
  const range = { min, max: max ?? min };
  if (range.min > range.max) throw bad(`${range.min} is above ${range.max}`);
  return range;
}

/** Formats a range as "min-max". */
export function formatPortRange(range: PortRange): string {
  return `${range.min}-${range.max}`;
}

/** Allocates ports inside a range; errors name the range. */
export class PortAllocator {
  /** The range ports come from. */
  readonly range: PortRange;
  #core: RangeAllocator;

  /** Takes "min-max" text or a range; default 30000-32767, Kubernetes' NodePort range. */
  constructor(range: string | PortRange = "30000-32767") {
    this.range = parsePortRange(typeof range === "string" ? range : formatPortRange(range));
    this.#core = new RangeAllocator(this.range.max - this.range.min + 1, {
      exhausted: CniCodes.PortExhausted,
      taken: CniCodes.PortAlreadyAllocated,
      outOfRange: CniCodes.PortOutOfRange,
      noun: "ports",
      range: formatPortRange(this.range),
    });
  }

  /** How many ports the range holds. */
  get size(): number {
    return this.#core.size;
  }

  /** How many ports are allocated. */
  get used(): number {
    return this.#core.used;
  }

  /** How many ports remain. */
  get free(): number {
    return this.#core.free;
  }

  /** Hands out the next free port; throws `PortExhausted`. */
  allocate(): number {
    return this.range.min + this.#core.allocate();
  }

  /** Takes exactly `port`; throws `PortOutOfRange` or `PortAlreadyAllocated`. */
  allocateSpecific(port: number): void {
    this.#core.allocateSpecific(port - this.range.min, String(port));
  }

  /** Frees `port`; returns whether it was allocated (outside the range: false). */
  release(port: number): boolean {
    return this.#core.release(port - this.range.min);
  }

  /** True when `port` is allocated. */
  has(port: number): boolean {
    return this.#core.has(port - this.range.min);
  }

  /** The allocated ports, ascending. */
  allocated(): number[] {
    return Array.from(this.#core, (i) => this.range.min + i);
  }
}
