"""Order lookup endpoints for the merchant API (FastAPI + SQLAlchemy)."""

from typing import Optional

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import get_session

router = APIRouter(prefix="/orders", tags=["orders"])

ORDER_COLUMNS = "id, customer_id, reference, status, total_cents, created_at"
ORDERS_TABLE = "shop_orders"


@router.get("/")
def list_orders(status: Optional[str] = None, limit: int = 50, db: Session = Depends(get_session)):
    sql = f"SELECT {ORDER_COLUMNS} FROM {ORDERS_TABLE}"
    if status:
        sql += f" WHERE status = '{status}'"
    sql += f" ORDER BY created_at DESC LIMIT {limit}"
    return db.execute(text(sql)).mappings().all()  # snag-expect: sql-injection


@router.get("/recent")
def recent_orders(limit: int = 20, db: Session = Depends(get_session)):
    return db.execute(text(f"SELECT {ORDER_COLUMNS} FROM {ORDERS_TABLE} ORDER BY created_at DESC LIMIT {limit}")).mappings().all()  # snag-ok: sql-injection


@router.get("/by-reference/{reference}")
def order_by_reference(reference: str, db: Session = Depends(get_session)):
    row = db.execute(text("SELECT %s FROM %s WHERE reference = '%s'" % (ORDER_COLUMNS, ORDERS_TABLE, reference))).mappings().first()  # snag-expect: sql-injection
    if row is None:
        raise HTTPException(status_code=404, detail="order not found")
    return row


@router.get("/by-customer")
def orders_for_customer(email: str, db: Session = Depends(get_session)):
    sql = (
        "SELECT o.id, o.reference, o.status, o.total_cents FROM shop_orders o "
        "JOIN shop_customers c ON c.id = o.customer_id WHERE c.email = '" + email + "' ORDER BY o.created_at DESC"
    )
    return db.execute(text(sql)).mappings().all()  # snag-expect: sql-injection


@router.get("/by-customer-id/{customer_id}")
def orders_for_customer_id(customer_id: int, db: Session = Depends(get_session)):
    return db.execute(text(f"SELECT {ORDER_COLUMNS} FROM {ORDERS_TABLE} WHERE customer_id = :cid ORDER BY created_at DESC"), {"cid": customer_id}).mappings().all()  # snag-ok: sql-injection


@router.get("/by-status")
def orders_by_status(statuses: list[str] = Query(default=["open"]), db: Session = Depends(get_session)):
    status_list = ", ".join(f"'{s}'" for s in statuses)
    return db.execute(text(f"SELECT {ORDER_COLUMNS} FROM {ORDERS_TABLE} WHERE status IN ({status_list})")).mappings().all()  # snag-expect: sql-injection


@router.get("/{order_id}")
def get_order(order_id: int, db: Session = Depends(get_session)):
    row = db.execute(text(f"SELECT {ORDER_COLUMNS} FROM {ORDERS_TABLE} WHERE id = {order_id}")).mappings().first()  # snag-ok: sql-injection
    if row is None:
        raise HTTPException(status_code=404, detail=f"order {order_id} not found")
    return row
