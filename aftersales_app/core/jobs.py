"""The body of the app's scheduler jobs that work through rows one by one (accept timeouts,
escalations, surveys): each row in a transaction of its own, committed when done, so a job killed
half way keeps what it did and its next run does the rest; a row that fails is rolled back alone
and logged, and the others go on."""

import frappe


def each(names, action, title: str):
	"""`action(name)` for each name; `title` (with `{0}` for the name) heads a failure's Error Log."""
	for name in names:
		frappe.db.savepoint("job_row")
		try:
			action(name)
		except Exception:
			frappe.db.rollback(save_point="job_row")
			frappe.log_error(title=title.format(name))
		frappe.db.commit()  # one row at a time: what was done stays done
