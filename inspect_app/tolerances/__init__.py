"""The tolerance engine: permitted errors and verdicts for metrology checks, from tables kept as versioned data,
in exact Decimal arithmetic. Pure Python (no Flask, no SQLAlchemy); the feature that stores the records it judges
is ``inspect_app.measurements``."""

from .common import FAIL, INCONCLUSIVE, PASS
from .cycles import CycleExpiry, cycle_expiry_date, instrument_expiry, weight_expiry
from .dispensers import DispenserLimit, dispenser_limit, dispenser_mpe, dispenser_mpe_percent
from .prepackaged import Tolerance, prepackage_tolerance, sample_k, tolerance
from .retail import max_division_for_goods, range_suits_goods, retail_permitted_shortfall
from .scales import ScaleBand, min_capacity, scale_band, scale_mpe, validate_scale
from .table_data import (
    Table,
    TableError,
    TableRef,
    all_tables,
    get_table,
    parse_table,
    parse_table_json,
    table_versions,
    tables_as_json,
)
from .verdicts import (
    STANDARD_EXPIRED,
    STANDARD_VALID,
    ControlMeasurementVerdict,
    DispenserVerdict,
    LotVerdict,
    Verdict,
    WeighingVerdict,
    judge_control_measurement,
    judge_dispenser_run,
    judge_lot,
    judge_weighing,
    standard_status,
)
from .weights import CombinedWeights, WeightItem, combine_weights, weight_mpe

__all__ = [
    "FAIL",
    "INCONCLUSIVE",
    "PASS",
    "STANDARD_EXPIRED",
    "STANDARD_VALID",
    "CombinedWeights",
    "ControlMeasurementVerdict",
    "CycleExpiry",
    "DispenserLimit",
    "DispenserVerdict",
    "LotVerdict",
    "ScaleBand",
    "Table",
    "TableError",
    "TableRef",
    "Tolerance",
    "Verdict",
    "WeighingVerdict",
    "WeightItem",
    "all_tables",
    "combine_weights",
    "cycle_expiry_date",
    "dispenser_limit",
    "dispenser_mpe",
    "dispenser_mpe_percent",
    "get_table",
    "instrument_expiry",
    "judge_control_measurement",
    "judge_dispenser_run",
    "judge_lot",
    "judge_weighing",
    "max_division_for_goods",
    "min_capacity",
    "parse_table",
    "parse_table_json",
    "prepackage_tolerance",
    "range_suits_goods",
    "retail_permitted_shortfall",
    "sample_k",
    "scale_band",
    "scale_mpe",
    "standard_status",
    "table_versions",
    "tables_as_json",
    "tolerance",
    "validate_scale",
    "weight_expiry",
    "weight_mpe",
]
