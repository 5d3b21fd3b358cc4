"""The shipped ticket board loaded every ticket ever made (Frappe's kanban has no paging): it now
shows the open ones. A board whose filters an admin has saved is left as they saved it."""

import frappe

from aftersales_app.tickets.setup.kanban import KANBAN_BOARD, open_tickets_filter
from aftersales_app.tickets.status import FINAL_CATEGORIES


def execute():
	if not frappe.db.exists("Kanban Board", KANBAN_BOARD):
		return
	board = frappe.get_doc("Kanban Board", KANBAN_BOARD)
	if frappe.parse_json(board.filters or "[]"):
		return
	board.filters = open_tickets_filter()
	for column in board.columns:
		if column.column_name in FINAL_CATEGORIES:
			column.status = "Archived"
	board.save(ignore_permissions=True)
