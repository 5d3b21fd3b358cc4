"""Functions run in separate processes by the concurrency tests: each connects to the site on its
own, as separate app-server workers do."""

import time

import frappe

from aftersales_app.tests import world


def insert_tickets(site: str, sites_path: str, count: int, start_at: float) -> list[str]:
	"""Insert `count` tickets, committing each, all workers starting at the same instant."""
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	names = []
	try:
		time.sleep(max(0.0, start_at - time.time()))
		for i in range(count):
			doc = frappe.get_doc(
				{
					"doctype": "Service Ticket",
					"subject": f"并发测试 {i}",
					"customer": world.CUSTOMER,
					"ticket_type": "Repair",
				}
			).insert()
			frappe.db.commit()
			names.append(doc.name)
	finally:
		frappe.destroy()
	return names


def _as_user_at(site: str, sites_path: str, user: str, start_at: float, action, done: str) -> str:
	"""Run `action` as `user` in this process's own connection, starting at `start_at` (all workers
	at the same instant): `done` when it commits, else the name of the exception it raised."""
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	try:
		frappe.set_user(user)
		time.sleep(max(0.0, start_at - time.time()))
		try:
			action()
			frappe.db.commit()
			return done
		except Exception as e:
			frappe.db.rollback()
			return type(e).__name__
	finally:
		frappe.destroy()


def grab_ticket(site: str, sites_path: str, ticket: str, user: str, start_at: float) -> str:
	"""One technician's grab through the whitelisted method."""

	def grab():
		from aftersales_app.api.dispatch import grab_ticket as grab_method

		grab_method(ticket)

	return _as_user_at(site, sites_path, user, start_at, grab, "won")


def confirm_payment(site: str, sites_path: str, payment: str, user: str, start_at: float) -> str:
	"""One finance user's confirmation through the whitelisted method."""

	def confirm():
		from aftersales_app.api.payment import confirm_payment as confirm_method

		confirm_method(payment)

	return _as_user_at(site, sites_path, user, start_at, confirm, "confirmed")


def record_payment(site: str, sites_path: str, ticket: str, amount: float, user: str, start_at: float) -> str:
	"""One collector recording a cash payment."""

	def record():
		frappe.get_doc(
			{
				"doctype": "Service Payment",
				"service_ticket": ticket,
				"amount": amount,
				"mode_of_payment": frappe.db.get_value("Mode of Payment", {"type": "Cash"}),
				"collected_on": frappe.utils.nowdate(),
			}
		).insert()

	return _as_user_at(site, sites_path, user, start_at, record, "recorded")


def make_charge_invoice(site: str, sites_path: str, ticket: str, user: str, start_at: float) -> str:
	"""One click on *Make Charge Invoice*: the invoice's name, or the exception's."""
	result = {}

	def make():
		from aftersales_app.api.payment import make_charge_invoice as make_method

		result["invoice"] = make_method(ticket)["sales_invoice"]

	outcome = _as_user_at(site, sites_path, user, start_at, make, "made")
	return result.get("invoice") if outcome == "made" else outcome


def killed_during(
	site: str, sites_path: str, user: str, method: str, args: tuple, victim: str, when: str, call: int
):
	"""Run `method(*args)` as `user` and commit, as a worker does, but die (SIGKILL: no cleanup, no
	rollback, the database connection simply drops) around the `call`-th call of the function
	`victim` ("module.function"): `when` is "before" or "after" it, or "after-commit" (the victim is
	ignored: the process dies right after its commit, before answering)."""
	import importlib
	import os
	import signal

	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user(user)
	if when == "after-commit":
		frappe.get_attr(method)(*args)
		frappe.db.commit()
		os.kill(os.getpid(), signal.SIGKILL)
	module_name, _, name = victim.rpartition(".")
	module = importlib.import_module(module_name)
	original, calls = getattr(module, name), [0]

	def wrapper(*a, **kw):
		calls[0] += 1
		if calls[0] == call and when == "before":
			os.kill(os.getpid(), signal.SIGKILL)
		result = original(*a, **kw)
		if calls[0] == call and when == "after":
			os.kill(os.getpid(), signal.SIGKILL)
		return result

	setattr(module, name, wrapper)
	frappe.get_attr(method)(*args)
	frappe.db.commit()
	frappe.destroy()
