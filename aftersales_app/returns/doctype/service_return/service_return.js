// Copyright (c) 2026, aftersales_app developers and contributors
// For license information, please see license.txt

// Each step is an action of aftersales_app.api.returns: the buttons show the steps the return's
// status allows to the user's roles; the server checks both again.
frappe.ui.form.on("Service Return", {
	refresh(frm) {
		if (frm.is_new()) return;
		const doc = frm.doc;
		const staff = aftersales.has_role("dispatchers");
		const stock = aftersales.has_role("returns_stock");
		const finance = aftersales.has_role("finance");
		const run = (method, args) =>
			frappe
				.xcall(`aftersales_app.api.returns.${method}`, { name: doc.name, ...args })
				.then(() => frm.reload_doc());
		const ask = (title, fields, method, label) =>
			frappe.prompt(fields, (values) => run(method, values), title, label || __("Submit"));
		const conditions = frm.fields_dict.condition_found.df.options
			.split("\n")
			.filter(Boolean)
			.map((value) => ({ value, label: __(value, null, "Service Return") }));
		const primary = (label, action) => frm.add_custom_button(label, action).addClass("btn-primary");

		if (doc.status === "Authorised") {
			if (stock) primary(__("Receive Goods"), () => run("receive"));
			if (staff) {
				frm.add_custom_button(
					__("Record Shipment"),
					() =>
						ask(
							__("Record Shipment"),
							[
								{ fieldname: "carrier", fieldtype: "Data", label: __("Carrier"), reqd: 1 },
								{
									fieldname: "tracking_no",
									fieldtype: "Data",
									label: __("Tracking Number"),
									reqd: 1,
								},
							],
							"record_shipment"
						),
					__("Shipping")
				);
				if (!doc.pickup_requested) {
					frm.add_custom_button(
						__("Request Courier Pickup"),
						() =>
							ask(
								__("Request Courier Pickup"),
								[
									{
										fieldname: "address",
										fieldtype: "Small Text",
										label: __("Pickup Address"),
										reqd: 1,
									},
									{
										fieldname: "pickup_date",
										fieldtype: "Date",
										label: __("Pickup Date"),
										default: frappe.datetime.get_today(),
										reqd: 1,
									},
								],
								"request_pickup"
							),
						__("Shipping")
					);
				}
				frm.add_custom_button(__("Cancel Return"), () =>
					ask(
						__("Cancel Return"),
						[{ fieldname: "note", fieldtype: "Small Text", label: __("Why") }],
						"cancel"
					)
				);
			}
		}
		if (doc.status === "Received") {
			primary(__("Inspect"), () =>
				ask(
					__("Inspect"),
					[
						{
							fieldname: "result",
							fieldtype: "Select",
							label: __("Inspection Result"),
							options: [
								{ value: "Passed", label: __("Passed") },
								{ value: "Failed", label: __("Failed") },
							],
							reqd: 1,
						},
						{
							fieldname: "condition_found",
							fieldtype: "Select",
							label: __("Condition Found"),
							options: conditions,
						},
						{ fieldname: "notes", fieldtype: "Small Text", label: __("Inspection Notes") },
					],
					"inspect"
				)
			);
		}
		if (doc.status === "Inspected" && doc.inspection_result === "Passed") {
			if (doc.return_type === "Refund" && staff)
				primary(__("Request Refund"), () => run("request_refund"));
			if (doc.return_type === "Exchange" && stock) {
				primary(__("Deliver Replacement"), () =>
					ask(
						__("Deliver Replacement"),
						[
							{
								fieldname: "replacement_serial_no",
								fieldtype: "Link",
								options: "Serial No",
								label: __("Replacement Serial No"),
								reqd: doc.serial_no ? 1 : 0,
								get_query: () => ({
									filters: {
										item_code: doc.item_code,
										status: "Active",
										warehouse: ["is", "set"],
									},
								}),
							},
						],
						"exchange"
					)
				);
			}
		}
		if (doc.status === "Inspected" && doc.inspection_result === "Failed" && stock) {
			primary(__("Send Goods Back"), () => run("send_back"));
		}
		if (doc.status === "Refund Requested" && finance) {
			primary(__("Confirm Refund"), () =>
				ask(
					__("Confirm Refund"),
					[
						{
							fieldname: "mode_of_payment",
							fieldtype: "Link",
							options: "Mode of Payment",
							label: __("Mode of Payment"),
							reqd: 1,
						},
					],
					"confirm_refund"
				)
			);
		}
		frm.add_custom_button(__("Service Ticket"), () =>
			frappe.set_route("Form", "Service Ticket", doc.service_ticket)
		);
	},
});
