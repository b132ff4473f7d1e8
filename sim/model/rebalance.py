"""Rebalancing personal caseloads when offender managers join (``staffing.rebalance_caseloads``).

Off by default: new managers then only take new cases (they have the lightest caseloads), so a
team that recruits stays unbalanced for as long as the old cases stay on the register. On, each
time managers join (a staffing change or a turnover replacement becoming productive), cases
move one at a time from the heaviest caseload to the lightest, by the weighted workload that
allocation uses (``caseload_weights``; all 1: number of cases):

* the heaviest is the manager in post (not leaving) with the most workload, the lightest the
  one with the least (ties to the longest-serving, lowest index, for both);
* the case moved is the heaviest manager's most recently allocated one whose weight is above
  0 and below the gap between the two, so each move narrows the spread (it strictly lowers the
  sum of squared workloads, so the moves end);
* moving stops when the heaviest has no such case. With all weights 1 the caseloads then
  differ by at most one case; otherwise by at most the weight of a case the heaviest holds.

A moved offender's waiting work moves with them (personal.py). No random numbers are used.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.model.offender import Offender
from sim.model.workforce import Officer

__all__ = ["rebalancing_moves"]


def rebalancing_moves(
    managers: Sequence[Officer],
    caseloads: dict[Officer, dict[int, Offender]],
    workloads: dict[Officer, float],
    weights: tuple[float, ...],
) -> list[tuple[Offender, Officer, Officer]]:
    """The moves (offender, from, to), in order, that balance the caseloads as described."""
    in_post = [officer for officer in managers if not officer.leaving]
    if len(in_post) < 2:
        return []
    load = {officer: workloads[officer] for officer in in_post}
    cases = {officer: list(caseloads[officer].values()) for officer in in_post}
    moves: list[tuple[Offender, Officer, Officer]] = []
    while True:
        heavy = max(in_post, key=load.__getitem__)  # the first of the heaviest
        light = min(in_post, key=load.__getitem__)  # the first of the lightest
        gap = load[heavy] - load[light]
        held = cases[heavy]
        for i in range(len(held) - 1, -1, -1):  # most recently allocated first
            weight = weights[held[i].level]
            if 0 < weight < gap:
                break
        else:
            return moves
        offender = held.pop(i)
        cases[light].append(offender)
        load[heavy] -= weight
        load[light] += weight
        moves.append((offender, heavy, light))
