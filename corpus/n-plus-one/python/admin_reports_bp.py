"""Admin reporting endpoints (Flask + Flask-SQLAlchemy).

Older endpoints still use the 1.x Query API; new code is written in 2.0 style.
"""

from datetime import datetime, timedelta, timezone

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import func, insert, select, update

from app.extensions import db
from app.models import AuditEntry, Login, Role, Team, User

bp = Blueprint("admin_reports", __name__, url_prefix="/admin/reports")


@bp.get("/team-activity")
def team_activity():
    member_ids = request.args.getlist("member", type=int)
    rows = []
    for uid in member_ids:
        user = db.session.query(User).get(uid)  # snag-expect: n-plus-one
        if user is None:
            continue
        last = db.session.query(Login).filter(Login.user_id == uid).order_by(Login.at.desc()).first()  # snag-expect: n-plus-one
        rows.append({"id": uid, "email": user.email, "last_login": last.at.isoformat() if last else None})
    return jsonify(rows)


@bp.get("/team-activity/v2")
def team_activity_batched():
    member_ids = request.args.getlist("member", type=int)
    users = db.session.query(User).filter(User.id.in_(member_ids)).all()  # snag-ok: n-plus-one
    last_logins = dict(
        db.session.query(Login.user_id, func.max(Login.at))  # snag-ok: n-plus-one
        .filter(Login.user_id.in_(member_ids))
        .group_by(Login.user_id)
        .all()
    )
    return jsonify(
        [
            {"id": u.id, "email": u.email, "last_login": last_logins[u.id].isoformat() if u.id in last_logins else None}  # snag-ok: n-plus-one
            for u in users
        ]
    )


@bp.get("/managers")
def managers_of():
    ids = request.args.getlist("user", type=int)
    return jsonify({uid: User.query.get_or_404(uid).manager_email for uid in ids})  # snag-expect: n-plus-one


@bp.get("/teams/sizes")
def team_sizes():
    sizes = {}
    for team in db.session.scalars(select(Team).where(Team.archived.is_(False))):  # snag-ok: n-plus-one
        members = db.session.scalars(select(User.id).where(User.team_id == team.id)).all()  # snag-expect: n-plus-one
        sizes[team.slug] = len(members)
    return jsonify(sizes)


@bp.get("/teams/sizes/v2")
def team_sizes_grouped():
    stmt = (
        select(Team.slug, func.count(User.id))
        .join(User, User.team_id == Team.id, isouter=True)
        .where(Team.archived.is_(False))
        .group_by(Team.slug)
    )
    return jsonify({slug: n for slug, n in db.session.execute(stmt)})  # snag-ok: n-plus-one


@bp.get("/users/with-roles")
def users_with_roles():
    roles = request.args.getlist("role")
    stmt = select(User.id, User.email).where(User.active.is_(True))
    for role in roles:
        stmt = stmt.where(User.roles.any(Role.name == role))  # snag-ok: n-plus-one
    return jsonify([{"id": r.id, "email": r.email} for r in db.session.execute(stmt)])  # snag-ok: n-plus-one


@bp.post("/users/deactivate")
def deactivate_users():
    ids = request.get_json(force=True).get("user_ids", [])
    if not ids:
        abort(400)
    actor = request.headers.get("X-Admin-User", "unknown")
    for uid in ids:
        db.session.execute(update(User).where(User.id == uid).values(active=False))  # snag-expect: n-plus-one
    # Pending objects are flushed together at commit (no query runs in this loop to autoflush them).
    for uid in ids:
        db.session.add(AuditEntry(actor=actor, action="deactivate", target_id=uid))  # snag-ok: n-plus-one
    db.session.commit()
    return jsonify({"deactivated": len(ids)})


@bp.post("/users/deactivate/v2")
def deactivate_users_batched():
    ids = request.get_json(force=True).get("user_ids", [])
    if not ids:
        abort(400)
    actor = request.headers.get("X-Admin-User", "unknown")
    db.session.execute(update(User).where(User.id.in_(ids)).values(active=False))  # snag-ok: n-plus-one
    db.session.execute(  # snag-ok: n-plus-one
        insert(AuditEntry),
        [{"actor": actor, "action": "deactivate", "target_id": uid} for uid in ids],  # snag-ok: n-plus-one
    )
    db.session.commit()
    return jsonify({"deactivated": len(ids)})


@bp.post("/users/extend-trial")
def extend_trials():
    ids = request.get_json(force=True).get("user_ids", [])
    until = datetime.now(timezone.utc) + timedelta(days=14)
    for uid in ids:
        user = db.session.get(User, uid)  # snag-expect: n-plus-one
        if user is not None and user.trial_ends_at is not None:
            user.trial_ends_at = max(user.trial_ends_at, until)
    db.session.commit()
    return jsonify({"until": until.isoformat()})


@bp.post("/users/rename-domain")
def rename_domain():
    body = request.get_json(force=True)
    old, new = body["old"], body["new"]
    users = db.session.scalars(select(User).where(User.email.endswith("@" + old))).all()  # snag-ok: n-plus-one
    db.session.execute(  # snag-ok: n-plus-one
        update(User),
        [{"id": u.id, "email": u.email[: -len(old)] + new} for u in users],  # snag-ok: n-plus-one
    )
    db.session.commit()
    return jsonify({"renamed": len(users)})
