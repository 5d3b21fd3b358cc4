"""Secrets in messages and robots as a proxy (issue 26), tried as staff and as the server would:

- a survey and a check-up offer sent to the customer (by e-mail, SMS, and with robots subscribed
  the old way) leave their one-time token in no table a manager or agent reads over REST, nor in a
  robot's message, nor in Frappe's own copies (Email Queue, SMS Log); the customer's mail carries
  it and the link works, on pages that send no Referer;
- a robot posts staff events only: refused at save, skipped at send, removed by the patch;
- a robot's webhook reaches its platform only: the forbidden address kinds are refused at save (REST
  as the manager, nothing written) even where the site config lists the host, and a row changed in
  the database to one of them is refused at send without a connection; the address checked is the
  address called; redirects are not followed; what a robot answers is never stored;
- what a customer typed reaches the chat as quoted text: no line, link or mention of its own."""

import json
import re
import socket
import threading
from urllib.parse import parse_qs

import pytest
import requests

import frappe
from frappe.utils import nowdate

from aftersales_app.api import portal as portal_api
from aftersales_app.core import guest_limits
from aftersales_app.customer_care import maintenance_reminders as reminders
from aftersales_app.customer_care import surveys
from aftersales_app.field_service import dispatch
from aftersales_app.notifications import outbox, robots, secrets
from aftersales_app.tests import test_notifications as notifications_tests
from aftersales_app.tests import world
from aftersales_app.tests.mail import TOKEN, send_and_read
from aftersales_app.tests.test_notifications import customer_with, messages, notification_of, sms_gateway
from aftersales_app.tests.test_surveys import confirmed_ticket, survey_of
from aftersales_app.tests.utils import as_user, force_state, make_ticket

# the fake robots' (and SMS gateway's) server on a loopback port the site config lists
webhooks = notifications_tests.webhooks

RESOURCE = "/api/resource/"
# every table a staff role could read over REST where a message or its copy could rest
READ_SWEEP = (
	"After-Sales Message",
	"Email Queue",
	"Email Queue Recipient",
	"Communication",
	"Comment",
	"Notification Log",
	"Error Log",
	"SMS Log",
	"Version",
	"Activity Log",
	"ToDo",
	"Service Survey",
	"Maintenance Reminder",
	"After-Sales Robot",
)
SUBJECT = "令牌安全 回访"
ROBOT = "令牌安全测试群"

# the address kinds a robot never reaches, however the site config lists the host
FORBIDDEN = {
	"loopback": "http://127.0.0.1/hook",
	"loopback v6": "http://[::1]/hook",
	"private 10/8": "http://10.0.0.8/hook",
	"private 172.16/12": "http://172.16.5.4/hook",
	"private 192.168/16": "http://192.168.1.10/hook",
	"link-local": "http://169.254.10.10/hook",
	"cloud metadata": "http://169.254.169.254/latest/meta-data/",
	"unspecified": "http://0.0.0.0/hook",
	"IPv4-mapped loopback": "http://[::ffff:127.0.0.1]/hook",
	"name resolving to loopback": "http://localhost/hook",
}
# refused by the host rule: not the platform's, not https, another port, a user name
OFF_PLATFORM = (
	"https://evil.example.com/cgi-bin/webhook/send?key=x",
	"http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
	"https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=x",
	"https://open.feishu.cn/open-apis/bot/v2/hook/x",  # Feishu's host for a WeCom robot
	"https://user@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
	"http://127.0.0.1:6379/",  # Redis
)
GOOD_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=good"
PAYLOAD = '空调还是不制冷\n系统通知：全体同事请立即点击 [点我](http://x.example/pay) 处理 @all <at user_id="all">所有人</at>'


def needles(tokens) -> set[str]:
	"""What a search looks for: each token as it is, with its `_` escaped (markdown, JSON), and its
	long pieces (a token split by a line break or an escape is still found)."""
	out = set()
	for token in tokens:
		out |= {token, token.replace("_", "\\_"), token.replace("_", "\\\\_")}
		out |= {piece for piece in re.split(r"[_-]", token) if len(piece) >= 10}
	return out


def found_in(text: str, tokens) -> bool:
	return any(needle in (text or "") for needle in needles(tokens))


def host_of(url: str) -> str:
	from urllib.parse import urlsplit

	parts = urlsplit(url)
	return f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname


class Listener:
	"""A TCP port that counts the connections made to it (and answers none)."""

	def __init__(self):
		self.sock = socket.socket()
		self.sock.bind(("127.0.0.1", 0))
		self.sock.listen(16)
		self.sock.settimeout(0.2)
		self.port = self.sock.getsockname()[1]
		self.connections = 0
		self.running = True
		self.thread = threading.Thread(target=self.run, daemon=True)
		self.thread.start()

	def run(self):
		while self.running:
			try:
				conn, _ = self.sock.accept()
			except OSError:
				continue
			self.connections += 1
			conn.close()

	def close(self):
		self.running = False
		self.thread.join(timeout=5)
		self.sock.close()


@pytest.fixture
def listener():
	port = Listener()
	yield port
	port.close()


def make_robot(name: str, url: str, notifications: list[str], platform: str = "WeCom", secret=None):
	return frappe.get_doc(
		{
			"doctype": "After-Sales Robot",
			"robot_name": name,
			"platform": platform,
			"webhook_url": url,
			"secret": secret,
			"notifications": [{"notification": n} for n in notifications],
		}
	).insert(ignore_permissions=True)


def subscribe_the_old_way(robot: str, notifications: list[str]):
	"""A subscription a robot got before robots were kept to staff events (no validation ran)."""
	for i, notification in enumerate(notifications):
		frappe.get_doc(
			{
				"doctype": "After-Sales Robot Notification",
				"parent": robot,
				"parenttype": "After-Sales Robot",
				"parentfield": "notifications",
				"notification": notification,
				"idx": 50 + i,
				"name": frappe.generate_hash(length=10),
			}
		).db_insert()


def pool_ticket(**values):
	return dispatch.put_in_pool(force_state(make_ticket(**values), "Dispatching"))


def robot_rows(doc, event=None):
	return [r for r in messages(doc, event) if r.channel == "Robot"]


def sent_bodies(server) -> str:
	return "\n".join(r.body.decode() for r in server.requests)


# --- tokens -------------------------------------------------------------------------------------------


def cleanup_committed(ticket_subject: str, offer_keys: tuple = (), robots_made: tuple = ()):
	frappe.db.rollback()
	references = []
	for name in frappe.get_all("Service Ticket", filters={"subject": ticket_subject}, pluck="name"):
		surveys_of = frappe.get_all("Service Survey", filters={"service_ticket": name}, pluck="name")
		references += [name, *surveys_of]
		frappe.db.delete("Service Survey", {"service_ticket": name})
		frappe.delete_doc("Service Ticket", name, force=True, ignore_permissions=True)
	for key in offer_keys:
		for offer in frappe.get_all("Maintenance Reminder", filters={"reminder_key": key}, pluck="name"):
			references.append(offer)
			frappe.db.delete("ToDo", {"reference_type": "Maintenance Reminder", "reference_name": offer})
			frappe.db.delete("Maintenance Reminder", {"name": offer})
	for reference in references:
		for doctype, field in (
			("After-Sales Message", "reference_name"),
			("Email Queue", "reference_name"),
			("Notification Log", "document_name"),
		):
			frappe.db.delete(doctype, {field: reference})
	for robot in robots_made:
		frappe.db.delete("After-Sales Message", {"robot": robot})
		frappe.delete_doc(
			"After-Sales Robot", robot, force=True, ignore_permissions=True, ignore_missing=True
		)
	frappe.db.commit()


def test_no_token_rests_where_staff_read_it_and_the_customer_still_gets_it(
	live_server, api_url, api_headers, webhooks, report
):
	key = f"token-safety|{frappe.generate_hash(length=8)}"
	site = {"Host": frappe.local.site}
	try:
		follow_up = notification_of("maintenance_follow_up", "System Notification")
		make_robot(ROBOT, f"{webhooks.url}/wecom?key=k", [follow_up])
		subscribe_the_old_way(
			ROBOT,
			[
				notification_of("survey_due", "Email"),
				notification_of("survey_due", "SMS"),
				notification_of("maintenance_offer", "Email"),
				notification_of("maintenance_offer", "SMS"),
			],
		)
		ticket = confirmed_ticket(subject=SUBJECT)
		survey = surveys.send(survey_of(ticket).name)
		offer = reminders.make_offer(
			customer=world.CUSTOMER,
			source=reminders.SERVICE_PERIOD,
			due_date=nowdate(),
			key=key,
			serial_no=world.SERIAL_IN,
		)
		rows = messages(survey) + messages(offer)
		# the robot posts the agent's follow-up, never the customer's mails
		assert [(r.event, r.robot) for r in rows if r.channel == "Robot"] == [
			("maintenance_follow_up", ROBOT)
		]
		mails = {r.event: r for r in rows if r.channel == "Email" and r.recipient == world.PORTAL_USER}
		assert set(mails) == {"survey_due", "maintenance_offer"}
		for row in mails.values():
			assert secrets.placeholder("link") in row.message and "token=" not in row.message
		# the customer's mails as they went out carry the links
		tokens = {event: TOKEN.search(send_and_read(row.name)).group(1) for event, row in mails.items()}
		for row in rows:
			outbox.deliver(row.name)
		assert webhooks.requests, "the robot got its staff message"
		frappe.db.commit()  # the live server reads what is committed

		# nothing at rest: the outbox rows (every field, sealed values dropped) and Frappe's copies
		for row in messages(survey) + messages(offer):
			stored = frappe.db.get_value("After-Sales Message", row.name, "*", as_dict=True)
			assert row.status == "Sent" and not stored.sealed, row
			assert not found_in(json.dumps(stored, default=str), tokens.values())
		queued = frappe.get_all(
			"Email Queue",
			filters={"reference_name": ("in", [survey.name, offer.name])},
			fields=["status", "message"],
		)
		assert len([q for q in queued if q.status == "Sent"]) == 2
		assert not any(found_in(q.message, tokens.values()) for q in queued)
		assert not found_in(sent_bodies(webhooks), tokens.values())

		# the sweep over REST as the manager and the agent
		hits, statuses = [], {}
		for user in (world.MANAGER, world.AGENT):
			headers = api_headers(user)
			for doctype in READ_SWEEP:
				answer = requests.get(
					f"{api_url}{RESOURCE}{doctype}",
					params={"fields": '["*"]', "limit_page_length": 0},
					headers=headers,
					timeout=60,
				)
				statuses[(user, doctype)] = answer.status_code
				hits += [(user, doctype)] if found_in(answer.text, tokens.values()) else []
			for row in rows:
				answer = requests.get(
					f"{api_url}{RESOURCE}After-Sales Message/{row.name}", headers=headers, timeout=60
				)
				statuses[(user, row.name)] = answer.status_code
				hits += [(user, row.name)] if found_in(answer.text, tokens.values()) else []
		report(
			f"token sweep: {len(statuses)} REST reads as manager and agent, {len(hits)} tokens found; "
			f"readable: {sorted({d for (u, d), s in statuses.items() if s == 200 and d in READ_SWEEP})}"
		)
		assert hits == []
		# the sweep read the outbox as the manager (it is theirs to read) and no Email Queue
		assert statuses[(world.MANAGER, "After-Sales Message")] == 200
		assert all(statuses[(u, "Email Queue")] == 403 for u in (world.MANAGER, world.AGENT))

		# the customer's links work, on pages that pass no Referer on
		guest_limits.reset()
		page = requests.get(
			f"{api_url}/survey", params={"token": tokens["survey_due"]}, headers=site, timeout=30
		)
		assert page.status_code == 200 and 'id="as-survey-form"' in page.text, (
			surveys.by_token(tokens["survey_due"]),
			survey.name,
			{e: (r.name, r.reference_name) for e, r in mails.items()},
		)
		assert page.headers.get("Referrer-Policy") == "no-referrer"
		assert '<meta name="referrer" content="no-referrer">' in page.text
		page = requests.get(
			f"{api_url}/check-up", params={"token": tokens["maintenance_offer"]}, headers=site, timeout=30
		)
		assert page.status_code == 200 and f'data-reminder="{offer.name}"' in page.text
		assert page.headers.get("Referrer-Policy") == "no-referrer"
	finally:
		cleanup_committed(SUBJECT, (key,), (ROBOT,))
		guest_limits.reset()


def test_an_sms_link_goes_to_the_gateway_and_rests_nowhere(webhooks):
	"""The customer who prefers SMS: the gateway gets the link; the outbox row and the SMS Log keep
	the placeholder."""
	sms_gateway(webhooks.url)
	customer, contact = customer_with("SMS", "13722220077", f"sms.token@{world.DOMAIN}")
	offer = reminders.make_offer(
		customer=customer,
		source=reminders.SERVICE_PERIOD,
		due_date=nowdate(),
		key="sms-token",
		contact=contact,
	)
	[row] = [r for r in messages(offer, "maintenance_offer")]
	assert (row.channel, row.recipient) == ("SMS", "13722220077")
	assert secrets.placeholder("link") in row.message
	assert outbox.deliver(row.name) == "Sent"
	[request] = [r for r in webhooks.requests if r.path == "/sms"]
	token = TOKEN.search(parse_qs(request.body.decode())["text"][0]).group(1)
	assert reminders.by_token(token) == offer.name  # the link the customer got works
	stored = frappe.db.get_value("After-Sales Message", row.name, "*", as_dict=True)
	assert not found_in(json.dumps(stored, default=str), [token]) and not stored.sealed
	logs = frappe.get_all("SMS Log", filters={"sent_to": "13722220077"}, pluck="message")
	assert logs and not any(found_in(m, [token]) for m in logs)


def test_a_staff_copy_of_a_customer_mail_gets_the_placeholder_only():
	"""An admin copies the survey mail to a staff address: that copy never gets the link."""
	doc = frappe.get_doc("Notification", notification_of("survey_due", "Email"))
	doc.append("recipients", {"cc": f"quality@{world.DOMAIN}"})
	doc.save(ignore_permissions=True)
	ticket = confirmed_ticket(subject="令牌 抄送")
	survey = surveys.send(survey_of(ticket).name)
	rows = {r.recipient: r for r in messages(survey, "survey_due")}
	assert set(rows) == {world.PORTAL_USER, f"quality@{world.DOMAIN}"}
	customer, staff = rows[world.PORTAL_USER], rows[f"quality@{world.DOMAIN}"]
	assert frappe.db.get_value("After-Sales Message", customer.name, "sealed")
	assert not frappe.db.get_value("After-Sales Message", staff.name, "sealed")
	assert TOKEN.search(send_and_read(customer.name))
	copy = send_and_read(staff.name)
	assert "token=" not in copy and secrets.placeholder("link") in copy


def test_a_mail_that_does_not_go_out_keeps_its_link_sealed_and_the_queue_holds_none(monkeypatch):
	"""Outgoing mail muted: the Email Queue row keeps no link and is not left for Frappe to send; the
	outbox tries again with the link still sealed, and drops it when it gives up."""
	ticket = confirmed_ticket(subject="令牌 静音")
	survey = surveys.send(survey_of(ticket).name)
	[row] = messages(survey, "survey_due")
	monkeypatch.setitem(frappe.local.flags, "mute_emails", True)
	from aftersales_app.tests.mail import outgoing_account

	with outgoing_account():
		assert outbox.deliver(row.name) == "Queued"
	stored = frappe.db.get_value(
		"After-Sales Message", row.name, ["attempts", "error", "sealed"], as_dict=True
	)
	assert stored.attempts == 1 and stored.sealed and "MailNotSent" in stored.error
	[queued] = frappe.get_all(
		"Email Queue", filters={"reference_name": survey.name}, fields=["status", "message"]
	)
	assert queued.status == "Error" and "token=" not in queued.message
	frappe.db.set_value("After-Sales Message", row.name, "attempts", outbox.MAX_ATTEMPTS - 1)
	frappe.db.set_value("After-Sales Message", row.name, "next_attempt", frappe.utils.now_datetime())
	with outgoing_account():
		assert outbox.deliver(row.name) == "Failed"
	assert not frappe.db.get_value("After-Sales Message", row.name, "sealed")
	assert not secrets.unseal(row.name)


# --- robots post staff events only ---------------------------------------------------------------------


def test_a_robot_cannot_subscribe_to_a_customer_notification():
	manager = world.MANAGER
	for event in ("survey_due", "maintenance_offer", "ticket_accepted", "state_changed", "return_step"):
		name = notification_of(event, "Email")

		def subscribe(name=name):
			make_robot("客户消息群", GOOD_URL, [name])

		with pytest.raises(frappe.ValidationError) as refused:
			as_user(manager, subscribe)
		assert type(refused.value).__name__ == "CustomerNotificationError", event
	assert not frappe.db.exists("After-Sales Robot", "客户消息群")
	make_robot("员工消息群", GOOD_URL, [notification_of("pool_available", "System Notification")])


def test_a_queued_robot_copy_of_a_customer_message_is_not_posted(webhooks):
	"""A robot's copy of a customer message queued before this release (or by any other path) fails
	at send without a request."""
	make_robot(
		"旧队列群", f"{webhooks.url}/wecom?key=k", [notification_of("pool_available", "System Notification")]
	)
	ticket = pool_ticket()
	name = outbox.add(
		ticket,
		"ticket_accepted",
		"old",
		notification_of("ticket_accepted", "Email"),
		"Robot",
		"旧队列群",
		"工单已受理",
		"您的工单已受理",
		robot="旧队列群",
	)
	assert outbox.deliver(name) == "Failed"
	assert frappe.db.get_value("After-Sales Message", name, "error").startswith("RobotAddressRefused")
	assert [r for r in webhooks.requests if r.path == "/wecom"] == []


def test_the_patch_removes_customer_subscriptions_and_seals_old_links():
	from aftersales_app.patches.v15_0 import seal_one_time_links_and_staff_robots as patch

	pool = notification_of("pool_available", "System Notification")
	make_robot("旧机器人", GOOD_URL, [pool])
	subscribe_the_old_way("旧机器人", [notification_of("survey_due", "Email")])
	ticket = confirmed_ticket(subject="旧链接")
	survey = surveys.send(survey_of(ticket).name)
	[row] = messages(survey, "survey_due")
	old_link = f"{frappe.utils.get_url()}/survey?token=OLDTOKEN-abc_123"
	# a row written before links were sealed: the link in its text
	frappe.db.set_value(
		"After-Sales Message",
		row.name,
		{"message": f"请评价：{old_link}", "sealed": None},
		update_modified=False,
	)
	secrets.drop(row.name)
	patch.execute()
	patch.execute()  # twice: nothing more changes
	assert [n.notification for n in frappe.get_doc("After-Sales Robot", "旧机器人").notifications] == [pool]
	stored = frappe.db.get_value("After-Sales Message", row.name, ["message", "status"], as_dict=True)
	assert "OLDTOKEN" not in stored.message and secrets.placeholder("link") in stored.message
	assert secrets.unseal(row.name) == {"link": old_link}  # still to send: its link sealed
	assert "OLDTOKEN" in send_and_read(row.name)


# --- robots reach only their platforms --------------------------------------------------------------


def test_forbidden_addresses_are_refused_at_save_over_rest_even_when_listed(
	live_server, api_url, api_headers
):
	"""The manager PUTs each forbidden webhook: refused with a clear message, nothing written; the
	site config lists every one of those hosts, so the address rule refuses them, not the host list."""
	from frappe.installer import update_site_config

	name = "地址测试群"
	try:
		make_robot(name, GOOD_URL, [notification_of("pool_available", "System Notification")])
		frappe.db.commit()
		headers = api_headers(world.MANAGER)
		update_site_config(robots.HOSTS_KEY, [host_of(url) for url in FORBIDDEN.values()])
		refused = {}
		for kind, url in [*FORBIDDEN.items(), *((u, u) for u in OFF_PLATFORM)]:
			answer = requests.put(
				f"{api_url}{RESOURCE}After-Sales Robot/{name}",
				json={"webhook_url": url},
				headers=headers,
				timeout=60,
			)
			refused[kind] = (answer.status_code, "RobotAddressRefused" in answer.text)
			frappe.db.rollback()
			assert frappe.db.get_value("After-Sales Robot", name, "webhook_url") == GOOD_URL, kind
		assert refused == {kind: (417, True) for kind in refused}, refused
		# the message says why, in words
		answer = requests.put(
			f"{api_url}{RESOURCE}After-Sales Robot/{name}",
			json={"webhook_url": FORBIDDEN["cloud metadata"]},
			headers=headers,
			timeout=60,
		)
		assert "169.254.169.254" in answer.text
		# the door works: the platform's own host is taken
		good = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=other"
		answer = requests.put(
			f"{api_url}{RESOURCE}After-Sales Robot/{name}",
			json={"webhook_url": good},
			headers=headers,
			timeout=60,
		)
		assert answer.status_code == 200, answer.text
		frappe.db.rollback()
		assert frappe.db.get_value("After-Sales Robot", name, "webhook_url") == good
	finally:
		update_site_config(robots.HOSTS_KEY, "None")
		frappe.db.rollback()
		frappe.delete_doc("After-Sales Robot", name, force=True, ignore_permissions=True, ignore_missing=True)
		frappe.db.commit()


def test_each_platform_takes_its_own_hosts_only():
	for platform, hosts in robots.PLATFORM_HOSTS.items():
		for host in hosts:
			robots.check_url(platform, f"https://{host}/hook?key=x", at_save=True)
		other = next(h for p, hs in robots.PLATFORM_HOSTS.items() if p != platform for h in hs)
		with pytest.raises(robots.RobotAddressRefused):
			robots.check_url(platform, f"https://{other}/hook", at_save=True)


@pytest.mark.parametrize(
	"kind", ["loopback", "name resolving to loopback", "IPv4-mapped loopback", "listed without its port"]
)
def test_a_row_changed_in_the_database_is_refused_at_send_without_a_connection(
	kind, webhooks, listener, monkeypatch
):
	robot = make_robot(
		"改库群", f"{webhooks.url}/wecom", [notification_of("pool_available", "System Notification")]
	)
	url = {
		"loopback": f"http://127.0.0.1:{listener.port}/x",
		"name resolving to loopback": f"http://localhost:{listener.port}/x",
		"IPv4-mapped loopback": f"http://[::ffff:127.0.0.1]:{listener.port}/x",
		"listed without its port": "http://localhost/x",
	}[kind]
	if kind == "listed without its port":
		monkeypatch.setitem(
			frappe.local.conf, robots.HOSTS_KEY, [*frappe.conf[robots.HOSTS_KEY], "localhost"]
		)
	ticket = pool_ticket()
	[row] = robot_rows(ticket, "pool_available")
	frappe.db.set_value("After-Sales Robot", robot.name, "webhook_url", url)  # past the form's checks
	assert outbox.deliver(row.name) == "Failed"  # for good: no retry calls it either
	stored = frappe.db.get_value("After-Sales Message", row.name, ["attempts", "error"], as_dict=True)
	assert stored.attempts == 1 and stored.error.startswith("RobotAddressRefused")
	assert listener.connections == 0 and webhooks.requests == []


def test_a_retry_follows_an_edit_only_after_checking_it(webhooks, listener):
	"""A message queued for a good address, the address then edited to a forbidden one: the retry
	fails instead of calling it."""
	robot = make_robot(
		"重试群", f"{webhooks.url}/refuses", [notification_of("pool_available", "System Notification")]
	)
	webhooks.answers["/refuses"] = (200, {"errcode": 45009, "errmsg": "busy"})
	ticket = pool_ticket()
	[row] = robot_rows(ticket, "pool_available")
	assert outbox.deliver(row.name) == "Queued"  # refused by the robot: retried later
	frappe.db.set_value("After-Sales Robot", robot.name, "webhook_url", f"http://127.0.0.1:{listener.port}/")
	frappe.db.set_value("After-Sales Message", row.name, "next_attempt", frappe.utils.now_datetime())
	assert outbox.deliver(row.name) == "Failed"
	assert listener.connections == 0 and len(webhooks.requests) == 1


def test_the_address_checked_is_the_address_called(webhooks, monkeypatch):
	"""A listed name resolves once; whatever it resolves to afterwards (here a metadata address), the
	request goes to the address checked, with the webhook's own Host header."""
	port = webhooks.server_address[1]
	monkeypatch.setitem(frappe.local.conf, robots.HOSTS_KEY, [f"robots.example.test:{port}"])
	real = socket.getaddrinfo
	answers = []

	def resolver(host, *args, **kwargs):
		if host == "robots.example.test":
			answers.append(host)
			address = "127.0.0.1" if len(answers) % 2 else "169.254.169.254"
			return real(address, *args, **kwargs)
		return real(host, *args, **kwargs)

	monkeypatch.setattr(socket, "getaddrinfo", resolver)
	make_robot(
		"固定地址群",
		f"http://robots.example.test:{port}/pinned",
		[notification_of("pool_available", "System Notification")],
	)
	answers.clear()
	ticket = pool_ticket()
	[row] = robot_rows(ticket, "pool_available")
	assert outbox.deliver(row.name) == "Sent"
	assert len(answers) == 1  # resolved once, then connected to that address
	[request] = webhooks.requests
	assert request.path == "/pinned" and request.host == f"robots.example.test:{port}"
	# the next send resolves again and finds the metadata address: refused, nothing sent
	second = pool_ticket()
	[row] = robot_rows(second, "pool_available")
	assert outbox.deliver(row.name) == "Failed" and len(webhooks.requests) == 1


def test_what_a_robot_answers_is_never_stored_and_redirects_are_not_followed(webhooks, listener):
	leak = "INTERNAL-ANSWER redis_version:7.2.4 " * 40
	webhooks.answers.update(
		{
			"/errcode": (200, {"errcode": 93000, "errmsg": leak}),
			"/broken": (500, {"detail": leak}),
			"/html": (200, leak),
			"/moved": (302, {"detail": leak}, {"Location": f"http://127.0.0.1:{listener.port}/x"}),
		}
	)
	pool = notification_of("pool_available", "System Notification")
	for path in ("errcode", "broken", "html", "moved"):
		make_robot(f"回答{path}", f"{webhooks.url}/{path}", [pool])
	ticket = pool_ticket()
	rows = {r.robot: r.name for r in robot_rows(ticket, "pool_available")}
	for name in rows.values():
		outbox.deliver(name)
	errors = {
		robot: frappe.db.get_value("After-Sales Message", name, "error") for robot, name in rows.items()
	}
	for robot, error in errors.items():
		assert error and "INTERNAL-ANSWER" not in error and len(error) <= 100, (robot, error)
	assert "93000" in errors["回答errcode"] and "500" in errors["回答broken"] and "302" in errors["回答moved"]
	assert listener.connections == 0
	# failed for good: the Error Log holds the same short status
	for name in rows.values():
		frappe.db.set_value(
			"After-Sales Message", name, {"attempts": outbox.MAX_ATTEMPTS - 1, "next_attempt": None}
		)
		outbox.deliver(name)
	logs = frappe.get_all("Error Log", filters={"method": ("like", "After-Sales Message %")}, pluck="error")
	assert logs and not any("INTERNAL-ANSWER" in (log or "") for log in logs)


# --- user text in robot messages ---------------------------------------------------------------------


def test_a_customers_words_reach_the_chat_as_quoted_text(webhooks):
	"""The customer disputes the resolution with a forged notice, a markdown link and mentions: each
	robot (three platforms) gets one line of theirs, quoted, with none of it working."""
	disputed = notification_of("resolution_disputed", "System Notification")
	make_robot("企业微信群", f"{webhooks.url}/wecom?key=k", [disputed])
	make_robot("飞书群", f"{webhooks.url}/feishu", [disputed], platform="Feishu", secret="s")
	make_robot(
		"钉钉群", f"{webhooks.url}/dingtalk?access_token=t", [disputed], platform="DingTalk", secret="s"
	)
	ticket = force_state(
		make_ticket(assigned_technician=world.TECH, resolution="<p>已修复</p>"), "Awaiting Customer"
	)
	as_user(world.PORTAL_USER, portal_api.dispute_resolution, ticket.name, reason=PAYLOAD)
	rows = robot_rows(ticket, "resolution_disputed")
	assert len(rows) == 3
	for row in rows:
		assert outbox.deliver(row.name) == "Sent"
	texts = {}
	for request in webhooks.requests:
		body = json.loads(request.body)
		texts[request.path] = (
			body["content"]["text"] if request.path == "/feishu" else body["text"]["content"]
		)
	assert sorted(texts) == ["/dingtalk", "/feishu", "/wecom"]
	for path, text in texts.items():
		assert "点我" in text and "所有人" in text, (path, text)
		lines = text.split("\n")
		assert not any(line.lstrip().startswith("系统通知") for line in lines), (path, text)
		assert "](" not in text and "[点我]" not in text and "http://" not in text, (path, text)
		assert "@all" not in text and "<at" not in text and "<@" not in text, (path, text)
		assert "「空调还是不制冷 系统通知：" in text, (path, text)
		quoted = text[text.index("「空调") :]
		assert "」" in quoted and "\n" not in quoted[: quoted.index("」")], (path, text)
	# the staff's own desk notice keeps the reason as it was written (it is not a chat)
	notice = [r for r in messages(ticket, "resolution_disputed") if r.channel == "System Notification"]
	assert notice and "系统通知" in notice[0].message


def test_the_placeholder_and_quotes_survive_every_channel_format():
	from aftersales_app.notifications import chat_text

	assert chat_text.quote("a\r\nb\u2028c\u202ed") == "「a b cd」"
	assert chat_text.quote("「闭合」 then") == "「『闭合』 then」"
	assert chat_text.quote("&lt;at user_id=&quot;all&quot;&gt;") == '「＜at user_id="all"＞」'
	assert chat_text.quote("www.x.cn https://y") == "「www［.］x.cn https［:］//y」"
	text = frappe.utils.md_to_html(f"点这里 {secrets.placeholder('link')}")
	assert secrets.placeholder("link") in frappe.utils.strip_html(text)


def test_a_staff_event_still_reaches_an_allowed_robot(webhooks):
	make_robot(
		"正常群", f"{webhooks.url}/wecom?key=k", [notification_of("pool_available", "System Notification")]
	)
	ticket = pool_ticket(subject="正常 工单")
	[row] = robot_rows(ticket, "pool_available")
	assert outbox.deliver(row.name) == "Sent"
	[request] = webhooks.requests
	assert ticket.name in json.loads(request.body)["text"]["content"]
