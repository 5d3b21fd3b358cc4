"""Row locks that serialise the app's read-then-write steps (two confirmations, two clicks on
*Make Charge Invoice*, two stock issues of one visit, two grabs).

MariaDB's REPEATABLE READ gives a transaction the snapshot of its first read: after waiting for a
lock, plain reads would still miss what the other transaction committed, and the step would work
on stale data (a lost update, or Frappe's "document has been modified" on save). A transaction
that has written nothing yet is therefore ended first, so that the next one, and its snapshot,
start at the lock.
"""

from contextlib import contextmanager

import frappe


def lock(doctype: str, name: str) -> bool:
	"""Lock the row of `doctype` `name` until the transaction ends; False when it does not exist."""
	if not frappe.db.transaction_writes:
		frappe.db.commit()  # nothing written yet: ends the old snapshot (see above)
	return bool(frappe.db.get_value(doctype, name, "name", for_update=True))


@contextmanager
def all_or_nothing(name: str):
	"""Roll back to a savepoint when the block fails, so that a refused step writes nothing even
	inside a longer transaction (a request rolls back anyway; tests and scripts do not)."""
	frappe.db.savepoint(name)
	try:
		yield
	except Exception:
		frappe.db.rollback(save_point=name)
		raise
