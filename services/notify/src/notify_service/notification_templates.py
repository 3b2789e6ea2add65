"""Notification templates: a license admin's own wording of the messages notify sends (list, read, save,
reset to the built-in default, preview with sample or given variables). The catalog and the built-in
wording are data (template_catalog.py, template_defaults.toml); rendering and validation are in templates.py.
"""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from paraph_platform.actor import load_actor, require_role, require_staff
from paraph_platform.db import utcnow
from paraph_platform.envelope import iso
from paraph_platform.service import endpoint

from . import schemas, template_catalog, templates, time_zones
from .base import ADMINS, NotifyBase
from .delivery import effective_parts
from .exceptions import Conflict, InvalidInput
from .models import NotificationTemplate


def template_view(name: str, locale: str, parts: dict, row: NotificationTemplate | None) -> dict:
    return {"name": name, "locale": locale, "customized": row is not None, "subject": parts["subject"],
            "text": parts["text"], "html": parts.get("html"), "sms": parts.get("sms"),
            "variables": templates.variables_doc(name),
            "required_variable": template_catalog.REQUIRED_VARIABLE.get(name),
            "updated_at": iso(row.updated_at) if row else None, "updated_by": row.updated_by if row else None}


class NotificationTemplatesEndpoints(NotifyBase):
    """The templates RPC API: license admins edit; salespeople preview the emails they send by hand."""

    @endpoint
    def list_templates(self, actor):
        actor = require_role(load_actor(actor), *ADMINS)
        with self.db.session() as s:
            custom = {(r.name, r.locale): r for r in s.execute(select(NotificationTemplate).where(
                NotificationTemplate.license_id == actor["license_id"])).scalars()}
        out = []
        for name in template_catalog.TEMPLATE_NAMES:
            for locale in template_catalog.LOCALES:
                row = custom.get((name, locale))
                parts = ({"subject": row.subject, "text": row.text, "html": row.html, "sms": row.sms} if row
                         else templates.default_parts(name, locale))
                out.append(template_view(name, locale, parts, row))
        return out

    @endpoint
    def get_template(self, actor, name, locale="fr"):
        actor = require_role(load_actor(actor), *ADMINS)
        templates.check_name(name)
        templates.check_locale(locale)
        with self.db.session() as s:
            parts, row = effective_parts(s, actor["license_id"], name, locale)
            view = template_view(name, locale, parts, row)
        view["default"] = templates.default_parts(name, locale)
        return view

    @endpoint(write=True)
    def put_template(self, actor, name, locale, payload):
        actor = require_role(load_actor(actor), *ADMINS)
        templates.check_name(name)
        templates.check_locale(locale)
        data = schemas.TemplateIn().load(payload)
        cleaned = templates.validate(name, locale, data)
        now = utcnow()
        with self.db.session() as s:
            row = s.execute(select(NotificationTemplate).where(
                NotificationTemplate.license_id == actor["license_id"], NotificationTemplate.name == name,
                NotificationTemplate.locale == locale)).scalar_one_or_none()
            if row is None:
                row = NotificationTemplate(license_id=actor["license_id"], name=name, locale=locale, created_at=now)
                s.add(row)
            row.subject, row.text, row.html, row.sms = cleaned["subject"], cleaned["text"], cleaned["html"], cleaned["sms"]
            row.updated_by, row.updated_at = actor["user_id"], now
            try:
                s.flush()
            except IntegrityError:
                raise Conflict("This template was saved by someone else at the same time; try again.") from None
            return template_view(name, locale, cleaned, row)

    @endpoint(write=True)
    def reset_template(self, actor, name, locale="fr"):
        actor = require_role(load_actor(actor), *ADMINS)
        templates.check_name(name)
        templates.check_locale(locale)
        with self.db.session() as s:
            s.execute(delete(NotificationTemplate).where(
                NotificationTemplate.license_id == actor["license_id"], NotificationTemplate.name == name,
                NotificationTemplate.locale == locale))
        return template_view(name, locale, templates.default_parts(name, locale), None)

    @endpoint
    def preview_template(self, actor, name, locale, payload):
        """Render the saved template (or the draft parts sent) with sample or given variables. Salespeople
        may preview, with their own variables, the saved version of the emails they send by hand (what the
        customer will read), never a draft."""
        actor = load_actor(actor)
        templates.check_name(name)
        templates.check_locale(locale)
        data = schemas.PreviewIn().load(payload or {})
        drafting = any(data.get(k) is not None for k in template_catalog.PARTS)
        if name in template_catalog.SENT_BY_HAND and not drafting:
            require_staff(actor)
        else:
            require_role(actor, *ADMINS)
        with self.db.session() as s:
            parts, _row = effective_parts(s, actor["license_id"], name, locale)
            zone = time_zones.of_license(s, actor["license_id"])  # the times as the email will write them
            country = time_zones.country_of_license(s, actor["license_id"])
        draft = {k: data[k] for k in template_catalog.PARTS if data.get(k) is not None}
        if "text" in draft:
            # what saving this draft would send: a text without HTML or SMS saves them as null, the HTML derived
            # from that text and the default SMS (put_template), not the parts saved before
            draft = {"html": None, "sms": None, **draft}
        if draft:
            parts = templates.validate(name, locale, {**parts, **draft})
        variables = {**templates.sample_vars(name, locale), **data["vars"]}
        try:
            return templates.render(name, locale, parts, variables, zone, country)
        except templates.RenderError as exc:
            raise InvalidInput(f"The template cannot be rendered with these variables: {exc}",
                               {"fields": {"vars": [str(exc)]}}) from None
