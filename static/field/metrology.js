// The tolerance rules on the phone: exact decimals (a BigInt and a scale, never a float) and the same judgements as
// the server's engine (inspect_app/tolerances), read from the tables it serves at GET /api/v1/metrology/tables.
// No tolerance figure lives here: every limit comes from those tables. The phone's verdict is shown at once, offline;
// the server judges again when the record arrives, and its stored verdict is the one that counts.

// ---- exact decimals ---------------------------------------------------------------------------------------------

/** value = c / 10^s, with c a BigInt and s ≥ 0 decimals. */
export class Dec {
  constructor(c, s) {
    this.c = c;
    this.s = s;
  }
}

const P10 = (n) => 10n ** BigInt(n);
const NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;
export const ZERO = new Dec(0n, 0);

/** "5,15", "5.15", "2", 3 or a Dec → Dec. Throws on anything else (tables and the server only send such text). */
export function dec(value) {
  if (value instanceof Dec) return value;
  if (typeof value === "bigint") return new Dec(value, 0);
  if (typeof value === "number" && Number.isInteger(value)) return new Dec(BigInt(value), 0);
  const text = String(value).trim();
  if (!NUMBER.test(text)) throw new Error(`not a decimal: ${value}`);
  let body = text.replace(",", ".");
  let sign = 1n;
  if (body[0] === "-" || body[0] === "+") {
    if (body[0] === "-") sign = -1n;
    body = body.slice(1);
  }
  const [whole, frac = ""] = body.split(".");
  return new Dec(sign * BigInt((whole || "0") + frac), frac.length);
}

function align(a, b) {
  a = dec(a);
  b = dec(b);
  const s = Math.max(a.s, b.s);
  return [a.c * P10(s - a.s), b.c * P10(s - b.s), s];
}

export function add(a, b) {
  const [x, y, s] = align(a, b);
  return new Dec(x + y, s);
}

export function sub(a, b) {
  const [x, y, s] = align(a, b);
  return new Dec(x - y, s);
}

export function mul(a, b) {
  a = dec(a);
  b = dec(b);
  return new Dec(a.c * b.c, a.s + b.s);
}

export function cmp(a, b) {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export const neg = (a) => new Dec(-dec(a).c, dec(a).s);
export const abs = (a) => (dec(a).c < 0n ? neg(a) : dec(a));
export const sum = (values) => values.reduce((total, v) => add(total, v), ZERO);

/** a × 10^k, exactly (unit changes: kg → g is shift(x, 3)). */
export function shift(a, k) {
  a = dec(a);
  const s = a.s - k;
  return s >= 0 ? new Dec(a.c, s) : new Dec(a.c * P10(-s), 0);
}

/** Without trailing zeros: 0.100 → 0.1. */
export function trim(a) {
  let { c, s } = dec(a);
  while (s > 0 && c % 10n === 0n) {
    c /= 10n;
    s -= 1;
  }
  return new Dec(c, s);
}

/** a / b rounded half away from zero to `places` decimals (only for figures shown, never for a verdict). */
export function divRound(a, b, places) {
  a = dec(a);
  b = dec(b);
  let num = a.c * P10(b.s + places);
  let den = b.c * P10(a.s);
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const negative = num < 0n;
  if (negative) num = -num;
  let q = num / den;
  if ((num % den) * 2n >= den) q += 1n;
  return new Dec(negative ? -q : q, places);
}

/** Decimals as written: 5.150 → 3. */
export const places = (a) => dec(a).s;

function digits(t, separator) {
  const negative = t.c < 0n;
  let text = (negative ? -t.c : t.c).toString();
  if (t.s > 0) {
    text = text.padStart(t.s + 1, "0");
    text = `${text.slice(0, -t.s)}${separator}${text.slice(-t.s)}`;
  }
  return (negative ? "-" : "") + text;
}

/** The server's canonical text of a computed value: "0.15", "0.1", "5", "-0.05". */
export const plain = (a) => digits(trim(a), ".");

/** Vietnamese: decimal comma, at least `minPlaces` decimals (a digit is never rounded away), optional "+". */
export function vi(a, minPlaces = 0, { signed = false } = {}) {
  let t = trim(a);
  if (t.s < minPlaces) t = new Dec(t.c * P10(minPlaces - t.s), minPlaces);
  const text = digits(t, ",");
  return signed && t.c > 0n ? `+${text}` : text;
}

/**
 * What a person typed ("5,15", " 5.15 ") → {value, text} with text in the API's form ("5.15", as precise as typed),
 * or {problem} in Vietnamese. `label` names the field: "Số chỉ phải là số (ví dụ 5,15 hoặc 5.15)."
 */
export function readNumber(raw, label, { positive = true, required = true } = {}) {
  const text = String(raw ?? "").trim().replace(/\s+/g, "");
  if (!text) return required ? { problem: `Nhập ${label.toLowerCase()}.` } : { value: null, text: null };
  if (!NUMBER.test(text)) return { problem: `${label} phải là số (ví dụ 5,15 hoặc 5.15).` };
  const value = dec(text);
  if (value.c.toString().replace("-", "").length > 20 || value.s > 12) return { problem: `${label} có quá nhiều chữ số.` };
  if (positive && value.c <= 0n) return { problem: `${label} phải lớn hơn 0.` };
  if (!positive && value.c < 0n) return { problem: `${label} không được âm.` };
  return { value, text: digits(value, ".").replace(/^\+/, "") };
}

// ---- units and texts ----------------------------------------------------------------------------------------------

const MASS_EXP = { mg: -3, g: 0, kg: 3 };
export const isMass = (unit) => unit in MASS_EXP;
export const toGrams = (value, unit) => shift(value, MASS_EXP[unit]);
export const fromGrams = (grams, unit) => shift(grams, -MASS_EXP[unit]);

/** A mass in grams in its most natural unit, like the server: 0.25 → "250 mg", 5000 → "5 kg". */
export function massText(grams) {
  const g = dec(grams);
  if (cmp(abs(g), 1000) >= 0) return `${vi(shift(g, -3))} kg`;
  if (cmp(abs(g), 1) < 0 && g.c !== 0n) return `${vi(shift(g, 3))} mg`;
  return `${vi(g)} g`;
}

export const quantityText = (value, unit) => (isMass(unit) ? massText(toGrams(value, unit)) : `${vi(value)} ${unit}`);

export function dateVi(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

/** Input the rules cannot judge, with the Vietnamese reason (the server answers the same with a 422). */
export class Problem extends Error {}

/** Tables not on the phone yet: readings are still saved, and the server judges them. */
export class NoTables extends Error {}

function table(tables, id) {
  const found = tables && tables.tables && tables.tables[id];
  if (!found) throw new NoTables(id);
  return found;
}

const refOf = (t) => ({ id: t.id, version: t.version, provisional: t.provisional });

function bandContains(row, value, scale = 1) {
  const lower = mul(row.lower, scale);
  if (row.lower_inclusive ? cmp(value, lower) < 0 : cmp(value, lower) <= 0) return false;
  if (row.upper === null) return true;
  const upper = mul(row.upper, scale);
  return row.upper_inclusive ? cmp(value, upper) <= 0 : cmp(value, upper) < 0;
}

function bandText(row, symbol, unit = "") {
  const suffix = unit ? ` ${unit}` : "";
  const lower = `${vi(row.lower)}${suffix} ${row.lower_inclusive ? "≤" : "<"} ${symbol}`;
  if (row.upper === null) return lower;
  return `${lower} ${row.upper_inclusive ? "≤" : "<"} ${vi(row.upper)}${suffix}`;
}

/** How a person names a table ("Bảng 2, Điều 5 Thông tư 09/2017/TT-BKHCN"), from the tables the server serves. */
export function tableName(tables, id) {
  const found = tables && tables.tables && tables.tables[id];
  return (found && found.cited_as) || "bảng số liệu đang dùng";
}

/** `text` with every table id it mentions (and the version after it) replaced by the table's name, as the server's
 * with_table_names does: results stored before the tables had names carry "<id> <version>" as text. */
export function withTableNames(tables, text) {
  const ids = Object.keys((tables && tables.tables) || {}).sort((a, b) => b.length - a.length);
  if (!text || !ids.length) return text;
  const escaped = ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return String(text).replace(new RegExp(`\\b(${escaped.join("|")})\\b(?: \\d{4}\\.\\d+\\b)?`, "g"), (_, id) => tableName(tables, id));
}

function provisionalWarning(tables, refs) {
  const names = refs.filter((r) => r.provisional).map((r) => tableName(tables, r.id));
  return names.length ? [`Kết luận dựa trên bảng số liệu tạm thời, chưa đối chiếu văn bản chính thức: ${names.join("; ")}`] : [];
}

const outcomeOf = (ok, standardsValid) => (!standardsValid ? "inconclusive" : ok ? "pass" : "fail");

export const EXPIRED_STANDARD_RULE = "chuẩn đo lường đã hết hạn nên không đủ cơ sở kết luận";

// ---- reference weights: OIML R 111-1 ----------------------------------------------------------------------------

export function normalizeWeightClass(name) {
  return String(name || "").trim().replace(/[–—‑−]/g, "-").toUpperCase().replace(/ /g, "");
}

/** The weights placed together: total, conventional mass (with certificate corrections) and summed MPE. */
export function combineWeights(tables, standards) {
  const t = table(tables, "oiml_r111_weight_mpe");
  const warnings = [];
  let totalG = ZERO;
  let correctionMg = ZERO;
  let mpeMg = ZERO;
  for (const standard of standards) {
    const nominalG = toGrams(standard.nominal, standard.unit);
    const name = normalizeWeightClass(standard.accuracy_class);
    const row = t.rows.find((r) => cmp(r.nominal_g, nominalG) === 0);
    const mpe = row && row.mpe_mg[name];
    if (mpe === undefined || mpe === null) {
      throw new Problem(`Quả cân ${massText(nominalG)} cấp ${name} không có trong bảng OIML R 111-1.`);
    }
    if (standard.correction_mg !== null && standard.correction_mg !== undefined) {
      const correction = dec(standard.correction_mg);
      if (cmp(abs(correction), mpe) > 0) {
        warnings.push(
          `Quả cân ${massText(nominalG)} cấp ${name} có số hiệu chính ${vi(correction)} mg vượt giới hạn sai số cho phép ±${vi(mpe)} mg của cấp`
        );
      }
      correctionMg = add(correctionMg, correction);
    }
    totalG = add(totalG, nominalG);
    mpeMg = add(mpeMg, mpe);
  }
  return { totalG, correctionMg, conventionalG: add(totalG, shift(correctionMg, -3)), mpeMg, warnings, ref: refOf(t) };
}

// ---- scales: OIML R 76-1 ------------------------------------------------------------------------------------------

const SCALE_CLASSES = { 1: "I", 2: "II", 3: "III", 4: "IIII", I: "I", II: "II", III: "III", IIII: "IIII" };
export const normalizeScaleClass = (text) => SCALE_CLASSES[String(text || "").trim().toUpperCase()] || null;

function classRowForE(tables, name, eG) {
  return table(tables, "oiml_r76_accuracy_classes").rows.find(
    (r) => r.class === name && cmp(eG, r.e_min_g) >= 0 && (r.e_max_g === null || cmp(eG, r.e_max_g) <= 0)
  );
}

function eRangesText(tables, name) {
  return table(tables, "oiml_r76_accuracy_classes")
    .rows.filter((r) => r.class === name)
    .map((r) => (r.e_max_g === null ? `e ≥ ${vi(r.e_min_g)} g` : `${vi(r.e_min_g)} g ≤ e ≤ ${vi(r.e_max_g)} g`))
    .join(" hoặc ");
}

/** Problems of a scale's e and n = Max/e (R 76-1 Table 3), as the server words them; empty when fine. */
export function validateScale(tables, { max, e, accuracyClass, unit }) {
  const name = normalizeScaleClass(accuracyClass);
  const row = classRowForE(tables, name, toGrams(e, unit));
  if (!row) return [{ field: "e", text: `e = ${vi(e)} ${unit} không phù hợp với cấp chính xác ${name} (cần ${eRangesText(tables, name)}; OIML R 76-1 Bảng 3)` }];
  const problems = [];
  const n = `n = Max/e = ${vi(divRound(max, e, 6))}`;
  if (cmp(max, mul(row.n_min, e)) < 0) problems.push({ field: "max_capacity", text: `${n} nhỏ hơn số độ chia tối thiểu ${vi(row.n_min)} của cấp ${name} (OIML R 76-1 Bảng 3)` });
  if (row.n_max !== null && cmp(max, mul(row.n_max, e)) > 0) problems.push({ field: "max_capacity", text: `${n} lớn hơn số độ chia tối đa ${vi(row.n_max)} của cấp ${name} (OIML R 76-1 Bảng 3)` });
  return problems;
}

/** Table 6: the band of `load` (in the unit of e) and the permitted error, in service or on verification. */
export function scaleBand(tables, load, e, accuracyClass, inService) {
  const t = table(tables, "oiml_r76_mpe");
  const name = normalizeScaleClass(accuracyClass);
  const row = t.rows.filter((r) => r.class === name).find((r) => bandContains(r, load, e));
  if (!row) return null;
  const factor = inService ? dec(t.parameters.in_service_factor) : dec(1);
  const mpeE = mul(row.mpe_e, factor);
  const head = inService
    ? `Giới hạn sai số khi sử dụng (${vi(factor)} × kiểm định ban đầu), OIML R76-1 Bảng 6, cấp ${name}`
    : `Giới hạn sai số kiểm định ban đầu, OIML R76-1 Bảng 6, cấp ${name}`;
  return { permitted: mul(mpeE, e), rule: `${head}; ${bandText(row, "m", "e")}: ±${vi(mpeE)} e`, ref: refOf(t) };
}

/** error = indication − reference, against the permitted error at the reference load; all in `unit`. */
export function judgeWeighing(tables, { indication, reference, e, accuracyClass, inService, combination, standardsValid, unit }) {
  const band = scaleBand(tables, reference, e, accuracyClass, inService);
  if (!band) throw new Problem("Tải kiểm nằm ngoài phạm vi của OIML R 76-1 Bảng 6 cho cân này.");
  const error = sub(indication, reference);
  const warnings = [];
  const refs = [band.ref];
  const name = normalizeScaleClass(accuracyClass);
  if (!classRowForE(tables, name, toGrams(e, unit))) {
    warnings.push(`e = ${vi(e)} ${unit} không phù hợp với cấp chính xác ${name} (cần ${eRangesText(tables, name)}; OIML R 76-1 Bảng 3)`);
  }
  let standardsMpe = null;
  if (combination) {
    refs.push(combination.ref);
    warnings.push(...combination.warnings);
    standardsMpe = fromGrams(shift(combination.mpeMg, -3), unit);
    const t = table(tables, "oiml_r76_test_weights");
    refs.push(refOf(t));
    const divisor = t.rows[0].mpe_divisor;
    if (cmp(mul(standardsMpe, divisor), band.permitted) > 0) {
      warnings.push(
        `Quả cân chuẩn không đủ độ chính xác: sai số cho phép tổng ${vi(combination.mpeMg)} mg lớn hơn ` +
          `1/${vi(divisor)} giới hạn sai số cho phép của cân (${vi(band.permitted)} ${unit}) (OIML R 76-1 §3.7.1, giá trị tạm thời)`
      );
    }
  }
  warnings.push(...provisionalWarning(tables, [band.ref]));
  return {
    outcome: outcomeOf(cmp(abs(error), band.permitted) <= 0, standardsValid),
    error,
    permitted: band.permitted,
    unit,
    rule: standardsValid ? band.rule : `${band.rule}; ${EXPIRED_STANDARD_RULE}`,
    warnings,
    provisional: band.ref.provisional,
    tables: refs,
    standardsMpe,
  };
}

// ---- retail control measurement: TT 09/2017 Điều 5 ----------------------------------------------------------------

const SCALE_KIND_TEXT = (spring) => (spring ? "cân đồng hồ lò xo" : "cân");

function bandTextG(row) {
  const lower = `${massText(row.lower)} ${row.lower_inclusive ? "≤" : "<"} m`;
  return `${lower} ${row.upper_inclusive ? "≤" : "<"} ${massText(row.upper)}`;
}

/**
 * How much a control measurement of `massG` may fall short (g), as the server's retail.shortfall_limit: Bảng 2 for a
 * spring dial scale by its Max and d (derived by the same rule when its (Max, d) is not in the table), 2 × the initial
 * MPE (R 76-1 Table 6) for any other scale. Masses in grams (Decs). Throws a Problem with the server's words.
 */
export function shortfallLimit(tables, { massG, maxG, dG, spring = true, accuracyClass = null, eG = null }) {
  if (!maxG || !dG || cmp(maxG, 0) <= 0 || cmp(dG, 0) <= 0) throw new Problem("Mức cân lớn nhất (Max) và độ chia d của cân phải lớn hơn 0.");
  if (cmp(massG, 0) <= 0) throw new Problem("Khối lượng kiểm phải lớn hơn 0.");
  const t = table(tables, "tt09_2017_spring_shortfall");
  const lowest = dec(t.parameters.lowest_check_d);
  const factor = dec(t.parameters.initial_mpe_factor);
  const scale = `${SCALE_KIND_TEXT(spring)} Max = ${massText(maxG)}, d = ${massText(dG)}`;
  if (cmp(massG, mul(lowest, dG)) < 0) {
    throw new Problem(
      `Khối lượng kiểm ${massText(massG)} nhỏ hơn ${vi(lowest)} d = ${massText(mul(lowest, dG))} của ${scale}: ` +
        `cân không phù hợp để cân lượng hàng này (TT 09/2017/TT-BKHCN Điều 5, Bảng 2 bắt đầu từ ${vi(lowest)} d).`
    );
  }
  if (cmp(massG, maxG) > 0) {
    throw new Problem(`Khối lượng kiểm ${massText(massG)} lớn hơn mức cân lớn nhất của ${scale} (TT 09/2017/TT-BKHCN Điều 5).`);
  }
  let name;
  let eValue;
  let head;
  if (spring) {
    const row = t.rows
      .filter((r) => cmp(r.max_capacity_g, maxG) === 0 && cmp(r.division_g, dG) === 0)
      .find((r) => bandContains(r, massG));
    if (row) {
      const permitted = mul(row.permitted_d, dG);
      return {
        permitted,
        basis: `Bảng 2, cân đồng hồ lò xo ${row.scale.replace(" d ", " d = ")}; ${bandTextG(row)}: ${vi(row.permitted_d)} d = ${massText(permitted)}`,
        derived: false,
        provisional: t.provisional,
        tables: [refOf(t)],
      };
    }
    name = "IIII";
    eValue = dG;
    head =
      `${scale} không có trong Bảng 2: suy ra theo cùng quy tắc của Bảng 2 ` +
      `(${vi(factor)} × giới hạn sai số kiểm định ban đầu, OIML R 76-1 Bảng 6, cấp IIII, e = d)`;
  } else {
    if (!accuracyClass) throw new Problem(`Cần cấp chính xác của ${scale} để tính lượng thiếu cho phép (TT 09/2017/TT-BKHCN Điều 5 khoản 2).`);
    eValue = eG === null || eG === undefined ? dG : dec(eG);
    if (cmp(eValue, 0) <= 0) throw new Problem("Giá trị độ chia kiểm e của cân phải lớn hơn 0.");
    name = normalizeScaleClass(accuracyClass);
    if (!name) throw new Problem(`Cấp chính xác ${accuracyClass} của ${scale} không hợp lệ (cần I, II, III hoặc IIII).`);
    head = `khoản 2, ${scale}: ${vi(factor)} × giới hạn sai số kiểm định ban đầu, OIML R 76-1 Bảng 6, cấp ${name}, e = ${massText(eValue)}`;
  }
  const mpe = table(tables, "oiml_r76_mpe");
  const row = mpe.rows.filter((r) => r.class === name).find((r) => bandContains(r, massG, eValue));
  if (!row) {
    throw new Problem(`Khối lượng kiểm ${massText(massG)} vượt phạm vi OIML R 76-1 Bảng 6 cấp ${name} với e = ${massText(eValue)} (${scale}).`);
  }
  const permitted = mul(factor, mul(row.mpe_e, eValue));
  const unit = spring ? "d" : "e";
  return {
    permitted,
    basis: `${head}; ${bandText(row, "m", "e")}: ${vi(factor)} × ${vi(row.mpe_e)} e = ${vi(mul(factor, row.mpe_e))} ${unit} = ${massText(permitted)}`,
    derived: spring,
    provisional: spring && t.provisional,
    tables: [refOf(mpe), refOf(t)],
  };
}

export const IMPLAUSIBLE_RULE = "số chỉ khác xa khối lượng quả cân đối chứng nên không kết luận phù hợp";

/**
 * Why a control measurement's indication is too far from the weights to be believed, as the server's
 * implausible_indication words it: |error| beyond mpe_multiple × the permitted shortfall and beyond load_fraction of
 * the load (table implausible_reading). Null when it is plausible, or when the phone's tables predate the rule.
 */
export function implausibleIndication(tables, { errorG, permittedG, referenceG }) {
  const t = tables && tables.tables && tables.tables.implausible_reading;
  if (!t) return null;
  const row = t.rows[0];
  const off = abs(errorG);
  if (cmp(off, mul(row.mpe_multiple, permittedG)) <= 0 || cmp(off, mul(row.load_fraction, referenceG)) <= 0) return null;
  return {
    ref: refOf(t),
    text:
      `Số chỉ ${massText(add(referenceG, errorG))} khác xa tải ${massText(referenceG)} (lệch ${massText(off)}, ` +
      `quá ${vi(row.mpe_multiple)} lần lượng thiếu cho phép và quá ${vi(shift(row.load_fraction, 2))} % tải): kiểm tra lại số chỉ và cân`,
  };
}

/**
 * Selling fails when indication − reference exceeds the permitted shortfall; buying when reference − indication does.
 * `indication` and `reference` are in `unit`; the scale's `maxG`, `dG`, `eG` in grams.
 */
export function judgeControl(tables, { indication, reference, unit, direction, standardsValid, maxG, dG, spring = true, accuracyClass = null, eG = null }) {
  const referenceG = toGrams(reference, unit);
  const limit = shortfallLimit(tables, { massG: referenceG, maxG, dG, spring, accuracyClass, eG });
  const permittedG = limit.permitted;
  const errorG = sub(toGrams(indication, unit), referenceG);
  const shortfall = direction === "sell" ? errorG : neg(errorG);
  const what =
    direction === "sell"
      ? "bán hàng: số chỉ của cân − khối lượng quả cân đối chứng"
      : "mua hàng: khối lượng quả cân đối chứng − số chỉ của cân";
  const rule =
    `Phép đo đối chứng, TT 09/2017/TT-BKHCN Điều 5 (${what}) không vượt lượng thiếu cho phép ${massText(permittedG)} ` +
    `(${limit.basis}${limit.provisional ? ", giá trị tạm thời" : ""})`;
  let outcome = outcomeOf(cmp(shortfall, permittedG) <= 0, standardsValid);
  let ruleText = standardsValid ? rule : `${rule}; ${EXPIRED_STANDARD_RULE}`;
  const warnings = limit.provisional ? provisionalWarning(tables, limit.tables.filter((r) => r.provisional)) : [];
  let refs = limit.tables;
  // The rule is one-sided: a number far from the weights on the side that is never short is still not "phù hợp".
  const far = implausibleIndication(tables, { errorG, permittedG, referenceG });
  if (far) {
    warnings.unshift(far.text);
    refs = [...refs, far.ref];
    if (outcome === "pass") {
      outcome = "inconclusive";
      ruleText = `${ruleText}; ${IMPLAUSIBLE_RULE}`;
    }
  }
  return {
    outcome,
    error: fromGrams(errorG, unit),
    permitted: fromGrams(permittedG, unit),
    unit,
    rule: ruleText,
    warnings,
    provisional: limit.provisional,
    tables: refs,
    implausible: far ? far.text : null,
  };
}

// ---- fuel dispensers: OIML R 117 / MID MI-005 ----------------------------------------------------------------------

/** error = V_ind − V_ref (L); relative error 100·error/V_ref (%, ĐLVN 10); permitted at the reference volume. */
export function judgeDispenser(tables, { reference, indication, accuracyClass, part, standardsValid }) {
  const classes = table(tables, "oiml_r117_mpe");
  const small = table(tables, "oiml_r117_small_volumes");
  const wanted = readNumber(accuracyClass || "0.5", "Cấp chính xác").value;
  const row = wanted && classes.rows.find((r) => cmp(r.class, wanted) === 0);
  if (!row) throw new Problem("Cấp chính xác cột đo phải là 0,3; 0,5; 1,0; 1,5 hoặc 2,5 (OIML R 117).");
  const percent = dec(row[part === "system" ? "system_percent" : "meter_percent"]);
  const band = small.rows.find((r) => bandContains(r, reference));
  const appliedTo = band.applied_to_l === null ? dec(reference) : dec(band.applied_to_l);
  const permitted = shift(mul(mul(band.factor, percent), appliedTo), -2);
  const error = sub(indication, reference);
  const partText = part === "system" ? "hệ thống đo, hàng A" : "đồng hồ đo, hàng B";
  let rule = `Giới hạn sai số cho phép ±${vi(percent)} % (${partText}), cấp chính xác ${vi(row.class)}, OIML R 117-1 / MID MI-005 Bảng 2`;
  if (band.upper !== null) {
    const target = band.applied_to_l === null ? "V" : `${vi(appliedTo)} L`;
    const factor = cmp(band.factor, 1) === 0 ? "" : `${vi(band.factor)} × `;
    rule += `; lượng nhỏ ${bandText(band, "V", "L")} (Bảng 3): ${factor}giá trị Bảng 2 tính trên ${target} = ±${vi(permitted)} L`;
  }
  const refs = [refOf(classes), refOf(small)];
  return {
    outcome: outcomeOf(cmp(abs(error), permitted) <= 0, standardsValid),
    error,
    permitted,
    unit: "L",
    relativePercent: divRound(shift(error, 2), reference, 3),
    permittedPercent: divRound(shift(permitted, 2), reference, 3),
    rule: standardsValid ? rule : `${rule}; ${EXPIRED_STANDARD_RULE}`,
    warnings: provisionalWarning(tables, refs),
    provisional: refs.some((r) => r.provisional),
    tables: refs,
  };
}

// ---- pre-packaged lots: TT 21/2014 ------------------------------------------------------------------------------

const LOT_UNITS = { g: [0, "g"], kg: [3, "g"], mL: [0, "mL"], L: [3, "mL"] };
export const RULE_MEAN_BELOW_NOMINAL = "Lượng trung bình nhỏ hơn lượng danh định";
export const RULE_MEAN_BELOW_LIMIT = "Lượng trung bình nhỏ hơn Qn − k·s";
export const RULE_TOO_MANY_BEYOND_T = "Quá 2,5 % số đơn vị thiếu vượt T";
export const RULE_UNIT_BEYOND_2T = "Có đơn vị thiếu vượt 2T";

/** How many units a lot of this size needs in its sample (the TT 21/2014 sample table): a lot smaller than
 *  whole_lot_below is measured whole (n = N), a bigger one by the n of its row; null when the table has no row. */
export function sampleSizeForLot(tables, lotSize) {
  const t = table(tables, "tt21_2014_sample_k");
  const size = dec(lotSize);
  if (cmp(size, dec(t.parameters.whole_lot_below)) < 0) return lotSize;
  const row = t.rows.find((r) => r.lot_from !== null && cmp(dec(r.lot_from), size) <= 0 && (r.lot_to === null || cmp(size, dec(r.lot_to)) <= 0));
  return row ? Number(row.sample_size) : null;
}

/**
 * Net quantities (already minus the tare) of a sample: mean ≥ Qn (or ≥ Qn − k·s for a sample of a bigger lot),
 * at most 2.5 % of units short by more than T, none by more than 2T. The k·s rule is compared exactly, squared.
 */
export function judgeLot(tables, { nominal, unit, nets, lotSize }) {
  const [exp, base] = LOT_UNITS[unit];
  const t = table(tables, "tt21_2014_tolerable_deficiency");
  const baseQn = shift(nominal, exp);
  const row = t.rows.find((r) => bandContains(r, baseQn));
  if (!row) throw new Problem("Lượng danh định nằm ngoài bảng lượng thiếu cho phép T (TT 21/2014 Phụ lục IV: 5 g/mL đến 50 kg/L).");
  const tolerance = shift(row.percent !== null ? shift(mul(row.percent, baseQn), -2) : dec(row.absolute), -exp);
  const n = nets.length;
  const total = sum(nets);
  const beyondT = nets.filter((v) => cmp(sub(nominal, v), tolerance) > 0).length;
  const beyond2T = nets.filter((v) => cmp(sub(nominal, v), mul(tolerance, 2)) > 0).length;
  const refs = [refOf(t)];
  const warnings = [];
  const shortOfNominal = sub(mul(nominal, n), total); // n·(Qn − mean)
  let meanOk = cmp(shortOfNominal, 0) <= 0;
  let meanBroken = RULE_MEAN_BELOW_NOMINAL;
  let k = null;
  if (lotSize !== null && lotSize !== undefined && lotSize !== n) {
    const kTable = table(tables, "tt21_2014_sample_k");
    const kRow = n >= 2 ? kTable.rows.find((r) => cmp(r.sample_size, n) === 0) : null;
    if (!kRow) {
      warnings.push(`Không có hệ số k cho cỡ mẫu n = ${n}; đã áp dụng quy tắc Xtb ≥ Qn (chặt hơn Xtb ≥ Qn − k·s)`);
    } else {
      k = dec(kRow.k);
      refs.push(refOf(kTable));
      meanBroken = RULE_MEAN_BELOW_LIMIT;
      if (!meanOk) {
        // mean ≥ Qn − k·s  ⇔  k²·(n·Σx² − (Σx)²)·n ≥ (n·Qn − Σx)²·(n − 1), with s² = (n·Σx² − (Σx)²) / (n(n − 1)).
        const squares = sum(nets.map((v) => mul(v, v)));
        const spread = sub(mul(squares, n), mul(total, total));
        meanOk = cmp(mul(mul(mul(k, k), spread), n), mul(mul(shortOfNominal, shortOfNominal), n - 1)) >= 0;
      }
    }
  }
  const broken = [];
  if (!meanOk) broken.push(meanBroken);
  if (beyondT * 40 > n) broken.push(RULE_TOO_MANY_BEYOND_T);
  if (beyond2T) broken.push(RULE_UNIT_BEYOND_2T);
  warnings.push(...provisionalWarning(tables, refs));
  const shown = Math.max(places(nominal), ...nets.map(places));
  return {
    outcome: broken.length ? "fail" : "pass",
    sampleSize: n,
    mean: divRound(total, n, shown + 1),
    tolerance,
    k,
    countBeyondT: beyondT,
    countBeyond2T: beyond2T,
    rulesBroken: broken,
    warnings,
    provisional: refs.some((r) => r.provisional),
    tables: refs,
    base,
  };
}

// ---- instruments: verification mark and range ----------------------------------------------------------------------

/** Whether the verification mark is there and in force on `onDate` (YYYY-MM-DD), worded like the server. */
/** Electricity and water meters: the utility's, checked but never judged. */
export const METER_TYPES = ["electricity_meter", "water_meter"];

function isoDate(y, m, d) {
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** TT 23/2013 cycles: the last valid day of a verification made on `verifiedOn` (ISO) for a cycle of `months`: the
 * day before the same date `months` later, or the last day of a month too short for that date (as the engine). */
export function cycleExpiryDate(verifiedOn, months) {
  const [y, m, d] = verifiedOn.split("-").map(Number);
  const index = m - 1 + months;
  const year = y + Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (d > last) return isoDate(year, month, last);
  const before = new Date(Date.UTC(year, month - 1, d - 1));
  return isoDate(before.getUTCFullYear(), before.getUTCMonth() + 1, before.getUTCDate());
}

/** The stamp's expiry from the verification cycle when the stamp shows only its date; null when no cycle applies. */
export function cycleExpiry(tables, instrument) {
  const cycles = tables && tables.instrument_cycles;
  if (!cycles || instrument.valid_until || !instrument.verified_on) return null;
  const code = `${instrument.instrument_type}|${instrument.variant || ""}`;
  const key = cycles.keys[code];
  if (!key) return null;
  let t;
  try {
    t = table(tables, "tt23_2013_verification_cycles");
  } catch (error) {
    return null;
  }
  const row = t.rows.find((r) => r.key === key);
  if (!row) return null;
  const months = Number(row.months);
  return { expiresOn: cycleExpiryDate(instrument.verified_on, months), months, derived: cycles.derived.includes(code) };
}

/** Whether the verification is present and in force on `onDate`, as the server says it (measurements.verification_state). */
export function verificationState(instrument, onDate, tables = null) {
  const mark = instrument.verification_mark;
  let until = instrument.valid_until;
  if (!until && !mark) return { ok: false, text: "không có tem/dấu kiểm định", expiresOn: null };
  if (!mark) return { ok: false, text: "không ghi được số tem kiểm định", expiresOn: until || null };
  let how = "";
  if (!until) {
    const expiry = cycleExpiry(tables, instrument);
    if (!expiry) {
      let text = `tem kiểm định số ${mark} không ghi thời hạn`;
      if (instrument.verified_on) {
        text += METER_TYPES.includes(instrument.instrument_type)
          ? " và chưa xác định được chu kỳ kiểm định (cần ghi kiểu công tơ/đồng hồ nước)"
          : " và không có chu kỳ kiểm định cho loại này";
      }
      return { ok: false, text, expiresOn: null };
    }
    until = expiry.expiresOn;
    how =
      ` (tính theo chu kỳ kiểm định ${expiry.months} tháng (TT 23/2013)` +
      `${expiry.derived ? ", suy ra cho cân điện tử dùng như cân đĩa/cân bàn" : ""}` +
      ` từ ngày kiểm định ${dateVi(instrument.verified_on)})`;
  }
  if (onDate > until) return { ok: false, text: `tem kiểm định số ${mark} hết hạn ngày ${dateVi(until)}${how}`, expiresOn: until };
  return { ok: true, text: `tem kiểm định số ${mark} còn hạn đến ${dateVi(until)}${how}`, expiresOn: until };
}

export const isMeter = (instrument) => METER_TYPES.includes(instrument.instrument_type);

export const SCALE_TYPES = ["spring_scale", "pan_scale", "platform_scale", "electronic_scale"];
export const isScale = (instrument) => SCALE_TYPES.includes(instrument.instrument_type);

/** TT 09/2017 Bảng 1 for a scale with a usual goods mass: d small enough, goods ≤ Max; null when it cannot say. */
export function rangeState(tables, instrument) {
  const division = instrument.d ?? instrument.e;
  if (!isScale(instrument) || !instrument.goods_mass || !instrument.max_capacity || !division) return null;
  let t;
  try {
    t = table(tables, "tt09_2017_max_division");
  } catch (error) {
    return null;
  }
  const unit = instrument.unit;
  const goods = toGrams(instrument.goods_mass, unit);
  const maximum = toGrams(instrument.max_capacity, unit);
  const d = toGrams(division, unit);
  const row = t.rows.find((r) => bandContains(r, goods));
  if (!row) return null;
  const band = `> ${massText(row.lower)} – ${massText(row.upper)}`;
  const reasons = [];
  if (cmp(goods, maximum) > 0) reasons.push(`khối lượng hàng ${massText(goods)} lớn hơn mức cân lớn nhất Max = ${massText(maximum)}`);
  if (cmp(d, row.max_division_g) > 0) reasons.push(`độ chia d = ${massText(d)} lớn hơn mức tối đa ${massText(row.max_division_g)} cho hàng ${band}`);
  const basis = "(TT 09/2017/TT-BKHCN Bảng 1)";
  if (reasons.length) return { ok: false, text: `Phạm vi đo không phù hợp: ${reasons.join("; ")} ${basis}` };
  return {
    ok: true,
    text: `Phạm vi đo phù hợp: d = ${massText(d)} ≤ ${massText(row.max_division_g)} cho hàng ${band}, hàng ${massText(goods)} ≤ Max = ${massText(maximum)} ${basis}`,
  };
}

// ---- one reading, from what is on the screen ------------------------------------------------------------------------

/**
 * Checks what was entered and judges it. `standards` are the chosen reference standards as the API lists them;
 * `today` is YYYY-MM-DD. Answers {problems: [Vietnamese], reference, unit, verdict (null without tables), ...}.
 */
export function judgeReading(tables, { instrument, kind, direction, standards, indicationText, referenceText, today }) {
  const problems = [];
  const out = { problems, verdict: null, reference: null, unit: null, indication: null, combination: null, minPlaces: 0 };
  const valid = standards.every((s) => s.due_on >= today);
  out.standardsValid = valid;
  if (kind === "dispenser") {
    out.unit = "L";
    if (!standards.length) problems.push("Chọn bình chuẩn dung tích đã dùng.");
    const reference = readNumber(referenceText, "Lượng đọc trên bình chuẩn");
    const indication = readNumber(indicationText, "Số chỉ của cột đo");
    if (reference.problem) problems.push(reference.problem);
    else out.reference = reference;
    if (indication.problem) problems.push(indication.problem);
    else out.indication = indication;
    if (problems.length) return out;
    out.minPlaces = Math.max(places(reference.value), places(indication.value));
    const part = tables && tables.state_check_rule === "verification" ? "meter" : "system";
    return judged(out, () =>
      judgeDispenser(tables, { reference: reference.value, indication: indication.value, accuracyClass: instrument.accuracy_class, part, standardsValid: valid })
    );
  }
  const unit = instrument.unit;
  out.unit = unit;
  if (!standards.length) problems.push("Chọn các quả cân chuẩn đã đặt lên cân.");
  else {
    try {
      out.combination = combineWeights(tables, standards);
      out.reference = { value: fromGrams(out.combination.conventionalG, unit) };
    } catch (error) {
      if (error instanceof Problem) problems.push(error.message);
      else if (!(error instanceof NoTables)) throw error;
      // Without the tables the load is still the sum of the nominal values.
      if (error instanceof NoTables) out.reference = { value: fromGrams(sum(standards.map((s) => toGrams(s.nominal, s.unit))), unit) };
    }
  }
  const max = instrument.max_capacity ? dec(instrument.max_capacity) : null;
  const overloaded = Boolean(out.reference && max && cmp(out.reference.value, max) > 0);
  if (overloaded) {
    problems.push(`Tải kiểm ${quantityText(out.reference.value, unit)} lớn hơn mức cân lớn nhất Max = ${quantityText(max, unit)} của cân.`);
  }
  const indication = readNumber(indicationText, "Số chỉ");
  if (indication.problem) problems.push(indication.problem);
  else {
    out.indication = indication;
    const e = instrument.e ? dec(instrument.e) : null;
    // A scale shows nothing above Max + 9e (OIML R 76-1 §4.2.3): such a number was mistyped.
    if (!overloaded && max && e && cmp(indication.value, add(max, mul(e, 9))) > 0) {
      problems.push(`Số chỉ ${quantityText(indication.value, unit)} lớn hơn mức cân lớn nhất Max = ${quantityText(max, unit)} của cân.`);
    }
  }
  if (problems.length || !out.reference) return out;
  out.minPlaces = Math.max(places(indication.value), instrument.e ? places(trim(instrument.e)) : 0);
  if (kind === "control") {
    return judged(out, () => {
      const division = instrument.d ?? instrument.e;
      if (!instrument.max_capacity || !division) {
        throw new Problem("Phép đo đối chứng cần mức cân lớn nhất (Max) và độ chia d của cân: bổ sung ở thông tin phương tiện đo.");
      }
      return judgeControl(tables, {
        indication: indication.value,
        reference: out.reference.value,
        unit,
        direction,
        standardsValid: valid,
        maxG: toGrams(instrument.max_capacity, unit),
        dG: toGrams(division, unit),
        spring: instrument.instrument_type === "spring_scale",
        accuracyClass: instrument.accuracy_class || null,
        eG: instrument.e ? toGrams(instrument.e, unit) : null,
      });
    });
  }
  return judged(out, () =>
    judgeWeighing(tables, {
      indication: indication.value,
      reference: out.reference.value,
      e: dec(instrument.e),
      accuracyClass: instrument.accuracy_class,
      inService: !tables || tables.state_check_rule !== "verification",
      combination: out.combination,
      standardsValid: valid,
      unit,
    })
  );
}

function judged(out, work) {
  try {
    out.verdict = work();
  } catch (error) {
    if (error instanceof Problem) out.problems.push(error.message);
    else if (!(error instanceof NoTables)) throw error;
  }
  return out;
}

/** A verdict as plain JSON for IndexedDB (Decs as canonical text). */
export function storable(verdict) {
  if (!verdict) return null;
  const out = {};
  for (const [key, value] of Object.entries(verdict)) out[key] = value instanceof Dec ? plain(value) : value;
  return out;
}
