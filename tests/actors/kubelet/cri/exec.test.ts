import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCommand, type ExecView } from "../../../../actors/kubelet/cri/exec.ts";
import { expandKubeVars } from "../../../../actors/kubelet/cri/expand.ts";
import { NodeFiles, normalizePath } from "../../../../actors/kubelet/cri/files.ts";
import { SimulatedClock } from "../../../../runtime/clock.ts";
import { SimulatedRuntime } from "../../../../actors/kubelet/cri/simulated.ts";

test("NodeFiles: write, read, list, replace and remove trees", () => {
  const fs = new NodeFiles();
  fs.write("/var/lib/kubelet/pods/u1/volumes/a/x", "1");
  fs.write("/var/lib/kubelet/pods/u1/volumes/a/sub/y", "2");
  fs.mkdir("/var/lib/kubelet/pods/u1/volumes/empty");
  assert.is(fs.read("/var/lib/kubelet/pods/u1/volumes/a/./sub/../x"), "1");
  assert.equal(fs.list("/var/lib/kubelet/pods/u1/volumes"), ["a", "empty"]);
  assert.equal(fs.list("/var/lib/kubelet/pods/u1/volumes/a"), ["sub", "x"]);
  assert.is(fs.list("/nope"), undefined);
  fs.replaceDir("/var/lib/kubelet/pods/u1/volumes/a", { z: "3" });
  assert.equal(fs.list("/var/lib/kubelet/pods/u1/volumes/a"), ["z"]);
  fs.remove("/var/lib/kubelet/pods/u1");
  assert.is(fs.size, 0);
  assert.equal(fs.list("/var/lib/kubelet/pods"), []);
  assert.is(normalizePath("//a/b/../c/"), "/a/c");
});

test("$(VAR) expansion follows Kubernetes' rules", () => {
  const env = { A: "1", B: "two" };
  const cases: Array<[string, string]> = [
    ["$(A)", "1"], ["x$(A)y$(B)", "x1ytwo"], ["$(C)", "$(C)"], ["$$(A)", "$(A)"], ["$$", "$"], ["$A", "$A"], ["$(A", "$(A"], ["cost: 5$", "cost: 5$"],
  ];
  for (const [input, out] of cases) assert.is(expandKubeVars(input, env), out, input);
});

test("exec commands read the container's environment and files", () => {
  const files: Record<string, string> = { "/etc/app/conf": "a=1\n", "/etc/app/more": "b=2\n" };
  const view: ExecView = {
    env: { GREETING: "hi", NAME: "web" },
    hostname: "web-0",
    read: (p) => files[p],
    list: (p) => (p === "/etc/app" ? ["conf", "more"] : undefined),
  };
  const cases: Array<[string[], { stdout: string; exitCode: number; stderr?: RegExp }]> = [
    [["echo", "a", "b"], { stdout: "a b\n", exitCode: 0 }],
    [["printenv", "GREETING"], { stdout: "hi\n", exitCode: 0 }],
    [["printenv", "NOPE"], { stdout: "", exitCode: 1 }],
    [["env"], { stdout: "GREETING=hi\nNAME=web\n", exitCode: 0 }],
    [["cat", "/etc/app/conf", "/etc/app/more"], { stdout: "a=1\nb=2\n", exitCode: 0 }],
    [["cat", "/etc/missing"], { stdout: "", exitCode: 1, stderr: /cat: \/etc\/missing: No such file or directory/ }],
    [["cat", "/etc/app"], { stdout: "", exitCode: 1, stderr: /Is a directory/ }],
    [["ls", "/etc/app"], { stdout: "conf\nmore\n", exitCode: 0 }],
    [["ls", "/x"], { stdout: "", exitCode: 2, stderr: /cannot access '\/x'/ }],
    [["hostname"], { stdout: "web-0\n", exitCode: 0 }],
    [["sh", "-c", "echo $GREETING ${NAME}; echo '$GREETING'"], { stdout: "hi web\n$GREETING\n", exitCode: 0 }],
    [["sh", "-c", "false && echo no || echo yes"], { stdout: "yes\n", exitCode: 0 }],
    [["sh", "-c", "cat /etc/app/conf; exit 3; echo never"], { stdout: "a=1\n", exitCode: 3 }],
    [["/usr/bin/some-server", "--check"], { stdout: "", exitCode: 0 }],
  ];
  for (const [argv, want] of cases) {
    const r = runCommand(argv, view);
    assert.is(r.stdout, want.stdout, argv.join(" "));
    assert.is(r.exitCode, want.exitCode, argv.join(" "));
    if (want.stderr) assert.match(r.stderr, want.stderr, argv.join(" "));
  }
});

test("the runtime resolves mounts (longest first, subPath files), sandbox files, env in logs and host-network sandboxes", async () => {
  const clock = new SimulatedClock();
  const files = new NodeFiles();
  files.write("/var/lib/kubelet/pods/u/volumes/cfg/app.conf", "port=80\n");
  files.write("/var/lib/kubelet/pods/u/volumes/cfg/extra/x", "x\n");
  files.write("/var/lib/kubelet/pods/u/volumes/sec/token", "t");
  let adds = 0;
  const rt = new SimulatedRuntime({ clock, preloaded: ["busybox"], files, network: { add: async () => (adds++, { ip: "10.0.0.9" }), del: async () => {} } });
  const sb = await rt.RunPodSandbox({
    metadata: { name: "p", namespace: "default", uid: "u", attempt: 0 }, hostname: "p-host",
    annotations: { "actorkube.io/behavior.logger": 'log:"user=$(USER) home=$(HOME)"; run' },
    dnsConfig: { servers: ["10.96.0.10"], searches: ["default.svc.cluster.local"], options: ["ndots:5"] },
  });
  const id = await rt.CreateContainer(sb, {
    metadata: { name: "app", attempt: 0 }, image: "busybox", command: ["sh", "-c", "echo hello $USER '$USER'; sleep infinity"],
    envs: [{ key: "USER", value: "ann" }],
    mounts: [
      { containerPath: "/etc/app", hostPath: "/var/lib/kubelet/pods/u/volumes/cfg" },
      { containerPath: "/etc/app/extra", hostPath: "/var/lib/kubelet/pods/u/volumes/sec" },
      { containerPath: "/etc/port.conf", hostPath: "/var/lib/kubelet/pods/u/volumes/cfg/app.conf" },
    ],
  });
  await rt.StartContainer(id);
  assert.is(await rt.readFile(id, "/etc/app/app.conf"), "port=80\n");
  assert.is(await rt.readFile(id, "/etc/app/extra/token"), "t", "the deeper mount wins");
  assert.is(await rt.readFile(id, "/etc/app/extra/x"), undefined);
  assert.is(await rt.readFile(id, "/etc/port.conf"), "port=80\n", "a subPath file");
  assert.is(await rt.readFile(id, "/etc/resolv.conf"), "search default.svc.cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n");
  assert.is(await rt.readFile(id, "/etc/hostname"), "p-host\n");
  assert.equal((await rt.logs(id)).map((l) => l.text), ["hello ann $USER"]);
  const logger = await rt.CreateContainer(sb, { metadata: { name: "logger", attempt: 0 }, image: "busybox", envs: [{ key: "USER", value: "bob" }] });
  await rt.StartContainer(logger);
  assert.equal((await rt.logs(logger)).map((l) => l.text), ["user=bob home=$(HOME)"]);
  assert.is(adds, 1);
  await rt.RunPodSandbox({ metadata: { name: "h", namespace: "default", uid: "h", attempt: 0 }, hostNetwork: true });
  assert.is(adds, 1, "a host-network sandbox is not given to the CNI plugin");
});

test.run();
