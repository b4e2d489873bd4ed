/** A worker exposing one trivial function over comlink, to measure comlink's calls/s. */
import * as Comlink from "comlink";
import { platform, type PortLike } from "../../runtime/platform/index.ts";

platform.onParentMessage((data) => {
  const port = (data as { control: PortLike }).control;
  Comlink.expose({ echo: (x: number) => x }, port as unknown as Comlink.Endpoint);
});
