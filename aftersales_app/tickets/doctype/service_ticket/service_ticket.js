// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

frappe.ui.form.on("Service Ticket", {
	setup(frm) {
		sla_headline_in_words(frm); // before any refresh: ERPNext sets its headline on refresh
		frm.set_query("fault_type", () => ({ filters: { disabled: 0 } }));
		frm.set_query("contact", () => ({
			query: "frappe.contacts.doctype.contact.contact.contact_query",
			filters: { link_doctype: "Customer", link_name: frm.doc.customer },
		}));
		frm.set_query("address", () => ({
			query: "frappe.contacts.doctype.address.address.address_query",
			filters: { link_doctype: "Customer", link_name: frm.doc.customer },
		}));
		frm.set_query("serial_no", () => ({
			filters: frm.doc.customer ? { customer: ["in", [frm.doc.customer, ""]] } : {},
		}));
		frm.set_query("purchase_invoice", () => ({
			filters: {
				docstatus: 1,
				is_return: 0,
				...(frm.doc.customer ? { customer: frm.doc.customer } : {}),
			},
		}));
		frm.set_query("ticket_type", () => ({ filters: { disabled: 0 } }));
	},

	onload(frm) {
		if (frm.is_new() && !frm.doc.channel) frm.set_value("channel", "Phone");
	},

	// Three workflow actions are the app's own actions, which ask for more than the move: a
	// decline its reason, a dispute what is still wrong, a payment the collection itself
	// (aftersales_app.tickets.status.MOVES_NEEDING_ACTION refuses them bare). Taken from the workflow's
	// Actions menu, they open the app's dialog instead; found by where they lead, never by name.
	before_workflow_action(frm) {
		const own = own_action_of(frm, frm.selected_workflow_action);
		if (!own) return;
		frappe.dom.unfreeze();
		frm.selected_workflow_action = null;
		own();
		return new Promise(() => {}); // the workflow's own call is not made
	},

	refresh(frm) {
		frm.trigger("charge_freeze");
		frm.trigger("render_history");
		if (!frm.is_new()) frm.trigger("dispatch_buttons");
		if (!frm.is_new()) frm.trigger("charge_buttons");
		if (!frm.is_new()) frm.trigger("return_buttons");
		if (!frm.is_new()) frm.trigger("knowledge");
	},

	charge_freeze(frm) {
		// what decides the charge is read-only once it is decided (aftersales_app.billing.charging.frozen_by;
		// the server refuses the change on every path)
		const onload = frm.doc.__onload || {};
		const meta = frappe.get_meta("Service Ticket");
		for (const fieldname of onload.charge_fields || []) {
			const base = meta.fields.find((df) => df.fieldname === fieldname);
			frm.set_df_property(
				fieldname,
				"read_only",
				onload.charge_frozen ? 1 : (base && base.read_only) || 0
			);
		}
	},

	return_buttons(frm) {
		const doc = frm.doc;
		const group = __("Returns", null, "Service Ticket");
		const types = { "Product Return": "Refund", "Product Exchange": "Exchange" };
		if (aftersales.has_role("dispatchers") && !aftersales.is_final(doc.status)) {
			// the choices are the Service Return's own (its DocType is their one home)
			const choices = (fieldname) =>
				frappe.meta
					.get_docfield("Service Return", fieldname)
					.options.split("\n")
					.filter(Boolean)
					.map((value) => ({ value, label: __(value, null, "Service Return") }));
			const ask = () =>
				frappe.prompt(
					[
						{
							fieldname: "return_type",
							fieldtype: "Select",
							label: __("Return Type"),
							options: choices("return_type"),
							default: types[doc.ticket_type] || "Exchange",
							reqd: 1,
						},
						{
							fieldname: "reason",
							fieldtype: "Select",
							label: __("Reason"),
							options: choices("reason"),
							// the ticket's own return check (the shipped template), else a fault
							default: doc.return_check_reason || "Quality Problem",
							reqd: 1,
						},
						{
							fieldname: "condition_expected",
							fieldtype: "Select",
							label: __("Condition Expected"),
							options: choices("condition_expected"),
							default: doc.return_check_condition || "Like New",
							reqd: 1,
						},
						{
							fieldname: "reason_detail",
							fieldtype: "Small Text",
							label: __("Reason Detail"),
						},
						{
							fieldname: "original_sales_invoice",
							fieldtype: "Link",
							options: "Sales Invoice",
							label: __("Original Sales Invoice"),
							description: __("Found from the serial number's sale when left empty"),
							get_query: () => ({
								filters: { customer: doc.customer, docstatus: 1, is_return: 0 },
							}),
						},
					],
					(values) =>
						frappe
							.xcall("aftersales_app.api.returns.authorise", {
								ticket: doc.name,
								...values,
							})
							.then((r) => frappe.set_route("Form", "Service Return", r.name)),
					__("Make Return"),
					__("Authorise")
				);
			frm.add_custom_button(
				__("Make Return"),
				() => frappe.model.with_doctype("Service Return", ask),
				group
			);
		}
		frm.add_custom_button(
			__("Service Return"),
			() => frappe.set_route("List", "Service Return", { service_ticket: doc.name }),
			group
		);
	},

	// The knowledge base (知识库, aftersales_app.knowledge.articles): suggested articles for customer service,
	// and a ticket's resolution made into a draft article.
	async knowledge(frm) {
		if (!aftersales.has_role("dispatchers")) return;
		const doc = frm.doc;
		const resolved =
			$("<div>")
				.html(doc.resolution || "")
				.text()
				.trim() || (doc.diagnosis || "").trim();
		if (resolved && frappe.model.can_create("Help Article")) {
			frm.add_custom_button(
				__("Make Knowledge Article"),
				() =>
					frappe
						.xcall("aftersales_app.api.knowledge.make_article_from_ticket", { ticket: doc.name })
						.then((r) => {
							frappe.show_alert({
								message: r.message,
								indicator: r.created ? "green" : "blue",
							});
							frappe.set_route("Form", "Help Article", r.name);
						}),
				__("Knowledge Base")
			);
		}
		const articles = await frappe.xcall("aftersales_app.api.knowledge.get_ticket_suggestions", {
			ticket: doc.name,
		});
		frm.dashboard.parent.find(".as-kb-section").remove();
		if (!articles.length || frm.doc.name !== doc.name) return;
		const esc = frappe.utils.escape_html;
		const rows = articles
			.map(
				(a) => `<li class="mb-2">
					<a href="/app/help-article/${encodeURIComponent(a.name)}">${esc(a.title)}</a>
					${a.internal ? `<span class="indicator-pill orange ml-1">${__("Internal")}</span>` : ""}
					<div class="text-muted small">${esc(a.snippet || "")}</div>
				</li>`
			)
			.join("");
		frm.dashboard.add_section(
			`<ul class="list-unstyled as-kb-suggestions mb-0">${rows}</ul>`,
			__("Suggested Articles"),
			"custom as-kb-section"
		);
		frm.dashboard.show();
	},

	charge_buttons(frm) {
		const doc = frm.doc;
		const group = __("Charges", null, "Service Ticket");
		const charging = aftersales.has_role("charging");
		const collecting = aftersales.has_role("collecting");
		const open = !aftersales.is_final(doc.status);
		if (doc.billable && doc.return_slip_visit && charging && open) {
			frm.add_custom_button(
				doc.charge_invoice ? __("Rebuild Charge Invoice") : __("Make Charge Invoice"),
				() =>
					frappe
						.xcall("aftersales_app.api.payment.make_charge_invoice", { ticket: doc.name })
						.then((r) =>
							frm
								.reload_doc()
								.then(() => frappe.set_route("Form", "Sales Invoice", r.sales_invoice))
						),
				group
			);
		}
		if (doc.charge_invoice && doc.outstanding_amount - doc.unconfirmed_amount > 0 && collecting && open) {
			frm.add_custom_button(__("Record Payment"), () => record_payment(frm), group);
		}
		if (doc.charge_invoice) {
			frm.add_custom_button(
				__("Payments"),
				() => frappe.set_route("List", "Service Payment", { service_ticket: doc.name }),
				group
			);
			if (doc.billable) {
				frm.set_intro(
					__("Charged {0}, paid {1}, awaiting confirmation {2}, outstanding {3}", [
						format_currency(doc.charge_amount),
						format_currency(doc.paid_amount),
						format_currency(doc.unconfirmed_amount),
						format_currency(doc.outstanding_amount),
					]),
					doc.outstanding_amount > 0 ? "orange" : "green"
				);
			}
		}
	},

	dispatch_buttons(frm) {
		const doc = frm.doc;
		const user = frappe.session.user;
		const C = aftersales.category;
		const dispatcher = aftersales.has_role("dispatchers");
		const group = __("Dispatch", null, "Service Ticket");
		const run = (method, args) =>
			frappe
				.xcall(`aftersales_app.api.dispatch.${method}`, { ticket: doc.name, ...args })
				.then(() => frm.reload_doc());
		const ask = (title, fields, method) =>
			frappe.prompt(fields, (values) => run(method, values), title, __("Submit"));

		if (dispatcher && !aftersales.is_final(doc.status)) {
			frm.add_custom_button(
				__("Customer Urged"),
				() =>
					ask(
						__("Customer Urged"),
						[{ fieldname: "note", fieldtype: "Small Text", label: __("What the customer said") }],
						"record_urge"
					),
				group
			);
		}
		if (dispatcher && doc.status === C.AWAITING_CUSTOMER) {
			// the workflow's own dispute action carries no reason: this one asks it
			frm.add_custom_button(__("Customer Disputes"), () => ask_dispute(frm));
		}
		if (dispatcher && [C.DISPATCHING, C.AWAITING_ACCEPTANCE].includes(doc.status)) {
			frm.add_custom_button(
				__("Assign Technician"),
				() =>
					ask(
						__("Assign Technician"),
						[
							{
								fieldname: "technician",
								fieldtype: "Link",
								options: "Service Technician",
								label: __("Technician"),
								reqd: 1,
							},
						],
						"dispatch_ticket"
					),
				group
			);
			frm.add_custom_button(__("Put in Pool"), () => run("put_in_pool"), group);
			frm.add_custom_button(__("Auto Assign"), () => run("auto_assign"), group);
		}
		if (doc.status === C.AWAITING_ACCEPTANCE && doc.in_pool && aftersales.has_role("technician")) {
			frm.add_custom_button(__("Grab"), () => run("grab_ticket")).addClass("btn-primary");
		}
		if (doc.status === C.AWAITING_ACCEPTANCE && doc.assigned_technician === user) {
			frm.add_custom_button(__("Accept", null, "Service Ticket"), () => run("accept_ticket")).addClass(
				"btn-primary"
			);
			frm.add_custom_button(__("Decline", null, "Service Ticket"), () => ask_decline(frm));
		}
		if (
			[C.AWAITING_ACCEPTANCE, C.IN_PROGRESS].includes(doc.status) &&
			doc.assigned_technician === user &&
			!doc.transfer_to
		) {
			frm.add_custom_button(__("Request Transfer"), () =>
				ask(
					__("Request Transfer"),
					[
						{
							fieldname: "colleague",
							fieldtype: "Link",
							options: "Service Technician",
							label: __("Colleague"),
							reqd: 1,
						},
						{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
					],
					"request_transfer"
				)
			);
		}
		if (doc.transfer_to && (doc.transfer_to === user || dispatcher)) {
			frm.add_custom_button(__("Accept Transfer"), () => run("answer_transfer", { approve: 1 }), group);
			frm.add_custom_button(__("Refuse Transfer"), () => run("answer_transfer", { approve: 0 }), group);
		}
	},

	async customer(frm) {
		if (!frm.doc.customer) return;
		// frappe.xcall, not frm.call: frm.call copies every key of the answer into the document
		const d = await frappe.xcall("aftersales_app.api.ticket.get_customer_defaults", {
			customer: frm.doc.customer,
		});
		await frm.set_value({
			contact: d.contact || "",
			contact_display: d.contact_display || "",
			contact_phone: d.contact_phone || "",
			raised_by: d.raised_by || "",
			address: d.address || "",
			address_display: d.address_display || "",
			territory: d.territory || frm.doc.territory,
		});
		frm.trigger("render_history");
	},

	async contact(frm) {
		if (!frm.doc.contact) return;
		const { message: c } = await frappe.db.get_value("Contact", frm.doc.contact, [
			"full_name",
			"mobile_no",
			"phone",
			"email_id",
		]);
		await frm.set_value({
			contact_display: c.full_name || "",
			contact_phone: c.mobile_no || c.phone || frm.doc.contact_phone,
			raised_by: c.email_id || frm.doc.raised_by,
		});
	},

	async address(frm) {
		if (!frm.doc.address) return frm.set_value("address_display", "");
		const { message } = await frappe.call({
			method: "frappe.contacts.doctype.address.address.get_address_display",
			args: { address_dict: frm.doc.address },
		});
		frm.set_value("address_display", message);
	},

	async serial_no(frm) {
		if (!frm.doc.serial_no) return frm.trigger("warranty_inputs");
		const s = await frappe.xcall("aftersales_app.api.ticket.get_serial_details", {
			serial_no: frm.doc.serial_no,
			purchase_date: frm.doc.purchase_date,
			on_date: frm.doc.opened_on,
		});
		if (s.customer && frm.doc.customer && s.customer !== frm.doc.customer) {
			frappe.msgprint({
				title: __("Wrong Customer"),
				indicator: "red",
				message: __("Serial No {0} belongs to customer {1}, not to {2}", [
					frm.doc.serial_no.bold(),
					s.customer.bold(),
					frm.doc.customer.bold(),
				]),
			});
			return frm.set_value("serial_no", "");
		}
		await frm.set_value({ item_code: s.item_code });
		if (s.customer && !frm.doc.customer) await frm.set_value("customer", s.customer);
		await frm.set_value({
			warranty_status: s.warranty_status || "",
			warranty_expiry_date: s.warranty_expiry_date || "",
			amc_expiry_date: s.amc_expiry_date || "",
		});
		frm.trigger("render_history");
	},

	async purchase_invoice(frm) {
		if (!frm.doc.purchase_invoice) return;
		const { message } = await frappe.db.get_value(
			"Sales Invoice",
			frm.doc.purchase_invoice,
			"posting_date"
		);
		await frm.set_value("purchase_date", message.posting_date);
		frm.trigger("warranty_inputs");
	},

	purchase_date(frm) {
		frm.trigger("warranty_inputs");
	},

	item_code(frm) {
		frm.trigger("warranty_inputs");
	},

	async warranty_inputs(frm) {
		// Only the serial number path is previewed here; the server derives the stored value on save.
		if (frm.doc.serial_no) return;
		if (!frm.doc.item_code || !frm.doc.purchase_date) return;
		const { message } = await frappe.db.get_value("Item", frm.doc.item_code, "warranty_period");
		const days = cint(message.warranty_period);
		if (!days) return;
		const expiry = frappe.datetime.add_days(frm.doc.purchase_date, days);
		const today = frappe.datetime.get_today();
		await frm.set_value({
			warranty_expiry_date: expiry,
			warranty_status: expiry >= today ? "Under Warranty" : "Out of Warranty",
		});
	},

	async render_history(frm) {
		const wrapper = frm.get_field("history_html").$wrapper;
		if (!frm.doc.customer && !frm.doc.serial_no) return wrapper.empty();
		const h = await frappe.xcall("aftersales_app.api.ticket.get_service_history", {
			customer: frm.doc.customer,
			serial_no: frm.doc.serial_no,
			exclude: frm.doc.__islocal ? null : frm.doc.name,
		});
		const table = (rows, title, count) => {
			if (!rows || !rows.length) return "";
			const body = rows
				.map(
					(r) => `<tr>
						<td><a href="/app/service-ticket/${encodeURIComponent(r.name)}">${frappe.utils.escape_html(r.name)}</a></td>
						<td>${frappe.utils.escape_html(r.subject || "")}</td>
						<td>${__(r.ticket_type || "")}</td>
						<td>${frappe.utils.escape_html(r.serial_no || "")}</td>
						<td>${__(r.status || "", null, "Service Ticket")}</td>
						<td>${frappe.datetime.str_to_user(r.opened_on) || ""}</td>
					</tr>`
				)
				.join("");
			return `<div class="mb-3">
				<div class="text-muted small mb-1">${title} (${count})</div>
				<table class="table table-sm table-bordered">
					<thead><tr><th>${__("ID")}</th><th>${__("Subject")}</th><th>${__("Ticket Type")}</th>
					<th>${__("Serial No")}</th><th>${__("Status")}</th><th>${__("Opened On")}</th></tr></thead>
					<tbody>${body}</tbody>
				</table></div>`;
		};
		let html =
			table(h.serial_no, __("Repair history of this serial number"), h.serial_no_count) +
			table(h.customer, __("Previous tickets of this customer"), h.customer_count);
		if (h.serial_no_count) {
			html =
				`<div class="alert alert-warning">${__(
					"Repeat problem: {0} earlier tickets for this serial number",
					[h.serial_no_count]
				)}</div>` + html;
		}
		wrapper.html(html || `<div class="text-muted">${__("No earlier tickets")}</div>`);
	},
});

// ERPNext's service level headline (erpnext/public/js/utils.js) is written in English ("Time to
// Respond: 4 hours"): the same facts, from the same fields, in the user's language.
function sla_headline_in_words(frm) {
	if (frm.__as_sla_words) return;
	frm.__as_sla_words = true;
	const set = frm.dashboard.set_headline_alert.bind(frm.dashboard);
	frm.dashboard.set_headline_alert = (html, ...rest) => set(sla_words(frm, html), ...rest);
}

function sla_words(frm, html) {
	if (typeof html !== "string") return html;
	if (html.includes("Time to Respond")) return sla_headline(frm, html.includes("Time to Resolve"));
	return html
		.replace(
			"Service Level Agreement has been fulfilled",
			__("Service Level Agreement has been fulfilled")
		)
		.replace("Service Level Agreement Failed", __("Service Level Agreement Failed"));
}

function sla_headline(frm, with_resolution) {
	const doc = frm.doc;
	const parts = [
		sla_part(__("Time to Respond"), doc.response_by, doc.first_responded_on, doc.agreement_status),
	];
	if (with_resolution) {
		parts.push(
			sla_part(
				__("Time to Resolve"),
				doc.sla_resolution_by,
				doc.sla_resolution_date || doc.resolution_date,
				doc.agreement_status
			)
		);
	}
	const cells = parts
		.map(
			(p) => `<div class="col-xs-12 col-sm-6">
				<span class="indicator whitespace-nowrap ${p.indicator}"><span>${frappe.utils.escape_html(
					p.text
				)}</span></span></div>`
		)
		.join("");
	return `<div class="row">${cells}</div>`;
}

function sla_part(label, due, done, agreement_status) {
	if (!due) return { text: `${label}: -`, indicator: "gray" };
	if (done) {
		const met = moment(done).isSameOrBefore(moment(due));
		return { text: `${label}: ${met ? __("Met") : __("Not Met")}`, indicator: met ? "green" : "red" };
	}
	const left = moment(due).diff(frappe.datetime.system_datetime(true));
	if (left < 60 * 1000) {
		const fulfilled = agreement_status === "Fulfilled";
		return { text: `${label}: ${__("Overdue")}`, indicator: fulfilled ? "green" : "red" };
	}
	return { text: `${label}: ${__("{0} left", [duration_words(left)])}`, indicator: "green" };
}

function duration_words(ms) {
	const minutes = Math.floor(ms / 60000);
	const days = Math.floor(minutes / 1440);
	const hours = Math.floor((minutes % 1440) / 60);
	if (days) return hours ? __("{0} days {1} hours", [days, hours]) : __("{0} days", [days]);
	if (hours) return __("{0} hours", [hours]);
	return __("{0} minutes", [minutes]);
}

function own_action_of(frm, action) {
	const workflow = (frappe.workflow.workflows || {})[frm.doctype] || {};
	const transition = (workflow.transitions || []).find(
		(t) => t.state === frm.doc.workflow_state && t.action === action
	);
	if (!transition) return null;
	const states = frappe.boot.aftersales_states || {};
	const from = (states[transition.state] || {}).category;
	const to = (states[transition.next_state] || {}).category;
	const C = aftersales.category;
	const own = {
		[`${C.AWAITING_ACCEPTANCE}>${C.DISPATCHING}`]: () => ask_decline(frm),
		[`${C.AWAITING_CUSTOMER}>${C.IN_PROGRESS}`]: () => ask_dispute(frm),
		[`${C.AWAITING_PAYMENT}>${C.PAYMENT_SUBMITTED}`]: () => record_payment(frm),
	};
	return own[`${from}>${to}`] || null;
}

function ask_decline(frm) {
	frappe.prompt(
		[{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 }],
		(values) =>
			frappe
				.xcall("aftersales_app.api.dispatch.decline_ticket", { ticket: frm.doc.name, ...values })
				.then(() => frm.reload_doc()),
		__("Decline", null, "Service Ticket"),
		__("Submit")
	);
}

function ask_dispute(frm) {
	frappe.prompt(
		[{ fieldname: "reason", fieldtype: "Small Text", label: __("What is still wrong"), reqd: 1 }],
		(values) =>
			frappe
				.xcall("aftersales_app.api.resolution.dispute_for_customer", {
					ticket: frm.doc.name,
					reason: values.reason,
				})
				.then(() => frm.reload_doc()),
		__("Customer Disputes"),
		__("Submit")
	);
}

function record_payment(frm) {
	const doc = frm.doc;
	if (!doc.charge_invoice) {
		frappe.msgprint(__("Make the charge invoice before recording a payment"));
		return;
	}
	frappe.new_doc("Service Payment", {
		service_ticket: doc.name,
		amount: Math.max(doc.outstanding_amount - doc.unconfirmed_amount, 0),
	});
}
