import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  canonicalQuantity,
  compareQuantities,
  formatCPU,
  formatQuantity,
  isQuantity,
  parseCPU,
  parseQuantity,
  quantityFormatOf,
  QUANTITY_FORMAT_ERROR,
} from "../../../actors/api/quantity.ts";

const parsed: Array<[string | number, number]> = [
  ["0", 0],
  ["1", 1],
  ["100m", 0.1],
  ["1.5", 1.5],
  ["2500m", 2.5],
  ["128Mi", 128 * 1024 * 1024],
  ["1Gi", 1024 ** 3],
  ["1.5Gi", 1.5 * 1024 ** 3],
  ["1Ki", 1024],
  ["1k", 1000],
  ["1M", 1e6],
  ["1G", 1e9],
  ["1T", 1e12],
  ["1E", 1e18],
  ["1e3", 1000],
  ["1E3", 1000],
  ["5e-3", 0.005],
  ["10n", 1e-8],
  ["3u", 3e-6],
  ["-1", -1],
  ["+2", 2],
  [".5", 0.5],
  ["5.", 5],
  [2, 2],
  [0.25, 0.25],
];

test("parseQuantity reads every suffix into base units", () => {
  for (const [q, want] of parsed) assert.is(parseQuantity(q), want, `parseQuantity(${JSON.stringify(q)})`);
});

const cpus: Array<[string | number, number]> = [
  ["100m", 100],
  ["1", 1000],
  ["0.5", 500],
  ["0.1", 100],
  ["2.25", 2250],
  ["1500m", 1500],
  ["100.5m", 101], // rounded up as MilliValue does
  ["1n", 1],
  ["1e-3", 1],
  [0.29, 290],
  [3, 3000],
];

test("parseCPU returns millicores, rounding up", () => {
  for (const [q, want] of cpus) assert.is(parseCPU(q), want, `parseCPU(${JSON.stringify(q)})`);
});

const malformed = ["", "abc", "1.2.3", "1Kb", "1e", "Mi", ".", " 1", "1 ", "1mm", "e3", "--1"];

test("malformed quantities throw with Kubernetes' message and code", () => {
  for (const q of malformed) {
    assert.not.ok(isQuantity(q), q);
    try {
      parseQuantity(q);
      assert.unreachable(`parseQuantity(${JSON.stringify(q)}) should throw`);
    } catch (err) {
      assert.is((err as Error).message, QUANTITY_FORMAT_ERROR, q);
      assert.is((err as { code?: string }).code, "InvalidQuantity", q);
    }
  }
  assert.ok(isQuantity("1Gi"));
  assert.ok(isQuantity(4));
  assert.not.ok(isQuantity(Number.NaN));
  assert.not.ok(isQuantity(null));
});

const formatted: Array<[number, "BinarySI" | "DecimalSI" | "DecimalExponent" | undefined, string]> = [
  [0.1, undefined, "100m"],
  [1, undefined, "1"],
  [1.5, undefined, "1500m"],
  [1000, undefined, "1k"],
  [1500, undefined, "1500"],
  [2e9, undefined, "2G"],
  [0, undefined, "0"],
  [-0.5, undefined, "-500m"],
  [1e-10, undefined, "1n"], // rounded up to the smallest unit
  [134217728, "BinarySI", "128Mi"],
  [1024 ** 3, "BinarySI", "1Gi"],
  [1.5 * 1024 ** 3, "BinarySI", "1536Mi"],
  [1536, "BinarySI", "1536"],
  [512, "BinarySI", "512"],
  [0.5, "BinarySI", "500m"],
  [1000, "DecimalExponent", "1e3"],
  [0.1, "DecimalExponent", "100e-3"],
  [12, "DecimalExponent", "12"],
];

test("formatQuantity prints the shortest integer-mantissa form", () => {
  for (const [v, f, want] of formatted) assert.is(formatQuantity(v, f), want, `formatQuantity(${v}, ${f})`);
});

test("formatCPU prints millicores", () => {
  assert.is(formatCPU(100), "100m");
  assert.is(formatCPU(2000), "2");
  assert.is(formatCPU(1500), "1500m");
  assert.is(formatCPU(0), "0");
});

const canonical: Array<[string | number, string]> = [
  ["1000m", "1"],
  ["0.5", "500m"],
  ["1024Mi", "1Gi"],
  ["1.5Gi", "1536Mi"],
  ["0.5Ki", "512"],
  ["1e3", "1e3"],
  ["1000", "1k"],
  ["128Mi", "128Mi"],
  ["100m", "100m"],
  [2, "2"],
  ["01", "1"],
  ["-1Mi", "-1Mi"],
  ["-512", "-512"],
];

test("canonicalQuantity keeps the input's format and normalizes it", () => {
  for (const [q, want] of canonical) assert.is(canonicalQuantity(q), want, `canonicalQuantity(${JSON.stringify(q)})`);
  assert.is(quantityFormatOf("1Gi"), "BinarySI");
  assert.is(quantityFormatOf("1G"), "DecimalSI");
  assert.is(quantityFormatOf("1e9"), "DecimalExponent");
});

test("compareQuantities compares exactly across formats", () => {
  assert.is(compareQuantities("1", "1000m"), 0);
  assert.is(compareQuantities("1Gi", "1G"), 1);
  assert.is(compareQuantities("100m", "0.2"), -1);
  assert.is(compareQuantities("1Ki", 1024), 0);
});

test("parse and format round-trip", () => {
  for (const q of ["100m", "1", "128Mi", "3G", "1536Mi", "250m", "7Ki"]) {
    const format = quantityFormatOf(q);
    assert.is(formatQuantity(parseQuantity(q), format), q, q);
  }
});

test.run();
