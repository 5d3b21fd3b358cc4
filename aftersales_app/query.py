"""Query-builder pieces Frappe's frappe.qb lacks."""

from pypika.terms import AnalyticFunction, Term


class PercentileCont(AnalyticFunction):
	"""MariaDB's `PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY x) OVER (PARTITION BY …)`: the
	database computes medians and percentiles, so reports do not fetch every row."""

	def __init__(self, fraction: float, order_by: Term, alias: str | None = None):
		super().__init__("PERCENTILE_CONT", fraction, alias=alias)
		self._within = order_by

	def get_function_sql(self, **kwargs):
		sql = super().get_function_sql(**kwargs)
		within = f" WITHIN GROUP (ORDER BY {self._within.get_sql(**kwargs)}) OVER("
		return sql.replace(" OVER(", within, 1)
