"""Exceptions the app raises, so callers and tests can tell the reasons apart."""

import frappe


class SerialNoCustomerMismatchError(frappe.ValidationError):
	pass


class SerialNoItemMismatchError(frappe.ValidationError):
	pass


class InvoiceMismatchError(frappe.ValidationError):
	pass


class ContactMismatchError(frappe.ValidationError):
	pass


class StateEditError(frappe.PermissionError):
	pass


class StatusFollowsWorkflowError(frappe.ValidationError):
	pass


class AlreadyTakenError(frappe.ValidationError):
	pass


class NotQualifiedError(frappe.ValidationError):
	pass


class WrongStateError(frappe.ValidationError):
	pass


class VisitScheduleError(frappe.ValidationError):
	pass


class VisitTimeError(frappe.ValidationError):
	pass


class VisitPermissionError(frappe.PermissionError):
	pass


class VisitPartError(frappe.ValidationError):
	pass


class SerialSwapError(frappe.ValidationError):
	pass


class StockIssueError(frappe.ValidationError):
	pass


class PartsIssuedError(frappe.ValidationError):
	pass


class ReturnSlipError(frappe.ValidationError):
	pass


class TicketNotInProgressError(ReturnSlipError):
	pass


class NotLastVisitError(ReturnSlipError):
	pass


class ChargeInvoiceError(frappe.ValidationError):
	pass


class PaymentAmountError(frappe.ValidationError):
	pass


class PaymentStateError(frappe.ValidationError):
	pass


class UrgeTooSoonError(frappe.ValidationError):
	"""A ticket is urged once an hour at most."""


class ReturnStepError(frappe.ValidationError):
	"""A return's step out of order, done already, or missing what it needs."""
