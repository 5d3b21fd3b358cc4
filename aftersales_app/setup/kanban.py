"""The kanban board of tickets by state category."""

import frappe

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


def make_kanban_board():
	"""A kanban board of tickets by state category (Frappe's kanban needs a Select field; with the
	shipped workflow each category holds one state). Categories no state uses are archived.
	Dragging a card does not move a ticket: the status follows the workflow."""
	from frappe.desk.doctype.kanban_board.kanban_board import quick_kanban_board

	from aftersales_app.status import state_map

	if frappe.db.exists("Kanban Board", KANBAN_BOARD):
		return
	board = quick_kanban_board("Service Ticket", KANBAN_BOARD, "status")
	board.fields = frappe.as_json(["customer_name", "workflow_state", "assigned_technician"])
	used = {}
	for row in state_map().values():
		used.setdefault(row.category, row.color)
	for column in board.columns:
		if column.column_name in used:
			column.indicator = KANBAN_COLOURS.get(used[column.column_name] or "", "Gray")
		else:
			column.status = "Archived"
	board.save(ignore_permissions=True)
