"""Fill a benchmark site with synthetic after-sales data, fast (issue #17, "Fast at scale").

Tops a site up to a number of synthetic Service Tickets (10 k, 100 k, 1 M) with what such tickets
come with: customers with serial-numbered products, 60 technicians who can log in, each ticket's
status log along the workflow's path to its state, visits and payments. The shape is that of a few
years of a real after-sales desk: tickets spread over the last three years, about nine in ten
closed, a few cancelled or rejected, a small open tail from the last sixty days spread over the
workflow's categories, and a pool of POOL_SIZE tickets that is the same at every size, so the pool
benchmark reads the same pool at 10 k and at 1 M.

Rows go in as multi-row INSERTs (Rows.flush), CHUNK tickets and everything that belongs
to them per transaction. No controller or hook runs, which is the point: a million tickets through
their documents would take days. So the generator writes what the app's flows would have written,
reading from the site what the site decides (the active workflow, its states' categories in
After-Sales Settings, ticket types, the service level agreement, modes of payment) and calling the
app where the app decides (charge basis, escalation points, customer lifecycle thresholds).

Every synthetic row carries a BENCH name prefix (tickets ST-BENCH-0000001 …, which the naming
series ST-YYYYMMDD-#### never produces); `--clear` removes them. Each ticket, customer and
technician comes from its own seeded random generator, so a rerun, or a top-up from 10 k to 100 k,
gives the same rows as one run to 100 k (times are relative to the moment of the run).

Run it as the bench user with the bench's Python (it finds the sites folder: see sites_path):

    cd frappe-bench/apps/aftersales_app
    ../../env/bin/python benchmarks/generate.py --site aftersales-bench.localhost --tickets 100000
    ../../env/bin/python benchmarks/generate.py --site aftersales-bench.localhost --clear

benchmarks/run loads this file by path and calls `generate(tickets)` and `clear()` on the site it
has connected. Keep the site's scheduler disabled while benchmarking: its jobs release acceptance
deadlines and escalate open tickets, which would change the data between runs.
"""

import argparse
import functools
import json
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict, deque
from datetime import date, datetime, timedelta
from itertools import pairwise

from pypika.analytics import RowNumber
from pypika.functions import Date
from pypika.terms import Parameter

import frappe
from frappe.model.workflow import get_workflow
from frappe.query_builder import Case
from frappe.query_builder.functions import Max
from frappe.utils import add_months, cint, flt, get_system_timezone, now_datetime
from frappe.utils.password import Auth, passlibctx

from aftersales_app.billing import charging as billing
from aftersales_app.core import roles
from aftersales_app.customer_care import lifecycle as care
from aftersales_app.tickets import escalation, warranty
from aftersales_app.tickets import status as st

SEED = 17
CHUNK = 2000
POOL_SIZE = 60
TECHNICIANS = 60
# The first technicians never carry an open ticket of the generator and serve every territory with
# every skill: they stay under capacity at every size, so aftersales_app.field_service.dispatch.pool_tickets_for
# gives them the whole pool at 10 k as at 1 M.
POOL_READY = 5
TICKETS_PER_CUSTOMER = 10
# at least one customer per pool ticket, so the pool is not one customer's
MIN_CUSTOMERS = POOL_SIZE
MAX_CUSTOMERS = 100_000
YEARS = 3
OPEN_DAYS = 60
# A pool ticket's acceptance deadline: far enough ahead that the pool is still there when the
# benchmarks run, whatever the site's accept timeout.
POOL_DEADLINE_DAYS = 30
PASSWORD = "aftersales"  # the demo users' password (README), for the technicians' logins
# rows per DELETE, customers per pass of the end's updates
SLICE = 20_000

TICKET = "ST-BENCH-"
LOG = "STL-BENCH-"
VISIT = "SV-BENCH-"
PAYMENT = "SP-BENCH-"
TODO = "TD-BENCH-"
CUSTOMER = "BENCH-CUST-"
SERIAL = "SN-BENCH-"
TECH = "bench-tech-"
TECH_DOMAIN = "@aftersales.example.com"

# the random streams, one per kind of row
TICKET_STREAM, CUSTOMER_STREAM, TECHNICIAN_STREAM = 1, 2, 3

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
GIVEN = "伟芳娜英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华国志文博宇浩然轩欣怡涵思远晨曦燕梅鹏飞婷玲佳琪俊凯鑫斌辉亮健龙峰"
CITIES = (
	"北京 上海 广州 深圳 杭州 南京 苏州 成都 武汉 西安 天津 重庆 青岛 厦门 宁波 无锡 长沙 郑州 合肥 济南 "
	"福州 东莞 佛山 大连 沈阳 昆明"
).split()
BRANDS = "华信 明德 粤海 恒达 瑞丰 嘉禾 金桥 远航 鼎盛 宏图 众诚 新锐 天成 博远 盛世 国泰 东方 万通 华美 中和".split()
INDUSTRIES = (
	"科技 贸易 餐饮管理 物业管理 酒店管理 机电设备 商贸 建筑工程 医疗器械 教育咨询 物流 食品 电子".split()
)
COMPANY_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")

FAULTS = {
	"空调": ("不制冷", "不制热", "漏水", "外机噪音大", "显示故障代码 E{n}", "遥控失灵", "有异味", "频繁启停"),
	"热水器": ("打不着火", "水温忽冷忽热", "漏水", "显示故障代码 E{n}", "噪音大", "使用中熄火"),
	"净水": ("滤芯到期提醒", "出水慢", "漏水", "不出水", "水有异味", "频繁启动"),
	"": ("无法开机", "噪音大", "漏水", "显示故障代码 E{n}", "外观破损"),
}
ENGLISH_SUBJECTS = ("{item}: not working", "Error code E{n} on {item}", "Leaking water", "Strange noise")
CONSULTATIONS = ("如何清洗滤网", "遥控器设置", "节能模式怎么用", "滤芯更换方法")
COMPLAINTS = ("投诉：师傅上门迟到", "投诉：维修后问题复现", "投诉：收费不透明", "投诉：客服电话打不通")
DETAILS = ("已使用{n}年", "请尽快安排上门", "下午家里有人", "周末方便", "之前修过一次", "急用，请优先处理")
DIAGNOSES = (
	"压缩机绕组短路",
	"启动电容老化",
	"冷媒泄漏",
	"主板故障",
	"温度传感器损坏",
	"排水管堵塞",
	"风扇电机卡滞",
	"点火针积碳",
	"滤芯堵塞",
	"电磁阀故障",
	"用户操作不当",
	"安装不规范",
)
SOLUTIONS = (
	"更换压缩机，补充冷媒，试机正常",
	"更换启动电容，试机正常",
	"检漏补焊，加注冷媒",
	"更换主板，试机正常",
	"清洗疏通排水管",
	"更换滤芯，冲洗管路",
	"指导客户正确使用",
	"重新安装固定，试机正常",
)
HOLD_REASONS = ("等待配件到货", "客户要求改期上门", "等待厂家技术支持", "客户暂时联系不上")
DISPUTE_REASONS = ("客户反映问题仍未解决", "客户对维修结果不满意")

# ticket types and channels as an after-sales desk sees them (types the site added weigh UNKNOWN_TYPE)
TYPE_WEIGHTS = {
	"Repair": 60,
	"Maintenance Check": 12,
	"Installation": 10,
	"Usage Consultation": 7,
	"Service Complaint": 4,
	"Product Exchange": 4,
	"Product Return": 3,
}
UNKNOWN_TYPE = 3
# the share of a type's tickets that someone goes out for (other types: 5 %)
ON_SITE = {"Installation": 0.95, "Maintenance Check": 0.9, "Product Exchange": 0.8, "Repair": 0.5}
REMOTE_TYPES = ("Usage Consultation", "Service Complaint")
CHANNELS = {"Phone": 45, "WeChat": 20, "Web Portal": 15, "App": 10, "Email": 5, "Walk-in": 3, "API": 2}

FINAL_SHARES = {st.CLOSED: 92.0, st.CANCELLED: 4.5, st.REJECTED: 3.5}
# how long a ticket waits in a category before its next move: (shortest, longest) in seconds
DWELL = {
	st.OPEN: (300, 7200),
	st.PENDING_REVIEW: (300, 4 * 3600),
	st.DISPATCHING: (300, 3 * 3600),
	st.AWAITING_ACCEPTANCE: (30, 300),
	st.IN_PROGRESS: (2 * 3600, 3 * 86400),
	st.ON_HOLD: (4 * 3600, 5 * 86400),
	st.AWAITING_CUSTOMER: (1800, 3 * 86400),
	st.AWAITING_PAYMENT: (600, 7 * 86400),
	st.PAYMENT_SUBMITTED: (3600, 2 * 86400),
	st.AWAITING_REVISIT: (2 * 3600, 3 * 86400),
}
# The category of an open ticket by its age in days: new ones wait for review and dispatch, older
# ones for parts, the customer or the money. A ticket under a day old is open most of the time,
# one of a month now and then, one older than OPEN_DAYS never (OPEN_SHARE, OPEN_DECAY_DAYS).
OPEN_WEIGHTS = (
	(
		1,
		{
			st.OPEN: 10,
			st.PENDING_REVIEW: 22,
			st.DISPATCHING: 15,
			st.AWAITING_ACCEPTANCE: 10,
			st.IN_PROGRESS: 35,
			st.AWAITING_CUSTOMER: 8,
			st.AWAITING_PAYMENT: 5,
			st.AWAITING_REVISIT: 5,
		},
	),
	(
		7,
		{
			st.PENDING_REVIEW: 3,
			st.DISPATCHING: 4,
			st.AWAITING_ACCEPTANCE: 2,
			st.IN_PROGRESS: 35,
			st.ON_HOLD: 10,
			st.AWAITING_CUSTOMER: 18,
			st.AWAITING_PAYMENT: 12,
			st.PAYMENT_SUBMITTED: 6,
			st.AWAITING_REVISIT: 10,
		},
	),
	(
		OPEN_DAYS,
		{
			st.IN_PROGRESS: 15,
			st.ON_HOLD: 25,
			st.AWAITING_CUSTOMER: 15,
			st.AWAITING_PAYMENT: 25,
			st.PAYMENT_SUBMITTED: 8,
			st.AWAITING_REVISIT: 12,
		},
	),
)
OPEN_SHARE, OPEN_DECAY_DAYS = 0.95, 15
# (from category, out to category, chance): a declined acceptance, a hold, a disputed resolution,
# a revisit that found the fault unsolved
DETOURS = (
	(st.AWAITING_ACCEPTANCE, st.DISPATCHING, 0.04),
	(st.IN_PROGRESS, st.ON_HOLD, 0.07),
	(st.AWAITING_CUSTOMER, st.IN_PROGRESS, 0.03),
	(st.AWAITING_REVISIT, st.IN_PROGRESS, 0.01),
)
MONEY = (st.AWAITING_PAYMENT, st.PAYMENT_SUBMITTED)
FINANCE_ROLES = {roles.ACCOUNTS_USER, roles.ACCOUNTS_MANAGER}


def stream(seed: int, kind: int, index: int) -> random.Random:
	"""The random generator of one row: the same row whatever else the run makes."""
	return random.Random((seed << 40) ^ (kind << 34) ^ index)


def pick(rng: random.Random, weights: dict):
	keys = list(weights)
	return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def spread(rng: random.Random, low: float, high: float) -> float:
	"""Seconds between `low` and `high`, log-uniform: most waits are short, a few are long."""
	return math.exp(rng.uniform(math.log(low), math.log(high)))


def person(rng: random.Random) -> str:
	return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


# --- the site --------------------------------------------------------------------------------------


class Workflow:
	"""The active Service Ticket workflow as a graph of states, each with its category from
	After-Sales Settings: paths are found by category, never by a state's name (admins rename
	states and actions)."""

	def __init__(self):
		workflow = get_workflow("Service Ticket")
		mapping = st.state_map()
		self.states = [row.state for row in workflow.states]
		self.category = {state: mapping[state].category for state in self.states if state in mapping}
		self.categories = set(self.category.values())
		self.first = st.first_state()
		self.edges: dict[str, list[str]] = defaultdict(list)
		# (state, next state) → [(action, role)], in the workflow's order
		self.moves: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
		for row in sorted(workflow.transitions, key=lambda t: t.idx):
			if row.next_state not in self.edges[row.state]:
				self.edges[row.state].append(row.next_state)
			self.moves[(row.state, row.next_state)].append((row.action, row.allowed))
		self.routes: dict[tuple[str, bool], tuple[str, ...] | None] = {}
		self.detours: dict[tuple[str, str], tuple[str, ...] | None] = {}

	def path(self, start: str, category: str, avoid: frozenset = frozenset()) -> list[str] | None:
		"""The shortest run of states from `start` to a state of `category` through no state of an
		`avoid` category."""
		seen, queue = {start}, deque([[start]])
		while queue:
			run = queue.popleft()
			for following in self.edges.get(run[-1], ()):
				if following in seen or following not in self.category:
					continue
				if self.category[following] == category:
					return [*run, following]
				if self.category[following] in avoid:
					continue
				seen.add(following)
				queue.append([*run, following])
		return None

	def route(self, target: str, billable: bool) -> tuple[str, ...] | None:
		"""The states from the first one to one of category `target` without detours: a billable
		ticket pays on its way to the revisit, a free one never passes a money state."""
		key = (target, billable)
		if key not in self.routes:
			avoid = {*st.FINAL_CATEGORIES, st.ON_HOLD, *(() if billable else MONEY)}
			waypoints = []
			if billable and target in (st.PAYMENT_SUBMITTED, st.AWAITING_REVISIT, st.CLOSED):
				waypoints = [c for c in MONEY if c != target]
			states = [self.first]
			for category in [*waypoints, target]:
				if self.category.get(states[-1]) == category:
					continue
				leg = self.path(states[-1], category, frozenset(avoid - {category}))
				if not leg:
					states = None
					break
				states += leg[1:]
			self.routes[key] = tuple(states) if states else None
		return self.routes[key]

	def detour(self, state: str, via: str) -> tuple[str, ...] | None:
		"""From `state` out to a state of category `via` and back to `state` itself."""
		key = (state, via)
		if key not in self.detours:
			out = next((s for s in self.edges.get(state, ()) if self.category.get(s) == via), None)
			back = None
			if out:
				avoid = frozenset({*st.FINAL_CATEGORIES, st.ON_HOLD, *MONEY} - {self.category[state]})
				back = self.path(out, self.category[state], avoid)
			self.detours[key] = tuple(back) if back and back[-1] == state else None
		return self.detours[key]

	def cancel_points(self) -> list[tuple[str, str]]:
		"""(category, cancelled state) for each category a ticket may be cancelled from, in
		workflow order."""
		points = {}
		for state in self.states:
			category = self.category.get(state)
			if not category or category in st.FINAL_CATEGORIES or category in points:
				continue
			cancelled = next(
				(s for s in self.edges.get(state, ()) if self.category.get(s) == st.CANCELLED), None
			)
			if cancelled and self.route(category, False):
				points[category] = cancelled
		return sorted(points.items(), key=lambda item: st.CATEGORIES.index(item[0]))


class Site:
	"""What the generated rows copy from the site, read once per run."""

	def __init__(self, seed: int):
		self.seed = seed
		self.now = now_datetime()
		self.today = self.now.date()
		self.company = (
			frappe.defaults.get_global_default("company")
			or frappe.get_all("Company", pluck="name", order_by="creation", limit=1)[0]
		)
		self.currency = frappe.get_cached_value("Company", self.company, "default_currency")
		self.language = frappe.db.get_single_value("System Settings", "language") or "en"
		self.time_zone = get_system_timezone()
		settings = frappe.get_cached_doc("After-Sales Settings")
		self.accept_minutes = cint(settings.accept_timeout_minutes) or 5
		self.settlement = settings.default_settlement or "Pay on Site"
		self.check_up_months = cint(settings.check_up_after_months)
		self.charge_call_out = cint(settings.charge_call_out_fee)
		self.dormant_days, self.lost_days = care.thresholds()
		self.workflow = Workflow()

		types = frappe.get_all(
			"Service Ticket Type",
			filters={"disabled": 0},
			fields=["name", "charge_policy", "default_priority"],
			order_by="name",
		)
		self.ticket_types = {t.name: t for t in types}
		self.type_weights = {t.name: TYPE_WEIGHTS.get(t.name, UNKNOWN_TYPE) for t in types}

		self.sla = frappe.db.get_value(
			"Service Level Agreement",
			{"document_type": "Service Ticket", "enabled": 1, "default_service_level_agreement": 1},
			"name",
		)
		self.priorities, self.fulfilled_on, self.paused_on = {}, set(), set()
		self.service_days, self.holidays = {}, set()
		if self.sla:
			agreement = frappe.get_cached_doc("Service Level Agreement", self.sla)
			self.service_days = {row.workday: row for row in agreement.support_and_resolution}
			if agreement.holiday_list:
				self.holidays = set(
					frappe.get_all(
						"Holiday", filters={"parent": agreement.holiday_list}, pluck="holiday_date"
					)
				)
			self.priorities = {
				row.priority: row
				for row in frappe.get_all(
					"Service Level Priority",
					filters={"parent": self.sla, "parenttype": "Service Level Agreement"},
					fields=["priority", "response_time", "resolution_time", "default_priority"],
				)
			}
			self.fulfilled_on = set(
				frappe.get_all("SLA Fulfilled On Status", filters={"parent": self.sla}, pluck="status")
			)
			self.paused_on = set(
				frappe.get_all("Pause SLA On Status", filters={"parent": self.sla}, pluck="status")
			)
		# most urgent first: now and then a ticket's priority is raised a step
		self.urgency = sorted(self.priorities, key=lambda p: flt(self.priorities[p].resolution_time))
		self.default_priority = next((p for p, row in self.priorities.items() if row.default_priority), None)

		self.agents = (
			roles.users_with({roles.AGENT}) or roles.users_with({roles.MANAGER}) or ["Administrator"]
		)
		self.managers = roles.users_with({roles.MANAGER})
		self.finance = [u for u in roles.users_with(FINANCE_ROLES) if u not in self.agents] or [
			"Administrator"
		]

		leaves = frappe.get_all("Territory", filters={"is_group": 0}, pluck="name", order_by="name")
		used = frappe.get_all(
			"Customer",
			filters={"name": ("not like", f"{CUSTOMER}%")},
			pluck="territory",
			distinct=True,
			order_by="territory",
		)
		self.territories = sorted({t for t in used if t in leaves}) or leaves
		groups = frappe.get_all("Customer Group", filters={"is_group": 0}, pluck="name", order_by="name")
		individual = {"Individual", frappe._("Individual", lang=self.language)}
		commercial = {"Commercial", frappe._("Commercial", lang=self.language)}
		self.individual_groups = [g for g in groups if g in individual] or groups
		self.company_groups = {g: 7 if g in commercial else 1 for g in groups if g not in individual} or {
			g: 1 for g in groups
		}
		self.skills = frappe.get_all("Service Skill", pluck="name", order_by="name")
		self.fault_types = frappe.get_all("Service Fault Type", pluck="name", order_by="name")

		self.products = frappe.get_all(
			"Item",
			filters={"has_serial_no": 1, "disabled": 0, "is_stock_item": 1},
			fields=["name", "item_name", "description", "warranty_period", "item_group", "brand"],
			order_by="name",
		)
		price_list = frappe.db.get_single_value("Selling Settings", "selling_price_list")
		self.prices = dict(
			frappe.get_all(
				"Item Price",
				filters={"price_list": price_list, "selling": 1},
				fields=["item_code", "price_list_rate"],
				as_list=True,
			)
		)
		service_items = {settings.labour_item, settings.call_out_item}
		self.parts = [
			part
			for part in frappe.get_all(
				"Item",
				filters={"has_serial_no": 0, "disabled": 0, "is_stock_item": 1},
				fields=["name", "item_name", "stock_uom"],
				order_by="name",
			)
			if part.name not in service_items
		]
		self.labour_rate = flt(self.prices.get(settings.labour_item)) or 100.0
		self.call_out_fee = flt(self.prices.get(settings.call_out_item)) or 50.0
		self.warehouse = frappe.db.get_single_value("Stock Settings", "default_warehouse")
		# the modes finance can confirm in: those with the company's cash or bank account
		mode, account = frappe.qb.DocType("Mode of Payment"), frappe.qb.DocType("Mode of Payment Account")
		self.modes = (
			frappe.qb.from_(mode)
			.join(account)
			.on(account.parent == mode.name)
			.select(mode.name, mode.type)
			.distinct()
			.where(
				(mode.enabled == 1) & (account.company == self.company) & account.default_account.isnotnull()
			)
			.orderby(mode.name)
			.run(as_dict=True)
		)

		self.technicians = [technician_shape(self, index) for index in range(1, TECHNICIANS + 1)]
		self.technician = {t.user: t for t in self.technicians}
		# who a ticket of a territory goes to: anyone for history, not the pool-ready ones for work
		self.serving, self.busy_serving = defaultdict(list), defaultdict(list)
		for tech in self.technicians:
			for territory in tech.territories:
				self.serving[territory].append(tech)
				if tech.index > POOL_READY:
					self.busy_serving[territory].append(tech)
		self.busy = [t for t in self.technicians if t.index > POOL_READY] or self.technicians

	def expected_time(self, start: datetime, seconds: float) -> datetime:
		"""ERPNext's get_expected_time_for (erpnext/support/.../service_level_agreement.py), step for
		step, on the agreement's service days and holidays read once: it reads the holiday list on
		every call, twice per ticket."""
		weekdays = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
		current, expected, end_time = start, None, None
		while expected is None:
			day = self.service_days.get(weekdays[current.weekday()])
			if day and current.date() not in self.holidays:
				midnight = datetime.combine(current.date(), datetime.min.time())
				if current.date() == start.date() and current - midnight > day.start_time:
					start_time = current - midnight
				else:
					start_time = day.start_time
				end_time = day.end_time
				left_today = (end_time - start_time).total_seconds()
				if left_today > 0 and seconds:
					if left_today >= seconds:
						expected = midnight + start_time + timedelta(seconds=seconds)
						break
					seconds -= left_today
			current += timedelta(days=1)
			if current - start > timedelta(days=3660):
				return start + timedelta(seconds=seconds)  # no service day at all
		return expected


# --- rows ------------------------------------------------------------------------------------------


class Rows:
	"""Rows of one DocType waiting for their INSERT: Frappe's defaults for a new document, then the
	values given, in the columns the table has (fields a site lacks, such as the service level
	agreement's, are left out)."""

	STANDARD = ("name", "creation", "modified", "modified_by", "owner", "docstatus", "idx")

	def __init__(self, doctype: str, fields: tuple[str, ...] | list[str]):
		columns = set(frappe.db.get_table_columns(doctype))
		self.doctype = doctype
		self.base = dict.fromkeys(c for c in (*self.STANDARD, *fields) if c in columns)
		for key, value in frappe.new_doc(doctype).as_dict().items():
			if key in columns and value is not None and not isinstance(value, list):
				self.base[key] = value
		self.base.update(docstatus=0, idx=0)
		self.columns = list(self.base)
		self.rows: list[dict] = []

	def add(self, values: dict) -> dict:
		row = self.base.copy()
		row.update(values)
		self.rows.append(row)
		return row

	def flush(self, counts: Counter):
		"""One multi-row INSERT per megabyte. frappe.qb writes the statement; the driver's executemany
		fills it in: pypika rendering every value (frappe.db.bulk_insert) took three times as long as
		the database took to store them."""
		if not self.rows:
			return
		columns = self.columns
		statement = (
			frappe.qb.into(frappe.qb.DocType(self.doctype))
			.columns(columns)
			.insert(*[Parameter("%s")] * len(columns))
			.get_sql()
		)
		if not frappe.db._conn:
			frappe.db.connect()
		frappe.db._cursor.executemany(statement, [tuple(row.get(c) for c in columns) for row in self.rows])
		counts[self.doctype] += len(self.rows)
		self.rows = []


TICKET_FIELDS = (
	"naming_series subject customer customer_name ticket_type workflow_state status state_since channel "
	"opened_on contact_phone territory company serial_no item_code item_name warranty_status "
	"warranty_expiry_date amc_expiry_date repeat_count description assigned_technician responsible_agent "
	"in_pool dispatch_mode accept_deadline accepted_on hold_reason first_response_time escalation_level "
	"_assign escalation_due state_alerted_for fault_type diagnosis resolution labour_hours return_slip_visit "
	"dispute_reason reopen_count revisit_result charge_basis billable settlement charge_amount paid_amount "
	"unconfirmed_amount outstanding_amount priority service_level_agreement response_by first_responded_on "
	"on_hold_since total_hold_time agreement_status sla_resolution_by sla_resolution_date"
).split()
TODO_FIELDS = (
	"status allocated_to description reference_type reference_name assigned_by date priority"
).split()
LOG_FIELDS = (
	"ticket from_state to_state action changed_by changed_on seconds_in_previous from_category to_category "
	"is_reopen"
).split()
VISIT_FIELDS = (
	"naming_series ticket customer customer_name warranty_status technician technician_name outcome "
	"scheduled_start scheduled_end check_in check_out diagnosis solution labour_hours labour_not_covered "
	"chargeable_amount"
).split()
CHILD_FIELDS = ["parent", "parenttype", "parentfield"]
PART_FIELDS = [
	*CHILD_FIELDS,
	*"item_code item_name is_stock_item qty uom warehouse rate amount not_covered".split(),
]
PAYMENT_FIELDS = (
	"naming_series service_ticket customer customer_name installment_no status amount currency "
	"mode_of_payment reference_no collected_on collected_by confirmed_by confirmed_on"
).split()
CUSTOMER_FIELDS = (
	"naming_series customer_name customer_type customer_group territory language mobile_no "
	"aftersales_lifecycle aftersales_last_activity"
).split()
SERIAL_FIELDS = (
	"serial_no item_code item_name description item_group brand status customer warranty_expiry_date "
	"amc_expiry_date maintenance_status warranty_period company aftersales_in_service_since "
	"aftersales_next_check_up"
).split()
USER_FIELDS = (
	"email first_name last_name full_name username language time_zone mobile_no user_type enabled "
	"send_welcome_email"
).split()
TECHNICIAN_FIELDS = "user technician_name mobile_no active away capacity last_assigned_on".split()


# --- customers and their products ------------------------------------------------------------------


def warranty_at(serial, day: date) -> str:
	"""aftersales_app.tickets.warranty.derive_warranty's rule on dates already in hand (it reads the serial
	number from the database, once per ticket: too slow here)."""
	if serial.warranty_expiry and serial.warranty_expiry >= day:
		return warranty.UNDER_WARRANTY
	if serial.amc_expiry and serial.amc_expiry >= day:
		return warranty.UNDER_AMC
	if serial.amc_expiry:
		return warranty.OUT_OF_AMC
	return warranty.OUT_OF_WARRANTY if serial.warranty_expiry else ""


def customers_for(tickets: int) -> int:
	"""How many customers `tickets` tickets have: ticket n belongs to one of the first
	customers_for(n), so a top-up never needs a customer an earlier run did not make."""
	return min(MAX_CUSTOMERS, max(MIN_CUSTOMERS, math.ceil(tickets / TICKETS_PER_CUSTOMER)))


@functools.lru_cache(maxsize=1 << 17)
def customer_shape(site: Site, index: int) -> frappe._dict:
	"""Customer `index` and its one to three products: the first in service since before the
	tickets' three years (every ticket finds a product in service), the others bought since."""
	rng = stream(site.seed, CUSTOMER_STREAM, index)
	individual = rng.random() < 0.3
	if individual:
		customer_name, group = person(rng), rng.choice(site.individual_groups)
	else:
		customer_name = (
			rng.choice(CITIES) + rng.choice(BRANDS) + rng.choice(INDUSTRIES) + rng.choice(COMPANY_FORMS)
		)
		group = pick(rng, site.company_groups)
	customer = frappe._dict(
		name=f"{CUSTOMER}{index:07d}",
		customer_name=customer_name,
		customer_type="Individual" if individual else "Company",
		customer_group=group,
		territory=rng.choice(site.territories),
		mobile_no=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
		serials=[],
	)
	for number in range(1, pick(rng, {1: 30, 2: 45, 3: 25}) + 1):
		if not site.products:
			break
		if number == 1:
			days_ago = rng.uniform(YEARS * 365 + 7, YEARS * 365 + 550)
		else:
			days_ago = rng.uniform(30, YEARS * 365 + 550)
		in_service = site.today - timedelta(days=int(days_ago))
		product = rng.choice(site.products)
		period = cint(product.warranty_period) or 365
		warranty_expiry = in_service + timedelta(days=period)
		amc_expiry = (
			warranty_expiry + timedelta(days=365 * rng.randint(1, 3)) if rng.random() < 0.25 else None
		)
		customer.serials.append(
			frappe._dict(
				name=f"{SERIAL}{index:07d}-{number}",
				product=product,
				period=period,
				in_service=in_service,
				warranty_expiry=warranty_expiry,
				amc_expiry=amc_expiry,
			)
		)
	first = min((s.in_service for s in customer.serials), default=site.today - timedelta(days=YEARS * 400))
	registered = first - timedelta(days=rng.randint(0, 30))
	customer.since = datetime.combine(registered, datetime.min.time()) + timedelta(
		seconds=rng.randint(8 * 3600, 18 * 3600)
	)
	return customer


def next_check_up(site: Site, in_service: date) -> date | None:
	"""The first check-up after today: the maintenance reminder job moves it past today each time it
	offers one, so a product in service for years has its next one ahead."""
	if not site.check_up_months:
		return None
	due, months = in_service, 0
	while due <= site.today:
		months += site.check_up_months
		due = add_months(in_service, months)
	return due


def make_customers(site: Site, first: int, last: int, counts: Counter):
	customers, serials = Rows("Customer", CUSTOMER_FIELDS), Rows("Serial No", SERIAL_FIELDS)
	for index in range(first, last + 1):
		customer = customer_shape(site, index)
		owner = site.agents[index % len(site.agents)]
		customers.add(
			{
				"name": customer.name,
				"creation": customer.since,
				"modified": customer.since,
				"modified_by": owner,
				"owner": owner,
				"customer_name": customer.customer_name,
				"customer_type": customer.customer_type,
				"customer_group": customer.customer_group,
				"territory": customer.territory,
				"language": site.language,
				"mobile_no": customer.mobile_no,
			}
		)
		for serial in customer.serials:
			delivered = datetime.combine(serial.in_service, datetime.min.time()) + timedelta(hours=10)
			serials.add(
				{
					"name": serial.name,
					"creation": delivered,
					"modified": delivered,
					"modified_by": owner,
					"owner": owner,
					"serial_no": serial.name,
					"item_code": serial.product.name,
					"item_name": serial.product.item_name,
					"description": serial.product.description,
					"item_group": serial.product.item_group,
					"brand": serial.product.brand,
					"status": "Delivered",
					"customer": customer.name,
					"warranty_expiry_date": serial.warranty_expiry,
					"amc_expiry_date": serial.amc_expiry,
					"maintenance_status": warranty_at(serial, site.today),
					"warranty_period": serial.period,
					"company": site.company,
					"aftersales_in_service_since": serial.in_service,
					"aftersales_next_check_up": next_check_up(site, serial.in_service),
				}
			)
	customers.flush(counts)
	serials.flush(counts)


# --- technicians -----------------------------------------------------------------------------------


def technician_shape(site: Site, index: int) -> frappe._dict:
	rng = stream(site.seed, TECHNICIAN_STREAM, index)
	full_name = person(rng)
	if index <= POOL_READY:
		skills, territories = list(site.skills), list(site.territories)
	else:
		skills = rng.sample(site.skills, min(len(site.skills), rng.randint(1, 3)))
		territories = rng.sample(site.territories, min(len(site.territories), rng.choice((1, 1, 2))))
	return frappe._dict(
		index=index,
		user=f"{TECH}{index:02d}{TECH_DOMAIN}",
		username=f"bench_tech_{index:02d}",
		full_name=full_name,
		mobile_no=f"1390{index:07d}",
		skills=skills,
		territories=territories,
		capacity=8 if index <= POOL_READY else rng.randint(4, 8),
		away=1 if index > POOL_READY and rng.random() < 0.04 else 0,
		since=site.now - timedelta(days=YEARS * 365 + rng.randint(30, 400)),
	)


def make_technicians(site: Site, counts: Counter):
	"""The technicians' users (System Users with the Service Technician role and a password, so
	they log in), their Service Technician records and their skill and territory rows."""
	existing = set(frappe.get_all("Service Technician", filters={"name": ("like", f"{TECH}%")}, pluck="name"))
	missing = [t for t in site.technicians if t.user not in existing]
	if not missing:
		return
	# users left from an earlier run (the app uninstalled and installed again keeps them) stay
	have_users = set(frappe.get_all("User", filters={"name": ("like", f"{TECH}%")}, pluck="name"))
	have_role = set(
		frappe.get_all(
			"Has Role", filters={"parent": ("like", f"{TECH}%"), "role": roles.TECHNICIAN}, pluck="parent"
		)
	)
	users, has_roles = Rows("User", USER_FIELDS), Rows("Has Role", ["role", *CHILD_FIELDS])
	technicians = Rows("Service Technician", TECHNICIAN_FIELDS)
	skills = Rows("Service Technician Skill", ["skill", *CHILD_FIELDS])
	territories = Rows("Service Technician Territory", ["territory", *CHILD_FIELDS])
	for tech in missing:
		stamp = {
			"creation": tech.since,
			"modified": tech.since,
			"owner": "Administrator",
			"modified_by": "Administrator",
		}
		if tech.user not in have_users:
			users.add(
				{
					**stamp,
					"name": tech.user,
					"email": tech.user,
					"first_name": tech.full_name,
					"last_name": "",
					"full_name": tech.full_name,
					"username": tech.username,
					"language": site.language,
					"time_zone": site.time_zone,
					"mobile_no": tech.mobile_no,
					"user_type": "System User",
					"enabled": 1,
					"send_welcome_email": 0,
				}
			)
		if tech.user not in have_role:
			has_roles.add(
				{
					**stamp,
					"name": f"{tech.user}-role",
					"idx": 1,
					"role": roles.TECHNICIAN,
					"parent": tech.user,
					"parenttype": "User",
					"parentfield": "roles",
				}
			)
		technicians.add(
			{
				**stamp,
				"name": tech.user,
				"user": tech.user,
				"technician_name": tech.full_name,
				"mobile_no": tech.mobile_no,
				"active": 1,
				"away": tech.away,
				"capacity": tech.capacity,
				"last_assigned_on": site.now - timedelta(hours=tech.index),
			}
		)
		for rows, table, field, values in (
			(skills, "skills", "skill", tech.skills),
			(territories, "territories", "territory", tech.territories),
		):
			for i, value in enumerate(values, 1):
				rows.add(
					{
						**stamp,
						"name": f"{tech.user}-{field}-{i}",
						"idx": i,
						field: value,
						"parent": tech.user,
						"parenttype": "Service Technician",
						"parentfield": table,
					}
				)
	for rows in (users, has_roles, technicians, skills, territories):
		rows.flush(counts)
	# one hash for all of them: hashing is slow on purpose, and these are benchmark logins
	hashed = passlibctx.hash(PASSWORD)
	(
		frappe.qb.into(Auth)
		.columns(Auth.doctype, Auth.name, Auth.fieldname, Auth.password, Auth.encrypted)
		.insert(*[("User", t.user, "password", hashed, 0) for t in missing])
		.ignore()
		.run()
	)
	counts["__Auth"] += len(missing)


# --- tickets ---------------------------------------------------------------------------------------


class Step:
	"""One move of a ticket: the state it entered, when, by whom and with which action."""

	__slots__ = ("action", "by", "category", "on", "reopen", "state")

	def __init__(self, state: str, category: str):
		self.state, self.category = state, category
		self.on, self.by, self.action, self.reopen = None, None, None, 0


class TicketMaker:
	"""One ticket with its status log, visits and payments per call, added to the chunk's rows."""

	def __init__(self, site: Site):
		self.site = site
		self.workflow = site.workflow
		self.cancel_points = self.workflow.cancel_points()
		self.tickets = Rows("Service Ticket", TICKET_FIELDS)
		self.logs = Rows("Service Ticket Status Log", LOG_FIELDS)
		self.visits = Rows("Service Visit", VISIT_FIELDS)
		self.parts = Rows("Service Visit Part", PART_FIELDS)
		self.payments = Rows("Service Payment", PAYMENT_FIELDS)
		self.todos = Rows("ToDo", TODO_FIELDS)
		self.charged: list[str] = []  # the chunk's tickets with a charge, for book()

	def flush(self, counts: Counter):
		for rows in (self.tickets, self.logs, self.visits, self.parts, self.payments, self.todos):
			rows.flush(counts)

	def assignment(self, row: dict, index: int, final: bool):
		"""Frappe's assignment of the ticket to its technician, as the app's dispatch leaves it: an
		open ToDo while the ticket is at work, closed once it ended."""
		user = row["assigned_technician"]
		if not user or row["in_pool"] or row["status"] in st.BEFORE_DISPATCH_CATEGORIES:
			return
		row["_assign"] = "[]" if final else json.dumps([user])
		self.todos.add(
			{
				"name": f"{TODO}{index:07d}",
				"creation": row["opened_on"],
				"modified": row["modified"],
				"modified_by": row["modified_by"],
				"owner": row["responsible_agent"],
				"status": "Closed" if final else "Open",
				"allocated_to": user,
				"description": row["subject"],
				"reference_type": "Service Ticket",
				"reference_name": row["name"],
				"assigned_by": row["responsible_agent"],
				"date": (row.get("accept_deadline") or row["modified"]).date(),
			}
		)

	def opened(self, rng: random.Random) -> datetime:
		"""Any day of the last three years, mostly in office hours, never in the future."""
		now = self.site.now
		day = now.date() - timedelta(days=rng.randrange(YEARS * 365))
		seconds = rng.uniform(8 * 3600, 20 * 3600) if rng.random() < 0.85 else rng.uniform(0, 86400)
		moment = datetime.combine(day, datetime.min.time()) + timedelta(seconds=seconds)
		return moment - timedelta(days=1) if moment > now - timedelta(minutes=2) else moment

	def category(self, rng: random.Random, age_days: float, billable: bool) -> str:
		"""Open for a young ticket now and then (a category that fits its age), else final."""
		if age_days < OPEN_DAYS and rng.random() < OPEN_SHARE * math.exp(-age_days / OPEN_DECAY_DAYS):
			weights = next(w for limit, w in OPEN_WEIGHTS if age_days < limit)
			allowed = {
				c: w
				for c, w in weights.items()
				if c in self.workflow.categories and (billable or c not in MONEY)
			}
			if allowed:
				return pick(rng, allowed)
		return pick(rng, FINAL_SHARES)

	def states(self, rng: random.Random, category: str, billable: bool) -> list[str] | None:
		"""The states the ticket went through to its category, with a detour now and then."""
		workflow = self.workflow
		if category == st.CANCELLED:
			if not self.cancel_points:
				return None
			weights = {i: 50 / (i + 1) ** 1.5 for i in range(len(self.cancel_points))}
			origin, cancelled = self.cancel_points[pick(rng, weights)]
			return [*workflow.route(origin, False), cancelled]
		route = workflow.route(category, billable)
		if route is None:
			return None
		states = list(route)
		for at_category, via, chance in DETOURS:
			if rng.random() >= chance:
				continue
			at = next((i for i, s in enumerate(states) if workflow.category.get(s) == at_category), None)
			back = workflow.detour(states[at], via) if at is not None else None
			if back:
				states[at + 1 : at + 1] = back
		return states

	def move(self, rng: random.Random, before: str, after: str, ticket: dict) -> tuple[str, str | None]:
		"""Who moved the ticket and with which action: the technician where the workflow lets them,
		finance for finance's moves, else the ticket's agent (a manager now and then)."""
		moves = self.workflow.moves.get((before, after)) or [(None, None)]
		allowed = {role for _action, role in moves}
		desk = allowed & {roles.AGENT, roles.MANAGER}
		if roles.TECHNICIAN in allowed and ticket["assigned"] and (not desk or rng.random() < 0.8):
			role, user = roles.TECHNICIAN, ticket["assigned"]
		elif allowed & FINANCE_ROLES and not desk:
			role, user = next(iter(sorted(allowed & FINANCE_ROLES))), rng.choice(self.site.finance)
		elif (
			self.site.managers
			and roles.MANAGER in allowed
			and (roles.AGENT not in allowed or rng.random() < 0.1)
		):
			role, user = roles.MANAGER, rng.choice(self.site.managers)
		else:
			role, user = roles.AGENT, ticket["responsible_agent"]
		action = next((a for a, r in moves if r == role), moves[0][0])
		return user, action

	def make(self, index: int):
		site, workflow = self.site, self.workflow
		rng = stream(site.seed, TICKET_STREAM, index)
		now = site.now
		customer = customer_shape(site, rng.randint(1, customers_for(index)))
		ticket_type = pick(rng, site.type_weights) if site.type_weights else None
		type_row = site.ticket_types.get(ticket_type) or frappe._dict()
		pool = index <= POOL_SIZE and st.AWAITING_ACCEPTANCE in workflow.categories
		opened = now - timedelta(seconds=rng.uniform(600, 2 * 86400)) if pool else self.opened(rng)
		age_days = (now - opened).total_seconds() / 86400

		serial = None
		if customer.serials and not (ticket_type in REMOTE_TYPES and rng.random() < 0.3):
			in_service = [s for s in customer.serials if s.in_service <= opened.date()]
			serial = rng.choice(in_service or customer.serials[:1])
		warranty_status = warranty_at(serial, opened.date()) if serial else ""
		basis = billing.charge_basis(None, type_row.charge_policy, warranty_status)
		billable = bool(billing.CHARGING_BASES[basis])

		category = st.AWAITING_ACCEPTANCE if pool else self.category(rng, age_days, billable)
		states = self.states(rng, category, billable) or self.states(rng, st.CLOSED, billable)
		steps = [Step(s, workflow.category[s]) for s in states]
		last = steps[-1]
		category = last.category
		final = category in st.FINAL_CATEGORIES
		passed = {s.category for s in steps}
		waiting = category == st.AWAITING_ACCEPTANCE  # for acceptance, now: its deadline is ahead

		dispatch_mode = None
		if st.AWAITING_ACCEPTANCE in passed:
			if pool:
				dispatch_mode = "Pool"
			elif waiting:
				dispatch_mode = pick(rng, {"Direct": 80, "Auto": 20})
			else:
				dispatch_mode = pick(rng, {"Direct": 70, "Auto": 15, "Pool": 15})
		technician = None
		if (st.AWAITING_ACCEPTANCE in passed or st.IN_PROGRESS in passed) and not pool:
			serving = site.serving if final else site.busy_serving
			technician = rng.choice(
				serving.get(customer.territory) or (site.technicians if final else site.busy)
			)
		agent = site.agents[rng.randrange(len(site.agents))]
		ticket = {"assigned": technician.user if technician else None, "responsible_agent": agent}

		# when each move happened: waits by category, squeezed in before now where needed
		waits = []
		for before, after in pairwise(steps):
			low, high = DWELL.get(before.category, (600, 86400))
			if before.category == st.AWAITING_ACCEPTANCE and after.category == st.IN_PROGRESS:
				if dispatch_mode == "Pool":
					low, high = 60, 7200
			waits.append(spread(rng, low, high))
		start = opened + timedelta(seconds=rng.uniform(0.05, 0.3))
		if waiting:
			window = 6 * 3600 if pool else site.accept_minutes * 60
			end = max(now - timedelta(seconds=rng.uniform(30, window - 10)), start + timedelta(seconds=1))
		else:
			end = now - timedelta(seconds=rng.uniform(60, 3600))
		total, room = sum(waits), (end - start).total_seconds()
		if waiting and total:
			scale = room / total
		elif total and total > room:
			scale = max(room, 1) / total * rng.uniform(0.5, 0.95)
		else:
			scale = 1
		steps[0].on, steps[0].by = start, agent
		reopens = 0
		for (before, after), wait in zip(pairwise(steps), waits, strict=True):
			after.on = before.on + timedelta(seconds=wait * scale)
			after.by, after.action = self.move(rng, before.state, after.state, ticket)
			if before.category in st.REOPEN_FROM_CATEGORIES and after.category == st.IN_PROGRESS:
				after.reopen = 1
				reopens += 1

		name = f"{TICKET}{index:07d}"
		previous = None
		for k, step in enumerate(steps):
			self.logs.add(
				{
					"name": f"{LOG}{index:07d}-{k:02d}",
					"creation": step.on,
					"modified": step.on,
					"modified_by": step.by,
					"owner": step.by,
					"ticket": name,
					"from_state": previous.state if previous else None,
					"to_state": step.state,
					"action": step.action,
					"changed_by": step.by,
					"changed_on": step.on,
					"seconds_in_previous": int((step.on - previous.on).total_seconds()) if previous else 0,
					"from_category": previous.category if previous else None,
					"to_category": step.category,
					"is_reopen": step.reopen,
				}
			)
			previous = step

		moves = list(pairwise(steps))
		acceptances = [
			b.on for a, b in moves if a.category == st.AWAITING_ACCEPTANCE and b.category == st.IN_PROGRESS
		]
		slip = next((s.on for s in steps if s.category == st.AWAITING_CUSTOMER), None)
		product = serial.product.item_name.split()[0] if serial else ""
		story = self.story(rng, ticket_type, product, serial)

		visits = []
		if technician and acceptances and rng.random() < ON_SITE.get(ticket_type, 0.05):
			visits = self.make_visits(
				rng, name, index, steps, slip, customer, technician, agent, warranty_status, story
			)
		resolved = next((v for v in reversed(visits) if v["outcome"] == "Resolved"), None)

		charge = paid = unconfirmed = 0.0
		settlement = None
		if billable and st.AWAITING_PAYMENT in passed:
			settlement = pick(rng, {site.settlement: 85, "Deposit and Balance": 15})
			labour = resolved["labour_hours"] if resolved else round(rng.uniform(0.5, 2), 1)
			charge = site.labour_rate * labour + sum(v["parts_amount"] for v in visits)
			if site.charge_call_out:
				charge += site.call_out_fee * sum(1 for v in visits if v["check_in"])
			charge = round(max(charge, site.call_out_fee), 2)
			if resolved:
				resolved["chargeable_amount"] = charge
			submitted = next((s.on for s in steps if s.category == st.PAYMENT_SUBMITTED), None)
			if submitted:
				confirmed = next(((b.on, b.by) for a, b in moves if a.category == st.PAYMENT_SUBMITTED), None)
				paid, unconfirmed = self.make_payments(
					rng, name, index, customer, charge, settlement, submitted, confirmed, ticket
				)

		priority = type_row.default_priority or site.default_priority
		if priority in site.urgency and rng.random() < 0.1:
			priority = site.urgency[max(0, site.urgency.index(priority) - 1)]
		hold_seconds = sum((b.on - a.on).total_seconds() for a, b in moves if a.category == st.ON_HOLD)
		row = {
			"name": name,
			"creation": opened,
			"modified": last.on,
			"modified_by": last.by,
			"owner": agent,
			"subject": story["subject"],
			"description": story["description"],
			"customer": customer.name,
			"customer_name": customer.customer_name,
			"ticket_type": ticket_type,
			"workflow_state": last.state,
			"status": category,
			"state_since": last.on,
			"channel": pick(rng, CHANNELS),
			"opened_on": opened,
			"contact_phone": customer.mobile_no,
			"territory": customer.territory,
			"company": site.company,
			"serial_no": serial.name if serial else None,
			"item_code": serial.product.name if serial else None,
			"item_name": serial.product.item_name if serial else None,
			"warranty_status": warranty_status,
			"warranty_expiry_date": serial.warranty_expiry if serial else None,
			"amc_expiry_date": serial.amc_expiry if serial else None,
			"assigned_technician": ticket["assigned"],
			"responsible_agent": agent,
			"in_pool": 1 if pool else 0,
			"dispatch_mode": dispatch_mode,
			"accepted_on": acceptances[-1] if acceptances else None,
			"first_response_time": (acceptances[0] - opened).total_seconds() if acceptances else None,
			"reopen_count": reopens,
			"charge_basis": basis,
			"billable": int(billable),
			"settlement": settlement,
			"charge_amount": charge,
			"paid_amount": paid,
			"unconfirmed_amount": unconfirmed,
			"outstanding_amount": round(charge - paid, 2),
			"priority": priority,
		}
		if site.sla and priority in site.priorities:
			row.update(self.agreement(steps, opened, priority, acceptances, hold_seconds))
		if waiting:
			deadline = timedelta(days=POOL_DEADLINE_DAYS) if pool else timedelta(minutes=site.accept_minutes)
			row["accept_deadline"] = last.on + deadline
		if category == st.ON_HOLD:
			row["hold_reason"] = rng.choice(HOLD_REASONS)
		if slip:
			row.update(
				diagnosis=resolved["diagnosis"] if resolved else story["diagnosis"],
				resolution=resolved["solution"] if resolved else story["solution"],
				labour_hours=resolved["labour_hours"] if resolved else 0,
				return_slip_visit=resolved["name"] if resolved else None,
				fault_type=rng.choice(site.fault_types) if site.fault_types else None,
			)
		if any(a.category == st.AWAITING_CUSTOMER and b.reopen for a, b in moves):
			row["dispute_reason"] = rng.choice(DISPUTE_REASONS)
		if category == st.CLOSED:
			row["revisit_result"] = "Solved"
		if not final:
			self.watch(row)
		self.assignment(row, index, final)
		if charge:
			self.charged.append(name)
		self.tickets.add(row)

	def agreement(self, steps, opened, priority, acceptances, hold_seconds) -> dict:
		"""The service level agreement's fields as ERPNext keeps them: targets from the priority,
		the first response at acceptance, the resolution at the first fulfilling status, the clock
		paused while on hold."""
		site = self.site
		row = site.priorities[priority]
		fulfilled = next((s.on for s in steps if s.category in site.fulfilled_on), None)
		response_by = site.expected_time(opened, flt(row.response_time))
		resolution_by = site.expected_time(opened, flt(row.resolution_time))
		if hold_seconds:
			resolution_by += timedelta(seconds=round(hold_seconds))
			if not acceptances:
				response_by += timedelta(seconds=round(hold_seconds))
		if fulfilled:
			in_time = (
				fulfilled <= resolution_by and (acceptances[0] if acceptances else fulfilled) <= response_by
			)
			status = "Fulfilled" if in_time else "Failed"
		else:
			status = "Resolution Due" if acceptances else "First Response Due"
		return {
			"service_level_agreement": site.sla,
			"response_by": response_by,
			"sla_resolution_by": resolution_by,
			"first_responded_on": acceptances[0] if acceptances else None,
			"sla_resolution_date": fulfilled,
			"agreement_status": status,
			"on_hold_since": steps[-1].on if steps[-1].category in site.paused_on and not fulfilled else None,
			"total_hold_time": hold_seconds or None,
		}

	def story(self, rng, ticket_type, product, serial) -> dict:
		"""Subject and description as customers put them, diagnosis and solution as technicians do."""
		faults = next((f for key, f in FAULTS.items() if key and key in product), FAULTS[""])
		fault = rng.choice(faults).format(n=rng.randint(1, 9))
		if ticket_type == "Installation":
			subject = product + rng.choice(("新机安装", "移机安装"))
		elif ticket_type == "Maintenance Check":
			subject = product + rng.choice(("年度保养", "定期维护检查"))
		elif ticket_type == "Usage Consultation":
			subject = f"咨询：{product}{rng.choice(CONSULTATIONS)}"
		elif ticket_type == "Service Complaint":
			subject = rng.choice(COMPLAINTS)
		elif ticket_type == "Product Return":
			subject = f"{product}退货申请"
		elif ticket_type == "Product Exchange":
			subject = f"{product}换货申请（{fault}）"
		elif rng.random() < 0.05:
			item = serial.product.name if serial else "product"
			subject = rng.choice(ENGLISH_SUBJECTS).format(item=item, n=rng.randint(1, 9))
		else:
			subject = product + fault
		detail = rng.choice(DETAILS).format(n=rng.randint(1, 8))
		return {
			"subject": subject[:140],
			"description": f"<p>{subject}。客户反映：{detail}。</p>",
			"diagnosis": rng.choice(DIAGNOSES),
			"solution": f"<p>{rng.choice(SOLUTIONS)}</p>",
		}

	def make_visits(
		self, rng, ticket_name, index, steps, slip, customer, technician, agent, warranty_status, story
	):
		"""One visit (two when parts had to be ordered first) in the last stretch of work before the
		return slip, or before the ticket was put on hold or cancelled; a ticket at work right now has
		its visit done, under way or still ahead."""
		site = self.site
		at = max(i for i, s in enumerate(steps) if s.category == st.IN_PROGRESS and (not slip or s.on < slip))
		begin = steps[at].on
		finish = steps[at + 1].on if at + 1 < len(steps) else site.now
		at_work = at == len(steps) - 1
		count = 2 if rng.random() < 0.12 else 1
		window = (finish - begin).total_seconds() / count
		visits = []
		for k in range(1, count + 1):
			scheduled = begin + timedelta(seconds=window * (k - 1 + rng.uniform(0.1, 0.4)))
			check_in = scheduled + timedelta(seconds=min(window * 0.1, rng.uniform(0, 2400)))
			check_out = check_in + timedelta(seconds=min(window * 0.5, spread(rng, 1800, 4 * 3600)))
			if k == count and slip:
				outcome = "Resolved"
			else:
				outcome = rng.choice(("Parts Ordered", "Needs Another Visit"))
			if k == count and at_work:
				chance = rng.random()
				if chance < 0.3:  # still ahead
					scheduled = site.now + timedelta(hours=rng.uniform(1, 48))
					check_in = check_out = outcome = None
				elif chance < 0.5:  # the technician is there now
					check_in = max(begin, site.now - timedelta(minutes=rng.uniform(10, 120)))
					scheduled = check_in - timedelta(minutes=rng.uniform(0, 30))
					check_out = outcome = None
			created = max(begin, scheduled - timedelta(hours=rng.uniform(1, 24)))
			name = f"{VISIT}{index:07d}-{k}"
			hours = round((check_out - check_in).total_seconds() / 3600, 2) if check_out else 0
			by = technician.user if check_in else agent
			parts_amount = 0.0
			if outcome == "Resolved" and site.parts and rng.random() < 0.3:
				part = rng.choice(site.parts)
				rate, qty = flt(site.prices.get(part.name)) or 100.0, 1 if rng.random() < 0.8 else 2
				parts_amount = rate * qty
				self.parts.add(
					{
						"name": f"{name}-1",
						"creation": created,
						"modified": check_out or created,
						"modified_by": by,
						"owner": agent,
						"idx": 1,
						"parent": name,
						"parenttype": "Service Visit",
						"parentfield": "parts",
						"item_code": part.name,
						"item_name": part.item_name,
						"is_stock_item": 1,
						"qty": qty,
						"uom": part.stock_uom,
						"warehouse": site.warehouse,
						"rate": rate,
						"amount": parts_amount,
						"not_covered": 0,
					}
				)
			visit = self.visits.add(
				{
					"name": name,
					"creation": created,
					"modified": check_out or check_in or created,
					"modified_by": by,
					"owner": agent,
					"ticket": ticket_name,
					"customer": customer.name,
					"customer_name": customer.customer_name,
					"warranty_status": warranty_status,
					"technician": technician.user,
					"technician_name": technician.full_name,
					"outcome": outcome,
					"scheduled_start": scheduled,
					"scheduled_end": scheduled + timedelta(hours=2),
					"check_in": check_in,
					"check_out": check_out,
					"diagnosis": story["diagnosis"] if check_out else None,
					"solution": story["solution"] if outcome == "Resolved" else None,
					"labour_hours": hours,
					"labour_not_covered": 0,
					"chargeable_amount": 0,
				}
			)
			# not a column: what the visit's parts add to the ticket's charge
			visit["parts_amount"] = parts_amount
			visits.append(visit)
		return visits

	def make_payments(
		self, rng, ticket_name, index, customer, charge, settlement, submitted, confirmed, ticket
	):
		"""What the technician collected (a deposit and the balance now and then), confirmed by
		finance once the ticket moved on from Payment Submitted."""
		site = self.site
		deposit = round(charge * 0.3, 2)
		amounts = [deposit, round(charge - deposit, 2)] if settlement == "Deposit and Balance" else [charge]
		confirmed_on, confirmer = confirmed or (None, None)
		mode = rng.choice(site.modes) if site.modes else frappe._dict()
		collector = ticket["assigned"] or ticket["responsible_agent"]
		paid = unconfirmed = 0.0
		for k, amount in enumerate(amounts, 1):
			collected = submitted - timedelta(minutes=rng.uniform(1, 30) * (len(amounts) - k + 1))
			self.payments.add(
				{
					"name": f"{PAYMENT}{index:07d}-{k}",
					"creation": collected,
					"modified": confirmed_on or collected,
					"modified_by": confirmer or collector,
					"owner": collector,
					"service_ticket": ticket_name,
					"customer": customer.name,
					"customer_name": customer.customer_name,
					"installment_no": k,
					"status": "Confirmed" if confirmed_on else "Unconfirmed",
					"amount": amount,
					"currency": site.currency,
					"mode_of_payment": mode.name,
					"reference_no": str(rng.randrange(10**11, 10**12)) if mode.type == "Bank" else None,
					"collected_on": collected.date(),
					"collected_by": collector,
					"confirmed_by": confirmer,
					"confirmed_on": confirmed_on,
				}
			)
			if confirmed_on:
				paid += amount
			else:
				unconfirmed += amount
		return round(paid, 2), round(unconfirmed, 2)

	def watch(self, row: dict):
		"""An open ticket's escalation as the escalation job leaves it: the points already passed told
		(counted in escalation_level), the state's time limit told once passed, the next point due."""
		ticket = frappe._dict(row)
		now = self.site.now
		ticket.escalation_level = sum(1 for _point, moment in escalation.sla_points(ticket) if moment <= now)
		limit = escalation.state_limit(ticket)
		if limit and limit[1] <= now:
			ticket.state_alerted_for = ticket.state_since
		row["escalation_level"] = ticket.escalation_level
		row["state_alerted_for"] = ticket.get("state_alerted_for")
		row["escalation_due"] = escalation.next_due(ticket)


# --- the ledger (--ledger) --------------------------------------------------------------------------


def fiscal_years(site: Site):
	"""A site with three years of history has their fiscal years (calendar years, as in China)."""
	from erpnext.accounts.utils import get_fiscal_year

	for year in range(site.now.year - YEARS - 1, site.now.year + 1):
		if get_fiscal_year(date(year, 7, 1), company=site.company, boolean=True):
			continue
		frappe.get_doc(
			{
				"doctype": "Fiscal Year",
				"year": str(year),
				"year_start_date": date(year, 1, 1),
				"year_end_date": date(year, 12, 31),
				"companies": [{"company": site.company}],
			}
		).insert(ignore_permissions=True)


def book(ticket: str) -> int:
	"""The ticket's money in ERPNext's books, made by the app's own functions as its flows make it:
	the charge invoice (a draft until finance confirms), dated on the first payment's day, and a
	submitted Payment Entry for each confirmed payment. The payments share the invoice's total as
	they shared the generator's charge (taxes and price lists are the site's)."""
	from aftersales_app.billing import payments as money

	doc = frappe.get_doc("Service Ticket", ticket)
	invoice = billing.make_charge_invoice(doc, ignore_permissions=True)
	rows = frappe.get_all(
		"Service Payment",
		filters={"service_ticket": ticket},
		fields=["name", "status", "amount", "collected_on"],
		order_by="installment_no",
	)
	if not invoice:  # the site charges nothing for it: no money to book
		frappe.db.delete("Service Payment", {"service_ticket": ticket})
		billing.refresh_amounts(ticket)
		return 0
	total, collected = billing.invoice_total(invoice), sum(flt(r.amount) for r in rows)
	left = total
	for k, row in enumerate(rows, 1):
		row.amount = left if k == len(rows) else round(total * flt(row.amount) / collected, 2)
		left = round(left - row.amount, 2)
		frappe.db.set_value(
			"Service Payment",
			row.name,
			{"amount": row.amount, "sales_invoice": invoice.name},
			update_modified=False,
		)
	confirmed = [r for r in rows if r.status == "Confirmed"]
	if confirmed:
		invoice.set_posting_time = 1
		invoice.posting_date = min(r.collected_on for r in confirmed)
		invoice.due_date = None
		invoice.set("payment_schedule", [])
		invoice.save()
		invoice.submit()
		for row in confirmed:
			entry = money.make_payment_entry(frappe.get_doc("Service Payment", row.name), invoice)
			frappe.db.set_value(
				"Service Payment", row.name, "payment_entry", entry.name, update_modified=False
			)
			invoice.reload()
	billing.refresh_amounts(ticket)
	return 1


# --- afterwards ------------------------------------------------------------------------------------


def number_repeats(customers: int):
	"""repeat_count, the tickets of the same product opened before, as a ticket's save counts them.
	Tickets are made in no date order, so it is one pass per range of serial numbers at the end."""
	ticket = frappe.qb.DocType("Service Ticket")
	for low in range(1, customers + 1, SLICE):
		high = min(customers, low + SLICE - 1)
		earlier = RowNumber().over(ticket.serial_no).orderby(ticket.opened_on).orderby(ticket.name) - 1
		numbered = (
			frappe.qb.from_(ticket)
			.select(ticket.name, earlier.as_("earlier"))
			.where(ticket.serial_no.between(f"{SERIAL}{low:07d}", f"{SERIAL}{high:07d}-9"))
			.as_("numbered")
		)
		(
			frappe.qb.update(ticket)
			.join(numbered)
			.on(numbered.name == ticket.name)
			.set(ticket.repeat_count, numbered.earlier)
			.run()
		)
		frappe.db.commit()  # a range per transaction: a million rows in one would bloat the undo log


def touch_customers(site: Site, customers: int):
	"""Each customer's last activity (their latest ticket) and the lifecycle it puts them in, as
	aftersales_app.customer_care.lifecycle keeps them on a ticket's insert."""
	if not frappe.db.has_column("Customer", "aftersales_lifecycle"):
		return
	ticket, customer = frappe.qb.DocType("Service Ticket"), frappe.qb.DocType("Customer")
	for low in range(1, customers + 1, SLICE):
		high = min(customers, low + SLICE - 1)
		latest = (
			frappe.qb.from_(ticket)
			.select(ticket.customer, Max(ticket.opened_on).as_("last"))
			.where(ticket.customer.between(f"{CUSTOMER}{low:07d}", f"{CUSTOMER}{high:07d}"))
			.groupby(ticket.customer)
			.as_("latest")
		)
		day = Date(latest.last)
		lifecycle = (
			Case()
			.when(day <= site.today - timedelta(days=site.lost_days), care.LOST)
			.when(day <= site.today - timedelta(days=site.dormant_days), care.DORMANT)
			.else_(care.ACTIVE)
		)
		(
			frappe.qb.update(customer)
			.join(latest)
			.on(latest.customer == customer.name)
			.set(customer.aftersales_last_activity, day)
			.set(customer.aftersales_lifecycle, lifecycle)
			.run()
		)
		frappe.db.commit()  # a range per transaction, as above


# --- the entry points ------------------------------------------------------------------------------


def highest(doctype: str, prefix: str) -> int:
	"""The highest number among the synthetic rows of `doctype` (their names are zero-padded)."""
	table = frappe.qb.DocType(doctype)
	top = frappe.qb.from_(table).select(Max(table.name)).where(table.name.like(f"{prefix}%")).run()[0][0]
	return int(top[len(prefix) :].split("-")[0]) if top else 0


def report(counts: Counter, seconds: float, title: str):
	rows = sum(counts.values())
	print(f"{title} in {seconds:.1f} s: {rows:,} rows, {rows / max(seconds, 1e-9):,.0f} rows/s")
	for doctype, n in sorted(counts.items(), key=lambda item: -item[1]):
		print(f"  {doctype:<30} {n:>12,}")
	sys.stdout.flush()


def generate(
	tickets: int, seed: int = SEED, chunk: int = CHUNK, verbose: bool = True, ledger: bool = False
) -> dict:
	"""Top the connected site up to `tickets` synthetic Service Tickets (it never removes any).
	`ledger`: each charged ticket's invoice and each confirmed payment's Payment Entry are made by
	ERPNext too (book(); a few a second, so for thousands of tickets, not millions: without it the
	tickets carry their amounts and payments with nothing in ERPNext's books, enough for reading
	benchmarks, and the invariant check says so). Returns {"tickets", "added", "seconds", "rows", "inserted": {doctype: rows}}."""
	began = time.perf_counter()
	customer_shape.cache_clear()
	site = Site(seed)
	counts = Counter()
	make_technicians(site, counts)
	frappe.db.commit()  # the technicians stand on their own: a later failure keeps them

	have_customers, customers = highest("Customer", CUSTOMER), customers_for(tickets)
	for low in range(have_customers + 1, customers + 1, chunk):
		make_customers(site, low, min(customers, low + chunk - 1), counts)
		frappe.db.commit()  # a chunk per transaction: a run that stops keeps what it made

	have = highest("Service Ticket", TICKET)
	maker = TicketMaker(site)
	if ledger:
		fiscal_years(site)
	every = max(chunk, (tickets - have) // 10)
	for low in range(have + 1, tickets + 1, chunk):
		high = min(tickets, low + chunk - 1)
		for index in range(low, high + 1):
			maker.make(index)
		maker.flush(counts)
		frappe.db.commit()  # a chunk's tickets arrive whole, with their logs, visits and payments
		if ledger:
			for name in maker.charged:
				counts["Sales Invoice"] += book(name)
				frappe.db.commit()
		maker.charged = []
		if verbose and ((high - have) % every < chunk or high == tickets):
			rate = (high - have) / (time.perf_counter() - began)
			print(f"  tickets {high:,} of {tickets:,} ({rate:,.0f} tickets/s)", flush=True)

	added = max(0, tickets - have)
	if added:
		number_repeats(customers)
		touch_customers(site, customers)
	seconds = time.perf_counter() - began
	if verbose:
		if not added:
			print(f"{have:,} synthetic tickets there already: nothing to add for {tickets:,}")
		report(counts, seconds, f"Topped up to {max(have, tickets):,} synthetic tickets")
	return {
		"tickets": max(have, tickets),
		"added": added,
		"seconds": seconds,
		"rows": sum(counts.values()),
		"inserted": dict(counts),
	}


def clear(verbose: bool = True) -> dict:
	"""Remove every synthetic row, and what the site made about synthetic documents since (their
	versions, comments, to-dos, messages and the app's records of the tickets).
	Returns {"seconds", "rows", "deleted": {table: rows}}."""
	began = time.perf_counter()
	counts = Counter()

	def delete(table, field: str, prefix: str, **equal):
		table = frappe.qb.DocType(table) if isinstance(table, str) else table
		condition = table[field].like(f"{prefix}%")
		for key, value in equal.items():
			condition &= table[key] == value
		while True:
			frappe.qb.from_(table).delete().where(condition).limit(SLICE).run()
			removed = frappe.db._cursor.rowcount
			counts[table.get_table_name().removeprefix("tab")] += removed
			frappe.db.commit()  # in slices: a million-row delete in one transaction bloats the undo log
			if removed < SLICE:
				break

	for link in frappe.get_all(
		"DocField",
		filters={"fieldtype": "Link", "options": "Service Ticket", "parent": ("!=", "Service Ticket")},
		fields=["parent", "fieldname"],
		order_by="parent",
	):
		meta = frappe.get_meta(link.parent)
		if (
			meta.module in frappe.get_module_list("aftersales_app")
			and not meta.istable
			and not meta.is_submittable
		):
			if link.parent not in ("Service Visit", "Service Payment", "Service Ticket Status Log"):
				delete(link.parent, link.fieldname, TICKET)
	for doctype, prefix in (
		("Service Ticket", TICKET),
		("Service Visit", VISIT),
		("Service Payment", PAYMENT),
	):
		delete("Version", "docname", prefix, ref_doctype=doctype)
		delete("Comment", "reference_name", prefix, reference_doctype=doctype)
		delete("ToDo", "reference_name", prefix, reference_type=doctype)
		if frappe.db.exists("DocType", "After-Sales Message"):
			delete("After-Sales Message", "reference_name", prefix, reference_doctype=doctype)
	delete("Service Ticket Status Log", "name", LOG)
	for doctype in ("Service Visit Part", "Service Visit Photo"):
		delete(doctype, "parent", VISIT, parenttype="Service Visit")
	delete("Service Visit", "name", VISIT)
	delete("Service Payment", "name", PAYMENT)
	delete("Service Ticket", "name", TICKET)
	# what --ledger booked, once its tickets and payments are gone (their hooks find
	# nothing to move) and before its customers go: cancelled and deleted as ERPNext does it
	for doctype, link in (("Payment Entry", "service_payment"), ("Sales Invoice", "service_ticket")):
		prefix = PAYMENT if doctype == "Payment Entry" else TICKET
		for name in frappe.get_all(doctype, filters={link: ("like", f"{prefix}%")}, pluck="name"):
			doc = frappe.get_doc(doctype, name)
			if doc.docstatus == 1:
				doc.flags.ignore_links = True
				doc.cancel()
			frappe.delete_doc(doctype, name, force=True, ignore_permissions=True)
			counts[doctype] += 1
			frappe.db.commit()
	delete("Serial No", "name", SERIAL)
	delete("Customer", "name", CUSTOMER)
	for doctype in ("Service Technician Skill", "Service Technician Territory"):
		delete(doctype, "parent", TECH, parenttype="Service Technician")
	delete("Service Technician", "name", TECH)
	delete("ToDo", "allocated_to", TECH)
	delete("Has Role", "parent", TECH, parenttype="User")
	delete(Auth, "name", TECH, doctype="User")
	delete("User", "name", TECH)
	frappe.clear_cache()
	counts = Counter({table: n for table, n in counts.items() if n})
	seconds = time.perf_counter() - began
	if verbose:
		report(counts, seconds, "Cleared")
	return {"seconds": seconds, "rows": sum(counts.values()), "deleted": dict(counts)}


def sites_path(given: str | None, site: str) -> str:
	"""--sites-path, else the current folder when it holds the site (the bench's sites folder), else
	the bench this file is installed in (apps/<app>/benchmarks), else the README's bench ($BENCH_PATH,
	/home/$BENCH_USER/frappe-bench)."""
	here = os.path.dirname(os.path.abspath(__file__))
	bench = os.environ.get("BENCH_PATH") or f"/home/{os.environ.get('BENCH_USER', 'frappe')}/frappe-bench"
	candidates = [
		given,
		os.getcwd(),
		os.path.join(here, "..", "..", "..", "sites"),
		os.path.join(bench, "sites"),
	]
	for path in candidates:
		if path and os.path.isdir(os.path.join(path, site)):
			return os.path.abspath(path)
	raise SystemExit(f"Site {site} not found: run from the bench's sites folder or pass --sites-path")


def main():
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default="aftersales-bench.localhost")
	parser.add_argument("--sites-path", help="the bench's sites folder (default: found)")
	parser.add_argument("--tickets", type=int, help="top the site up to this many synthetic tickets")
	parser.add_argument("--clear", action="store_true", help="remove every synthetic row (first)")
	parser.add_argument("--seed", type=int, default=SEED)
	parser.add_argument("--chunk", type=int, default=CHUNK, help="tickets per transaction")
	parser.add_argument(
		"--ledger", action="store_true", help="make each charge's invoice and Payment Entries in ERPNext"
	)
	args = parser.parse_args()
	if not args.clear and args.tickets is None:
		parser.error("give --tickets N, --clear or both")

	path = sites_path(args.sites_path, args.site)
	os.chdir(path)  # Frappe writes its logs to ../logs from where it runs, as bench runs it
	frappe.init(args.site, sites_path=path)
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		if args.clear:
			clear()
		if args.tickets is not None:
			generate(args.tickets, seed=args.seed, chunk=args.chunk, ledger=args.ledger)
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main()
