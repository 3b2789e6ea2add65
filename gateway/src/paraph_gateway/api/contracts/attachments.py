"""Files: a contract's attachments (and which of them the customer portal shows), and the images templates
embed (assets)."""
from __future__ import annotations

import base64

from flask import request

from paraph_platform.errors import BadRequest, InvalidInput
from paraph_platform.actor import ADMINS, STAFF_ROLES

from ...downloads import file_response
from ...routing import call, forward, loaded_body, loaded_json_body, route, upload_body
from ...service_results import ServiceParams, service_params, service_result
from .common import bp


ATTACHMENT = service_params("contracts", "add_attachment")
ASSET = service_params("contracts", "upload_asset")


@route(bp, "/contracts/<contract_id>/attachments", ["POST"], response=service_result("contracts", "add_attachment"),
       roles=STAFF_ROLES, status=201, tags=["attachments"],
       raw_body=upload_body(ATTACHMENT, portal_visible="true: shown on the client portal (default: the contract "
                                                       "type's, else the license's setting)",
                            folder="the folder it is filed in"))
def add_attachment(actor, contract_id):
    """Attach a document to a contract (size and type limits apply): multipart/form-data with `file`, or JSON
    with content_base64."""
    payload = _upload(ATTACHMENT, "portal_visible", "folder")
    return call("contracts", "add_attachment", actor, contract_id, payload, timeout=60), 201


def _upload(params: ServiceParams, *form_fields: str) -> dict:
    """The RPC payload of a file upload, the RPC's ``params``, checked as a JSON body is: multipart/form-data
    with a ``file`` field (and the ``form_fields`` named, each as sent, for the service's schema to load: a
    portal_visible of "maybe" is refused, not read as false; any other field is refused, not ignored), or JSON."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise InvalidInput("Send the file in a form field named 'file'.",
                               {"fields": {"file": ["Missing data for required field."]}})
        unknown = sorted((set(request.form) | set(request.files)) - {"file", *form_fields})
        if unknown:
            raise InvalidInput("The request contains invalid fields.",
                               {"fields": {name: ["Unknown field."] for name in unknown}})
        return loaded_body(params, {"filename": upload.filename, "content_type": upload.mimetype,
                                    "content_base64": base64.b64encode(upload.read()).decode(),
                                    **{name: request.form[name] for name in form_fields if name in request.form}})
    if request.is_json:
        return loaded_json_body(params)
    raise BadRequest("Send multipart/form-data with a 'file' field, or JSON with content_base64.")


# -- assets: images templates embed by id (the PDF renderer fetches nothing else) ------------------

@route(bp, "/assets", ["POST"], response=service_result("contracts", "upload_asset"), roles=ADMINS, status=201,
       tags=["assets"], raw_body=upload_body(ASSET))
def upload_asset(actor):
    """Upload an image (PNG or JPEG, 1 MB by default) for contract-type templates, e.g. the company logo:
    a template shows it with `<img src="paraph-asset:<id>">` (the `url` of the result)."""
    return call("contracts", "upload_asset", actor, _upload(ASSET), timeout=60), 201


forward(bp, "GET", "/assets", "contracts.list_assets", roles=STAFF_ROLES, tags=["assets"],
        doc="""The images uploaded for your license's templates.

    The whole list, not paginated: the images a license's templates use, bounded by design.""")


@route(bp, "/assets/<asset_id>", ["GET"], roles=STAFF_ROLES, tags=["assets"],
       responses={200: "image/*: the image as uploaded"})
def download_asset(actor, asset_id):
    """Download an image uploaded for templates."""
    return file_response(call("contracts", "get_asset", actor, asset_id, timeout=60))


forward(bp, "DELETE", "/assets/<asset_id>", "contracts.delete_asset", roles=ADMINS, tags=["assets"], status=204,
        doc="Delete an image; templates still naming it fail to render until they are changed.")


@route(bp, "/attachments/<attachment_id>", ["GET"], roles=STAFF_ROLES, tags=["attachments"],
       responses={200: "*/*: the file as uploaded, with its content type"})
def download_attachment(actor, attachment_id):
    """Download an attachment."""
    return file_response(call("contracts", "get_attachment", actor, attachment_id, timeout=60))


forward(bp, "PATCH", "/attachments/<attachment_id>", "contracts.update_attachment", roles=STAFF_ROLES, tags=["attachments"],
        doc="Show or hide an attachment on the customer portal; rename or move it.")

forward(bp, "DELETE", "/attachments/<attachment_id>", "contracts.delete_attachment", roles=STAFF_ROLES, tags=["attachments"],
        status=204, doc="Delete an attachment.")

forward(bp, "PUT", "/contracts/<contract_id>/portal-visibility", "contracts.set_portal_visibility", roles=STAFF_ROLES,
        tags=["attachments"],
        doc="Show or hide all attachments (or those of one folder) and/or milestones of a contract on the portal.")
