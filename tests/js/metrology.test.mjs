// The phone's rules (static/field/metrology.js) against the answers of the server's engine (inspect_app.tolerances).
//
// The cases and the engine's answers are made at test time by tests/js/engine_cases.py, so they follow the engine
// when a table or a rule changes. tests/js/test_metrology_js.py writes them to a file and runs
// `node --test tests/js/metrology.test.mjs` with METROLOGY_CASES naming it; run by hand without METROLOGY_CASES,
// this file asks the project's Python for them (PYTHON, else .venv/bin/python, from the repository root).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import * as m from "../../static/field/metrology.js";
import { KINDS, phone } from "./phone.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function loadCases() {
  if (process.env.METROLOGY_CASES) return JSON.parse(readFileSync(process.env.METROLOGY_CASES, "utf8"));
  const python = process.env.PYTHON || join(ROOT, ".venv", "bin", "python");
  const text = execFileSync(python, ["-m", "tests.js.engine_cases"], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 });
  return JSON.parse(text);
}

const { tables, ...kinds } = loadCases();

test("every kind of case is there", () => {
  assert.deepStrictEqual(Object.keys(kinds).sort(), [...KINDS].sort());
});

for (const [kind, cases] of Object.entries(kinds)) {
  test(`${kind}: metrology.js gives the engine's answer in every case`, () => {
    assert.ok(cases.length > 0, `no ${kind} cases`);
    const differ = [];
    for (const { args, expected } of cases) {
      const got = phone(m, tables, kind, args);
      try {
        assert.deepStrictEqual(got, expected);
      } catch {
        differ.push({ args, engine: expected, phone: got });
      }
    }
    if (differ.length) {
      assert.fail(`${differ.length} of ${cases.length} ${kind} differ; the first:\n${JSON.stringify(differ.slice(0, 3), null, 1)}`);
    }
  });
}
