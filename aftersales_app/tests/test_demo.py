"""The demo data a new site is loaded with (README command 1): complete, loaded twice without
duplicates, and apart from the tests' own world.

These tests load the demo into the test site (committed), so they run after every other test
(conftest.py orders tests marked `demo` last): the rest of the suite runs on the world alone.
"""

import pytest

import frappe

from aftersales_app.demo import data as demo
from aftersales_app.tests import world

pytestmark = pytest.mark.demo


def test_the_world_shares_no_record_with_the_demo():
	"""A change to the demo cannot break a test: the world names none of the demo's records."""

	def names(dataset):
		return {
			"customer": {c[0] for c in dataset.customers},
			"contact": {dataset.email(c[3]) for customer in dataset.customers for c in customer[3]},
			"phone": {c[2] for customer in dataset.customers for c in customer[3]},
			"item": {i[0] for i in dataset.items},
			"serial": {s[0] for s in dataset.serials},
			"user": {dataset.email(s[0]) for s in dataset.staff + dataset.technicians},
			"territory": set(dataset.territories),
			"skill": {s[0] for s in dataset.skills},
			"item group": {dataset.item_group},
		}

	ours, demos = names(world.WORLD), names(demo.DEMO)
	for kind in ours:
		assert not ours[kind] & demos[kind], kind
	assert not world.WORLD.tickets  # the world's tickets are each test's own


def test_demo_data_is_complete():
	demo.load()
	for name, *_ in demo.CUSTOMERS:
		assert frappe.db.get_value("Customer", name, "customer_primary_contact")
		assert frappe.db.get_value("Customer", name, "customer_primary_address")
	status = dict(
		frappe.get_all(
			"Serial No",
			filters={"name": ("like", "SN-%")},
			fields=["name", "maintenance_status"],
			as_list=True,
		)
	)
	assert status["SN-AC-0001"] == "Under Warranty"
	assert status["SN-AC-0002"] == "Out of Warranty"
	assert status["SN-AC-0003"] == "Under AMC"
	assert status["SN-AC-0004"] == "Out of AMC"
	assert status["SN-PU-0002"] is None  # no dates: later derived from the invoice
	tech = frappe.get_doc("Service Technician", demo.demo_email("tech.zhou"))
	assert tech.active and tech.capacity == 5
	assert [s.skill for s in tech.skills] == ["空调维修", "安装调试"]
	assert [t.territory for t in tech.territories] == ["华东"]
	assert frappe.db.get_value("Employee", tech.employee, "user_id") == tech.user
	assert "Service Technician" in frappe.get_roles(tech.user)
	assert "Service Agent" in frappe.get_roles(demo.demo_email("agent"))


def test_demo_data_loads_twice_without_duplicates():
	demo.load()
	counted = {
		dt: frappe.db.count(dt)
		for dt in (
			"Customer",
			"Contact",
			"Address",
			"Item",
			"Serial No",
			"User",
			"Employee",
			"Service Technician",
			"Service Skill",
			"Territory",
		)
	}
	created = demo.load()
	assert all(n == 0 for n in created.values()), created
	assert counted == {dt: frappe.db.count(dt) for dt in counted}
	customers = [c[0] for c in demo.CUSTOMERS]
	links = {"parenttype": "Contact", "link_doctype": "Customer", "link_name": ("in", customers)}
	assert frappe.db.count("Dynamic Link", links) == sum(len(c[3]) for c in demo.CUSTOMERS)
