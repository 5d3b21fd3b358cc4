"""Birthday greetings (生日祝福) with frozen time: once a year on the contact's birthday, on their
preferred channel, never twice across reruns, again the next year; 29 February on the 28th in
other years; a template per customer group through the notification's condition."""

from datetime import datetime

import pytest
from freezegun import freeze_time

import frappe

from aftersales_app import care
from aftersales_app.tests import world
from aftersales_app.tests.utils import make_customer, make_customer_group

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
