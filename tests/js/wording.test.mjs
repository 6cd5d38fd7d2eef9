// The phone's pure wording rules against the server's, on cases made by tests/js/test_wording_js.py:
// the handling the checklist's failures suggest (static/field/handling.js = inspect_app/domain/handling_rules.py),
// and stored texts with table ids read with the tables' names (metrology.js withTableNames = with_table_names).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import * as handling from "../../static/field/handling.js";
import * as m from "../../static/field/metrology.js";

const cases = JSON.parse(readFileSync(process.env.WORDING_CASES, "utf8"));

test("the suggested handling is the server's in every case", () => {
  assert.ok(cases.handling.length > 50);
  for (const { failures, expected, basis } of cases.handling) {
    const suggestion = handling.suggestedHandling(failures);
    assert.deepStrictEqual(suggestion, expected, JSON.stringify(failures));
    assert.equal(handling.suggestionBasis(suggestion), basis);
  }
});

test("a failed item is indicative as on the server: scope referral, or the Sở's without the Sở in the team", () => {
  const items = [
    { code: "A", fail_handling: "fix_request", decision_scope: "commune" },
    { code: "B", fail_handling: "fix_request", decision_scope: "province" },
    { code: "C", fail_handling: "referral", decision_scope: "referral" },
    { code: "D", fail_handling: "reminder", decision_scope: "commune" },
  ];
  const findings = { A: { answer: "fail" }, B: { answer: "fail" }, C: { answer: "fail" }, D: { answer: "pass" } };
  assert.deepStrictEqual(handling.failuresOf(items, findings, false), [
    { handling: "fix_request", indicative: false },
    { handling: "fix_request", indicative: true },
    { handling: "referral", indicative: true },
  ]);
  assert.deepStrictEqual(handling.suggestedHandling(handling.failuresOf(items, findings, false)).codes, ["fix_request", "referral"]);
  assert.deepStrictEqual(handling.suggestedHandling(handling.failuresOf(items, findings, true)), { codes: ["fix_request", "referral"], violations: 2, referred: 1 });
  assert.deepStrictEqual(handling.suggestedHandling([]), { codes: ["pass"], violations: 0, referred: 0 });
  assert.equal(handling.suggestionBasis({ violations: 0, referred: 0 }), "không có nội dung không đạt");
  assert.equal(handling.suggestionBasis({ violations: 2, referred: 1 }), "2 vi phạm; 1 kết quả sơ bộ hoặc thuộc cơ quan khác, chuyển cơ quan có thẩm quyền");
});

test("stored texts with table ids read with the tables' names, as on the server", () => {
  assert.ok(cases.names.length > 3);
  for (const { text, expected } of cases.names) {
    assert.equal(m.withTableNames(cases.tables, text), expected);
  }
});
