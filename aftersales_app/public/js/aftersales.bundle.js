// The app's vocabulary on the desk, read from boot (aftersales_app.boot): ticket state categories,
// their colours and the role sets, so that the scripts name nothing the server does not.
// A state's colour, icon and text come from After-Sales Settings; text always stands beside the
// colour, so states are told apart without colour too.
frappe.provide("aftersales");

aftersales.vocabulary = function () {
	return frappe.boot.aftersales || { categories: {}, final: [], colours: {}, roles: {} };
};

// The category constants: aftersales.category.IN_PROGRESS is the category In Progress.
aftersales.category = new Proxy({}, { get: (_target, name) => aftersales.vocabulary().categories[name] });

// Whether the session user holds a role of one of the server's role sets (roles.boot_info).
aftersales.has_role = function (set) {
	if (frappe.session.user === "Administrator") return true;
	return (aftersales.vocabulary().roles[set] || []).some((r) => frappe.user_roles.includes(r));
};

// Filters the reports share, by name: aftersales.report_filters("territory", "ticket_type").
aftersales.report_filters = function (...names) {
	const filters = {
		company: {
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
		},
		territory: {
			fieldname: "territory",
			label: __("Territory"),
			fieldtype: "Link",
			options: "Territory",
		},
		ticket_type: {
			fieldname: "ticket_type",
			label: __("Ticket Type"),
			fieldtype: "Link",
			options: "Service Ticket Type",
		},
		technician: {
			fieldname: "technician",
			label: __("Technician"),
			fieldtype: "Link",
			options: "Service Technician",
		},
		item_group: {
			fieldname: "item_group",
			label: __("Item Group"),
			fieldtype: "Link",
			options: "Item Group",
		},
	};
	return names.map((name) => filters[name]);
};

// A report's Group By filter over `options` (English values, shown translated).
// A report filter of a Select field of the report's DocType (its meta is loaded before the report's
// script): the field's own options, read as its form reads them; one list, in the DocType.
aftersales.select_filter = function (doctype, fieldname) {
	const df = frappe.meta.get_docfield(doctype, fieldname) || {};
	const values = (df.options || "").split("\n").filter(Boolean);
	return {
		fieldname,
		label: __(df.label || fieldname, null, doctype),
		fieldtype: "Select",
		options: ["", ...values].map((value) => ({ value, label: value ? __(value, null, doctype) : "" })),
	};
};

aftersales.group_by_filter = function (options) {
	return {
		fieldname: "group_by",
		label: __("Group By"),
		fieldtype: "Select",
		options: options.map((value) => ({ value, label: __(value) })),
		default: options[0],
	};
};

// The From Date / To Date filters of a report, the last `months` months by default.
aftersales.date_range_filters = function (months = 1) {
	return [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -months),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
	];
};

// The event an outbox message tells of, by its label (工单已接单), not its key (boot: aftersales_app.boot).
aftersales.event_label = function (key) {
	const label = key && (frappe.boot.aftersales_events || {})[key];
	return frappe.utils.escape_html(label ? __(label) : key || "");
};

aftersales.is_final = function (category) {
	return aftersales.vocabulary().final.includes(category);
};

aftersales.state_indicator = function (doc) {
	const state = doc.workflow_state;
	if (!state) return [__(doc.status, null, "Service Ticket"), "gray", "status,=," + doc.status];
	const info = (frappe.boot.aftersales_states || {})[state] || {};
	const colour = info.color || aftersales.vocabulary().colours[info.category || doc.status] || "gray";
	const icon = info.icon ? frappe.utils.icon(info.icon, "xs") + " " : "";
	return [icon + frappe.utils.escape_html(__(state)), colour, "workflow_state,=," + state];
};

// Frappe's kanban board loads every document its filters match, unpaged: with thousands of open
// tickets the tab freezes. The ticket board loads the most recently changed ones, as many as a
// person can look at, and says so; its filters (technician, territory …) narrow it further.
aftersales.KANBAN_CARDS = { "Service Ticket": 300 };

if (frappe.views && frappe.views.KanbanView) {
	const FrappeKanbanView = frappe.views.KanbanView;
	frappe.views.KanbanView = class KanbanView extends FrappeKanbanView {
		setup_defaults() {
			return super.setup_defaults().then(() => {
				const cards = aftersales.KANBAN_CARDS[this.doctype];
				if (cards) this.page_length = cards;
			});
		}

		render() {
			super.render();
			const cards = aftersales.KANBAN_CARDS[this.doctype];
			// said once per board opened, not again on every refresh a change elsewhere triggers
			if (cards && this.data.length >= cards && !this.told_capped) {
				this.told_capped = true;
				frappe.show_alert({
					message: __("Showing the {0} most recently changed: filter the board to see others", [
						cards,
					]),
					indicator: "orange",
				});
			}
		}
	};
}

// Frappe's grid and report cells format a Select value with __(value), without the DocType the
// form's own select and labels ask with: one value read two ways (After-Sales Settings' category
// On Hold read 暂缓处理 in its grid and 搁置 on the ticket). Ask with the DocType first, as the form
// does; Frappe falls back to the word without it.
(function () {
	const formatters = frappe.form.formatters;
	const select = formatters.Select;
	formatters.Select = function (value, df, ...rest) {
		if (value && typeof value === "string" && df && df.parent) {
			return __(formatters.Data(value, df), null, df.parent);
		}
		return select.call(this, value, df, ...rest);
	};
	// Link values of a translated DocType (Role, DocType …) read translated in the link control
	// and the list view, but not in a grid's cells: the same there.
	const link = formatters.Link;
	formatters.Link = function (value, df, ...rest) {
		const html = link.call(this, value, df, ...rest);
		const translated = (frappe.boot.translated_doctypes || []).includes(df && df.options);
		if (!translated || !value || typeof html !== "string" || __(value) === value) return html;
		const shown = frappe.utils.escape_html(value);
		const words = frappe.utils.escape_html(__(value));
		if (html === value || html === shown) return words; // a cell's plain value
		return html.replace(`>${shown}<`, `>${words}<`);
	};
	// A translated DocType's records (a ticket type 维修 named Repair) read translated wherever a
	// link to them shows, but their own list shows the stored name: the same words there.
	const ListView = frappe.views && frappe.views.ListView;
	if (ListView) {
		const subject = ListView.prototype.get_subject_text;
		ListView.prototype.get_subject_text = function (doc, title) {
			const text = subject.call(this, doc, title);
			const translated = (frappe.boot.translated_doctypes || []).includes(this.doctype);
			return translated && typeof text === "string" ? __(text) : text;
		};
	}
})();
