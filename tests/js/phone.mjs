// How the phone judges each kind of case, as measure.js calls metrology.js, in the shape of the engine's answers
// (tests/js/engine_cases.py). No imports: Node's test (metrology.test.mjs) and the browser smoke test
// (tests/browser/test_browser_readings.py) pass in the metrology module `m` and the tables they loaded.

const judge = {
  weighings(m, tables, a) {
    const combination = m.combineWeights(tables, a.weights);
    const v = m.judgeWeighing(tables, {
      indication: m.dec(a.indication),
      reference: m.fromGrams(combination.totalG, a.unit),
      e: m.dec(a.e),
      accuracyClass: a.accuracyClass,
      inService: a.inService,
      combination,
      standardsValid: a.standardsValid,
      unit: a.unit,
    });
    return {
      outcome: v.outcome,
      error: m.plain(v.error),
      permitted: m.plain(v.permitted),
      standardsMpe: m.plain(v.standardsMpe),
      rule: v.rule,
      warnings: v.warnings,
    };
  },
  dispensers(m, tables, a) {
    const v = m.judgeDispenser(tables, {
      reference: m.dec(a.reference),
      indication: m.dec(a.indication),
      accuracyClass: a.accuracyClass,
      part: a.part,
      standardsValid: a.standardsValid,
    });
    return { outcome: v.outcome, error: m.plain(v.error), permitted: m.plain(v.permitted), rule: v.rule, warnings: v.warnings };
  },
  controls(m, tables, a) {
    // The scale as the phone holds the instrument (Max, d, e in its own unit), as judgeReading passes it.
    const s = a.scale;
    let v;
    try {
      v = m.judgeControl(tables, {
        indication: m.dec(a.indication),
        reference: m.dec(a.reference),
        unit: a.unit,
        direction: a.direction,
        standardsValid: a.standardsValid,
        maxG: m.toGrams(s.max_capacity, s.unit),
        dG: m.toGrams(s.d, s.unit),
        spring: s.instrument_type === "spring_scale",
        accuracyClass: s.accuracy_class || null,
        eG: s.e ? m.toGrams(s.e, s.unit) : null,
      });
    } catch (error) {
      // A refusal says why, in the server's words.
      if (error instanceof m.Problem) return { refused: true, message: error.message };
      throw error;
    }
    return {
      outcome: v.outcome,
      error: m.plain(v.error),
      permitted: m.plain(v.permitted),
      rule: v.rule,
      warnings: v.warnings,
      tables: v.tables,
    };
  },
  lots(m, tables, a) {
    const v = m.judgeLot(tables, { nominal: m.dec(a.nominal), unit: a.unit, nets: a.values.map(m.dec), lotSize: a.lotSize });
    return {
      outcome: v.outcome,
      rulesBroken: v.rulesBroken,
      countBeyondT: v.countBeyondT,
      countBeyond2T: v.countBeyond2T,
      tolerance: m.plain(v.tolerance),
      k: v.k === null ? null : m.plain(v.k),
      warnings: v.warnings,
    };
  },
  stamps(m, tables, a) {
    const state = m.verificationState(a.instrument, a.on, tables);
    return { ok: state.ok, expiresOn: state.expiresOn };
  },
};

export const KINDS = Object.keys(judge);

/** The phone's answer to one case; a value outside the tables is refused (a Problem), as the engine refuses it. */
export function phone(m, tables, kind, args) {
  if (!judge[kind]) throw new Error(`no way to judge ${kind} on the phone`);
  try {
    return judge[kind](m, tables, args);
  } catch (error) {
    if (error instanceof m.Problem) return { refused: true };
    throw error;
  }
}
