/** Actors the runtime benchmark drives: a sender and a sink in two workers. */
import type { ActorFactory } from "../../runtime/actor.ts";
import { platform } from "../../runtime/platform/index.ts";

const now = () => performance.timeOrigin + performance.now();

type SinkMsg = { type: "count"; n: number } | { type: "expect"; n: number; notify: string } | { type: "echo"; n: number };

/** Counts tells; tells `notify` when the expected number arrived. */
export const sinkActor: ActorFactory<unknown, SinkMsg> = (ctx) => {
  let expected = 0;
  let notify = "";
  let count = 0;
  return {
    handlers: {
      count: () => {
        if (++count === expected) ctx.tell(notify, { type: "done", at: now() } as never);
      },
      expect: (m) => {
        expected = m.n;
        notify = m.notify;
        count = 0;
      },
      echo: (m) => m.n,
    },
  };
};

type SenderMsg = { type: "run-tell"; to: string; n: number } | { type: "run-ask"; to: string; n: number; window: number } | { type: "run-rtt"; to: string; n: number };

/** Sends tells or pipelined asks to a sink and times them. */
export const senderActor: ActorFactory<unknown, SenderMsg> = (ctx) => ({
  handlers: {
    "run-tell": (m) =>
      new Promise<number>((resolve) => {
        const start = now();
        let i = 0;
        // Slices let each turn's batch leave before the next is built.
        const slice = () => {
          const stop = Math.min(m.n, i + 20_000);
          for (; i < stop; i++) ctx.tell(m.to, { type: "count", n: i } as never);
          if (i < m.n) platform.yieldToEventLoop(slice);
          else resolve(start);
        };
        slice();
      }),
    "run-ask": async (m) => {
      const start = now();
      let next = 0;
      const lane = async () => {
        while (next < m.n) {
          next++;
          await ctx.ask(m.to, { type: "echo", n: next } as never, { timeoutMs: 60_000 });
        }
      };
      await Promise.all(Array.from({ length: m.window }, lane));
      return now() - start;
    },
    "run-rtt": async (m) => {
      const samples: number[] = [];
      for (let i = 0; i < m.n; i++) {
        const t = now();
        await ctx.ask(m.to, { type: "echo", n: i } as never);
        samples.push(now() - t);
      }
      return samples;
    },
  },
});
