/**
 * A worker with no actor runtime, for measuring the platform's raw limits:
 * plain postMessage between two workers, single and batched, and ping-pong.
 */
import { platform, type PortLike } from "../../runtime/platform/index.ts";

interface Init {
  control: PortLike;
  peer: PortLike;
}

const now = () => performance.timeOrigin + performance.now();

platform.onParentMessage((data) => {
  const { control, peer } = data as Init;
  let expected = 0;
  let received = 0;
  let echo = false;
  platform.listen(peer, (m) => {
    if (echo) {
      peer.postMessage(m);
      return;
    }
    received += Array.isArray(m) ? m.length : 1;
    if (received === expected) control.postMessage({ done: now() });
  });
  platform.listen(control, (cmd) => {
    const c = cmd as { op: string; n: number; batch?: number };
    if (c.op === "expect") {
      expected = c.n;
      received = 0;
      echo = false;
      control.postMessage({ ready: true });
    } else if (c.op === "echo") {
      echo = true;
      control.postMessage({ ready: true });
    } else if (c.op === "send") {
      const start = now();
      sendAll(peer, c.n, c.batch ?? 1, () => control.postMessage({ started: start, sent: now() }));
    } else if (c.op === "ping") {
      pingPong(peer, c.n, (samples) => control.postMessage({ samples }));
    }
  });
});

// Sends in slices so the receiver is not handed one giant queue at the end.
function sendAll(peer: PortLike, n: number, batch: number, done: () => void): void {
  let i = 0;
  const slice = () => {
    const stop = Math.min(n, i + 20_000);
    if (batch === 1) {
      for (; i < stop; i++) peer.postMessage({ type: "count", n: i });
    } else {
      while (i < stop) {
        const b: unknown[] = [];
        for (let k = 0; k < batch && i < n; k++, i++) b.push({ type: "count", n: i });
        peer.postMessage(b);
      }
    }
    if (i < n) platform.yieldToEventLoop(slice);
    else done();
  };
  slice();
}

function pingPong(peer: PortLike, n: number, done: (samples: number[]) => void): void {
  const samples: number[] = [];
  let t = 0;
  let count = 0;
  platform.listen(peer, () => {
    samples.push(now() - t);
    if (++count === n) done(samples);
    else {
      t = now();
      peer.postMessage({ type: "ping" });
    }
  });
  t = now();
  peer.postMessage({ type: "ping" });
}
