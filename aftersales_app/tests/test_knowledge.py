"""The knowledge base (知识库): Help Article searched in Chinese by the app's own index.

A two-character Chinese word finds its articles and the best one comes first; English words and
model numbers match too; internal articles and drafts reach no customer, technician or guest by any
path (search, portal pages, REST, frappe.client, Frappe's own web search); agents see internal ones
among a ticket's suggestions, which prefer the ticket's product, product group and type; a ticket's
resolution becomes one draft article; "this solved my problem" counts once per user and article;
the index follows every edit, unpublishing and delete."""

import json

import pytest
import requests

import frappe

from aftersales_app.api import knowledge as api
from aftersales_app.core import guest_limits
from aftersales_app.knowledge import articles as knowledge
from aftersales_app.tests import world
from aftersales_app.tests.utils import as_user, delete_articles, make_article, make_ticket

AGENT, TECH, CUSTOMER_USER = world.AGENT, world.TECH, world.PORTAL_USER
OTHER_CUSTOMER_USER = world.PORTAL_USER_B


def titles(results) -> list[str]:
	return [r.title if hasattr(r, "title") else r["title"] for r in results]


# --- search --------------------------------------------------------------------------------------


def test_the_tokenizer_makes_bigrams_of_chinese_and_words_of_model_numbers():
	query = knowledge.query_terms("空调漏水 KFR-35GW Leaks ＫＦＲ")
	assert query[:3] == ["空调", "调漏", "漏水"]
	assert {"kfr-35gw", "kfr35gw", "kfr", "35gw", "leak"} <= set(query)
	# indexed text also keeps single characters, at a low weight
	indexed = dict(knowledge.terms_of("漏水"))
	assert indexed["漏水"] == 1.0 and indexed["漏"] == knowledge.CHARACTER_WEIGHT
	assert knowledge.query_terms("the and of") == []


def test_a_two_character_chinese_word_finds_its_articles_best_first():
	best = make_article(
		"空调室内机漏水怎么办",
		"<p>室内机漏水多因排水管堵塞。漏水时先关机，再清理排水管；漏水不止请报修。</p>",
	)
	once = make_article("空调不制冷的检查", "<p>先检查滤网和室外机，偶尔也会看到漏水。</p>")
	unrelated = make_article("热水器点不着火", "<p>检查燃气阀门和电池。</p>")

	found = knowledge.search("漏水")
	names = [r.name for r in found]
	assert best.name in names and once.name in names and unrelated.name not in names
	assert names.index(best.name) < names.index(once.name)
	assert found[names.index(best.name)].score > found[names.index(once.name)].score
	assert "漏水" in found[names.index(best.name)].snippet

	# a customer's sentence around the word still finds the article first
	assert knowledge.search("我家空调漏水了怎么办")[0].name == best.name


def test_english_words_and_model_numbers_match():
	article = make_article(
		"空调外机噪音大",
		"<p>型号 KFR-35GW/BP3 的外机噪音大时，检查固定螺丝。</p>",
		aftersales_title_en="Outdoor unit is noisy",
		aftersales_content_en="<p>Tighten the mounting screws when the outdoor unit rattles.</p>",
	)
	for query in ("KFR-35GW", "kfr35gw", "35GW", "ＫＦＲ－３５ＧＷ", "noisy", "screw", "Outdoor Unit"):
		assert article.name in [r.name for r in knowledge.search(query)], query


def test_an_english_reader_sees_the_english_title():
	article = make_article("室外机结霜", aftersales_title_en="Frost on the outdoor unit")
	lang, frappe.local.lang = frappe.local.lang, "en"
	try:
		assert knowledge.search("结霜")[0].title == "Frost on the outdoor unit"
	finally:
		frappe.local.lang = "zh"
	assert knowledge.search("结霜")[0].title == "室外机结霜"
	frappe.local.lang = lang
	assert article.name


# --- who sees what -------------------------------------------------------------------------------


def test_internal_articles_are_never_published_and_drafts_reach_no_search():
	internal = make_article("内部资料 压缩机返修流程", published=1, internal=1)
	draft = make_article("草稿 压缩机更换", published=0)
	public = make_article("压缩机启动困难", published=1)
	assert internal.published == 0
	assert frappe.db.get_value("Help Article", internal.name, "published") == 0

	portal = [r.name for r in knowledge.search("压缩机")]
	staff = [r.name for r in knowledge.search("压缩机", audience=knowledge.STAFF)]
	assert public.name in portal and internal.name not in portal and draft.name not in portal
	assert public.name in staff and internal.name in staff and draft.name not in staff

	assert knowledge.public_article(public.name).title == "压缩机启动困难"
	assert knowledge.public_article(internal.name) is None
	assert knowledge.public_article(draft.name) is None

	# publishing an internal article by hand does not publish it
	internal.published = 1
	internal.save()
	assert internal.published == 0


def test_the_search_endpoint_shows_guests_and_customers_public_articles_only():
	internal = make_article("内部 排水泵异响", internal=1)
	public = make_article("排水泵异响的处理")
	guest_limits.reset_ip()
	for user in ("Guest", CUSTOMER_USER, TECH):
		found = as_user(user, api.search_articles, "排水泵")
		assert [r["name"] for r in found] == [public.name], user
		assert set(found[0]) == {"name", "title", "snippet", "route"}
	assert internal.name


# --- over HTTP: guests, customers and technicians ------------------------------------------------


@pytest.fixture
def committed_articles():
	"""A published, an internal and a draft article (committed: the live server reads them)."""
	guest_limits.reset()
	made = frappe._dict(
		public=make_article("知识测试 冷凝水外溢", "<p>冷凝水外溢时清理接水盘。</p>"),
		internal=make_article("知识测试 内部 冷凝水外溢索赔", "<p>冷凝水保密口径甲。</p>", internal=1),
		draft=make_article("知识测试 草稿 冷凝水", "<p>冷凝水未审稿件乙。</p>", published=0),
	)
	frappe.db.commit()
	yield made
	guest_limits.reset()
	delete_articles("知识测试%")


def login(api_url: str, user: str) -> requests.Session:
	session = requests.Session()
	response = session.post(
		f"{api_url}/api/method/login", data={"usr": user, "pwd": world.PASSWORD}, timeout=60
	)
	assert response.status_code == 200, response.text
	return session


def test_internal_articles_and_drafts_reach_no_guest_customer_or_technician(api_url, committed_articles):
	hidden = {committed_articles.internal.name, committed_articles.draft.name}
	# words of the hidden articles' titles and texts (a not-found page repeats its address, which
	# holds the title: only the texts are checked there)
	secret_words = ("索赔", "草稿", "保密口径甲", "未审稿件乙")
	secret_texts = ("保密口径甲", "未审稿件乙")
	sessions = {
		"Guest": requests.Session(),
		CUSTOMER_USER: login(api_url, CUSTOMER_USER),
		TECH: login(api_url, TECH),
	}
	for who, session in sessions.items():
		# the app's search and pages
		found = session.get(
			f"{api_url}/api/method/aftersales_app.api.knowledge.search_articles",
			params={"query": "冷凝水"},
			timeout=60,
		).json()["message"]
		assert [r["name"] for r in found] == [committed_articles.public.name], who
		page = session.get(f"{api_url}/knowledge", params={"q": "冷凝水"}, timeout=60)
		assert page.status_code == 200 and "冷凝水外溢" in page.text, who
		assert not any(word in page.text for word in secret_words), who
		assert (
			session.get(f"{api_url}/knowledge/{committed_articles.public.name}", timeout=60).status_code
			== 200
		)
		for name in hidden:
			page = session.get(f"{api_url}/knowledge/{name}", timeout=60)
			assert page.status_code == 404, (who, name)
			assert not any(word in page.text for word in secret_texts), who

		# Frappe's own ways to a document
		resource = f"{api_url}/api/resource/Help Article"
		listed = session.get(resource, params={"limit_page_length": 0}, timeout=60)
		assert listed.status_code == 403 or not hidden & {r["name"] for r in listed.json()["data"]}, who
		for name in hidden:
			assert session.get(f"{resource}/{name}", timeout=60).status_code in (403, 404), (who, name)
			for method, params in (
				("frappe.client.get", {"doctype": "Help Article", "name": name}),
				(
					"frappe.client.get_value",
					{"doctype": "Help Article", "filters": name, "fieldname": "content"},
				),
			):
				response = session.get(f"{api_url}/api/method/{method}", params=params, timeout=60)
				assert response.status_code in (403, 404), (who, method)
		response = session.get(
			f"{api_url}/api/method/frappe.client.get_list",
			params={
				"doctype": "Help Article",
				"fields": json.dumps(["name", "content"]),
				"limit_page_length": 0,
			},
			timeout=60,
		)
		assert response.status_code == 403 or not hidden & {
			r["name"] for r in response.json()["message"]
		}, who
		web_list = session.get(
			f"{api_url}/api/method/frappe.www.list.get",
			params={"doctype": "Help Article", "txt": "冷凝水"},
			timeout=60,
		)
		assert not any(word in web_list.text for word in secret_words), who
		web_search = session.get(
			f"{api_url}/api/method/frappe.utils.global_search.web_search",
			params={"text": "冷凝水"},
			timeout=60,
		)
		assert not any(word in web_search.text for word in secret_words), who
		category_page = session.get(f"{api_url}/kb/after-sales", timeout=60).text
		assert not any(word in category_page for word in secret_words), who


def test_guests_cannot_count_a_request_avoided(api_url, committed_articles):
	response = requests.post(
		f"{api_url}/api/method/aftersales_app.api.knowledge.count_solved",
		data={"article": committed_articles.public.name},
		timeout=60,
	)
	assert response.status_code == 403
	frappe.db.rollback()
	assert (
		frappe.db.get_value("Help Article", committed_articles.public.name, "aftersales_requests_avoided")
		== 0
	)


def test_guest_searches_are_limited_per_client(api_url, committed_articles):
	url = f"{api_url}/api/method/aftersales_app.api.knowledge.search_articles"
	limit, _seconds = guest_limits.SEARCHES_PER_IP
	codes = [
		requests.get(
			url, params={"query": "冷凝水"}, headers={"X-Forwarded-For": f"10.0.0.{i}"}, timeout=60
		).status_code
		for i in range(limit + 2)
	]
	assert codes[:limit] == [200] * limit
	assert codes[-1] == 429  # a made-up X-Forwarded-For does not reset the count


# --- staff: suggestions and articles from tickets ------------------------------------------------


def test_ticket_suggestions_prefer_the_same_item_then_item_group_then_type():
	text = "<p>室内机蜂鸣器长鸣不停，按键无反应。</p>"
	group = frappe.db.get_value("Item", world.PRODUCT, "item_group")
	same_item = make_article("蜂鸣器长鸣 A", text, aftersales_item=world.PRODUCT)
	same_group = make_article("蜂鸣器长鸣 B", text, aftersales_item_group=group)
	same_type = make_article("蜂鸣器长鸣 C", text, aftersales_ticket_type="Repair")
	plain = make_article("蜂鸣器长鸣 D", text)
	internal = make_article("蜂鸣器长鸣 内部", text, internal=1)
	draft = make_article("蜂鸣器长鸣 草稿", text, published=0)
	ticket = make_ticket(
		subject="蜂鸣器长鸣",
		description="<p>蜂鸣器一直长鸣</p>",
		serial_no=world.SERIAL_IN,
		ticket_type="Repair",
	)
	assert ticket.item_code == world.PRODUCT

	found = as_user(AGENT, api.get_ticket_suggestions, ticket.name)
	names = [r["name"] for r in found]
	assert names[:3] == [same_item.name, same_group.name, same_type.name]
	assert internal.name in names and plain.name in names and draft.name not in names
	assert next(r for r in found if r["name"] == internal.name)["internal"] == 1


def test_only_customer_service_sees_a_tickets_suggestions():
	ticket = make_ticket(subject="蜂鸣器长鸣", serial_no=world.SERIAL_IN)
	for user in (TECH, CUSTOMER_USER, "Guest"):
		with pytest.raises(frappe.PermissionError):
			as_user(user, api.get_ticket_suggestions, ticket.name)


def resolved_ticket():
	return make_ticket(
		subject="空调制热时室内机滴水",
		description="<p>制热时室内机滴水<img src=x onerror=alert(1)></p>",
		serial_no=world.SERIAL_IN,
		ticket_type="Repair",
		diagnosis="排水管<b>倒坡</b>",
		resolution="<p>重新调整排水管坡度，试机正常</p>",
	)


def test_a_resolution_becomes_one_draft_article():
	ticket = resolved_ticket()
	answer = as_user(AGENT, api.make_article_from_ticket, ticket.name)
	assert answer["created"] == 1
	article = frappe.get_doc("Help Article", answer["name"])
	assert article.title == "空调制热时室内机滴水"
	assert (article.published, article.aftersales_internal) == (0, 0)
	assert article.category == knowledge.default_category()
	assert article.aftersales_source_ticket == ticket.name
	assert article.aftersales_item == world.PRODUCT
	assert article.aftersales_item_group == frappe.db.get_value("Item", world.PRODUCT, "item_group")
	assert article.aftersales_ticket_type == "Repair"
	assert "重新调整排水管坡度" in article.content and "制热时室内机滴水" in article.content
	assert "onerror" not in article.content and "<b>" not in article.content
	assert "&lt;b&gt;" in article.content or "倒坡" in article.content
	assert article.owner == AGENT

	# a second click: the same article, and a message saying so
	again = as_user(AGENT, api.make_article_from_ticket, ticket.name)
	assert again["name"] == article.name and again["created"] == 0
	assert frappe.db.count("Help Article", {"aftersales_source_ticket": ticket.name}) == 1

	# a draft reaches nobody through search, not even staff
	assert article.name not in [r.name for r in knowledge.search("室内机滴水", audience=knowledge.STAFF)]


def test_only_customer_service_makes_articles_from_tickets():
	ticket = resolved_ticket()
	for user in (TECH, CUSTOMER_USER):
		with pytest.raises(frappe.PermissionError):
			as_user(user, api.make_article_from_ticket, ticket.name)
	assert not frappe.db.exists("Help Article", {"aftersales_source_ticket": ticket.name})
	unresolved = make_ticket(subject="还没修好")
	with pytest.raises(frappe.ValidationError):
		as_user(AGENT, api.make_article_from_ticket, unresolved.name)


def test_the_apps_fields_of_an_article_ignore_what_a_client_sends():
	ticket = make_ticket(subject="别的工单")
	article = as_user(
		AGENT,
		lambda: make_article(
			"客户端字段", aftersales_requests_avoided=99, aftersales_source_ticket=ticket.name
		),
	)
	assert (article.aftersales_requests_avoided, article.aftersales_source_ticket) == (0, None)
	article.aftersales_requests_avoided = 50
	as_user(AGENT, article.save)
	assert frappe.db.get_value("Help Article", article.name, "aftersales_requests_avoided") == 0


def test_technicians_and_customers_have_no_rights_on_help_articles():
	for user in (TECH, CUSTOMER_USER):
		assert not frappe.has_permission("Help Article", "read", user=user)
		assert not frappe.has_permission("Help Article", "create", user=user)
	assert frappe.has_permission("Help Article", "create", user=AGENT)


# --- this solved my problem ----------------------------------------------------------------------


def test_this_solved_my_problem_counts_once_per_user_and_article():
	article = make_article("遥控器没反应")
	guest_limits.reset()
	first = as_user(CUSTOMER_USER, api.count_solved, article.name)
	second = as_user(CUSTOMER_USER, api.count_solved, article.name)
	other = as_user(OTHER_CUSTOMER_USER, api.count_solved, article.name)
	assert (first["counted"], second["counted"], other["counted"]) == (1, 0, 1)
	assert frappe.db.get_value("Help Article", article.name, "aftersales_requests_avoided") == 2
	assert frappe.db.count("Avoided Service Request", {"article": article.name}) == 2
	record = frappe.get_last_doc("Avoided Service Request", filters={"user": CUSTOMER_USER})
	assert record.customer == world.CUSTOMER


def test_only_customers_count_and_only_public_articles():
	article = make_article("遥控器电池")
	internal = make_article("遥控器 内部", internal=1)
	guest_limits.reset()
	for user in ("Guest", TECH, AGENT):
		with pytest.raises(frappe.PermissionError):
			as_user(user, api.count_solved, article.name)
	with pytest.raises(frappe.DoesNotExistError):
		as_user(CUSTOMER_USER, api.count_solved, internal.name)
	assert frappe.db.get_value("Help Article", article.name, "aftersales_requests_avoided") == 0
	assert frappe.db.get_value("Help Article", internal.name, "aftersales_requests_avoided") == 0


def test_a_record_of_an_avoided_request_is_the_apps_alone():
	article = make_article("手工记录")
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc(
			{"doctype": "Avoided Service Request", "article": article.name, "user": CUSTOMER_USER}
		).insert(ignore_permissions=True)


# --- the index follows the articles --------------------------------------------------------------


def test_the_index_follows_edits_unpublishing_and_deletes():
	article = make_article("洗衣机脱水异响", "<p>脱水时异响，检查地脚。</p>")
	assert article.name in [r.name for r in knowledge.search("脱水")]

	article.title = "洗衣机排水慢"
	article.content = "<p>排水慢时清理过滤器。</p>"
	article.save()
	assert article.name not in [r.name for r in knowledge.search("脱水")]
	assert article.name in [r.name for r in knowledge.search("排水慢")]
	terms = frappe.get_all("Knowledge Term", filters={"article": article.name}, pluck="term")
	assert "排水" in terms and "脱水" not in terms

	article.published = 0
	article.save()
	assert article.name not in [r.name for r in knowledge.search("排水慢")]
	article.aftersales_internal = 1
	article.save()
	assert article.name in [r.name for r in knowledge.search("排水慢", audience=knowledge.STAFF)]
	assert article.name not in [r.name for r in knowledge.search("排水慢")]

	frappe.delete_doc("Help Article", article.name)
	assert not frappe.db.exists("Knowledge Term", {"article": article.name})
	assert article.name not in [r.name for r in knowledge.search("排水慢", audience=knowledge.STAFF)]


def test_an_article_with_counted_requests_can_be_deleted():
	article = make_article("删除测试 空调异味")
	guest_limits.reset()
	as_user(CUSTOMER_USER, api.count_solved, article.name)
	frappe.delete_doc("Help Article", article.name)
	assert not frappe.db.exists("Avoided Service Request", {"article": article.name})


def test_reindex_all_rebuilds_the_same_index():
	article = make_article("重建索引 冰箱结冰", "<p>冷藏室结冰，检查门封。</p>")
	before = sorted(
		frappe.get_all("Knowledge Term", {"article": article.name}, ["term", "weight"], as_list=True)
	)
	knowledge.reindex_all()
	after = sorted(
		frappe.get_all("Knowledge Term", {"article": article.name}, ["term", "weight"], as_list=True)
	)
	assert before == after and before


def test_a_ticket_without_words_in_common_still_gets_its_products_articles():
	about = make_article("测试变频空调 保养要点", aftersales_item=world.PRODUCT)
	other_type = make_article("维修须知 其他", aftersales_ticket_type="Repair")
	ticket = make_ticket(subject="咨询", description="<p>请联系我</p>", serial_no=world.SERIAL_IN)
	names = [r["name"] for r in as_user(AGENT, api.get_ticket_suggestions, ticket.name)]
	assert about.name in names and other_type.name not in names
