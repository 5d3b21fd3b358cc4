"""The kanban board of tickets by state category."""

import frappe

from aftersales_app.tickets.status import FINAL_CATEGORIES, OPEN_CATEGORIES, state_map

KANBAN_BOARD = "Service Tickets"
KANBAN_COLOURS = {
	"red": "Red",
	"orange": "Orange",
	"yellow": "Yellow",
	"green": "Green",
	"cyan": "Cyan",
	"blue": "Blue",
	"light-blue": "Light Blue",
	"purple": "Purple",
	"pink": "Pink",
	"gray": "Gray",
	"darkgrey": "Gray",
}


def open_tickets_filter() -> str:
	"""Frappe's kanban loads every document its filters match (no paging): the board shows the
	open tickets, which a person can look at, not years of closed ones."""
	return frappe.as_json([["Service Ticket", "status", "in", list(OPEN_CATEGORIES)]])


def make_kanban_board():
	"""A kanban board of tickets by state category (Frappe's kanban needs a Select field; with the
	shipped workflow each category holds one state). Categories no state uses are archived.
	Dragging a card does not move a ticket: the status follows the workflow. Closed, rejected and
	cancelled tickets stay off the board (open_tickets_filter)."""
	from frappe.desk.doctype.kanban_board.kanban_board import quick_kanban_board

	if frappe.db.exists("Kanban Board", KANBAN_BOARD):
		return
	board = quick_kanban_board("Service Ticket", KANBAN_BOARD, "status")
	board.fields = frappe.as_json(["customer_name", "workflow_state", "assigned_technician"])
	board.filters = open_tickets_filter()
	used = {}
	for row in state_map().values():
		used.setdefault(row.category, row.color)
	for column in board.columns:
		if column.column_name in used and column.column_name not in FINAL_CATEGORIES:
			column.indicator = KANBAN_COLOURS.get(used[column.column_name] or "", "Gray")
		else:
			column.status = "Archived"
	board.save(ignore_permissions=True)
