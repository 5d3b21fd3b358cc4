"""Birthday greetings (生日祝福) with frozen time: once a year on the contact's birthday, on their
preferred channel, never twice across reruns, again the next year; 29 February on the 28th in
other years; a template per customer group through the notification's condition."""

from datetime import datetime

import pytest
from freezegun import freeze_time

import frappe

from aftersales_app.customer_care import lifecycle as care
from aftersales_app.tests import world
from aftersales_app.tests.utils import make_customer, make_customer_group, make_ticket

pytestmark = pytest.mark.usefixtures("jobs_do_not_commit")


def contact_with_birthday(customer: str, birthday: str, email: str):
	make_customer(customer, phone="13733330000")
	name = frappe.db.get_value("Dynamic Link", {"link_name": customer, "parenttype": "Contact"}, "parent")
	frappe.db.set_value(
		"Contact", name, {"birthday": birthday, "email_id": email, "preferred_channel": "Email"}
	)
	return name


def greetings(contact: str) -> list:
	return frappe.get_all(
		"After-Sales Message",
		filters={"reference_doctype": "Contact", "reference_name": contact, "event": "birthday_greeting"},
		fields=["channel", "recipient", "subject", "message"],
		order_by="creation",
	)


def test_greeted_once_on_the_birthday_and_again_next_year():
	contact = contact_with_birthday("生日客户甲", "1985-12-03", f"birthday.a@{world.DOMAIN}")
	other = contact_with_birthday("生日客户乙", "1990-06-15", f"birthday.b@{world.DOMAIN}")
	with freeze_time(datetime(2026, 12, 2, 1, 0)):  # 09:00 on 2 December in Shanghai
		care.send_birthday_greetings()
	assert greetings(contact) == []
	with freeze_time(datetime(2026, 12, 3, 1, 0)):
		care.send_birthday_greetings()
		care.send_birthday_greetings()  # run twice: greeted once
	[greeting] = greetings(contact)
	assert (greeting.channel, greeting.recipient) == ("Email", f"birthday.a@{world.DOMAIN}")
	assert "生日快乐" in greeting.subject and "生日客户甲" in greeting.message
	assert greetings(other) == []
	with freeze_time(datetime(2027, 12, 3, 1, 0)):
		care.send_birthday_greetings()
	assert len(greetings(contact)) == 2


def test_born_on_29_february_greeted_on_the_28th_in_other_years():
	contact = contact_with_birthday("闰日客户", "1996-02-29", f"leap.day@{world.DOMAIN}")
	with freeze_time(datetime(2027, 2, 28, 1, 0)):
		assert contact in care.birthday_contacts()
	with freeze_time(datetime(2028, 2, 28, 1, 0)):
		assert contact not in care.birthday_contacts()  # a leap year: on the 29th
	with freeze_time(datetime(2028, 2, 29, 1, 0)):
		assert contact in care.birthday_contacts()


def test_a_template_per_customer_group_through_the_notifications_condition():
	group = make_customer_group("生日大客户组")
	vip = contact_with_birthday("生日大客户", "1980-12-03", f"birthday.vip@{world.DOMAIN}")
	frappe.db.set_value("Customer", "生日大客户", "customer_group", group)
	plain = contact_with_birthday("生日普通客户", "1980-12-03", f"birthday.plain@{world.DOMAIN}")
	other_group = frappe.db.get_value("Customer Group", {"is_group": 0, "name": ("!=", group)})
	frappe.db.set_value("Customer", "生日普通客户", "customer_group", other_group)
	general = frappe.db.get_value(
		"Notification", {"method": "aftersales_birthday_greeting", "channel": "Email"}
	)
	template = frappe.copy_doc(frappe.get_doc("Notification", general))
	template.update(
		{
			"name": "大客户生日祝福",
			"subject": "尊贵的{{ doc.first_name }}，生日快乐",
			"condition": f'doc.customer_group == "{group}"',
		}
	)
	template.insert(ignore_permissions=True)
	frappe.db.set_value("Notification", general, "condition", f'doc.customer_group != "{group}"')
	frappe.clear_document_cache("Notification", general)
	with freeze_time(datetime(2026, 12, 3, 1, 0)):
		care.send_birthday_greetings()
	first_name = frappe.db.get_value("Contact", vip, "first_name")
	assert [g.subject for g in greetings(vip)] == [f"尊贵的{first_name}，生日快乐"]
	assert len(greetings(plain)) == 1 and "尊贵" not in greetings(plain)[0].subject


def test_a_contact_without_a_way_to_reach_them_gets_nothing():
	contact = contact_with_birthday("生日无邮箱客户", "1975-12-03", "")
	frappe.db.set_value("Contact", contact, {"email_id": None, "mobile_no": None, "phone": None})
	with freeze_time(datetime(2026, 12, 3, 1, 0)):
		care.send_birthday_greetings()
	assert greetings(contact) == []


def test_lifecycle_active_dormant_lost_and_only_touched_customers_change():
	from frappe.utils import add_days

	from aftersales_app.tests.utils import make_sales_invoice

	with freeze_time(datetime(2026, 1, 10, 2, 0), tick=True):
		served = make_customer("生命周期客户甲")
		make_ticket(customer=served)
		bystander = make_customer("生命周期客户乙")
		frappe.db.set_value(
			"Customer",
			bystander,
			{"aftersales_last_activity": "2026-01-09", "aftersales_lifecycle": "Active"},
		)
	assert frappe.db.get_value("Customer", served, ["aftersales_lifecycle", "aftersales_last_activity"]) == (
		"Active",
		frappe.utils.getdate("2026-01-10"),
	)
	modified = frappe.db.get_value("Customer", bystander, "modified")
	care.update_lifecycles("2026-07-08")  # 179 days: still active
	assert frappe.db.get_value("Customer", served, "aftersales_lifecycle") == "Active"
	care.update_lifecycles("2026-07-09")  # 180 days
	assert frappe.db.get_value("Customer", served, "aftersales_lifecycle") == "Dormant"
	care.update_lifecycles(add_days("2026-01-10", 365))
	assert frappe.db.get_value("Customer", served, "aftersales_lifecycle") == "Lost"
	assert frappe.db.get_value("Customer", bystander, "modified") == modified  # never rewritten
	# a purchase makes a lost customer active again, that customer alone
	returning = make_customer("生命周期客户丙")
	frappe.db.set_value(
		"Customer", returning, {"aftersales_last_activity": "2025-01-01", "aftersales_lifecycle": "Lost"}
	)
	with freeze_time(datetime(2026, 3, 1, 2, 0), tick=True):
		make_sales_invoice(returning, world.PRODUCT, posting_date="2026-03-01")
	assert frappe.db.get_value(
		"Customer", returning, ["aftersales_lifecycle", "aftersales_last_activity"]
	) == (
		"Active",
		frappe.utils.getdate("2026-03-01"),
	)
	assert frappe.db.get_value("Customer", bystander, "aftersales_lifecycle") == "Lost"
	assert frappe.get_all(
		"Customer",
		filters={"aftersales_lifecycle": "Lost", "name": ("in", [served, bystander, returning])},
		pluck="name",
		order_by="name",
	) == sorted([served, bystander])


def test_the_lifecycle_job_reads_customers_by_index():
	from frappe.query_builder import DocType

	customer = DocType("Customer")
	sql = (
		frappe.qb.from_(customer)
		.select(customer.name)
		.where(customer.aftersales_last_activity <= "2026-01-01")
		.get_sql()
	)
	plan = frappe.db.sql(f"explain {sql}", as_dict=True)
	assert "aftersales_last_activity" in (plan[0].get("possible_keys") or ""), plan
