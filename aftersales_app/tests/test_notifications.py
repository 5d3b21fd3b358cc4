"""The app speaks: shipped Notification records, the event's own audience, the customer's preferred
channel, group robots and SMS delivered to a real local HTTP server (signatures checked the way
each platform checks them), one message per event and recipient, retries, and a ticket whose
notification fails still saved."""

import base64
import hashlib
import hmac
import json
import socket
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlparse

import pytest
from freezegun import freeze_time

import frappe
from frappe.tests.utils import change_settings

from aftersales_app.billing import payments
from aftersales_app.field_service import dispatch
from aftersales_app.notifications import outbox, robots
from aftersales_app.notifications.events import EVENTS
from aftersales_app.notifications.notify import notify
from aftersales_app.notifications.setup import make_notifications
from aftersales_app.tests import world
from aftersales_app.tests.utils import (
	as_user,
	force_state,
	make_dispatch_area,
	make_technician,
	make_ticket,
	make_user,
	returned_ticket,
)

# --- a local HTTP server standing in for the robots' and the SMS gateway's webhooks ----------------


class Recorder(BaseHTTPRequestHandler):
	def _answer(self):
		length = int(self.headers.get("Content-Length") or 0)
		body = self.rfile.read(length) if length else b""
		url = urlparse(self.path)
		self.server.requests.append(
			frappe._dict(
				path=url.path,
				query=parse_qs(url.query),
				raw_query=url.query,
				body=body,
				host=self.headers["Host"],
			)
		)
		# (status, JSON answer[, headers]) per path
		status, answer, *headers = self.server.answers.get(url.path, (200, {"errcode": 0, "code": 0}))
		payload = json.dumps(answer).encode()
		self.send_response(status)
		self.send_header("Content-Type", "application/json")
		for key, value in (headers[0] if headers else {}).items():
			self.send_header(key, value)
		self.send_header("Content-Length", str(len(payload)))
		self.end_headers()
		self.wfile.write(payload)

	do_POST = do_GET = _answer

	def log_message(self, *args):
		pass


@pytest.fixture
def webhooks(monkeypatch):
	"""The fake robots' server on a loopback port, which the site config lists (robots reach no
	other loopback address), and a listed port where nothing listens (a robot that is down)."""
	server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
	server.requests, server.answers = [], {}
	thread = threading.Thread(target=server.serve_forever, daemon=True)
	thread.start()
	server.url = f"http://127.0.0.1:{server.server_address[1]}"
	with socket.socket() as closed:
		closed.bind(("127.0.0.1", 0))
		server.down_url = f"http://127.0.0.1:{closed.getsockname()[1]}"
	monkeypatch.setitem(
		frappe.local.conf,
		robots.HOSTS_KEY,
		[server.url.removeprefix("http://"), server.down_url.removeprefix("http://")],
	)
	try:
		yield server
	finally:
		server.shutdown()
		server.server_close()


def messages(doc, event=None, **filters) -> list:
	return frappe.get_all(
		"After-Sales Message",
		filters={
			"reference_doctype": doc.doctype,
			"reference_name": doc.name,
			**({"event": event} if event else {}),
			**filters,
		},
		fields=[
			"name",
			"event",
			"channel",
			"recipient",
			"robot",
			"status",
			"subject",
			"message",
			"attempts",
			"error",
		],
		order_by="creation",
	)


def deliver_all(doc):
	for row in messages(doc, status="Queued"):
		outbox.deliver(row.name)


def notification_of(event: str, channel: str) -> str:
	return frappe.db.get_value(
		"Notification",
		{"method": EVENTS[event].method, "channel": channel, "document_type": EVENTS[event].doctype},
	)


# --- shipped records ---------------------------------------------------------------------------------


def test_every_event_ships_its_notifications_in_the_sites_language():
	for event in EVENTS.values():
		for shipped in event.shipped:
			name = notification_of(event.key, shipped.channel)
			assert name, (event.key, shipped.channel)
			doc = frappe.get_doc("Notification", name)
			assert doc.enabled and doc.event == "Method" and not doc.is_standard
			assert doc.message and any("\u4e00" <= c <= "\u9fff" for c in doc.message), doc.message  # Chinese


def test_the_admins_edits_and_deletions_survive_a_new_install_step():
	name = notification_of("pool_available", "System Notification")
	frappe.db.set_value("Notification", name, {"subject": "抢单啦 {{ doc.name }}", "enabled": 0})
	make_notifications()  # what install and the patch run: nothing the admin changed is undone
	assert frappe.db.get_value("Notification", name, ["subject", "enabled"]) == ("抢单啦 {{ doc.name }}", 0)
	frappe.delete_doc(
		"Notification", notification_of("payment_rejected", "System Notification"), ignore_permissions=True
	)
	make_notifications([EVENTS["urge_received"]])  # a later release's patch ships its new events only
	assert not notification_of("payment_rejected", "System Notification")


# --- audiences ----------------------------------------------------------------------------------------


def test_a_pool_ticket_tells_exactly_the_qualified_technicians():
	area = make_dispatch_area("通知片区")
	email = f"@{world.DOMAIN}"
	skilled = make_technician(f"notice.skilled{email}", skills=[area], territories=[area])
	second = make_technician(f"notice.second{email}", skills=[area], territories=[area])
	make_technician(f"notice.unskilled{email}", territories=[area])
	make_technician(f"notice.elsewhere{email}", skills=[area], territories=[world.EAST])
	make_technician(f"notice.away{email}", skills=[area], territories=[area], away=1)
	full = make_technician(f"notice.full{email}", skills=[area], territories=[area], capacity=1)
	dispatch.assign(force_state(make_ticket(ticket_type=area, territory=area), "Dispatching"), full.name)

	ticket = dispatch.put_in_pool(force_state(make_ticket(ticket_type=area, territory=area), "Dispatching"))
	rows = messages(ticket, "pool_available")
	# in the desk, and by e-mail: technicians are out on the road (SMS too, once a gateway is set)
	for channel in ("System Notification", "Email"):
		told = [r.recipient for r in rows if r.channel == channel]
		assert sorted(told) == sorted([skilled.user, second.user]), channel
	assert {r.channel for r in rows} == {"System Notification", "Email"}
	assert ticket.name in rows[0].subject

	dispatch.tell_pool(ticket)  # told again for the same round: nothing new
	assert len(messages(ticket, "pool_available")) == 4
	rows = [r for r in messages(ticket, "pool_available") if r.channel == "System Notification"]
	for row in rows:
		outbox.deliver(row.name)
	for user in (skilled.user, second.user):
		assert frappe.db.exists("Notification Log", {"document_name": ticket.name, "for_user": user})
	assert {r.status for r in rows} == {"Queued"} and {
		r.status for r in messages(ticket, "pool_available", channel="System Notification")
	} == {"Sent"}


@pytest.mark.usefixtures("jobs_do_not_commit")
def test_the_timeout_job_run_twice_tells_the_responsible_agent_once():
	start = datetime(2026, 11, 20, 2, 0, 0, 1000)
	with freeze_time(start, tick=True):
		ticket = as_user(world.AGENT, make_ticket)
		deadline = dispatch.assign(force_state(ticket, "Dispatching"), world.TECH).accept_deadline
	with freeze_time(start + timedelta(minutes=6), tick=True):
		dispatch.release_overdue_acceptances()
		dispatch.release_overdue_acceptances()
		# the same occurrence recorded again, as a job killed half-way and run again would
		ticket.reload()
		notify(ticket, "accept_timeout", f"timeout|{deadline}")
	rows = messages(ticket, "accept_timeout")
	assert [(r.channel, r.recipient) for r in rows] == [("System Notification", world.AGENT)]
	deliver_all(ticket)
	deliver_all(ticket)
	logs = frappe.get_all(
		"Notification Log", filters={"document_name": ticket.name, "for_user": world.AGENT}, pluck="subject"
	)
	assert len([s for s in logs if "按时" in s or "in time" in s]) == 1, logs


def test_transfer_request_and_answer_reach_the_agent_and_the_technician():
	area = make_dispatch_area("转派通知")
	first = make_technician(f"transfer.first@{world.DOMAIN}", skills=[area], territories=[area])
	colleague = make_technician(f"transfer.second@{world.DOMAIN}", skills=[area], territories=[area])
	ticket = as_user(world.AGENT, make_ticket, ticket_type=area, territory=area)
	ticket = dispatch.assign(force_state(ticket, "Dispatching"), first.name)
	ticket = as_user(first.user, dispatch.request_transfer, ticket, first.user, colleague.name, "明天休假")
	assert [r.recipient for r in messages(ticket, "transfer_requested")] == [world.AGENT]
	as_user(colleague.user, dispatch.answer_transfer, frappe.get_doc("Service Ticket", ticket.name), True)
	rows = messages(ticket, "transfer_answered")
	assert [r.recipient for r in rows] == [first.user]


# --- the customer, on their preferred channel ----------------------------------------------------------


def sms_gateway(url: str):
	settings = frappe.get_doc("SMS Settings")
	settings.update(
		{
			"sms_gateway_url": f"{url}/sms",
			"message_parameter": "text",
			"receiver_parameter": "mobile",
			"use_post": 1,
		}
	)
	settings.set("parameters", [{"parameter": "apikey", "value": "k-123", "header": 0}])
	settings.save(ignore_permissions=True)


def customer_with(preferred: str | None, phone: str, email: str | None = None):
	from aftersales_app.tests.utils import make_customer

	name = make_customer(f"通知客户 {preferred or '无'}", phone=phone)
	contact = frappe.db.get_value("Customer", name, "customer_primary_contact") or frappe.db.get_value(
		"Dynamic Link", {"link_name": name, "parenttype": "Contact"}, "parent"
	)
	frappe.db.set_value("Contact", contact, {"preferred_channel": preferred, "email_id": email})
	return name, contact


def test_a_customer_who_prefers_sms_gets_an_sms_through_the_gateway(webhooks):
	sms_gateway(webhooks.url)
	customer, contact = customer_with("SMS", "13722220001", f"sms.buyer@{world.DOMAIN}")
	ticket = returned_ticket(serial_no=None, customer=customer, contact=contact)  # the return slip
	assert ticket.status == "Awaiting Customer"
	rows = messages(ticket, "state_changed")
	assert [(r.channel, r.recipient) for r in rows] == [("SMS", "13722220001")]
	# the acknowledgement of the request went by SMS too
	assert [r.channel for r in messages(ticket, "request_received")] == ["SMS"]
	outbox.deliver(rows[0].name)
	assert messages(ticket, "state_changed")[0].status == "Sent"
	[request] = [r for r in webhooks.requests if r.path == "/sms"]
	form = parse_qs(request.body.decode())
	assert form["mobile"] == ["13722220001"] and form["apikey"] == ["k-123"]
	assert ticket.name in form["text"][0] and "工单" in form["text"][0]
	assert frappe.db.exists("SMS Log", {"sent_to": "13722220001"})


@pytest.fixture
def outgoing_mail(monkeypatch):
	"""An outgoing e-mail account (never connected to: the Email Queue is what the test reads).
	With one, Frappe's own assignment notice would send at once in tests, and its Email Queue
	commits: not what these tests are about. Frappe keeps the account found in frappe.local: it
	goes with the rolled-back account."""
	from frappe.desk.doctype.notification_log import notification_log

	monkeypatch.setattr(notification_log, "send_notification_email", lambda doc: None)
	account = frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": "After-Sales Outbox",
			"email_id": f"service@{world.DOMAIN}",
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"no_smtp_authentication": 1,
		}
	)
	account.flags.ignore_validate = True
	account.insert(ignore_permissions=True)
	yield account
	frappe.db.rollback()
	if hasattr(frappe.local, "outgoing_email_account"):
		del frappe.local.outgoing_email_account


def test_a_customer_with_an_email_gets_email_and_states_that_do_not_concern_them_stay_quiet(outgoing_mail):
	customer, contact = customer_with("Email", "13722220002", f"mail.buyer@{world.DOMAIN}")
	ticket = make_ticket(customer=customer, contact=contact)
	ticket = force_state(ticket, "Dispatching")
	ticket = dispatch.assign(ticket, world.TECH)  # Awaiting Acceptance: not the customer's news
	assert messages(ticket, "state_changed") == []
	ticket = as_user(world.TECH, dispatch.accept, ticket, world.TECH)
	[accepted] = messages(ticket, "ticket_accepted")
	assert (accepted.channel, accepted.recipient) == ("Email", f"mail.buyer@{world.DOMAIN}")
	assert world.TECH_NAME in accepted.message
	deliver_all(ticket)
	assert frappe.db.exists(
		"Email Queue", {"reference_doctype": "Service Ticket", "reference_name": ticket.name}
	)


# --- robots --------------------------------------------------------------------------------------------


def robot(name: str, platform: str, url: str, secret: str | None, notification: str, **values):
	return frappe.get_doc(
		{
			"doctype": "After-Sales Robot",
			"robot_name": name,
			"platform": platform,
			"webhook_url": url,
			"secret": secret,
			"notifications": [{"notification": notification}],
			**values,
		}
	).insert(ignore_permissions=True)


def test_robots_get_one_signed_message_each_checked_as_each_platform_checks(webhooks):
	pool = notification_of("pool_available", "System Notification")
	robot("企业微信群", "WeCom", f"{webhooks.url}/wecom?key=abc", None, pool)
	robot("飞书群", "Feishu", f"{webhooks.url}/feishu", "feishu-secret", pool)
	robot("钉钉群", "DingTalk", f"{webhooks.url}/dingtalk?access_token=t", "ding-secret", pool)
	robot("别的片区", "WeCom", f"{webhooks.url}/other", None, pool, territory=world.NORTH)
	ticket = dispatch.put_in_pool(force_state(make_ticket(), "Dispatching"))  # a ticket of world.EAST
	rows = [r for r in messages(ticket, "pool_available") if r.channel == "Robot"]
	assert sorted(r.robot for r in rows) == ["企业微信群", "钉钉群", "飞书群"]
	deliver_all(ticket)
	dispatch.tell_pool(ticket)
	deliver_all(ticket)  # nothing new: one request per robot
	by_path = {r.path: r for r in webhooks.requests}
	assert sorted(by_path) == ["/dingtalk", "/feishu", "/wecom"] and len(webhooks.requests) == 3

	wecom = json.loads(by_path["/wecom"].body)
	assert by_path["/wecom"].query["key"] == ["abc"]
	assert wecom["msgtype"] == "text" and ticket.name in wecom["text"]["content"]
	assert "抢单" in wecom["text"]["content"] or "工单池" in wecom["text"]["content"]

	feishu = json.loads(by_path["/feishu"].body)
	string_to_sign = f"{feishu['timestamp']}\nfeishu-secret".encode()
	expected = base64.b64encode(hmac.new(string_to_sign, b"", hashlib.sha256).digest()).decode()
	assert feishu["sign"] == expected and ticket.name in feishu["content"]["text"]

	ding = by_path["/dingtalk"]
	timestamp = ding.query["timestamp"][0]
	expected = base64.b64encode(
		hmac.new(b"ding-secret", f"{timestamp}\nding-secret".encode(), hashlib.sha256).digest()
	).decode()
	assert unquote_plus(ding.raw_query.split("sign=")[1]) == expected
	assert ding.query["access_token"] == ["t"]
	assert ticket.name in json.loads(ding.body)["text"]["content"]


def test_a_down_robot_is_retried_and_logged_and_the_ticket_is_saved(webhooks):
	pool = notification_of("pool_available", "System Notification")
	webhooks.answers["/refuses"] = (200, {"errcode": 310000, "errmsg": "sign not match"})
	robot("拒收群", "DingTalk", f"{webhooks.url}/refuses", "x", pool)
	robot("关机群", "WeCom", f"{webhooks.down_url}/down", None, pool)  # nothing listens there
	start = datetime(2026, 11, 20, 2, 0, 0)
	with freeze_time(start, tick=True):
		ticket = dispatch.put_in_pool(force_state(make_ticket(), "Dispatching"))
		assert frappe.db.get_value("Service Ticket", ticket.name, "in_pool") == 1  # saved
		deliver_all(ticket)
	rows = {r.robot: r for r in messages(ticket, "pool_available") if r.channel == "Robot"}
	for row in rows.values():
		assert (row.status, row.attempts) == ("Queued", 1) and row.error
	# a short status: the platform's error code, never what the server answered
	assert "310000" in rows["拒收群"].error and "sign not match" not in rows["拒收群"].error
	with freeze_time(start + timedelta(seconds=30), tick=True):
		assert outbox.deliver(rows["关机群"].name) == "Queued"  # not due yet: not tried
	minutes = 0
	for attempt in range(2, outbox.MAX_ATTEMPTS + 1):
		minutes += outbox.RETRY_MINUTES[attempt - 2] + 1
		with freeze_time(start + timedelta(minutes=minutes), tick=True):
			due = set(outbox.due_query().run(pluck=True))
			assert {r.name for r in rows.values()} <= due
			for row in rows.values():
				outbox.deliver(row.name)
	for row in messages(ticket, "pool_available"):
		if row.channel == "Robot":
			assert (row.status, row.attempts) == ("Failed", outbox.MAX_ATTEMPTS)
	assert frappe.db.exists("Error Log", {"method": ("like", f"%{rows['关机群'].name}%")})


def test_a_broken_template_is_logged_and_the_ticket_still_moves():
	name = notification_of("pool_available", "System Notification")
	frappe.db.set_value("Notification", name, "message", "{{ doc.name | no_such_filter }}")
	frappe.clear_document_cache("Notification", name)
	ticket = dispatch.put_in_pool(force_state(make_ticket(), "Dispatching"))
	assert ticket.status == "Awaiting Acceptance" and ticket.in_pool
	assert messages(ticket, "pool_available") == []
	assert frappe.db.exists(
		"Error Log", {"method": ("like", f"%pool_available of Service Ticket {ticket.name}%")}
	)


def test_the_outbox_is_the_apps_alone():
	ticket = dispatch.put_in_pool(force_state(make_ticket(), "Dispatching"))
	row = messages(ticket)[0]
	manager = make_user(f"notice.manager@{world.DOMAIN}", ["After-Sales Manager"])
	for user in (manager, "Administrator"):

		def forge():
			frappe.get_doc(
				{
					"doctype": "After-Sales Message",
					"channel": "Email",
					"recipient": "x@example.com",
					"status": "Sent",
				}
			).insert()

		def edit():
			doc = frappe.get_doc("After-Sales Message", row.name)
			doc.status = "Sent"
			doc.save()

		for attempt in (forge, edit):
			with pytest.raises(frappe.PermissionError):
				as_user(user, attempt)
	assert frappe.db.get_value("After-Sales Message", row.name, "status") == "Queued"


def test_the_delivery_query_reads_due_rows_by_index():
	sql = outbox.due_query(datetime(2026, 11, 20, 2, 0, 0)).get_sql()
	plan = frappe.db.sql(f"explain {sql}", as_dict=True)
	assert "status" in (plan[0].get("key") or ""), plan


@change_settings("After-Sales Settings", on_accept_timeout="Back to the Pool")
@pytest.mark.usefixtures("jobs_do_not_commit")
def test_a_timed_out_ticket_back_in_the_pool_is_offered_again():
	start = datetime(2026, 11, 20, 2, 0, 0, 1000)
	with freeze_time(start, tick=True):
		ticket = dispatch.assign(force_state(as_user(world.AGENT, make_ticket), "Dispatching"), world.TECH)
	with freeze_time(start + timedelta(minutes=6), tick=True):
		dispatch.release_overdue_acceptances()
	ticket.reload()
	assert ticket.in_pool
	assert world.TECH in {r.recipient for r in messages(ticket, "pool_available")}


def test_a_digest_notification_sends_each_recipient_one_message_an_hour():
	name = notification_of("pool_available", "System Notification")
	frappe.db.set_value("Notification", name, "aftersales_digest", 1)
	frappe.clear_document_cache("Notification", name)
	area = make_dispatch_area("汇总片区")
	first = make_technician(f"digest.first@{world.DOMAIN}", skills=[area], territories=[area])
	second = make_technician(f"digest.second@{world.DOMAIN}", skills=[area], territories=[area])
	tickets = [
		dispatch.put_in_pool(force_state(make_ticket(ticket_type=area, territory=area), "Dispatching"))
		for _ in range(3)
	]
	held = [r for t in tickets for r in messages(t, "pool_available", channel="System Notification")]
	assert len(held) == 6 and {r.status for r in held} == {"Held"}
	outbox.send_digests()
	outbox.send_digests()  # run twice: one digest each
	digests = frappe.get_all(
		"After-Sales Message",
		filters={"event": "digest", "recipient": ("in", [first.user, second.user])},
		fields=["name", "recipient", "subject", "message", "channel"],
	)
	assert sorted(d.recipient for d in digests) == sorted([first.user, second.user])
	for digest in digests:
		assert "3" in digest.subject and all(t.name in digest.message for t in tickets)
		outbox.deliver(digest.name)
		assert frappe.db.exists("Notification Log", {"for_user": digest.recipient, "subject": digest.subject})
	assert {
		r.status for t in tickets for r in messages(t, "pool_available", channel="System Notification")
	} == {"Digested"}


# --- a new request: the customer hears it arrived, its agent hears it is theirs --------------------


def test_a_portal_request_tells_the_customer_and_its_responsible_agent_and_mail_leaves_at_once(
	outgoing_mail,
):
	"""A portal request was silent: no outbox row, no agent told, no acknowledgement. Now the
	customer gets the ticket number and the agent's name at once (sent by the outbox's job, not at
	the scheduler's flush minutes later), and the responsible agent a desk notice."""
	from aftersales_app.api import portal

	frappe.db.set_value("Contact", {"user": world.PORTAL_USER}, "preferred_channel", "Email")
	answer = as_user(
		world.PORTAL_USER,
		portal.submit_request,
		subject="门户 空调异响",
		description="室外机噪音很大",
		serial_no=world.SERIAL_IN,
	)
	ticket = frappe.get_doc("Service Ticket", answer["name"])
	assert ticket.responsible_agent
	[ack] = messages(ticket, "request_received")
	assert (ack.channel, ack.recipient) == ("Email", world.PORTAL_USER)
	assert ticket.name in ack.subject and ticket.name in ack.message
	assert frappe.utils.get_fullname(ticket.responsible_agent) in ack.message
	[notice] = messages(ticket, "request_to_handle")
	assert (notice.channel, notice.recipient) == ("System Notification", ticket.responsible_agent)
	assert "门户 空调异响" in notice.subject
	outbox.deliver(ack.name)
	assert frappe.db.get_value("After-Sales Message", ack.name, "status") == "Sent"
	queued = frappe.get_all(
		"Email Queue",
		filters={"reference_doctype": "Service Ticket", "reference_name": ticket.name},
		pluck="status",
	)
	assert queued == ["Sent"]  # gone now, nothing left for the flush to send again


def test_an_agent_registering_a_call_is_not_told_of_their_own_ticket():
	ticket = as_user(world.AGENT, make_ticket, subject="电话报修 不制冷")
	assert ticket.responsible_agent == world.AGENT
	assert messages(ticket, "request_to_handle") == []
	assert len(messages(ticket, "request_received")) <= 1  # the customer, on their channel


def test_a_robot_posts_one_text_per_event_whatever_the_channels(webhooks):
	"""The same event's e-mail and desk texts were posted twice to each robot."""
	pool_desk = notification_of("pool_available", "System Notification")
	pool_mail = notification_of("pool_available", "Email")
	group = robot("片区群", "WeCom", f"{webhooks.url}/group?key=one", None, pool_desk)
	group.append("notifications", {"notification": pool_mail})
	group.save(ignore_permissions=True)
	ticket = dispatch.put_in_pool(force_state(make_ticket(), "Dispatching"))
	posts = [r for r in messages(ticket, "pool_available") if r.channel == "Robot"]
	assert [r.robot for r in posts] == ["片区群"]
	deliver_all(ticket)
	assert len([r for r in webhooks.requests if r.path == "/group"]) == 1
