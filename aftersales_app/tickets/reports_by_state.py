"""What the reports by ticket state share (the status summary, the time in state): the state and
its category as the first columns, their values for a state, a chart with a bar per state."""

import frappe
from frappe import _

from aftersales_app.core.reports import bar_chart, column
from aftersales_app.tickets.status import state_map


def state_columns(width: int = 150) -> list[dict]:
	"""A ticket state and its category, the first columns of the reports by state."""
	return [
		column("workflow_state", "Workflow State", "Link", "Workflow State", width),
		column("category", "Category", width=width),
	]


def state_row(state: str | None) -> dict:
	"""The values of state_columns() for a state."""
	category = state_map().get(state, frappe._dict()).category or ""
	return {"workflow_state": state, "category": _(category, context="Service Ticket")}


def state_chart(rows: list[dict], datasets: list[tuple[str, str]], colors: list[str] | None = None) -> dict:
	"""A bar per state of `rows`; each dataset is (English name, the rows' field)."""
	labels = [_(row["workflow_state"]) for row in rows]
	values = [(name, [row[field] for row in rows]) for name, field in datasets]
	return bar_chart(labels, values, colors)
