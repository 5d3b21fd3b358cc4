# Copyright (c) 2026, aftersales_app developers and contributors
# For license information, please see license.txt

import re

import frappe
from frappe.tests.utils import FrappeTestCase

from aftersales_app.tests import world
from aftersales_app.tests.utils import make_user


class TestServiceTechnician(FrappeTestCase):
	def setUp(self):
		world.build()

	def tearDown(self):
		frappe.db.rollback()

	def test_active_technician_gets_the_technician_role(self):
		user = make_user("new.tech@aftersales-tests.example.com")
		self.assertNotIn("Service Technician", frappe.get_roles(user))
		frappe.get_doc(
			{
				"doctype": "Service Technician",
				"user": user,
				"skills": [{"skill": world.SKILL_AC}],
				"territories": [{"territory": world.EAST}],
			}
		).insert()
		self.assertIn("Service Technician", frappe.get_roles(user))

	def test_inactive_technician_is_not_given_the_role(self):
		user = make_user("idle.tech@aftersales-tests.example.com")
		frappe.get_doc({"doctype": "Service Technician", "user": user, "active": 0}).insert()
		self.assertNotIn("Service Technician", frappe.get_roles(user))

	def test_employee_of_another_user_is_refused_and_nothing_written(self):
		user = make_user("other.tech@aftersales-tests.example.com")
		someone_elses = frappe.db.get_value("Employee", {"user_id": world.TECH})
		with self.assertRaisesRegex(frappe.ValidationError, re.escape(world.TECH)):
			frappe.get_doc(
				{"doctype": "Service Technician", "user": user, "employee": someone_elses}
			).insert()
		self.assertFalse(frappe.db.exists("Service Technician", user))

	def test_skill_listed_twice_is_refused(self):
		user = make_user("twice.tech@aftersales-tests.example.com")
		with self.assertRaises(frappe.ValidationError):
			frappe.get_doc(
				{
					"doctype": "Service Technician",
					"user": user,
					"skills": [{"skill": world.SKILL_AC}, {"skill": world.SKILL_AC}],
				}
			).insert()
		self.assertFalse(frappe.db.exists("Service Technician", user))

	def test_one_technician_per_user(self):
		with self.assertRaises(frappe.DuplicateEntryError):
			frappe.get_doc({"doctype": "Service Technician", "user": world.TECH}).insert()

	def test_technician_can_read_but_not_edit_technicians(self):
		frappe.set_user(world.TECH_B)
		try:
			doc = frappe.get_doc("Service Technician", world.TECH)
			self.assertTrue(doc.has_permission("read"))
			self.assertFalse(doc.has_permission("write"))
			doc.capacity = 99
			with self.assertRaises(frappe.PermissionError):
				doc.save()
		finally:
			frappe.set_user("Administrator")
