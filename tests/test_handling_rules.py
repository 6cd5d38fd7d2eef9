"""The handling the checklist's failures suggest: a violation's own handling, a referral for what is not the team's
to conclude ("sơ bộ", another body's), "Đạt" when nothing failed."""

import pytest

from inspect_app.domain.handling_rules import Failure, suggested_handling


def test_nothing_failed_suggests_pass():
    suggestion = suggested_handling([])
    assert (suggestion.codes, suggestion.labels, suggestion.violations, suggestion.referred) == (
        ("pass",),
        ("Đạt",),
        0,
        0,
    )


def test_a_preliminary_failure_is_a_referral_not_its_items_handling():
    suggestion = suggested_handling([Failure("fix_request", indicative=True)])
    assert suggestion.codes == ("referral",) and suggestion.labels == ("Chuyển cơ quan có thẩm quyền",)
    assert (suggestion.violations, suggestion.referred) == (0, 1)


def test_violations_suggest_their_handling_and_another_bodys_items_a_referral_in_the_lists_order():
    suggestion = suggested_handling(
        [
            Failure("violation_record"),
            Failure("referral"),
            Failure("reminder"),
            Failure("reminder"),
            Failure("violation_record", indicative=True),
        ]
    )
    assert suggestion.codes == ("reminder", "violation_record", "referral")
    assert (suggestion.violations, suggestion.referred) == (3, 2)


@pytest.mark.parametrize("handling", ["pass", "", "warn"])
def test_a_failure_without_a_known_handling_is_refused(handling):
    with pytest.raises(ValueError):
        suggested_handling([Failure(handling)])
