"""Builders for yearly plans in tests."""

from __future__ import annotations


def make_plan(unit, user, year: int = 2027, seed: int = 11):
    """A draft plan of the unit for ``year`` with its annex proposed (every active premise of the unit scored)."""
    from inspect_app.plans import service

    plan, _ = service.create_plan(unit, year, user)
    return service.propose(plan, user, seed=seed)
