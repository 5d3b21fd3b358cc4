"""The knowledge base's search (aftersales_app.knowledge.articles) with about 2,000 articles, against Frappe's
own web search (`frappe.utils.global_search.web_search`: MariaDB FULLTEXT on `__global_search`)
and a plain `LIKE '%word%'` scan of the articles, on the same site in the same run.

Run from the bench's sites folder, as the bench user (the app's code on PYTHONPATH when it is not
the bench's installed copy):

    cd frappe-bench/sites
    ../env/bin/python ../apps/aftersales_app/benchmarks/knowledge_search.py --site aftersales.localhost

It writes synthetic Chinese articles (appliances, faults, fixes, model numbers) straight into Help
Article, indexes each as a save would, and copies them into Frappe's global search as a save of a
published web page would; then times each query (median and 95th percentile of `--repeat` runs)
and counts what each way finds. The articles are committed (as on a real site: reads of rows a
transaction has not committed yet are slower) and removed at the end, index and global search
rows with them."""

import argparse
import os
import random
import statistics
import time

PRODUCTS = [
	("空调", "KFR-35GW/BP3"),
	("冰箱", "BCD-215WDPV"),
	("洗衣机", "XQG80-B14126"),
	("燃气热水器", "JSQ-16"),
	("净水器", "RO-400G"),
	("油烟机", "CXW-200"),
]
FAULTS = [
	"漏水",
	"不制冷",
	"异响",
	"噪音大",
	"不启动",
	"显示E1故障码",
	"跳闸",
	"结霜",
	"有异味",
	"遥控失灵",
	"排水慢",
	"不加热",
]
CAUSES = [
	"排水管堵塞",
	"滤网太脏",
	"启动电容损坏",
	"安装不平",
	"制冷剂不足",
	"电源电压低",
	"传感器故障",
	"门封老化",
]
FIXES = [
	"清理排水管",
	"清洗滤网",
	"更换启动电容",
	"重新调平",
	"补充制冷剂",
	"断电重启",
	"更换传感器",
	"更换门封",
]
FILLER = [
	"请先确认电源正常。",
	"如问题仍在，请提交报修。",
	"保修期内免费上门。",
	"操作前请断电。",
	"使用原厂配件。",
]

QUERIES = ["漏水", "不制冷", "空调漏水怎么办", "KFR-35GW", "E1", "洗衣机排水慢", "热水器不加热", "门封"]


def article_text(rng: random.Random) -> tuple[str, str, str]:
	product, model = rng.choice(PRODUCTS)
	fault = rng.choice(FAULTS)
	title = f"{product}{fault}怎么办"
	sentences = []
	for _ in range(rng.randint(4, 9)):
		cause, fix = rng.choice(CAUSES), rng.choice(FIXES)
		sentences.append(f"{product}{rng.choice(FAULTS)}，多因{cause}，可{fix}。")
		sentences.append(rng.choice(FILLER))
	sentences.insert(
		rng.randint(0, len(sentences)), f"型号 {model} 的{product}{fault}时，先{rng.choice(FIXES)}。"
	)
	return title, model, "<p>" + "".join(sentences) + "</p>"


def make_articles(n: int, seed: int = 7) -> tuple[list[str], float]:
	import frappe
	from frappe.utils import now_datetime

	from aftersales_app.knowledge import articles as knowledge

	rng = random.Random(seed)
	category = knowledge.default_category()
	now = now_datetime()
	rows, names = [], []
	for i in range(n):
		title, _model, content = article_text(rng)
		name = f"kb-bench-{i:05d}"
		internal = 1 if i % 10 == 0 else 0
		published = 0 if internal else 1
		rows.append(
			(
				name,
				now,
				now,
				"Administrator",
				"Administrator",
				f"{title} {i}",
				category,
				published,
				internal,
				content,
				f"kb/bench/{name}",
			)
		)
		names.append(name)
	frappe.db.bulk_insert(
		"Help Article",
		[
			"name",
			"creation",
			"modified",
			"owner",
			"modified_by",
			"title",
			"category",
			"published",
			"aftersales_internal",
			"content",
			"route",
		],
		rows,
	)
	started = time.perf_counter()
	for name in names:
		knowledge.reindex(frappe.get_doc("Help Article", name))
	index_seconds = time.perf_counter() - started
	# what saving a published web page puts into Frappe's global search
	global_search = frappe.qb.Table("__global_search")
	frappe.qb.into(global_search).columns("doctype", "name", "content", "published", "title", "route").insert(
		*[("Help Article", r[0], f"{r[5]} : {knowledge.plain_text(r[9])}", r[7], r[5], r[10]) for r in rows]
	).run()
	return names, index_seconds


def timed(fn, repeat: int) -> tuple[float, float, int]:
	times, found = [], 0
	for _ in range(repeat):
		started = time.perf_counter()
		found = len(fn())
		times.append((time.perf_counter() - started) * 1000)
	times.sort()
	return statistics.median(times), times[int(0.95 * (len(times) - 1))], found


def main():
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default="aftersales.localhost")
	parser.add_argument("--sites-path", default=os.getcwd())
	parser.add_argument("--n", type=int, default=2000, help="articles")
	parser.add_argument("--repeat", type=int, default=30, help="runs of each query")
	args = parser.parse_args()

	import frappe

	frappe.init(args.site, sites_path=args.sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	names = []
	try:
		from frappe.utils.global_search import web_search

		from aftersales_app.knowledge import articles as knowledge

		names, index_seconds = make_articles(args.n)
		frappe.db.commit()  # measured as committed data; removed in `finally`
		terms = frappe.db.count("Knowledge Term", {"article": ("like", "kb-bench-%")})
		print(
			f"{args.n} articles, {terms} index rows ({terms / args.n:.0f} per article), indexed in {index_seconds:.1f} s ({index_seconds / args.n * 1000:.1f} ms per article)"
		)
		article = frappe.qb.DocType("Help Article")

		def like(query):
			return lambda: (
				frappe.qb.from_(article)
				.select(article.name)
				.where((article.content.like(f"%{query}%")) & (article.published == 1))
				.limit(20)
				.run()
			)

		print(
			f"{'query':<16}{'app search ms (p50/p95)':>26}{'found':>7}{'web_search ms':>20}{'found':>7}{'LIKE ms':>16}{'found':>7}"
		)
		for query in QUERIES:
			ours = timed(lambda: knowledge.search(query, limit=20), args.repeat)
			frappes = timed(lambda: web_search(query, limit=20), args.repeat)
			scan = timed(like(query), args.repeat)
			print(
				f"{query:<16}{ours[0]:>16.1f} / {ours[1]:<7.1f}{ours[2]:>7}{frappes[0]:>12.1f} / {frappes[1]:<5.1f}{frappes[2]:>7}{scan[0]:>9.1f} / {scan[1]:<5.1f}{scan[2]:>7}"
			)
		ticket_text = "客户反映空调室内机漏水，滴到地板上，已清洗过滤网仍然漏水"
		staff = timed(
			lambda: knowledge.search(ticket_text, audience=knowledge.STAFF, limit=5, min_share=0.3),
			args.repeat,
		)
		print(
			f"a ticket's suggestions (a 27-character description): {staff[0]:.1f} / {staff[1]:.1f} ms, {staff[2]} found"
		)
	finally:
		frappe.db.rollback()
		remove_articles()
		frappe.db.commit()  # the benchmark's articles are gone again
		frappe.destroy()


def remove_articles():
	import frappe

	for doctype, field in (
		("__global_search", "name"),
		("tabKnowledge Term", "article"),
		("tabHelp Article", "name"),
	):
		table = frappe.qb.Table(doctype)
		frappe.qb.from_(table).delete().where(table[field].like("kb-bench-%")).run()


if __name__ == "__main__":
	main()
