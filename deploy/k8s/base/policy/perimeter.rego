# Paraph perimeter policy (SELL&SIGN Enterprise).
#
# - A customer or contract type with no perimeter is visible to everyone.
# - Otherwise a user sees it when they share at least one perimeter with it.
# - A contract is visible iff its customer is (applied by the contracts service
#   by joining contracts to the customer filter below).
# - License admins (and internal system callers) see everything.
#
# `visible` decides for one object; `filter` is partially evaluated with
# input.scope unknown and compiled into a SQL WHERE clause over the caller's
# scope table (one row per (subject, perimeter); perimeter_id "" = none).
package paraph.perimeter

import rego.v1

default bypass := false

bypass if input.actor.role in {"license_admin", "system"}

staff if input.actor.role in {"license_admin", "front_user_manager", "user", "system"}

actor_perimeters contains p if some p in input.actor.perimeters

default visible := false

visible if bypass

visible if {
	staff
	count(object.get(input, ["resource", "perimeters"], [])) == 0
}

visible if {
	staff
	some p in input.resource.perimeters
	p in actor_perimeters
}

filter if bypass

filter if {
	staff
	input.scope.perimeter_id == ""
}

filter if {
	staff
	input.scope.perimeter_id in actor_perimeters
}

# Perimeter definitions are managed by license admins.
default may_manage := false

may_manage if input.actor.role in {"license_admin", "system"}

# Who may change whose perimeters: admins for everything, front user managers
# for customers (on the customer file).
default may_assign := false

may_assign if input.actor.role in {"license_admin", "system"}

may_assign if {
	input.actor.role == "front_user_manager"
	input.subject_type == "customer"
}
