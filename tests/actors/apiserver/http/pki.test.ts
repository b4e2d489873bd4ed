import { test } from "uvu";
import * as assert from "uvu/assert";
import { X509Certificate } from "node:crypto";
import { request } from "node:https";
import { makeServingPki, pkiServes } from "../../../../actors/apiserver/http/pki.ts";
import { listen } from "../../../../actors/apiserver/http/listen.ts";

test("the serving certificate chains to the CA, names the hosts and is a server certificate", () => {
  const pki = makeServingPki(["10.1.2.3", "api.example"]);
  const ca = new X509Certificate(pki.caCert);
  const leaf = new X509Certificate(pki.cert);
  assert.ok(ca.ca, "the CA is a CA");
  assert.not.ok(leaf.ca);
  assert.ok(leaf.verify(ca.publicKey));
  assert.ok(leaf.checkIssued(ca));
  for (const ip of ["127.0.0.1", "10.1.2.3"]) assert.is(leaf.checkIP(ip), ip);
  assert.is(leaf.checkHost("localhost"), "localhost");
  assert.is(leaf.checkHost("api.example"), "api.example");
  assert.is(leaf.checkIP("10.9.9.9"), undefined);
  assert.match(leaf.keyUsage?.join(",") ?? "", /1\.3\.6\.1\.5\.5\.7\.3\.1/, "extended key usage serverAuth");
  const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 360 && days < 367, `valid for a year, got ${days}`);
});

test("pkiServes: a new host or an expired certificate needs a new one; an existing CA is kept", () => {
  const pki = makeServingPki(["127.0.0.1"]);
  assert.ok(pkiServes(pki, ["127.0.0.1"]));
  assert.not.ok(pkiServes(pki, ["10.0.0.7"]));
  assert.not.ok(pkiServes(pki, ["127.0.0.1"], Date.now() + 400 * 86_400_000));
  assert.not.ok(pkiServes({ ...pki, key: makeServingPki([]).key }, []), "a key that is not the certificate's");
  const renewed = makeServingPki(["10.0.0.7"], Date.now(), { cert: pki.caCert, key: pki.caKey });
  assert.is(renewed.caCert, pki.caCert);
  assert.ok(pkiServes(renewed, ["10.0.0.7"]));
});

test("a TLS client trusting only the CA connects to a server using the certificate", async () => {
  const pki = makeServingPki([]);
  const server = await listen((_req, res) => res.end("ok"), "127.0.0.1", 0, { cert: pki.cert, key: pki.key });
  try {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: server.port, path: "/", ca: pki.caCert }, (res) => {
        let t = "";
        res.on("data", (d) => (t += d));
        res.on("end", () => resolve(t));
      });
      req.on("error", reject);
      req.end();
    });
    assert.is(body, "ok");
  } finally {
    await server.close();
  }
});

test.run();
