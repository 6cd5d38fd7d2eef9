// Which handling (hình thức xử lý) the checklist's failures suggest on the finish screen: the same rule as the
// server's inspect_app/domain/handling_rules.py. Pure (no screen, no storage), so Node tests it (tests/js).
//
// Only a failure the team may conclude on is a violation and suggests its item's own handling. A "sơ bộ" failure
// (the Sở's to conclude, no one from the Sở in the team) and one that belongs to another body (handled by a
// referral, or scope "referral") suggest a referral to the competent body. Nothing failed suggests "Đạt".

export const HANDLING_ORDER = ["pass", "reminder", "fix_request", "violation_record", "referral"];

/** Whether an item's result is only indicative for this team (the server's domain.scope.is_indicative). */
export function isIndicativeItem(item, provinceInTeam) {
  return item.decision_scope === "referral" || (item.decision_scope === "province" && !provinceInTeam);
}

/** failures: [{handling, indicative}] → {codes (in HANDLING_ORDER), violations, referred}. */
export function suggestedHandling(failures) {
  const codes = new Set();
  let violations = 0;
  let referred = 0;
  for (const { handling, indicative } of failures) {
    if (!HANDLING_ORDER.includes(handling) || handling === "pass") throw new Error(`unknown handling of a failed item: ${handling}`);
    if (indicative || handling === "referral") {
      referred += 1;
      codes.add("referral");
    } else {
      violations += 1;
      codes.add(handling);
    }
  }
  if (!codes.size) codes.add("pass");
  return { codes: HANDLING_ORDER.filter((code) => codes.has(code)), violations, referred };
}

/** The failed items of an inspection on the phone, as the rule reads them. */
export function failuresOf(items, findings, provinceInTeam) {
  return items
    .filter((item) => (findings[item.code] || {}).answer === "fail")
    .map((item) => ({ handling: item.fail_handling, indicative: isIndicativeItem(item, provinceInTeam) }));
}

/** "2 vi phạm; 1 kết quả sơ bộ hoặc thuộc cơ quan khác" — what the suggestion comes from. */
export function suggestionBasis({ violations, referred }) {
  if (!violations && !referred) return "không có nội dung không đạt";
  return [
    violations ? `${violations} vi phạm` : null,
    referred ? `${referred} kết quả sơ bộ hoặc thuộc cơ quan khác, chuyển cơ quan có thẩm quyền` : null,
  ]
    .filter(Boolean)
    .join("; ");
}
