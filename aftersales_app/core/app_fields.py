"""Fields that only the app writes, shared by the controllers of Service Ticket, Service Visit and
Service Payment (frappe/hrms keeps shared controller behaviour in mixins the same way).

Frappe does not enforce `read_only` on the server: a REST `PUT`, `frappe.client.set_value`, a
Data Import or a desk form can send any field. So every save of these documents goes through
`guard_app_fields` first (the controller's `validate` calls it):

- `computed_fields`: amounts, warranty, times, counts … that the app computes. A client's value is
  ignored: the stored value is put back (a new document starts from the field's default) before
  the controller computes them again. A desk form opened before finance confirmed a payment
  therefore cannot write its stale amounts back.
- `action_fields`: ownership and action results (who the ticket is assigned to, a visit's
  technician and check-in, a payment's ticket and finance's confirmation …). A client's change is
  refused with a clear message; the app's actions change them with `app_action(doc)`.
- every text is cleaned (aftersales_app.core.text) whoever saves it.

Only the app's own flows, and the repair tool (aftersales_app.core.field_repair) an Administrator runs on
the server, set `doc.flags.app_action`; no request can.
"""

from contextlib import contextmanager
from typing import ClassVar

import frappe
from frappe import _
from frappe.utils import cint, cstr, flt, get_datetime, getdate

from aftersales_app.core.text import clean_doc_text


class AppFieldChangeError(frappe.PermissionError):
	"""A field that only the app's actions change was sent by a client."""


class AppFieldsMixin:
	computed_fields: tuple[str, ...] = ()
	# fieldname → the exception a client's change raises (AppFieldChangeError when None)
	action_fields: ClassVar[dict[str, type | None]] = {}
	# action fields a new document may carry (the controller checks their values)
	create_fields: tuple[str, ...] = ()
	# longest texts, by fieldname (aftersales_app.core.text.DEFAULT_LIMITS otherwise)
	text_limits: ClassVar[dict[str, int]] = {}

	def guard_app_fields(self):
		clean_doc_text(self, self.text_limits)
		if self.flags.app_action:
			return
		before = None if self.is_new() else self.get_doc_before_save()
		for fieldname in self.computed_fields:
			self.set(
				fieldname, before.get(fieldname) if before else default_of(self.meta.get_field(fieldname))
			)
		for fieldname, error in self.action_fields.items():
			df = self.meta.get_field(fieldname)
			old = before.get(fieldname) if before else default_of(df)
			if normalise(df, old) == normalise(df, self.get(fieldname)):
				continue
			if (not before and fieldname in self.create_fields) or self.may_change(fieldname):
				continue
			frappe.throw(
				_("{0} is set by the app's actions, not by editing the {1}").format(
					frappe.bold(_(df.label, context=self.doctype)), _(self.doctype)
				),
				error or AppFieldChangeError,
				title=_("Not Permitted"),
			)

	def may_change(self, fieldname: str) -> bool:
		"""Controllers allow a change of an action field to some users in some states."""
		return False


@contextmanager
def app_action(*docs):
	"""The app's own flow writes computed and action fields of `docs` in this block."""
	for doc in docs:
		doc.flags.app_action = True
	try:
		yield docs[0] if len(docs) == 1 else docs
	finally:
		for doc in docs:
			doc.flags.app_action = False


def save_as_app(doc, **kwargs):
	"""Save `doc` as one of the app's actions (see app_action)."""
	with app_action(doc):
		return doc.save(**kwargs)


def default_of(df):
	if df.fieldtype in ("Check", "Int"):
		return cint(df.default)
	if df.fieldtype in ("Float", "Currency", "Percent"):
		return flt(df.default)
	if df.default and df.fieldtype in ("Select", "Data", "Link") and not df.default.startswith(":"):
		return df.default
	return None


def normalise(df, value):
	"""Values as the database keeps them, so "2026-05-01" and date(2026, 5, 1) compare equal."""
	if value in (None, ""):
		return None
	if df.fieldtype == "Date":
		return getdate(value)
	if df.fieldtype == "Datetime":
		return get_datetime(value)
	if df.fieldtype in ("Check", "Int"):
		return cint(value) or None
	if df.fieldtype in ("Float", "Currency", "Percent"):
		return flt(value) or None
	return cstr(value)
