# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from aftersales_app.core.app_fields import AppFieldsMixin
from aftersales_app.core.roles import TECHNICIAN as TECHNICIAN_ROLE


class ServiceTechnician(AppFieldsMixin, Document):
	# when dispatch last gave the technician a ticket (round robin among equals): dispatch's alone
	computed_fields = ("last_assigned_on",)

	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from aftersales_app.field_service.doctype.service_technician_skill.service_technician_skill import (
			ServiceTechnicianSkill,
		)
		from aftersales_app.field_service.doctype.service_technician_territory.service_technician_territory import (
			ServiceTechnicianTerritory,
		)

		active: DF.Check
		away: DF.Check
		capacity: DF.Int
		employee: DF.Link | None
		holiday_list: DF.Link | None
		last_assigned_on: DF.Datetime | None
		mobile_no: DF.Data | None
		skills: DF.TableMultiSelect[ServiceTechnicianSkill]
		technician_name: DF.Data | None
		territories: DF.TableMultiSelect[ServiceTechnicianTerritory]
		user: DF.Link

	# end: auto-generated types
	def validate(self):
		self.guard_app_fields()
		self.validate_employee_user()
		self.validate_duplicates()

	def on_update(self):
		self.grant_technician_role()

	def validate_employee_user(self):
		"""An employee already linked to another user cannot be this technician."""
		if not self.employee:
			return
		employee_user = frappe.db.get_value("Employee", self.employee, "user_id")
		if employee_user and employee_user != self.user:
			frappe.throw(
				_("Employee {0} belongs to user {1}, not to {2}").format(
					frappe.bold(self.employee), frappe.bold(employee_user), frappe.bold(self.user)
				),
				title=_("Wrong Employee"),
			)

	def validate_duplicates(self):
		for table, field, label in (
			("skills", "skill", _("Skill")),
			("territories", "territory", _("Territory")),
		):
			seen = set()
			for row in self.get(table):
				if row.get(field) in seen:
					frappe.throw(_("{0} {1} is listed twice").format(label, frappe.bold(row.get(field))))
				seen.add(row.get(field))

	def grant_technician_role(self):
		"""An active technician's user gets the Service Technician role, as ERPNext's Employee does
		for its user: without it the technician could not open their tickets."""
		if not self.active or self.user in ("Administrator", "Guest"):
			return
		if TECHNICIAN_ROLE not in frappe.get_roles(self.user):
			frappe.get_doc("User", self.user).add_roles(TECHNICIAN_ROLE)
