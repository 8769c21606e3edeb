"""The yardstick: a one-route Flask app, served by the same gunicorn settings as the product."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hej världen!"
