"""The audit trail in the app (admins only): filter by user, area, kind of record and date."""

from __future__ import annotations

import math

from flask import Blueprint, render_template, request
from marshmallow import ValidationError

from core import db
from core.services.errors import FieldError
from core.services.plans import plans
from core.services.records import audit
from core.web.form_schemas import AuditFilterForm
from core.web.forms import FormState, admins_only

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
PAGE_SIZE = 50


bp.before_request(admins_only)


@bp.get("/")
def index():
    session = db.get_session()
    form = FormState(values={k: request.args.getlist(k) for k in request.args})
    wanted, page = audit.AuditFilter(), 1
    try:
        data = AuditFilterForm().load(AuditFilterForm.from_form(request.args))
        page = data.pop("page")
        wanted = audit.AuditFilter.of(session, **data)
    except ValidationError as error:
        for name, problems in error.messages.items():  # type: ignore[union-attr]
            form.add_error(str(name), problems[0])
    except FieldError as error:
        form.add_error(error.field, error.message)
    rows, total = audit.entries(session, wanted, page=page, page_size=PAGE_SIZE)
    return render_template(
        "audit.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=math.ceil(total / PAGE_SIZE),
        areas=plans.areas(session),
        kinds=audit.kinds(session),
    ), (400 if form.errors else 200)
