import { Supervisor } from "/work/main/runtime/supervisor.ts";
const sup = new Supervisor();
try { await sup.start({ name: "broken", actors: [{ address: "x/1", module: "tests/runtime/fixtures/test-actors.ts", export: "brokenActor" }] }); }
catch (e) { console.log("caught", e, (e as any).code, (e as any).constructor?.name); }
await sup.shutdown();
