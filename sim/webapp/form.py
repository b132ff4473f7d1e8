"""The levers form: the scenario's levers as fields, with units and ranges, and dated staff changes.

Each field shows the unit in its label and the allowed range under it (both from the scenario's
schema, through ``levers.py``); the result is the list of ``--set`` overrides the command line
would take, so the app and ``run`` see the same scenario.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from sim.scenario import Scenario
from sim.webapp.levers import (
    CHANGE_COLUMNS,
    Lever,
    changes_override,
    current_changes,
    levers_for,
    overrides_for,
)

__all__ = ["JS_SAFE_INTEGER", "lever_form"]

JS_SAFE_INTEGER = 2**53 - 1  # the largest whole number a browser's number field holds


def _lever_widget(lever: Lever, prefix: str) -> Any:
    unit = f" ({lever.unit})" if lever.unit else ""
    help_text = f"{lever.help} Allowed: {lever.allowed}."
    key = f"{prefix}:{lever.path}"
    if lever.kind == "choice":
        return st.selectbox(
            lever.label,
            lever.choices,
            index=lever.choices.index(lever.current),
            key=key,
            help=help_text,
        )
    if lever.kind == "int":
        high = min(int(lever.maximum), JS_SAFE_INTEGER) if lever.maximum is not None else None
        low = int(lever.minimum) if lever.minimum is not None else None
        return st.number_input(
            lever.label + unit,
            min_value=low,
            max_value=high,
            value=int(lever.current),
            step=1,
            key=key,
            help=help_text,
        )
    return st.number_input(
        lever.label + unit,
        min_value=lever.minimum,
        max_value=lever.maximum,
        value=float(lever.current),
        step=0.05,
        key=key,
        help=help_text,
    )


def lever_form(scenario: Scenario, prefix: str) -> list[str]:
    """The levers as form fields (units and ranges shown); returns the --set overrides."""
    levers = levers_for(scenario)
    if scenario.areas:
        st.caption("This scenario has areas, each with its own staff: change them in the file.")
    values: dict[str, Any] = {}
    groups = (
        ("Staff", "staffing."),
        ("Officers per visit", "visits.officers_per_visit."),
        ("Run", ""),
    )
    columns = st.columns(len(groups))
    placed: set[str] = set()
    for column, (title, start) in zip(columns, groups, strict=True):
        with column:
            st.markdown(f"**{title}**")
            for lever in levers:
                if lever.path in placed or not lever.path.startswith(start):
                    continue
                values[lever.path] = _lever_widget(lever, prefix)
                st.caption(f"Allowed: {lever.allowed}")
                placed.add(lever.path)
    overrides = overrides_for(levers, values)
    if not scenario.areas:
        changes = _changes_table(scenario, prefix)
        if changes is not None:
            overrides.append(changes)
    return overrides


def _changes_table(scenario: Scenario, prefix: str) -> str | None:
    """Dated staff changes as an editable table; returns their ``--set``, or None."""
    st.markdown("**Dated staff changes** (recruits positive, leavers negative)")
    edited = st.data_editor(
        current_changes(scenario) or [dict.fromkeys(CHANGE_COLUMNS)],
        num_rows="dynamic",
        key=f"{prefix}_changes",
        column_config={
            "date": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
            "offender_managers": st.column_config.NumberColumn(
                "offender managers", step=1, min_value=-100_000, max_value=100_000
            ),
            "sergeants": st.column_config.NumberColumn(
                "sergeants", step=1, min_value=-100_000, max_value=100_000
            ),
            "training_delay_days": st.column_config.NumberColumn(
                "training delay (days)", step=1, min_value=0, max_value=3650
            ),
        },
        column_order=CHANGE_COLUMNS,
    )
    rows = edited.to_dict("records") if hasattr(edited, "to_dict") else list(edited)
    return changes_override(rows, scenario)
