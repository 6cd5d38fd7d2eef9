"""The feature that stores metrology records at the desk and in the API: reference standards, instruments,
readings and pre-packaged lots, judged by the tolerance engine (``inspect_app.tolerances``) and kept exactly.

Code outside this package imports the names below from ``inspect_app.measurements``; modules inside it import
from each other:

- ``settings``: the administrator's state-check choice (in-service or verification limits);
- ``standards``: reference standards and what falls due;
- ``instruments``: instruments at a premise, their verification and range;
- ``readings`` and ``lots``: judged and stored, idempotent by client UUID, locked with the inspection;
- ``voiding``: voiding a reading or lot with a reason before the biên bản, and who may;
- ``suggestions``: automatic findings for the checklist;
- ``units``: the one conversion between a record's unit and the engine's grams.
"""

from ..domain.errors import Conflict, InvalidInput, Locked
from .instruments import (
    add_instrument_photo,
    computed_expiry,
    create_instrument,
    instruments_changed,
    instruments_of,
    range_state,
    update_instrument,
    verification_state,
)
from .lots import lots_of, record_lot
from .meters import meter_checks_of, record_meter_check
from .readings import corrected_verdict, readings_of, record_reading, rejudge_superseded
from .settings import STATE_CHECK_RULES, set_state_check_rule, state_check_rule, state_check_text
from .standards import (
    DUE_SOON_DAYS,
    certificate_warning,
    create_standard,
    due_soon,
    set_certificate_photo,
    standard_sort_key,
    standard_state,
    update_standard,
)
from .suggestions import AutoFinding, automatic_findings
from .voiding import VoidLocked, may_void, void_record

__all__ = [
    "DUE_SOON_DAYS",
    "STATE_CHECK_RULES",
    "AutoFinding",
    "Conflict",
    "InvalidInput",
    "Locked",
    "VoidLocked",
    "add_instrument_photo",
    "automatic_findings",
    "certificate_warning",
    "computed_expiry",
    "create_instrument",
    "corrected_verdict",
    "create_standard",
    "due_soon",
    "instruments_changed",
    "instruments_of",
    "lots_of",
    "meter_checks_of",
    "may_void",
    "range_state",
    "readings_of",
    "record_lot",
    "record_meter_check",
    "record_reading",
    "rejudge_superseded",
    "set_certificate_photo",
    "set_state_check_rule",
    "standard_sort_key",
    "standard_state",
    "state_check_rule",
    "state_check_text",
    "update_instrument",
    "update_standard",
    "verification_state",
    "void_record",
]
