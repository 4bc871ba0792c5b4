"""A small Flask shop API written the way backend-lint's rules are meant to catch."""

import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)
app.config["SECRET_KEY"] = "s3cr3t-Xq9vLr7TzK2mWp4B"


def get_db():
    return sqlite3.connect("shop.db")


@app.route("/products")
def list_products():
    order = request.args.get("order")
    db = get_db()
    rows = db.execute(f"SELECT id, name FROM products ORDER BY {order}").fetchall()
    print("listed products", len(rows))
    return jsonify([{"id": r[0], "name": r[1]} for r in rows])


@app.route("/orders", methods=["POST"])
def create_order():
    payload = request.get_json()
    try:
        db = get_db()
        db.execute("INSERT INTO orders (product_id, qty) VALUES (?, ?)", (payload["product"], payload["qty"]))
        db.commit()
    except Exception:
        pass
    return jsonify({"ok": True}), 201


def refresh_prices():
    import requests

    prices = requests.get("https://prices.example.com/v1/latest").json()
    return {p["sku"]: p["price"] for p in prices}
