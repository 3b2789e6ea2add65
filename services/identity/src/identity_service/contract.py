"""identity's public contract: events it publishes and RPC methods (see paraph_platform.contract)."""
from marshmallow import Schema, fields

from paraph_platform import notification_request
from paraph_platform.contract import ListOf, MapOf, Rpc
from paraph_platform.numbers import Integer
from paraph_platform.pagination import PageResult

from . import schemas

USER_STATUSES = ["invited", "active", "deactivated"]  # a membership's


class _Member(Schema):
    """What the events about a member start with: the user, and their role in the license."""
    user_id = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    license_id = fields.String(required=True)


class UserActivatedV1(_Member):
    pass


class UserInvitedV1(_Member):
    license_name = fields.String(required=True)
    invited_by = fields.String(required=True, allow_none=True)
    expires_at = fields.String(required=True)
    has_password = fields.Boolean(required=True)


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
    seats_total = Integer(required=True)
    expires_at = fields.String(required=True)
    settings = fields.Dict(required=True, metadata={"description": schemas.LICENSE_SETTINGS})
    version = Integer(required=True)


class UserAccessChangedV1(Schema):
    """Internal: a membership's rights changed (status, role, portal restrictions, or every session ended);
    gateways drop their cached access state of it and ask ``access_state`` again."""
    license_id = fields.String(required=True)
    user_id = fields.String(required=True)
    version = Integer(required=True, metadata={"description": "access tokens carrying another `ver` are refused"})
    status = fields.String(required=True, metadata={"enum": USER_STATUSES})
    role = fields.String(required=True)


class NotificationRequestedV1(notification_request.NotificationRequestedV1):
    """Internal: asks the notify service to send an invitation or a password reset link (carries secret
    links; never webhooked)."""
    template = notification_request.templates("invitation", "client_invitation", "password_reset",
                                              "client_password_reset")


class ServiceAccountCreatedV1(Schema):
    """Internal: a license admin created a service account; the perimeter service registers it as a user
    subject of the license (its perimeters limit what its API keys see)."""
    service_account_id = fields.String(required=True)
    license_id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": list(schemas.STAFF_ROLE_CHOICES)})


EVENTS = {
    "user.invited.v1": UserInvitedV1,
    "user.activated.v1": UserActivatedV1,
    "user.deactivated.v1": UserDeactivatedV1,
    "license.updated.v1": LicenseUpdatedV1,
    "notification.requested.v1": NotificationRequestedV1,
    "user.access_changed.v1": UserAccessChangedV1,
    "service_account.created.v1": ServiceAccountCreatedV1,
}
INTERNAL_EVENTS = {"notification.requested.v1", "user.access_changed.v1", "service_account.created.v1"}


class LicenseSettingsResult(Schema):
    license_id = fields.String(required=True)
    name = fields.String(required=True)
    settings = fields.Dict(required=True)
    expires_at = fields.String(required=True)
    version = Integer(required=True)


class MemberResult(Schema):
    """A user's membership in the license (member_view): what invite/grant/update/deactivate/get and the profile's
    update return."""
    user_id = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    phone = fields.String(required=True, allow_none=True)
    locale = fields.String(required=True)
    license_id = fields.String(required=True)
    role = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": USER_STATUSES})
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


class Jwk(Schema):
    kty = fields.String(required=True, metadata={"enum": ["OKP"]})
    crv = fields.String(required=True, metadata={"enum": ["Ed25519"]})
    x = fields.String(required=True)
    kid = fields.String(required=True)
    alg = fields.String(required=True, metadata={"enum": ["EdDSA"]})
    use = fields.String(required=True)


class JwksResult(Schema):
    keys = fields.List(fields.Nested(Jwk), required=True)


class RotatedKeyResult(Schema):
    kid = fields.String(required=True)


class RateLimitsResult(Schema):
    """A license's own rate limits (null: the gateway's defaults)."""
    license_id = fields.String(required=True)
    rate_limit_per_window = Integer(
        required=True, allow_none=True,
        metadata={"description": "requests per window for each user of the license (null: the default)"})
    api_key_rate_limit_per_window = Integer(
        required=True, allow_none=True,
        metadata={"description": "requests per window for each API key of the license (null: the default)"})


class AccessStateResult(Schema):
    """A membership's current rights, checked by the gateway on every request of its access tokens."""
    license_id = fields.String(required=True)
    user_id = fields.String(required=True)
    active = fields.Boolean(required=True)
    version = Integer(required=True)
    role = fields.String(required=True, allow_none=True)
    expires_at = fields.String(required=True, allow_none=True, metadata={"description": "subscription end"})
    contact_id = fields.String(required=True, allow_none=True)
    customer_id = fields.String(required=True, allow_none=True)
    company = fields.String(required=True, allow_none=True)
    allowed_ip = fields.String(required=True, allow_none=True)
    branch = fields.String(required=True, allow_none=True)
    rate_limit_per_window = Integer(required=True, allow_none=True,
                                           metadata={"description": "the license's own rate limit for users"})


class Me(MemberResult):
    """The signed-in user (me): their membership here, the licenses they can switch to, their preferences."""
    licenses = fields.List(fields.Nested(schemas.LicenseRef), required=True,
                           metadata={"description": "the licenses I can switch to"})
    preferences = fields.Nested(schemas.PreferencesSchema, required=True,
                                metadata={"description": "notification preferences set so far, per event (events "
                                                         "never set keep their defaults)"})


class ResolvedUser(MemberResult):
    preferences = fields.Dict(required=True, metadata={"description": "notification preferences per event"})
    sms_phone = fields.String(required=True, allow_none=True, metadata={
        "description": "the number their SMS go to, in E.164 (phone read in the country it was checked in: its "
                       "license's); null when they have none, or one no SMS can go to"})


class UserPage(PageResult):
    items = fields.List(fields.Nested(MemberResult), required=True)


class Colleague(Schema):
    user_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)


class ColleaguePage(PageResult):
    items = fields.List(fields.Nested(Colleague), required=True)


class CollaboratorRow(Schema):
    row = Integer(required=True, metadata={"description": "its row in the export (1 = first data row)"})
    code = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    user_id = fields.String(metadata={"description": "the user it is linked to (linked rows), or the portal client "
                                                     "whose email it is (portal_clients)"})
    user_status = fields.String(metadata={
        "enum": USER_STATUSES, "description": "linked rows: the user's status; deactivated: linked all the same, "
                                              "never invited again (reactivating the user gives them a seat)"})


class RowError(Schema):
    row = Integer(required=True)
    code = fields.String()
    reason = fields.String(required=True, metadata={
        "enum": ["missing_code", "code_too_long", "name_too_long", "invalid_email", "duplicate_email",
                 "not_invited"],
        "description": "not_invited: the invitation was refused (no seat left...), see error"})
    error = fields.String(required=True, metadata={"description": "in English, with the details"})
    same_email_as_row = Integer(metadata={"description": "duplicate_email: the earlier row with this email"})


class UserToCheck(Schema):
    user_id = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    erp_code = fields.String(required=True, allow_none=True)


class CollaboratorsPreview(Schema):
    """What an ERP import would do; nothing is written."""
    total = Integer(required=True, metadata={"description": "data rows in the export"})
    linked = fields.List(fields.Nested(CollaboratorRow), required=True,
                         metadata={"description": "collaborators whose email is a user's: linked to them (a "
                                                  "deactivated user's too: the sync never invites them again)"})
    to_create = fields.List(fields.Nested(CollaboratorRow), required=True,
                            metadata={"description": "active collaborators without an account: invited by a run "
                                                     "with invite_new"})
    portal_clients = fields.List(fields.Nested(CollaboratorRow), required=True, metadata={
        "description": "collaborators whose email is a current client portal account's of this company: one email is "
                       "one person, who cannot be a user too; a run with invite_new refuses them (not_invited), and "
                       "they take no seat"})
    to_check = fields.List(fields.Nested(UserToCheck), required=True,
                           metadata={"description": "users unknown to the ERP: to check by hand"})
    errors = fields.List(fields.Nested(RowError), required=True)
    # the seats, so that an integration knows before the run whether its invitations fit (GET /license not needed)
    seats_needed = Integer(required=True, metadata={
        "description": "seats a run with invite_new would take: one per collaborator of to_create (none for "
                       "linked or portal_clients)"})
    seats_free = Integer(required=True, metadata={
        "description": "seats free now in the subscription's pool (shared by its companies). When seats_needed is "
                       "more, the run still imports every row (linking those of users) and invites in the export's "
                       "order while seats are left; the rows left over are not_invited errors and stay without an "
                       "account"})
    seats_total = Integer(required=True, metadata={"description": "the pool's seats"})
    seats_used = Integer(required=True, metadata={
        "description": "seats held in the pool, by every company of the subscription"})


class Activated(Schema):
    """A license just activated, and its admin's membership (invited)."""
    license = fields.Nested(schemas.LicenseView, required=True)
    admin = fields.Nested(MemberResult, required=True)


class _Collaborator(Schema):
    """An ERP collaborator, as the export names them (matched to a user by email)."""
    code = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)


class MatchedCollaborator(_Collaborator):
    name = fields.String(required=True, metadata={"description": "as the ERP names them"})
    user_id = fields.String(required=True, allow_none=True)
    active = fields.Boolean(required=True, metadata={
        "description": "false: the ERP marks the collaborator inactive (or the last export with deactivate_missing "
                       "left them out) while their user still holds a seat: deactivate the user by hand to free it "
                       "(the sync never deactivates a user)"})
    user_status = fields.String(required=True, metadata={
        "enum": USER_STATUSES, "description": "the user's status; deactivated: deactivated in Paraph, linked all the "
                                              "same and never invited again (POST /users/<id>/reactivate gives them "
                                              "a seat again)"})


class CollaboratorWithoutUser(_Collaborator):
    active = fields.Boolean(required=True)


class PortalClientCollaborator(CollaboratorWithoutUser):
    user_id = fields.String(required=True, metadata={"description": "the portal client whose email it is"})


class SyncReport(Schema):
    """The ERP sync's manual review, by the preview's rule: who is linked (deactivated users included), who has no
    account, whose email is a portal client's, who is unknown to the ERP."""
    matched = fields.List(fields.Nested(MatchedCollaborator), required=True)
    collaborators_without_user = fields.List(fields.Nested(CollaboratorWithoutUser), required=True, metadata={
        "description": "no user of this company has their email: to invite (those active in the ERP)"})
    portal_clients = fields.List(fields.Nested(PortalClientCollaborator), required=True, metadata={
        "description": "their email is a current client portal account's of this company: not to invite (one email "
                       "is one person, who cannot be a user too)"})
    users_without_collaborator = fields.List(fields.Nested(UserToCheck), required=True)


class ImportedCollaborators(SyncReport):
    total = Integer(required=True, metadata={"description": "data rows in the whole export (first_row and "
                                                                   "row_count choose the ones this step imports)"})
    created = Integer(required=True)
    updated = Integer(required=True)
    linked = Integer(required=True)
    errors = fields.List(fields.Nested(RowError), required=True)
    missing_marked_inactive = Integer(required=True)
    invited = fields.List(fields.Nested(MemberResult), required=True,
                          metadata={"description": "the users invited (invite_new)"})


class SkippedCollaborator(_Collaborator):
    reason = fields.String(required=True, metadata={
        "description": "why, in English, without the email: \"inactive in the ERP\", \"already invited in this "
                       "license\", \"already active in this license\""})


class InvitedCollaborators(Schema):
    invited = fields.List(fields.Nested(MemberResult), required=True, metadata={"description": "the users invited"})
    skipped = fields.List(fields.Nested(SkippedCollaborator), required=True)


class ResetRequested(Schema):
    requested = fields.Boolean(required=True, metadata={"description": "true, whether or not the email is known"})


class ResetDone(Schema):
    reset = fields.Boolean(required=True)


class EndedSessions(Schema):
    ended_sessions = Integer(required=True, metadata={"description": "refresh tokens revoked"})


class ServiceAccountResult(Schema):
    id = fields.String(required=True)
    license_id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": list(schemas.STAFF_ROLE_CHOICES)})
    status = fields.String(required=True, metadata={"enum": ["active", "disabled"]})
    created_by = fields.String(required=True)
    created_at = fields.String(required=True)
    disabled_at = fields.String(required=True, allow_none=True)


class ApiKeyResult(Schema):
    """An API key as lists show it: its prefix, never its text."""
    id = fields.String(required=True)
    service_account_id = fields.String(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True, metadata={"description": "the key's first 12 characters"})
    scopes = fields.List(fields.String(), required=True)
    allowed_ips = fields.List(fields.String(), required=True)
    expires_at = fields.String(required=True, allow_none=True)
    last_used_at = fields.String(required=True, allow_none=True, metadata={
        "description": "a minute old at most: a key in use is recorded once a minute"})
    created_by = fields.String(required=True)
    created_at = fields.String(required=True)
    revoked_at = fields.String(required=True, allow_none=True)


class CreatedApiKeyResult(ApiKeyResult):
    key = fields.String(required=True, allow_none=True, metadata={
        "description": "the key, in this answer only (null when the same request is repeated)"})


class ApiKeyActorResult(Schema):
    """Who an API key stands for, checked by the gateway on every request made with it."""
    user_id = fields.String(required=True, metadata={"description": "the service account's id"})
    license_id = fields.String(required=True)
    role = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)
    service_account = fields.Boolean(required=True)
    api_key_id = fields.String(required=True, metadata={"description": "the key (per-key rate limit)"})
    scopes = fields.List(fields.String(), required=True)
    rate_limit_per_window = Integer(required=True, allow_none=True,
                                           metadata={"description": "the license's own rate limit for API keys"})


class KnownIds(Schema):
    ids = fields.List(fields.String(), required=True)


RPC = {
    "me": Rpc(result=Me, args=("actor",)),
    "update_preferences": Rpc(schemas.PreferencesSchema, schemas.PreferencesSchema, args=("actor",)),
    "create_pool": Rpc(schemas.CreatePoolSchema, schemas.PoolView, args=("actor",)),
    "update_pool": Rpc(schemas.UpdatePoolSchema, schemas.PoolView, args=("actor", "pool_id")),
    "activate_license": Rpc(schemas.ActivateLicenseSchema, Activated),
    "get_license": Rpc(result=schemas.LicenseView, args=("actor",)),
    "license_settings": Rpc(result=LicenseSettingsResult, args=("license_id",)),
    "update_license": Rpc(schemas.LicenseSettingsSchema, schemas.LicenseView, args=("actor",)),
    "set_rate_limits": Rpc(schemas.RateLimitsSchema, RateLimitsResult, args=("actor", "license_id")),
    "invite_user": Rpc(schemas.InviteUserSchema, MemberResult, args=("actor",)),
    "grant_client_access": Rpc(schemas.GrantClientSchema, MemberResult, args=("actor",)),
    "update_client_access": Rpc(schemas.UpdateClientSchema, MemberResult, args=("actor", "user_id")),
    "resend_invitation": Rpc(result=MemberResult, args=("actor", "user_id")),
    "list_users": Rpc(schemas.ListUsersSchema, UserPage, args=("actor",)),
    "list_colleagues": Rpc(schemas.ListColleaguesSchema, ColleaguePage, args=("actor",)),
    "update_member": Rpc(schemas.UpdateMemberSchema, MemberResult, args=("actor", "user_id")),
    "deactivate_user": Rpc(result=MemberResult, args=("actor", "user_id"),
                           description="managers: a user they manage; a system actor: a portal client (portal, "
                                       "when contracts deletes the client's contact)"),
    "reactivate_user": Rpc(result=MemberResult, args=("actor", "user_id")),
    "get_user": Rpc(result=MemberResult, args=("actor", "user_id")),
    "link_collaborator": Rpc(schemas.LinkCollaboratorSchema, MemberResult, args=("actor",)),
    "refresh": Rpc(schemas.RefreshSchema, schemas.TokenPairView),
    "logout": Rpc(schemas.SessionSchema, description="ends the session of this refresh token"),
    "switch_license": Rpc(schemas.SwitchLicenseSchema, schemas.TokenPairView, args=("actor",)),
    "login": Rpc(schemas.LoginSchema, schemas.TokenPairView),
    "accept_invitation": Rpc(schemas.AcceptInvitationSchema, schemas.TokenPairView),
    "update_profile": Rpc(schemas.UpdateProfileSchema, MemberResult, args=("actor",)),
    "end_sessions": Rpc(result=EndedSessions, args=("actor",)),
    "change_password": Rpc(schemas.ChangePasswordSchema, schemas.TokenPairView, args=("actor",),
                           description="my password, with the current one: other sessions end, a new session "
                                       "for this one"),
    "request_password_reset": Rpc(schemas.PasswordResetRequestSchema, ResetRequested,
                                  description="emails a reset link if the email is known (same answer if not)"),
    "reset_password": Rpc(schemas.ResetPasswordSchema, ResetDone),
    "link_info": Rpc(schemas.LinkInfoSchema, schemas.LinkInfoView,
                     description="who an emailed set-password / reset link is for, without using it"),
    "resolve_users": Rpc(result=MapOf(ResolvedUser, key="user_id"), description="{user_id: MemberResult + preferences}",
                         args=("license_id", "user_ids")),
    "known_users_internal": Rpc(result=KnownIds, args=("license_id", "user_ids"),
                                description="internal (perimeter): those of the ids that are users or service "
                                            "accounts of the license"),
    "import_collaborators": Rpc(schemas.ImportCollaboratorsSchema, ImportedCollaborators, args=("actor",)),
    "sync_report": Rpc(result=SyncReport, args=("actor",)),
    "invite_collaborators": Rpc(schemas.InviteCollaboratorsSchema, InvitedCollaborators, args=("actor",)),
    "preview_collaborators": Rpc(schemas.PreviewCollaboratorsSchema, CollaboratorsPreview, args=("actor",)),
    "jwks": Rpc(result=JwksResult),
    "rotate_token_key": Rpc(result=RotatedKeyResult, args=("actor",)),
    "access_state": Rpc(result=AccessStateResult, args=("license_id", "user_id")),
    "create_service_account": Rpc(schemas.CreateServiceAccountSchema, ServiceAccountResult, args=("actor",)),
    "list_service_accounts": Rpc(result=ListOf(ServiceAccountResult), args=("actor",)),
    "get_service_account": Rpc(result=ServiceAccountResult, args=("actor", "service_account_id")),
    "update_service_account": Rpc(schemas.UpdateServiceAccountSchema, ServiceAccountResult,
                                  args=("actor", "service_account_id")),
    "disable_service_account": Rpc(result=ServiceAccountResult, args=("actor", "service_account_id")),
    "create_api_key": Rpc(schemas.CreateApiKeySchema, CreatedApiKeyResult, args=("actor", "service_account_id")),
    "list_api_keys": Rpc(result=ListOf(ApiKeyResult), args=("actor", "service_account_id")),
    "revoke_api_key": Rpc(result=ApiKeyResult, args=("actor", "service_account_id", "key_id")),
    "api_key_actor": Rpc(result=ApiKeyActorResult, args=("key", "client_ip"),
                         description="internal (gateway): who an API key stands for, on every request"),
}
CONSUMES_EVENTS: dict = {}
CONSUMES_RPC: dict = {}
