"""identity's public contract: events it publishes and RPC methods (see paraph_platform.contract)."""
from marshmallow import Schema, fields

from paraph_platform.contract import MapOf, Rpc

from . import schemas


class UserInvitedV1(Schema):
    user_id = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    license_id = fields.String(required=True)
    license_name = fields.String(required=True)
    invited_by = fields.String(required=True, allow_none=True)
    expires_at = fields.String(required=True)
    has_password = fields.Boolean(required=True)


class UserActivatedV1(Schema):
    user_id = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    license_id = fields.String(required=True)


class UserDeactivatedV1(Schema):
    user_id = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    license_id = fields.String(required=True)
    deactivated_by = fields.String(required=True)


class LicenseUpdatedV1(Schema):
    license_id = fields.String(required=True)
    name = fields.String(required=True)
    pool_id = fields.String(required=True)
    seats_total = fields.Integer(required=True)
    expires_at = fields.String(required=True)
    settings = fields.Dict(required=True, metadata={"description": "abandon_delay_days, default_locale, currency..."})
    version = fields.Integer(required=True)


class NotificationRequestedV1(Schema):
    """Internal: asks the notify service to send a message (carries secret links; never webhooked)."""
    channel = fields.String(required=True)
    to = fields.String(required=True)
    locale = fields.String(required=True)
    template = fields.String(required=True)
    user_id = fields.String(allow_none=True)
    dedupe_key = fields.String(required=True)
    vars = fields.Dict(required=True)


EVENTS = {
    "user.invited.v1": UserInvitedV1,
    "user.activated.v1": UserActivatedV1,
    "user.deactivated.v1": UserDeactivatedV1,
    "license.updated.v1": LicenseUpdatedV1,
    "notification.requested.v1": NotificationRequestedV1,
}
INTERNAL_EVENTS = {"notification.requested.v1"}


class LicenseSettingsResult(Schema):
    license_id = fields.String(required=True)
    name = fields.String(required=True)
    settings = fields.Dict(required=True)
    expires_at = fields.String(required=True)
    version = fields.Integer(required=True)


class MemberResult(Schema):
    """A user's membership in the license (member_view): what grant/update/deactivate/get return."""
    user_id = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    phone = fields.String(required=True, allow_none=True)
    locale = fields.String(required=True)
    license_id = fields.String(required=True)
    role = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["invited", "active", "deactivated"]})
    erp_code = fields.String(required=True, allow_none=True)
    user_code = fields.String(required=True, allow_none=True)
    contact_id = fields.String(required=True, allow_none=True)
    customer_id = fields.String(required=True, allow_none=True)
    company = fields.String(required=True, allow_none=True)
    allowed_ip = fields.String(required=True, allow_none=True)
    branch = fields.String(required=True, allow_none=True)
    created_at = fields.String(required=True)
    activated_at = fields.String(required=True, allow_none=True)
    deactivated_at = fields.String(required=True, allow_none=True)


class ResolvedUser(MemberResult):
    preferences = fields.Dict(required=True, metadata={"description": "notification preferences per event"})


class UserPage(Schema):
    items = fields.List(fields.Nested(MemberResult), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


RPC = {
    "create_pool": Rpc(schemas.CreatePoolSchema, args=("actor",)),
    "activate_license": Rpc(schemas.ActivateLicenseSchema),
    "get_license": Rpc(result=schemas.LicenseView, args=("actor",)),
    "license_settings": Rpc(result=LicenseSettingsResult, args=("license_id",)),
    "update_license": Rpc(schemas.LicenseSettingsSchema, schemas.LicenseView, args=("actor",)),
    "invite_user": Rpc(schemas.InviteUserSchema, schemas.MemberView, args=("actor",)),
    "grant_client_access": Rpc(schemas.GrantClientSchema, MemberResult, args=("actor",)),
    "update_client_access": Rpc(schemas.UpdateClientSchema, MemberResult, args=("actor", "user_id")),
    "resend_invitation": Rpc(result=MemberResult, args=("actor", "user_id")),
    "list_users": Rpc(schemas.ListUsersSchema, UserPage, args=("actor",)),
    "update_member": Rpc(schemas.UpdateMemberSchema, schemas.MemberView, args=("actor", "user_id")),
    "deactivate_user": Rpc(result=MemberResult, args=("actor", "user_id")),
    "reactivate_user": Rpc(result=MemberResult, args=("actor", "user_id")),
    "get_user": Rpc(result=MemberResult, args=("actor", "user_id")),
    "link_collaborator": Rpc(schemas.LinkCollaboratorSchema, MemberResult, args=("actor",)),
    "refresh": Rpc(result=schemas.TokenPairView, args=("refresh_token", "client_ip")),
    "switch_license": Rpc(result=schemas.TokenPairView, args=("actor", "license_id", "client_ip")),
    "login": Rpc(schemas.LoginSchema, schemas.TokenPairView),
    "accept_invitation": Rpc(schemas.AcceptInvitationSchema, schemas.TokenPairView),
    "resolve_users": Rpc(result=MapOf(ResolvedUser, key="user_id"), description="{user_id: MemberView + preferences}",
                         args=("license_id", "user_ids")),
    "import_collaborators": Rpc(schemas.ImportCollaboratorsSchema, args=("actor",)),
}
CONSUMES_EVENTS: dict = {}
CONSUMES_RPC: dict = {}
